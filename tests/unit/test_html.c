/*
 * Unit tests for cgi/html.c: Accept negotiation, HTML escaping, the page
 * and the shell export format. The file is included so its static helpers
 * can be tested; cgi_fail and cgi_roles_walk, which main.c provides to the
 * real CGI, are stubbed here.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "t.h"
#include "../../cgi/html.c"

static int failed_status;

void
cgi_fail(struct req *q, int status, const char *message, const char *fmt, ...)
{
	q->rp.status = status;
	q->message = message;
	failed_status = status;
}

/* Roles as the walk would hand them out; first marks a new account. */
static struct conf_role walk_roles[3];
static const int walk_first[3] = { 1, 0, 1 };
static size_t walk_n;

afp_err
cgi_roles_walk(struct req *q, cgi_role_fn fn, void *arg)
{
	size_t i;
	afp_err r;

	for (i = 0; i < walk_n; i++)
		if ((r = fn(arg, &walk_roles[i], walk_first[i])) != AFP_OK)
			return r;
	return AFP_OK;
}

static void
req_init(struct req *q, const char *user)
{
	memset(q, 0, sizeof(*q));
	buf_init(&q->user, 256);
	buf_init(&q->body, BUF_MAX_DEFAULT);
	q->rp.status = 500;
	if (buf_addstr(&q->user, user) != AFP_OK)
		abort();
	failed_status = 0;
}

static void
req_free(struct req *q)
{
	buf_free(&q->user);
	buf_free(&q->body);
}

static void
test_qvalue(void)
{
	static const struct {
		const char *s;
		int q;
	} c[] = {
		{ "0", 0 }, { "1", 1000 }, { "0.5", 500 }, { "0.123", 123 },
		{ "0.", 0 }, { "1.000", 1000 }, { " 0.25 ", 250 },
		{ "1.001", -1 }, { "2", -1 }, { "0.1234", -1 }, { "", -1 },
		{ "0.x", -1 }, { ".5", -1 }, { "01", -1 }, { "-0", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		T_EQ(qvalue(c[i].s, strlen(c[i].s)), c[i].q, "qvalue \"%s\" is %d",
		    c[i].s, c[i].q);
}

static void
test_wanted(void)
{
	static const struct {
		const char *accept;	/* NULL: no header */
		int html;
	} c[] = {
		{ "text/html,application/xhtml+xml,application/xml;q=0.9,"
		    "image/avif,image/webp,*/*;q=0.8", 1 },
		{ "text/html", 1 },
		{ " Text/HTML ; charset=utf-8", 1 },
		{ "application/json;q=0.2, text/html;q=0.3", 1 },
		{ "text/plain, text/html;level=1;Q=0.5", 1 },
		{ NULL, 0 },
		{ "", 0 },
		{ "*/*", 0 },
		{ "text/*", 0 },
		{ "application/json", 0 },
		{ "text/html;q=0", 0 },
		{ "text/html;q=0.000, */*", 0 },
		{ "text/html;q=1.5", 0 },
		{ "text/html;q=", 0 },
		{ "text/htm", 0 },
		{ "text/html5", 0 },
		{ "xtext/html", 0 },
		{ "text/html, application/json", 0 },
		{ "text/html;q=0.3, application/json;q=0.2, application/json", 0 },
		{ ",,;;=,text/html;;q", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].accept == NULL)
			unsetenv("HTTP_ACCEPT");
		else
			setenv("HTTP_ACCEPT", c[i].accept, 1);
		T_EQ(html_wanted(), c[i].html, "Accept \"%s\": %s",
		    c[i].accept ? c[i].accept : "(none)",
		    c[i].html ? "HTML" : "JSON");
	}
	unsetenv("HTTP_ACCEPT");
}

static void
test_esc(void)
{
	struct buf b;

	buf_init(&b, 64);
	T_OK(html_esc(&b, "a&b<c>d\"e'f") == AFP_OK &&
	    strcmp(buf_str(&b), "a&amp;b&lt;c&gt;d&quot;e&#39;f") == 0,
	    "html_esc escapes & < > \" '");
	buf_reset(&b);
	T_OK(html_esc(&b, "e.v@n+1=x,ok_-") == AFP_OK &&
	    strcmp(buf_str(&b), "e.v@n+1=x,ok_-") == 0,
	    "html_esc keeps other characters");
	buf_reset(&b);
	T_OK(html_esc(&b, "") == AFP_OK && b.len == 0, "html_esc of \"\" is empty");
	buf_free(&b);
	buf_init(&b, 8);
	T_EQ(html_esc(&b, "<<<"), AFP_ERR_TOOBIG, "html_esc past the cap fails");
	buf_free(&b);
}

static void
set_role(size_t i, const char *account, const char *name, int console)
{
	walk_roles[i].account = (char *)account;
	walk_roles[i].name = (char *)name;
	walk_roles[i].console = console;
}

static void
test_page(void)
{
	struct req q;
	const char *body;

	set_role(0, "prod", "admin", 1);
	set_role(1, "prod", "read", 0);
	set_role(2, "dev", "deploy", 1);
	walk_n = 3;
	/* conf_user_ok would refuse this name; the page escapes regardless. */
	req_init(&q, "<i>&'\"");
	html_accounts(&q);
	body = buf_str(&q.body);
	T_EQ(q.rp.status, 200, "page: 200");
	T_STREQ(q.rp.content_type, REPLY_HTML, "page: text/html");
	T_OK(q.rp.csp != NULL && strstr(q.rp.csp, "default-src 'none'") &&
	    !strstr(q.rp.csp, "script"), "page: CSP default-src 'none', no script");
	T_OK(strstr(body, "<title>AWS roles of &lt;i&gt;&amp;&#39;&quot;</title>") &&
	    strstr(body, "<strong>&lt;i&gt;&amp;&#39;&quot;</strong>"),
	    "page: the user name is escaped in title and text");
	T_OK(strstr(body, "<i>") == NULL, "page: no raw markup from the user name");
	T_OK(strstr(body, "<tr><td>admin</td><td><a href=\"account/prod/admin/console\">"
	    "Console</a></td><td><a href=\"account/prod/admin/credentials?format=shell\">"
	    "Credentials</a></td></tr>") != NULL, "page: console role row");
	T_OK(strstr(body, "<tr><td>read</td><td>not enabled</td><td><a href="
	    "\"account/prod/read/credentials?format=shell\">Credentials</a></td></tr>")
	    != NULL, "page: row without console");
	T_OK(strstr(body, "<h2>prod</h2>") < strstr(body, "<h2>dev</h2>") &&
	    strstr(body, "<h2>prod</h2>") != NULL, "page: accounts in walk order");
	T_OK(strstr(body, "<style>" STYLE "</style>") != NULL,
	    "page: the hashed style sheet verbatim");
	req_free(&q);

	walk_n = 0;
	req_init(&q, "dave");
	html_accounts(&q);
	body = buf_str(&q.body);
	T_OK(q.rp.status == 200 && strstr(body, "No role is available") &&
	    !strstr(body, "<table"), "page without roles: says so, no table");
	req_free(&q);

	walk_n = 3;
	req_init(&q, "alice");
	q.body.max = 600;
	html_accounts(&q);
	T_OK(q.rp.status == 500 && failed_status == 500 && q.body.len == 0,
	    "page past the body cap: 500 and no half page");
	req_free(&q);
}

/* The CSP allows the style sheet by hash: a changed sheet needs a new one. */
static void
test_style_hash(void)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	struct buf b;

	buf_init(&b, 64);
	T_OK(EVP_Digest(STYLE, strlen(STYLE), md, &n, EVP_sha256(), NULL) == 1 &&
	    enc_b64(&b, md, n) == AFP_OK &&
	    strcmp(buf_str(&b), STYLE_SHA256) == 0,
	    "STYLE_SHA256 is the base64 SHA-256 of STYLE");
	T_OK(strstr(CSP, "'sha256-" STYLE_SHA256 "'") != NULL,
	    "the CSP names that hash");
	buf_free(&b);
}

static void
test_shell_wanted(void)
{
	static const struct {
		const char *query;	/* NULL: no QUERY_STRING */
		int want;
	} c[] = {
		{ NULL, 0 }, { "", 0 }, { "format=json", 0 }, { "x=1", 0 },
		{ "format=shell", 1 }, { "x=1&format=shell", 1 },
		{ "format=%73hell", 1 },
		{ "format=xml", -1 }, { "format=", -1 }, { "format", -1 },
		{ "format=Shell", -1 }, { "format=shell&format=shell", -1 },
		{ "format=shell&x=%zz", -1 },
		{ "format=shellshellshellshellshell", -1 },
	};
	struct req q;
	size_t i;
	int got;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].query == NULL)
			unsetenv("QUERY_STRING");
		else
			setenv("QUERY_STRING", c[i].query, 1);
		req_init(&q, "alice");
		got = html_shell_wanted(&q);
		T_OK(got == c[i].want && (got != -1 || failed_status == 400) &&
		    (got == -1 || failed_status == 0), "?%s: %d",
		    c[i].query ? c[i].query : "(none)", c[i].want);
		req_free(&q);
	}
	unsetenv("QUERY_STRING");
}

static void
test_credentials(void)
{
	struct cache_entry e;
	struct req q;

	memset(&e, 0, sizeof(e));
	e.creds.akid = (char *)"ASIAEXAMPLE";
	e.creds.secret = (char *)"a'b''c\\$`\"";
	e.creds.token = (char *)"'tok'";
	e.creds.expiration = 1700000000;
	req_init(&q, "alice");
	memcpy(q.rt.account, "prod", 5);
	memcpy(q.rt.role, "admin", 6);
	html_credentials(&q, &e);
	T_EQ(q.rp.status, 200, "shell credentials: 200");
	T_STREQ(q.rp.content_type, REPLY_TEXT, "shell credentials: text/plain");
	T_STREQ(buf_str(&q.body),
	    "# afp: prod/admin for alice, expires 2023-11-14T22:13:20Z\n"
	    "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\n"
	    "export AWS_SECRET_ACCESS_KEY='a'\\''b'\\'''\\''c\\$`\"'\n"
	    "export AWS_SESSION_TOKEN=''\\''tok'\\'''\n"
	    "export AWS_CREDENTIAL_EXPIRATION='2023-11-14T22:13:20Z'\n",
	    "shell credentials: every quote closed, escaped and reopened");
	req_free(&q);

	req_init(&q, "alice");
	q.body.max = 100;
	html_credentials(&q, &e);
	T_OK(q.rp.status == 500 && q.body.len == 0,
	    "shell credentials past the body cap: 500, nothing half written");
	req_free(&q);
}

int
main(void)
{
	test_qvalue();
	test_wanted();
	test_esc();
	test_page();
	test_style_hash();
	test_shell_wanted();
	test_credentials();
	return t_done();
}
