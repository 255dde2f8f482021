/*
 * The IMDS session tokens: imds_token_check, imds_ttl_parse and
 * imds_key_parse. The input lines are a token, an identity (default
 * 10.0.0.7), a TTL header value and the contents of an imds.key; a token
 * minted for the identity and TTL must check out.
 */
#include <stdlib.h>
#include <string.h>

#include "enc.h"
#include "imds.h"
#include "util.h"

#define NOW	((time_t)1700000000)

static const unsigned char key[IMDS_KEY_LEN] = {
	0x6b, 0x65, 0x79, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x66, 0x75, 0x7a, 0x7a,
	0x69, 0x6e, 0x67, 0x20, 0x61, 0x66, 0x70, 0x27, 0x73, 0x20, 0x49, 0x4d,
	0x44, 0x53, 0x20, 0x74, 0x6f, 0x6b, 0x65, 0x6e,
};
static const unsigned char other_key[IMDS_KEY_LEN] = { 1 };

static void
check_token(const char *token, const char *id)
{
	struct buf mint;
	long long expiry;
	char *end;
	afp_err r;

	r = imds_token_check(key, id, token, NOW);
	FUZZ_CHECK(r == AFP_OK || r == AFP_ERR_PARSE || r == AFP_ERR_AUTH ||
	    r == AFP_ERR_EXPIRED);
	if (r != AFP_OK)
		return;
	/* Only a forged MAC gets here; make the forgery as loud as can be. */
	expiry = strtoll(token, &end, 10);
	FUZZ_CHECK(*end == '.' && expiry > NOW &&
	    expiry - NOW <= IMDS_TTL_MAX);
	buf_init(&mint, 0);
	FUZZ_CHECK(imds_token_mint(key, id, NOW, (unsigned)(expiry - NOW),
	    &mint) == AFP_OK && strcmp(buf_str(&mint), token) == 0);
	buf_free(&mint);
	FUZZ_CHECK(imds_token_check(other_key, id, token, NOW) ==
	    AFP_ERR_AUTH);
	FUZZ_CHECK(imds_token_check(key, id, token, (time_t)expiry) ==
	    AFP_ERR_EXPIRED);
}

static void
check_mint(const char *id, unsigned ttl)
{
	struct buf t;
	afp_err r;

	buf_init(&t, 0);
	r = imds_token_mint(key, id, NOW, ttl, &t);
	if (!imds_identity_ok(id)) {
		FUZZ_CHECK(r == AFP_ERR_INVAL && t.len == 0);
		buf_free(&t);
		return;
	}
	FUZZ_CHECK(r == AFP_OK && t.len < IMDS_TOKEN_MAX);
	FUZZ_CHECK(imds_token_check(key, id, t.p, NOW) == AFP_OK);
	FUZZ_CHECK(imds_token_check(key, id, t.p, NOW + ttl - 1) == AFP_OK);
	FUZZ_CHECK(imds_token_check(key, id, t.p, NOW + ttl) ==
	    AFP_ERR_EXPIRED);
	FUZZ_CHECK(imds_token_check(other_key, id, t.p, NOW) ==
	    AFP_ERR_AUTH);
	FUZZ_CHECK(imds_token_check(key, "another.machine", t.p, NOW) ==
	    (strcmp(id, "another.machine") == 0 ? AFP_OK : AFP_ERR_AUTH));
	/* Any one changed MAC digit breaks it. */
	t.p[t.len - 1] = t.p[t.len - 1] == '0' ? '1' : '0';
	FUZZ_CHECK(imds_token_check(key, id, t.p, NOW) == AFP_ERR_AUTH);
	buf_free(&t);
}

static void
check_key(const char *s, size_t n)
{
	unsigned char k[IMDS_KEY_LEN], zero[IMDS_KEY_LEN] = { 0 };
	struct buf hex;
	size_t i;

	memset(k, 0x5a, sizeof(k));
	if (imds_key_parse(s, n, k) != AFP_OK) {
		FUZZ_CHECK(memcmp(k, zero, sizeof(k)) == 0);
		return;
	}
	FUZZ_CHECK(n == 64 || (n == 65 && s[64] == '\n'));
	buf_init(&hex, 0);
	FUZZ_CHECK(enc_hex(&hex, k, sizeof(k)) == AFP_OK);
	for (i = 0; i < 64; i++)
		FUZZ_CHECK(hex.p[i] == (s[i] >= 'A' && s[i] <= 'F' ?
		    s[i] - 'A' + 'a' : s[i]));
	buf_free(&hex);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[4];
	char *token, *id, *ttl_s;
	unsigned ttl = 77;
	size_t n;
	afp_err r;

	n = fuzz_split(data, size, "\n", parts, 4);
	token = fuzz_strndup(parts[0].p, parts[0].n);
	id = n > 1 ? fuzz_strndup(parts[1].p, parts[1].n) : strdup("10.0.0.7");
	ttl_s = n > 2 ? fuzz_strndup(parts[2].p, parts[2].n) : NULL;
	FUZZ_CHECK(id != NULL);
	check_token(token, id);

	r = imds_ttl_parse(ttl_s, &ttl);
	if (r == AFP_OK) {
		FUZZ_CHECK(ttl >= IMDS_TTL_MIN && ttl <= IMDS_TTL_MAX);
		FUZZ_CHECK(ttl_s[strspn(ttl_s, "0123456789")] == '\0');
		check_mint(id, ttl);
	} else
		FUZZ_CHECK(ttl == 77 && (ttl_s == NULL ?
		    r == AFP_ERR_NOTFOUND : r == AFP_ERR_INVAL));
	if (n > 3)
		check_key((const char *)parts[3].p, parts[3].n);
	free(token);
	free(id);
	free(ttl_s);
	return 0;
}
