#!/bin/sh
# Hostile requests to afp.cgi (issue 5). Part 1 is a table of requests an
# attacker or a broken client can send: path traversal in every spelling,
# NUL bytes, overlong paths, queries and headers, duplicate and empty query
# keys, CR/LF and foreign schemes in callbackurl, broken Authorization
# headers, non-UTF-8 names, UTF-8 passwords, odd methods, missing CGI
# variables, foreign Hosts, hostile metadata tokens and TTLs, ECR regions
# and ?format= values. The CGI runs directly under env -i, so the test
# controls every variable it sees, and each answer is checked for its
# status, a clean exit, a well-formed CGI header block and the absence of
# every secret of the test (cache entries, PAM passwords, Basic headers,
# imds.key) on stdout and stderr. A subset goes through lighttpd to show
# what the web server does first. Part 2 is the authorization matrix:
# every user (groups, primary groups, group_pattern, names differing only
# in case) on every role of two accounts and some that do not exist, on
# every role endpoint; 200 exactly where the grants below say so, 403
# everywhere else, and /account lists exactly the granted roles. No AWS:
# the test writes the cache itself.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$CGI"
need_cmd curl lighttpd base64 date head od awk
need_wrappers

# --- users, groups, passwords -----------------------------------------------
# Distinct passwords, one of them UTF-8 (NFC), so no check matches by chance.
PW_ALICE='alice-Hst-pw-4Kq9'
PW_BOB='bob-Hst-pw-8Lm2'
PW_CAROL='carol-Hst-pw-1Zx7'
PW_DAVE='dave-Hst-pw-5Rt3'
PW_ERIN='erin-Hst-pw-6Yu0'
PW_FRANK='frank-Hst-pw-2Wq8'
PW_GINA='gina-Hst-pw-9Pl4'
PW_UMA='Pässwörd-ключ-🔑-Hst3'
PW_BOBC='Bob-Hst-pw-3Jh6'

afp_dirs
afp_users alice:"$PW_ALICE" bob:"$PW_BOB" carol:"$PW_CAROL" dave:"$PW_DAVE" \
    erin:"$PW_ERIN" uma:"$PW_UMA" Bob:"$PW_BOBC"
# frank and gina belong to their groups only through their primary group:
# no group file lists them as members.
printf '%s\n' 'frank:x:1020:2001::/nonexistent:/bin/false' \
    'gina:x:1021:2006::/nonexistent:/bin/false' >>"$T_TMP/nss/passwd"
pam_user frank "$PW_FRANK" afp
pam_user gina "$PW_GINA" afp
nss_group ops 2001 carol
nss_group auditors 2002 dave
nss_group aws-dev-deploy 2003 dave,erin
nss_group aws-prod-admin 2004 bob
nss_group aws-prod-nosuch 2005 erin
nss_group aws-prod-read 2006 ''
nss_group aws-dev-ops 2007 Bob
# Not "ops": group names are compared exactly.
nss_group Ops 2008 erin,gina

# --- configuration ------------------------------------------------------------
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = 111111111111

[account dev]
id = 222222222222

[role prod/admin]
session_name  = afp-admin
allow_users   = alice
console       = yes
ecr_regions   = us-east-1

[role prod/read]
allow_users   = alice bob
allow_groups  = ops
console       = yes
ecr_regions   = us-east-1

[role prod/audit]
allow_users   = uma
allow_groups  = auditors
console       = yes
ecr_regions   = us-east-1

[role prod/ci]
session_name  = afp-ci
machines      = 127.0.0.9
console       = yes
ecr_regions   = us-east-1

[role dev/deploy]
session_name  = afp-deploy
console       = yes
ecr_regions   = us-east-1

[role dev/debug]
allow_users   = erin
console       = yes
ecr_regions   = us-east-1

[role dev/ops]
allow_groups  = ops
console       = yes
ecr_regions   = us-east-1
EOF
PATTERN='group_pattern = aws-{account}-{role}'
afp_conf ru.conf remote_user accounts.d "$PATTERN"
afp_conf pam.conf pam accounts.d "$PATTERN" \
    'callback_allow = https://intranet.example.com/ http://127.0.0.1'
afp_conf hosts.conf remote_user accounts.d "$PATTERN" \
    'allowed_hosts = afp.example.com 127.0.0.1'

# What the configuration grants, written out by hand: the matrix compares
# every answer with this list, never with what the code computes. alice:
# allow_users. bob: allow_users, and aws-prod-admin (group_pattern).
# carol: member of ops. dave: auditors, aws-dev-deploy. erin:
# aws-dev-deploy, allow_users; aws-prod-nosuch and Ops give nothing. frank:
# primary group ops. gina: primary group aws-prod-read (group_pattern).
# uma: allow_users. Bob: aws-dev-ops, none of bob's roles. Alice and zed:
# unknown to NSS. prod/ci: machines only.
GRANTS='alice:prod/admin alice:prod/read
bob:prod/admin bob:prod/read
carol:prod/read carol:dev/ops
dave:prod/audit dave:dev/deploy
erin:dev/deploy erin:dev/debug
frank:prod/read frank:dev/ops
gina:prod/read
uma:prod/audit
Bob:dev/ops'
MX_USERS='alice bob carol dave erin frank gina uma Bob Alice zed'
MX_ROLES='prod/admin prod/read prod/audit prod/ci dev/deploy dev/debug dev/ops
prod/nosuch dev/admin nosuch/admin'
PER_USER='prod/read prod/audit dev/debug dev/ops'
# /account for each user, in the CGI's order (accounts, then roles, by name).
want_accounts() {
	case $1 in
	alice | bob) echo '{"prod":["admin","read"]}' ;;
	carol | frank) echo '{"dev":["ops"],"prod":["read"]}' ;;
	dave) echo '{"dev":["deploy"],"prod":["audit"]}' ;;
	erin) echo '{"dev":["debug","deploy"]}' ;;
	gina) echo '{"prod":["read"]}' ;;
	uma) echo '{"prod":["audit"]}' ;;
	Bob) echo '{"dev":["ops"]}' ;;
	*) echo '{}' ;;
	esac
}

# --- the cache ----------------------------------------------------------------
SEC=$T_TMP/sec
mkdir -p "$SEC"
# secret TAG VALUE: remember a secret; TAG "-" for those that no answer
# may ever contain, else the cache entry that holds it.
secret() {
	printf '%s\t%s\n' "$1" "$2" >>"$SEC/list"
}
# entries TAG...: cache entries at $CACHE/TAG.json as the refresher writes
# them (lib/cache.c), 0640, valid for an hour, with a console sign-in
# token and an ECR token for us-east-1. Every secret and the identity of
# an entry start with the entry's random marker (listed first in
# $SEC/list), so any part of any entry shows up in a search for it.
entries() {
	"$PYTHON" - "$CACHE" "$@" >>"$SEC/list" <<'PY'
import base64, datetime, json, os, secrets, sys

cache = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
fut = iso(now + datetime.timedelta(hours=1))
rnd = lambda: secrets.token_hex(16)
os.umask(0o027)
for tag in sys.argv[2:]:
    m = "M" + rnd()[:14]
    sk, st, si, ep = ("%s-%s-%s" % (k, m, rnd()) for k in ("sk", "st", "si", "ep"))
    et = base64.b64encode(("AWS:" + ep).encode()).decode()
    e = {"version": 1, "access_key_id": "ASIA" + rnd()[:12].upper(),
         "secret_access_key": sk, "session_token": st, "expiration": fut,
         "last_updated": iso(now),
         "identity": {"account": "111111111111",
                      "arn": "arn:aws:sts::111111111111:assumed-role/" + m,
                      "user_id": "AROA:" + m},
         "signin_token": si, "signin_expires": fut,
         "ecr": {"us-east-1": {"token": et, "expires": fut,
                 "endpoint": "https://111111111111.dkr.ecr.us-east-1.amazonaws.com"}}}
    path = os.path.join(cache, tag + ".json")
    os.makedirs(os.path.dirname(path), 0o750, exist_ok=True)
    with open(path, "w") as f:
        json.dump(e, f, separators=(",", ":"))
    os.chmod(path, 0o640)
    for s in (m, sk, st, si, ep, et):
        print("%s\t%s" % (tag, s))
PY
}
# Shared entries of per-user roles, and entries of roles that do not
# exist, must never be served: they are there to be leaked if anything is.
TAGS=
for r in $MX_ROLES; do
	TAGS="$TAGS $r"
	case " $PER_USER " in
	*" $r "*)
		for u in $MX_USERS; do
			TAGS="$TAGS $r/$u"
		done
		;;
	esac
done
# shellcheck disable=SC2086
entries $TAGS || {
	not_ok "cannot write the cache entries"
	exit 1
}
printf '%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    >"$CACHE/imds.key"
chmod 0640 "$CACHE/imds.key"
secret - "$(cat "$CACHE/imds.key")"
E=$(date +%s)
printf '{"version":1,"ok":true,"start":%s,"end":%s,"entries":1,"refreshed":1,"failed":0,"errors":[]}\n' \
    "$((E - 3))" "$E" >"$CACHE/status.json"
chmod 0640 "$CACHE/status.json"

b64() {
	printf '%s' "$1" | base64 -w0
}
B_ALICE=$(b64 "alice:$PW_ALICE")
for pw in "$PW_ALICE" "$PW_BOB" "$PW_CAROL" "$PW_DAVE" "$PW_ERIN" \
    "$PW_FRANK" "$PW_GINA" "$PW_UMA" "$PW_BOBC" "$B_ALICE" \
    "$(b64 "uma:$PW_UMA")" "$(b64 "bob:$PW_BOB")"; do
	secret - "$pw"
done
# For grep -f: every secret, and every one but those of prod/admin.
cut -f2 "$SEC/list" >"$SEC/all"
awk -F '\t' '$1 != "prod/admin" { print $2 }' "$SEC/list" >"$SEC/not-admin"
# shellcheck disable=SC2086
diag "$(wc -l <"$SEC/all") secrets of $(echo $TAGS | wc -w) cache entries and the users"

# rep CHAR N: CHAR N times.
rep() {
	head -c "$2" /dev/zero | tr '\0' "$1"
}
K64=$(rep a 65536)
K10=$(rep b 10240)
CB=https://intranet.example.com/aws
FF=$(printf '\377')
NL='
'
CR=$(printf '\r')

# --- running the CGI ------------------------------------------------------------
# Requests are queued as records and run in one batch by the checker below,
# which starts the CGI itself with exactly the environment the record
# names (as env -i would: nothing is inherited) and checks every answer.
# Starting one process per request keeps the ~900 requests fast enough.
RECS=$T_TMP/records
: >"$RECS"
# rec KIND WANT ALLOW WANT_BODY GRANTED CONF METHOD URI DESC [ITEM...]:
# queue one request. KIND: t (a row of the table, reported), mx (a matrix
# request, reported when wrong), acct (/account of the matrix, WANT_BODY
# exact). ALLOW: the entry tag whose secrets the answer may hold, and must
# show ("-": none). GRANTED: y/n for matrix requests, - for the table.
# CONF: ru or hosts (remote_user, REMOTE_USER=alice by default) or pam
# (Basic alice by default). URI: path and query under SCRIPT_NAME. ITEMs:
# NAME=VALUE adds or replaces a variable, -NAME leaves one out.
rec() {
	printf '%s\000' "$@" >>"$RECS"
	printf '\036\000' >>"$RECS"
}
# t WANT CONF ALLOW METHOD URI DESC [ITEM...]: one row of the table.
t() {
	local _w=$1 _conf=$2 _allow=$3 _m=$4 _uri=$5 _d=$6
	shift 6
	rec t "$_w" "$_allow" - - "$_conf" "$_m" "$_uri" "$_d" "$@"
}

# run_checker: run every queued request and check its answer; the
# checker prints ok/not ok lines, diagnostics, and "@stat NAME VALUE"
# lines, which set the shell variable NAME.
run_checker() {
	local _line _n _v
	# shellcheck disable=SC2086
	"$PYTHON" - "$CGI" "$RECS" "$SEC" "$C" "$T_TMP/all.err" "$B_ALICE" \
	    $WRAP_ENV \
	    >"$T_TMP/checker.out" 2>&1 <<'PY'
import json, os, re, subprocess, sys, urllib.parse

cgi, recs, sec, cdir, allerr = sys.argv[1:6]
ALICE = os.fsencode(sys.argv[6])
wrap = [os.fsencode(w).split(b"=", 1) for w in sys.argv[7:]]
HEADER = re.compile(rb"(Status|Content-Type|Content-Length|Cache-Control|"
                    rb"X-Content-Type-Options|WWW-Authenticate|Allow|Location|"
                    rb"Content-Security-Policy|"
                    rb"X-Aws-Ec2-Metadata-Token-Ttl-Seconds): [ -~]*")
SANITIZER = re.compile(rb"Sanitizer|runtime error:")

secrets = []
for line in open(os.path.join(sec, "list"), "rb"):
    tag, s = line.rstrip(b"\n").split(b"\t", 1)
    secrets.append((tag.decode(), s))
markers = {}
for tag, s in secrets:
    markers.setdefault(tag, s)      # entry() lists the marker first

stats = dict.fromkeys(["N_CASES", "N_FAILED", "L_LEAKS", "MX_RUNS",
                       "MX_ESC", "MX_DENIED", "MX_OTHER"], 0)
errlog = open(allerr, "ab")


def say(line):
    print(line, flush=True)


def run(conf, method, uri, items, leaks=True):
    path, _, query = uri.partition(b"?")
    env = dict(wrap)
    if not leaks:
        # LeakSanitizer's exit scan is most of an ASan run's cost; the
        # table already runs every endpoint with it.
        env[b"ASAN_OPTIONS"] = env.get(b"ASAN_OPTIONS", b"") + b":detect_leaks=0"
    env.update({
        b"AFP_CONFIG": os.fsencode(os.path.join(cdir, conf + ".conf")),
        b"GATEWAY_INTERFACE": b"CGI/1.1",
        b"REQUEST_METHOD": method,
        b"SERVER_PROTOCOL": b"HTTP/1.1",
        b"SERVER_NAME": b"127.0.0.1",
        b"SERVER_PORT": b"80",
        b"SCRIPT_NAME": b"/cgi-bin/afp.cgi",
        # What a server puts there: decoded, cut at a NUL.
        b"PATH_INFO": urllib.parse.unquote_to_bytes(path).split(b"\0")[0],
        b"QUERY_STRING": query,
        b"REMOTE_ADDR": b"127.0.0.9",
        b"HTTP_HOST": b"127.0.0.1",
        b"REQUEST_URI": b"/cgi-bin/afp.cgi" + uri,
    })
    if conf == "pam":
        env[b"HTTP_AUTHORIZATION"] = b"Basic " + ALICE
    else:
        env[b"REMOTE_USER"] = b"alice"
    for it in items:
        if it.startswith(b"-"):
            env.pop(it[1:], None)
        else:
            k, v = it.split(b"=", 1)
            env[k] = v
    try:
        p = subprocess.run([cgi], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return None, b"", b"timeout"
    errlog.write(p.stderr)
    return p.returncode, p.stdout, p.stderr


def problems(want, allow, head, rc, out, err):
    """What is wrong with an answer; the status it carries."""
    pr, status, body = [], None, b""
    if rc is None:
        return ["no answer within 30 s"], None, b""
    if rc < 0:
        pr.append("killed by signal %d" % -rc)
    elif rc != 0:
        pr.append("exit status %d" % rc)
    if SANITIZER.search(err):
        pr.append("sanitizer report")
    end = out.find(b"\r\n\r\n")
    if end < 0:
        pr.append("no end of the header block")
    else:
        lines, body = out[:end].split(b"\r\n"), out[end + 4:]
        m = re.fullmatch(rb"Status: (\d{3}) [ -~]+", lines[0])
        status = int(m.group(1)) if m else None
        bad = [h for h in lines if not HEADER.fullmatch(h)]
        if bad:
            pr.append("foreign or malformed header %r" % bad[0][:60])
        cl = [h[16:] for h in lines if h.startswith(b"Content-Length: ")]
        if len(cl) != 1 or (not head and cl[0] != b"%d" % len(body)):
            pr.append("Content-Length %r for %d bytes" % (cl, len(body)))
        if head and body:
            pr.append("HEAD answer with a body")
        if b"Cache-Control: no-store" not in lines:
            pr.append("no Cache-Control: no-store")
    if status != want:
        pr.append("status %s, want %d" % (status, want))
    if want >= 400 and not head:
        try:
            d = json.loads(body)
            assert sorted(d) == ["message", "status"]
            assert d["status"] == str(want) and d["message"]
        except Exception:
            pr.append("not a JSON error body")
    if any(s in out for tag, s in secrets if tag != allow):
        pr.append("SECRET LEAK on stdout")
    if any(s in err for tag, s in secrets):
        pr.append("SECRET LEAK on stderr")
    if allow != "-" and not head and markers[allow] not in out:
        pr.append("not the answer of entry %s" % allow)
    return pr, status, body


def show(out, err):
    """The start of a wrong answer, every secret of the test masked."""
    for part, data in (("out", out), ("err", err)):
        for tag, s in secrets:
            data = data.replace(s, b"<secret of %s>" % tag.encode())
        data = data[:400]
        for line in data.decode("utf-8", "replace").splitlines():
            say("# %s: %s" % (part, line))


def account_roles(body):
    try:
        return {(a, r) for a, rs in json.loads(body).items() for r in rs}
    except Exception:
        return None


fields = open(recs, "rb").read().split(b"\0")
i = 0
while i < len(fields) - 1:
    j = fields.index(b"\x1e", i)
    f, i = fields[i:j], j + 1
    kind, want, allow, wbody, granted = (x.decode() for x in f[:5])
    conf, method, uri, desc, items = f[5].decode(), f[6], f[7], f[8], f[9:]
    desc = desc.decode("utf-8", "replace")
    want = int(want)
    rc, out, err = run(conf, method, uri, items, kind == "t")
    pr, status, body = problems(want, allow, method == b"HEAD", rc, out, err)
    leak = any("LEAK" in p for p in pr)
    if kind == "t":
        stats["N_CASES"] += 1
        stats["L_LEAKS"] += leak
        if pr:
            stats["N_FAILED"] += 1
            say("not ok - hostile %d: %s: %s" % (stats["N_CASES"], desc,
                                                 "; ".join(pr)))
            show(out, err)
        else:
            say("ok - hostile %d: %s: %d" % (stats["N_CASES"], desc, want))
        continue
    stats["MX_RUNS"] += 1
    extra = set()
    if kind == "acct" and status == 200:
        got, exp = account_roles(body), account_roles(wbody.encode())
        if got is None:
            pr.append("not JSON")
        else:
            extra = got - exp
            if got != exp or json.loads(body) != json.loads(wbody):
                pr.append("lists %s, want %s" % (body.decode(), wbody))
            if exp - got:
                stats["MX_DENIED"] += 1
    if leak or extra or (granted == "n" and status in (200, 302)):
        stats["MX_ESC"] += max(1, len(extra))
    elif granted == "y" and status in (401, 403):
        stats["MX_DENIED"] += 1
    elif pr and kind != "acct":
        stats["MX_OTHER"] += 1
    if pr:
        say("not ok - matrix: %s: %s" % (desc, "; ".join(pr)))
        show(out, err)
    elif kind == "acct":
        say("ok - matrix: %s: %s" % (desc, wbody))
# Only the counters of this batch's kinds: a later batch must not reset
# an earlier one's.
for k, v in stats.items():
    if (k.startswith("MX_") and stats["MX_RUNS"]) or \
            (not k.startswith("MX_") and stats["N_CASES"]):
        say("@stat %s %d" % (k, v))
PY
	while IFS= read -r _line; do
		case $_line in
		"ok - "*) ok "${_line#ok - }" ;;
		"not ok - "*) not_ok "${_line#not ok - }" ;;
		"@stat "*)
			_n=${_line#@stat }
			_v=${_n#* }
			_n=${_n%% *}
			case $_n in
			N_CASES | N_FAILED | L_LEAKS | MX_RUNS | MX_ESC | MX_DENIED | MX_OTHER)
				eval "$_n=\$_v"
				;;
			esac
			;;
		*) echo "$_line" ;;
		esac
	done <"$T_TMP/checker.out"
	: >"$RECS"
}

# --- part 1: the table ----------------------------------------------------------
# WANT CONF ALLOW METHOD URI DESCRIPTION [-NAME...] [NAME=VALUE...]
# ru: remote_user as alice; pam: Basic alice; hosts: allowed_hosts set.
# alice may use prod/admin and prod/read, not dev/deploy.

# Positive controls: the same requests, well formed, are answered.
t 200 ru prod/admin GET /account/prod/admin 'control: remote_user alice on prod/admin'
t 200 pam prod/admin GET /account/prod/admin/credentials 'control: Basic alice on prod/admin'
t 403 ru - GET /account/dev/deploy 'control: alice on dev/deploy'

# Path traversal in every spelling.
t 400 ru - GET '/account/prod/../dev/deploy' 'traversal ..'
t 400 ru - GET '/account/dev/deploy/..' 'traversal trailing ..'
t 400 ru - GET '/account/prod/%2e%2e/dev/deploy' 'traversal %2e%2e'
t 400 ru - GET '/account/prod/%2E%2e/dev/deploy' 'traversal %2E%2e'
t 400 ru - GET '/account/prod/.%2e/dev/deploy' 'traversal .%2e'
t 400 ru - GET '/account/prod/%2e./dev/deploy' 'traversal %2e.'
t 400 ru - GET '/account/prod/%2e' 'single %2e segment'
t 400 ru - GET '/account/prod%2fadmin' 'encoded slash %2f'
t 400 ru - GET '/account/prod%2Fadmin/credentials' 'encoded slash %2F'
t 400 ru - GET '/account/%2e%2e%2f%2e%2e%2fetc%2fpasswd/x' 'encoded ../../etc/passwd'
t 400 ru - GET '/account/prod/%252e%252e/dev/deploy' 'double-encoded %252e%252e'
t 400 ru - GET '/account/prod%252fadmin' 'double-encoded %252f'
t 400 ru - GET '/account/prod\admin' 'raw backslash'
t 400 ru - GET '/account/prod/..\..\dev\deploy' 'raw ..\..\'
t 400 ru - GET '/account/prod%5cadmin' 'backslash %5c'
t 400 ru - GET '/account/prod/%5C..%5Cadmin' 'backslash %5C..%5C'
t 400 ru - GET '/account/prod/./admin' '/./ segment'
t 400 ru - GET '/account//prod/admin' '// in the path'
t 400 ru - GET '//account/prod/admin' 'leading //'
t 404 ru - GET '/account/prod/admin/' 'trailing slash'
t 400 ru - GET '/account/prod/%2e%2e%2f%2e%2e%2fstatus.json' '%2e%2e%2f to the cache root'
t 403 ru - GET '/account/prod/admin%2ejson' 'admin%2ejson: the role admin.json, which does not exist'
t 400 ru - GET '/account/prod/%C0%AE%C0%AE' 'overlong UTF-8 dots %C0%AE'
t 400 ru - GET '/account/pr%6fd/adm%69n%' 'trailing lone %'
t 400 ru - GET '/account/prod/ad%zzmin' 'bad percent-escape %zz'

# NUL bytes (the environment cannot carry a raw NUL; encoded ones can).
t 400 ru - GET '/account/prod/admin%00' '%00 at the end of the path'
t 400 ru - GET '/account/prod/admin%00/../../dev/deploy' '%00 then traversal'
t 400 ru - GET '/account/prod/admin?callbackurl=https://intranet.example.com/%00' '%00 in callbackurl'
t 400 ru - GET '/account/prod/admin/credentials?format=shell%00' '%00 in ?format='
t 400 ru - GET '/account/prod/admin/ecr/credentials?region=us-east-1%00' '%00 in ?region='
t 401 pam - GET /account "NUL inside the Basic user" \
    HTTP_AUTHORIZATION="Basic $(printf 'alice\000x:%s' "$PW_ALICE" | base64 -w0)"
t 401 pam - GET /account "NUL inside the Basic password" \
    HTTP_AUTHORIZATION="Basic $(printf 'alice:%s\000' "$PW_ALICE" | base64 -w0)"

# Overlong path, query and headers.
t 414 ru - GET "/account/$K64" '64 KiB path'
t 414 ru - GET "/account/$K64" '64 KiB PATH_INFO without REQUEST_URI' -REQUEST_URI
t 400 ru - GET "/account/prod/admin?callbackurl=$CB&x=$K64" '64 KiB query on a role'
t 400 ru - GET "/account/prod/admin/credentials?format=json&x=$K64" '64 KiB query with ?format='
t 200 ru - GET "/account?x=$K64" '64 KiB query on /account (ignored)'
t 401 pam - GET /account '10 KiB Authorization' HTTP_AUTHORIZATION="Basic $K10"
t 200 ru - GET /account '10 KiB Host' HTTP_HOST="$K10"
t 400 ru - GET /account/prod/admin/consoleurl '10 KiB Host on /consoleurl (no own URL)' \
    HTTP_HOST="$K10"
t 403 hosts - GET /account '10 KiB Host with allowed_hosts' HTTP_HOST="$K10"
t 200 ru - GET /account '64 KiB Accept' HTTP_ACCEPT="$K64"
t 200 ru - GET /account '64 KiB Accept of text/html;q=0.x' \
    HTTP_ACCEPT="$(rep , 60000)text/html;q=0.$(rep 9 4000)"
t 401 ru - GET /account '10 KiB REMOTE_USER' REMOTE_USER="$K10"

# Duplicate and empty query keys.
t 400 ru - GET "/account/prod/admin?callbackurl=$CB&callbackurl=https://intranet.example.com/b" 'callbackurl twice'
t 400 ru - GET '/account/prod/admin?=x' 'empty key ?=x'
t 400 ru - GET '/account/prod/admin?&&' 'empty pairs ?&&'
t 400 ru - GET '/account/prod/admin?callbackurl' 'callbackurl without ='
t 400 ru - GET '/account/prod/admin?callbackurl=' 'empty callbackurl'
t 400 ru - GET '/account/prod/admin/ecr/credentials?region=' 'empty ?region='
t 400 ru - GET '/account/prod/admin/ecr/credentials?region=us-east-1&region=us-east-1' 'region twice'
t 400 ru - GET '/account/prod/admin/ecr/credentials' 'no region'
t 400 ru - GET '/account/prod/admin/credentials?format=shell&format=json' 'format twice'
t 400 ru - GET '/account/prod/admin?x=%zz' 'one malformed pair spoils the query'

# CR/LF in callbackurl: no header may be injected.
t 400 ru - GET "/account/prod/admin/console?callbackurl=$CB%0d%0aSet-Cookie:%20afp=1" 'callbackurl %0d%0a Set-Cookie'
t 400 ru - GET "/account/prod/admin/console?callbackurl=$CB%0aLocation:%20https://evil.example.com/" 'callbackurl %0a Location'
t 400 ru - GET "/account/prod/admin/consoleurl?callbackurl=$CB%0d" 'callbackurl %0d'
t 400 ru - GET "/account/prod/admin/console?callbackurl=$CB${CR}${NL}X-Injected:%201" 'raw CR LF in QUERY_STRING'
t 400 ru - GET "/account/prod/admin/console?callbackurl=$CB%E2%80%A8x" 'callbackurl U+2028'

# Schemes in callbackurl.
t 400 ru - GET '/account/prod/admin/console?callbackurl=javascript:alert(1)' 'javascript:'
t 400 ru - GET '/account/prod/admin/console?callbackurl=JavaScript%3Aalert%281%29' 'JavaScript: encoded'
t 400 ru - GET '/account/prod/admin/console?callbackurl=+javascript:alert(1)' 'space then javascript:'
t 400 ru - GET '/account/prod/admin/console?callbackurl=data:text/html,%3Cscript%3Ealert(1)%3C/script%3E' 'data:'
t 400 ru - GET '/account/prod/admin/console?callbackurl=file:///etc/passwd' 'file:'
t 400 ru - GET '/account/prod/admin/console?callbackurl=ftp://evil.example.com/' 'ftp:'
t 400 ru - GET '/account/prod/admin/console?callbackurl=vbscript:msgbox(1)' 'vbscript:'
t 400 ru - GET '/account/prod/admin/console?callbackurl=//evil.example.com/' 'scheme-relative //evil'
t 400 ru - GET '/account/prod/admin/console?callbackurl=https:/evil.example.com/' 'https:/ one slash'
t 400 ru - GET '/account/prod/admin/console?callbackurl=HTTPS://evil.example.com/' 'upper-case scheme'
t 400 ru - GET '/account/prod/admin/console?callbackurl=https://intranet.example.com@evil.example.com/' 'user info'
t 400 ru - GET '/account/prod/admin/console?callbackurl=https://evil.example.com\@intranet.example.com/' 'backslash before @'
t 400 ru - GET '/account/prod/admin/console?callbackurl=https://evil.example.com/%2e%2e/x' 'dot segment %2e%2e'
t 400 ru - GET '/account/prod/admin/console?callbackurl=http://[::1]:99999/' 'port 99999'
t 400 ru - GET "/account/prod/admin/console?callbackurl=https://e.example.com/$(rep a 2100)" 'callbackurl over 2048 bytes'
t 400 pam - GET '/account/prod/admin/console?callbackurl=https://intranet.example.com.evil.example.com/' 'callback_allow prefix without boundary'
t 400 pam - GET '/account/prod/admin/console?callbackurl=http://127.0.0.1.evil.example.com/' 'callback_allow host prefix'
t 302 pam prod/admin GET "/account/prod/admin/console?callbackurl=$CB" 'control: allowed callbackurl redirects'

# Authorization headers (auth = pam).
t 401 pam - GET /account 'no Authorization' -HTTP_AUTHORIZATION
t 401 pam - GET /account 'Basic with bad base64' HTTP_AUTHORIZATION='Basic !!!notbase64!!'
t 401 pam - GET /account 'Basic without a colon' HTTP_AUTHORIZATION="Basic $(b64 alice)"
t 401 pam - GET /account 'Basic with an empty user' HTTP_AUTHORIZATION="Basic $(b64 ":$PW_ALICE")"
t 401 pam - GET /account 'Basic with a 10 KiB password' HTTP_AUTHORIZATION="Basic $(b64 "alice:$K10")"
t 401 pam - GET /account 'Basic with a 600-byte password' HTTP_AUTHORIZATION="Basic $(b64 "alice:$(rep p 600)")"
t 401 pam - GET /account 'Basic with no value' HTTP_AUTHORIZATION=Basic
t 401 pam - GET /account 'Basic and a space' HTTP_AUTHORIZATION='Basic '
t 401 pam - GET /account 'empty Authorization' HTTP_AUTHORIZATION=
t 401 pam - GET /account 'Bearer scheme' HTTP_AUTHORIZATION='Bearer x'
t 401 pam - GET /account 'Digest scheme' HTTP_AUTHORIZATION='Digest username="alice", realm="afp"'
t 401 pam - GET /account 'Basic with a trailing token' HTTP_AUTHORIZATION="Basic $B_ALICE x"
t 401 pam - GET /account 'Basic with unpadded base64' \
    HTTP_AUTHORIZATION="Basic $(b64 "alice:${PW_ALICE}x" | tr -d =)"
t 401 pam - GET /account 'wrong password' HTTP_AUTHORIZATION="Basic $(b64 "alice:$PW_BOB")"
t 200 pam - GET /account 'lower-case basic works' HTTP_AUTHORIZATION="basic $B_ALICE"
t 200 pam - GET /account 'upper-case BASIC works' HTTP_AUTHORIZATION="BASIC $B_ALICE"
t 401 pam - GET /account 'non-UTF-8 user al\xffce in Basic' \
    HTTP_AUTHORIZATION="Basic $(printf 'al\377ce:%s' "$PW_ALICE" | base64 -w0)"
t 401 pam - GET /account 'UTF-8 user name in Basic' HTTP_AUTHORIZATION="Basic $(b64 "ålice:$PW_ALICE")"
t 401 pam - GET /account 'Basic user with a trailing space' HTTP_AUTHORIZATION="Basic $(b64 "alice :$PW_ALICE")"
t 401 pam - GET /account 'Basic user with a leading space' HTTP_AUTHORIZATION="Basic $(b64 " alice:$PW_ALICE")"
t 401 pam - GET /account 'Basic Alice with alice password' HTTP_AUTHORIZATION="Basic $(b64 "Alice:$PW_ALICE")"
t 200 pam prod/audit/uma GET /account/prod/audit 'UTF-8 password works' \
    HTTP_AUTHORIZATION="Basic $(b64 "uma:$PW_UMA")"
t 401 pam - GET /account 'UTF-8 password in NFD' \
    HTTP_AUTHORIZATION="Basic $(b64 "uma:$(printf 'Pa\314\210sswo\314\210rd-ключ-🔑-Hst3')")"
t 401 pam - GET /account 'UTF-8 password sent as Latin-1' \
    HTTP_AUTHORIZATION="Basic $(printf 'uma:P\344ssw\366rd-x' | base64 -w0)"
t 401 ru - GET /account 'non-UTF-8 REMOTE_USER' REMOTE_USER="al${FF}ce"
t 401 ru - GET /account 'REMOTE_USER with a newline' REMOTE_USER="alice${NL}"
t 401 ru - GET /account 'REMOTE_USER with a trailing space' REMOTE_USER='alice '
t 401 ru - GET /account 'REMOTE_USER with a leading space' REMOTE_USER=' alice'
t 401 ru - GET /account 'REMOTE_USER ../alice' REMOTE_USER='../alice'
t 401 ru - GET /account 'REMOTE_USER alice%00' REMOTE_USER='alice%00'

# Methods.
for m in DELETE PATCH OPTIONS TRACE CONNECT POST PUT get Get "$(rep X 1024)" ''; do
	t 405 ru - "$m" /account/prod/admin "method '$(printf %s "$m" | cut -c1-8)' ($(printf %s "$m" | wc -c) bytes)"
done
t 405 ru - GET /latest/api/token 'GET on the token path'
t 200 ru - HEAD /account/prod/admin 'HEAD: headers only'
t 404 ru - DELETE /nosuch 'unknown path, unknown method'

# Missing or odd CGI variables.
t 500 ru - GET /account 'no REQUEST_METHOD (not CGI)' -REQUEST_METHOD
t 500 ru - GET /account 'no SCRIPT_NAME' -SCRIPT_NAME
t 404 ru - GET /account 'no REQUEST_URI and no PATH_INFO' -REQUEST_URI -PATH_INFO
t 200 ru - GET /account 'PATH_INFO only' -REQUEST_URI
t 200 ru - GET /account 'no REMOTE_ADDR' -REMOTE_ADDR
t 200 ru - GET /account 'REMOTE_ADDR with a newline' REMOTE_ADDR="127.0.0.1${NL}forged"
t 200 ru - GET /account 'no GATEWAY_INTERFACE, SERVER_*' -GATEWAY_INTERFACE -SERVER_PROTOCOL -SERVER_NAME -SERVER_PORT
t 500 ru - GET /account 'empty environment' -REQUEST_METHOD -SCRIPT_NAME -REQUEST_URI -PATH_INFO -QUERY_STRING -REMOTE_ADDR -HTTP_HOST -REMOTE_USER -GATEWAY_INTERFACE -SERVER_PROTOCOL -SERVER_NAME -SERVER_PORT
t 400 ru - GET /account 'REQUEST_URI not under SCRIPT_NAME' REQUEST_URI=/other.cgi/account
t 403 ru - GET /account/dev/deploy 'PATH_INFO names a granted role, REQUEST_URI another' \
    PATH_INFO=/account/prod/admin
t 200 ru prod/admin GET /account/prod/admin 'REQUEST_URI names a granted role, PATH_INFO another' \
    PATH_INFO=/account/dev/deploy
t 400 ru - GET /account 'REQUEST_URI in absolute form' REQUEST_URI=http://127.0.0.1/cgi-bin/afp.cgi/account
t 400 ru - GET /account 'REQUEST_URI *' 'REQUEST_URI=*'
t 400 ru - GET /account 'REQUEST_URI SCRIPT_NAMEx/account' REQUEST_URI=/cgi-bin/afp.cgix/account
t 404 ru - GET /account 'empty SCRIPT_NAME' SCRIPT_NAME=

# Host outside allowed_hosts (remote_user, allowed_hosts set).
t 200 hosts - GET /account 'control: listed Host' HTTP_HOST=afp.example.com
t 200 hosts - GET /account 'listed Host, other case and a port' HTTP_HOST=AFP.Example.COM:8443
t 403 hosts - GET /account 'foreign Host' HTTP_HOST=evil.example.com
t 403 hosts - GET /account 'no Host' -HTTP_HOST
t 403 hosts - GET /account 'empty Host' HTTP_HOST=
t 403 hosts - GET /account 'listed name as a prefix' HTTP_HOST=afp.example.com.evil.example.com
t 403 hosts - GET /account 'listed name with a trailing dot' HTTP_HOST=afp.example.com.
t 403 hosts - GET /account 'Host with CR LF' HTTP_HOST="evil.example.com${CR}${NL}X-Injected: 1"
t 403 hosts - GET /status 'foreign Host on /status' HTTP_HOST=evil.example.com
t 403 hosts - GET /latest/meta-data/iam/security-credentials/ 'foreign Host on metadata' HTTP_HOST=evil.example.com
t 403 hosts - GET /account/prod/admin/credentials 'foreign Host, granted role' HTTP_HOST=evil.example.com

# Instance metadata: hostile tokens and TTLs (the machine is 127.0.0.9).
TOK=/latest/api/token
CI=/latest/meta-data/iam/security-credentials/ci
t 200 ru - PUT $TOK 'control: TTL 60' HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS=60
for ttl in -1 99999999999999999999 1e3 0 21601 ' 60' '60 ' 0x10 +60 ''; do
	t 403 ru - PUT $TOK "TTL '$ttl'" HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS="$ttl"
done
t 400 ru - PUT $TOK 'no TTL header'
t 403 ru - PUT $TOK 'X-Forwarded-For' HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS=60 HTTP_X_FORWARDED_FOR=10.0.0.1
t 200 ru prod/ci GET $CI 'control: v1 GET of the machine role'
for tok in garbage '%00' "$K10" '../../imds.key' \
    "1.$(rep 0 64)" "999999999999999999.$(rep a 64)" \
    "$(($(date +%s) + 60)).$(rep f 64)" "-1.$(rep a 64)"; do
	t 401 ru - GET $CI "metadata token '$(printf %s "$tok" | cut -c1-16)'" \
	    HTTP_X_AWS_EC2_METADATA_TOKEN="$tok"
done
t 400 ru - GET '/latest/meta-data/iam/security-credentials/..%2fadmin' 'metadata role ..%2f'
t 404 ru - GET /latest/meta-data/iam/security-credentials/admin 'metadata: not the machine role'
t 401 ru - GET $CI 'machine id with a newline' REMOTE_ADDR="127.0.0.9${NL}"
t 404 ru - GET $CI 'another machine' REMOTE_ADDR=10.0.0.1

# ECR region injections (alice on prod/admin, ecr_regions = us-east-1).
ECR=/account/prod/admin/ecr/credentials
t 200 ru prod/admin GET "$ECR?region=us-east-1" 'control: ECR us-east-1'
t 400 ru - GET "$ECR?region=us-east-1%0d%0a" 'region with %0d%0a'
t 400 ru - GET "$ECR?region=../x" 'region ../x'
t 400 ru - GET "$ECR?region=..%2f..%2fprod" 'region ..%2f..%2f'
t 400 ru - GET "$ECR?region=US-EAST-1" 'region in upper case'
t 400 ru - GET "$ECR?region=us-east-1+" 'region with a trailing space'
t 400 ru - GET "$ECR?region=us-east-1;x" 'region with ;'
t 400 ru - GET "$ECR?region=$(rep a 33)" 'region of 33 characters'
t 404 ru - GET "$ECR?region=eu-west-1" 'well-formed region not configured'
t 403 ru - GET "/account/dev/deploy/ecr/credentials?region=us-east-1" 'ECR of a role not granted'

# ?format= of /credentials.
CR_=/account/prod/admin/credentials
t 200 ru prod/admin GET "$CR_?format=shell" 'control: format=shell'
t 200 ru prod/admin GET "$CR_?format=json" 'control: format=json'
for f in SHELL 'shell%0a' "sh'ell" 'shell;id' '$(id)' "$(rep s 17)" 'html' 'shell%20' ''; do
	t 400 ru - GET "$CR_?format=$f" "format '$(printf %s "$f" | cut -c1-12)'"
done
t 403 ru - GET "/account/dev/deploy/credentials?format=shell" 'format=shell on a role not granted'

N_CASES=0
N_FAILED=0
L_LEAKS=0
run_checker
diag "hostile table: $N_CASES cases, $N_FAILED failed, $L_LEAKS secret leaks"
expect_eq "$L_LEAKS" 0 "hostile table: no secret on stdout or stderr of any case"
check "hostile table: at least 60 cases ($N_CASES)" test "$N_CASES" -ge 60

# --- part 2: the authorization matrix --------------------------------------------
# granted USER ACCOUNT/ROLE: the list above says so.
# shellcheck disable=SC2086,SC2116
GRANTS_1=" $(echo $GRANTS) "
granted() {
	case $GRANTS_1 in
	*" $1:$2 "*) return 0 ;;
	esac
	return 1
}
# mx CONF USER ROLE EP [ITEM...]: USER on ROLE's endpoint EP ("-" for
# /account/{a}/{r} itself) gets 200 from the entry the grant serves (the
# user's own for per-user roles) exactly when granted, else 403 without a
# secret.
mx() {
	local _conf=$1 _u=$2 _r=$3 _ep=$4 _w=403 _allow=- _g=n
	shift 4
	[ "$_ep" != - ] || _ep=
	if granted "$_u" "$_r"; then
		_w=200
		_g=y
		_allow=$_r
		case " $PER_USER " in
		*" $_r "*) _allow=$_r/$_u ;;
		esac
	fi
	rec mx "$_w" "$_allow" - "$_g" "$_conf" GET "/account/$_r$_ep" \
	    "$_u on /account/$_r$_ep" "$@"
}
# refused CONF WANT DESC ITEM...: a matrix request that must fail
# authentication; a 200 counts as an escalation.
refused() {
	local _conf=$1 _w=$2 _d=$3
	shift 3
	rec mx "$_w" - - n "$_conf" GET /account/prod/admin/credentials "$_d" "$@"
}

EPS='- /credentials /caller-identity /consoleurl
/ecr/credentials?region=us-east-1 /container-credentials'
# matrix_ru: every user on every role's endpoints, and /account.
matrix_ru() {
	set -f
	for u in $MX_USERS; do
		for r in $MX_ROLES; do
			for ep in $EPS; do
				mx ru "$u" "$r" "$ep" REMOTE_USER="$u"
			done
		done
		# /account lists exactly the granted roles.
		rec acct 200 - "$(want_accounts "$u")" - ru GET /account \
		    "/account as $u" REMOTE_USER="$u"
	done
	set +f
}
matrix_ru
# Through PAM: every user logs in with their own password and sees their
# roles.
for up in alice:"$PW_ALICE" bob:"$PW_BOB" carol:"$PW_CAROL" dave:"$PW_DAVE" \
    erin:"$PW_ERIN" frank:"$PW_FRANK" gina:"$PW_GINA" uma:"$PW_UMA" \
    Bob:"$PW_BOBC"; do
	u=${up%%:*}
	auth="HTTP_AUTHORIZATION=Basic $(b64 "$up")"
	rec acct 200 - "$(want_accounts "$u")" - pam GET /account \
	    "/account as $u (pam)" "$auth"
	for r in prod/admin prod/read dev/ops dev/deploy prod/nosuch; do
		mx pam "$u" "$r" /credentials "$auth"
	done
done
# The same name in another case, or padded, with any of the passwords.
for up in Alice:"$PW_ALICE" ALICE:"$PW_ALICE" BOB:"$PW_BOB" bob:"$PW_BOBC" \
    Bob:"$PW_BOB" " alice:$PW_ALICE" "alice :$PW_ALICE" "alice	:$PW_ALICE"; do
	refused pam 401 "Basic '${up%%:*}' with a neighbour's password" \
	    "HTTP_AUTHORIZATION=Basic $(b64 "$up")"
done
for u in ' alice' 'alice ' "alice$(printf '\t')" "$(printf '\talice')" \
    'alice bob' 'alice/x'; do
	refused ru 401 "REMOTE_USER '$u'" REMOTE_USER="$u"
done
# Names that pass the name rule but are nobody afp knows.
for u in ALICE Alice aLice alice,bob alice@x alice.; do
	refused ru 403 "REMOTE_USER $u" REMOTE_USER="$u"
done
MX_RUNS=0
MX_ESC=0
MX_DENIED=0
MX_OTHER=0
run_checker
diag "authorization matrix: $MX_RUNS requests, $MX_ESC escalations, $MX_DENIED wrongful denials, $MX_OTHER other failures"
expect_eq "$MX_ESC" 0 "authorization matrix: 0 escalations"
expect_eq "$MX_DENIED" 0 "authorization matrix: 0 wrongful denials"
expect_eq "$MX_OTHER" 0 "authorization matrix: no other failure"
check "authorization matrix: at least 600 requests ($MX_RUNS)" test "$MX_RUNS" -ge 600

# Once more with the refresher's catalog, which the CGI then reads
# instead of every file (so far there was none).
catalog_write "$C/ru.conf" prod/admin
check "the refresher wrote the catalog" test -f "$CACHE/catalog"
matrix_ru
run_checker
diag "with the catalog: $MX_RUNS requests, $MX_ESC escalations, $MX_DENIED wrongful denials, $MX_OTHER other failures"
expect_eq "$MX_ESC" 0 "authorization matrix with the catalog: 0 escalations"
expect_eq "$MX_DENIED" 0 "authorization matrix with the catalog: 0 wrongful denials"
expect_eq "$MX_OTHER" 0 "authorization matrix with the catalog: no other failure"
check "authorization matrix with the catalog: at least 600 requests ($MX_RUNS)" \
    test "$MX_RUNS" -ge 600

# --- part 3: the web server's view (lighttpd, auth = pam) ------------------------------
# lighttpd decides some cases before afp runs; either way the answer is an
# error without a secret and the CGI, when it runs, ends cleanly.
start_lighttpd "$CGI" AFP_CONFIG="$C/pam.conf" $WRAP_ENV
N_WEB=0
# by: who answered, afp (a JSON error or answer) or the server.
by() {
	if grep -q '^{"' "$1" 2>/dev/null; then echo afp; else echo lighttpd; fi
}
# w WANT DESC PATH [CURL-ARG...]: one request through lighttpd, as alice
# unless W_USER and W_PW say otherwise (W_USER "": no credentials).
w() {
	local _w=$1 _d=$2 _path=$3 _leak=''
	shift 3
	N_WEB=$((N_WEB + 1))
	http "${W_USER-alice}" "${W_PW-$PW_ALICE}" "$_path" "$@"
	if grep -qF -f "$SEC/${W_PATTERNS:-all}" "$T_TMP/h.body" \
	    "$T_TMP/h.head" 2>/dev/null; then
		_leak=' SECRET LEAK'
		L_LEAKS=$((L_LEAKS + 1))
	fi
	if [ "$H_CODE" = "$_w" ] && [ -z "$_leak" ]; then
		ok "lighttpd: $_d: $_w ($(by "$T_TMP/h.body"))"
	else
		not_ok "lighttpd: $_d: got $H_CODE, want $_w$_leak"
		# A body with a secret stays out of the test's output.
		[ -n "$_leak" ] ||
		    head -c 300 "$T_TMP/h.body" 2>/dev/null | sed 's/^/# body: /'
		echo
	fi
}
# raw WANT DESC BYTES: a request written byte for byte (printf escapes),
# for what curl will not send; WANT is the status line's code.
raw() {
	N_WEB=$((N_WEB + 1))
	# shellcheck disable=SC2059
	printf "$3" | "$PYTHON" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.stdin.buffer.read())
data = b""
while True:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        break
    if not chunk:
        break
    data += chunk
sys.stdout.buffer.write(data)' "$LIGHTTPD_PORT" >"$T_TMP/raw.out" 2>/dev/null
	if grep -qF -f "$SEC/all" "$T_TMP/raw.out"; then
		not_ok "lighttpd raw: $2: SECRET LEAK"
		L_LEAKS=$((L_LEAKS + 1))
		return
	fi
	sed '1,/^\r\{0,1\}$/d' "$T_TMP/raw.out" >"$T_TMP/raw.body"
	expect_eq "$(head -n 1 "$T_TMP/raw.out" | cut -d' ' -f2)" "$1" \
	    "lighttpd raw: $2 ($(by "$T_TMP/raw.body"))"
}
A=/cgi-bin/afp/afp.cgi
W_PATTERNS=not-admin
w 200 'control: alice on prod/admin' /account/prod/admin/credentials
unset W_PATTERNS
w 400 'traversal ..' '/account/prod/../dev/deploy'
w 400 'traversal %2e%2e' '/account/prod/%2e%2e/dev/deploy'
w 400 'traversal .%2e' '/account/prod/.%2e/dev/deploy'
w 400 'encoded slash %2F' '/account/prod%2Fadmin'
w 400 'double encoding %252e%252e' '/account/prod/%252e%252e/dev/deploy'
w 400 'backslash %5c' '/account/prod%5cadmin'
w 400 '/./ segment' '/account/prod/./admin'
w 400 '// in the path' '/account//prod/admin'
w 400 '%00 in the path' '/account/prod/admin%00'
w 400 '%00 in the query' "/account/prod/admin?callbackurl=$CB%00"
w 400 'CR LF in callbackurl' "/account/prod/admin/console?callbackurl=$CB%0d%0aSet-Cookie:%20afp=1"
check "lighttpd: no injected Set-Cookie header" test "$(grep -ci '^set-cookie' "$T_TMP/h.head")" = 0
w 400 'javascript: callbackurl' '/account/prod/admin/console?callbackurl=javascript:alert(1)'
w 400 'ECR region ../x' '/account/prod/admin/ecr/credentials?region=../x'
w 403 'foreign role' /account/dev/deploy/credentials
W_USER=
w 401 'Basic with bad base64' /account -H 'Authorization: Basic !!!'
w 401 'Bearer scheme' /account -H 'Authorization: Bearer x'
w 431 '10 KiB Authorization (lighttpd)' /account -H "Authorization: Basic $K10"
unset W_USER
W_USER=uma W_PW=$PW_UMA
w 200 'UTF-8 password' /account
expect_eq "$(cat "$T_TMP/h.body")" '{"prod":["audit"]}' "lighttpd: UTF-8 password: uma's roles"
W_PW=$PW_ALICE
w 401 "uma with alice's password" /account
unset W_USER W_PW
w 405 'DELETE' /account/prod/admin -X DELETE
w 405 'OPTIONS' /account/prod/admin -X OPTIONS
w 405 'PATCH' /account/prod/admin -X PATCH
w 403 'PUT TTL -1' /latest/api/token -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: -1'
w 403 'PUT TTL 1e3' /latest/api/token -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 1e3'
# lighttpd's own limits and parser.
w 431 '64 KiB path (lighttpd: header too large)' "/account/$K64"
w 400 '4000-byte Host (lighttpd: invalid host)' /account -H "Host: $(rep h 4000)"
raw 400 'raw NUL in the request line' "GET $A/account/prod/admin\\000 HTTP/1.0\\r\\n\\r\\n"
raw 400 'raw NUL in a header' "GET $A/account HTTP/1.0\\r\\nX-A: a\\000b\\r\\nAuthorization: Basic $B_ALICE\\r\\n\\r\\n"
raw 400 'bare CR in a header' "GET $A/account HTTP/1.0\\r\\nX-A: a\\rb\\r\\nAuthorization: Basic $B_ALICE\\r\\n\\r\\n"
raw 501 'lower-case method get' "get $A/account HTTP/1.0\\r\\nAuthorization: Basic $B_ALICE\\r\\n\\r\\n"
raw 405 'TRACE' "TRACE $A/account HTTP/1.0\\r\\n\\r\\n"
raw 405 'CONNECT' "CONNECT 127.0.0.1:443 HTTP/1.0\\r\\n\\r\\n"
raw 400 'backslash path' "GET $A/account\\\\..\\\\x HTTP/1.0\\r\\nAuthorization: Basic $B_ALICE\\r\\n\\r\\n"
raw 400 'no Host on HTTP/1.1' "GET $A/account HTTP/1.1\\r\\nAuthorization: Basic $B_ALICE\\r\\nConnection: close\\r\\n\\r\\n"
stop_all
diag "lighttpd: $N_WEB requests"

# --- every log --------------------------------------------------------------------------
for f in "$T_TMP/all.err" "$CGI_LOG" "$LIGHTTPD_LOG"; do
	if grep -qF -f "$SEC/all" "$f"; then
		not_ok "${f#"$T_TMP"/}: holds a secret of the test"
	else
		ok "${f#"$T_TMP"/}: no secret of the test ($(wc -l <"$f") lines)"
	fi
	if grep -qE 'Sanitizer|runtime error:' "$f"; then
		not_ok "${f#"$T_TMP"/}: sanitizer report"
		grep -E 'Sanitizer|runtime error:' "$f" | head -5 | sed 's/^/# /'
	else
		ok "${f#"$T_TMP"/}: no sanitizer report"
	fi
done
diag "hostile: $N_CASES table cases, $MX_RUNS matrix requests, $N_WEB lighttpd requests, $L_LEAKS leaks, $MX_ESC escalations"
t_done
