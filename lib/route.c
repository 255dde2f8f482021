#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "enc.h"
#include "route.h"

#define M_GET	0x1u
#define M_HEAD	0x2u
#define M_PUT	0x4u
#define GH	(M_GET | M_HEAD)

/*
 * Patterns are literal segments, "{a}" (account) and "{r}" (role); a
 * pattern ending in '/' matches only a path with a trailing slash.
 */
static const struct {
	const char *pattern;
	enum route_ep ep;
	unsigned methods;
	const char *allow;
} routes[] = {
	{ "/status", ROUTE_STATUS, GH, "GET, HEAD" },
	{ "/account", ROUTE_ACCOUNTS, GH, "GET, HEAD" },
	{ "/account/{a}/{r}", ROUTE_ROLE, GH, "GET, HEAD" },
	{ "/account/{a}/{r}/credentials", ROUTE_CREDENTIALS, GH, "GET, HEAD" },
	{ "/account/{a}/{r}/caller-identity", ROUTE_IDENTITY, GH, "GET, HEAD" },
	{ "/account/{a}/{r}/consoleurl", ROUTE_CONSOLEURL, GH, "GET, HEAD" },
	{ "/account/{a}/{r}/console", ROUTE_CONSOLE, GH, "GET, HEAD" },
	{ "/account/{a}/{r}/ecr/credentials", ROUTE_ECR, GH, "GET, HEAD" },
	{ "/account/{a}/{r}/container-credentials", ROUTE_CONTAINER, GH,
	    "GET, HEAD" },
	{ "/meta-data/iam/security-credentials/", ROUTE_IMDS_LIST, GH,
	    "GET, HEAD" },
	{ "/meta-data/iam/security-credentials/{r}", ROUTE_IMDS_ROLE, GH,
	    "GET, HEAD" },
	{ "/latest/meta-data/iam/security-credentials/", ROUTE_IMDS_LIST, GH,
	    "GET, HEAD" },
	{ "/latest/meta-data/iam/security-credentials/{r}", ROUTE_IMDS_ROLE, GH,
	    "GET, HEAD" },
	{ "/latest/api/token", ROUTE_IMDS_TOKEN, M_PUT, "PUT" },
};

/* The decoded segments of a path. */
struct segs {
	char v[ROUTE_SEG_MAX][ROUTE_NAME_MAX + 1];
	size_t n;
	int trailing;		/* the path ended in '/' */
};

static afp_err
fail(struct route *rt, int status, const char *message, const char *detail)
{
	rt->ep = ROUTE_NONE;
	rt->status = status;
	rt->message = message;
	rt->detail = detail;
	return AFP_ERR_INVAL;
}

void
route_env_get(struct route_env *env)
{
	env->method = getenv("REQUEST_METHOD");
	env->request_uri = getenv("REQUEST_URI");
	env->script_name = getenv("SCRIPT_NAME");
	env->path_info = getenv("PATH_INFO");
}

/*
 * The raw path and whether it still needs percent-decoding. PATH_INFO has
 * been decoded by the server; decoding it again would turn "%252F" into
 * "/", so it is only checked.
 */
static afp_err
raw_path(const struct route_env *env, struct route *rt, const char **path,
    size_t *len, int *decode)
{
	size_t sn, pn;

	if (env->request_uri != NULL) {
		if (env->script_name == NULL)
			return fail(rt, 500, "internal error",
			    "REQUEST_URI without SCRIPT_NAME");
		sn = strlen(env->script_name);
		if (strncmp(env->request_uri, env->script_name, sn) != 0)
			return fail(rt, 400, "malformed request path",
			    "REQUEST_URI is not under SCRIPT_NAME");
		*path = env->request_uri + sn;
		*len = strcspn(*path, "?");
		*decode = 1;
		/*
		 * busybox httpd passes REQUEST_URI decoded: SCRIPT_NAME and
		 * PATH_INFO verbatim, then '?' and the query. Decoding that
		 * again would turn %2561 into 'a', and a '?' from %3F would
		 * end the path early.
		 */
		pn = env->path_info != NULL ? strlen(env->path_info) : 0;
		if (pn > 0 && strncmp(*path, env->path_info, pn) == 0 &&
		    ((*path)[pn] == '\0' || (*path)[pn] == '?')) {
			*len = pn;
			*decode = 0;
		}
	} else {
		*path = env->path_info != NULL ? env->path_info : "";
		*len = strlen(*path);
		*decode = 0;
	}
	if (*len > ROUTE_PATH_MAX)
		return fail(rt, 414, "request path too long", "path over the limit");
	if (*len > 0 && (*path)[0] != '/')
		return fail(rt, 400, "malformed request path",
		    "path does not start with '/'");
	return AFP_OK;
}

static afp_err
segment(struct route *rt, const char *p, size_t len, int decode,
    char out[ROUTE_NAME_MAX + 1])
{
	struct buf b;
	const char *s;
	afp_err r;

	buf_init(&b, ROUTE_NAME_MAX);
	r = decode ? enc_pct_decode(&b, p, len) : buf_add(&b, p, len);
	s = buf_str(&b);
	if (r == AFP_ERR_TOOBIG)
		r = fail(rt, 400, "malformed request path", "path segment too long");
	else if (r != AFP_OK)
		r = fail(rt, 400, "malformed request path",
		    "bad percent-encoding in the path");
	else if (strchr(s, '/') != NULL || strchr(s, '\\') != NULL)
		r = fail(rt, 400, "malformed request path",
		    "encoded slash or backslash in the path");
	else if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		r = fail(rt, 400, "malformed request path", "dot segment in the path");
	else if (!conf_name_ok(s))
		r = fail(rt, 400, "malformed request path", "invalid name in the path");
	else
		memcpy(out, s, b.len + 1);
	buf_free(&b);
	return r;
}

static afp_err
split(struct route *rt, const char *p, size_t n, int decode, struct segs *s)
{
	const char *slash;
	size_t len;
	afp_err r;

	s->n = 0;
	s->trailing = 0;
	if (n == 0)
		return AFP_OK;
	p++;
	n--;
	for (;;) {
		slash = memchr(p, '/', n);
		len = slash != NULL ? (size_t)(slash - p) : n;
		if (len == 0 && slash == NULL) {
			s->trailing = 1;
			return AFP_OK;
		}
		if (len == 0)
			return fail(rt, 400, "malformed request path",
			    "empty path segment");
		if (s->n == ROUTE_SEG_MAX)
			return fail(rt, 404, "not found", "too many path segments");
		if ((r = segment(rt, p, len, decode, s->v[s->n])) != AFP_OK)
			return r;
		s->n++;
		if (slash == NULL)
			return AFP_OK;
		p = slash + 1;
		n -= len + 1;
	}
}

/* Every segment is a name, so the joined path is safe to log. */
static void
log_path(struct route *rt, const struct segs *s)
{
	size_t i, off = 0, len;

	for (i = 0; i < s->n; i++) {
		len = strlen(s->v[i]);
		rt->path[off++] = '/';
		memcpy(rt->path + off, s->v[i], len);
		off += len;
	}
	if (s->trailing || s->n == 0)
		rt->path[off++] = '/';
	rt->path[off] = '\0';
}

static int
match(const char *pattern, const struct segs *s, const char **acct,
    const char **role)
{
	size_t plen = strlen(pattern), i = 0, len;
	int trailing = plen > 1 && pattern[plen - 1] == '/';
	const char *end = pattern + plen - trailing, *p = pattern + 1, *e;

	*acct = *role = NULL;
	while (p < end) {
		if ((e = memchr(p, '/', (size_t)(end - p))) == NULL)
			e = end;
		len = (size_t)(e - p);
		if (i == s->n)
			return 0;
		if (len == 3 && memcmp(p, "{a}", 3) == 0)
			*acct = s->v[i];
		else if (len == 3 && memcmp(p, "{r}", 3) == 0)
			*role = s->v[i];
		else if (strlen(s->v[i]) != len || memcmp(s->v[i], p, len) != 0)
			return 0;
		i++;
		p = e + 1;
	}
	return i == s->n && trailing == s->trailing;
}

static unsigned
method_bit(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(m, "PUT") == 0)
		return M_PUT;
	return 0;
}

afp_err
route_parse(const struct route_env *env, struct route *rt)
{
	struct segs s;
	const char *path, *acct, *role;
	size_t len, i;
	int decode;
	afp_err r;

	memset(rt, 0, sizeof(*rt));
	memcpy(rt->path, "(invalid)", sizeof("(invalid)"));
	/* Only a server that is not speaking CGI leaves this unset. */
	if (env->method == NULL)
		return fail(rt, 500, "internal error", "REQUEST_METHOD unset");
	rt->head = strcmp(env->method, "HEAD") == 0;
	if ((r = raw_path(env, rt, &path, &len, &decode)) != AFP_OK ||
	    (r = split(rt, path, len, decode, &s)) != AFP_OK)
		return r;
	log_path(rt, &s);
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].pattern, &s, &acct, &role))
			continue;
		if ((method_bit(env->method) & routes[i].methods) == 0) {
			rt->allow = routes[i].allow;
			return fail(rt, 405, "method not allowed",
			    "method not allowed on this path");
		}
		rt->ep = routes[i].ep;
		if (acct != NULL)
			memcpy(rt->account, acct, strlen(acct) + 1);
		if (role != NULL)
			memcpy(rt->role, role, strlen(role) + 1);
		return AFP_OK;
	}
	return fail(rt, 404, "not found", "unknown path");
}

/*
 * Decode an application/x-www-form-urlencoded piece: '+' is a space and
 * "%2B" a plus. Control characters have no place in any value afp takes.
 */
static afp_err
form_decode(struct buf *out, const char *p, size_t n)
{
	size_t start = out->len, i, len;
	const char *plus;
	afp_err r;

	while (n > 0) {
		plus = memchr(p, '+', n);
		len = plus != NULL ? (size_t)(plus - p) : n;
		if ((r = enc_pct_decode(out, p, len)) != AFP_OK)
			return r;
		if (plus == NULL)
			break;
		if ((r = buf_addc(out, ' ')) != AFP_OK)
			return r;
		p = plus + 1;
		n -= len + 1;
	}
	for (i = start; i < out->len; i++)
		if ((unsigned char)out->p[i] < 0x20 || out->p[i] == 0x7f)
			return AFP_ERR_INVAL;
	return AFP_OK;
}

afp_err
route_query_get(const char *query, const char *key, struct buf *value)
{
	struct buf k, scratch;
	const char *p, *amp, *eq;
	size_t klen;
	int found = 0;
	afp_err r = AFP_ERR_INVAL;

	buf_init(&k, ROUTE_QUERY_MAX);
	buf_init(&scratch, ROUTE_QUERY_MAX);
	buf_reset(value);
	if (query == NULL || *query == '\0') {
		r = AFP_ERR_NOTFOUND;
		goto out;
	}
	if (strnlen(query, ROUTE_QUERY_MAX + 1) > ROUTE_QUERY_MAX) {
		r = AFP_ERR_TOOBIG;
		goto out;
	}
	for (p = query;; p = amp + 1) {
		amp = strchrnul(p, '&');
		eq = memchr(p, '=', (size_t)(amp - p));
		klen = eq != NULL ? (size_t)(eq - p) : (size_t)(amp - p);
		if (klen == 0) {
			r = AFP_ERR_INVAL;
			goto out;
		}
		buf_reset(&k);
		if ((r = form_decode(&k, p, klen)) != AFP_OK)
			goto out;
		if (strcmp(buf_str(&k), key) == 0) {
			if (found) {
				r = AFP_ERR_INVAL;
				goto out;
			}
			found = 1;
			if (eq != NULL && (r = form_decode(value, eq + 1,
			    (size_t)(amp - eq - 1))) != AFP_OK)
				goto out;
		} else if (eq != NULL) {
			/* Other values are checked too: one bad pair spoils all. */
			buf_reset(&scratch);
			if ((r = form_decode(&scratch, eq + 1,
			    (size_t)(amp - eq - 1))) != AFP_OK)
				goto out;
		}
		if (*amp == '\0')
			break;
	}
	r = found ? AFP_OK : AFP_ERR_NOTFOUND;
 out:
	if (r != AFP_OK)
		buf_reset(value);
	buf_free(&k);
	buf_free(&scratch);
	return r;
}
