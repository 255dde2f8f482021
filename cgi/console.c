/*
 * The console sign-in URL: the refresher fetched a sign-in token for the
 * role's credentials; this turns it into the federation endpoint's login
 * link for /account/{a}/{r} (console_url), /consoleurl and /console.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cgi.h"
#include "log.h"
#include "signin.h"

#define HOST_MAX	262	/* a DNS name, ':' and a port */

/* Host[:port] as a client may send it: a name, IPv4 or [IPv6], a port. */
static int
host_ok(const char *h)
{
	size_t i, n;

	if (h == NULL || (n = strnlen(h, HOST_MAX + 1)) == 0 || n > HOST_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= '0' && h[i] <= '9') ||
		    strchr(".-:[]", h[i]) != NULL))
			return 0;
	return 1;
}

/*
 * The CGI's own URL, the Issuer when no callbackurl is given: the console
 * sends the user there when the session ends. Host comes from the
 * request (the name the user reached us by); a client without one gets
 * SERVER_NAME and SERVER_PORT.
 */
static afp_err
self_url(struct buf *out)
{
	const char *https = getenv("HTTPS");
	const char *host = getenv("HTTP_HOST");
	const char *script = getenv("SCRIPT_NAME");
	const char *name, *port;
	int tls = https != NULL && strcasecmp(https, "on") == 0;
	afp_err r;

	buf_reset(out);
	if (script == NULL || script[0] != '/')
		return AFP_ERR_INVAL;
	if ((r = buf_addstr(out, tls ? "https://" : "http://")) != AFP_OK)
		return r;
	if (host != NULL && *host != '\0')
		r = host_ok(host) ? buf_addstr(out, host) : AFP_ERR_INVAL;
	else {
		name = getenv("SERVER_NAME");
		port = getenv("SERVER_PORT");
		if (!host_ok(name) || strchr(name, ':') != NULL)
			return AFP_ERR_INVAL;
		if (port == NULL || strcmp(port, tls ? "443" : "80") == 0)
			r = buf_addstr(out, name);
		else
			r = buf_printf(out, "%s:%s", name, port);
	}
	if (r == AFP_OK)
		r = buf_addstr(out, script);
	/* The same rule as a callbackurl, without the allow list. */
	if (r == AFP_OK && !signin_callback_ok(buf_str(out), NULL))
		r = AFP_ERR_INVAL;
	return r;
}

/*
 * ?callbackurl=, checked: 1 when given and allowed, 0 when absent, -1
 * (answer set) when malformed or not allowed.
 */
static int
callback_get(struct req *q, struct buf *issuer)
{
	afp_err r;

	r = route_query_get(getenv("QUERY_STRING"), "callbackurl", issuer);
	if (r == AFP_ERR_NOTFOUND)
		return 0;
	if (r != AFP_OK) {
		cgi_fail(q, 400, r == AFP_ERR_TOOBIG ? "query string too long" :
		    "malformed query string", "query: %s", afp_strerror(r));
		return -1;
	}
	if (!signin_callback_ok(buf_str(issuer), &q->conf->callback_allow)) {
		cgi_fail(q, 400, "callbackurl must be an absolute http(s) URL "
		    "allowed by callback_allow", "callbackurl refused");
		return -1;
	}
	return 1;
}

/*
 * An entry without a current sign-in token gets no URL: the credentials
 * are still worth answering with, and the refresher's log says why.
 */
int
console_url(struct req *q, const struct conf_role *role,
    const struct cache_entry *e, struct buf *url)
{
	const struct conf *c = q->conf;
	struct buf issuer, endpoint;
	afp_err r;
	int given, rc = -1;

	buf_init(&issuer, ROUTE_QUERY_MAX);
	buf_init(&endpoint, SIGNIN_URL_MAX);
	buf_reset(url);
	/* A bad callbackurl is a bad request whatever the role. */
	if ((given = callback_get(q, &issuer)) == -1)
		goto out;
	if (!role->console) {
		rc = 0;
		goto out;
	}
	if (e->signin_token == NULL || e->signin_expires <= q->now) {
		log_warn("%s/%s: no current console sign-in token in the cache",
		    q->rt.account, q->rt.role);
		rc = 0;
		goto out;
	}
	if (!given && (r = self_url(&issuer)) != AFP_OK) {
		cgi_fail(q, 400, "cannot build this service's URL from the "
		    "request's Host: pass callbackurl", "own URL: %s",
		    afp_strerror(r));
		goto out;
	}
	if ((r = signin_endpoint(c->partition, c->signin_endpoint,
	    &endpoint)) != AFP_OK ||
	    (r = signin_login_url(buf_str(&endpoint), buf_str(&issuer),
	    role->console_destination, e->signin_token, url)) != AFP_OK) {
		cgi_fail(q, 500, "internal error", "sign-in URL: %s",
		    afp_strerror(r));
		goto out;
	}
	rc = 0;
 out:
	buf_free(&endpoint);
	buf_free(&issuer);
	return rc;
}

/*
 * /consoleurl answers the URL as text; /console redirects a browser to it.
 * The 302 carries the URL in Location and as its body, which therefore
 * stays alive until main.c has written the answer.
 */
void
console_answer(struct req *q)
{
	const struct conf_role *role;
	struct cache_entry e;
	struct buf url;
	afp_err r;

	memset(&e, 0, sizeof(e));
	buf_init(&url, SIGNIN_URL_MAX);
	if ((role = cgi_role_entry(q, &e)) == NULL)
		goto out;
	if (!role->console) {
		cgi_fail(q, 404, "no console sign-in for this role",
		    "console = no for the role");
		goto out;
	}
	if (console_url(q, role, &e, &url) == -1)
		goto out;
	if (url.len == 0) {
		cgi_fail(q, 503, "console sign-in not available yet",
		    "no current sign-in token");
		goto out;
	}
	if ((r = buf_add(&q->body, buf_str(&url), url.len)) != AFP_OK ||
	    (q->rt.ep == ROUTE_CONSOLEURL &&
	    (r = buf_addc(&q->body, '\n')) != AFP_OK)) {
		buf_reset(&q->body);
		cgi_fail(q, 500, "internal error", "answer: %s",
		    afp_strerror(r));
		goto out;
	}
	q->rp.content_type = REPLY_TEXT;
	if (q->rt.ep == ROUTE_CONSOLE) {
		q->rp.status = 302;
		q->rp.location = buf_str(&q->body);
	} else
		q->rp.status = 200;
 out:
	buf_free(&url);
	cache_entry_clear(&e);
}
