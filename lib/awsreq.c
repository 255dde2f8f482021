#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awsreq.h"
#include "conf.h"
#include "enc.h"
#include "sigv4.h"

/* A signed header value: a session token is 1-2 KiB today, room to grow. */
#define AWSREQ_HEADER_MAX	(16 * 1024)

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_unreserved(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '-' || c == '.' || c == '_' || c == '~';
}

afp_err
awsreq_url_split(const char *s, struct awsreq_url *u)
{
	const char *a, *end, *colon = NULL;
	size_t i, n;
	unsigned long port;

	if (s == NULL || (n = strlen(s)) == 0 || n > AWSREQ_URL_MAX)
		return AFP_ERR_INVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return AFP_ERR_INVAL;
	if (strncasecmp(s, "https://", 8) == 0) {
		u->https = 1;
		a = s + 8;
	} else if (strncasecmp(s, "http://", 7) == 0) {
		u->https = 0;
		a = s + 7;
	} else
		return AFP_ERR_INVAL;
	end = a + strcspn(a, "/");
	u->path = end;
	u->pathlen = strlen(end);
	for (i = 0; i < u->pathlen; i++)
		if (end[i] != '/' && !is_unreserved(end[i]))
			return AFP_ERR_INVAL;
	u->host = a;
	if (*a == '[') {
		const char *p;

		for (p = a + 1; p < end && (enc_hexval(*p) >= 0 || *p == ':' ||
		    *p == '.'); p++)
			;
		if (p == a + 1 || p == end || *p != ']')
			return AFP_ERR_INVAL;
		u->hostlen = (size_t)(p + 1 - a);
		if (p + 1 < end) {
			if (p[1] != ':')
				return AFP_ERR_INVAL;
			colon = p + 1;
		}
	} else {
		const char *p;

		for (p = a; p < end && *p != ':'; p++)
			if (!is_unreserved(*p))
				return AFP_ERR_INVAL;
		if (p == a)
			return AFP_ERR_INVAL;
		u->hostlen = (size_t)(p - a);
		if (p < end)
			colon = p;
	}
	u->port = NULL;
	u->portlen = 0;
	if (colon != NULL) {
		u->port = colon + 1;
		u->portlen = (size_t)(end - u->port);
		if (u->portlen == 0 || u->portlen > 5)
			return AFP_ERR_INVAL;
		port = 0;
		for (i = 0; i < u->portlen; i++) {
			if (!is_digit(u->port[i]))
				return AFP_ERR_INVAL;
			port = port * 10 + (unsigned long)(u->port[i] - '0');
		}
		if (port == 0 || port > 65535)
			return AFP_ERR_INVAL;
	}
	return AFP_OK;
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

static const char *
env_nonempty(const char *name)
{
	const char *v = secure_getenv(name);

	return nonempty(v) ? v : NULL;
}

afp_err
awsreq_endpoint(const char *partition, const char *region, const char *prefix,
    const char *env, const char *override, struct buf *url)
{
	struct awsreq_url u;
	const char *suffix, *v;
	size_t n;
	afp_err r;

	if (partition == NULL || !conf_region_ok(region) || !nonempty(prefix))
		return AFP_ERR_INVAL;
	if (strcmp(partition, "aws") == 0 ||
	    strcmp(partition, "aws-us-gov") == 0)
		suffix = "amazonaws.com";
	else if (strcmp(partition, "aws-cn") == 0)
		suffix = "amazonaws.com.cn";
	else
		return AFP_ERR_INVAL;
	if ((env == NULL || (v = env_nonempty(env)) == NULL) &&
	    (v = env_nonempty("AWS_ENDPOINT_URL")) == NULL && nonempty(override))
		v = override;
	if (v == NULL)
		return buf_printf(url, "https://%s.%s.%s", prefix, region,
		    suffix);
	if ((r = awsreq_url_split(v, &u)) != AFP_OK)
		return r;
	n = strlen(v);
	if (v[n - 1] == '/')
		n--;
	return buf_add(url, v, n);
}

/* Add each "Name:value\n" line of the signer's output as a header. */
static afp_err
add_signed_headers(struct net_req *req, const struct buf *lines)
{
	const char *p = buf_str(lines), *nl, *colon;
	struct buf name, value;
	afp_err r = AFP_OK;

	buf_init(&name, 256);
	buf_init(&value, AWSREQ_HEADER_MAX);
	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL ||
		    (colon = memchr(p, ':', (size_t)(nl - p))) == NULL ||
		    colon == p) {
			r = AFP_ERR_INTERNAL;
			break;
		}
		buf_reset(&name);
		buf_reset(&value);
		if ((r = buf_add(&name, p, (size_t)(colon - p))) != AFP_OK ||
		    (r = buf_add(&value, colon + 1,
		    (size_t)(nl - colon - 1))) != AFP_OK)
			break;
		/* The request's own headers are already there, as signed. */
		if (strcasecmp(buf_str(&name), "Host") == 0 ||
		    strcasecmp(buf_str(&name), "Content-Type") == 0 ||
		    strcasecmp(buf_str(&name), "X-Amz-Target") == 0)
			continue;
		if ((r = net_req_header(req, buf_str(&name),
		    buf_str(&value))) != AFP_OK)
			break;
	}
	buf_free(&name);
	buf_free(&value);
	return r;
}

/* net_req keeps the method pointer: hand it a string that outlives req. */
static const char *
method_static(const char *method)
{
	static const char *const methods[] = { "GET", "POST", "PUT" };
	size_t i;

	if (method == NULL)
		return NULL;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i]) == 0)
			return methods[i];
	return NULL;
}

/* Host as signed: the port only when it is not the scheme's own. */
static afp_err
host_header(const struct awsreq_url *u, struct buf *host)
{
	afp_err r;

	if ((r = buf_add(host, u->host, u->hostlen)) != AFP_OK ||
	    u->port == NULL)
		return r;
	if ((u->https && u->portlen == 3 && memcmp(u->port, "443", 3) == 0) ||
	    (!u->https && u->portlen == 2 && memcmp(u->port, "80", 2) == 0))
		return AFP_OK;
	if ((r = buf_addc(host, ':')) != AFP_OK)
		return r;
	return buf_add(host, u->port, u->portlen);
}

/* Header values go on one line of the request as they are. */
static int
header_value_ok(const char *s)
{
	if (!nonempty(s))
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

afp_err
awsreq_sign(struct net_req *req, const char *method, const char *url,
    const char *region, const char *service, const char *content_type,
    const char *target, const char *body, size_t len,
    const struct afp_creds *creds, time_t when)
{
	struct sigv4_header hdrs[3];
	struct sigv4_request sreq;
	struct sigv4_opts opts;
	struct sigv4_out out;
	struct buf host, path, nbody;
	struct awsreq_url u;
	const char *m = method_static(method);
	char *nurl = NULL;
	size_t nh = 0;
	afp_err r;

	buf_init(&host, AWSREQ_URL_MAX);
	buf_init(&path, AWSREQ_URL_MAX);
	buf_init(&nbody, AWSREQ_BODY_MAX);
	sigv4_out_init(&out);
	if (m == NULL || !conf_region_ok(region) || !nonempty(service) ||
	    !header_value_ok(content_type) ||
	    (target != NULL && !header_value_ok(target)) ||
	    (body == NULL && len > 0)) {
		r = AFP_ERR_INVAL;
		goto out;
	}
	if ((r = awsreq_url_split(url, &u)) != AFP_OK ||
	    (r = host_header(&u, &host)) != AFP_OK ||
	    (r = buf_add(&path, u.path, u.pathlen)) != AFP_OK ||
	    (path.len == 0 && (r = buf_addc(&path, '/')) != AFP_OK) ||
	    (len > 0 && (r = buf_add(&nbody, body, len)) != AFP_OK))
		goto out;
	hdrs[nh].name = "Host";
	hdrs[nh++].value = buf_str(&host);
	hdrs[nh].name = "Content-Type";
	hdrs[nh++].value = content_type;
	if (target != NULL) {
		hdrs[nh].name = "X-Amz-Target";
		hdrs[nh++].value = target;
	}
	memset(&sreq, 0, sizeof(sreq));
	sreq.method = m;
	sreq.path = buf_str(&path);
	sreq.query = NULL;
	sreq.headers = hdrs;
	sreq.nheaders = nh;
	sreq.body = buf_str(&nbody);
	sreq.body_len = nbody.len;
	memset(&opts, 0, sizeof(opts));
	opts.region = region;
	opts.service = service;
	opts.when = when;
	opts.form = SIGV4_HEADER;
	opts.normalize = 1;
	opts.sign_body = 0;
	opts.omit_token = 0;
	if ((r = sigv4_sign(&sreq, &opts, creds, &out)) != AFP_OK)
		goto out;
	if ((nurl = strdup(url)) == NULL) {
		r = AFP_ERR_NOMEM;
		goto out;
	}
	net_req_clear_headers(req);
	if ((r = net_req_header(req, "Host", buf_str(&host))) != AFP_OK ||
	    (r = net_req_header(req, "Content-Type", content_type)) != AFP_OK ||
	    (target != NULL &&
	    (r = net_req_header(req, "X-Amz-Target", target)) != AFP_OK) ||
	    (r = add_signed_headers(req, &out.headers)) != AFP_OK) {
		net_req_clear_headers(req);
		goto out;
	}
	free(req->url);
	req->url = nurl;
	nurl = NULL;
	buf_free(&req->body);
	req->body = nbody;
	buf_init(&nbody, AWSREQ_BODY_MAX);
	req->method = m;
	r = AFP_OK;
out:
	free(nurl);
	buf_free(&host);
	buf_free(&path);
	buf_free(&nbody);
	sigv4_out_free(&out);
	return r;
}

afp_err
awsreq_clean_text(struct buf *b, const char *s, size_t max)
{
	struct buf c;
	const char *p;
	afp_err r = AFP_OK;

	buf_init(&c, max + 8);
	for (p = s; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch < 0x20 || ch == 0x7f) {
			if (c.len == 0 || c.p[c.len - 1] == ' ')
				continue;
			ch = ' ';
		}
		if (c.len == max)
			break;
		if ((r = buf_addc(&c, (char)ch)) != AFP_OK)
			goto out;
	}
	if (*p != '\0') {
		while (c.len > 0 && ((unsigned char)c.p[c.len - 1] & 0xc0) == 0x80)
			c.len--;
		if (c.len > 0 && (unsigned char)c.p[c.len - 1] >= 0xc0)
			c.len--;
	}
	while (c.len > 0 && c.p[c.len - 1] == ' ')
		c.len--;
	r = buf_add(b, c.p, c.len);
out:
	buf_free(&c);
	return r;
}

static int
code_in(const char *code, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && memcmp(code, *list, n) == 0)
			return 1;
	return 0;
}

static const char *const throttle_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled",
	"RequestThrottledException", "PriorRequestNotComplete", "SlowDown",
	"LimitExceededException", NULL
};

static const char *const server_codes[] = {
	"ServerException", "IDPCommunicationError", "ServiceUnavailable",
	"ServiceUnavailableException", "InternalFailure", "InternalError",
	"InternalServerError", NULL
};

afp_err
awsreq_error_class(long status, const char *code, size_t n)
{
	if (status == 429 || code_in(code, n, throttle_codes))
		return AFP_ERR_THROTTLED;
	if (status >= 500 || code_in(code, n, server_codes))
		return AFP_ERR_SERVER;
	return AFP_ERR_AWS;
}
