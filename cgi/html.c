/*
 * html.c: what a browser gets. /account with Accept: text/html is a small
 * page listing the caller's roles with links to the console and to the
 * credentials; the page itself holds no secret. The credentials come on
 * demand from /account/{a}/{r}/credentials?format=shell as export lines.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cgi.h"
#include "enc.h"
#include "tm.h"

#define FORMAT_MAX	16	/* longer than any known ?format= value */
#define Q_MAX		1000	/* q=1 in thousandths */
#define LINK_MAX	1024	/* two encoded names and a tail */

/*
 * The page's only style sheet, allowed by its hash: no other style, no
 * script, no image, no form, no framing. tests/unit/test_html.c
 * recomputes the hash.
 */
#define STYLE \
	"body{font-family:sans-serif;max-width:48em;margin:2em auto;" \
	"padding:0 1em;color:#222}" \
	"table{border-collapse:collapse;margin:0 0 2em}" \
	"th,td{text-align:left;padding:.3em 1.5em .3em 0;" \
	"border-bottom:1px solid #ccc}" \
	"code{font-size:.9em}"
#define STYLE_SHA256	"vr0hA79sF+itcY8POFjE4nwq7+Y7B0YI1FOMGULoyW8="
#define CSP \
	"default-src 'none'; style-src 'sha256-" STYLE_SHA256 "'; " \
	"img-src 'none'; form-action 'none'; frame-ancestors 'none'; " \
	"base-uri 'none'"

/* What the page walk carries from one role to the next. */
struct page {
	struct buf *b;
	int open;		/* an account's table is open */
};

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim spaces and tabs around [*p, *p + *n). */
static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && is_ows(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_ows((*p)[*n - 1]))
		(*n)--;
}

/* Whether [p, p + n), trimmed, is s, ignoring case. */
static int
token_is(const char *p, size_t n, const char *s)
{
	trim(&p, &n);
	return n == strlen(s) && strncasecmp(p, s, n) == 0;
}

/* The end of the item at p: the next sep before end, or end. */
static const char *
item_end(const char *p, const char *end, char sep)
{
	const char *s = memchr(p, sep, (size_t)(end - p));

	return s != NULL ? s : end;
}

/*
 * An RFC 9110 qvalue ("0", "0.5", "1.000") in thousandths, or -1 when it
 * breaks the grammar.
 */
static int
qvalue(const char *p, size_t n)
{
	int q, scale = 100;
	size_t i;

	trim(&p, &n);
	if (n == 0 || n > 5 || (p[0] != '0' && p[0] != '1') ||
	    (n > 1 && p[1] != '.'))
		return -1;
	q = (p[0] - '0') * Q_MAX;
	for (i = 2; i < n; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		q += (p[i] - '0') * scale;
	}
	return q > Q_MAX ? -1 : q;
}

/*
 * The q of the media range [p, end), "type/sub;p=v;q=0.5", when it names
 * type itself (case-insensitively), else -1. A malformed q counts as 0:
 * not acceptable.
 */
static int
range_q(const char *p, const char *end, const char *type)
{
	const char *e = item_end(p, end, ';'), *eq;
	int q = Q_MAX;

	if (!token_is(p, (size_t)(e - p), type))
		return -1;
	while (e < end) {
		p = e + 1;
		e = item_end(p, end, ';');
		if ((eq = memchr(p, '=', (size_t)(e - p))) == NULL ||
		    !token_is(p, (size_t)(eq - p), "q"))
			continue;
		if ((q = qvalue(eq + 1, (size_t)(e - eq - 1))) == -1)
			return 0;
	}
	return q;
}

/* The highest q the Accept header gives type itself, wildcards aside. */
static int
accept_q(const char *accept, const char *type)
{
	const char *p = accept, *end = accept + strlen(accept), *e;
	int q, best = -1;

	for (;; p = e + 1) {
		e = item_end(p, end, ',');
		if ((q = range_q(p, e, type)) > best)
			best = q;
		if (e == end)
			break;
	}
	return best;
}

/*
 * Browsers name text/html; curl accepts any type without naming one, API
 * clients name application/json. HTML when text/html is acceptable
 * (q > 0) and ranked above application/json, which wins a tie.
 */
int
html_wanted(void)
{
	const char *accept = getenv("HTTP_ACCEPT");
	int html;

	if (accept == NULL)
		return 0;
	html = accept_q(accept, "text/html");
	return html > 0 && html > accept_q(accept, "application/json");
}

/* Append s with the five characters HTML gives meaning escaped. */
static afp_err
html_esc(struct buf *b, const char *s)
{
	afp_err r = AFP_OK;
	size_t n;

	while (*s != '\0' && r == AFP_OK) {
		n = strcspn(s, "&<>\"'");
		if (n > 0) {
			r = buf_add(b, s, n);
			s += n;
			continue;
		}
		switch (*s++) {
		case '&':
			r = buf_addstr(b, "&amp;");
			break;
		case '<':
			r = buf_addstr(b, "&lt;");
			break;
		case '>':
			r = buf_addstr(b, "&gt;");
			break;
		case '"':
			r = buf_addstr(b, "&quot;");
			break;
		default:
			r = buf_addstr(b, "&#39;");
			break;
		}
	}
	return r;
}

/*
 * A link relative to the page's own URL, <cgi>/account: the browser
 * resolves "account/a/r/..." to <cgi>/account/a/r/... whatever the server
 * set SCRIPT_NAME to, and nothing from the request is reflected into it.
 * Names are URL-safe by conf_name_ok; they are encoded all the same.
 */
static afp_err
html_link(struct buf *b, const struct conf_role *role, const char *tail,
    const char *text)
{
	struct buf url;
	afp_err r;

	buf_init(&url, LINK_MAX);
	if ((r = buf_addstr(&url, "account/")) != AFP_OK ||
	    (r = enc_uri(&url, role->account, strlen(role->account), 0)) != AFP_OK ||
	    (r = buf_addc(&url, '/')) != AFP_OK ||
	    (r = enc_uri(&url, role->name, strlen(role->name), 0)) != AFP_OK ||
	    (r = buf_addstr(&url, tail)) != AFP_OK)
		goto out;
	if ((r = buf_addstr(b, "<a href=\"")) != AFP_OK ||
	    (r = html_esc(b, buf_str(&url))) != AFP_OK ||
	    (r = buf_addstr(b, "\">")) != AFP_OK ||
	    (r = html_esc(b, text)) != AFP_OK)
		goto out;
	r = buf_addstr(b, "</a>");
 out:
	buf_free(&url);
	return r;
}

/* One table row per role; an account's first role opens its section. */
static afp_err
page_role(void *arg, const struct conf_role *role, int first)
{
	struct page *pg = arg;
	struct buf *b = pg->b;
	afp_err r;

	if (first) {
		if (pg->open && (r = buf_addstr(b, "</tbody></table>\n")) != AFP_OK)
			return r;
		if ((r = buf_addstr(b, "<h2>")) != AFP_OK ||
		    (r = html_esc(b, role->account)) != AFP_OK ||
		    (r = buf_addstr(b, "</h2>\n<table><thead><tr>"
		    "<th scope=\"col\">Role</th><th scope=\"col\">Console</th>"
		    "<th scope=\"col\">Credentials</th></tr></thead><tbody>\n")) != AFP_OK)
			return r;
		pg->open = 1;
	}
	if ((r = buf_addstr(b, "<tr><td>")) != AFP_OK ||
	    (r = html_esc(b, role->name)) != AFP_OK ||
	    (r = buf_addstr(b, "</td><td>")) != AFP_OK)
		return r;
	if (role->console)
		r = html_link(b, role, "/console", "Console");
	else
		r = buf_addstr(b, "not enabled");
	if (r != AFP_OK ||
	    (r = buf_addstr(b, "</td><td>")) != AFP_OK ||
	    (r = html_link(b, role, "/credentials?format=shell",
	    "Credentials")) != AFP_OK)
		return r;
	return buf_addstr(b, "</td></tr>\n");
}

/* The whole page into q->body: head, one section per account, end. */
static afp_err
page_write(struct req *q)
{
	struct page pg = { &q->body, 0 };
	struct buf *b = &q->body;
	const char *user = buf_str(&q->user);
	afp_err r;

	if ((r = buf_addstr(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<title>AWS roles of ")) != AFP_OK ||
	    (r = html_esc(b, user)) != AFP_OK ||
	    (r = buf_addstr(b, "</title>\n<style>" STYLE "</style>\n</head>\n"
	    "<body>\n<h1>AWS roles</h1>\n<p>Signed in as <strong>")) != AFP_OK ||
	    (r = html_esc(b, user)) != AFP_OK ||
	    (r = buf_addstr(b, "</strong>.</p>\n")) != AFP_OK ||
	    (r = cgi_roles_walk(q, page_role, &pg)) != AFP_OK)
		return r;
	if (pg.open)
		r = buf_addstr(b, "</tbody></table>\n<p>Credentials open as "
		    "<code>export</code> lines for a POSIX shell.</p>\n");
	else
		r = buf_addstr(b, "<p>No role is available to you.</p>\n");
	return r != AFP_OK ? r : buf_addstr(b, "</body>\n</html>\n");
}

void
html_accounts(struct req *q)
{
	afp_err r;

	q->rp.csp = CSP;
	if ((r = page_write(q)) != AFP_OK) {
		buf_reset(&q->body);
		cgi_fail(q, 500, "internal error", "account page: %s",
		    afp_strerror(r));
		return;
	}
	q->rp.content_type = REPLY_HTML;
	q->rp.status = 200;
}

int
html_shell_wanted(struct req *q)
{
	struct buf v;
	int rc = -1;
	afp_err r;

	buf_init(&v, FORMAT_MAX);
	r = route_query_get(getenv("QUERY_STRING"), "format", &v);
	if (r == AFP_ERR_NOTFOUND || (r == AFP_OK &&
	    strcmp(buf_str(&v), "json") == 0))
		rc = 0;
	else if (r == AFP_OK && strcmp(buf_str(&v), "shell") == 0)
		rc = 1;
	else
		cgi_fail(q, 400, "format must be json or shell", "?format=: %s",
		    r == AFP_OK ? "unknown value" : afp_strerror(r));
	buf_free(&v);
	return rc;
}

/* export NAME='value': single quotes keep everything but a quote literal. */
static afp_err
shell_export(struct buf *b, const char *name, const char *value)
{
	afp_err r;
	size_t n;

	if ((r = buf_printf(b, "export %s='", name)) != AFP_OK)
		return r;
	while (*value != '\0') {
		n = strcspn(value, "'");
		if ((r = buf_add(b, value, n)) != AFP_OK)
			return r;
		value += n;
		if (*value == '\'') {
			if ((r = buf_addstr(b, "'\\''")) != AFP_OK)
				return r;
			value++;
		}
	}
	return buf_add(b, "'\n", 2);
}

/*
 * AWS_CREDENTIAL_EXPIRATION lets botocore and the AWS CLI refuse expired
 * environment credentials instead of sending them.
 */
void
html_credentials(struct req *q, const struct cache_entry *e)
{
	char exp[TM_ISO8601_LEN];
	struct buf *b = &q->body;
	afp_err r;

	if ((r = tm_format_iso8601(e->creds.expiration, exp)) != AFP_OK ||
	    (r = buf_printf(b, "# afp: %s/%s for %s, expires %s\n",
	    q->rt.account, q->rt.role, buf_str(&q->user), exp)) != AFP_OK ||
	    (r = shell_export(b, "AWS_ACCESS_KEY_ID", e->creds.akid)) != AFP_OK ||
	    (r = shell_export(b, "AWS_SECRET_ACCESS_KEY", e->creds.secret)) != AFP_OK ||
	    (r = shell_export(b, "AWS_SESSION_TOKEN", e->creds.token)) != AFP_OK ||
	    (r = shell_export(b, "AWS_CREDENTIAL_EXPIRATION", exp)) != AFP_OK) {
		buf_reset(b);
		cgi_fail(q, 500, "internal error", "shell credentials: %s",
		    afp_strerror(r));
		return;
	}
	q->rp.content_type = REPLY_TEXT;
	q->rp.status = 200;
}
