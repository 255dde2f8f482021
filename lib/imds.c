#include <string.h>

#include "enc.h"
#include "imds.h"
#include "sha256.h"

#define MAC_LABEL	"afp-imds-token-v1"
#define EXPIRY_DIGITS	18	/* far beyond any clock, and no overflow */
#define TTL_DIGITS	10

int
imds_identity_ok(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if (i >= IMDS_IDENTITY_MAX ||
		    !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || strchr("._:@+=,-", ch) != NULL))
			return 0;
	}
	return i > 0;
}

afp_err
imds_key_parse(const char *s, size_t n, unsigned char key[IMDS_KEY_LEN])
{
	size_t i;
	int hi, lo;

	/* Tolerate the newline that `openssl rand -hex 32 >imds.key` adds. */
	if (n == 2 * IMDS_KEY_LEN + 1 && s[n - 1] == '\n')
		n--;
	if (n != 2 * IMDS_KEY_LEN)
		goto bad;
	for (i = 0; i < IMDS_KEY_LEN; i++) {
		if ((hi = enc_hexval(s[2 * i])) < 0 ||
		    (lo = enc_hexval(s[2 * i + 1])) < 0)
			goto bad;
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	return AFP_OK;
 bad:
	explicit_bzero(key, IMDS_KEY_LEN);
	return AFP_ERR_PARSE;
}

/* Decimal digits only, at most max of them, no sign or space. */
static afp_err
parse_digits(const char *s, size_t len, size_t max, long long *out)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > max)
		return AFP_ERR_INVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return AFP_ERR_INVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return AFP_OK;
}

afp_err
imds_ttl_parse(const char *s, unsigned *ttl)
{
	long long v;

	if (s == NULL)
		return AFP_ERR_NOTFOUND;
	if (parse_digits(s, strlen(s), TTL_DIGITS, &v) != AFP_OK ||
	    v < IMDS_TTL_MIN || v > IMDS_TTL_MAX)
		return AFP_ERR_INVAL;
	*ttl = (unsigned)v;
	return AFP_OK;
}

/* "<expiry>.<hex mac>" for identity, appended to out. */
static afp_err
token_format(const unsigned char key[IMDS_KEY_LEN], const char *identity,
    long long expiry, struct buf *out)
{
	unsigned char mac[SHA256_LEN];
	struct buf msg;
	afp_err r;

	buf_init(&msg, IMDS_IDENTITY_MAX + 64);
	if ((r = buf_printf(&msg, MAC_LABEL "|%lld|%s", expiry,
	    identity)) != AFP_OK)
		goto out;
	hmac_sha256(key, IMDS_KEY_LEN, msg.p, msg.len, mac);
	if ((r = buf_printf(out, "%lld.", expiry)) == AFP_OK)
		r = enc_hex(out, mac, sizeof(mac));
 out:
	explicit_bzero(mac, sizeof(mac));
	buf_free(&msg);
	return r;
}

afp_err
imds_token_mint(const unsigned char key[IMDS_KEY_LEN], const char *identity,
    time_t now, unsigned ttl, struct buf *out)
{
	if (!imds_identity_ok(identity) || now < 0 ||
	    ttl < IMDS_TTL_MIN || ttl > IMDS_TTL_MAX)
		return AFP_ERR_INVAL;
	return token_format(key, identity, (long long)now + ttl, out);
}

/* Equal length and bytes, in time that depends on the length only. */
static int
ct_equal(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

afp_err
imds_token_check(const unsigned char key[IMDS_KEY_LEN], const char *identity,
    const char *token, time_t now)
{
	struct buf want;
	const char *dot;
	long long expiry;
	size_t len;
	afp_err r;

	if (token == NULL || (len = strlen(token)) >= IMDS_TOKEN_MAX ||
	    (dot = strchr(token, '.')) == NULL ||
	    len - (size_t)(dot - token) - 1 != 2 * SHA256_LEN ||
	    parse_digits(token, (size_t)(dot - token), EXPIRY_DIGITS,
	    &expiry) != AFP_OK || (token[0] == '0' && dot - token > 1))
		return AFP_ERR_PARSE;
	if (!imds_identity_ok(identity))
		return AFP_ERR_AUTH;

	/*
	 * Recompute the whole token: the MAC covers the expiry, and the
	 * canonical form leaves no second spelling of one token.
	 */
	buf_init(&want, IMDS_TOKEN_MAX);
	if ((r = token_format(key, identity, expiry, &want)) != AFP_OK)
		goto out;
	if (want.len != len || !ct_equal(want.p, token, len))
		r = AFP_ERR_AUTH;
	else if (expiry <= (long long)now)
		r = AFP_ERR_EXPIRED;
	else if (expiry - (long long)now > IMDS_TTL_MAX)
		r = AFP_ERR_AUTH;
 out:
	buf_free(&want);
	return r;
}
