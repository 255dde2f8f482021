/* Unit tests for conf: run from the top of the tree (fixtures are relative). */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "conf.h"

#define DATA "tests/data/conf"
#define AFP_MIN "[afp]\naccounts_dir = accounts.d\n"

static char tmpdir[] = "/tmp/afp-test-conf-XXXXXX";
static int ncase;

static int
write_file(const char *path, const char *text, mode_t mode)
{
	int fd;
	size_t n = strlen(text);

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) ==
	    -1)
		return -1;
	if (write(fd, text, n) != (ssize_t)n || fchmod(fd, mode) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * A fresh config directory: <tmp>/caseN/afp.conf and accounts.d/a.conf,
 * b.conf (each NULL to leave it out). dir receives <tmp>/caseN.
 */
static int
make_case(const char *afp, const char *a, const char *b, char *dir,
    size_t dirsz)
{
	char path[PATH_MAX];
	int n;

	n = snprintf(dir, dirsz, "%s/case%d", tmpdir, ++ncase);
	if (n < 0 || (size_t)n >= dirsz || mkdir(dir, 0700) == -1)
		return -1;
	n = snprintf(path, sizeof(path), "%s/accounts.d", dir);
	if (n < 0 || (size_t)n >= sizeof(path) || mkdir(path, 0700) == -1)
		return -1;
	n = snprintf(path, sizeof(path), "%s/afp.conf", dir);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (afp != NULL && write_file(path, afp, 0644) == -1))
		return -1;
	n = snprintf(path, sizeof(path), "%s/accounts.d/a.conf", dir);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (a != NULL && write_file(path, a, 0644) == -1))
		return -1;
	n = snprintf(path, sizeof(path), "%s/accounts.d/b.conf", dir);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (b != NULL && write_file(path, b, 0644) == -1))
		return -1;
	return 0;
}

/* Load a case; the returned conf (or NULL) is the caller's. */
static afp_err
load_case(const char *afp, const char *a, const char *b, struct conf **c,
    struct buf *err, char *dir, size_t dirsz)
{
	char path[PATH_MAX];
	int n;

	*c = NULL;
	if (make_case(afp, a, b, dir, dirsz) == -1)
		return AFP_ERR_IO;
	n = snprintf(path, sizeof(path), "%s/afp.conf", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return AFP_ERR_IO;
	return conf_load(path, c, err);
}

/* snprintf that reports truncation as a failed check. */
static void __attribute__((format(printf, 3, 4)))
xfmt(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		T_OK(0, "test text fits its buffer");
		dst[0] = '\0';
	}
}

/* "<dir>/<where>: <msg>" with every "{dir}" in msg replaced by dir. */
static void
want_msg(char *want, size_t size, const char *dir, const char *where,
    const char *msg)
{
	struct buf b;
	const char *s;
	afp_err r;

	buf_init(&b, size - 1);
	r = buf_printf(&b, "%s/%s: ", dir, where);
	for (; r == AFP_OK && (s = strstr(msg, "{dir}")) != NULL; msg = s + 5)
		if ((r = buf_add(&b, msg, (size_t)(s - msg))) == AFP_OK)
			r = buf_addstr(&b, dir);
	if (r == AFP_OK)
		r = buf_addstr(&b, msg);
	xfmt(want, size, "%s", r == AFP_OK ? buf_str(&b) : "");
	buf_free(&b);
}

/*
 * The config must fail to load with r and exactly "<dir>/<where>: <msg>",
 * where is "afp.conf:3" or "accounts.d/a.conf:7".
 */
static void
expect_err_r(const char *label, afp_err want_r, const char *afp,
    const char *a, const char *b, const char *where, const char *msg)
{
	char dir[PATH_MAX], want[PATH_MAX + 1024];
	struct conf *c;
	struct buf err;
	afp_err r;

	buf_init(&err, 0);
	r = load_case(afp, a, b, &c, &err, dir, sizeof(dir));
	want_msg(want, sizeof(want), dir, where, msg);
	T_OK(r == want_r && c == NULL, "%s: refused (%s)", label,
	    afp_strerror(r));
	T_STREQ(buf_str(&err), want, "%s: message", label);
	conf_free(c);
	buf_free(&err);
}

static void
expect_err(const char *label, const char *afp, const char *a, const char *b,
    const char *where, const char *msg)
{
	expect_err_r(label, AFP_ERR_CONFIG, afp, a, b, where, msg);
}

/* The config must load; the conf is freed here. */
static void
expect_ok(const char *label, const char *afp, const char *a, const char *b)
{
	char dir[PATH_MAX];
	struct conf *c;
	struct buf err;
	afp_err r;

	buf_init(&err, 0);
	r = load_case(afp, a, b, &c, &err, dir, sizeof(dir));
	T_OK(r == AFP_OK && c != NULL, "%s: loads", label);
	if (r != AFP_OK)
		printf("#   %s\n", buf_str(&err));
	conf_free(c);
	buf_free(&err);
}

static int
list_is(const struct strlist *l, const char *const *want, size_t n)
{
	size_t i;

	if (l->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(l->v[i], want[i]) != 0)
			return 0;
	return 1;
}

static void
test_duration(void)
{
	static const struct {
		const char *s;
		unsigned secs;
	} good[] = {
		{ "90s", 90 }, { "15m", 900 }, { "1h", 3600 },
		{ "1h30m", 5400 }, { "1d", 86400 }, { "1d2h3m4s", 93784 },
		{ "2m30s", 150 }, { "1h0m", 3600 },
		{ "49710d", 49710u * 86400 },
		{ "4294967295s", 4294967295u },
	};
	static const char *const bad[] = {
		"", "0s", "0h0m", "1x", "h", "1h1h", "1m1h", "1s1m",
		"99999999999h", "49711d", "4294967296s", "1", "-1h", "+1h",
		" 1h", "1h ", "1 h", "1H", "1.5h", "1hh", "1h30",
	};
	unsigned v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		T_OK(conf_duration(good[i].s, &v) == AFP_OK &&
		    v == good[i].secs, "duration: \"%s\" is %us", good[i].s,
		    good[i].secs);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		T_OK(conf_duration(bad[i], &v) == AFP_ERR_INVAL && v == 12345,
		    "duration: \"%s\" refused", bad[i]);
	}
	T_EQ(conf_duration(NULL, &v), AFP_ERR_INVAL, "duration: NULL refused");
}

static void
test_uid(void)
{
	static const struct {
		const char *s;
		int is_uid;
		unsigned long uid;
	} cases[] = {
		{ "33", 1, 33 }, { "0", 1, 0 }, { "4294967294", 1, 4294967294UL },
		{ "4294967295", 0, 0 }, { "99999999999", 0, 0 },
		{ "www-data", 0, 0 }, { "33a", 0, 0 }, { "-1", 0, 0 },
		{ "+33", 0, 0 }, { "", 0, 0 },
	};
	size_t i;
	uid_t uid;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uid = 12345;
		T_OK(conf_uid(cases[i].s, &uid) == cases[i].is_uid &&
		    (!cases[i].is_uid || uid == (uid_t)cases[i].uid),
		    "uid: \"%s\" %s", cases[i].s,
		    cases[i].is_uid ? "is that uid" : "is no uid");
	}
}

static void
test_names(void)
{
	static const char *const good_names[] = {
		"prod", "a", "0", "Prod-1.eu_west", "a..b", "a-",
	};
	static const char *const bad_names[] = {
		"", ".", "..", "-x", "_x", ".hidden", "a/b", "a b", "a:b",
		"caf\xc3\xa9", "a\t", "a@b", "{user}", "a%2e",
	};
	static const char *const good_users[] = {
		"alice", "_svc", "a", "bob.smith", "alice@EXAMPLE.COM",
		"build-01", "x+y=z,w",
	};
	static const char *const bad_users[] = {
		"", ".", "..", "-x", ".x", "a/b", "a b", "a:b", "@x", "a\\b",
		"j\xc3\xb6rg", "a\tb", "a%2f",
	};
	char n64[65], n65[66];
	size_t i;

	memset(n64, 'x', sizeof(n64));
	n64[64] = '\0';
	memset(n65, 'x', sizeof(n65));
	n65[65] = '\0';
	T_OK(conf_name_ok(n64), "name_ok: 64 characters");
	T_OK(!conf_name_ok(n65), "name_ok: refuses 65 characters");
	T_OK(conf_user_ok(n64), "user_ok: 64 characters");
	T_OK(!conf_user_ok(n65), "user_ok: refuses 65 characters");
	for (i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++)
		T_OK(conf_name_ok(good_names[i]), "name_ok: \"%s\"",
		    good_names[i]);
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		T_OK(!conf_name_ok(bad_names[i]), "name_ok: refuses \"%s\"",
		    bad_names[i]);
	T_OK(!conf_name_ok(NULL), "name_ok: refuses NULL");
	for (i = 0; i < sizeof(good_users) / sizeof(good_users[0]); i++)
		T_OK(conf_user_ok(good_users[i]), "user_ok: \"%s\"",
		    good_users[i]);
	for (i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++)
		T_OK(!conf_user_ok(bad_users[i]), "user_ok: refuses \"%s\"",
		    bad_users[i]);
	T_OK(!conf_user_ok(NULL), "user_ok: refuses NULL");
	test_uid();
}

static void
test_good(void)
{
	static const char *const cb[] = { "https://intranet.example.com/",
	    "http://localhost:8080/cb" };
	static const char *const hosts[] = { "afp.example.com",
	    "127.0.0.1:8080" };
	static const char *const parns[] = {
	    "arn:aws-cn:iam::aws:policy/ReadOnlyAccess",
	    "arn:aws-cn:iam::123456789012:policy/extra" };
	static const char *const ab[] = { "alice", "bob" };
	static const char *const ops[] = { "ops" };
	static const char *const devs[] = { "devs" };
	static const char *const carol[] = { "carol" };
	static const char *const machines[] = { "10.0.0.7", "build-01" };
	static const char *const ecr[] = { "cn-north-1", "cn-northwest-1" };
	struct conf *c = NULL;
	const struct conf_role *r;
	struct buf err;
	afp_err e;
	size_t i;

	buf_init(&err, 0);
	e = conf_load(DATA "/good/afp.conf", &c, &err);
	T_OK(e == AFP_OK && c != NULL, "good: loads");
	if (c == NULL) {
		printf("#   %s\n", buf_str(&err));
		buf_free(&err);
		return;
	}
	T_STREQ(c->path, DATA "/good/afp.conf", "good: path");
	T_STREQ(c->cache_dir, DATA "/good/cache", "good: cache_dir relative");
	T_STREQ(c->accounts_dir, DATA "/good/accounts.d",
	    "good: accounts_dir relative");
	T_STREQ(c->secrets_file, "/etc/afp-test/secrets.conf",
	    "good: secrets_file absolute");
	T_EQ(c->auth, CONF_AUTH_REMOTE_USER, "good: auth");
	T_STREQ(c->pam_service, "afp-test", "good: pam_service");
	T_STREQ(c->web_user, "lighttpd", "good: web_user");
	T_EQ(c->machine_auth, CONF_AUTH_PAM, "good: machine_auth");
	T_STREQ(c->machine_user_env, "SSL_CLIENT_S_DN_CN",
	    "good: machine_user_env");
	T_STREQ(c->user_env, "HTTP_X_USER", "good: user_env");
	T_STREQ(c->group_pattern, "aws-{account}-{role}",
	    "good: group_pattern");
	T_STREQ(c->partition, "aws-cn", "good: partition");
	T_STREQ(c->region, "cn-north-1", "good: region");
	T_EQ(c->default_duration, 1800, "good: default_duration");
	T_EQ(c->max_duration, 7200, "good: max_duration");
	T_EQ(c->refresh_before, 600, "good: refresh_before");
	T_EQ(c->concurrency, 4, "good: concurrency");
	T_EQ(c->timeout, 90, "good: timeout");
	T_OK(list_is(&c->callback_allow, cb, 2), "good: callback_allow");
	T_OK(list_is(&c->allowed_hosts, hosts, 2), "good: allowed_hosts");
	T_EQ(c->imds_v1, 0, "good: imds_v1");
	T_EQ(c->log, LOG_DEST_STDERR, "good: log");
	T_STREQ(c->sts_endpoint, "http://127.0.0.1:5000", "good: sts_endpoint");
	T_STREQ(c->signin_endpoint, "https://signin.example.com/federation",
	    "good: signin_endpoint");
	T_STREQ(c->ecr_endpoint, "https://ecr.example.com",
	    "good: ecr_endpoint");

	T_EQ(c->naccounts, 2, "good: two accounts (other files skipped)");
	T_EQ(c->nroles, 6, "good: six roles");
	r = conf_role_find(c, "prod", "ci");
	T_OK(r != NULL && r->per_user == 0 &&
	    list_is(&r->machines, machines, 2), "prod/ci: shared, with machines");
	for (i = 1; i < c->nroles; i++) {
		int d = strcmp(c->roles[i - 1].account, c->roles[i].account);

		T_OK(d < 0 || (d == 0 &&
		    strcmp(c->roles[i - 1].name, c->roles[i].name) < 0),
		    "good: roles[%zu] sorted after roles[%zu]", i, i - 1);
	}

	r = conf_role_find(c, "prod", "admin");
	T_OK(r != NULL, "good: prod/admin found");
	if (r != NULL) {
		T_OK(r->acct != NULL &&
		    strcmp(r->acct->id, "123456789012") == 0,
		    "prod/admin: account resolved");
		T_EQ(r->type, ROLE_ASSUME_ROLE, "prod/admin: type");
		T_STREQ(r->role_arn,
		    "arn:aws-cn:iam::123456789012:role/path/Admin",
		    "prod/admin: role_arn");
		T_STREQ(r->external_id, "ext-id_42", "prod/admin: external_id");
		T_STREQ(r->policy, "{\"Version\":\"2012-10-17\",\"Statement\":"
		    "[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":"
		    "\"*\"}]}\n", "prod/admin: policy_file read");
		T_OK(list_is(&r->policy_arns, parns, 2),
		    "prod/admin: policy_arns");
		T_EQ(r->duration, 5400, "prod/admin: duration");
		T_STREQ(r->session_name, "afp-{user}@prod",
		    "prod/admin: session_name");
		T_EQ(r->per_user, 1, "prod/admin: per_user");
		T_OK(list_is(&r->allow_users, ab, 2),
		    "prod/admin: allow_users");
		T_OK(list_is(&r->allow_groups, ops, 1),
		    "prod/admin: allow_groups");
		T_EQ(r->machines.n, 0, "prod/admin: no machines (per-user)");
		T_EQ(r->console, 1, "prod/admin: console");
		T_STREQ(r->console_destination,
		    "https://console.amazonaws.cn/ec2/",
		    "prod/admin: console_destination");
		T_OK(list_is(&r->ecr_regions, ecr, 2),
		    "prod/admin: ecr_regions");
		T_STREQ(r->file, DATA "/good/accounts.d/10-prod.conf",
		    "prod/admin: file");
		T_EQ(r->line, 8, "prod/admin: line");
	}

	r = conf_role_find(c, "prod", "read");
	T_OK(r != NULL, "good: prod/read found");
	if (r != NULL) {
		T_EQ(r->type, ROLE_ASSUME_ROLE, "prod/read: default type");
		T_STREQ(r->role_arn, "arn:aws-cn:iam::123456789012:role/read",
		    "prod/read: role_arn built in the partition");
		T_OK(r->external_id == NULL && r->policy == NULL &&
		    r->policy_arns.n == 0, "prod/read: no policy, external_id");
		T_EQ(r->duration, 1800, "prod/read: default_duration");
		T_STREQ(r->session_name, "afp-{user}",
		    "prod/read: default session_name");
		T_EQ(r->per_user, 1, "prod/read: per_user");
		T_OK(r->allow_users.n == 0 && r->allow_groups.n == 0 &&
		    r->machines.n == 0 && r->ecr_regions.n == 0,
		    "prod/read: empty lists");
		T_EQ(r->console, 0, "prod/read: console off");
		T_STREQ(r->console_destination, "https://console.amazonaws.cn/",
		    "prod/read: console_destination of aws-cn");
	}

	r = conf_role_find(c, "dev", "early");
	T_OK(r != NULL && r->acct != NULL &&
	    strcmp(r->acct->id, "210987654321") == 0 &&
	    list_is(&r->allow_groups, devs, 1),
	    "dev/early: account declared in a later file");

	r = conf_role_find(c, "dev", "fed");
	T_OK(r != NULL, "good: dev/fed found");
	if (r != NULL) {
		T_EQ(r->type, ROLE_FEDERATION_TOKEN, "dev/fed: type");
		T_OK(r->role_arn == NULL, "dev/fed: no role_arn");
		T_OK(r->policy != NULL && strncmp(r->policy,
		    "{\"Version\":\"2012-10-17\"", 23) == 0 &&
		    r->policy[strlen(r->policy) - 1] == '}',
		    "dev/fed: inline policy");
		T_STREQ(r->session_name, "ci-shared", "dev/fed: session_name");
		T_EQ(r->per_user, 0, "dev/fed: shared");
		T_OK(list_is(&r->allow_users, carol, 1),
		    "dev/fed: allow_users");
		T_EQ(r->console, 1, "dev/fed: console = true");
	}

	r = conf_role_find(c, "dev", "base");
	T_OK(r != NULL, "good: dev/base found");
	if (r != NULL) {
		T_EQ(r->type, ROLE_SESSION_TOKEN, "dev/base: type");
		T_OK(r->session_name == NULL && r->per_user == 0 &&
		    r->role_arn == NULL, "dev/base: no session name, no arn");
		T_EQ(r->console, 0, "dev/base: console = 0");
	}

	T_OK(conf_role_find(c, "prod", "nope") == NULL, "find: unknown role");
	T_OK(conf_role_find(c, "nope", "admin") == NULL,
	    "find: unknown account");
	T_OK(conf_role_find(c, "dev", "admin") == NULL,
	    "find: role of another account");
	T_OK(conf_role_find(c, "prod", "Admin") == NULL, "find: case matters");
	T_OK(conf_role_find(c, NULL, "admin") == NULL, "find: NULL account");
	T_OK(conf_role_find(NULL, "prod", "admin") == NULL, "find: NULL conf");
	conf_free(c);
	buf_free(&err);
}

static void
test_defaults(void)
{
	struct conf *c = NULL;
	const struct conf_role *r;
	struct buf err;

	buf_init(&err, 0);
	T_OK(conf_load(DATA "/defaults/afp.conf", &c, &err) == AFP_OK &&
	    c != NULL, "defaults: loads");
	if (c == NULL) {
		printf("#   %s\n", buf_str(&err));
		buf_free(&err);
		return;
	}
	T_STREQ(c->cache_dir, "/var/cache/afp", "defaults: cache_dir");
	T_STREQ(c->secrets_file, "/etc/afp/secrets.conf",
	    "defaults: secrets_file");
	T_EQ(c->auth, CONF_AUTH_PAM, "defaults: auth");
	T_STREQ(c->pam_service, "afp", "defaults: pam_service");
	T_STREQ(c->web_user, "www-data", "defaults: web_user");
	T_EQ(c->machine_auth, CONF_AUTH_REMOTE_USER, "defaults: machine_auth");
	T_STREQ(c->machine_user_env, "REMOTE_ADDR",
	    "defaults: machine_user_env");
	T_STREQ(c->user_env, "REMOTE_USER", "defaults: user_env");
	T_OK(c->group_pattern == NULL, "defaults: no group_pattern");
	T_STREQ(c->partition, "aws", "defaults: partition");
	T_STREQ(c->region, "us-east-1", "defaults: region");
	T_EQ(c->default_duration, 3600, "defaults: default_duration");
	T_EQ(c->max_duration, 43200, "defaults: max_duration");
	T_EQ(c->refresh_before, 900, "defaults: refresh_before");
	T_EQ(c->concurrency, 8, "defaults: concurrency");
	T_EQ(c->timeout, 10, "defaults: timeout");
	T_OK(c->callback_allow.n == 0 && c->allowed_hosts.n == 0,
	    "defaults: empty lists");
	T_EQ(c->imds_v1, 1, "defaults: imds_v1");
	T_EQ(c->log, LOG_DEST_SYSLOG, "defaults: log");
	T_OK(c->sts_endpoint == NULL && c->signin_endpoint == NULL &&
	    c->ecr_endpoint == NULL, "defaults: no endpoints");
	r = conf_role_find(c, "prod", "admin");
	T_OK(r != NULL, "defaults: prod/admin found");
	if (r != NULL) {
		T_STREQ(r->role_arn, "arn:aws:iam::123456789012:role/admin",
		    "defaults: role_arn");
		T_EQ(r->duration, 3600, "defaults: role duration");
		T_STREQ(r->session_name, "afp-{user}",
		    "defaults: session_name");
		T_STREQ(r->console_destination,
		    "https://console.aws.amazon.com/",
		    "defaults: console_destination");
	}
	conf_free(c);
	buf_free(&err);
}

static void
test_partitions(void)
{
	static const struct {
		const char *partition, *console;
	} v[] = {
		{ "aws-us-gov", "https://console.amazonaws-us-gov.com/" },
		{ "aws-cn", "https://console.amazonaws.cn/" },
		{ "aws", "https://console.aws.amazon.com/" },
	};
	char afp[256], dir[PATH_MAX];
	struct conf *c;
	const struct conf_role *r;
	struct buf err;
	size_t i;
	int n;

	buf_init(&err, 0);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = snprintf(afp, sizeof(afp), AFP_MIN "partition = %s\n",
		    v[i].partition);
		T_OK(n > 0 && (size_t)n < sizeof(afp) &&
		    load_case(afp, "[account a]\nid = 111111111111\n"
		    "[role a/r]\n", NULL, &c, &err, dir, sizeof(dir)) == AFP_OK,
		    "partition %s: loads", v[i].partition);
		r = conf_role_find(c, "a", "r");
		T_OK(r != NULL && strcmp(r->console_destination,
		    v[i].console) == 0, "partition %s: console destination",
		    v[i].partition);
		conf_free(c);
	}
	buf_free(&err);
}

static void
test_dup_fixtures(void)
{
	struct conf *c = NULL;
	struct buf err;

	buf_init(&err, 0);
	T_EQ(conf_load(DATA "/bad-dup/afp.conf", &c, &err), AFP_ERR_CONFIG,
	    "dup fixture: refused");
	T_OK(c == NULL, "dup fixture: no conf");
	T_STREQ(buf_str(&err), DATA "/bad-dup/accounts.d/a.conf:7: duplicate "
	    "section [role prod/admin] (first at " DATA
	    "/bad-dup/accounts.d/a.conf:4)", "dup fixture: same file");
	T_EQ(conf_load(DATA "/bad-dup-files/afp.conf", &c, &err),
	    AFP_ERR_CONFIG, "dup-files fixture: refused");
	T_STREQ(buf_str(&err), DATA "/bad-dup-files/accounts.d/b.conf:3: "
	    "duplicate section [account prod] (first at " DATA
	    "/bad-dup-files/accounts.d/a.conf:1)", "dup fixture: across files");
	T_EQ(conf_load(DATA "/nonexistent/afp.conf", &c, &err), AFP_ERR_IO,
	    "missing afp.conf: I/O error");
	T_STREQ(buf_str(&err), DATA "/nonexistent/afp.conf: cannot open: "
	    "No such file or directory", "missing afp.conf: message");
	buf_free(&err);
}

static void
test_errors(void)
{
	static const char acct[] = "[account prod]\nid = 123456789012\n";
	char line[256], text[512], msg[512], n64[65], n65[66];

	/* Each error class, with a passing neighbour where one is close. */
	expect_err("unknown key in [afp]", AFP_MIN "foo = 1\n", NULL, NULL,
	    "afp.conf:3", "unknown key \"foo\" in [afp]");
	expect_err("unknown key in a role", AFP_MIN,
	    "[account prod]\nid = 123456789012\n[role prod/admin]\n"
	    "bogus = 1\n", NULL, "accounts.d/a.conf:4",
	    "unknown key \"bogus\" in [role prod/admin]");
	expect_err("machines on a per-user role", AFP_MIN,
	    "[account prod]\nid = 123456789012\n[role prod/admin]\n"
	    "allow_users = alice\nmachines = 10.0.0.7\n", NULL,
	    "accounts.d/a.conf:5", "machines need a shared session: set a "
	    "session_name without {user} (the default is afp-{user})");
	expect_err("keys are case-sensitive", AFP_MIN "Region = us-east-1\n",
	    NULL, NULL, "afp.conf:3", "unknown key \"Region\" in [afp]");
	expect_err("unknown section in afp.conf", AFP_MIN "[other]\n", NULL,
	    NULL, "afp.conf:3", "unknown section [other]");
	expect_err("account section in afp.conf", AFP_MIN
	    "[account prod]\nid = 123456789012\n", NULL, NULL, "afp.conf:3",
	    "unknown section [account prod]");
	expect_err("unknown section in accounts.d", AFP_MIN, "[user prod]\n",
	    NULL, "accounts.d/a.conf:1", "unknown section [user prod]");
	expect_err("[afp] in accounts.d", AFP_MIN, "[afp]\n", NULL,
	    "accounts.d/a.conf:1", "unknown section [afp]");
	expect_err("duplicate [afp]", AFP_MIN "[afp]\n", NULL, NULL,
	    "afp.conf:3", "duplicate section [afp]");
	expect_err("role name ..", AFP_MIN, "[role prod/..]\n", NULL,
	    "accounts.d/a.conf:1", "bad role name \"prod/..\" (allowed: "
	    "[A-Za-z0-9][A-Za-z0-9._-]{0,63} on each side of the /)");
	expect_err("role account ..", AFP_MIN, "[role ../x]\n", NULL,
	    "accounts.d/a.conf:1", "bad role name \"../x\" (allowed: "
	    "[A-Za-z0-9][A-Za-z0-9._-]{0,63} on each side of the /)");
	expect_err("role name with a slash", AFP_MIN, "[role prod/a/b]\n", NULL,
	    "accounts.d/a.conf:1", "bad role name \"prod/a/b\" (allowed: "
	    "[A-Za-z0-9][A-Za-z0-9._-]{0,63} on each side of the /)");
	expect_err("role without account", AFP_MIN, "[role prod]\n", NULL,
	    "accounts.d/a.conf:1", "role section must be [role ACCOUNT/ROLE]");
	expect_err("account name a/b", AFP_MIN, "[account a/b]\n", NULL,
	    "accounts.d/a.conf:1", "bad account name \"a/b\" (allowed: "
	    "[A-Za-z0-9][A-Za-z0-9._-]{0,63})");
	expect_err("account without name", AFP_MIN, "[account]\n", NULL,
	    "accounts.d/a.conf:1", "[account] needs a name: [account NAME]");
	/* inih would cut section names at 49 bytes; ours are whole. */
	memset(n64, 'p', 64);
	n64[64] = '\0';
	memset(n65, 'r', 65);
	n65[65] = '\0';
	xfmt(text, sizeof(text), "[role %s/%s]\n", n64, n65);
	xfmt(msg, sizeof(msg), "bad role name \"%s/%s\" (allowed: [A-Za-z0-9]"
	    "[A-Za-z0-9._-]{0,63} on each side of the /)", n64, n65);
	expect_err("65-char role name", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:1", msg);
	n65[64] = '\0';
	xfmt(text, sizeof(text), "[account %s]\nid = 123456789012\n"
	    "[role %s/%s]\n", n64, n64, n65);
	expect_ok("64-char names on both sides", AFP_MIN, text, NULL);
	xfmt(text, sizeof(text), "[account %sx]\n", n64);
	xfmt(msg, sizeof(msg), "bad account name \"%sx\" (allowed: "
	    "[A-Za-z0-9][A-Za-z0-9._-]{0,63})", n64);
	expect_err("65-char account name", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:1", msg);

	expect_err("bad duration", AFP_MIN, "[account prod]\nid = 123456789012"
	    "\n[role prod/admin]\nduration = 1h1h\n", NULL,
	    "accounts.d/a.conf:4",
	    "bad duration duration = \"1h1h\" (like 90s, 15m, 1h30m, 1d)");
	expect_err("duration under 15m", AFP_MIN, "[account prod]\n"
	    "id = 123456789012\n[role prod/admin]\nduration = 14m59s\n", NULL,
	    "accounts.d/a.conf:4", "duration = 14m59s is shorter than 900s");
	expect_ok("duration of 15m", AFP_MIN, "[account prod]\n"
	    "id = 123456789012\n[role prod/admin]\nduration = 15m\n", NULL);
	expect_err("duration over max_duration", AFP_MIN "max_duration = 2h\n",
	    "[account prod]\nid = 123456789012\n[role prod/admin]\n"
	    "duration = 2h1s\n", NULL, "accounts.d/a.conf:4",
	    "duration = 2h1s is longer than 7200s");
	expect_ok("duration at max_duration", AFP_MIN "max_duration = 2h\n",
	    "[account prod]\nid = 123456789012\n[role prod/admin]\n"
	    "duration = 2h\n", NULL);
	expect_err("max_duration over 12h", AFP_MIN "max_duration = 12h1s\n",
	    NULL, NULL, "afp.conf:3", "max_duration = 12h1s is longer than "
	    "43200s");
	expect_err("default over max", AFP_MIN "default_duration = 3h\n"
	    "max_duration = 2h\n", NULL, NULL, "afp.conf:3",
	    "default_duration (10800s) is longer than max_duration (7200s)");
	expect_err("implicit default over max", AFP_MIN "max_duration = 30m\n",
	    NULL, NULL, "afp.conf:3",
	    "default_duration (3600s) is longer than max_duration (1800s)");
	expect_err("zero timeout", AFP_MIN "timeout = 0s\n", NULL, NULL,
	    "afp.conf:3",
	    "bad duration timeout = \"0s\" (like 90s, 15m, 1h30m, 1d)");

	expect_err("duplicate key", AFP_MIN, "[account prod]\n"
	    "id = 123456789012\n[role prod/admin]\nallow_users = alice\n"
	    "allow_users = bob\n", NULL, "accounts.d/a.conf:5",
	    "duplicate key allow_users in [role prod/admin] (first at line 4)");
	expect_err("duplicate key in [afp]", AFP_MIN "region = us-east-1\n"
	    "region = eu-west-1\n", NULL, NULL, "afp.conf:4",
	    "duplicate key region in [afp] (first at line 3)");
	expect_ok("same key in two sections", AFP_MIN, "[account prod]\n"
	    "id = 123456789012\n[account dev]\nid = 123456789013\n", NULL);
	expect_err("duplicate section, same file", AFP_MIN, "[account prod]\n"
	    "id = 123456789012\n[account prod]\nid = 123456789012\n", NULL,
	    "accounts.d/a.conf:3", "duplicate section [account prod] (first "
	    "at {dir}/accounts.d/a.conf:1)");
	expect_err("indented continuation", AFP_MIN, "[account prod]\n"
	    "id = 123456789012\n[role prod/admin]\nallow_users = alice\n"
	    "  bob\n", NULL, "accounts.d/a.conf:5",
	    "indented line (continuation lines are not supported)");
	expect_ok("indented comment and blank lines", AFP_MIN "  ; note\n\t\n"
	    "   \n", NULL, NULL);

	expect_err("missing id", AFP_MIN, "[account prod]\n[role prod/admin]\n",
	    NULL, "accounts.d/a.conf:1",
	    "missing required key id in [account prod]");
	expect_err("missing id at end of file", AFP_MIN, "\n[account prod]\n",
	    NULL, "accounts.d/a.conf:2",
	    "missing required key id in [account prod]");
	expect_err("empty id", AFP_MIN, "[account prod]\nid =\n", NULL,
	    "accounts.d/a.conf:2", "id needs a value");
	expect_err("short id", AFP_MIN, "[account prod]\nid = 12345678901\n",
	    NULL, "accounts.d/a.conf:2",
	    "bad id \"12345678901\" (12 digits)");
	expect_err("role of undeclared account", AFP_MIN, "[account prod]\n"
	    "id = 123456789012\n\n[role dev/admin]\n", NULL,
	    "accounts.d/a.conf:4",
	    "[role dev/admin]: account dev is not declared");

	/* 199 characters fit inih's 200-byte buffer; 200 do not. */
	memset(line, 'x', sizeof(line));
	line[0] = ';';
	line[199] = '\n';
	line[200] = '\0';
	xfmt(text, sizeof(text), AFP_MIN "%s", line);
	expect_ok("199-character line", text, NULL, NULL);
	line[199] = 'x';
	line[200] = '\n';
	line[201] = '\0';
	xfmt(text, sizeof(text), AFP_MIN "%s", line);
	expect_err("200-character line", text, NULL, NULL, "afp.conf:3",
	    "line longer than 199 characters");
	memset(line, 'a', sizeof(line));
	memcpy(line, "allow_users = ", 14);
	line[250] = '\0';
	xfmt(text, sizeof(text), "%s[role prod/admin]\n%s\n", acct, line);
	expect_err("overlong key line is not split", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4", "line longer than 199 characters");

	expect_err("bad boolean", AFP_MIN "imds_v1 = maybe\n", NULL, NULL,
	    "afp.conf:3", "bad boolean imds_v1 = \"maybe\" (yes, no, true, "
	    "false, 1 or 0)");
	expect_err("boolean is case-sensitive", AFP_MIN, "[account prod]\n"
	    "id = 123456789012\n[role prod/admin]\nconsole = Yes\n", NULL,
	    "accounts.d/a.conf:4", "bad boolean console = \"Yes\" (yes, no, "
	    "true, false, 1 or 0)");
	expect_err("bad partition", AFP_MIN "partition = aws-eu\n", NULL, NULL,
	    "afp.conf:3",
	    "bad partition \"aws-eu\" (aws, aws-cn or aws-us-gov)");
	expect_err("bad region", AFP_MIN "region = US-EAST-1\n", NULL, NULL,
	    "afp.conf:3", "bad region \"US-EAST-1\" (like us-east-1)");
	expect_err("bad auth", AFP_MIN "auth = ldap\n", NULL, NULL,
	    "afp.conf:3", "bad auth \"ldap\" (pam or remote_user)");
	expect_err("concurrency 0", AFP_MIN "concurrency = 0\n", NULL, NULL,
	    "afp.conf:3", "bad concurrency \"0\" (1 to 64)");
	expect_err("concurrency 65", AFP_MIN "concurrency = 65\n", NULL, NULL,
	    "afp.conf:3", "bad concurrency \"65\" (1 to 64)");
	expect_err("concurrency 8x", AFP_MIN "concurrency = 8x\n", NULL, NULL,
	    "afp.conf:3", "bad concurrency \"8x\" (1 to 64)");
	expect_ok("concurrency 64", AFP_MIN "concurrency = 64\n", NULL, NULL);
	expect_err("empty web_user", AFP_MIN "web_user =\n", NULL, NULL,
	    "afp.conf:3", "web_user needs a value");
	expect_err("web_user too large a uid", AFP_MIN "web_user = 4294967295\n",
	    NULL, NULL, "afp.conf:3",
	    "bad web_user \"4294967295\" (a user name or a uid)");
	expect_ok("web_user a uid", AFP_MIN "web_user = 33\n", NULL, NULL);
	expect_err("bad user_env", AFP_MIN "user_env = 1X\n", NULL, NULL,
	    "afp.conf:3", "bad user_env \"1X\" (an environment variable name)");
	expect_err("sts_endpoint ftp", AFP_MIN "sts_endpoint = ftp://x\n", NULL,
	    NULL, "afp.conf:3", "bad sts_endpoint \"ftp://x\" (an http:// or "
	    "https:// URL)");
	expect_err("sts_endpoint without host", AFP_MIN
	    "sts_endpoint = https:///x\n", NULL, NULL, "afp.conf:3",
	    "bad sts_endpoint \"https:///x\" (an http:// or https:// URL)");
	expect_ok("empty sts_endpoint is unset", AFP_MIN "sts_endpoint =\n",
	    NULL, NULL);
	expect_err("callback_allow entry", AFP_MIN "callback_allow = "
	    "https://ok/ javascript:alert(1)\n", NULL, NULL, "afp.conf:3",
	    "bad entry \"javascript:alert(1)\" in callback_allow");
	expect_err("group_pattern braces",
	    AFP_MIN "group_pattern = aws-{user}\n",
	    NULL, NULL, "afp.conf:3", "bad group_pattern: only group name "
	    "characters, {account} and {role} are allowed");
	expect_err("group_pattern without placeholder", AFP_MIN
	    "group_pattern = admins\n", NULL, NULL, "afp.conf:3",
	    "group_pattern needs {account} or {role}");
	expect_err("key outside a section", "region = us-east-1\n" AFP_MIN,
	    NULL, NULL, "afp.conf:1", "key \"region\" outside of a section");
	expect_err("no key = value", AFP_MIN "garbage\n", NULL, NULL,
	    "afp.conf:3", "expected key = value");
	expect_err("comment hides the =", AFP_MIN "garbage ;= x\n", NULL, NULL,
	    "afp.conf:3", "expected key = value");
	expect_err("header without ]", AFP_MIN "[afp\n", NULL, NULL,
	    "afp.conf:3", "section header without ]");
	expect_err("text after header", "[afp] x\n", NULL, NULL, "afp.conf:1",
	    "text after the section header");
	expect_err("control character", AFP_MIN "region = us-east-1\x01\n",
	    NULL, NULL, "afp.conf:3", "control character in line");
	expect_ok("CRLF line ends and BOM", "\xef\xbb\xbf[afp]\r\n"
	    "accounts_dir = accounts.d\r\n", NULL, NULL);

	xfmt(text, sizeof(text), "%s[role prod/admin]\npolicy = {}\n"
	    "policy_file = p.json\n", acct);
	expect_err("policy and policy_file", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:5",
	    "policy and policy_file are mutually exclusive");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "policy_file = missing.json\n", acct);
	expect_err("policy_file missing", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4", "policy_file: {dir}/accounts.d/missing.json:"
	    " cannot open: No such file or directory");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "role_arn = arn:aws-cn:iam::123456789012:role/x\n", acct);
	expect_err("role_arn in another partition", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4", "bad role_arn \"arn:aws-cn:iam::"
	    "123456789012:role/x\" (arn:aws:iam::ACCOUNT-ID:role/NAME)");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "policy_arns = arn:aws:iam::aws:role/x\n", acct);
	expect_err("policy_arns not a policy", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4",
	    "bad entry \"arn:aws:iam::aws:role/x\" in policy_arns");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "allow_users = alice ../x\n", acct);
	expect_err("bad user in allow_users", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4", "bad entry \"../x\" in allow_users");
	xfmt(text, sizeof(text), "%s[role prod/admin]\ntype = admin\n",
	    acct);
	expect_err("bad type", AFP_MIN, text, NULL, "accounts.d/a.conf:4",
	    "bad type \"admin\" (assume_role, federation_token or "
	    "session_token)");

	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "session_name = afp-{host}\n", acct);
	expect_err("session_name placeholder", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4", "bad session_name \"afp-{host}\": only "
	    "{user} may appear in braces");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "session_name = afp/{user}\n", acct);
	expect_err("session_name character", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4", "bad session_name \"afp/{user}\": STS "
	    "allows only [A-Za-z0-9+=,.@_-]");
	xfmt(text, sizeof(text), "%s[role prod/admin]\nsession_name = x\n",
	    acct);
	expect_err("session_name too short", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4", "session_name needs at least 2 characters");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "type = federation_token\n"
	    "session_name = {user}23456789012345678901234567890123\n", acct);
	expect_err("federation name over 32", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:5", "session_name \"{user}2345678901234567890"
	    "1234567890123\" is longer than the 32 characters STS allows for "
	    "federation_token");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "type = federation_token\n"
	    "session_name = {user}2345678901234567890123456789012\n", acct);
	expect_ok("federation name of 32", AFP_MIN, text, NULL);
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "session_name = {user}23456789012345678901234567890123\n", acct);
	expect_ok("same name is fine for assume_role", AFP_MIN, text, NULL);
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "type = session_token\nsession_name = afp-{user}\n", acct);
	expect_err("session_name for session_token", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:5",
	    "session_name does not apply to type session_token");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "type = session_token\nconsole = yes\n", acct);
	expect_err("console for session_token", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:5", "console sign-in needs assume_role or "
	    "federation_token credentials, not session_token");
	xfmt(text, sizeof(text), "%s[role prod/admin]\n"
	    "role_arn = arn:aws:iam::123456789012:role/x\n"
	    "type = federation_token\n", acct);
	expect_err("role_arn for federation_token", AFP_MIN, text, NULL,
	    "accounts.d/a.conf:4",
	    "role_arn does not apply to type federation_token");
	expect_err_r("missing accounts_dir", AFP_ERR_IO,
	    "[afp]\naccounts_dir = nope\n",
	    NULL, NULL, "nope", "cannot open accounts_dir: No such file or "
	    "directory");
	expect_err("no [afp] section", "; empty\n", NULL, NULL, "afp.conf",
	    "no [afp] section");
}

/*
 * The shipped examples load, and afp.conf shows the defaults. Its
 * accounts_dir is pointed at conf/accounts.d in a copy.
 */
static void
test_examples(void)
{
	static const char key[] = "accounts_dir   = /etc/afp/accounts.d\n";
	char cwd[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];
	struct buf text, err;
	struct conf *c = NULL, *d = NULL;
	const struct conf_role *r;
	const char *at;
	FILE *f;
	size_t n;
	int ok;

	buf_init(&text, 64 * 1024);
	buf_init(&err, 0);
	ok = getcwd(cwd, sizeof(cwd)) != NULL &&
	    (f = fopen("conf/afp.conf", "r")) != NULL;
	if (ok) {
		ok = (n = fread(path, 1, sizeof(path), f)) > 0 &&
		    buf_add(&text, path, n) == AFP_OK;
		while (ok && (n = fread(path, 1, sizeof(path), f)) > 0)
			ok = buf_add(&text, path, n) == AFP_OK;
		fclose(f);
	}
	at = ok ? strstr(buf_str(&text), key) : NULL;
	T_OK(at != NULL, "examples: conf/afp.conf read, accounts_dir found");
	if (at == NULL)
		goto out;
	xfmt(path, sizeof(path), "%.*saccounts_dir = %s/conf/accounts.d\n%s",
	    (int)(at - buf_str(&text)), buf_str(&text), cwd,
	    at + sizeof(key) - 1);
	T_EQ(load_case(path, NULL, NULL, &c, &err, dir, sizeof(dir)), AFP_OK,
	    "examples: conf/afp.conf and accounts.d/example.conf load");
	if (c == NULL) {
		printf("#   %s\n", buf_str(&err));
		goto out;
	}
	T_EQ(conf_load(DATA "/defaults/afp.conf", &d, &err), AFP_OK,
	    "examples: defaults fixture loads");
	if (d == NULL)
		goto out;
	T_OK(strcmp(c->cache_dir, d->cache_dir) == 0 &&
	    strcmp(c->secrets_file, d->secrets_file) == 0 &&
	    c->auth == d->auth && c->machine_auth == d->machine_auth &&
	    strcmp(c->pam_service, d->pam_service) == 0 &&
	    strcmp(c->web_user, d->web_user) == 0 &&
	    strcmp(c->machine_user_env, d->machine_user_env) == 0 &&
	    strcmp(c->user_env, d->user_env) == 0 &&
	    c->group_pattern == NULL &&
	    strcmp(c->partition, d->partition) == 0 &&
	    strcmp(c->region, d->region) == 0 &&
	    c->default_duration == d->default_duration &&
	    c->max_duration == d->max_duration &&
	    c->refresh_before == d->refresh_before &&
	    c->concurrency == d->concurrency && c->timeout == d->timeout &&
	    c->callback_allow.n == 0 && c->allowed_hosts.n == 0 &&
	    c->imds_v1 == d->imds_v1 && c->log == d->log &&
	    c->sts_endpoint == NULL && c->signin_endpoint == NULL &&
	    c->ecr_endpoint == NULL, "examples: afp.conf shows the defaults");
	T_EQ(c->nroles, 3, "examples: three roles");
	r = conf_role_find(c, "prod", "admin");
	T_OK(r != NULL && r->per_user && r->console && r->duration == 3600 &&
	    r->allow_users.n == 2 && r->ecr_regions.n == 2,
	    "examples: prod/admin");
	r = conf_role_find(c, "prod", "ci");
	T_OK(r != NULL && r->type == ROLE_FEDERATION_TOKEN && !r->per_user &&
	    r->policy_arns.n == 1, "examples: prod/ci");
 out:
	conf_free(c);
	conf_free(d);
	buf_free(&text);
	buf_free(&err);
}

/* Writes <tmp>/name with mode; returns the path in a static buffer. */
static const char *
secrets_path(const char *name)
{
	static char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return n > 0 && (size_t)n < sizeof(path) ? path : "/nonexistent";
}

static void
test_secrets(void)
{
	static const char good[] = "; base keys\n[source]\n"
	    "access_key_id = AKIAIOSFODNN7EXAMPLE\n"
	    "secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
	    "session_token =\n";
	struct afp_creds cr;
	struct buf err;
	char link[PATH_MAX], want[PATH_MAX + 128];
	const char *p;
	afp_err r;

	buf_init(&err, 0);
	p = secrets_path("s600");
	T_OK(write_file(p, good, 0600) == 0, "secrets: write 0600 file");
	r = conf_secrets_load(p, &cr, &err);
	T_EQ(r, AFP_OK, "secrets: mode 0600 accepted");
	T_STREQ(cr.akid, "AKIAIOSFODNN7EXAMPLE", "secrets: access_key_id");
	T_STREQ(cr.secret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	    "secrets: secret_access_key");
	T_OK(cr.token == NULL && cr.expiration == 0,
	    "secrets: empty session_token is unset");
	creds_clear(&cr);

	p = secrets_path("s400tok");
	T_OK(write_file(p, "[source]\naccess_key_id = ASIAIOSFODNN7EXAMPLE\n"
	    "secret_access_key = abc\nsession_token = FwoGZXIvYXdzEJr//+=\n",
	    0400) == 0, "secrets: write 0400 file");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_OK,
	    "secrets: mode 0400 accepted");
	T_STREQ(cr.token, "FwoGZXIvYXdzEJr//+=", "secrets: session_token");
	creds_clear(&cr);

	p = secrets_path("s644");
	T_OK(write_file(p, good, 0644) == 0, "secrets: write 0644 file");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_PERM,
	    "secrets: mode 0644 refused");
	xfmt(want, sizeof(want), "%s: mode 0644 gives group or others "
	    "access; refusing it (chmod 600)", p);
	T_STREQ(buf_str(&err), want, "secrets: mode message");
	T_OK(cr.akid == NULL && cr.secret == NULL, "secrets: nothing returned");

	p = secrets_path("s640");
	T_OK(write_file(p, good, 0640) == 0, "secrets: write 0640 file");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_PERM,
	    "secrets: mode 0640 refused");
	p = secrets_path("s604");
	T_OK(write_file(p, good, 0604) == 0, "secrets: write 0604 file");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_PERM,
	    "secrets: mode 0604 refused");

	xfmt(link, sizeof(link), "%s", secrets_path("slink"));
	T_OK(symlink(secrets_path("s600"), link) == 0, "secrets: make symlink");
	T_EQ(conf_secrets_load(link, &cr, &err), AFP_ERR_PERM,
	    "secrets: symlink to a 0600 file refused");
	xfmt(want, sizeof(want), "%s: is a symbolic link; refusing it",
	    link);
	T_STREQ(buf_str(&err), want, "secrets: symlink message");

	T_EQ(conf_secrets_load(tmpdir, &cr, &err), AFP_ERR_PERM,
	    "secrets: directory refused");
	p = secrets_path("sfifo");
	T_OK(mkfifo(p, 0600) == 0, "secrets: make fifo");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_PERM,
	    "secrets: fifo refused without blocking");

	p = secrets_path("sother");
	T_OK(write_file(p, good, 0600) == 0, "secrets: write file for chown");
	if (geteuid() == 0) {
		T_OK(chown(p, 65534, 65534) == 0, "secrets: chown to nobody");
		T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_PERM,
		    "secrets: file of another user refused");
		xfmt(want, sizeof(want), "%s: owned by uid 65534, not root;"
		    " refusing it", p);
		T_STREQ(buf_str(&err), want, "secrets: owner message");
	} else
		printf("ok - secrets: owner check needs root # SKIP\n");

	T_EQ(conf_secrets_load(secrets_path("missing"), &cr, &err), AFP_ERR_IO,
	    "secrets: missing file");

	p = secrets_path("snosecret");
	T_OK(write_file(p, "[source]\naccess_key_id = AKIAIOSFODNN7EXAMPLE\n",
	    0600) == 0, "secrets: write file without secret");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_CONFIG,
	    "secrets: missing secret_access_key");
	xfmt(want, sizeof(want), "%s:1: missing required key "
	    "secret_access_key in [source]", p);
	T_STREQ(buf_str(&err), want, "secrets: missing key message");
	T_OK(cr.akid == NULL, "secrets: partial result not returned");

	p = secrets_path("sbad");
	T_OK(write_file(p, "[source]\naccess_key_id = AKIAIOSFODNN7EXAMPLE\n"
	    "secret_access_key = hunter2 hunter3\n", 0600) == 0,
	    "secrets: write malformed secret");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_CONFIG,
	    "secrets: malformed secret refused");
	T_OK(strstr(buf_str(&err), ":3: ") != NULL &&
	    strstr(buf_str(&err), "hunter") == NULL,
	    "secrets: message names the line, not the secret");

	p = secrets_path("sdup");
	T_OK(write_file(p, "[source]\naccess_key_id = AKIAIOSFODNN7EXAMPLE\n"
	    "secret_access_key = hunter2\nsecret_access_key = hunter3\n",
	    0600) == 0, "secrets: write duplicate secret");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_CONFIG,
	    "secrets: duplicate key refused");
	T_OK(strstr(buf_str(&err), ":4: duplicate key secret_access_key") !=
	    NULL && strstr(buf_str(&err), "hunter") == NULL,
	    "secrets: duplicate message without the secret");

	p = secrets_path("sunknown");
	T_OK(write_file(p, "[source]\naccess_key_id = AKIAIOSFODNN7EXAMPLE\n"
	    "secret_access_key = x\n[afp]\n", 0600) == 0,
	    "secrets: write unknown section");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_CONFIG,
	    "secrets: unknown section refused");
	p = secrets_path("sakid");
	T_OK(write_file(p, "[source]\naccess_key_id = akia123\n"
	    "secret_access_key = x\n", 0600) == 0, "secrets: write bad akid");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_CONFIG,
	    "secrets: malformed access_key_id refused");
	p = secrets_path("snosection");
	T_OK(write_file(p, "; nothing\n", 0600) == 0,
	    "secrets: write file without [source]");
	T_EQ(conf_secrets_load(p, &cr, &err), AFP_ERR_CONFIG,
	    "secrets: no [source] refused");
	buf_free(&err);
}

static void
test_session_name(void)
{
	struct conf *c = NULL;
	struct conf_role fed;
	const struct conf_role *r;
	struct buf err, out;

	buf_init(&err, 0);
	buf_init(&out, 0);
	if (conf_load(DATA "/good/afp.conf", &c, &err) != AFP_OK) {
		T_OK(0, "session: load good config: %s", buf_str(&err));
		buf_free(&err);
		return;
	}
	r = conf_role_find(c, "prod", "admin");
	T_OK(r != NULL && conf_session_name(r, "alice", &out) == AFP_OK &&
	    strcmp(buf_str(&out), "afp-alice@prod") == 0,
	    "session: {user} expanded");
	T_EQ(conf_session_name(r, "alice@EXAMPLE.COM", &out), AFP_OK,
	    "session: realm user");
	T_STREQ(buf_str(&out), "afp-alice@EXAMPLE.COM@prod",
	    "session: realm user expanded");
	T_EQ(conf_session_name(r, NULL, &out), AFP_ERR_INVAL,
	    "session: per-user name needs a user");
	T_STREQ(buf_str(&out), "", "session: out empty after failure");
	T_EQ(conf_session_name(r, "", &out), AFP_ERR_INVAL,
	    "session: empty user refused");
	T_EQ(conf_session_name(r, "a b", &out), AFP_ERR_INVAL,
	    "session: space in user refused");
	T_EQ(conf_session_name(r, "a/b", &out), AFP_ERR_INVAL,
	    "session: slash in user refused");
	T_EQ(conf_session_name(r, "j\xc3\xb6rg", &out), AFP_ERR_INVAL,
	    "session: non-ASCII user refused");
	/* "afp-" + 55 + "@prod" = 64; one more is too long. */
	T_EQ(conf_session_name(r,
	    "u234567890123456789012345678901234567890123456789012345", &out),
	    AFP_OK, "session: 64 characters");
	T_EQ(out.len, 64, "session: length 64");
	T_EQ(conf_session_name(r,
	    "u2345678901234567890123456789012345678901234567890123456", &out),
	    AFP_ERR_INVAL, "session: 65 characters refused");

	r = conf_role_find(c, "dev", "fed");
	T_OK(r != NULL && conf_session_name(r, NULL, &out) == AFP_OK &&
	    strcmp(buf_str(&out), "ci-shared") == 0,
	    "session: shared name without a user");
	T_OK(r != NULL && conf_session_name(r, "carol", &out) == AFP_OK &&
	    strcmp(buf_str(&out), "ci-shared") == 0,
	    "session: shared name ignores the user");
	r = conf_role_find(c, "dev", "base");
	T_EQ(conf_session_name(r, "carol", &out), AFP_ERR_INVAL,
	    "session: session_token has no name");

	/* Federation names stop at 32: "afp-" + 28 fits, + 29 does not. */
	memset(&fed, 0, sizeof(fed));
	fed.type = ROLE_FEDERATION_TOKEN;
	fed.session_name = (char *)"afp-{user}";
	fed.per_user = 1;
	T_EQ(conf_session_name(&fed, "u234567890123456789012345678", &out),
	    AFP_OK, "session: federation name of 32");
	T_EQ(conf_session_name(&fed, "u2345678901234567890123456789", &out),
	    AFP_ERR_INVAL, "session: federation name of 33 refused");
	fed.type = ROLE_ASSUME_ROLE;
	T_EQ(conf_session_name(&fed, "u2345678901234567890123456789", &out),
	    AFP_OK, "session: 33 is fine for assume_role");
	fed.session_name = (char *)"{user}";
	T_EQ(conf_session_name(&fed, "a", &out), AFP_ERR_INVAL,
	    "session: 1 character refused");
	T_EQ(conf_session_name(&fed, "ab", &out), AFP_OK,
	    "session: 2 characters");
	conf_free(c);
	buf_free(&out);
	buf_free(&err);
}

static int
rm_tree(const char *dir)
{
	char cmd[PATH_MAX + 16];
	int n;

	n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		printf("not ok - mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_duration();
	test_names();
	test_good();
	test_defaults();
	test_partitions();
	test_dup_fixtures();
	test_errors();
	test_examples();
	test_secrets();
	test_session_name();
	if (rm_tree(tmpdir) != 0)
		printf("# could not remove %s\n", tmpdir);
	return t_done();
}
