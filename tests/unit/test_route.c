/* Unit tests for route (paths, methods, query strings) and reply. */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "t.h"
#include "buf.h"
#include "reply.h"
#include "route.h"

#define SN "/cgi-bin/afp.cgi"

struct path_case {
	const char *method, *uri, *script, *path_info;
	int status;		/* 0: routed */
	enum route_ep ep;
	const char *account, *role, *logged;
};

static const struct path_case paths[] = {
	/* Routed. */
	{ "GET", SN "/status", SN, NULL, 0, ROUTE_STATUS, "", "", "/status" },
	{ "GET", SN "/account", SN, NULL, 0, ROUTE_ACCOUNTS, "", "", "/account" },
	{ "GET", SN "/account?x=1", SN, NULL, 0, ROUTE_ACCOUNTS, "", "",
	    "/account" },
	{ "GET", SN "/account/prod/admin", SN, NULL, 0, ROUTE_ROLE, "prod",
	    "admin", "/account/prod/admin" },
	{ "HEAD", SN "/account/prod/admin", SN, NULL, 0, ROUTE_ROLE, "prod",
	    "admin", "/account/prod/admin" },
	{ "GET", SN "/account/prod/admin?callbackurl=https%3A%2F%2Fx%2F", SN,
	    NULL, 0, ROUTE_ROLE, "prod", "admin", "/account/prod/admin" },
	{ "GET", SN "/account/pr%6Fd/my.role_1-x/credentials", SN, NULL, 0,
	    ROUTE_CREDENTIALS, "prod", "my.role_1-x",
	    "/account/prod/my.role_1-x/credentials" },
	{ "GET", "/account/a/b", "", NULL, 0, ROUTE_ROLE, "a", "b",
	    "/account/a/b" },
	/* Without REQUEST_URI, PATH_INFO is used as it is, never decoded twice. */
	{ "GET", NULL, SN, "/account/prod/admin", 0, ROUTE_ROLE, "prod", "admin",
	    "/account/prod/admin" },
	{ "GET", NULL, SN, "/account/prod/a%2Fb", 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", NULL, SN, "/account/prod/%61", 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	/* REQUEST_URI wins over a PATH_INFO the server decoded. */
	{ "GET", SN "/account/a%2Fb/r", SN, "/account/a/b/r", 400, ROUTE_NONE,
	    "", "", "(invalid)" },
	/*
	 * busybox httpd passes REQUEST_URI already decoded, equal to
	 * SCRIPT_NAME + PATH_INFO: it must not be decoded a second time.
	 */
	{ "GET", SN "/account/prod/%61dmin", SN, "/account/prod/%61dmin", 400,
	    ROUTE_NONE, "", "", "(invalid)" },
	{ "GET", SN "/account/prod/admin?x", SN, "/account/prod/admin?x", 400,
	    ROUTE_NONE, "", "", "(invalid)" },
	{ "GET", SN "/account/prod/admin?x=1", SN, "/account/prod/admin", 0,
	    ROUTE_ROLE, "prod", "admin", "/account/prod/admin" },
	/* Traversal and encodings. */
	{ "GET", SN "/account/../admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/prod/.", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/%2e%2e/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/prod/%2E%2E", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/a%2Fb/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/%2F/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/a%252Fb/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/a%5Cb/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/a\\b/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/a%00b/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/a%2/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/a%zzb/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/a%20b/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/-prod/admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "/account/pr\xc3\xb6" "d/admin", SN, NULL, 400, ROUTE_NONE,
	    "", "", "(invalid)" },
	{ "GET", SN "/account/"
	    "a123456789012345678901234567890123456789012345678901234567890123"
	    "/admin", SN, NULL, 0, ROUTE_ROLE,
	    "a123456789012345678901234567890123456789012345678901234567890123",
	    "admin", "/account/"
	    "a123456789012345678901234567890123456789012345678901234567890123"
	    "/admin" },
	{ "GET", SN "/account/"
	    "a1234567890123456789012345678901234567890123456789012345678901234"
	    "/admin", SN, NULL, 400, ROUTE_NONE, "", "", "(invalid)" },
	{ "GET", SN "/account/"
	    "a12345678901234567890123456789012345678901234567890123456789%30123"
	    "/admin", SN, NULL, 0, ROUTE_ROLE,
	    "a123456789012345678901234567890123456789012345678901234567890123",
	    "admin", "/account/"
	    "a123456789012345678901234567890123456789012345678901234567890123"
	    "/admin" },
	/* Empty segments and trailing slashes. */
	{ "GET", SN "/account//admin", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "//account", SN, NULL, 400, ROUTE_NONE, "", "", "(invalid)" },
	{ "GET", SN "/account/", SN, NULL, 404, ROUTE_NONE, "", "", "/account/" },
	{ "GET", SN "/account/prod/admin/", SN, NULL, 404, ROUTE_NONE, "", "",
	    "/account/prod/admin/" },
	/* Unknown paths. */
	{ "GET", SN, SN, NULL, 404, ROUTE_NONE, "", "", "/" },
	{ "GET", SN "?x", SN, NULL, 404, ROUTE_NONE, "", "", "/" },
	{ "GET", SN "/", SN, NULL, 404, ROUTE_NONE, "", "", "/" },
	{ "GET", SN "/accounts", SN, NULL, 404, ROUTE_NONE, "", "", "/accounts" },
	{ "GET", SN "/account/prod", SN, NULL, 404, ROUTE_NONE, "", "",
	    "/account/prod" },
	{ "GET", SN "/account/prod/admin/keys", SN, NULL, 404, ROUTE_NONE, "",
	    "", "/account/prod/admin/keys" },
	{ "GET", SN "/Account", SN, NULL, 404, ROUTE_NONE, "", "", "/Account" },
	{ "GET", SN "/a/b/c/d/e/f/g/h/i", SN, NULL, 404, ROUTE_NONE, "", "",
	    "(invalid)" },
	/* Methods. */
	{ "POST", SN "/account", SN, NULL, 405, ROUTE_NONE, "", "", "/account" },
	{ "get", SN "/status", SN, NULL, 405, ROUTE_NONE, "", "", "/status" },
	{ "PUT", SN "/nope", SN, NULL, 404, ROUTE_NONE, "", "", "/nope" },
	{ NULL, SN "/status", SN, NULL, 500, ROUTE_NONE, "", "", "(invalid)" },
	/* Where the path comes from. */
	{ "GET", "/other/account", SN, NULL, 400, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", SN "x/account", SN, NULL, 400, ROUTE_NONE, "", "", "(invalid)" },
	{ "GET", SN "/account", NULL, NULL, 500, ROUTE_NONE, "", "",
	    "(invalid)" },
	{ "GET", NULL, SN, NULL, 404, ROUTE_NONE, "", "", "/" },
	{ "GET", NULL, NULL, "account", 400, ROUTE_NONE, "", "", "(invalid)" },
};

static void
check_path(const struct path_case *c)
{
	struct route_env env = { c->method, c->uri, c->script, c->path_info };
	struct route rt;
	afp_err r;
	const char *name = c->uri ? c->uri : c->path_info ? c->path_info : "-";

	r = route_parse(&env, &rt);
	if (c->status == 0) {
		T_OK(r == AFP_OK && rt.status == 0, "route %s %s: routed",
		    c->method, name);
	} else {
		T_OK(r != AFP_OK && rt.status == c->status && rt.message != NULL &&
		    rt.detail != NULL, "route %s %s: status %d (got %d)",
		    c->method ? c->method : "(none)", name, c->status, rt.status);
	}
	T_EQ(rt.ep, c->ep, "route %s: endpoint %d", name, (int)c->ep);
	T_STREQ(rt.account, c->account, "route %s: account", name);
	T_STREQ(rt.role, c->role, "route %s: role", name);
	T_STREQ(rt.path, c->logged, "route %s: logged path", name);
}

static void
test_paths(void)
{
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		check_path(&paths[i]);
}

static void
test_route_details(void)
{
	struct route_env env = { "POST", SN "/account/a/b/credentials", SN, NULL };
	struct route rt;
	struct buf long_uri;
	size_t i;

	T_OK(route_parse(&env, &rt) != AFP_OK && rt.status == 405 &&
	    rt.allow != NULL && strcmp(rt.allow, "GET, HEAD") == 0,
	    "405 names the allowed methods");
	env.method = "GET";
	T_OK(route_parse(&env, &rt) == AFP_OK && rt.allow == NULL && !rt.head,
	    "GET: no Allow, not HEAD");
	env.method = "HEAD";
	T_OK(route_parse(&env, &rt) == AFP_OK && rt.head, "HEAD is flagged");

	/* A path of exactly ROUTE_PATH_MAX bytes is parsed; one more is 414. */
	buf_init(&long_uri, 0);
	T_OK(buf_addstr(&long_uri, SN "/account") == AFP_OK, "long uri: start");
	for (i = strlen("/account"); i < ROUTE_PATH_MAX; i += 2)
		if (buf_addstr(&long_uri, "/a") != AFP_OK)
			break;
	T_EQ(long_uri.len - strlen(SN), (size_t)ROUTE_PATH_MAX,
	    "long uri: built to the limit");
	env.method = "GET";
	env.request_uri = buf_str(&long_uri);
	T_OK(route_parse(&env, &rt) != AFP_OK && rt.status == 404,
	    "path at the limit is parsed (404: too many segments)");
	T_OK(buf_addc(&long_uri, 'a') == AFP_OK, "long uri: one more");
	env.request_uri = buf_str(&long_uri);
	T_OK(route_parse(&env, &rt) != AFP_OK && rt.status == 414,
	    "path over the limit is 414");
	/* The query does not count against the path. */
	buf_reset(&long_uri);
	T_OK(buf_addstr(&long_uri, SN "/status?") == AFP_OK, "long query: start");
	for (i = 0; i < ROUTE_PATH_MAX; i++)
		if (buf_addc(&long_uri, 'q') != AFP_OK)
			break;
	env.request_uri = buf_str(&long_uri);
	T_OK(route_parse(&env, &rt) == AFP_OK && rt.ep == ROUTE_STATUS,
	    "a long query does not make the path too long");
	buf_free(&long_uri);
}

struct query_case {
	const char *query, *key;
	afp_err want;
	const char *value;
};

static const struct query_case queries[] = {
	{ "region=eu-west-1", "region", AFP_OK, "eu-west-1" },
	{ "a=1&region=eu-west-1&b=2", "region", AFP_OK, "eu-west-1" },
	{ "callbackurl=https%3A%2F%2Fintra.example%2Fx%3Fa%3D1", "callbackurl",
	    AFP_OK, "https://intra.example/x?a=1" },
	{ "q=a+b%2Bc", "q", AFP_OK, "a b+c" },
	{ "q=++", "q", AFP_OK, "  " },
	{ "q=", "q", AFP_OK, "" },
	{ "q", "q", AFP_OK, "" },
	{ "q=a=b", "q", AFP_OK, "a=b" },
	{ "my+key=v", "my key", AFP_OK, "v" },
	{ "%72egion=x", "region", AFP_OK, "x" },
	{ "q=%C3%A9", "q", AFP_OK, "\xc3\xa9" },
	{ "region=x", "Region", AFP_ERR_NOTFOUND, "" },
	{ "regionx=1", "region", AFP_ERR_NOTFOUND, "" },
	{ "", "region", AFP_ERR_NOTFOUND, "" },
	{ NULL, "region", AFP_ERR_NOTFOUND, "" },
	{ "region=a&region=b", "region", AFP_ERR_INVAL, "" },
	{ "region=a&%72egion=b", "region", AFP_ERR_INVAL, "" },
	{ "region=a&region", "region", AFP_ERR_INVAL, "" },
	{ "region=%2", "region", AFP_ERR_INVAL, "" },
	{ "region=%zz", "region", AFP_ERR_INVAL, "" },
	{ "region=a%00b", "region", AFP_ERR_INVAL, "" },
	{ "region=a%0Ab", "region", AFP_ERR_INVAL, "" },
	{ "region=a%7Fb", "region", AFP_ERR_INVAL, "" },
	{ "region=a&x=%zz", "region", AFP_ERR_INVAL, "" },
	{ "x=%zz&region=a", "region", AFP_ERR_INVAL, "" },
	{ "region=a&&b=1", "region", AFP_ERR_INVAL, "" },
	{ "region=a&", "region", AFP_ERR_INVAL, "" },
	{ "&region=a", "region", AFP_ERR_INVAL, "" },
	{ "=a&region=b", "region", AFP_ERR_INVAL, "" },
	{ "%zz=1&region=b", "region", AFP_ERR_INVAL, "" },
};

static void
test_query(void)
{
	struct buf v, q;
	size_t i;

	buf_init(&v, 256);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		const struct query_case *c = &queries[i];
		afp_err r;

		T_OK(buf_addstr(&v, "stale") == AFP_OK, "query: prefill");
		r = route_query_get(c->query, c->key, &v);
		T_EQ(r, c->want, "query \"%s\" key %s: %s", c->query ? c->query :
		    "(null)", c->key, afp_strerror(c->want));
		T_STREQ(buf_str(&v), c->value, "query \"%s\": value",
		    c->query ? c->query : "(null)");
	}
	buf_free(&v);

	/* Caps: the caller's value cap and the query cap. */
	buf_init(&v, 4);
	T_EQ(route_query_get("k=abcd", "k", &v), AFP_OK, "query: value at its cap");
	T_EQ(route_query_get("k=abcde", "k", &v), AFP_ERR_TOOBIG,
	    "query: value over its cap");
	T_STREQ(buf_str(&v), "", "query: value emptied on failure");
	buf_free(&v);
	buf_init(&v, 0);
	buf_init(&q, 0);
	T_OK(buf_addstr(&q, "k=") == AFP_OK, "long query: start");
	while (q.len < ROUTE_QUERY_MAX)
		if (buf_addc(&q, 'x') != AFP_OK)
			break;
	T_EQ(route_query_get(buf_str(&q), "k", &v), AFP_OK,
	    "query at ROUTE_QUERY_MAX is accepted");
	T_EQ(v.len, (size_t)ROUTE_QUERY_MAX - 2, "query at the cap: full value");
	T_OK(buf_addc(&q, 'x') == AFP_OK, "long query: one more");
	T_EQ(route_query_get(buf_str(&q), "k", &v), AFP_ERR_TOOBIG,
	    "query over ROUTE_QUERY_MAX is refused");
	buf_free(&q);
	buf_free(&v);
}

/* Everything reply_send wrote to a pipe. */
static int
capture(const struct reply *rp, const char *body, int error, struct buf *out)
{
	char chunk[512];
	ssize_t n;
	int fds[2], ok;

	if (pipe(fds) == -1)
		return 0;
	if (error)
		ok = reply_send_message(fds[1], rp, body) == AFP_OK;
	else
		ok = reply_send(fds[1], rp, body, strlen(body)) == AFP_OK;
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
		if (buf_add(out, chunk, (size_t)n) != AFP_OK)
			ok = 0;
	close(fds[0]);
	return ok && n == 0;
}

static void
test_reply(void)
{
	struct reply rp = { .status = 200 };
	struct buf out;

	buf_init(&out, 0);
	T_OK(capture(&rp, "{\"a\":1}", 0, &out), "reply: 200 sent");
	T_STREQ(buf_str(&out),
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 7\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "\r\n"
	    "{\"a\":1}", "reply: 200 headers and body");
	buf_reset(&out);

	rp.status = 401;
	T_OK(capture(&rp, "authentication required", 1, &out), "reply: 401 sent");
	T_OK(strstr(buf_str(&out), "Status: 401 Unauthorized\r\n") ==
	    buf_str(&out), "reply: 401 status line first");
	T_OK(strstr(buf_str(&out), "\r\nWWW-Authenticate: Basic realm=\"afp\"\r\n")
	    != NULL, "reply: 401 asks for Basic auth");
	T_OK(strstr(buf_str(&out), "\r\n\r\n{\"status\":\"401\",\"message\":"
	    "\"authentication required\"}") != NULL, "reply: 401 JSON body");
	T_OK(strstr(buf_str(&out), "Content-Length: 52\r\n") != NULL,
	    "reply: 401 length");
	buf_reset(&out);

	rp.status = 403;
	T_OK(capture(&rp, "not allowed", 1, &out), "reply: 403 sent");
	T_OK(strstr(buf_str(&out), "WWW-Authenticate") == NULL,
	    "reply: 403 has no WWW-Authenticate");
	T_OK(strstr(buf_str(&out), "Allow:") == NULL, "reply: 403 has no Allow");
	buf_reset(&out);

	rp.status = 405;
	rp.allow = "GET, HEAD";
	rp.head = 1;
	T_OK(capture(&rp, "method not allowed", 1, &out), "reply: 405 HEAD sent");
	T_OK(strstr(buf_str(&out), "\r\nAllow: GET, HEAD\r\n") != NULL,
	    "reply: 405 Allow header");
	T_OK(strstr(buf_str(&out), "Content-Length: 47\r\n") != NULL,
	    "reply: HEAD keeps the GET Content-Length");
	T_OK(out.len >= 4 && strcmp(buf_str(&out) + out.len - 4, "\r\n\r\n") == 0,
	    "reply: HEAD ends after the headers");
	buf_reset(&out);

	rp.allow = "GET\r\nX-Evil: 1";
	T_OK(!capture(&rp, "x", 1, &out) && out.len == 0,
	    "reply: CR/LF in a header value is refused, nothing written");
	rp.allow = NULL;
	rp.status = 42;
	T_OK(!capture(&rp, "x", 0, &out) && out.len == 0,
	    "reply: bad status refused");

	T_STREQ(reply_reason(503), "Service Unavailable", "reason 503");
	T_STREQ(reply_reason(414), "URI Too Long", "reason 414");
	T_STREQ(reply_reason(299), "Unknown", "reason unknown");

	T_EQ(reply_write(-1, "x", 1), AFP_ERR_IO, "reply: write to a bad fd fails");
	buf_free(&out);
}

static void
test_reply_nonblocking(void)
{
	char sink[65536];
	struct buf big;
	int fds[2], ok, st = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	/* More than a pipe holds, through a non-blocking fd: EAGAIN and poll. */
	buf_init(&big, 0);
	while (big.len < 256 * 1024)
		if (buf_addstr(&big, "0123456789abcdef") != AFP_OK)
			break;
	if (pipe(fds) == -1 || fcntl(fds[1], F_SETFL, O_NONBLOCK) == -1) {
		T_OK(0, "nonblocking pipe");
		buf_free(&big);
		return;
	}
	if ((pid = fork()) == 0) {
		close(fds[1]);
		usleep(50000);
		while ((n = read(fds[0], sink, sizeof(sink))) > 0)
			got += (size_t)n;
		_exit(got == big.len ? 0 : 1);
	}
	close(fds[0]);
	ok = reply_write(fds[1], buf_str(&big), big.len) == AFP_OK;
	close(fds[1]);
	T_OK(ok, "reply_write: all of 256 KiB through a non-blocking pipe");
	T_OK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "reply_write: reader got every byte");
	buf_free(&big);
}

int
main(void)
{
	test_paths();
	test_route_details();
	test_query();
	test_reply();
	test_reply_nonblocking();
	return t_done();
}
