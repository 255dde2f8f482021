#include <stdlib.h>
#include <string.h>

#include "awsreq.h"
#include "ecr.h"
#include "enc.h"
#include "json.h"

#define ECR_CT		"application/x-amz-json-1.1"
#define ECR_TARGET	"AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
#define ECR_USER	"AWS:"
#define ERR_CODE_MAX	128
#define ERR_MSG_MAX	1024
/* 9999-12-31T23:59:59Z: what tm_format_iso8601 and the cache can hold. */
#define EXPIRES_MAX	253402300799LL

afp_err
ecr_endpoint(const char *partition, const char *region, const char *override,
    struct buf *url)
{
	return awsreq_endpoint(partition, region, "api.ecr",
	    "AWS_ENDPOINT_URL_ECR", override, url);
}

afp_err
ecr_sign(struct net_req *req, const char *url, const char *region,
    const struct afp_creds *creds, time_t when)
{
	return awsreq_sign(req, "POST", url, region, "ecr", ECR_CT, ECR_TARGET,
	    "{}", 2, creds, when);
}

void
ecr_token_clear(struct ecr_token *t)
{
	str_wipe_free(t->token);
	free(t->endpoint);
	t->token = NULL;
	t->endpoint = NULL;
	t->expires = 0;
}

/*
 * The token must be what Docker's login takes apart: base64 of
 * "AWS:<password>". The decoded copy holds the password and is wiped.
 */
static int
token_ok(const char *tok)
{
	struct buf dec;
	size_t i, n = strlen(tok);
	int ok = 0;

	buf_init(&dec, ECR_TOKEN_MAX);
	if (n == 0 || n > ECR_TOKEN_MAX ||
	    enc_b64_decode(&dec, tok, n) != AFP_OK ||
	    dec.len <= strlen(ECR_USER) ||
	    memcmp(dec.p, ECR_USER, strlen(ECR_USER)) != 0)
		goto out;
	for (i = strlen(ECR_USER); i < dec.len; i++)
		if ((unsigned char)dec.p[i] <= 0x20 ||
		    (unsigned char)dec.p[i] >= 0x7f)
			goto out;
	ok = 1;
out:
	buf_free(&dec);
	return ok;
}

static int
endpoint_ok(const char *s)
{
	struct awsreq_url u;

	return awsreq_url_split(s, &u) == AFP_OK && u.https &&
	    u.pathlen == 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A JSON number of epoch seconds, rounded down, without floating point:
 * AWS writes timestamps like 1.579651354529E9. Negative values and ones
 * past EXPIRES_MAX are refused.
 */
static int
epoch_parse(const char *s, time_t *out)
{
	char digits[32];
	size_t i, nd = 0;
	long long exp = 0, v = 0;
	int seen_point = 0, neg_exp = 0, ndig = 0;
	const char *p = s;

	/* Significant digits into digits[], the point's shift into exp. */
	for (; is_digit(*p) || (*p == '.' && !seen_point); p++) {
		if (*p == '.') {
			seen_point = 1;
			continue;
		}
		if (nd == 0 && *p == '0') {
			if (seen_point)
				exp--;
			continue;
		}
		if (nd == sizeof(digits)) {
			if (!seen_point)
				exp++;
			continue;
		}
		digits[nd++] = *p;
		if (seen_point)
			exp--;
	}
	if (p == s || !is_digit(p[-1]))
		return 0;
	if (*p == 'e' || *p == 'E') {
		long long e = 0;

		p++;
		if (*p == '+' || *p == '-')
			neg_exp = *p++ == '-';
		for (; is_digit(*p); p++, ndig++)
			if (e < 1000)
				e = e * 10 + (*p - '0');
		if (ndig == 0)
			return 0;
		exp += neg_exp ? -e : e;
	}
	if (*p != '\0')
		return 0;
	/* digits * 10^exp, keeping only the integer part. */
	if (exp < 0) {
		if ((long long)nd + exp <= 0)
			nd = 0;
		else
			nd = (size_t)((long long)nd + exp);
		exp = 0;
	}
	if ((long long)nd + exp > 12)
		return 0;
	for (i = 0; i < nd; i++)
		v = v * 10 + (digits[i] - '0');
	for (; exp > 0; exp--)
		v *= 10;
	if (v > EXPIRES_MAX)
		return 0;
	*out = (time_t)v;
	return 1;
}

static afp_err
parse_ok(const struct json_doc *d, struct ecr_token *out)
{
	const char *tok, *exp, *ep;

	tok = json_get(d, "authorizationData.0.authorizationToken", JSON_STRING);
	exp = json_get(d, "authorizationData.0.expiresAt", JSON_NUMBER);
	ep = json_get(d, "authorizationData.0.proxyEndpoint", JSON_STRING);
	if (tok == NULL || exp == NULL || ep == NULL || !token_ok(tok) ||
	    !epoch_parse(exp, &out->expires) || !endpoint_ok(ep))
		return AFP_ERR_PARSE;
	if ((out->token = strdup(tok)) == NULL ||
	    (out->endpoint = strdup(ep)) == NULL)
		return AFP_ERR_NOMEM;
	return AFP_OK;
}

/* Append as much of text to b as its cap leaves room for, whole characters. */
static afp_err
add_fit(struct buf *b, const struct buf *text)
{
	size_t n = text->len, room = b->max > b->len ? b->max - b->len : 0;

	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)text->p[n] & 0xc0) == 0x80)
			n--;
	}
	return buf_add(b, text->p, n);
}

static afp_err
parse_err(long status, const struct json_doc *d, struct buf *err)
{
	const char *type = NULL, *msg = NULL, *hash;
	struct buf text;
	size_t codelen;
	afp_err r, cls;

	buf_init(&text, ECR_ERR_MAX);
	if (d != NULL) {
		type = json_get(d, "__type", JSON_STRING);
		if ((msg = json_get(d, "message", JSON_STRING)) == NULL)
			msg = json_get(d, "Message", JSON_STRING);
	}
	/* "com.amazonaws.ecr#ThrottlingException": the code follows '#'. */
	if (type != NULL && (hash = strrchr(type, '#')) != NULL)
		type = hash + 1;
	if (type != NULL && *type != '\0' &&
	    (r = awsreq_clean_text(&text, type, ERR_CODE_MAX)) != AFP_OK)
		goto out;
	if (text.len == 0 &&
	    (r = buf_printf(&text, "HTTP%ld", status)) != AFP_OK)
		goto out;
	codelen = text.len;
	cls = awsreq_error_class(status, text.p, codelen);
	if (msg != NULL && *msg != '\0' &&
	    ((r = buf_add(&text, ": ", 2)) != AFP_OK ||
	    (r = awsreq_clean_text(&text, msg, ERR_MSG_MAX)) != AFP_OK))
		goto out;
	/* A message of nothing but control characters leaves ": ". */
	if (text.len == codelen + 2)
		text.len = codelen;
	if (err != NULL && (r = add_fit(err, &text)) != AFP_OK)
		goto out;
	r = cls;
out:
	buf_free(&text);
	return r;
}

afp_err
ecr_parse(long status, const char *body, size_t len, struct ecr_token *out,
    struct buf *err)
{
	struct json_doc d = { NULL, 0 };
	int parsed = 0;
	afp_err r;

	ecr_token_clear(out);
	if (body == NULL)
		len = 0;
	if (len > ECR_BODY_MAX && status >= 200 && status < 500)
		return AFP_ERR_TOOBIG;
	if (len > 0 && len <= ECR_BODY_MAX &&
	    memchr(body, '\0', len) == NULL &&
	    json_parse(body, len, &d) == AFP_OK)
		parsed = 1;
	if (status >= 200 && status < 300) {
		r = parsed ? parse_ok(&d, out) : AFP_ERR_PARSE;
		if (r != AFP_OK)
			ecr_token_clear(out);
	} else
		r = parse_err(status, parsed ? &d : NULL, err);
	json_doc_free(&d);
	return r;
}
