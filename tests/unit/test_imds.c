/* Unit tests for imds: key file, TTL header, identities, token mint/check. */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "t.h"
#include "buf.h"
#include "imds.h"

#define NOW	((time_t)1700000000)

static const char key_hex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static void
test_key(void)
{
	static const struct {
		const char *s;
		afp_err want;
	} v[] = {
		{ key_hex, AFP_OK },
		{ "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
		  AFP_OK },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		  AFP_OK },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n",
		  AFP_ERR_PARSE },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0",
		  AFP_ERR_PARSE },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
		  AFP_ERR_PARSE },
		{ "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		  AFP_ERR_PARSE },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1 ",
		  AFP_ERR_PARSE },
		{ " 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
		  AFP_ERR_PARSE },
		{ "", AFP_ERR_PARSE },
	};
	unsigned char key[IMDS_KEY_LEN], want[IMDS_KEY_LEN], zero[IMDS_KEY_LEN];
	size_t i;

	for (i = 0; i < IMDS_KEY_LEN; i++)
		want[i] = (unsigned char)i;
	memset(zero, 0, sizeof(zero));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(key, 0x55, sizeof(key));
		T_EQ(imds_key_parse(v[i].s, strlen(v[i].s), key), v[i].want,
		    "key: case %zu gives %s", i, afp_strerror(v[i].want));
		if (v[i].want == AFP_OK)
			T_OK(memcmp(key, want, sizeof(key)) == 0,
			    "key: case %zu decodes to bytes 0..31", i);
		else
			T_OK(memcmp(key, zero, sizeof(key)) == 0,
			    "key: case %zu leaves the key zeroed", i);
	}
}

static void
test_ttl(void)
{
	static const struct {
		const char *s;
		afp_err want;
		unsigned ttl;
	} v[] = {
		{ "1", AFP_OK, 1 }, { "21600", AFP_OK, 21600 }, { "300", AFP_OK, 300 },
		{ "0021600", AFP_OK, 21600 }, { "0", AFP_ERR_INVAL, 0 },
		{ "21601", AFP_ERR_INVAL, 0 }, { "-1", AFP_ERR_INVAL, 0 },
		{ "+5", AFP_ERR_INVAL, 0 }, { " 5", AFP_ERR_INVAL, 0 },
		{ "5 ", AFP_ERR_INVAL, 0 }, { "abc", AFP_ERR_INVAL, 0 },
		{ "", AFP_ERR_INVAL, 0 }, { "1e3", AFP_ERR_INVAL, 0 },
		{ "99999999999999999999", AFP_ERR_INVAL, 0 },
		{ "4294967297", AFP_ERR_INVAL, 0 },
	};
	unsigned ttl;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ttl = 0;
		T_EQ(imds_ttl_parse(v[i].s, &ttl), v[i].want, "ttl: \"%s\" gives %s",
		    v[i].s, afp_strerror(v[i].want));
		if (v[i].want == AFP_OK)
			T_EQ(ttl, v[i].ttl, "ttl: \"%s\" is %u", v[i].s, v[i].ttl);
	}
	T_EQ(imds_ttl_parse(NULL, &ttl), AFP_ERR_NOTFOUND, "ttl: no header");
}

static void
test_identity(void)
{
	static const char *good[] = { "127.0.0.1", "::1", "fe80::1", "build-01",
	    "host.example.com", "cn=build,o=x", "a@b+c", "A_Z" };
	static const char *bad[] = { "", "a b", "a|b", "fe80::1%eth0", "a/b",
	    "a\nb", "é", "a\"b" };
	char longest[IMDS_IDENTITY_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T_OK(imds_identity_ok(good[i]), "identity: \"%s\" accepted", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(!imds_identity_ok(bad[i]), "identity: bad case %zu refused", i);
	T_OK(!imds_identity_ok(NULL), "identity: NULL refused");
	memset(longest, 'a', sizeof(longest));
	longest[IMDS_IDENTITY_MAX] = '\0';
	T_OK(imds_identity_ok(longest), "identity: %d characters accepted",
	    IMDS_IDENTITY_MAX);
	longest[IMDS_IDENTITY_MAX] = 'a';
	longest[IMDS_IDENTITY_MAX + 1] = '\0';
	T_OK(!imds_identity_ok(longest), "identity: %d characters refused",
	    IMDS_IDENTITY_MAX + 1);
}

/* The token as the header documents it, computed with OpenSSL. */
static void
reference_token(const unsigned char *key, const char *identity,
    long long expiry, char *out, size_t outlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, i;
	char msg[512];
	int n, m;

	out[0] = '\0';
	n = snprintf(msg, sizeof(msg), "afp-imds-token-v1|%lld|%s", expiry,
	    identity);
	if (n < 0 || (size_t)n >= sizeof(msg) ||
	    HMAC(EVP_sha256(), key, IMDS_KEY_LEN, (unsigned char *)msg,
	    (size_t)n, mac, &maclen) == NULL)
		return;
	m = snprintf(out, outlen, "%lld.", expiry);
	for (i = 0; m > 0 && (size_t)m + 2 < outlen && i < maclen; i++) {
		n = snprintf(out + m, outlen - (size_t)m, "%02x", mac[i]);
		m = n == 2 ? m + 2 : -1;
	}
	if (m < 0 || i != maclen)
		out[0] = '\0';
}

/* tok with the character at i replaced by c. */
static const char *
altered(const char *tok, size_t i, char c)
{
	static char s[IMDS_TOKEN_MAX + 8];
	int n = snprintf(s, sizeof(s), "%s", tok);

	if (n > 0 && (size_t)n < sizeof(s) && i < (size_t)n)
		s[i] = c;
	return s;
}

static void
test_token(void)
{
	unsigned char key[IMDS_KEY_LEN], other[IMDS_KEY_LEN];
	char ref[IMDS_TOKEN_MAX], overlong[IMDS_TOKEN_MAX + 1];
	const char *tok, *dot;
	struct buf b;
	size_t i;

	T_OK(imds_key_parse(key_hex, strlen(key_hex), key) == AFP_OK, "token: key");
	memcpy(other, key, sizeof(other));
	other[31] ^= 1;
	buf_init(&b, IMDS_TOKEN_MAX);

	T_EQ(imds_token_mint(key, "127.0.0.1", NOW, 300, &b), AFP_OK, "mint: ok");
	tok = buf_str(&b);
	reference_token(key, "127.0.0.1", (long long)NOW + 300, ref, sizeof(ref));
	T_STREQ(tok, ref, "mint: matches HMAC-SHA256 over label|expiry|identity");
	dot = strchr(tok, '.');
	T_OK(dot != NULL && strlen(dot + 1) == 64 &&
	    strncmp(tok, "1700000300.", 11) == 0, "mint: <now+ttl>.<64 hex>");

	T_EQ(imds_token_check(key, "127.0.0.1", tok, NOW), AFP_OK, "check: good");
	T_EQ(imds_token_check(key, "127.0.0.1", tok, NOW + 299), AFP_OK,
	    "check: good one second before expiry");
	T_EQ(imds_token_check(key, "127.0.0.1", tok, NOW + 300), AFP_ERR_EXPIRED,
	    "check: expired at expiry");
	T_EQ(imds_token_check(key, "127.0.0.1", tok, NOW + 100000),
	    AFP_ERR_EXPIRED, "check: expired long ago");
	T_EQ(imds_token_check(key, "127.0.0.2", tok, NOW), AFP_ERR_AUTH,
	    "check: other machine");
	T_EQ(imds_token_check(key, "127.0.0.10", tok, NOW), AFP_ERR_AUTH,
	    "check: machine whose name extends the minter's");
	T_EQ(imds_token_check(other, "127.0.0.1", tok, NOW), AFP_ERR_AUTH,
	    "check: other key");
	T_EQ(imds_token_check(key, "bad id", tok, NOW), AFP_ERR_AUTH,
	    "check: identity out of rule");
	T_EQ(imds_token_check(key, "127.0.0.1", altered(tok, 9, '1'), NOW),
	    AFP_ERR_AUTH, "check: tampered expiry (later)");
	T_EQ(imds_token_check(key, "127.0.0.1", altered(tok, 7, '2'), NOW),
	    AFP_ERR_AUTH, "check: tampered expiry (earlier)");
	i = strlen(tok) - 1;
	T_EQ(imds_token_check(key, "127.0.0.1",
	    altered(tok, i, tok[i] == '0' ? '1' : '0'), NOW), AFP_ERR_AUTH,
	    "check: tampered mac, last digit");
	T_EQ(imds_token_check(key, "127.0.0.1",
	    altered(tok, 11, tok[11] == 'f' ? 'e' : 'f'), NOW), AFP_ERR_AUTH,
	    "check: tampered mac, first digit");

	/* Another spelling of the same token is not the token. */
	for (i = 11; tok[i] != '\0' && !(tok[i] >= 'a' && tok[i] <= 'f'); i++)
		;
	if (tok[i] != '\0')
		T_EQ(imds_token_check(key, "127.0.0.1",
		    altered(tok, i, (char)(tok[i] - 'a' + 'A')), NOW), AFP_ERR_AUTH,
		    "check: upper-case mac refused");
	reference_token(key, "127.0.0.1", (long long)NOW + 300, ref, sizeof(ref));
	{
		char zeroed[IMDS_TOKEN_MAX + 2];
		int n = snprintf(zeroed, sizeof(zeroed), "0%s", ref);

		T_OK(n > 0 && (size_t)n < sizeof(zeroed) &&
		    imds_token_check(key, "127.0.0.1", zeroed, NOW) == AFP_ERR_PARSE,
		    "check: leading zero in the expiry refused");
	}

	/* The longest TTL, checked after the clock went back a minute. */
	buf_reset(&b);
	T_EQ(imds_token_mint(key, "127.0.0.1", NOW, IMDS_TTL_MAX, &b), AFP_OK,
	    "mint: longest ttl");
	T_EQ(imds_token_check(key, "127.0.0.1", buf_str(&b), NOW), AFP_OK,
	    "check: longest ttl good");
	T_EQ(imds_token_check(key, "127.0.0.1", buf_str(&b), NOW - 60),
	    AFP_ERR_AUTH, "check: expiry beyond any ttl refused");

	/* Malformed. */
	T_EQ(imds_token_check(key, "127.0.0.1", NULL, NOW), AFP_ERR_PARSE,
	    "malformed: NULL");
	T_EQ(imds_token_check(key, "127.0.0.1", "", NOW), AFP_ERR_PARSE,
	    "malformed: empty");
	T_EQ(imds_token_check(key, "127.0.0.1", ".", NOW), AFP_ERR_PARSE,
	    "malformed: a dot");
	T_EQ(imds_token_check(key, "127.0.0.1", altered(ref, 10, 'x'), NOW),
	    AFP_ERR_PARSE, "malformed: no dot");
	T_EQ(imds_token_check(key, "127.0.0.1", altered(ref, 3, 'a'), NOW),
	    AFP_ERR_PARSE, "malformed: non-digit expiry");
	T_EQ(imds_token_check(key, "127.0.0.1", altered(ref, 0, '-'), NOW),
	    AFP_ERR_PARSE, "malformed: signed expiry");
	T_EQ(imds_token_check(key, "127.0.0.1", ref + 10, NOW), AFP_ERR_PARSE,
	    "malformed: empty expiry");
	ref[strlen(ref) - 1] = '\0';
	T_EQ(imds_token_check(key, "127.0.0.1", ref, NOW), AFP_ERR_PARSE,
	    "malformed: mac one digit short");
	memset(overlong, '1', sizeof(overlong));
	overlong[sizeof(overlong) - 1] = '\0';
	overlong[20] = '.';
	T_EQ(imds_token_check(key, "127.0.0.1", overlong, NOW), AFP_ERR_PARSE,
	    "malformed: overlong");
	T_EQ(imds_token_check(key, "127.0.0.1",
	    "1234567890123456789.00000000000000000000000000000000"
	    "00000000000000000000000000000000", NOW), AFP_ERR_PARSE,
	    "malformed: 19-digit expiry");

	/* TTL bounds and identities at mint. */
	buf_reset(&b);
	T_EQ(imds_token_mint(key, "127.0.0.1", NOW, 0, &b), AFP_ERR_INVAL,
	    "mint: ttl 0 refused");
	T_EQ(imds_token_mint(key, "127.0.0.1", NOW, IMDS_TTL_MAX + 1, &b),
	    AFP_ERR_INVAL, "mint: ttl 21601 refused");
	T_EQ(imds_token_mint(key, "a|b", NOW, 60, &b), AFP_ERR_INVAL,
	    "mint: identity out of rule refused");
	T_EQ(b.len, 0, "mint: nothing written on refusal");
	T_EQ(imds_token_mint(key, "127.0.0.1", NOW, IMDS_TTL_MIN, &b), AFP_OK,
	    "mint: ttl 1");
	T_EQ(imds_token_check(key, "127.0.0.1", buf_str(&b), NOW), AFP_OK,
	    "check: ttl 1 good now");
	T_EQ(imds_token_check(key, "127.0.0.1", buf_str(&b), NOW + 1),
	    AFP_ERR_EXPIRED, "check: ttl 1 expired a second later");
	buf_free(&b);
}

int
main(void)
{
	test_key();
	test_ttl();
	test_identity();
	test_token();
	return t_done();
}
