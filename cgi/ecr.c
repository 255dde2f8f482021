/*
 * /account/{a}/{r}/ecr/credentials?region=R: the ECR authorization the
 * refresher fetched for the role in one of its ecr_regions, shaped like
 * `aws ecr get-authorization-token` plus the user name and password that
 * `docker login` wants, split from the base64 "AWS:<password>" token.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cgi.h"
#include "enc.h"
#include "json.h"
#include "tm.h"

#define TOKEN_MAX	(16 * 1024)	/* base64 characters, as lib/ecr.c allows */
#define DOMAIN_MAX	262		/* a DNS name, ':' and a port */

static int
region_configured(const struct conf_role *role, const char *region)
{
	size_t i;

	for (i = 0; i < role->ecr_regions.n; i++)
		if (strcmp(role->ecr_regions.v[i], region) == 0)
			return 1;
	return 0;
}

/*
 * The registry's host[:port] from proxyEndpoint, what `docker login`
 * takes as the server. The refresher checked the URL; a cache file that
 * says otherwise is refused rather than passed on.
 */
static afp_err
endpoint_domain(const char *ep, struct buf *out)
{
	size_t i, n;

	if (strncasecmp(ep, "https://", 8) != 0)
		return AFP_ERR_PARSE;
	ep += 8;
	n = strcspn(ep, "/");
	if (n == 0 || n > DOMAIN_MAX || (ep[n] == '/' && ep[n + 1] != '\0'))
		return AFP_ERR_PARSE;
	for (i = 0; i < n; i++)
		if (!((ep[i] >= 'A' && ep[i] <= 'Z') ||
		    (ep[i] >= 'a' && ep[i] <= 'z') ||
		    (ep[i] >= '0' && ep[i] <= '9') ||
		    strchr(".-:[]", ep[i]) != NULL))
			return AFP_ERR_PARSE;
	return buf_add(out, ep, n);
}

/*
 * Split the token into user and password (both wiping buffers): it must
 * decode to "<user>:<password>", both printable ASCII and not empty.
 */
static afp_err
token_split(const char *tok, struct buf *user, struct buf *pw)
{
	struct buf dec;
	const char *colon;
	size_t i, n = strlen(tok);
	afp_err r;

	buf_init(&dec, TOKEN_MAX);
	if (n > TOKEN_MAX || (r = enc_b64_decode(&dec, tok, n)) != AFP_OK) {
		r = AFP_ERR_PARSE;
		goto out;
	}
	r = AFP_ERR_PARSE;
	for (i = 0; i < dec.len; i++)
		if ((unsigned char)dec.p[i] <= 0x20 ||
		    (unsigned char)dec.p[i] >= 0x7f)
			goto out;
	if ((colon = memchr(dec.p, ':', dec.len)) == NULL || colon == dec.p ||
	    (size_t)(colon - dec.p) + 1 == dec.len)
		goto out;
	if ((r = buf_add(user, dec.p, (size_t)(colon - dec.p))) != AFP_OK ||
	    (r = buf_add(pw, colon + 1,
	    dec.len - (size_t)(colon - dec.p) - 1)) != AFP_OK)
		goto out;
	r = AFP_OK;
out:
	buf_free(&dec);
	return r;
}

/* {"values":[{...}],"size":1}, DESIGN.md §4. */
static afp_err
ecr_json(struct buf *b, const struct cache_ecr *v)
{
	char exp[TM_ISO8601_LEN];
	struct buf user, pw, domain;
	int first = 1;
	afp_err r;

	buf_init(&user, TOKEN_MAX);
	buf_init(&pw, TOKEN_MAX);
	buf_init(&domain, DOMAIN_MAX + 1);
	if ((r = tm_format_iso8601(v->expires, exp)) != AFP_OK ||
	    (r = endpoint_domain(v->endpoint, &domain)) != AFP_OK ||
	    (r = token_split(v->token, &user, &pw)) != AFP_OK)
		goto out;
	if ((r = buf_addstr(b, "{\"values\":[{")) != AFP_OK ||
	    (r = json_kv(b, &first, "authorizationToken", v->token)) != AFP_OK ||
	    (r = json_kv(b, &first, "expirationDate", exp)) != AFP_OK ||
	    (r = json_kv(b, &first, "proxyEndpoint", v->endpoint)) != AFP_OK ||
	    (r = json_kv(b, &first, "proxyEndpointDomain",
	    buf_str(&domain))) != AFP_OK ||
	    (r = json_kv(b, &first, "username", buf_str(&user))) != AFP_OK ||
	    (r = json_kv(b, &first, "password", buf_str(&pw))) != AFP_OK)
		goto out;
	r = buf_addstr(b, "}],\"size\":1}");
out:
	buf_free(&user);
	buf_free(&pw);
	buf_free(&domain);
	return r;
}

void
ecr_answer(struct req *q)
{
	const struct conf_role *role;
	const struct cache_ecr *v;
	struct cache_entry e;
	struct buf region;
	afp_err r;

	memset(&e, 0, sizeof(e));
	buf_init(&region, CONF_REGION_MAX);
	r = route_query_get(getenv("QUERY_STRING"), "region", &region);
	if (r == AFP_ERR_NOTFOUND) {
		cgi_fail(q, 400, "region is required, like ?region=us-east-1",
		    "no region");
		goto out;
	}
	if (r != AFP_OK || !conf_region_ok(buf_str(&region)) ||
	    strlen(buf_str(&region)) != region.len) {
		cgi_fail(q, 400, "region must be like us-east-1",
		    "malformed region: %s", r != AFP_OK ? afp_strerror(r) :
		    "not [a-z0-9-]{1,32}");
		goto out;
	}
	if ((role = cgi_role_entry(q, &e)) == NULL)
		goto out;
	if (!region_configured(role, buf_str(&region))) {
		cgi_fail(q, 404, "region not configured for this role",
		    "ECR region %s not in ecr_regions", buf_str(&region));
		goto out;
	}
	if ((v = cache_ecr_find(&e, buf_str(&region))) == NULL) {
		cgi_fail(q, 503, "ECR credentials not available yet",
		    "no ECR token for %s in the cache entry", buf_str(&region));
		goto out;
	}
	if (v->expires <= q->now) {
		cgi_fail(q, 503, "ECR credentials not available yet",
		    "ECR token for %s expired", buf_str(&region));
		goto out;
	}
	if ((r = ecr_json(&q->body, v)) != AFP_OK) {
		buf_reset(&q->body);
		cgi_fail(q, 500, "internal error", "ECR answer for %s: %s",
		    buf_str(&region), afp_strerror(r));
		goto out;
	}
	q->rp.status = 200;
out:
	cache_entry_clear(&e);
	buf_free(&region);
}
