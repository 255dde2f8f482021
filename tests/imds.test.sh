#!/bin/sh
# Instance metadata: moto (AWS, authentication on) -> afp-refresher ->
# cache and imds.key -> afp.cgi under lighttpd, called by real SDKs through
# AWS_EC2_METADATA_SERVICE_ENDPOINT (Debian's boto3 and AWS CLI v2, the
# newer pip boto3 and AWS CLI v1), and by curl for every status: tokens
# (IMDSv2), imds_v1 = no, expiry, other machines, TTL rules, one role or
# 404/409, the exact EC2 document; machine_auth = pam run directly.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER" "$CGI"
need_cmd curl lighttpd base64 stat od
need_py boto3 moto
need_wrappers

ACCT=123456789012
ARN=arn:aws:sts::$ACCT:assumed-role/mach/afp-mach
TOKEN_RE='^[0-9]+\.[0-9a-f]{64}$'
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
LIST=/latest/meta-data/iam/security-credentials/
PW_BUILD='build-Pw-81xQ'

moto_prepare mach

# --- configuration -------------------------------------------------------
afp_dirs
mkdir "$C/peruser.d"
afp_conf v1.conf remote_user accounts.d 'imds_v1 = yes'
afp_conf v2.conf remote_user accounts.d 'imds_v1 = no'
afp_conf pam.conf remote_user accounts.d 'machine_auth = pam'
# Its own cache, without a catalog: the CGI reads all of peruser.d and
# meets the mistake (the refresher refuses such a configuration outright).
(CACHE=$T_TMP/peruser-cache; afp_conf peruser.conf remote_user peruser.d)
cp "$C/v1.conf" "$C/afp.conf"
# 127.0.0.1 and 10.9.9.9 (and build-01 through PAM) have one role,
# 10.1.1.1 has two, 10.2.2.2 none.
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/mach]
session_name = afp-mach
machines     = 127.0.0.1 10.9.9.9 build-01

[role prod/two-a]
session_name = afp-two-a
machines     = 10.1.1.1

[role prod/two-b]
session_name = afp-two-b
machines     = 10.1.1.1
EOF
# A per-user role has no shared entry for a machine to use.
cat >"$C/peruser.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/mach]
session_name = afp-{user}
allow_users  = alice
machines     = 10.3.3.3
EOF

pam_service afp
pam_user build-01 "$PW_BUILD" afp
nss_init
wrap_env

# --- refresher -----------------------------------------------------------
refresh_ok
expect_mode "$CACHE/prod/mach.json" 640 "cache prod/mach.json written"
if [ -f "$CACHE/imds.key" ]; then
	expect_mode "$CACHE/imds.key" 640 "the refresher made imds.key, 0640"
else
	# XXX: until the refresher makes imds.key, the test makes it.
	diag "no imds.key from the refresher: the test makes one"
	(umask 027 && head -c 32 /dev/urandom | od -An -tx1 -v |
	    tr -d ' \n' >"$CACHE/imds.key")
fi
check "imds.key is 64 hex digits" \
    grep -Eqx '[0-9a-f]{64}' "$CACHE/imds.key"
MACH_KEY=$(json_get "$CACHE/prod/mach.json" access_key_id)
MACH_SECRET=$(json_get "$CACHE/prod/mach.json" secret_access_key)

# --- the CGI, run directly -------------------------------------------------
# imds_run METHOD PATH_INFO [NAME=VALUE...]: as a web server runs it; the
# pairs (REMOTE_ADDR, HTTP_* headers, AFP_CONFIG) come last and win. Sets
# H_CODE; the body is in $T_TMP/h.body, the headers in $T_TMP/h.head.
imds_run() {
	local _m=$1 _p=$2
	shift 2
	env -i AFP_CONFIG="$C/afp.conf" GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD="$_m" SERVER_PROTOCOL=HTTP/1.1 \
	    SERVER_NAME=127.0.0.1 SERVER_PORT=80 SCRIPT_NAME=/cgi-bin/afp.cgi \
	    PATH_INFO="$_p" QUERY_STRING= REQUEST_URI="/cgi-bin/afp.cgi$_p" \
	    "$@" "$CGI" >"$T_TMP/cgi.out" 2>>"$T_TMP/cgi.err" </dev/null
	tr -d '\r' <"$T_TMP/cgi.out" | sed '/^$/q' >"$T_TMP/h.head"
	tr -d '\r' <"$T_TMP/cgi.out" | sed '1,/^$/d' >"$T_TMP/h.body"
	H_CODE=$(sed -n 's/^Status: *\([0-9][0-9][0-9]\).*/\1/Ip' "$T_TMP/h.head")
	[ -n "$H_CODE" ] || H_CODE=200
}
TTL60=HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS=60

imds_run GET "$LIST" REMOTE_ADDR=10.1.1.1
expect_eq "$H_CODE" 409 "machine with two roles: listing is 409"
check "409 says why" grep -q 'exactly one' "$T_TMP/h.body"
imds_run GET "${LIST}two-a" REMOTE_ADDR=10.1.1.1
expect_eq "$H_CODE" 409 "machine with two roles: a role is 409"
imds_run GET "$LIST" REMOTE_ADDR=10.2.2.2
expect_eq "$H_CODE" 404 "machine with no role: 404"
imds_run GET "$LIST" REMOTE_ADDR=10.9.9.9
expect_eq "$H_CODE:$(cat "$T_TMP/h.body")" 200:mach "another machine of the role: 200 mach"
imds_run GET "$LIST"
expect_eq "$H_CODE" 401 "no REMOTE_ADDR: 401"
imds_run GET "$LIST" REMOTE_ADDR='fe80::1%eth0'
expect_eq "$H_CODE" 401 "REMOTE_ADDR outside the machine name rule: 401"
imds_run GET "${LIST}mach" REMOTE_ADDR=10.3.3.3 AFP_CONFIG="$C/peruser.conf"
expect_eq "$H_CODE" 500 "machines on a per-user role: 500"

# lighttpd drops a header with an empty value; another server may pass it.
imds_run PUT /latest/api/token REMOTE_ADDR=10.9.9.9 \
    HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS=
expect_eq "$H_CODE" 403 "PUT with an empty TTL header: 403, never 400"

# A token for 10.9.9.9 works there and nowhere else.
imds_run PUT /latest/api/token REMOTE_ADDR=10.9.9.9 "$TTL60"
expect_eq "$H_CODE" 200 "PUT token as 10.9.9.9: 200"
OTHER_TOKEN=$(cat "$T_TMP/h.body")
imds_run GET "$LIST" REMOTE_ADDR=10.9.9.9 HTTP_X_AWS_EC2_METADATA_TOKEN="$OTHER_TOKEN"
expect_eq "$H_CODE" 200 "10.9.9.9's token from 10.9.9.9: 200"

# machine_auth = pam: the PAM user is the machine.
# shellcheck disable=SC2086
imds_run GET "$LIST" AFP_CONFIG="$C/pam.conf" REMOTE_ADDR=10.7.7.7 $WRAP_ENV \
    HTTP_AUTHORIZATION="Basic $(printf 'build-01:%s' "$PW_BUILD" | base64 -w0)"
expect_eq "$H_CODE:$(cat "$T_TMP/h.body")" 200:mach "machine_auth = pam: build-01 gets mach"
# shellcheck disable=SC2086
imds_run GET "$LIST" AFP_CONFIG="$C/pam.conf" REMOTE_ADDR=127.0.0.1 $WRAP_ENV \
    HTTP_AUTHORIZATION="Basic $(printf 'build-01:wrong' | base64 -w0)"
expect_eq "$H_CODE" 401 "machine_auth = pam: wrong password is 401"
# shellcheck disable=SC2086
imds_run GET "$LIST" AFP_CONFIG="$C/pam.conf" REMOTE_ADDR=127.0.0.1 $WRAP_ENV
expect_eq "$H_CODE" 401 "machine_auth = pam: no credentials is 401 (REMOTE_ADDR is not enough)"
expect_eq "$(header WWW-Authenticate)" 'Basic realm="afp"' "machine_auth = pam: 401 asks for Basic"

# --- lighttpd, IMDSv1 allowed ------------------------------------------------
start_lighttpd "$CGI" AFP_CONFIG="$C/afp.conf"

http "" "" "$LIST"
expect_eq "$H_CODE" 200 "imds_v1 = yes: GET without token: 200"
expect_eq "$(od -An -c "$T_TMP/h.body" | tr -s ' ' | sed 's/^ //;s/ $//')" 'm a c h' \
    "listing is the role name with no trailing newline"
expect_eq "$(wc -c <"$T_TMP/h.body")" 4 "listing is 4 bytes"
http "" "" /meta-data/iam/security-credentials/
expect_eq "$H_CODE:$(cat "$T_TMP/h.body")" 200:mach "listing without /latest: 200 mach"
http "" "" "$LIST" -H 'X-aws-ec2-metadata-token: 1.abc'
expect_eq "$H_CODE" 401 "imds_v1 = yes: a bad token is still checked: 401"

# The EC2 document, exactly: its keys in order, then each value but the secrets.
http "" "" "${LIST}mach"
expect_eq "$H_CODE" 200 "role document: 200"
"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(",".join(d))
for k in ("Code", "Type", "LastUpdated", "Expiration", "AccessKeyId"):
    print(d[k])' "$T_TMP/h.body" >"$T_TMP/doc.txt" 2>&1
doc() {
	sed -n "${1}p" "$T_TMP/doc.txt"
}
expect_eq "$(doc 1)" \
    Code,LastUpdated,Type,AccessKeyId,SecretAccessKey,Token,Expiration \
    "role document has EC2's keys in EC2's order"
expect_eq "$(doc 2)" Success "Code is Success"
expect_eq "$(doc 3)" AWS-HMAC "Type is AWS-HMAC"
check "LastUpdated is %Y-%m-%dT%H:%M:%SZ" \
    sh -c 'printf "%s\n" "$1" | grep -Eqx "$2"' - "$(doc 4)" "$TIME_RE"
check "Expiration is %Y-%m-%dT%H:%M:%SZ" \
    sh -c 'printf "%s\n" "$1" | grep -Eqx "$2"' - "$(doc 5)" "$TIME_RE"
expect_eq "$(doc 5)" "$(json_get "$CACHE/prod/mach.json" expiration)" \
    "Expiration is the cached one"
expect_eq "$(doc 6)" "$MACH_KEY" "AccessKeyId is the cached one"
DOC_SECRET=$(json_get "$T_TMP/h.body" SecretAccessKey)
expect_eq_quiet "$DOC_SECRET" "$MACH_SECRET" "SecretAccessKey is the cached one"
expect_eq "$(aws_as "$(doc 6)" "$DOC_SECRET" \
    "$(json_get "$T_TMP/h.body" Token)" identity)" "$ARN" \
    "the document's credentials are mach's for moto"
http "" "" "${LIST}two-a"
expect_eq "$H_CODE" 404 "another machine's role: 404"
http "" "" "${LIST}nosuch"
expect_eq "$H_CODE" 404 "no such role: 404"

# Tokens.
http "" "" /latest/api/token -X PUT
expect_eq "$H_CODE" 400 "PUT without TTL header: 400 (as EC2)"
for ttl in 0 21601 abc -5 1.5 '60 s'; do
	http "" "" /latest/api/token -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds:$ttl"
	expect_eq "$H_CODE" 403 "PUT with TTL '$ttl': 403, never 400"
done
http "" "" /latest/api/token -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
    -H 'X-Forwarded-For: 10.0.0.1'
expect_eq "$H_CODE" 403 "PUT through a forwarding proxy: 403"
http "" "" /latest/api/token
expect_eq "$H_CODE" 405 "GET /latest/api/token: 405"
http "" "" /latest/api/token -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600'
expect_eq "$H_CODE" 200 "PUT with TTL 21600: 200"
check "token is <expiry>.<64 hex>" \
    sh -c 'grep -Eqx "$1" "$2"' - "$TOKEN_RE" "$T_TMP/h.body"
expect_eq "$(header Content-Type)" 'text/plain; charset=utf-8' "token is text/plain"
expect_eq "$(header X-Aws-Ec2-Metadata-Token-Ttl-Seconds)" 21600 \
    "token answer names its TTL, as the AWS SDK for Go requires"
TOKEN=$(cat "$T_TMP/h.body")

# --- SDKs through IMDS, v1 allowed ---------------------------------------------
cat >"$T_TMP/client.py" <<'EOF'
import sys
import boto3
import botocore.exceptions
s = boto3.session.Session(region_name="us-east-1")
try:
    c = s.get_credentials()
except botocore.exceptions.MetadataRetrievalError:
    c = None
if c is None:
    print("no credentials")
    sys.exit(2)
print(c.method, s.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()["Arn"])
EOF
# sdk LABEL WANT PYTHON [NAME=VALUE...]: boto3 with nothing but IMDS.
sdk() {
	local _label=$1 _want=$2 _py=$3 _out
	shift 3
	_out=$(env -u AWS_EC2_METADATA_DISABLED AWS_CONFIG_FILE=/dev/null \
	    AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	    AWS_EC2_METADATA_SERVICE_ENDPOINT="$AFP_URL/" \
	    AWS_METADATA_SERVICE_TIMEOUT=5 "$@" \
	    "$_py" "$T_TMP/client.py" "$MOTO_URL" 2>"$T_TMP/client.err")
	expect_eq "$_out" "$_want" "$_label"
	[ "$_out" = "$_want" ] || sed 's/^/# /' "$T_TMP/client.err" | tail -5
}
sdk "pip boto3 via IMDS, AWS_EC2_METADATA_V1_DISABLED: mach's ARN" \
    "iam-role $ARN" "$PYTHON" AWS_EC2_METADATA_V1_DISABLED=true

# aws_cli LABEL AWS: the CLI with nothing but IMDS.
aws_cli() {
	local _out
	_out=$(env -u AWS_EC2_METADATA_DISABLED AWS_CONFIG_FILE=/dev/null \
	    AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	    AWS_EC2_METADATA_SERVICE_ENDPOINT="$AFP_URL/" \
	    AWS_METADATA_SERVICE_TIMEOUT=5 AWS_DEFAULT_REGION=us-east-1 \
	    "$2" sts get-caller-identity --endpoint-url "$MOTO_URL" \
	    --query Arn --output text 2>"$T_TMP/cli.err")
	expect_eq "$_out" "$ARN" "$1"
	[ "$_out" = "$ARN" ] || sed 's/^/# /' "$T_TMP/cli.err" | tail -5
}
# The CLI v2 takes minutes of this test's budget; tests/container.test.sh
# runs it. A pip AWS CLI v1, where installed, is a quick botocore check.
if command -v aws >/dev/null 2>&1 && [ "$(command -v aws)" != /usr/bin/aws ]; then
	aws_cli "$(aws --version 2>&1 | cut -d' ' -f1) via IMDS: mach's ARN" aws
fi

# --- imds_v1 = no ------------------------------------------------------------
cp "$C/v2.conf" "$C/afp.conf"
http "" "" "$LIST"
expect_eq "$H_CODE" 401 "imds_v1 = no: GET without token: 401"
http "" "" "$LIST" -H "X-aws-ec2-metadata-token: $TOKEN"
expect_eq "$H_CODE:$(cat "$T_TMP/h.body")" 200:mach "imds_v1 = no: with a token: 200 mach"
http "" "" "${LIST}mach" -H "X-aws-ec2-metadata-token: $TOKEN"
expect_eq "$H_CODE" 200 "imds_v1 = no: role document with a token: 200"
http "" "" "$LIST" -H "X-aws-ec2-metadata-token: $OTHER_TOKEN"
expect_eq "$H_CODE" 401 "a token minted for 10.9.9.9, used from 127.0.0.1: 401"
last=$(printf '%s' "$TOKEN" | tail -c 1)
case $last in 0) swap=1 ;; *) swap=0 ;; esac
http "" "" "$LIST" -H "X-aws-ec2-metadata-token: ${TOKEN%?}$swap"
expect_eq "$H_CODE" 401 "a tampered token: 401"
http "" "" "$LIST" -H "X-aws-ec2-metadata-token: $(( ${TOKEN%%.*} + 1 )).${TOKEN#*.}"
expect_eq "$H_CODE" 401 "a token with a later expiry: 401"
# A TTL 1 token is good only within the second it was minted in, too
# short to check under load; its expiry shows the TTL was applied.
before=$(date +%s)
http "" "" /latest/api/token -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 1'
after=$(date +%s)
SHORT=$(cat "$T_TMP/h.body")
check "a TTL 1 token expires a second after it was minted" \
    test "${SHORT%%.*}" -ge $((before + 1)) -a "${SHORT%%.*}" -le $((after + 1))
sleep 2
http "" "" "$LIST" -H "X-aws-ec2-metadata-token: $SHORT"
expect_eq "$H_CODE" 401 "a TTL 1 token two seconds later: 401"
check "the expiry is named" grep -q 'expired' "$T_TMP/h.body"

# Only the token flow works now: both SDKs use it by default.
sdk "imds_v1 = no: Debian boto3 via IMDS: mach's ARN" "iam-role $ARN" \
    /usr/bin/python3
sdk "imds_v1 = no: pip boto3 via IMDS: mach's ARN" "iam-role $ARN" "$PYTHON"

# Without imds.key there are no tokens, and a client that insists on them
# gets nothing.
mv "$CACHE/imds.key" "$T_TMP/imds.key.saved"
http "" "" /latest/api/token -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'
expect_eq "$H_CODE" 503 "PUT without imds.key: 503"
sdk "no imds.key, AWS_EC2_METADATA_V1_DISABLED: boto3 finds no credentials" \
    "no credentials" "$PYTHON" AWS_EC2_METADATA_V1_DISABLED=true
(umask 027 && printf '%s' 0123456789abcdef >"$CACHE/imds.key")
http "" "" /latest/api/token -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'
expect_eq "$H_CODE" 500 "imds.key of the wrong length: 500"
(umask 027 && head -c 64 /dev/zero | tr '\0' 'g' >"$CACHE/imds.key")
http "" "" /latest/api/token -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'
expect_eq "$H_CODE" 500 "imds.key not hex: 500"
mv "$T_TMP/imds.key.saved" "$CACHE/imds.key"
http "" "" "$LIST" -H "X-aws-ec2-metadata-token: $TOKEN"
expect_eq "$H_CODE" 200 "imds.key back: the old token works again"

# No cache entry yet: 503, as for people.
mv "$CACHE/prod/mach.json" "$T_TMP/mach.json.saved"
http "" "" "${LIST}mach" -H "X-aws-ec2-metadata-token: $TOKEN"
expect_eq "$H_CODE" 503 "role document without a cache entry: 503"
mv "$T_TMP/mach.json.saved" "$CACHE/prod/mach.json"

# --- the log -------------------------------------------------------------------
check "the CGI logged 127.0.0.1 on the listing" \
    grep -q "user=127.0.0.1 .*path=$LIST.*status=200" "$CGI_LOG"
expect_no_secret "$CGI_LOG" "$MACH_SECRET" "the CGI log holds no secret key"
expect_no_secret "$CGI_LOG" "${TOKEN#*.}" "the CGI log holds no IMDS token"
expect_no_secret "$T_TMP/cgi.err" "${OTHER_TOKEN#*.}" \
    "the directly run CGI's log holds no IMDS token"

t_done
