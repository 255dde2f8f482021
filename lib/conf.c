/*
 * conf: strict INI configuration on top of libinih.
 *
 * inih only splits "key = value" lines. Our reader hands it one line per
 * call, so we know the line number, and it refuses what inih would accept
 * silently: a line longer than inih's buffer (inih would parse the rest as
 * a new line), an indented line (inih would append it to the previous
 * key), control characters. Section headers never reach inih: inih cuts
 * section names at 50 bytes, and "[role ACCOUNT/ROLE]" may be longer, so
 * the reader handles them itself.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "conf.h"
#include "fmt.h"

#define CONF_FILE_MAX		(1024 * 1024)
#define SECRETS_FILE_MAX	(64 * 1024)
#define POLICY_FILE_MAX		(10 * 1024)
#define ACCOUNT_FILES_MAX	4096
#define STS_MIN_DURATION	900	/* AssumeRole & co. refuse less */
#define MAX_DURATION_CAP	43200	/* AssumeRole's upper bound, 12h */
#define TIMEOUT_MAX		600
#define CONCURRENCY_MAX		64
#define NAME_LEN_MAX		64
#define ITEM_LEN_MAX		255
#define URL_LEN_MAX		2048
#define ARN_LEN_MAX		2048
#define POLICY_ARNS_MAX		10		/* STS limit per request */
#define SESSION_NAME_MAX	64
#define FEDERATION_NAME_MAX	32
#define MSG_MAX			512

enum file_kind { FK_AFP, FK_ACCOUNTS, FK_SECRETS };
/* SEC_SKIP: a section conf_load_accounts was not asked to keep. */
enum sec_kind { SEC_NONE, SEC_AFP, SEC_ACCOUNT, SEC_ROLE, SEC_SOURCE, SEC_SKIP };

enum afp_keyid {
	AK_CACHE_DIR, AK_ACCOUNTS_DIR, AK_SECRETS_FILE, AK_AUTH,
	AK_PAM_SERVICE, AK_WEB_USER, AK_MACHINE_AUTH, AK_MACHINE_USER_ENV,
	AK_USER_ENV, AK_GROUP_PATTERN, AK_PARTITION, AK_REGION,
	AK_DEFAULT_DURATION, AK_MAX_DURATION, AK_REFRESH_BEFORE,
	AK_CONCURRENCY, AK_TIMEOUT, AK_CALLBACK_ALLOW, AK_ALLOWED_HOSTS,
	AK_IMDS_V1, AK_LOG, AK_STS_ENDPOINT, AK_SIGNIN_ENDPOINT,
	AK_ECR_ENDPOINT, AK_MAX
};

static const char *const afp_keys[AK_MAX] = {
	"cache_dir", "accounts_dir", "secrets_file", "auth",
	"pam_service", "web_user", "machine_auth", "machine_user_env",
	"user_env", "group_pattern", "partition", "region",
	"default_duration", "max_duration", "refresh_before",
	"concurrency", "timeout", "callback_allow", "allowed_hosts",
	"imds_v1", "log", "sts_endpoint", "signin_endpoint",
	"ecr_endpoint",
};

enum role_keyid {
	RK_TYPE, RK_ROLE_ARN, RK_EXTERNAL_ID, RK_POLICY, RK_POLICY_FILE,
	RK_POLICY_ARNS, RK_DURATION, RK_SESSION_NAME, RK_ALLOW_USERS,
	RK_ALLOW_GROUPS, RK_MACHINES, RK_CONSOLE, RK_CONSOLE_DESTINATION,
	RK_ECR_REGIONS, RK_MAX
};

static const char *const role_keys[RK_MAX] = {
	"type", "role_arn", "external_id", "policy", "policy_file",
	"policy_arns", "duration", "session_name", "allow_users",
	"allow_groups", "machines", "console", "console_destination",
	"ecr_regions",
};

static const char *const account_keys[] = { "id" };

enum source_keyid { SK_AKID, SK_SECRET, SK_TOKEN, SK_MAX };
static const char *const source_keys[SK_MAX] = {
	"access_key_id", "secret_access_key", "session_token",
};

#define KEYS_MAX 24
_Static_assert((int)AK_MAX <= KEYS_MAX && (int)RK_MAX <= KEYS_MAX &&
    (int)SK_MAX <= KEYS_MAX, "seen[] too small");

static const struct partition {
	const char *name;
	const char *console;
} partitions[] = {
	{ "aws", "https://console.aws.amazon.com/" },
	{ "aws-cn", "https://console.amazonaws.cn/" },
	{ "aws-us-gov", "https://console.amazonaws-us-gov.com/" },
};

/* Parser state, kept across the files of one load. */
struct pctx {
	struct conf *c;			/* NULL for secrets.conf */
	struct afp_creds *creds;	/* secrets.conf only */
	struct buf *err;
	afp_err r;			/* first error; parsing stops there */
	enum file_kind kind;
	const char *file;
	const char *dir;		/* "" or a prefix ending in '/' */
	const char *data;
	size_t len, pos;
	int lineno;
	enum sec_kind sec;
	char secname[INI_MAX_LINE];	/* for messages */
	int sec_line;
	int seen[KEYS_MAX];		/* line of each key of this section */
	size_t cur;			/* current account or role */
	int nafp, nsource;
	size_t acap, rcap;
	const struct strlist *keep;	/* sections to keep; NULL: all */
};

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
in_set(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static int
is_ws(int c)
{
	return c == ' ' || c == '\t';
}

/* Characters STS allows in RoleSessionName and federated user names. */
static int
sts_char(int c)
{
	return is_alnum(c) || in_set(c, "+=,.@_-");
}

static void __attribute__((format(printf, 4, 0)))
vseterr(struct buf *err, const char *file, int line, const char *fmt,
    va_list ap)
{
	char msg[MSG_MAX];
	int n;

	if (err == NULL)
		return;
	n = fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		msg[0] = '\0';
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	buf_reset(err);
	if (line > 0) {
		if (buf_printf(err, "%s:%d: %s", file, line, msg) != AFP_OK)
			buf_reset(err);
	} else if (buf_printf(err, "%s: %s", file, msg) != AFP_OK)
		buf_reset(err);
}

static afp_err __attribute__((format(printf, 5, 6)))
seterr(struct buf *err, afp_err r, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vseterr(err, file, line, fmt, ap);
	va_end(ap);
	return r;
}

/* Record the first error of a parse; later ones are consequences. */
static afp_err __attribute__((format(printf, 4, 5)))
perr(struct pctx *p, int line, afp_err r, const char *fmt, ...)
{
	va_list ap;

	if (p->r != AFP_OK)
		return p->r;
	va_start(ap, fmt);
	vseterr(p->err, p->file, line, fmt, ap);
	va_end(ap);
	p->r = r;
	return r;
}

static afp_err
nomem(struct pctx *p)
{
	return perr(p, p->lineno, AFP_ERR_NOMEM, "out of memory");
}

int
conf_name_ok(const char *s)
{
	size_t i;

	if (s == NULL || !is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (i >= NAME_LEN_MAX ||
		    !(is_alnum((unsigned char)s[i]) || in_set(s[i], "._-")))
			return 0;
	return 1;
}

int
conf_user_ok(const char *s)
{
	size_t i;

	if (s == NULL || !(is_alnum((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (i >= NAME_LEN_MAX ||
		    !(is_alnum((unsigned char)s[i]) || in_set(s[i], "_.@+=,-")))
			return 0;
	return 1;
}

int
conf_uid(const char *s, uid_t *uid)
{
	unsigned long long v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 10)
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	/* (uid_t)-1 is "no uid" to the kernel. */
	if (v >= (uid_t)-1)
		return 0;
	*uid = (uid_t)v;
	return 1;
}

/* A user name, or a number that is a valid uid. */
static int
web_user_ok(const char *s)
{
	uid_t uid;

	return conf_user_ok(s) &&
	    (s[strspn(s, "0123456789")] != '\0' || conf_uid(s, &uid));
}

afp_err
conf_duration(const char *s, unsigned *secs)
{
	static const struct {
		char unit;
		unsigned mul;
	} units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	const size_t nunits = sizeof(units) / sizeof(units[0]);
	unsigned long long total = 0, v;
	size_t next = 0, i;

	if (s == NULL || *s == '\0')
		return AFP_ERR_INVAL;
	while (*s != '\0') {
		if (!is_digit(*s))
			return AFP_ERR_INVAL;
		for (v = 0; is_digit(*s); s++) {
			v = v * 10 + (unsigned)(*s - '0');
			if (v > UINT_MAX)
				return AFP_ERR_INVAL;
		}
		/* Units only in decreasing order, each at most once. */
		for (i = next; i < nunits && units[i].unit != *s; i++)
			;
		if (i == nunits)
			return AFP_ERR_INVAL;
		total += v * units[i].mul;
		if (total > UINT_MAX)
			return AFP_ERR_INVAL;
		next = i + 1;
		s++;
	}
	if (total == 0)
		return AFP_ERR_INVAL;
	*secs = (unsigned)total;
	return AFP_OK;
}

int
conf_region_ok(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0'; i++)
		if (i >= CONF_REGION_MAX ||
		    !((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) ||
		    s[i] == '-'))
			return 0;
	return i > 0;
}

static int
env_name_ok(const char *s)
{
	size_t i;

	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
	    s[0] == '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (i >= NAME_LEN_MAX ||
		    !(is_alnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

/* A machine identity: an address or a name a web server sets. */
static int
machine_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= ITEM_LEN_MAX ||
		    !(is_alnum((unsigned char)s[i]) ||
		    in_set(s[i], "._:@+=,-")))
			return 0;
	return i > 0;
}

/* A Host header value: name, IPv4 or [IPv6], optional :port. */
static int
host_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= ITEM_LEN_MAX ||
		    !(is_alnum((unsigned char)s[i]) || in_set(s[i], ".:[]-")))
			return 0;
	return i > 0;
}

static int
url_ok(const char *s)
{
	const char *h;
	size_t i;

	if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return 0;
	if (*h == '\0' || *h == '/')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= URL_LEN_MAX || (unsigned char)s[i] <= ' ' ||
		    (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* Printable ASCII without spaces, as ARNs and keys are. */
static int
token_ok(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] <= ' ' ||
		    (unsigned char)s[i] >= 0x7f)
			return 0;
	return i > 0;
}

/* The partition prefix is checked by the caller. */
static int
policy_arn_ok(const char *s)
{
	return token_ok(s, ARN_LEN_MAX) && strstr(s, ":policy/") != NULL;
}

static int
account_id_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!is_digit(s[i]))
			return 0;
	return i == 12;
}

static int
akid_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= 128 ||
		    !((s[i] >= 'A' && s[i] <= 'Z') || is_digit(s[i])))
			return 0;
	return i >= 16;
}

/* STS ExternalId: 2-1224 characters of [\w+=,.@:/-]. */
static int
external_id_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= 1224 ||
		    !(is_alnum((unsigned char)s[i]) ||
		    in_set(s[i], "_+=,.@:/-")))
			return 0;
	return i >= 2;
}

/* "dir/" for "dir/file", "" for "file". */
static char *
dir_prefix(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strndup(path, slash ? (size_t)(slash - path) + 1 : 0);
}

/* "dir/" for "dir" and for "dir/". */
static char *
dir_slash(const char *dir)
{
	size_t n = strlen(dir);
	char *s;

	if (n > 0 && dir[n - 1] == '/')
		return strdup(dir);
	if ((s = malloc(n + 2)) == NULL)
		return NULL;
	memcpy(s, dir, n);
	s[n] = '/';
	s[n + 1] = '\0';
	return s;
}

/* name when it is absolute, else dir (a prefix ending in '/') + name. */
static char *
path_join(const char *dir, const char *name)
{
	struct buf b;

	buf_init(&b, PATH_MAX);
	if (name[0] != '/' && buf_addstr(&b, dir) != AFP_OK)
		return NULL;
	if (buf_addstr(&b, name) != AFP_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* Read a regular file of at most max bytes from fd into out. */
static afp_err
read_fd(int fd, size_t max, struct buf *out, const char *path,
    struct buf *err)
{
	struct stat st;
	afp_err r;

	if (fstat(fd, &st) == -1)
		return seterr(err, AFP_ERR_IO, path, 0, "cannot stat: %s",
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return seterr(err, AFP_ERR_CONFIG, path, 0,
		    "not a regular file");
	if ((unsigned long long)st.st_size > max)
		return seterr(err, AFP_ERR_TOOBIG, path, 0,
		    "larger than %zu bytes", max);
	buf_init(out, max);
	if ((r = buf_read_fd(out, fd, (size_t)st.st_size)) == AFP_ERR_IO)
		r = seterr(err, r, path, 0, "cannot read: %s", strerror(errno));
	else if (r != AFP_OK)
		r = seterr(err, r, path, 0, "larger than %zu bytes", max);
	if (r != AFP_OK)
		buf_free(out);
	return r;
}

static afp_err
read_file(const char *path, size_t max, struct buf *out, struct buf *err)
{
	afp_err r;
	int fd;

	/* O_NONBLOCK: a FIFO planted in place of a file must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return seterr(err, AFP_ERR_IO, path, 0, "cannot open: %s",
		    strerror(errno));
	r = read_fd(fd, max, out, path, err);
	close(fd);
	return r;
}

static afp_err
grow(void **v, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return AFP_OK;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / size)
		return AFP_ERR_NOMEM;
	if ((nv = realloc(*v, ncap * size)) == NULL)
		return AFP_ERR_NOMEM;
	*v = nv;
	*cap = ncap;
	return AFP_OK;
}

/* Section headers. */

static afp_err
account_add(struct pctx *p, const char *name)
{
	struct conf *c = p->c;
	struct conf_account *a;

	if (grow((void **)&c->accounts, c->naccounts, &p->acap,
	    sizeof(*c->accounts)) != AFP_OK)
		return nomem(p);
	a = &c->accounts[c->naccounts];
	memset(a, 0, sizeof(*a));
	a->line = p->lineno;
	if ((a->name = strdup(name)) == NULL ||
	    (a->file = strdup(p->file)) == NULL) {
		free(a->name);
		return nomem(p);
	}
	p->cur = c->naccounts++;
	p->sec = SEC_ACCOUNT;
	return AFP_OK;
}

static afp_err
role_add(struct pctx *p, const char *account, size_t alen, const char *name)
{
	struct conf *c = p->c;
	struct conf_role *r;

	if (grow((void **)&c->roles, c->nroles, &p->rcap,
	    sizeof(*c->roles)) != AFP_OK)
		return nomem(p);
	r = &c->roles[c->nroles];
	memset(r, 0, sizeof(*r));
	r->type = ROLE_ASSUME_ROLE;
	r->line = p->lineno;
	if ((r->account = strndup(account, alen)) == NULL ||
	    (r->name = strdup(name)) == NULL ||
	    (r->file = strdup(p->file)) == NULL) {
		free(r->account);
		free(r->name);
		return nomem(p);
	}
	p->cur = c->nroles++;
	p->sec = SEC_ROLE;
	return AFP_OK;
}

static afp_err section_end(struct pctx *);

/* arg is "ACCOUNT/ROLE". */
static afp_err
role_section(struct pctx *p, const char *arg)
{
	char acct[NAME_LEN_MAX + 1];
	const char *slash;
	size_t alen = 0;

	if ((slash = strchr(arg, '/')) == NULL)
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "role section must be [role ACCOUNT/ROLE]");
	if ((size_t)(slash - arg) < sizeof(acct)) {
		alen = (size_t)(slash - arg);
		memcpy(acct, arg, alen);
	}
	acct[alen] = '\0';
	if (alen == 0 || !conf_name_ok(acct) || !conf_name_ok(slash + 1))
		return perr(p, p->lineno, AFP_ERR_CONFIG, "bad role name "
		    "\"%s\" (allowed: [A-Za-z0-9][A-Za-z0-9._-]{0,63} on each "
		    "side of the /)", arg);
	if (p->keep != NULL && !strlist_has_sorted(p->keep, arg)) {
		p->sec = SEC_SKIP;
		return AFP_OK;
	}
	return role_add(p, acct, alen, slash + 1);
}

/* name is the text between the brackets, NUL-terminated. */
static afp_err
section_begin(struct pctx *p, const char *name)
{
	const char *sp, *arg;
	size_t tlen, n;

	if (section_end(p) != AFP_OK)
		return p->r;
	memset(p->seen, 0, sizeof(p->seen));
	p->sec_line = p->lineno;
	if ((n = strlen(name)) >= sizeof(p->secname))
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "section header too long");
	memcpy(p->secname, name, n + 1);
	switch (p->kind) {
	case FK_AFP:
		if (strcmp(name, "afp") != 0)
			break;
		if (p->nafp++ > 0)
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "duplicate section [afp]");
		p->sec = SEC_AFP;
		return AFP_OK;
	case FK_SECRETS:
		if (strcmp(name, "source") != 0)
			break;
		if (p->nsource++ > 0)
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "duplicate section [source]");
		p->sec = SEC_SOURCE;
		return AFP_OK;
	case FK_ACCOUNTS:
		if ((sp = strpbrk(name, " \t")) == NULL)
			tlen = strlen(name);
		else
			tlen = (size_t)(sp - name);
		arg = name + tlen;
		while (is_ws(*arg))
			arg++;
		if (tlen == 7 && strncmp(name, "account", 7) == 0) {
			if (*arg == '\0')
				return perr(p, p->lineno, AFP_ERR_CONFIG,
				    "[account] needs a name: [account NAME]");
			if (!conf_name_ok(arg))
				return perr(p, p->lineno, AFP_ERR_CONFIG,
				    "bad account name \"%s\" (allowed: "
				    "[A-Za-z0-9][A-Za-z0-9._-]{0,63})", arg);
			if (p->keep != NULL && !strlist_has_sorted(p->keep, arg)) {
				p->sec = SEC_SKIP;
				return AFP_OK;
			}
			return account_add(p, arg);
		}
		if (tlen == 4 && strncmp(name, "role", 4) == 0)
			return role_section(p, arg);
		break;
	}
	return perr(p, p->lineno, AFP_ERR_CONFIG, "unknown section [%s]", name);
}

/* Keys. */

static int
key_lookup(struct pctx *p, const char *const *keys, size_t n,
    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(keys[i], name) != 0)
			continue;
		if (p->seen[i] != 0) {
			perr(p, p->lineno, AFP_ERR_CONFIG,
			    "duplicate key %s in [%s] (first at line %d)",
			    name, p->secname, p->seen[i]);
			return -1;
		}
		p->seen[i] = p->lineno;
		return (int)i;
	}
	perr(p, p->lineno, AFP_ERR_CONFIG, "unknown key \"%s\" in [%s]",
	    name, p->secname);
	return -1;
}

static afp_err
need_value(struct pctx *p, const char *key, const char *value)
{
	if (*value == '\0')
		return perr(p, p->lineno, AFP_ERR_CONFIG, "%s needs a value",
		    key);
	return AFP_OK;
}

static afp_err
set_str(struct pctx *p, char **dst, const char *value)
{
	char *s;

	if ((s = strdup(value)) == NULL)
		return nomem(p);
	free(*dst);
	*dst = s;
	return AFP_OK;
}

/* Empty means unset. */
static afp_err
set_opt_str(struct pctx *p, char **dst, const char *value)
{
	if (*value == '\0') {
		free(*dst);
		*dst = NULL;
		return AFP_OK;
	}
	return set_str(p, dst, value);
}

static afp_err
set_checked(struct pctx *p, const char *key, char **dst, const char *value,
    int (*ok)(const char *), const char *what)
{
	if (need_value(p, key, value) != AFP_OK)
		return p->r;
	if (!ok(value))
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "bad %s \"%s\" (%s)", key, value, what);
	return set_str(p, dst, value);
}

static afp_err
set_path(struct pctx *p, const char *key, char **dst, const char *value)
{
	char *s;

	if (need_value(p, key, value) != AFP_OK)
		return p->r;
	if ((s = path_join(p->dir, value)) == NULL)
		return perr(p, p->lineno, AFP_ERR_CONFIG, "%s is too long",
		    key);
	free(*dst);
	*dst = s;
	return AFP_OK;
}

static afp_err
set_url(struct pctx *p, const char *key, char **dst, const char *value)
{
	if (*value != '\0' && !url_ok(value))
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "bad %s \"%s\" (an http:// or https:// URL)", key, value);
	return set_opt_str(p, dst, value);
}

static afp_err
set_duration(struct pctx *p, const char *key, unsigned *dst,
    const char *value, unsigned min, unsigned max)
{
	unsigned v;

	if (conf_duration(value, &v) != AFP_OK)
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "bad duration %s = \"%s\" (like 90s, 15m, 1h30m, 1d)",
		    key, value);
	if (v < min)
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "%s = %s is shorter than %us", key, value, min);
	if (v > max)
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "%s = %s is longer than %us", key, value, max);
	*dst = v;
	return AFP_OK;
}

static afp_err
set_bool(struct pctx *p, const char *key, int *dst, const char *value)
{
	static const char *const yes[] = { "yes", "true", "1" };
	static const char *const no[] = { "no", "false", "0" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcmp(value, yes[i]) == 0) {
			*dst = 1;
			return AFP_OK;
		}
		if (strcmp(value, no[i]) == 0) {
			*dst = 0;
			return AFP_OK;
		}
	}
	return perr(p, p->lineno, AFP_ERR_CONFIG,
	    "bad boolean %s = \"%s\" (yes, no, true, false, 1 or 0)", key,
	    value);
}

static afp_err
set_auth(struct pctx *p, const char *key, enum conf_auth *dst,
    const char *value)
{
	if (strcmp(value, "pam") == 0)
		*dst = CONF_AUTH_PAM;
	else if (strcmp(value, "remote_user") == 0)
		*dst = CONF_AUTH_REMOTE_USER;
	else
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "bad %s \"%s\" (pam or remote_user)", key, value);
	return AFP_OK;
}

/* Space-separated items, each checked by ok(); prefix, when given, too. */
static afp_err
set_list(struct pctx *p, const char *key, struct strlist *l,
    const char *value, int (*ok)(const char *), const char *prefix,
    size_t max)
{
	const char *s = value, *e;
	char *item, **nv;

	strlist_free(l);
	for (;;) {
		while (is_ws(*s))
			s++;
		if (*s == '\0')
			return AFP_OK;
		for (e = s; *e != '\0' && !is_ws(*e); e++)
			;
		if (l->n >= max)
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "%s has more than %zu entries", key, max);
		if ((item = strndup(s, (size_t)(e - s))) == NULL)
			return nomem(p);
		if (!ok(item) ||
		    (prefix != NULL &&
		    strncmp(item, prefix, strlen(prefix)) != 0)) {
			perr(p, p->lineno, AFP_ERR_CONFIG,
			    "bad entry \"%s\" in %s", item, key);
			free(item);
			return p->r;
		}
		/* Lists are short: grow one slot at a time. */
		nv = reallocarray(l->v, l->n + 1, sizeof(*l->v));
		if (nv == NULL) {
			free(item);
			return nomem(p);
		}
		l->v = nv;
		l->v[l->n++] = item;
		s = e;
	}
}

/* Literal characters of group names, and {account} / {role}. */
static afp_err
check_group_pattern(struct pctx *p, const char *v)
{
	int nvar = 0;

	while (*v != '\0') {
		if (strncmp(v, "{account}", 9) == 0) {
			v += 9;
			nvar++;
		} else if (strncmp(v, "{role}", 6) == 0) {
			v += 6;
			nvar++;
		} else if (is_alnum((unsigned char)*v) ||
		    in_set(*v, "_.@+=,-"))
			v++;
		else
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "bad group_pattern: only group name characters, "
			    "{account} and {role} are allowed");
	}
	/* Without a placeholder one group would grant every role. */
	if (nvar == 0)
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "group_pattern needs {account} or {role}");
	return AFP_OK;
}

static afp_err
afp_key(struct pctx *p, const char *name, const char *value)
{
	struct conf *c = p->c;
	size_t i;
	unsigned n;
	int k;

	if ((k = key_lookup(p, afp_keys, AK_MAX, name)) < 0)
		return p->r;
	switch ((enum afp_keyid)k) {
	case AK_CACHE_DIR:
		return set_path(p, name, &c->cache_dir, value);
	case AK_ACCOUNTS_DIR:
		return set_path(p, name, &c->accounts_dir, value);
	case AK_SECRETS_FILE:
		return set_path(p, name, &c->secrets_file, value);
	case AK_AUTH:
		return set_auth(p, name, &c->auth, value);
	case AK_MACHINE_AUTH:
		return set_auth(p, name, &c->machine_auth, value);
	case AK_PAM_SERVICE:
		return set_checked(p, name, &c->pam_service, value,
		    conf_name_ok, "a file name in /etc/pam.d");
	case AK_WEB_USER:
		return set_checked(p, name, &c->web_user, value, web_user_ok,
		    "a user name or a uid");
	case AK_MACHINE_USER_ENV:
		return set_checked(p, name, &c->machine_user_env, value,
		    env_name_ok, "an environment variable name");
	case AK_USER_ENV:
		return set_checked(p, name, &c->user_env, value, env_name_ok,
		    "an environment variable name");
	case AK_GROUP_PATTERN:
		if (*value != '\0' && check_group_pattern(p, value) != AFP_OK)
			return p->r;
		return set_opt_str(p, &c->group_pattern, value);
	case AK_PARTITION:
		for (i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
			if (strcmp(value, partitions[i].name) == 0)
				break;
		if (i == sizeof(partitions) / sizeof(partitions[0]))
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "bad partition \"%s\" (aws, aws-cn or aws-us-gov)",
			    value);
		return set_str(p, &c->partition, value);
	case AK_REGION:
		return set_checked(p, name, &c->region, value, conf_region_ok,
		    "like us-east-1");
	case AK_DEFAULT_DURATION:
		return set_duration(p, name, &c->default_duration, value,
		    STS_MIN_DURATION, MAX_DURATION_CAP);
	case AK_MAX_DURATION:
		return set_duration(p, name, &c->max_duration, value,
		    STS_MIN_DURATION, MAX_DURATION_CAP);
	case AK_REFRESH_BEFORE:
		return set_duration(p, name, &c->refresh_before, value, 1,
		    MAX_DURATION_CAP);
	case AK_TIMEOUT:
		return set_duration(p, name, &c->timeout, value, 1,
		    TIMEOUT_MAX);
	case AK_CONCURRENCY:
		for (i = 0, n = 0; is_digit(value[i]) && i < 3; i++)
			n = n * 10 + (unsigned)(value[i] - '0');
		if (i == 0 || value[i] != '\0' || n < 1 || n > CONCURRENCY_MAX)
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "bad concurrency \"%s\" (1 to %d)", value,
			    CONCURRENCY_MAX);
		c->concurrency = n;
		return AFP_OK;
	case AK_CALLBACK_ALLOW:
		return set_list(p, name, &c->callback_allow, value, url_ok,
		    NULL, 64);
	case AK_ALLOWED_HOSTS:
		return set_list(p, name, &c->allowed_hosts, value, host_ok,
		    NULL, 64);
	case AK_IMDS_V1:
		return set_bool(p, name, &c->imds_v1, value);
	case AK_LOG:
		if (strcmp(value, "syslog") == 0)
			c->log = LOG_DEST_SYSLOG;
		else if (strcmp(value, "stderr") == 0)
			c->log = LOG_DEST_STDERR;
		else
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "bad log \"%s\" (syslog or stderr)", value);
		return AFP_OK;
	case AK_STS_ENDPOINT:
		return set_url(p, name, &c->sts_endpoint, value);
	case AK_SIGNIN_ENDPOINT:
		return set_url(p, name, &c->signin_endpoint, value);
	case AK_ECR_ENDPOINT:
		return set_url(p, name, &c->ecr_endpoint, value);
	case AK_MAX:
		break;
	}
	return perr(p, p->lineno, AFP_ERR_INTERNAL, "unhandled key %s", name);
}

static afp_err
account_key(struct pctx *p, const char *name, const char *value)
{
	struct conf_account *a = &p->c->accounts[p->cur];

	if (key_lookup(p, account_keys, 1, name) < 0)
		return p->r;
	return set_checked(p, name, &a->id, value, account_id_ok,
	    "12 digits");
}

static afp_err
read_policy_file(struct pctx *p, struct conf_role *r, const char *value)
{
	struct buf data, msg;
	char *path;
	size_t i;
	afp_err e;

	if (need_value(p, "policy_file", value) != AFP_OK)
		return p->r;
	if ((path = path_join(p->dir, value)) == NULL)
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "policy_file is too long");
	buf_init(&msg, 0);
	if ((e = read_file(path, POLICY_FILE_MAX, &data, &msg)) != AFP_OK) {
		perr(p, p->lineno, e == AFP_ERR_NOMEM ? e : AFP_ERR_CONFIG,
		    "policy_file: %s", buf_str(&msg));
		goto out;
	}
	for (i = 0; i < data.len; i++)
		if (data.p[i] == '\0')
			break;
	if (i < data.len || data.len == 0) {
		perr(p, p->lineno, AFP_ERR_CONFIG,
		    "policy_file %s is empty or holds a NUL byte", path);
		buf_free(&data);
		goto out;
	}
	free(r->policy);
	if ((r->policy = buf_steal(&data)) == NULL)
		nomem(p);
 out:
	buf_free(&msg);
	free(path);
	return p->r;
}

static afp_err
role_key(struct pctx *p, const char *name, const char *value)
{
	struct conf *c = p->c;
	struct conf_role *r = &c->roles[p->cur];
	char prefix[64];
	int k, n;

	if ((k = key_lookup(p, role_keys, RK_MAX, name)) < 0)
		return p->r;
	n = fmt_snprintf(prefix, sizeof(prefix), "arn:%s:iam::", c->partition);
	if (n < 0 || (size_t)n >= sizeof(prefix))
		return perr(p, p->lineno, AFP_ERR_INTERNAL,
		    "partition too long");
	switch ((enum role_keyid)k) {
	case RK_TYPE:
		if (strcmp(value, "assume_role") == 0)
			r->type = ROLE_ASSUME_ROLE;
		else if (strcmp(value, "federation_token") == 0)
			r->type = ROLE_FEDERATION_TOKEN;
		else if (strcmp(value, "session_token") == 0)
			r->type = ROLE_SESSION_TOKEN;
		else
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "bad type \"%s\" (assume_role, federation_token "
			    "or session_token)", value);
		return AFP_OK;
	case RK_ROLE_ARN:
		if (*value != '\0' && (!token_ok(value, ARN_LEN_MAX) ||
		    strncmp(value, prefix, (size_t)n) != 0 ||
		    strstr(value + n, ":role/") == NULL))
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "bad role_arn \"%s\" (%sACCOUNT-ID:role/NAME)",
			    value, prefix);
		return set_opt_str(p, &r->role_arn, value);
	case RK_EXTERNAL_ID:
		if (*value != '\0' && !external_id_ok(value))
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "bad external_id (2-1224 characters of "
			    "[A-Za-z0-9_+=,.@:/-])");
		return set_opt_str(p, &r->external_id, value);
	case RK_POLICY:
	case RK_POLICY_FILE:
		if (p->seen[RK_POLICY] != 0 && p->seen[RK_POLICY_FILE] != 0)
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "policy and policy_file are mutually exclusive");
		if (k == RK_POLICY)
			return set_opt_str(p, &r->policy, value);
		return read_policy_file(p, r, value);
	case RK_POLICY_ARNS:
		return set_list(p, name, &r->policy_arns, value,
		    policy_arn_ok, prefix, POLICY_ARNS_MAX);
	case RK_DURATION:
		return set_duration(p, name, &r->duration, value,
		    STS_MIN_DURATION, c->max_duration);
	case RK_SESSION_NAME:
		return set_opt_str(p, &r->session_name, value);
	case RK_ALLOW_USERS:
		return set_list(p, name, &r->allow_users, value, conf_user_ok,
		    NULL, SIZE_MAX);
	case RK_ALLOW_GROUPS:
		return set_list(p, name, &r->allow_groups, value, conf_user_ok,
		    NULL, SIZE_MAX);
	case RK_MACHINES:
		return set_list(p, name, &r->machines, value, machine_ok, NULL,
		    SIZE_MAX);
	case RK_CONSOLE:
		return set_bool(p, name, &r->console, value);
	case RK_CONSOLE_DESTINATION:
		return set_url(p, name, &r->console_destination, value);
	case RK_ECR_REGIONS:
		return set_list(p, name, &r->ecr_regions, value, conf_region_ok,
		    NULL, 64);
	case RK_MAX:
		break;
	}
	return perr(p, p->lineno, AFP_ERR_INTERNAL, "unhandled key %s", name);
}

static afp_err
source_key(struct pctx *p, const char *name, const char *value)
{
	struct afp_creds *cr = p->creds;
	int k;

	/* Messages here name keys only: values are secrets. */
	if ((k = key_lookup(p, source_keys, SK_MAX, name)) < 0)
		return p->r;
	switch ((enum source_keyid)k) {
	case SK_AKID:
		if (!akid_ok(value))
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "access_key_id is not 16-128 of [A-Z0-9]");
		return set_str(p, &cr->akid, value);
	case SK_SECRET:
		if (!token_ok(value, 128))
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "secret_access_key is empty or malformed");
		return set_str(p, &cr->secret, value);
	case SK_TOKEN:
		if (*value == '\0')
			return AFP_OK;
		if (!token_ok(value, INI_MAX_LINE))
			return perr(p, p->lineno, AFP_ERR_CONFIG,
			    "session_token is malformed");
		return set_str(p, &cr->token, value);
	case SK_MAX:
		break;
	}
	return perr(p, p->lineno, AFP_ERR_INTERNAL, "unhandled key %s", name);
}

static afp_err
afp_section_end(struct pctx *p)
{
	struct conf *c = p->c;
	int line;

	if (c->default_duration > c->max_duration) {
		line = p->seen[AK_DEFAULT_DURATION];
		if (line == 0)
			line = p->seen[AK_MAX_DURATION];
		return perr(p, line, AFP_ERR_CONFIG, "default_duration (%us) "
		    "is longer than max_duration (%us)", c->default_duration,
		    c->max_duration);
	}
	return AFP_OK;
}

/* Checks the session_name template and sets per_user. */
static afp_err
role_session_name(struct pctx *p, struct conf_role *r)
{
	size_t lit = 0, nuser = 0, max;
	const char *s;
	int line = p->seen[RK_SESSION_NAME] ? p->seen[RK_SESSION_NAME] :
	    p->sec_line;

	max = r->type == ROLE_FEDERATION_TOKEN ? FEDERATION_NAME_MAX :
	    SESSION_NAME_MAX;
	for (s = r->session_name; *s != '\0'; ) {
		if (strncmp(s, "{user}", 6) == 0) {
			nuser++;
			s += 6;
		} else if (*s == '{')
			return perr(p, line, AFP_ERR_CONFIG, "bad session_name "
			    "\"%s\": only {user} may appear in braces",
			    r->session_name);
		else if (!sts_char((unsigned char)*s))
			return perr(p, line, AFP_ERR_CONFIG, "bad session_name "
			    "\"%s\": STS allows only [A-Za-z0-9+=,.@_-]",
			    r->session_name);
		else {
			lit++;
			s++;
		}
	}
	/* A user name is at least one character. */
	if (lit + nuser > max)
		return perr(p, line, AFP_ERR_CONFIG, "session_name \"%s\" is "
		    "longer than the %zu characters STS allows for %s",
		    r->session_name, max, r->type == ROLE_FEDERATION_TOKEN ?
		    "federation_token" : "assume_role");
	if (nuser == 0 && lit < 2)
		return perr(p, line, AFP_ERR_CONFIG,
		    "session_name needs at least 2 characters");
	r->per_user = nuser > 0;
	/* A machine is no user: metadata paths answer from a shared entry. */
	if (r->per_user && r->machines.n > 0)
		return perr(p, p->seen[RK_MACHINES], AFP_ERR_CONFIG,
		    "machines need a shared session: set a session_name "
		    "without {user} (the default is afp-{user})");
	return AFP_OK;
}

static afp_err
role_section_end(struct pctx *p)
{
	struct conf *c = p->c;
	struct conf_role *r = &c->roles[p->cur];
	const char *tname;
	size_t i;
	int bad = -1;

	if (r->type == ROLE_SESSION_TOKEN) {
		tname = "session_token";
		if (r->role_arn != NULL)
			bad = RK_ROLE_ARN;
		else if (r->external_id != NULL)
			bad = RK_EXTERNAL_ID;
		else if (r->policy != NULL)
			bad = p->seen[RK_POLICY] ? RK_POLICY : RK_POLICY_FILE;
		else if (r->policy_arns.n > 0)
			bad = RK_POLICY_ARNS;
		else if (r->session_name != NULL)
			bad = RK_SESSION_NAME;
		else if (r->console)
			return perr(p, p->seen[RK_CONSOLE], AFP_ERR_CONFIG,
			    "console sign-in needs assume_role or "
			    "federation_token credentials, not session_token");
	} else {
		tname = "federation_token";
		if (r->type == ROLE_FEDERATION_TOKEN && r->role_arn != NULL)
			bad = RK_ROLE_ARN;
		else if (r->type == ROLE_FEDERATION_TOKEN &&
		    r->external_id != NULL)
			bad = RK_EXTERNAL_ID;
	}
	if (bad >= 0)
		return perr(p, p->seen[bad], AFP_ERR_CONFIG,
		    "%s does not apply to type %s", role_keys[bad], tname);
	if (r->type != ROLE_SESSION_TOKEN) {
		if (r->session_name == NULL &&
		    (r->session_name = strdup("afp-{user}")) == NULL)
			return nomem(p);
		if (role_session_name(p, r) != AFP_OK)
			return p->r;
	}
	if (r->duration == 0)
		r->duration = c->default_duration;
	if (r->console_destination == NULL) {
		for (i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
			if (strcmp(c->partition, partitions[i].name) == 0)
				break;
		if (i == sizeof(partitions) / sizeof(partitions[0]))
			return perr(p, p->sec_line, AFP_ERR_INTERNAL,
			    "unknown partition");
		if ((r->console_destination =
		    strdup(partitions[i].console)) == NULL)
			return nomem(p);
	}
	return AFP_OK;
}

/* Checks that need the whole section; runs at the next header and at EOF. */
static afp_err
section_end(struct pctx *p)
{
	enum sec_kind s = p->sec;

	p->sec = SEC_NONE;
	switch (s) {
	case SEC_NONE:
	case SEC_SKIP:
		break;
	case SEC_AFP:
		return afp_section_end(p);
	case SEC_ACCOUNT:
		if (p->c->accounts[p->cur].id == NULL)
			return perr(p, p->sec_line, AFP_ERR_CONFIG,
			    "missing required key id in [%s]", p->secname);
		break;
	case SEC_ROLE:
		return role_section_end(p);
	case SEC_SOURCE:
		if (p->creds->akid == NULL)
			return perr(p, p->sec_line, AFP_ERR_CONFIG,
			    "missing required key access_key_id in [source]");
		if (p->creds->secret == NULL)
			return perr(p, p->sec_line, AFP_ERR_CONFIG,
			    "missing required key secret_access_key in "
			    "[source]");
		break;
	}
	return AFP_OK;
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct pctx *p = user;

	if (p->r != AFP_OK)
		return 0;
	switch (p->sec) {
	case SEC_NONE:
		perr(p, p->lineno, AFP_ERR_CONFIG,
		    "key \"%s\" outside of a section", name);
		break;
	case SEC_AFP:
		afp_key(p, name, value);
		break;
	case SEC_ACCOUNT:
		account_key(p, name, value);
		break;
	case SEC_ROLE:
		role_key(p, name, value);
		break;
	case SEC_SOURCE:
		source_key(p, name, value);
		break;
	case SEC_SKIP:
		break;
	}
	return p->r == AFP_OK;
}

/*
 * Would inih find "key = value" here? The same scan as its
 * find_chars_or_comment(s, "=:"): the first '=' or ':' before an inline
 * comment (';' after white space).
 */
static int
kv_line(const char *s, size_t n)
{
	size_t i;
	int was_ws = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '=' || s[i] == ':')
			return 1;
		if (was_ws && s[i] == ';')
			return 0;
		was_ws = is_ws(s[i]);
	}
	return 0;
}

static afp_err
section_line(struct pctx *p, const char *s, size_t n)
{
	char name[INI_MAX_LINE];
	const char *close, *rest, *end = s + n;
	size_t m;

	if ((close = memchr(s, ']', n)) == NULL)
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "section header without ]");
	for (rest = close + 1; rest < end && is_ws(*rest); rest++)
		;
	if (rest < end && *rest != ';' && *rest != '#')
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "text after the section header");
	m = (size_t)(close - s - 1);
	if (m >= sizeof(name))
		return perr(p, p->lineno, AFP_ERR_CONFIG,
		    "section header too long");
	memcpy(name, s + 1, m);
	name[m] = '\0';
	return section_begin(p, name);
}

static char *
conf_reader(char *str, int num, void *stream)
{
	struct pctx *p = stream;
	const char *line, *nl, *s, *end;
	size_t n, i;

	if (p->r != AFP_OK || p->pos >= p->len || num < 2)
		goto done;
	line = p->data + p->pos;
	nl = memchr(line, '\n', p->len - p->pos);
	n = nl != NULL ? (size_t)(nl - line) : p->len - p->pos;
	p->pos += n + (nl != NULL);
	p->lineno++;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (p->lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		n -= 3;
	}
	if (n > (size_t)num - 1) {
		perr(p, p->lineno, AFP_ERR_CONFIG,
		    "line longer than %d characters", num - 1);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (((unsigned char)line[i] < ' ' && line[i] != '\t') ||
		    line[i] == 0x7f) {
			perr(p, p->lineno, AFP_ERR_CONFIG,
			    "control character in line");
			goto done;
		}
	end = line + n;
	for (s = line; s < end && is_ws(*s); s++)
		;
	/* inih sees blank lines, comments and headers as empty lines. */
	str[0] = '\0';
	if (s == end || *s == ';' || *s == '#')
		return str;
	if (s != line) {
		perr(p, p->lineno, AFP_ERR_CONFIG,
		    "indented line (continuation lines are not supported)");
		goto done;
	}
	if (*s == '[') {
		if (section_line(p, s, n) != AFP_OK)
			goto done;
		return str;
	}
	if (!kv_line(s, n)) {
		perr(p, p->lineno, AFP_ERR_CONFIG, "expected key = value");
		goto done;
	}
	/* A section nobody asked for: inih need not parse its keys. */
	if (p->sec == SEC_SKIP)
		return str;
	memcpy(str, line, n);
	str[n] = '\0';
	return str;
 done:
	/* inih's line buffer may hold a secret; this is the last call. */
	explicit_bzero(str, (size_t)num);
	return NULL;
}

static afp_err
parse_data(struct pctx *p, const char *file, enum file_kind kind,
    const struct buf *data)
{
	int rv;

	p->file = file;
	p->kind = kind;
	p->data = data->p != NULL ? data->p : "";
	p->len = data->len;
	p->pos = 0;
	p->lineno = 0;
	p->sec = SEC_NONE;
	rv = ini_parse_stream(conf_reader, p, conf_handler, p);
	if (p->r != AFP_OK)
		return p->r;
	/* Our reader catches everything inih would flag; keep a net anyway. */
	if (rv > 0)
		return perr(p, rv, AFP_ERR_CONFIG, "syntax error");
	if (rv < 0)
		return nomem(p);
	return section_end(p);
}

static afp_err
parse_file(struct pctx *p, const char *file, enum file_kind kind)
{
	struct buf data;
	afp_err r;

	if ((r = read_file(file, CONF_FILE_MAX, &data, p->err)) != AFP_OK)
		return p->r = r;
	r = parse_data(p, file, kind, &data);
	buf_free(&data);
	return r;
}

/* A name conf_load_accounts may open in accounts_dir: *.conf, no dotfile. */
static int
conf_file_name_ok(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && strchr(name, '/') == NULL &&
	    strcmp(name + len - 5, ".conf") == 0;
}

/* The *.conf names in dir, sorted, without dotfiles. */
static afp_err
list_conf_files(const char *dir, struct strlist *out, struct buf *err)
{
	DIR *d;
	struct dirent *de;
	afp_err r;

	if ((d = opendir(dir)) == NULL)
		return seterr(err, AFP_ERR_IO, dir, 0,
		    "cannot open accounts_dir: %s", strerror(errno));
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno == 0)
				break;
			r = seterr(err, AFP_ERR_IO, dir, 0,
			    "cannot read accounts_dir: %s", strerror(errno));
			goto out;
		}
		if (!conf_file_name_ok(de->d_name))
			continue;
		if (out->n >= ACCOUNT_FILES_MAX) {
			r = seterr(err, AFP_ERR_TOOBIG, dir, 0,
			    "more than %d files", ACCOUNT_FILES_MAX);
			goto out;
		}
		if (strlist_add(out, de->d_name) != AFP_OK) {
			r = seterr(err, AFP_ERR_NOMEM, dir, 0, "out of memory");
			goto out;
		}
	}
	strlist_sort_uniq(out);
	r = AFP_OK;
 out:
	if (r != AFP_OK)
		strlist_free(out);
	closedir(d);
	return r;
}

/* File order: the files of accounts_dir sort by name, as they were read. */
static int
cmp_where(const char *fa, int la, const char *fb, int lb)
{
	int d = strcmp(fa, fb);

	if (d != 0)
		return d;
	return (la > lb) - (la < lb);
}

static int
cmp_account(const void *a, const void *b)
{
	const struct conf_account *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	return d != 0 ? d : cmp_where(x->file, x->line, y->file, y->line);
}

static int
cmp_role(const void *a, const void *b)
{
	const struct conf_role *x = a, *y = b;
	int d;

	if ((d = strcmp(x->account, y->account)) != 0)
		return d;
	if ((d = strcmp(x->name, y->name)) != 0)
		return d;
	return cmp_where(x->file, x->line, y->file, y->line);
}

struct role_ref {
	const char *account;
	const char *name;
};

static int
cmp_role_key(const void *k, const void *e)
{
	const struct role_ref *key = k;
	const struct conf_role *r = e;
	int d;

	if ((d = strcmp(key->account, r->account)) != 0)
		return d;
	return strcmp(key->name, r->name);
}

static int
cmp_account_name(const void *k, const void *e)
{
	const struct conf_account *a = e;

	return strcmp(k, a->name);
}

/*
 * Checks across all files: duplicate sections and roles of undeclared
 * accounts, each reported at its earliest place in file order.
 */
static afp_err
conf_finish(struct pctx *p)
{
	struct conf *c = p->c;
	const struct conf_account *a, *da = NULL, *fa = NULL, *runa = NULL;
	const struct conf_role *x, *dr = NULL, *fr = NULL, *runr = NULL;
	const struct conf_role *ur = NULL;
	struct conf_role *r;
	struct buf b;
	size_t i;

	if (c->naccounts > 1)
		qsort(c->accounts, c->naccounts, sizeof(*c->accounts),
		    cmp_account);
	if (c->nroles > 1)
		qsort(c->roles, c->nroles, sizeof(*c->roles), cmp_role);
	/* Sorted with ties in file order: a run's head is the original. */
	for (i = 0; i < c->naccounts; i++) {
		a = &c->accounts[i];
		if (runa == NULL || strcmp(a->name, runa->name) != 0)
			runa = a;
		else if (da == NULL ||
		    cmp_where(a->file, a->line, da->file, da->line) < 0) {
			da = a;
			fa = runa;
		}
	}
	for (i = 0; i < c->nroles; i++) {
		x = &c->roles[i];
		if (runr == NULL || strcmp(x->account, runr->account) != 0 ||
		    strcmp(x->name, runr->name) != 0)
			runr = x;
		else if (dr == NULL ||
		    cmp_where(x->file, x->line, dr->file, dr->line) < 0) {
			dr = x;
			fr = runr;
		}
	}
	if (da != NULL && (dr == NULL ||
	    cmp_where(da->file, da->line, dr->file, dr->line) < 0)) {
		p->file = da->file;
		return perr(p, da->line, AFP_ERR_CONFIG, "duplicate section "
		    "[account %s] (first at %s:%d)", da->name, fa->file,
		    fa->line);
	}
	if (dr != NULL) {
		p->file = dr->file;
		return perr(p, dr->line, AFP_ERR_CONFIG, "duplicate section "
		    "[role %s/%s] (first at %s:%d)", dr->account, dr->name,
		    fr->file, fr->line);
	}
	for (i = 0; i < c->nroles; i++) {
		r = &c->roles[i];
		/* bsearch() must not get NULL, even for zero elements. */
		r->acct = c->naccounts == 0 ? NULL : bsearch(r->account,
		    c->accounts, c->naccounts, sizeof(*c->accounts),
		    cmp_account_name);
		if (r->acct == NULL && (ur == NULL ||
		    cmp_where(r->file, r->line, ur->file, ur->line) < 0))
			ur = r;
	}
	if (ur != NULL) {
		p->file = ur->file;
		return perr(p, ur->line, AFP_ERR_CONFIG, "[role %s/%s]: "
		    "account %s is not declared", ur->account, ur->name,
		    ur->account);
	}
	for (i = 0; i < c->nroles; i++) {
		r = &c->roles[i];
		if (r->type != ROLE_ASSUME_ROLE || r->role_arn != NULL)
			continue;
		buf_init(&b, ARN_LEN_MAX);
		if (buf_printf(&b, "arn:%s:iam::%s:role/%s", c->partition,
		    r->acct->id, r->name) != AFP_OK ||
		    (r->role_arn = buf_steal(&b)) == NULL) {
			buf_free(&b);
			p->file = r->file;
			return nomem(p);
		}
	}
	return AFP_OK;
}

static afp_err
conf_defaults(struct conf *c)
{
	static const struct {
		size_t off;
		const char *value;
	} strs[] = {
		{ offsetof(struct conf, cache_dir), "/var/cache/afp" },
		{ offsetof(struct conf, accounts_dir), "/etc/afp/accounts.d" },
		{ offsetof(struct conf, secrets_file),
		    "/etc/afp/secrets.conf" },
		{ offsetof(struct conf, pam_service), "afp" },
		{ offsetof(struct conf, web_user), "www-data" },
		{ offsetof(struct conf, machine_user_env), "REMOTE_ADDR" },
		{ offsetof(struct conf, user_env), "REMOTE_USER" },
		{ offsetof(struct conf, partition), "aws" },
		{ offsetof(struct conf, region), "us-east-1" },
	};
	size_t i;
	char **dst;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		dst = (char **)(void *)((char *)c + strs[i].off);
		if ((*dst = strdup(strs[i].value)) == NULL)
			return AFP_ERR_NOMEM;
	}
	c->auth = CONF_AUTH_PAM;
	c->machine_auth = CONF_AUTH_REMOTE_USER;
	c->default_duration = 3600;
	c->max_duration = 43200;
	c->refresh_before = 900;
	c->concurrency = 8;
	c->timeout = 10;
	c->imds_v1 = 1;
	c->log = LOG_DEST_SYSLOG;
	return AFP_OK;
}

afp_err
conf_load_main(const char *path, struct conf **out, struct buf *err)
{
	struct pctx p;
	struct conf *c = NULL;
	char *dir = NULL;
	afp_err r;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.err = err;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    conf_defaults(c) != AFP_OK ||
	    (c->path = strdup(path)) == NULL ||
	    (dir = dir_prefix(path)) == NULL) {
		r = seterr(err, AFP_ERR_NOMEM, path, 0, "out of memory");
		goto out;
	}
	p.c = c;
	p.dir = dir;
	if ((r = parse_file(&p, path, FK_AFP)) != AFP_OK)
		goto out;
	if (p.nafp == 0) {
		r = seterr(err, AFP_ERR_CONFIG, path, 0, "no [afp] section");
		goto out;
	}
	*out = c;
	c = NULL;
 out:
	free(dir);
	conf_free(c);
	return r;
}

afp_err
conf_load_accounts(struct conf *c, const struct strlist *files,
    const struct strlist *keep, struct buf *err)
{
	struct pctx p;
	struct strlist all = { NULL, 0 };
	char *dir = NULL, *file = NULL;
	size_t i;
	afp_err r;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.err = err;
	p.keep = keep;
	if (files == NULL) {
		if ((r = list_conf_files(c->accounts_dir, &all, err)) != AFP_OK)
			goto out;
		files = &all;
	}
	if ((dir = dir_slash(c->accounts_dir)) == NULL) {
		r = seterr(err, AFP_ERR_NOMEM, c->path, 0, "out of memory");
		goto out;
	}
	p.dir = dir;
	for (i = 0; i < files->n; i++) {
		if (!conf_file_name_ok(files->v[i])) {
			r = seterr(err, AFP_ERR_INVAL, c->accounts_dir, 0,
			    "not a configuration file name: \"%s\"",
			    files->v[i]);
			goto out;
		}
		free(file);
		if ((file = path_join(dir, files->v[i])) == NULL) {
			r = seterr(err, AFP_ERR_NOMEM, c->path, 0,
			    "out of memory");
			goto out;
		}
		/* A named file that is gone holds none of the sections. */
		if (files != &all && access(file, F_OK) == -1 && errno == ENOENT)
			continue;
		if ((r = parse_file(&p, file, FK_ACCOUNTS)) != AFP_OK)
			goto out;
	}
	r = conf_finish(&p);
 out:
	strlist_free(&all);
	free(file);
	free(dir);
	return r;
}

afp_err
conf_load(const char *path, struct conf **out, struct buf *err)
{
	afp_err r;

	if ((r = conf_load_main(path, out, err)) != AFP_OK)
		return r;
	if ((r = conf_load_accounts(*out, NULL, NULL, err)) != AFP_OK) {
		conf_free(*out);
		*out = NULL;
	}
	return r;
}

void
conf_free(struct conf *c)
{
	size_t i;
	struct conf_role *r;

	if (c == NULL)
		return;
	for (i = 0; i < c->naccounts; i++) {
		free(c->accounts[i].name);
		free(c->accounts[i].id);
		free(c->accounts[i].file);
	}
	free(c->accounts);
	for (i = 0; i < c->nroles; i++) {
		r = &c->roles[i];
		free(r->account);
		free(r->name);
		free(r->role_arn);
		free(r->external_id);
		free(r->policy);
		strlist_free(&r->policy_arns);
		free(r->session_name);
		strlist_free(&r->allow_users);
		strlist_free(&r->allow_groups);
		strlist_free(&r->machines);
		free(r->console_destination);
		strlist_free(&r->ecr_regions);
		free(r->file);
	}
	free(c->roles);
	free(c->path);
	free(c->cache_dir);
	free(c->accounts_dir);
	free(c->secrets_file);
	free(c->pam_service);
	free(c->web_user);
	free(c->machine_user_env);
	free(c->user_env);
	free(c->group_pattern);
	free(c->partition);
	free(c->region);
	strlist_free(&c->callback_allow);
	strlist_free(&c->allowed_hosts);
	free(c->sts_endpoint);
	free(c->signin_endpoint);
	free(c->ecr_endpoint);
	free(c);
}

const struct conf_role *
conf_role_find(const struct conf *c, const char *account, const char *name)
{
	struct role_ref key;

	if (c == NULL || account == NULL || name == NULL || c->nroles == 0)
		return NULL;
	key.account = account;
	key.name = name;
	return bsearch(&key, c->roles, c->nroles, sizeof(*c->roles),
	    cmp_role_key);
}

afp_err
conf_secrets_load(const char *path, struct afp_creds *out, struct buf *err)
{
	struct pctx p;
	struct afp_creds cr;
	struct buf data;
	struct stat st;
	afp_err r;
	int fd;

	memset(out, 0, sizeof(*out));
	memset(&cr, 0, sizeof(cr));
	buf_init(&data, SECRETS_FILE_MAX);
	/* O_NOFOLLOW and fstat: the file checked is the file read. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1) {
		if (errno == ELOOP)
			return seterr(err, AFP_ERR_PERM, path, 0,
			    "is a symbolic link; refusing it");
		return seterr(err, AFP_ERR_IO, path, 0, "cannot open: %s",
		    strerror(errno));
	}
	if (fstat(fd, &st) == -1) {
		r = seterr(err, AFP_ERR_IO, path, 0, "cannot stat: %s",
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = seterr(err, AFP_ERR_PERM, path, 0,
		    "not a regular file; refusing it");
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		r = seterr(err, AFP_ERR_PERM, path, 0, "owned by uid %lu, not "
		    "root; refusing it", (unsigned long)st.st_uid);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		r = seterr(err, AFP_ERR_PERM, path, 0, "mode %04o gives group "
		    "or others access; refusing it (chmod 600)",
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((r = read_fd(fd, SECRETS_FILE_MAX, &data, path, err)) != AFP_OK)
		goto out;
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.creds = &cr;
	p.dir = "";
	if ((r = parse_data(&p, path, FK_SECRETS, &data)) != AFP_OK)
		goto out;
	if (p.nsource == 0) {
		r = seterr(err, AFP_ERR_CONFIG, path, 0, "no [source] section");
		goto out;
	}
	*out = cr;
	memset(&cr, 0, sizeof(cr));
	r = AFP_OK;
 out:
	creds_clear(&cr);
	buf_free(&data);
	close(fd);
	return r;
}

afp_err
conf_session_name(const struct conf_role *r, const char *user,
    struct buf *out)
{
	const char *s;
	size_t max, i;
	afp_err e;

	buf_reset(out);
	if (r == NULL || r->session_name == NULL)
		return AFP_ERR_INVAL;
	if (r->per_user && (user == NULL || *user == '\0'))
		return AFP_ERR_INVAL;
	for (s = r->session_name; *s != '\0'; ) {
		if (strncmp(s, "{user}", 6) == 0) {
			e = buf_addstr(out, user);
			s += 6;
		} else
			e = buf_addc(out, *s++);
		if (e != AFP_OK) {
			buf_reset(out);
			return e == AFP_ERR_NOMEM ? e : AFP_ERR_INVAL;
		}
	}
	max = r->type == ROLE_FEDERATION_TOKEN ? FEDERATION_NAME_MAX :
	    SESSION_NAME_MAX;
	for (i = 0; i < out->len; i++)
		if (!sts_char((unsigned char)out->p[i]))
			break;
	if (out->len < 2 || out->len > max || i < out->len) {
		buf_reset(out);
		return AFP_ERR_INVAL;
	}
	return AFP_OK;
}
