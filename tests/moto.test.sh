#!/bin/sh
# moto plays AWS in tests/e2e.test.sh. This test shows that it does so with
# authentication switched on: a wrong signature, an unknown key or a missing
# signature is refused, so the end-to-end test cannot pass with credentials
# that AWS would reject. It also pins the moto behaviour e2e relies on (see
# the notes in tests/moto_setup.py).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_cmd curl
need_py boto3 moto

moto_prepare admin
ok "moto armed after exactly the counted setup calls"
expect_mode "$T_TMP/secrets.conf" 600 "setup writes the base key with mode 0600"
case $BASE_KEY_ID in
AKIA*) ok "base key id looks like an IAM user key" ;;
*) not_ok "base key id looks like an IAM user key" ;;
esac

ACCT=123456789012
ROLE=arn:aws:iam::$ACCT:role/admin

got=$(aws_as "$BASE_KEY_ID" "$BASE_SECRET" "" identity)
expect_eq "$got" "arn:aws:iam::$ACCT:user/afp-base" "base key signs as user afp-base"

got=$(aws_as "$BASE_KEY_ID" "${BASE_SECRET}x" "" identity)
expect_eq "$got" "error SignatureDoesNotMatch" "wrong secret: SignatureDoesNotMatch"

got=$(aws_as AKIAIOSFODNN7EXAMPLE "$BASE_SECRET" "" identity)
expect_eq "$got" "error InvalidClientTokenId" "unknown key id: InvalidClientTokenId"

# moto 5.2.1 answers an unsigned request with 500 (it reads the missing
# Authorization header); AWS would say 403 MissingAuthenticationToken.
# Either way it must not answer the call.
code=$(curl -s -m 10 -o "$T_TMP/unsigned.body" -w '%{http_code}' \
    -d 'Action=GetCallerIdentity&Version=2011-06-15' "$MOTO_URL/")
if [ "$code" != 200 ] && ! grep -q GetCallerIdentityResult "$T_TMP/unsigned.body"; then
	ok "unsigned request refused (HTTP $code)"
else
	not_ok "unsigned request refused (HTTP $code)"
fi

# AssumeRole: the returned credentials work and name the session.
if aws_as "$BASE_KEY_ID" "$BASE_SECRET" "" assume-role "$ROLE" afp-alice \
    >"$T_TMP/ar.json"; then
	ok "AssumeRole with the base key"
else
	not_ok "AssumeRole with the base key"
	sed 's/^/# /' "$T_TMP/ar.json"
fi
want=arn:aws:sts::$ACCT:assumed-role/admin/afp-alice
expect_eq "$(json_get "$T_TMP/ar.json" arn)" "$want" "AssumeRole answer names the session"
k=$(json_get "$T_TMP/ar.json" access_key)
s=$(json_get "$T_TMP/ar.json" secret_key)
t=$(json_get "$T_TMP/ar.json" session_token)
expect_eq "$(aws_as "$k" "$s" "$t" identity)" "$want" \
    "assumed-role credentials call GetCallerIdentity (no role policy needed)"
expect_eq "$(aws_as "$k" "$s" "${t}x" identity)" "error InvalidClientTokenId" \
    "assumed-role credentials with a tampered token are refused"
expect_eq "$(aws_as "$k" "${s}x" "$t" identity)" "error SignatureDoesNotMatch" \
    "assumed-role credentials with a wrong secret are refused"
got=$(aws_as "$k" "$s" "$t" assume-role "$ROLE" chained)
expect_eq "$got" "error AccessDenied" "a role without a policy cannot call AssumeRole"

# GetFederationToken and GetSessionToken: plain moto hands out fixed example
# keys it refuses afterwards; tests/moto_server.py makes them real.
if aws_as "$BASE_KEY_ID" "$BASE_SECRET" "" federation-token fed-bob \
    >"$T_TMP/fed.json"; then
	ok "GetFederationToken with the base key"
else
	not_ok "GetFederationToken with the base key"
	sed 's/^/# /' "$T_TMP/fed.json"
fi
want=arn:aws:sts::$ACCT:federated-user/fed-bob
expect_eq "$(json_get "$T_TMP/fed.json" arn)" "$want" "GetFederationToken names the federated user"
k=$(json_get "$T_TMP/fed.json" access_key)
s=$(json_get "$T_TMP/fed.json" secret_key)
t=$(json_get "$T_TMP/fed.json" session_token)
expect_eq "$(aws_as "$k" "$s" "$t" identity)" "$want" \
    "federation-token credentials call GetCallerIdentity as the federated user"
expect_eq "$(aws_as "$k" "$s" "${t}x" identity)" "error InvalidClientTokenId" \
    "federation-token credentials with a tampered token are refused"

if aws_as "$BASE_KEY_ID" "$BASE_SECRET" "" session-token >"$T_TMP/sess.json"; then
	ok "GetSessionToken with the base key"
else
	not_ok "GetSessionToken with the base key"
	sed 's/^/# /' "$T_TMP/sess.json"
fi
k=$(json_get "$T_TMP/sess.json" access_key)
s=$(json_get "$T_TMP/sess.json" secret_key)
t=$(json_get "$T_TMP/sess.json" session_token)
expect_eq "$(aws_as "$k" "$s" "$t" identity)" "arn:aws:iam::$ACCT:user/afp-base" \
    "session-token credentials call GetCallerIdentity as the base user"
expect_eq "$(aws_as "$k" "${s}x" "$t" identity)" "error SignatureDoesNotMatch" \
    "session-token credentials with a wrong secret are refused"

expect_no_secret "$T_TMP/moto.log" "$BASE_SECRET" "moto's log does not show the base secret"

t_done
