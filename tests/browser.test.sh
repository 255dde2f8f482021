#!/bin/sh
# The browser page: /account with Accept: text/html through lighttpd with
# PAM (pam_wrapper) over a cache this test writes itself, loaded in
# headless Chromium with the Basic credentials in the URL. The DOM must list
# exactly each user's roles with console links only for console roles, hold
# no secret, no script and nothing active; a screenshot must show a page.
# curl checks the headers, the Accept negotiation and the shell export
# format of the credentials link, whose quoting is checked by sh itself.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$CGI"
need_cmd chromium curl lighttpd timeout tr sh
need_py botocore
need_wrappers
CHECK="$PYTHON $T_DIR/browser_check.py"

PW_ALICE=alice-pw-Kq83
PW_BOB=bob-pw-x7Rm
PW_DAVE=dave-pw-Z2pw
# Allowed in user names; nothing to escape, but it must come out intact.
ODD=e.v@n+1=x
PW_ODD=odd-pw-4hQs

# --- configuration and cache ------------------------------------------------
afp_dirs
afp_conf afp.conf pam accounts.d
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = 123456789012

[account dev]
id = 210987654321

[role prod/admin]
session_name = afp-admin
allow_users  = alice $ODD
console      = yes

[role prod/read]
session_name = afp-read
allow_users  = alice bob

[role prod/secret]
session_name = afp-secret
allow_users  = carol
console      = yes

[role dev/deploy]
session_name = afp-deploy
allow_groups = ops
console      = yes
EOF

afp_users alice:"$PW_ALICE" bob:"$PW_BOB" carol dave:"$PW_DAVE" "$ODD:$PW_ODD"
nss_group ops 2000 bob

EXP=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
# The cache entries, with random secrets; prod/read's secret and token
# carry every character sh treats specially inside and outside quotes, the
# single quote first of all. Prints every secret and token, one a line,
# for the no-secret checks; read.want gets prod/read's values as the shell
# check prints them.
"$PYTHON" - "$CACHE" "$EXP" "$T_TMP/read.want" >"$T_TMP/secrets.list" <<'EOF' || {
import base64, json, os, sys
cache, exp, want = sys.argv[1:]
rnd = lambda: base64.b64encode(os.urandom(24)).decode().translate(
    str.maketrans("+/=", "xyz"))
for role in ("prod/admin", "prod/read", "prod/secret", "dev/deploy"):
    special = "'\"$`\\!;&|*?~#(){}[]<>%^" if role == "prod/read" else ""
    e = {"version": 1,
         "access_key_id": "ASIA" + rnd()[:16].upper(),
         "secret_access_key": "sec-" + special + rnd(),
         "session_token": "tok-" + rnd() + special + rnd(),
         "expiration": exp, "last_updated": exp,
         "identity": {"account": "123456789012",
                      "arn": "arn:aws:sts::123456789012:assumed-role/" + role,
                      "user_id": "AROA:" + role}}
    path = os.path.join(cache, role + ".json")
    os.makedirs(os.path.dirname(path), mode=0o750, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with open(fd, "w") as f:
        json.dump(e, f)
    print(e["secret_access_key"])
    print(e["session_token"])
    if role == "prod/read":
        with open(want, "w") as f:
            f.write("\n".join([e["access_key_id"], e["secret_access_key"],
                               e["session_token"], exp]))
EOF
	not_ok "writing the cache entries"
	exit 1
}

serve_afp
HOSTPORT=127.0.0.1:$LIGHTTPD_PORT
AFP_PATH=${AFP_URL#http://"$HOSTPORT"}

# --- curl: headers and negotiation ------------------------------------------
HTML_ACCEPT='text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'
http alice "$PW_ALICE" /account -H "Accept: $HTML_ACCEPT"
cp "$T_TMP/h.body" "$T_TMP/alice.html"
expect_eq "$H_CODE" 200 "browser Accept: 200"
expect_eq "$(header Content-Type)" "text/html; charset=utf-8" "browser Accept: text/html"
expect_eq "$(header X-Content-Type-Options)" nosniff "HTML page: nosniff"
expect_eq "$(header Cache-Control)" no-store "HTML page: no-store"
CSP=$(header Content-Security-Policy)
STYLE_HASH=$($CHECK style "$T_TMP/alice.html")
expect_eq "$CSP" "default-src 'none'; style-src 'sha256-$STYLE_HASH'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'" \
    "HTML page: strict CSP whose style hash matches the page's <style>"
check "HTML page: the CSP allows no script" \
    test -n "$CSP" -a "${CSP#*script-src}" = "$CSP"
expect_eq "$(head -c 15 "$T_TMP/alice.html")" "<!DOCTYPE html>" "HTML page starts with the HTML5 doctype"

# accept ACCEPT WANT-TYPE DESC
accept() {
	http alice "$PW_ALICE" /account -H "Accept: $1"
	expect_eq "$H_CODE $(header Content-Type)" "200 $2" "$3"
}
J=application/json
H="text/html; charset=utf-8"
accept '*/*' "$J" "Accept */* (curl): JSON"
accept 'TEXT/HTML' "$H" "Accept TEXT/HTML: HTML (case-insensitive)"
accept 'text/html;q=0, */*' "$J" "Accept text/html;q=0: JSON"
accept 'text/html ; q=0.000' "$J" "Accept text/html ; q=0.000: JSON"
accept 'text/html;q=0.001' "$H" "Accept text/html;q=0.001: HTML"
accept 'text/html;q=2' "$J" "Accept text/html;q=2 (malformed): JSON"
accept 'text/htmlx' "$J" "Accept text/htmlx: JSON"
accept 'text/*' "$J" "Accept text/* (no text/html named): JSON"
accept 'application/json, text/html' "$J" "Accept json and html at equal q: JSON"
accept 'application/json;q=0.5, text/html' "$H" "Accept html above json: HTML"
accept 'text/html;q=0.5, application/json;q=0.9' "$J" "Accept json above html: JSON"
http alice "$PW_ALICE" /account
expect_eq "$(header Content-Type)" "$J" "no Accept header: JSON"
expect_eq "$(json_norm "$T_TMP/h.body")" '{"prod":["admin","read"]}' \
    "JSON /account of alice: the roles her page lists"
http bob "$PW_BOB" /account
expect_eq "$(json_norm "$T_TMP/h.body")" '{"dev":["deploy"],"prod":["read"]}' \
    "JSON /account of bob: two accounts, the roles his page lists"
http "" "" /account -H "Accept: $HTML_ACCEPT"
expect_eq "$H_CODE $(header Content-Type)" "401 $J" "HTML page without credentials: 401 JSON"
http alice wrong-pw /account -H "Accept: $HTML_ACCEPT"
expect_eq "$H_CODE" 401 "HTML page with a wrong password: 401"
http alice "$PW_ALICE" /account -I -H "Accept: $HTML_ACCEPT"
expect_eq "$H_CODE $(header Content-Type)" "200 $H" "HEAD of the page: 200 text/html"
expect_eq "$(header Content-Length)" "$(wc -c <"$T_TMP/alice.html" | tr -d ' ')" \
    "HEAD of the page: the GET's Content-Length"

# --- Chromium ------------------------------------------------------------
# Chromium keeps helpers (zygote, GPU, network) running beside the browser;
# they all carry the profile directory, which is unique to this test.
PROFILE=$T_TMP/chromium
reap_chromium() {
	local _d
	for _d in /proc/[0-9]*; do
		case $(tr '\0' ' ' 2>/dev/null <"$_d/cmdline") in
		*"--user-data-dir=$PROFILE "*) kill -9 "${_d#/proc/}" 2>/dev/null ;;
		esac
	done
}
# Keeps the exit status for t_cleanup, which reads $?.
reap_all() {
	_status=$?
	reap_chromium
	return "$_status"
}
trap 'reap_all; t_cleanup' EXIT
# chrome ARG... URL: headless Chromium, bounded; its noise goes to a log.
chrome() {
	HOME=$T_TMP/home timeout -k 5 60 chromium --headless --no-sandbox \
	    --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --disable-breakpad --disable-extensions \
	    --password-store=basic --user-data-dir="$PROFILE" \
	    --window-size=1000,700 "$@" 2>>"$T_TMP/chromium.log"
	_chrome_rc=$?
	reap_chromium
	return "$_chrome_rc"
}
mkdir -p "$T_TMP/home"

# page NAME USER PASSWORD [ARG]: the DOM Chromium builds for /account,
# into NAME.dom. USER and PASSWORD must not need URL-encoding.
page() {
	chrome --dump-dom ${4:+"$4"} "http://$2:$3@$HOSTPORT$AFP_PATH/account" \
	    >"$T_TMP/$1.dom" || diag "chromium exited with $_chrome_rc"
}
# Chromium answers a 401 to URL credentials with a failed load, not a page.
refused() {
	grep -c 'user=alice .*path=/account status=401' "$CGI_LOG"
}
page alice alice "$PW_ALICE" --screenshot="$T_TMP/page.png"
page bob bob "$PW_BOB"
before=$(refused)
page wrong alice wrong-pw
after=$(refused)
# Two more users through curl: Chromium is slow, the parse is the same.
http dave "$PW_DAVE" /account -H "Accept: $HTML_ACCEPT"
cp "$T_TMP/h.body" "$T_TMP/dave.html"
http "$ODD" "$PW_ODD" /account -H "Accept: $HTML_ACCEPT"
cp "$T_TMP/h.body" "$T_TMP/odd.html"
$CHECK roles "$T_TMP/alice.dom" "$T_TMP/bob.dom" "$T_TMP/wrong.dom" \
    "$T_TMP/dave.html" "$T_TMP/odd.html" 2>>"$T_TMP/chromium.log"

A=account
expect_eq "$(cat "$T_TMP/alice.dom.roles")" "prod/admin console=$A/prod/admin/console creds=$A/prod/admin/credentials?format=shell
prod/read console=- creds=$A/prod/read/credentials?format=shell
user alice
active 0 handlers 0 styles 1" \
    "Chromium, alice: exactly prod/admin (console) and prod/read (no console)"
# Accounts come in the order of the JSON list (conf sorts them by name).
expect_eq "$(cat "$T_TMP/bob.dom.roles")" "dev/deploy console=$A/dev/deploy/console creds=$A/dev/deploy/credentials?format=shell
prod/read console=- creds=$A/prod/read/credentials?format=shell
user bob
active 0 handlers 0 styles 1" \
    "Chromium, bob: exactly prod/read and dev/deploy (console, through group ops)"
check "Chromium, wrong password: no role listed" \
    test "$(grep -c / "$T_TMP/wrong.dom.roles")" = 0
check "Chromium, wrong password: the CGI refused it with 401" \
    test "$after" -gt "$before"
expect_eq "$(cat "$T_TMP/dave.html.roles")" "user dave
active 0 handlers 0 styles 1" "page of dave: no role"
check "page of dave: it says there is no role" \
    grep -q "No role is available to you" "$T_TMP/dave.html"
expect_eq "$(cat "$T_TMP/odd.html.roles")" "prod/admin console=$A/prod/admin/console creds=$A/prod/admin/credentials?format=shell
user $ODD
active 0 handlers 0 styles 1" "page of $ODD: prod/admin, the name intact"
check "Chromium DOM of alice holds no <script>" \
    test -s "$T_TMP/alice.dom" -a "$(grep -ci '<script' "$T_TMP/alice.dom")" = 0
n=0
while IFS= read -r s; do
	for f in "$T_TMP"/*.dom "$T_TMP"/*.html; do
		grep -qF -- "$s" "$f" && n=$((n + 1))
	done
done <"$T_TMP/secrets.list"
expect_eq "$n" 0 "no secret key or session token in any page or DOM"

# shellcheck disable=SC2046
set -- $($CHECK png "$T_TMP/page.png" 2>>"$T_TMP/chromium.log")
expect_eq "${1:-} ${2:-}" "1000 700" "screenshot: a 1000x700 PNG"
check "screenshot: rendered text (many colours; a blank page has one)" \
    test "${3:-0}" -gt 50
check "screenshot: over 10 KB" test "$(wc -c <"$T_TMP/page.png" 2>/dev/null || echo 0)" -gt 10240
[ -z "${AFP_SCREENSHOT:-}" ] || cp "$T_TMP/page.png" "$AFP_SCREENSHOT"
if [ "$T_FAIL" -gt 0 ]; then
	diag "chromium log:"
	tail -n 20 "$T_TMP/chromium.log" | sed 's/^/# /'
fi

# --- the credentials link ---------------------------------------------------
# The page's own link, resolved against the page's URL as a browser does.
LINK=$(sed -n 's/^prod\/read .* creds=//p' "$T_TMP/alice.dom.roles")
http alice "$PW_ALICE" "/$LINK" -H "Accept: $HTML_ACCEPT"
cp "$T_TMP/h.body" "$T_TMP/read.sh"
expect_eq "$H_CODE $(header Content-Type)" "200 text/plain; charset=utf-8" \
    "credentials?format=shell: 200 text/plain"
expect_eq "$(sed -n 1p "$T_TMP/read.sh")" "# afp: prod/read for alice, expires $EXP" \
    "shell format: a comment line with the expiration"
# shellcheck disable=SC2016
got=$(env -i PATH="$PATH" sh -c '. "$1" || exit 1
printf "%s\n%s\n%s\n%s" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION"' \
    sh "$T_TMP/read.sh")
expect_eq_quiet "$got" "$(cat "$T_TMP/read.want")" \
    "shell format: sh reads back the exact key, secret and token (quotes, \$, \`, \\ and all)"
# botocore reads AWS_CREDENTIAL_EXPIRATION; a format it cannot parse would
# break every SDK and CLI user of these lines.
# shellcheck disable=SC2016
got=$(env -i PATH="$PATH" HOME="$T_TMP/home" PYTHON="$PYTHON" AWS_EC2_METADATA_DISABLED=true sh -c '. "$1" || exit 1
"$PYTHON" -c "import botocore.session
c = botocore.session.get_session().get_credentials()
print(c.method, c.get_frozen_credentials().access_key == \"$AWS_ACCESS_KEY_ID\")"' \
    sh "$T_TMP/read.sh" 2>>"$T_TMP/botocore.err")
expect_eq "$got" "env True" "shell format: botocore takes the exported credentials and expiration"
check "shell format: the secret under test holds a single quote" \
    grep -q "sec-'" "$CACHE/prod/read.json"
# 'a'\''b': quoted runs joined by escaped quotes, nothing unquoted.
pat="^export AWS_[A-Z_]+='[^']*'(\\\\''[^']*')*\$"
expect_eq "$(grep -cE "$pat" "$T_TMP/read.sh") $(wc -l <"$T_TMP/read.sh")" "4 5" \
    "shell format: the comment and four export NAME='...' lines"

http alice "$PW_ALICE" '/account/prod/read/credentials?format=json'
expect_eq "$H_CODE $(header Content-Type)" "200 $J" "format=json: JSON"
http alice "$PW_ALICE" '/account/prod/read/credentials'
expect_eq "$H_CODE $(header Content-Type)" "200 $J" "no format: JSON"
http alice "$PW_ALICE" '/account/prod/read/credentials?format=xml'
expect_eq "$H_CODE" 400 "format=xml: 400"
http alice "$PW_ALICE" '/account/prod/read/credentials?format=shell&format=shell'
expect_eq "$H_CODE" 400 "format given twice: 400"
http alice "$PW_ALICE" '/account/prod/read/credentials?format=sh%ZZ'
expect_eq "$H_CODE" 400 "malformed query: 400"
http alice "$PW_ALICE" '/account/dev/deploy/credentials?format=shell'
expect_eq "$H_CODE $(header Content-Type)" "403 $J" "shell format of a role alice may not use: 403 JSON"
check "the 403 holds no export line" test "$(grep -c export "$T_TMP/h.body")" = 0

# --- no secret in the logs --------------------------------------------------
n=0
while IFS= read -r s; do
	for f in "$CGI_LOG" "$LIGHTTPD_LOG"; do
		grep -qF -- "$s" "$f" && n=$((n + 1))
	done
done <"$T_TMP/secrets.list"
expect_eq "$n" 0 "no served secret or token in the CGI or server log"
check "the CGI log is not empty (the check above looked at something)" \
    test -s "$CGI_LOG"

t_done
