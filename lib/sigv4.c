#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "enc.h"
#include "fmt.h"
#include "sigv4.h"
#include "tm.h"

#define ALGORITHM	"AWS4-HMAC-SHA256"
#define SHA256_LEN	32
#define AMZDATE_LEN	16	/* "20150830T123600Z" */

/*
 * Input bounds. They are generous for every AWS API afp talks to (the
 * longest input is a session token of a few KiB) and keep a bad caller from
 * making the signer allocate without limit.
 */
#define MAX_METHOD	32
#define MAX_PATH	8192
#define MAX_QUERY	16384
#define MAX_PARAMS	128
#define MAX_HEADERS	64
#define MAX_NAME	128
#define MAX_VALUE	16384
#define MAX_SCOPE_PART	64	/* region, service */
#define MAX_AKID	128
#define MAX_SECRET	256
#define MAX_TOKEN	16384
#define MAX_BODY	(16 * 1024 * 1024)
#define MAX_EXPIRES	604800	/* seven days, AWS's limit for presigned URLs */

#define OUT_CANONICAL_MAX	(256 * 1024)
#define OUT_STS_MAX		1024
#define OUT_HEADERS_MAX		(32 * 1024)
#define OUT_QUERY_MAX		(128 * 1024)
#define PARAM_MAX		(3 * MAX_TOKEN)	/* one encoded key or value */

/* The header form adds up to three headers of its own before signing. */
#define MAX_ALL_HEADERS	(MAX_HEADERS + 3)
/* The query form adds up to six X-Amz-* parameters before signing. */
#define MAX_ALL_PARAMS	(MAX_PARAMS + 6)

struct hdr {
	const char *name;	/* trimmed, not NUL-terminated */
	size_t nlen;
	const char *value;	/* as given; canonicalized when written */
	size_t vlen;
	size_t order;		/* keeps repeated names in request order */
};

struct param {
	struct buf key;		/* URI-encoded */
	struct buf value;	/* URI-encoded */
};

/*
 * Headers that proxies and HTTP stacks add, drop or rewrite in transit;
 * signing them would make valid requests fail (aws-c-auth skips the same).
 */
static const char *const unsignable[] = {
	"user-agent", "x-amzn-trace-id", "connection", "expect", "upgrade",
	"transfer-encoding",
};

/* Headers the signer sets itself; a caller-supplied copy would conflict. */
static const char *const reserved_headers[] = {
	"authorization", "x-amz-date", "x-amz-security-token",
};

/* Query parameters the query form sets itself. */
static const char *const reserved_params[] = {
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-Security-Token", "X-Amz-SignedHeaders", "X-Amz-Signature",
};

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* White space inside a possibly folded header value. */
static int
is_lws(char c)
{
	return is_ws(c) || c == '\r' || c == '\n';
}

static int
is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 9110 token characters, the only ones allowed in a header name. */
static int
is_tchar(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static int
is_ctl(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

static int
name_is(const char *name, size_t nlen, const char *s)
{
	size_t i;

	if (strlen(s) != nlen)
		return 0;
	for (i = 0; i < nlen; i++)
		if (lower(name[i]) != s[i])
			return 0;
	return 1;
}

static int
name_in(const char *name, size_t nlen, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (name_is(name, nlen, list[i]))
			return 1;
	return 0;
}

static int
is_unsignable(const char *name, size_t nlen)
{
	static const char ws[] = "sec-websocket-";

	if (nlen > sizeof(ws) - 1 && name_is(name, sizeof(ws) - 1, ws))
		return 1;
	return name_in(name, nlen, unsignable,
	    sizeof(unsignable) / sizeof(unsignable[0]));
}

/* A string of 1..max bytes drawn from the characters ok() accepts. */
static int
valid_str(const char *s, size_t max, int (*ok)(char))
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || !ok(s[i]))
			return 0;
	return 1;
}

static int
is_scope_char(char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '.';
}

/* Session tokens are base64; anything else could break the header. */
static int
is_token_char(char c)
{
	return c > 0x20 && c < 0x7f;
}

static int
is_secret_char(char c)
{
	return !is_ctl(c);
}

/*
 * A header value may be folded (obs-fold: CRLF or LF followed by SP/HT), as
 * in the test suite's multi-line case; the fold reads as one space. Any
 * other control character could split the header and is refused.
 */
static afp_err
check_value(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == '\r') {
			if (i + 1 >= n || v[i + 1] != '\n')
				return AFP_ERR_INVAL;
		} else if (v[i] == '\n') {
			if (i + 1 >= n || !is_ws(v[i + 1]))
				return AFP_ERR_INVAL;
		} else if (v[i] != '\t' && is_ctl(v[i]))
			return AFP_ERR_INVAL;
	}
	return AFP_OK;
}

/* The value trimmed, with every run of white space made one space. */
static afp_err
add_value(struct buf *b, const char *v, size_t n)
{
	afp_err r = AFP_OK;
	size_t i;
	int any = 0, gap = 0;

	for (i = 0; i < n && r == AFP_OK; i++) {
		if (is_lws(v[i])) {
			gap = 1;
			continue;
		}
		if (gap && any)
			r = buf_addc(b, ' ');
		if (r == AFP_OK)
			r = buf_addc(b, v[i]);
		gap = 0;
		any = 1;
	}
	return r;
}

static afp_err
add_lower(struct buf *b, const char *s, size_t n)
{
	afp_err r = AFP_OK;
	size_t i;

	for (i = 0; i < n && r == AFP_OK; i++)
		r = buf_addc(b, lower(s[i]));
	return r;
}

static int
hdr_cmp(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	size_t i, n = x->nlen < y->nlen ? x->nlen : y->nlen;

	for (i = 0; i < n; i++) {
		unsigned char cx = (unsigned char)lower(x->name[i]);
		unsigned char cy = (unsigned char)lower(y->name[i]);

		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	if (x->nlen != y->nlen)
		return x->nlen < y->nlen ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
same_name(const struct hdr *x, const struct hdr *y)
{
	size_t i;

	if (x->nlen != y->nlen)
		return 0;
	for (i = 0; i < x->nlen; i++)
		if (lower(x->name[i]) != lower(y->name[i]))
			return 0;
	return 1;
}

/* Only blanks and folds: a Host like that names nothing. */
static int
blank(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_lws(v[i]))
			return 0;
	return 1;
}

static void
hdr_set(struct hdr *h, size_t *n, const char *name, const char *value)
{
	h[*n].name = name;
	h[*n].nlen = strlen(name);
	h[*n].value = value;
	h[*n].vlen = strlen(value);
	h[*n].order = *n;
	(*n)++;
}

/* The request's signable headers, validated, in request order. */
static afp_err
collect_headers(const struct sigv4_request *req, struct hdr *h, size_t *nh)
{
	size_t i, nhost = 0;

	*nh = 0;
	if (req->nheaders > MAX_HEADERS)
		return AFP_ERR_TOOBIG;
	if (req->nheaders > 0 && req->headers == NULL)
		return AFP_ERR_INVAL;
	for (i = 0; i < req->nheaders; i++) {
		const char *name = req->headers[i].name;
		const char *value = req->headers[i].value;
		size_t nlen, vlen, j;

		if (name == NULL || value == NULL)
			return AFP_ERR_INVAL;
		while (is_ws(*name))
			name++;
		if ((nlen = strnlen(name, MAX_NAME + 1)) > MAX_NAME)
			return AFP_ERR_TOOBIG;
		while (nlen > 0 && is_ws(name[nlen - 1]))
			nlen--;
		if (nlen == 0)
			return AFP_ERR_INVAL;
		for (j = 0; j < nlen; j++)
			if (!is_tchar(name[j]))
				return AFP_ERR_INVAL;
		if ((vlen = strnlen(value, MAX_VALUE + 1)) > MAX_VALUE)
			return AFP_ERR_TOOBIG;
		if (check_value(value, vlen) != AFP_OK)
			return AFP_ERR_INVAL;
		if (name_in(name, nlen, reserved_headers,
		    sizeof(reserved_headers) / sizeof(reserved_headers[0])))
			return AFP_ERR_INVAL;
		if (is_unsignable(name, nlen))
			continue;
		if (name_is(name, nlen, "host")) {
			if (blank(value, vlen))
				return AFP_ERR_INVAL;
			nhost++;
		}
		h[*nh].name = name;
		h[*nh].nlen = nlen;
		h[*nh].value = value;
		h[*nh].vlen = vlen;
		h[*nh].order = *nh;
		(*nh)++;
	}
	/* SigV4 needs exactly one Host, and a second one is ambiguous. */
	return nhost == 1 ? AFP_OK : AFP_ERR_INVAL;
}

/* Canonical header lines and the signed-header list from sorted headers. */
static afp_err
add_headers(struct buf *canon, struct buf *names, const struct hdr *h,
    size_t n)
{
	afp_err r = AFP_OK;
	size_t i;

	for (i = 0; i < n && r == AFP_OK; i++) {
		if (i > 0 && same_name(&h[i], &h[i - 1])) {
			/* Repeated names: one line, values joined by ','. */
			if ((r = buf_addc(canon, ',')) == AFP_OK)
				r = add_value(canon, h[i].value, h[i].vlen);
			continue;
		}
		if (i > 0 && (r = buf_addc(canon, '\n')) != AFP_OK)
			break;
		if (i > 0 && (r = buf_addc(names, ';')) != AFP_OK)
			break;
		if ((r = add_lower(canon, h[i].name, h[i].nlen)) != AFP_OK ||
		    (r = add_lower(names, h[i].name, h[i].nlen)) != AFP_OK ||
		    (r = buf_addc(canon, ':')) != AFP_OK)
			break;
		r = add_value(canon, h[i].value, h[i].vlen);
	}
	if (r == AFP_OK && n > 0)
		r = buf_addc(canon, '\n');
	return r;
}

static void
params_free(struct param *p, size_t n)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++) {
		buf_free(&p[i].key);
		buf_free(&p[i].value);
	}
	free(p);
}

/*
 * Append one parameter. Request parameters are decoded first, so that a
 * raw byte and its %XX form both end up encoded once; ours are plain text.
 */
static afp_err
param_add(struct param *p, size_t *np, const char *k, size_t kl,
    const char *v, size_t vl, int decode)
{
	struct buf tmp;
	afp_err r;
	struct param *q = &p[*np];

	buf_init(&q->key, PARAM_MAX);
	buf_init(&q->value, PARAM_MAX);
	(*np)++;
	buf_init(&tmp, PARAM_MAX);
	if (decode) {
		if ((r = enc_pct_decode(&tmp, k, kl)) != AFP_OK ||
		    (r = enc_uri(&q->key, buf_str(&tmp), tmp.len, 0)) != AFP_OK)
			goto out;
		buf_reset(&tmp);
		if ((r = enc_pct_decode(&tmp, v, vl)) != AFP_OK ||
		    (r = enc_uri(&q->value, buf_str(&tmp), tmp.len, 0)) !=
		    AFP_OK)
			goto out;
	} else if ((r = enc_uri(&q->key, k, kl, 0)) != AFP_OK ||
	    (r = enc_uri(&q->value, v, vl, 0)) != AFP_OK)
		goto out;
 out:
	buf_free(&tmp);
	return r;
}

static int
reserved_param(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(reserved_params) / sizeof(reserved_params[0]);
	    i++)
		if (strcmp(key, reserved_params[i]) == 0)
			return 1;
	return 0;
}

/* The request's own query parameters ("a=b&c", empty pieces skipped). */
static afp_err
parse_query(const char *query, struct param *p, size_t *np)
{
	const char *s = query, *end, *eq;
	size_t i, n;
	afp_err r;

	if (query == NULL)
		return AFP_OK;
	if ((n = strnlen(query, MAX_QUERY + 1)) > MAX_QUERY)
		return AFP_ERR_TOOBIG;
	/* Raw UTF-8 is fine (it gets encoded); what would split the URL is not. */
	for (i = 0; i < n; i++)
		if (is_ctl(query[i]) || query[i] == ' ' || query[i] == '#')
			return AFP_ERR_INVAL;
	while (*s != '\0') {
		if ((end = strchr(s, '&')) == NULL)
			end = s + strlen(s);
		if (end > s) {
			if (*np >= MAX_PARAMS)
				return AFP_ERR_TOOBIG;
			if ((eq = memchr(s, '=', (size_t)(end - s))) == NULL)
				eq = end;
			r = param_add(p, np, s, (size_t)(eq - s),
			    eq < end ? eq + 1 : end,
			    eq < end ? (size_t)(end - eq - 1) : 0, 1);
			if (r != AFP_OK)
				return r;
			if (reserved_param(buf_str(&p[*np - 1].key)))
				return AFP_ERR_INVAL;
		}
		s = *end == '&' ? end + 1 : end;
	}
	return AFP_OK;
}

static int
param_cmp(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	int c;

	if ((c = strcmp(buf_str(&x->key), buf_str(&y->key))) != 0)
		return c;
	return strcmp(buf_str(&x->value), buf_str(&y->value));
}

static afp_err
add_params(struct buf *b, const struct param *p, size_t n)
{
	afp_err r = AFP_OK;
	size_t i;

	for (i = 0; i < n && r == AFP_OK; i++) {
		if (i > 0)
			r = buf_addc(b, '&');
		if (r == AFP_OK)
			r = buf_printf(b, "%s=%s", buf_str(&p[i].key),
			    buf_str(&p[i].value));
	}
	return r;
}

/*
 * The canonical URI: with normalize, "." and empty segments go and ".."
 * drops the segment before it; a trailing '/' stays. Then every byte but
 * unreserved ones and '/' is percent-encoded once.
 */
static afp_err
add_uri(struct buf *b, const char *path, int normalize)
{
	char *np = NULL;
	const char *s, *end;
	size_t n, len = 0;
	afp_err r = AFP_ERR_INTERNAL;

	if ((n = strnlen(path, MAX_PATH + 1)) > MAX_PATH)
		return AFP_ERR_TOOBIG;
	if (n == 0)
		return buf_addc(b, '/');
	for (s = path; *s != '\0'; s++)
		if (is_ctl(*s))
			return AFP_ERR_INVAL;
	if (path[0] != '/')
		return AFP_ERR_INVAL;
	if (!normalize)
		return enc_uri(b, path, n, 1);
	if ((np = malloc(n + 2)) == NULL)
		return AFP_ERR_NOMEM;
	for (s = path; *s != '\0'; s = end) {
		while (*s == '/')
			s++;
		if ((end = strchr(s, '/')) == NULL)
			end = s + strlen(s);
		if (end == s || (end - s == 1 && s[0] == '.'))
			continue;
		if (end - s == 2 && s[0] == '.' && s[1] == '.') {
			while (len > 0 && np[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		np[len++] = '/';
		memcpy(np + len, s, (size_t)(end - s));
		len += (size_t)(end - s);
	}
	if (len == 0 || path[n - 1] == '/')
		np[len++] = '/';
	r = enc_uri(b, np, len, 1);
	free(np);
	return r;
}

static void
hex32(const unsigned char md[SHA256_LEN], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

afp_err
sigv4_sha256_hex(const void *p, size_t n, char hex[65])
{
	unsigned char md[SHA256_LEN];
	unsigned int mdlen = 0;

	if (p == NULL && n > 0)
		return AFP_ERR_INVAL;
	if (EVP_Digest(n > 0 ? p : "", n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SHA256_LEN)
		return AFP_ERR_CRYPTO;
	hex32(md, hex);
	return AFP_OK;
}

static afp_err
hmac256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char mac[SHA256_LEN])
{
	unsigned int len = 0;

	if (klen > INT_MAX)
		return AFP_ERR_INVAL;
	if (HMAC(EVP_sha256(), key, (int)klen, msg, mlen, mac, &len) == NULL ||
	    len != SHA256_LEN) {
		explicit_bzero(mac, SHA256_LEN);
		return AFP_ERR_CRYPTO;
	}
	return AFP_OK;
}

/*
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, day), region), service),
 * "aws4_request"). Every intermediate key is wiped here; the caller wipes
 * kSigning.
 */
static afp_err
derive_key(const char *secret, const char *day, const char *region,
    const char *service, unsigned char ksigning[SHA256_LEN])
{
	unsigned char ksecret[4 + MAX_SECRET];
	unsigned char kdate[SHA256_LEN], kregion[SHA256_LEN];
	unsigned char kservice[SHA256_LEN];
	size_t slen = strlen(secret);
	afp_err r;

	if (slen > MAX_SECRET)
		return AFP_ERR_TOOBIG;
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, slen);
	if ((r = hmac256(ksecret, 4 + slen, day, strlen(day), kdate)) !=
	    AFP_OK ||
	    (r = hmac256(kdate, sizeof(kdate), region, strlen(region),
	    kregion)) != AFP_OK ||
	    (r = hmac256(kregion, sizeof(kregion), service, strlen(service),
	    kservice)) != AFP_OK)
		goto out;
	r = hmac256(kservice, sizeof(kservice), "aws4_request", 12, ksigning);
 out:
	explicit_bzero(ksecret, sizeof(ksecret));
	explicit_bzero(kdate, sizeof(kdate));
	explicit_bzero(kregion, sizeof(kregion));
	explicit_bzero(kservice, sizeof(kservice));
	return r;
}

static afp_err
sign_string(const char *secret, const char *day, const struct sigv4_opts *o,
    const struct buf *sts, char sig[65])
{
	unsigned char ksigning[SHA256_LEN], mac[SHA256_LEN];
	afp_err r;

	if ((r = derive_key(secret, day, o->region, o->service, ksigning)) !=
	    AFP_OK ||
	    (r = hmac256(ksigning, sizeof(ksigning), buf_str(sts), sts->len,
	    mac)) != AFP_OK)
		goto out;
	hex32(mac, sig);
 out:
	explicit_bzero(ksigning, sizeof(ksigning));
	explicit_bzero(mac, sizeof(mac));
	return r;
}

static afp_err
amz_dates(time_t when, char amzdate[AMZDATE_LEN + 1], char day[9])
{
	struct tm tm;

	/* A four-digit year, or the date would not be 8 characters. */
	if (tm_utc(when, &tm) != AFP_OK || tm.tm_year < 70)
		return AFP_ERR_INVAL;
	if (fmt_snprintf(amzdate, AMZDATE_LEN + 1, "%04d%02d%02dT%02d%02d%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec) != AMZDATE_LEN)
		return AFP_ERR_INVAL;
	memcpy(day, amzdate, 8);
	day[8] = '\0';
	return AFP_OK;
}

static afp_err
check_args(const struct sigv4_request *req, const struct sigv4_opts *opts,
    const struct afp_creds *creds)
{
	if (req->method == NULL || req->path == NULL)
		return AFP_ERR_INVAL;
	if (!valid_str(req->method, MAX_METHOD, is_tchar))
		return AFP_ERR_INVAL;
	if (req->body == NULL && req->body_len > 0)
		return AFP_ERR_INVAL;
	if (req->body_len > MAX_BODY)
		return AFP_ERR_TOOBIG;
	if (!valid_str(opts->region, MAX_SCOPE_PART, is_scope_char) ||
	    !valid_str(opts->service, MAX_SCOPE_PART, is_scope_char))
		return AFP_ERR_INVAL;
	if (opts->form != SIGV4_HEADER && opts->form != SIGV4_QUERY)
		return AFP_ERR_INVAL;
	if (opts->form == SIGV4_QUERY &&
	    (opts->expires == 0 || opts->expires > MAX_EXPIRES))
		return AFP_ERR_INVAL;
	if (!valid_str(creds->akid, MAX_AKID, is_alnum) ||
	    !valid_str(creds->secret, MAX_SECRET, is_secret_char))
		return AFP_ERR_INVAL;
	if (creds->token != NULL && creds->token[0] != '\0' &&
	    !valid_str(creds->token, MAX_TOKEN, is_token_char))
		return AFP_ERR_INVAL;
	return AFP_OK;
}

void
sigv4_out_init(struct sigv4_out *o)
{
	buf_init(&o->canonical, OUT_CANONICAL_MAX);
	buf_init(&o->string_to_sign, OUT_STS_MAX);
	buf_init(&o->headers, OUT_HEADERS_MAX);
	buf_init(&o->query, OUT_QUERY_MAX);
	o->signature[0] = '\0';
}

void
sigv4_out_free(struct sigv4_out *o)
{
	if (o == NULL)
		return;
	buf_free(&o->canonical);
	buf_free(&o->string_to_sign);
	buf_free(&o->headers);
	buf_free(&o->query);
	explicit_bzero(o->signature, sizeof(o->signature));
}

static void
out_reset(struct sigv4_out *o)
{
	buf_reset(&o->canonical);
	buf_reset(&o->string_to_sign);
	buf_reset(&o->headers);
	buf_reset(&o->query);
	explicit_bzero(o->signature, sizeof(o->signature));
}

/* Header form: the headers the signer adds, and which of them it signs. */
static afp_err
add_own_headers(const struct sigv4_opts *opts, const char *amzdate,
    const char *token, const char *payload, struct hdr *h, size_t *nh)
{
	size_t i;

	for (i = 0; opts->sign_body && i < *nh; i++)
		if (name_is(h[i].name, h[i].nlen, "x-amz-content-sha256"))
			return AFP_ERR_INVAL;
	hdr_set(h, nh, "x-amz-date", amzdate);
	if (token != NULL && !opts->omit_token)
		hdr_set(h, nh, "x-amz-security-token", token);
	if (opts->sign_body)
		hdr_set(h, nh, "x-amz-content-sha256", payload);
	return AFP_OK;
}

/* Query form: the X-Amz-* parameters that are signed. */
static afp_err
add_own_params(const struct sigv4_opts *opts, const char *amzdate,
    const char *token, const struct buf *cred, const struct buf *names,
    const char *expires, struct param *p, size_t *np)
{
	afp_err r;

	if ((r = param_add(p, np, "X-Amz-Algorithm", 15, ALGORITHM,
	    strlen(ALGORITHM), 0)) != AFP_OK ||
	    (r = param_add(p, np, "X-Amz-Credential", 16, buf_str(cred),
	    cred->len, 0)) != AFP_OK ||
	    (r = param_add(p, np, "X-Amz-Date", 10, amzdate, AMZDATE_LEN,
	    0)) != AFP_OK ||
	    (r = param_add(p, np, "X-Amz-Expires", 13, expires,
	    strlen(expires), 0)) != AFP_OK ||
	    (r = param_add(p, np, "X-Amz-SignedHeaders", 19, buf_str(names),
	    names->len, 0)) != AFP_OK)
		return r;
	if (token != NULL && !opts->omit_token)
		return param_add(p, np, "X-Amz-Security-Token", 20, token,
		    strlen(token), 0);
	return AFP_OK;
}

/* The order aws-c-auth emits them in, which its suite records. */
static afp_err
emit_headers(struct buf *b, const char *amzdate, const char *token,
    const char *payload, int sign_body, const struct buf *cred,
    const struct buf *names, const char *sig)
{
	afp_err r;

	if (token != NULL &&
	    (r = buf_printf(b, "X-Amz-Security-Token:%s\n", token)) != AFP_OK)
		return r;
	if ((r = buf_printf(b, "X-Amz-Date:%s\n", amzdate)) != AFP_OK)
		return r;
	if (sign_body &&
	    (r = buf_printf(b, "x-amz-content-sha256:%s\n", payload)) != AFP_OK)
		return r;
	return buf_printf(b, "Authorization:" ALGORITHM " Credential=%s, "
	    "SignedHeaders=%s, Signature=%s\n", buf_str(cred), buf_str(names),
	    sig);
}

/* The request's query as given, then ours in aws-c-auth's order. */
static afp_err
emit_query(struct buf *b, const char *query, const char *amzdate,
    const char *token, const struct buf *cred, const struct buf *names,
    const char *expires, const char *sig)
{
	afp_err r;

	if (query != NULL && query[0] != '\0' &&
	    ((r = buf_addstr(b, query)) != AFP_OK ||
	    (r = buf_addc(b, '&')) != AFP_OK))
		return r;
	if ((r = buf_addstr(b, "X-Amz-Algorithm=" ALGORITHM
	    "&X-Amz-Credential=")) != AFP_OK ||
	    (r = enc_uri(b, buf_str(cred), cred->len, 0)) != AFP_OK ||
	    (r = buf_printf(b, "&X-Amz-Date=%s&X-Amz-SignedHeaders=",
	    amzdate)) != AFP_OK ||
	    (r = enc_uri(b, buf_str(names), names->len, 0)) != AFP_OK ||
	    (r = buf_printf(b, "&X-Amz-Expires=%s", expires)) != AFP_OK)
		return r;
	if (token != NULL &&
	    ((r = buf_addstr(b, "&X-Amz-Security-Token=")) != AFP_OK ||
	    (r = enc_uri(b, token, strlen(token), 0)) != AFP_OK))
		return r;
	return buf_printf(b, "&X-Amz-Signature=%s", sig);
}

afp_err
sigv4_sign(const struct sigv4_request *req, const struct sigv4_opts *opts,
    const struct afp_creds *creds, struct sigv4_out *out)
{
	struct hdr h[MAX_ALL_HEADERS];
	struct param *p = NULL;
	struct buf hcanon, names, cred;
	char amzdate[AMZDATE_LEN + 1], day[9], scope[4 * MAX_SCOPE_PART];
	char payload[65], crhash[65], expires[16];
	const char *token;
	size_t nh = 0, np = 0;
	int n;
	afp_err r = AFP_ERR_INVAL;

	buf_init(&hcanon, OUT_CANONICAL_MAX);
	buf_init(&names, 16 * 1024);
	buf_init(&cred, 1024);
	if (req == NULL || opts == NULL || creds == NULL || out == NULL)
		goto out;
	out_reset(out);
	if ((r = check_args(req, opts, creds)) != AFP_OK)
		goto out;
	token = creds->token != NULL && creds->token[0] != '\0' ?
	    creds->token : NULL;

	if ((r = amz_dates(opts->when, amzdate, day)) != AFP_OK)
		goto out;
	n = fmt_snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", day,
	    opts->region, opts->service);
	if (n < 0 || (size_t)n >= sizeof(scope)) {
		r = AFP_ERR_TOOBIG;
		goto out;
	}
	n = fmt_snprintf(expires, sizeof(expires), "%u", opts->expires);
	if (n < 0 || (size_t)n >= sizeof(expires)) {
		r = AFP_ERR_INTERNAL;
		goto out;
	}
	if ((r = buf_printf(&cred, "%s/%s", creds->akid, scope)) != AFP_OK)
		goto out;
	/* The payload is always hashed; sign_body only adds the header. */
	if ((r = sigv4_sha256_hex(req->body, req->body_len, payload)) != AFP_OK)
		goto out;

	if ((r = collect_headers(req, h, &nh)) != AFP_OK)
		goto out;
	if (opts->form == SIGV4_HEADER && (r = add_own_headers(opts, amzdate,
	    token, payload, h, &nh)) != AFP_OK)
		goto out;
	qsort(h, nh, sizeof(h[0]), hdr_cmp);
	if ((r = add_headers(&hcanon, &names, h, nh)) != AFP_OK)
		goto out;

	/* The query form signs its parameters, SignedHeaders among them. */
	if ((p = calloc(MAX_ALL_PARAMS, sizeof(*p))) == NULL) {
		r = AFP_ERR_NOMEM;
		goto out;
	}
	if ((r = parse_query(req->query, p, &np)) != AFP_OK)
		goto out;
	if (opts->form == SIGV4_QUERY && (r = add_own_params(opts, amzdate,
	    token, &cred, &names, expires, p, &np)) != AFP_OK)
		goto out;
	qsort(p, np, sizeof(p[0]), param_cmp);

	if ((r = buf_printf(&out->canonical, "%s\n", req->method)) != AFP_OK ||
	    (r = add_uri(&out->canonical, req->path, opts->normalize)) !=
	    AFP_OK ||
	    (r = buf_addc(&out->canonical, '\n')) != AFP_OK ||
	    (r = add_params(&out->canonical, p, np)) != AFP_OK ||
	    (r = buf_addc(&out->canonical, '\n')) != AFP_OK ||
	    (r = buf_add(&out->canonical, buf_str(&hcanon), hcanon.len)) !=
	    AFP_OK ||
	    (r = buf_printf(&out->canonical, "\n%s\n%s", buf_str(&names),
	    payload)) != AFP_OK)
		goto out;

	if ((r = sigv4_sha256_hex(buf_str(&out->canonical), out->canonical.len,
	    crhash)) != AFP_OK ||
	    (r = buf_printf(&out->string_to_sign, ALGORITHM "\n%s\n%s\n%s",
	    amzdate, scope, crhash)) != AFP_OK ||
	    (r = sign_string(creds->secret, day, opts, &out->string_to_sign,
	    out->signature)) != AFP_OK)
		goto out;

	if (opts->form == SIGV4_HEADER)
		r = emit_headers(&out->headers, amzdate, token, payload,
		    opts->sign_body, &cred, &names, out->signature);
	else
		r = emit_query(&out->query, req->query, amzdate, token, &cred,
		    &names, expires, out->signature);
 out:
	if (r != AFP_OK && out != NULL)
		out_reset(out);
	params_free(p, np);
	buf_free(&hcanon);
	buf_free(&names);
	buf_free(&cred);
	return r;
}
