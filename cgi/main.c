/*
 * afp.cgi: answers from the refresher's cache (DESIGN.md §4). It checks who
 * runs it, who asks and what they may use, then maps the result to an HTTP
 * answer; the logic lives in lib/.
 */
#include <sys/auxv.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "cgi.h"
#include "authz.h"
#include "cache.h"
#include "conf.h"
#include "fmt.h"
#include "json.h"
#include "log.h"
#include "reply.h"
#include "route.h"
#include "sandbox.h"
#include "signin.h"
#include "tm.h"

#ifndef AFP_CONFIG_PATH
#define AFP_CONFIG_PATH "/etc/afp/afp.conf"
#endif

#define IDENT		"afp.cgi"
#define ADDR_MAX	64		/* an IPv6 address with a zone fits */
#define STATUS_MAX	(64 * 1024)	/* status.json holds counts and times */
#define STATUS_SLACK	300		/* a refresher run may take this long */


/* Set the answer to an error; the detail goes to the log only. */
void
cgi_fail(struct req *q, int status, const char *message, const char *fmt, ...)
{
	va_list ap;
	int n;

	q->rp.status = status;
	q->message = message;
	va_start(ap, fmt);
	n = fmt_vsnprintf(q->detail, sizeof(q->detail), fmt, ap);
	va_end(ap);
	/* A cut detail is still useful; a failed one is dropped. */
	if (n < 0)
		q->detail[0] = '\0';
}

/*
 * The server's descriptors 0-2 may be closed; anything opened next would
 * take their place and receive the answer or the log. Descriptors above 2
 * are the server's business, not ours or PAM's helpers'.
 */
static int
fds_sane(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return close_range(3, ~0U, 0) == 0 ? 0 : -1;
}

/* The compiled-in path, or AFP_CONFIG when not setuid/setgid. */
static const char *
config_path(void)
{
	unsigned long secure;
	const char *p;

	errno = 0;
	secure = getauxval(AT_SECURE);
	if (secure != 0 || errno != 0)
		return AFP_CONFIG_PATH;
	if ((p = getenv("AFP_CONFIG")) != NULL && *p != '\0')
		return p;
	return AFP_CONFIG_PATH;
}

/* The server sets REMOTE_ADDR; it still goes to PAM and the log. */
static const char *
remote_addr(void)
{
	const char *a = getenv("REMOTE_ADDR");
	size_t i;

	if (a == NULL || *a == '\0' || strlen(a) > ADDR_MAX)
		return NULL;
	for (i = 0; a[i] != '\0'; i++)
		if (!((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'z') ||
		    (a[i] >= 'A' && a[i] <= 'Z') || strchr(".:%_-", a[i]) != NULL))
			return NULL;
	return a;
}

/* The Authorization header holds the password in base64: wipe it. */
void
cgi_authorization_wipe(void)
{
	char *v = getenv("HTTP_AUTHORIZATION");

	if (v == NULL)
		return;
	explicit_bzero(v, strlen(v));
	(void)unsetenv("HTTP_AUTHORIZATION");
}

static afp_err
setup(struct req *q)
{
	struct buf err;
	struct passwd *pw;
	uid_t uid;
	afp_err r;

	buf_init(&err, 4096);
	if ((r = conf_load_main(config_path(), &q->conf, &err)) != AFP_OK) {
		log_err("%s", err.len > 0 ? buf_str(&err) : afp_strerror(r));
		cgi_fail(q, 500, "internal error", "configuration not loaded");
		goto out;
	}
	log_open(IDENT, q->conf->log, 0);
	/*
	 * A local user must not run the setgid binary with a forged identity.
	 * A uid in web_user spares the user lookup: NSS reads several files
	 * and maps more of libc than the rest of a request.
	 */
	if (conf_uid(q->conf->web_user, &uid) ? uid != getuid() :
	    (pw = getpwnam(q->conf->web_user)) == NULL || pw->pw_uid != getuid()) {
		cgi_fail(q, 500, "internal error", "real uid %lu is not web_user %s's",
		    (unsigned long)getuid(), q->conf->web_user);
		r = AFP_ERR_DENIED;
	}
 out:
	buf_free(&err);
	return r;
}

static afp_err
auth_remote_user(struct req *q)
{
	const char *u = getenv(q->conf->user_env);

	if (u == NULL || *u == '\0' || !conf_user_ok(u)) {
		cgi_fail(q, 401, "authentication required", "%s unset or refused",
		    q->conf->user_env);
		return AFP_ERR_AUTH;
	}
	if (buf_addstr(&q->user, u) != AFP_OK) {
		cgi_fail(q, 500, "internal error", "out of memory");
		return AFP_ERR_NOMEM;
	}
	return AFP_OK;
}

/*
 * HTTP Basic checked by PAM. The name in the header and the PAM user (a
 * module may change it) must both pass name_ok; the PAM user becomes
 * q->user. what names the kind of caller in log details.
 */
afp_err
cgi_basic_pam(struct req *q, int (*name_ok)(const char *), const char *what)
{
	const struct conf *c = q->conf;
	struct buf user, pw;
	afp_err r;

	buf_init(&user, AUTH_HEADER_MAX);
	buf_init(&pw, AUTH_HEADER_MAX);
	r = auth_basic_decode(getenv("HTTP_AUTHORIZATION"), &user, &pw);
	cgi_authorization_wipe();
	if (r != AFP_OK) {
		cgi_fail(q, 401, "authentication required", "%s",
		    r == AFP_ERR_AUTH ? "no Basic credentials" :
		    "malformed Basic credentials");
		r = AFP_ERR_AUTH;
		goto out;
	}
	if (!name_ok(buf_str(&user))) {
		cgi_fail(q, 401, "authentication failed", "%s name refused", what);
		r = AFP_ERR_AUTH;
		goto out;
	}
	r = auth_pam(c->pam_service, buf_str(&user), buf_str(&pw), q->addr,
	    &q->user);
	buf_free(&pw);
	if (r == AFP_ERR_AUTH) {
		/* Name the login that failed: it passed the name rule. */
		buf_reset(&q->user);
		if (buf_addstr(&q->user, buf_str(&user)) != AFP_OK)
			buf_reset(&q->user);
		cgi_fail(q, 401, "authentication failed",
		    "PAM refused the %s", what);
	} else if (r != AFP_OK)
		cgi_fail(q, 500, "internal error", "PAM: %s", afp_strerror(r));
	else if (!name_ok(buf_str(&q->user))) {
		buf_reset(&q->user);
		cgi_fail(q, 401, "authentication failed",
		    "PAM user refused by the %s name rule", what);
		r = AFP_ERR_AUTH;
	}
 out:
	buf_free(&user);
	buf_free(&pw);
	return r;
}

afp_err
cgi_authenticate(struct req *q)
{
	if (q->conf->auth == CONF_AUTH_REMOTE_USER) {
		cgi_authorization_wipe();
		return auth_remote_user(q);
	}
	return cgi_basic_pam(q, conf_user_ok, "user");
}

afp_err
cgi_roles_walk(struct req *q, cgi_role_fn fn, void *arg)
{
	const struct conf *c = q->conf;
	const char *user = buf_str(&q->user);
	/* cgi_scope looked the groups up if they can matter. */
	const struct strlist *groups = q->groups_known ? &q->groups : NULL;
	const char *account = NULL;
	size_t i;
	afp_err r = AFP_OK;

	/* Roles sort by account first: a new account is a change of name. */
	for (i = 0; i < c->nroles && r == AFP_OK; i++) {
		const struct conf_role *role = &c->roles[i];
		int first;

		if (authz_role_allowed(c, role, user, groups) != 1)
			continue;
		first = account == NULL || strcmp(account, role->account) != 0;
		account = role->account;
		r = fn(arg, role, first);
	}
	return r;
}

/* One role of the /account JSON; an account's first role opens its list. */
static afp_err
accounts_json_role(void *arg, const struct conf_role *role, int first)
{
	struct buf *b = arg;
	afp_err r;

	if (!first)
		r = buf_addc(b, ',');
	else if ((r = b->len > 1 ? buf_add(b, "],", 2) : AFP_OK) == AFP_OK &&
	    (r = json_str(b, role->account)) == AFP_OK)
		r = buf_add(b, ":[", 2);
	return r != AFP_OK ? r : json_str(b, role->name);
}

/* {"prod":["admin","read"],...}: accounts and roles in name order. */
static void
do_accounts(struct req *q)
{
	struct buf *b = &q->body;
	afp_err r;

	if ((r = buf_addc(b, '{')) != AFP_OK ||
	    (r = cgi_roles_walk(q, accounts_json_role, b)) != AFP_OK ||
	    (b->len > 1 && (r = buf_addc(b, ']')) != AFP_OK) ||
	    (r = buf_addc(b, '}')) != AFP_OK) {
		buf_reset(b);
		cgi_fail(q, 500, "internal error", "account list: %s",
		    afp_strerror(r));
		return;
	}
	q->rp.status = 200;
}

static afp_err
creds_json(struct buf *b, const struct afp_creds *cr)
{
	char exp[TM_ISO8601_LEN];
	int first = 1;
	afp_err r;

	if ((r = tm_format_iso8601(cr->expiration, exp)) != AFP_OK)
		return r;
	if ((r = buf_addstr(b, "{\"credentials\":{")) != AFP_OK ||
	    (r = json_kv(b, &first, "access_key", cr->akid)) != AFP_OK ||
	    (r = json_kv(b, &first, "secret_key", cr->secret)) != AFP_OK ||
	    (r = json_kv(b, &first, "session_token", cr->token)) != AFP_OK ||
	    (r = json_kv(b, &first, "expiration", exp)) != AFP_OK)
		return r;
	return buf_add(b, "}}", 2);
}

/* {"account","arn","userId"}: whose credentials these are. */
static afp_err
identity_json(struct buf *b, const struct cache_entry *e)
{
	int first = 1;
	afp_err r;

	if (e->id_account == NULL || e->id_arn == NULL || e->id_userid == NULL)
		return AFP_ERR_NOTFOUND;
	if ((r = buf_addc(b, '{')) != AFP_OK ||
	    (r = json_kv(b, &first, "account", e->id_account)) != AFP_OK ||
	    (r = json_kv(b, &first, "arn", e->id_arn)) != AFP_OK ||
	    (r = json_kv(b, &first, "userId", e->id_userid)) != AFP_OK)
		return r;
	return buf_addc(b, '}');
}

/* Read path whole into f, unless making the path failed with r. */
static void
file_read(struct cgi_file *f, afp_err r, const struct buf *path, size_t max)
{
	buf_init(&f->data, max);
	f->r = r == AFP_OK ? cache_read_file(buf_str(path), max, &f->data) : r;
	f->done = 1;
}

void
cgi_file_read(struct req *q, struct cgi_file *f, const char *name, size_t max)
{
	struct buf path;

	buf_init(&path, PATH_MAX);
	file_read(f, buf_printf(&path, "%s/%s", q->conf->cache_dir, name), &path,
	    max);
	buf_free(&path);
}

afp_err
cgi_file_result(const struct cgi_file *f)
{
	return f->done ? f->r : AFP_ERR_INTERNAL;
}

void
cgi_entry_read(struct req *q, const struct conf_role *role, const char *user)
{
	struct buf path;

	buf_init(&path, PATH_MAX);
	file_read(&q->entry, cache_path(&path, q->conf->cache_dir, role->account,
	    role->name, user), &path, CACHE_FILE_MAX);
	buf_free(&path);
}

int
cgi_entry_load(struct req *q, struct cache_entry *e)
{
	afp_err r;

	if ((r = cgi_file_result(&q->entry)) == AFP_OK)
		r = cache_parse(buf_str(&q->entry.data), q->entry.data.len, e);
	if (r == AFP_ERR_NOTFOUND) {
		cgi_fail(q, 503, "credentials not available yet", "no cache entry");
		return -1;
	}
	if (r != AFP_OK) {
		cgi_fail(q, 500, "internal error", "cache entry: %s", afp_strerror(r));
		return -1;
	}
	if (e->creds.expiration <= q->now) {
		cgi_fail(q, 503, "credentials not available yet", "cache entry expired");
		return -1;
	}
	if (e->creds.token == NULL) {
		cgi_fail(q, 500, "internal error", "cache entry without session token");
		return -1;
	}
	return 0;
}

/*
 * Before the sandbox: the routed role into q->role and its entry into
 * q->entry, when the caller may use it.
 */
static void
role_read(struct req *q)
{
	const struct conf *c = q->conf;
	const char *user = buf_str(&q->user);
	const struct conf_role *role;

	role = conf_role_find(c, q->rt.account, q->rt.role);
	/* cgi_scope looked the groups up if they can matter. */
	if (role == NULL || authz_role_allowed(c, role, user,
	    q->groups_known ? &q->groups : NULL) != 1)
		return;
	q->role = role;
	cgi_entry_read(q, role, role->per_user ? user : NULL);
}

/*
 * The routed role and the caller's cache entry for it. A role that does
 * not exist and one the user may not use get the same answer, so roles
 * cannot be enumerated. On failure the answer is set and NULL returned.
 */
const struct conf_role *
cgi_role_entry(struct req *q, struct cache_entry *e)
{
	if (q->role == NULL) {
		cgi_fail(q, 403, "not allowed", "%s", conf_role_find(q->conf,
		    q->rt.account, q->rt.role) == NULL ? "no such role" :
		    "role not allowed for the user");
		return NULL;
	}
	if (cgi_entry_load(q, e) == -1)
		return NULL;
	return q->role;
}

afp_err
cgi_aws_creds_json(struct buf *b, int *first, const struct afp_creds *cr)
{
	char exp[TM_ISO8601_LEN];
	afp_err r;

	if ((r = tm_format_iso8601(cr->expiration, exp)) != AFP_OK ||
	    (r = json_kv(b, first, "AccessKeyId", cr->akid)) != AFP_OK ||
	    (r = json_kv(b, first, "SecretAccessKey", cr->secret)) != AFP_OK ||
	    (r = json_kv(b, first, "Token", cr->token)) != AFP_OK)
		return r;
	return json_kv(b, first, "Expiration", exp);
}

/* AWS's container-credentials JSON, for AWS_CONTAINER_CREDENTIALS_FULL_URI. */
static afp_err
container_json(struct buf *b, const struct afp_creds *cr)
{
	int first = 1;
	afp_err r;

	if ((r = buf_addc(b, '{')) != AFP_OK ||
	    (r = cgi_aws_creds_json(b, &first, cr)) != AFP_OK)
		return r;
	return buf_addc(b, '}');
}

/* /account/{a}/{r}: the credentials and, for console roles, console_url. */
static afp_err
role_json(struct req *q, const struct conf_role *role,
    const struct cache_entry *e)
{
	struct buf url;
	afp_err r;

	buf_init(&url, SIGNIN_URL_MAX);
	if (console_url(q, role, e, &url) == -1) {
		r = AFP_ERR_INVAL;
		goto out;
	}
	if ((r = creds_json(&q->body, &e->creds)) != AFP_OK || url.len == 0)
		goto out;
	/* Reopen the object creds_json closed to add the URL. */
	q->body.len--;
	r = buf_addc(&q->body, ',');
	if (r == AFP_OK && (r = json_str(&q->body, "console_url")) == AFP_OK &&
	    (r = buf_addc(&q->body, ':')) == AFP_OK &&
	    (r = json_str(&q->body, buf_str(&url))) == AFP_OK)
		r = buf_addc(&q->body, '}');
out:
	buf_free(&url);
	return r;
}

/* The /account/{a}/{r} family answered from the role's cache entry. */
static void
do_role(struct req *q)
{
	const struct conf_role *role;
	struct cache_entry e;
	int shell;
	afp_err r;

	memset(&e, 0, sizeof(e));
	if ((role = cgi_role_entry(q, &e)) == NULL)
		goto out;
	if (q->rt.ep == ROUTE_CREDENTIALS && (shell = html_shell_wanted(q)) != 0) {
		if (shell == 1)
			html_credentials(q, &e);
		goto out;
	}
	switch (q->rt.ep) {
	case ROUTE_IDENTITY:
		r = identity_json(&q->body, &e);
		break;
	case ROUTE_CONTAINER:
		r = container_json(&q->body, &e.creds);
		break;
	case ROUTE_ROLE:
		if ((r = role_json(q, role, &e)) == AFP_ERR_INVAL)
			goto out;	/* console_url set the answer */
		break;
	default:
		r = creds_json(&q->body, &e.creds);
		break;
	}
	if (r == AFP_ERR_NOTFOUND) {
		cgi_fail(q, 503, "caller identity not available yet",
		    "cache entry without identity");
		goto out;
	}
	if (r != AFP_OK) {
		buf_reset(&q->body);
		cgi_fail(q, 500, "internal error", "answer: %s", afp_strerror(r));
		goto out;
	}
	q->rp.status = 200;
 out:
	cache_entry_clear(&e);
}

static int
parse_epoch(const char *s, long long *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/*
 * /status, for monitoring without credentials: 200 when the last refresher
 * run succeeded recently enough, else 503 with a reason that names no
 * account, role or user.
 */
static void
do_status(struct req *q)
{
	const struct conf *c = q->conf;
	struct json_doc d = { 0 };
	const struct buf *data = &q->aux.data;
	const char *ok;
	long long end, age, max_age;
	int n;
	afp_err r;

	if ((r = cgi_file_result(&q->aux)) == AFP_ERR_NOTFOUND) {
		cgi_fail(q, 503, "no refresh has completed yet", "no status.json");
		goto out;
	}
	if (r != AFP_OK || json_parse(buf_str(data), data->len, &d) != AFP_OK ||
	    (ok = json_get(&d, "ok", JSON_BOOL)) == NULL ||
	    !parse_epoch(json_get(&d, "end", JSON_NUMBER), &end)) {
		cgi_fail(q, 503, "refresh status unreadable", "status.json: %s",
		    r != AFP_OK ? afp_strerror(r) : "malformed");
		goto out;
	}
	if (strcmp(ok, "true") != 0) {
		cgi_fail(q, 503, "last refresh failed", "status.json says failed");
		goto out;
	}
	age = (long long)q->now - end;
	max_age = 2LL * c->refresh_before + STATUS_SLACK;
	if (age < -STATUS_SLACK) {
		cgi_fail(q, 503, "refresh status is from the future",
		    "status.json end %lld is ahead of the clock", end);
		goto out;
	}
	if (age > max_age) {
		n = fmt_snprintf(q->msg, sizeof(q->msg),
		    "cache stale: last refresh ended %lld s ago", age);
		cgi_fail(q, 503, n > 0 && (size_t)n < sizeof(q->msg) ? q->msg :
		    "cache stale", "status.json end %lld, limit %lld s", end,
		    max_age);
		goto out;
	}
	q->rp.status = 200;
	q->message = "OK";
 out:
	json_doc_free(&d);
}

/*
 * allowed_hosts, when set, names every Host a request may carry (with or
 * without its port): a rebound DNS name gets nothing.
 */
static int
host_allowed(const struct conf *c)
{
	const char *host = getenv("HTTP_HOST");
	size_t i, n;

	if (c->allowed_hosts.n == 0)
		return 1;
	if (host == NULL)
		return 0;
	n = strcspn(host, ":");
	if (host[0] == '[')
		n = strcspn(host, "]") + 1;
	for (i = 0; i < c->allowed_hosts.n; i++) {
		const char *a = c->allowed_hosts.v[i];

		if (strcasecmp(a, host) == 0 ||
		    (strlen(a) == n && strncasecmp(a, host, n) == 0))
			return 1;
	}
	return 0;
}

/* What each route reads, read before the sandbox. */
static void
route_read(struct req *q)
{
	switch (q->rt.ep) {
	case ROUTE_STATUS:
		cgi_file_read(q, &q->aux, "status.json", STATUS_MAX);
		return;
	case ROUTE_IMDS_LIST:
	case ROUTE_IMDS_ROLE:
	case ROUTE_IMDS_TOKEN:
		imds_read(q);
		return;
	case ROUTE_ACCOUNTS:
		return;
	default:
		role_read(q);
		return;
	}
}

int
cgi_sandbox(struct req *q)
{
	afp_err r;

	if (cgi_scope(q) == -1)
		return -1;
	route_read(q);
	log_prepare();
	if ((r = sandbox_enter()) != AFP_OK) {
		cgi_fail(q, 500, "internal error", "sandbox: %s", afp_strerror(r));
		return -1;
	}
	return 0;
}

static void
dispatch(struct req *q)
{
	switch (q->rt.ep) {
	case ROUTE_STATUS:
		if (cgi_sandbox(q) == 0)
			do_status(q);
		return;
	case ROUTE_IMDS_LIST:
	case ROUTE_IMDS_ROLE:
	case ROUTE_IMDS_TOKEN:
		imds_answer(q);
		return;
	case ROUTE_NONE:
		break;
	default:
		if (cgi_authenticate(q) != AFP_OK || cgi_sandbox(q) == -1)
			return;
		switch (q->rt.ep) {
		case ROUTE_ACCOUNTS:
			if (html_wanted())
				html_accounts(q);
			else
				do_accounts(q);
			return;
		case ROUTE_CONSOLEURL:
		case ROUTE_CONSOLE:
			console_answer(q);
			return;
		case ROUTE_ECR:
			ecr_answer(q);
			return;
		default:
			do_role(q);
			return;
		}
	}
	cgi_fail(q, 500, "internal error", "no handler for the route");
}

/* Write the answer; a body that cannot be formatted becomes a 500. */
static int
answer(struct req *q)
{
	afp_err r;

	q->rp.head = q->rt.head;
	q->rp.allow = q->rp.status == 405 ? q->rt.allow : NULL;
	if (q->rp.status != 302)
		q->rp.location = NULL;
	if ((q->rp.status == 200 || q->rp.status == 302) && q->message == NULL)
		r = reply_send(STDOUT_FILENO, &q->rp, buf_str(&q->body),
		    q->body.len);
	else
		r = reply_send_message(STDOUT_FILENO, &q->rp,
		    q->message != NULL ? q->message : "internal error");
	if (r != AFP_OK && r != AFP_ERR_IO) {
		cgi_fail(q, 500, "internal error", "answer: %s", afp_strerror(r));
		r = reply_send_message(STDOUT_FILENO, &q->rp, q->message);
	}
	if (r != AFP_OK) {
		log_err("cannot write the answer: %s", afp_strerror(r));
		return 1;
	}
	return 0;
}

/* One line per request: identifiers only, never a secret. */
static void
log_request(const struct req *q)
{
	const char *user = q->user.len > 0 ? buf_str(&q->user) : "-";
	const char *addr = q->addr != NULL ? q->addr : "-";
	const char *sep = q->detail[0] != '\0' ? ": " : "";

	/* A 503 is the refresher's problem, reported on its own. */
	if (q->rp.status >= 500 && q->rp.status != 503)
		log_err("user=%s addr=%s path=%s status=%d%s%s", user, addr,
		    q->rt.path, q->rp.status, sep, q->detail);
	else if (q->rp.status >= 400)
		log_warn("user=%s addr=%s path=%s status=%d%s%s", user, addr,
		    q->rt.path, q->rp.status, sep, q->detail);
	else
		log_info("user=%s addr=%s path=%s status=%d", user, addr,
		    q->rt.path, q->rp.status);
}

int
main(void)
{
	struct route_env env;
	struct req q;
	afp_err r;
	int rc;

	sandbox_prepare();
	if (fds_sane() == -1)
		return 1;
	umask(077);
	/* A client that goes away must not kill us before the wiping. */
	(void)signal(SIGPIPE, SIG_IGN);
	log_open(IDENT, LOG_DEST_SYSLOG, 0);

	memset(&q, 0, sizeof(q));
	buf_init(&q.user, AUTH_HEADER_MAX);
	buf_init(&q.body, BUF_MAX_DEFAULT);
	/* Until a handler says otherwise, the answer is a 500. */
	q.rp.status = 500;
	q.addr = remote_addr();
	q.now = tm_now_syscall();

	/* Routing reads only the environment; its answer waits for setup. */
	route_env_get(&env);
	if (route_parse(&env, &q.rt) != AFP_OK)
		cgi_fail(&q, q.rt.status, q.rt.message, "%s", q.rt.detail);
	/* A foreign Host learns nothing, not even which paths exist. */
	if ((r = setup(&q)) == AFP_OK && q.now == (time_t)-1)
		cgi_fail(&q, 500, "internal error", "no clock");
	else if (r == AFP_OK && !host_allowed(q.conf))
		cgi_fail(&q, 403, "host not allowed", "Host not in allowed_hosts "
		    "(%zu bytes)", getenv("HTTP_HOST") ?
		    strlen(getenv("HTTP_HOST")) : 0);
	else if (r == AFP_OK && q.rt.status == 0)
		dispatch(&q);

	/* Log first: the server may kill us once the answer is complete. */
	log_request(&q);
	rc = answer(&q);
	cgi_authorization_wipe();
	buf_free(&q.entry.data);
	buf_free(&q.aux.data);
	buf_free(&q.body);
	buf_free(&q.user);
	strlist_free(&q.groups);
	conf_free(q.conf);
	sandbox_exit(rc);
}
