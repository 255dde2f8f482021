#!/bin/sh
# Container credentials with real clients: moto (AWS, signatures checked)
# -> afp-refresher -> afp.cgi under lighttpd with PAM (pam_wrapper) ->
# /account/{a}/{r}/container-credentials, read by boto3 (Debian's and the
# machine's own) and the AWS CLI v2 through
# AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN,
# which then call GetCallerIdentity on moto. A wrong password, no password
# and a role the user may not use make every client fail cleanly.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER" "$CGI"
need_cmd curl lighttpd base64
need_py boto3 moto
need_wrappers
# The AWS CLI v2 (Debian awscli); an aws on PATH may be another version.
AWS_CLI=/usr/bin/aws
DEB_PYTHON=/usr/bin/python3
need_file "$AWS_CLI" "$AWS_CLI (Debian awscli)"
need_file "$DEB_PYTHON" "$DEB_PYTHON"
case $("$AWS_CLI" --version 2>&1) in
aws-cli/2.*) ;;
*)
	not_ok "$AWS_CLI is not the AWS CLI v2"
	exit 1
	;;
esac
"$DEB_PYTHON" -c 'import boto3' 2>/dev/null || {
	not_ok "missing python3-boto3 for $DEB_PYTHON"
	exit 1
}

ACCT=123456789012
PW_ALICE='alice-Ctr-pw-4kQ'
PW_BOB='bob-Ctr-pw-8zR'
PW_WRONG='wrong-Ctr-pw-1xY'
ARN_ALICE=arn:aws:sts::$ACCT:assumed-role/admin/afp-alice

moto_prepare admin

afp_dirs
afp_conf afp.conf pam accounts.d
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/admin]
type         = assume_role
session_name = afp-{user}
allow_users  = alice
EOF

afp_users alice:"$PW_ALICE" bob:"$PW_BOB"

refresh_ok || t_done

serve_afp
FULL_URI=$AFP_URL/account/prod/admin/container-credentials
basic() {
	printf 'Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w0)"
}

# --- the endpoint with curl ---------------------------------------------------
http alice "$PW_ALICE" /account/prod/admin/credentials
cp "$T_TMP/h.body" "$T_TMP/creds.json"
http alice "$PW_ALICE" /account/prod/admin/container-credentials
cp "$T_TMP/h.body" "$T_TMP/ctr.json"
expect_eq "$H_CODE" 200 "container-credentials as alice: 200"
expect_eq "$(header Content-Type)" application/json "container-credentials is JSON"
expect_eq "$(header Cache-Control)" no-store "container-credentials carries Cache-Control: no-store"
expect_eq "$("$PYTHON" -c 'import json, sys
print(" ".join(sorted(json.load(open(sys.argv[1])))))' "$T_TMP/ctr.json" 2>/dev/null)" \
    "AccessKeyId Expiration SecretAccessKey Token" \
    "container-credentials has exactly AccessKeyId, SecretAccessKey, Token, Expiration"
C_SECRET=$(json_get "$T_TMP/ctr.json" SecretAccessKey)
C_TOKEN=$(json_get "$T_TMP/ctr.json" Token)
expect_eq_quiet "$(json_get "$T_TMP/ctr.json" AccessKeyId)" \
    "$(json_get "$T_TMP/creds.json" credentials.access_key)" \
    "AccessKeyId is the role's cached access key"
expect_eq_quiet "$C_SECRET" "$(json_get "$T_TMP/creds.json" credentials.secret_key)" \
    "SecretAccessKey is the role's cached secret key"
expect_eq_quiet "$C_TOKEN" "$(json_get "$T_TMP/creds.json" credentials.session_token)" \
    "Token is the role's cached session token"
exp=$(json_get "$T_TMP/ctr.json" Expiration)
expect_eq "$exp" "$(json_get "$T_TMP/creds.json" credentials.expiration)" \
    "Expiration is the role's cached expiration"
case $exp in
[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z)
	ok "Expiration is YYYY-MM-DDTHH:MM:SSZ" ;;
*)
	not_ok "Expiration is YYYY-MM-DDTHH:MM:SSZ"
	diag "got '$exp'" ;;
esac

# The header exactly as the SDKs send it from AWS_CONTAINER_AUTHORIZATION_TOKEN.
http "" "" /account/prod/admin/container-credentials \
    -H "Authorization: $(basic alice "$PW_ALICE")" -H 'Accept: application/json'
expect_eq "$H_CODE" 200 "the token format of AWS_CONTAINER_AUTHORIZATION_TOKEN: 200"
http "" "" /account/prod/admin/container-credentials
expect_eq "$H_CODE" 401 "container-credentials without credentials: 401"
expect_eq "$(header WWW-Authenticate)" 'Basic realm="afp"' "the 401 asks for Basic auth"
http alice "$PW_WRONG" /account/prod/admin/container-credentials
expect_eq "$H_CODE" 401 "container-credentials with a wrong password: 401"
if grep -q AccessKeyId "$T_TMP/h.body"; then
	not_ok "the 401 carries no credentials"
else
	ok "the 401 carries no credentials"
fi
http bob "$PW_BOB" /account/prod/admin/container-credentials
expect_eq "$H_CODE" 403 "container-credentials for a role bob may not use: 403"
http alice "$PW_ALICE" /account/prod/nosuch/container-credentials
expect_eq "$H_CODE" 403 "container-credentials for a role that does not exist: 403"
http alice "$PW_ALICE" /account/prod/admin/container-credentials -d ''

expect_eq "$H_CODE" 405 "POST container-credentials: 405"

# --- real clients ---------------------------------------------------------------
# Nothing but the container provider may supply credentials: no profile
# files (HOME too: the CLI looks under ~/.aws), no metadata service (lib.sh).
mkdir -p "$T_TMP/home"
client_env() {
	local _auth
	_auth=$(basic "$1" "$2")
	shift 2
	env HOME="$T_TMP/home" AWS_CONFIG_FILE="$T_TMP/home/no-config" \
	    AWS_SHARED_CREDENTIALS_FILE="$T_TMP/home/no-credentials" \
	    AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= \
	    AWS_CONTAINER_CREDENTIALS_FULL_URI="$FULL_URI" \
	    AWS_CONTAINER_AUTHORIZATION_TOKEN="$_auth" \
	    "$@"
}
# boto3 PYTHON USER PASSWORD: prints the credential provider's name and the
# caller's ARN; a botocore error prints "error: <class>: <text>" and exits 2,
# anything else (a traceback) exits 1.
BOTO='import sys
import boto3
from botocore.exceptions import BotoCoreError, ClientError
from botocore.config import Config
s = boto3.session.Session()
try:
    c = s.get_credentials()
    if c is None:
        print("error: no credentials")
        sys.exit(2)
    print(c.method)
    sts = s.client("sts", endpoint_url=sys.argv[1], config=Config(retries={"max_attempts": 1}))
    print(sts.get_caller_identity()["Arn"])
except (BotoCoreError, ClientError) as e:
    print("error: %s: %s" % (type(e).__name__, e))
    sys.exit(2)'
boto() {
	local _py="$1" _u="$2" _pw="$3"
	client_env "$_u" "$_pw" "$_py" -c "$BOTO" "$MOTO_URL" \
	    >"$T_TMP/client.out" 2>"$T_TMP/client.err"
	C_RC=$?
	cat "$T_TMP/client.out" "$T_TMP/client.err" >>"$T_TMP/clients.log"
}
aws_cli() {
	client_env "$1" "$2" "$AWS_CLI" sts get-caller-identity \
	    --endpoint-url "$MOTO_URL" --query Arn --output text \
	    >"$T_TMP/client.out" 2>"$T_TMP/client.err"
	C_RC=$?
	cat "$T_TMP/client.out" "$T_TMP/client.err" >>"$T_TMP/clients.log"
}
# refused WHAT STATUS: the client run just made failed cleanly with STATUS.
refused() {
	local _all
	_all=$(cat "$T_TMP/client.out" "$T_TMP/client.err")
	check "$1: exits non-zero" test "$C_RC" != 0
	case $_all in
	# botocore 1.29 says "response (401)", 1.43 "response 401".
	*"response ($2)"* | *"response $2 "*) ok "$1: the error names HTTP $2" ;;
	*)
		not_ok "$1: the error names HTTP $2"
		sed 's/^/# /' "$T_TMP/client.out" "$T_TMP/client.err" | tail -5 ;;
	esac
	case $_all in
	*Traceback*) not_ok "$1: no traceback" ;;
	*) ok "$1: no traceback" ;;
	esac
	case $_all in
	*arn:aws:*) not_ok "$1: no identity printed" ;;
	*) ok "$1: no identity printed" ;;
	esac
}

pyver() {
	"$1" -c 'import boto3, sys; print(sys.executable, "boto3", boto3.__version__)'
}
for py in "$DEB_PYTHON" "$PYTHON"; do
	diag "$(pyver "$py")"
	boto "$py" alice "$PW_ALICE"
	expect_eq "$(cat "$T_TMP/client.out")" "container-role
$ARN_ALICE" "boto3 ($py): credentials from container-role, caller is $ARN_ALICE"
	[ "$C_RC" = 0 ] || sed 's/^/# /' "$T_TMP/client.err" | tail -5
	boto "$py" alice "$PW_WRONG"
	case $(cat "$T_TMP/client.out") in
	"error: CredentialRetrievalError: "*) ok "boto3 ($py), wrong password: CredentialRetrievalError" ;;
	*) not_ok "boto3 ($py), wrong password: CredentialRetrievalError" ;;
	esac
	expect_eq "$C_RC" 2 "boto3 ($py), wrong password: a botocore error, nothing else"
	refused "boto3 ($py), wrong password" 401
done

diag "$("$AWS_CLI" --version 2>&1)"
aws_cli alice "$PW_ALICE"
expect_eq "$C_RC" 0 "aws sts get-caller-identity with container credentials exits 0"
expect_eq "$(cat "$T_TMP/client.out")" "$ARN_ALICE" "aws sts get-caller-identity prints $ARN_ALICE"
[ "$C_RC" = 0 ] || sed 's/^/# /' "$T_TMP/client.err" | tail -5
# The token from a file (newer botocore; not Debian 12's 1.29 nor
# the CLI's): it then stays out of the environment.
(umask 077 && basic alice "$PW_ALICE" >"$T_TMP/home/token")
if "$PYTHON" -c 'import sys, botocore.credentials as c
sys.exit(not hasattr(c.ContainerProvider, "ENV_VAR_AUTH_TOKEN_FILE"))'; then
	env HOME="$T_TMP/home" AWS_CONFIG_FILE="$T_TMP/home/no-config" \
	    AWS_SHARED_CREDENTIALS_FILE="$T_TMP/home/no-credentials" \
	    AWS_DEFAULT_REGION=us-east-1 \
	    AWS_CONTAINER_CREDENTIALS_FULL_URI="$FULL_URI" \
	    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T_TMP/home/token" \
	    "$PYTHON" -c "$BOTO" "$MOTO_URL" >"$T_TMP/client.out" 2>"$T_TMP/client.err"
	expect_eq "$(cat "$T_TMP/client.out")" "container-role
$ARN_ALICE" "boto3 ($PYTHON) with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
else
	diag "$PYTHON's botocore has no AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
fi

aws_cli alice "$PW_WRONG"
expect_eq "$C_RC" 255 "aws cli, wrong password: exit status 255"
refused "aws cli, wrong password" 401
aws_cli bob "$PW_BOB"
expect_eq "$C_RC" 255 "aws cli, role not allowed: exit status 255"
refused "aws cli, role not allowed" 403

# --- no secret in any log ---------------------------------------------------------
logs_free_of "$CGI_LOG $LIGHTTPD_LOG $T_TMP/clients.log $T_TMP/refresher.err" \
    "$C_SECRET" "no served secret key" "$C_TOKEN" "no served session token" \
    "$PW_ALICE" "no password of alice" "$PW_WRONG" "no wrong password"

t_done
