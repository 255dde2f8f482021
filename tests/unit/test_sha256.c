/*
 * Unit tests for sha256: FIPS 180-4 and RFC 4231 known answers, then a
 * cross-check against OpenSSL on random inputs split at random points.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "t.h"
#include "sha256.h"

#define RANDOM_ROUNDS	1000
#define RANDOM_MSG_MAX	4096
#define RANDOM_KEY_MAX	200

/* The lower-case hex of n digest bytes, in a static buffer. */
static const char *
hex(const unsigned char *d, size_t n)
{
	static char out[2 * SHA256_LEN + 1];
	static const char dig[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n && i < SHA256_LEN; i++) {
		out[2 * i] = dig[d[i] >> 4];
		out[2 * i + 1] = dig[d[i] & 15];
	}
	out[2 * i] = '\0';
	return out;
}

static void
test_fips(void)
{
	static const struct {
		const char *name, *msg, *digest;
	} v[] = {
		{ "empty", "",
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "abc",
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "448 bits",
		  "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "896 bits",
		  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	unsigned char d[SHA256_LEN], chunk[1000];
	struct sha256_ctx c;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256(v[i].msg, strlen(v[i].msg), d);
		T_STREQ(hex(d, sizeof(d)), v[i].digest, "sha256: FIPS %s", v[i].name);
	}
	/* One million 'a', fed in pieces that straddle block boundaries. */
	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, chunk, sizeof(chunk));
	sha256_final(&c, d);
	T_STREQ(hex(d, sizeof(d)),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "sha256: FIPS one million 'a'");
	/* A one-bit change must change the digest. */
	sha256("abd", 3, d);
	T_OK(strcmp(hex(d, sizeof(d)),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0,
	    "sha256: \"abd\" differs from \"abc\"");
}

static void
test_wipe(void)
{
	static const unsigned char zero[sizeof(struct sha256_ctx)];
	unsigned char d[SHA256_LEN];
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, "secret", 6);
	T_OK(memcmp(&c, zero, sizeof(c)) != 0, "sha256: context holds state");
	sha256_final(&c, d);
	T_OK(memcmp(&c, zero, sizeof(c)) == 0, "sha256: final wipes the context");
}

static void
fill(unsigned char *p, size_t n, unsigned char v)
{
	memset(p, v, n);
}

static void
test_rfc4231(void)
{
	static const char *msg6 =
	    "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char *msg7 =
	    "This is a test using a larger than block-size key and a larger "
	    "than block-size data. The key needs to be hashed before being "
	    "used by the HMAC algorithm.";
	unsigned char key[131], data[50], d[SHA256_LEN];
	size_t i;

	fill(key, 20, 0x0b);
	hmac_sha256(key, 20, "Hi There", 8, d);
	T_STREQ(hex(d, sizeof(d)),
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "hmac: RFC 4231 case 1");

	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	T_STREQ(hex(d, sizeof(d)),
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "hmac: RFC 4231 case 2 (key shorter than the output)");

	fill(key, 20, 0xaa);
	fill(data, 50, 0xdd);
	hmac_sha256(key, 20, data, 50, d);
	T_STREQ(hex(d, sizeof(d)),
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "hmac: RFC 4231 case 3");

	for (i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	fill(data, 50, 0xcd);
	hmac_sha256(key, 25, data, 50, d);
	T_STREQ(hex(d, sizeof(d)),
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "hmac: RFC 4231 case 4");

	fill(key, 20, 0x0c);
	hmac_sha256(key, 20, "Test With Truncation", 20, d);
	T_STREQ(hex(d, 16), "a3b6167473100ee06e0c796c2955552b",
	    "hmac: RFC 4231 case 5 (truncated to 128 bits)");

	fill(key, 131, 0xaa);
	hmac_sha256(key, 131, msg6, strlen(msg6), d);
	T_STREQ(hex(d, sizeof(d)),
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "hmac: RFC 4231 case 6 (key longer than a block)");

	hmac_sha256(key, 131, msg7, strlen(msg7), d);
	T_STREQ(hex(d, sizeof(d)),
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	    "hmac: RFC 4231 case 7 (key and data longer than a block)");

	/* The same message under a key one byte shorter must differ. */
	hmac_sha256(key, 130, msg7, strlen(msg7), d);
	T_OK(strcmp(hex(d, sizeof(d)),
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2") != 0,
	    "hmac: a different key gives a different MAC");
}

/* xorshift64*: reproducible from the seed printed on failure. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void
test_openssl(void)
{
	static unsigned char msg[RANDOM_MSG_MAX], key[RANDOM_KEY_MAX];
	unsigned char mine[SHA256_LEN], ref[SHA256_LEN];
	unsigned int reflen;
	struct sha256_ctx c;
	uint64_t seed, s;
	size_t i, j, n, kn, off, step;
	int bad_hash = 0, bad_split = 0, bad_hmac = 0, bad_ref = 0;

	seed = (uint64_t)time(NULL) * 2654435761u | 1;
	s = seed;
	for (i = 0; i < RANDOM_ROUNDS; i++) {
		n = rnd(&s) % (RANDOM_MSG_MAX + 1);
		kn = rnd(&s) % (RANDOM_KEY_MAX + 1);
		for (j = 0; j < n; j++)
			msg[j] = (unsigned char)rnd(&s);
		for (j = 0; j < kn; j++)
			key[j] = (unsigned char)rnd(&s);

		if (EVP_Digest(msg, n, ref, &reflen, EVP_sha256(), NULL) != 1 ||
		    reflen != SHA256_LEN) {
			bad_ref++;
			continue;
		}
		sha256(msg, n, mine);
		bad_hash += memcmp(mine, ref, SHA256_LEN) != 0;

		sha256_init(&c);
		for (off = 0; off < n; off += step) {
			step = rnd(&s) % 150;
			if (step > n - off)
				step = n - off;
			sha256_update(&c, msg + off, step);
		}
		sha256_final(&c, mine);
		bad_split += memcmp(mine, ref, SHA256_LEN) != 0;

		if (HMAC(EVP_sha256(), key, (int)kn, msg, n, ref, &reflen) == NULL ||
		    reflen != SHA256_LEN) {
			bad_ref++;
			continue;
		}
		hmac_sha256(key, kn, msg, n, mine);
		bad_hmac += memcmp(mine, ref, SHA256_LEN) != 0;
	}
	T_EQ(bad_ref, 0, "openssl: reference computed for every input");
	T_EQ(bad_hash, 0, "openssl: sha256 agrees on %d random inputs (seed %llu)",
	    RANDOM_ROUNDS, (unsigned long long)seed);
	T_EQ(bad_split, 0, "openssl: sha256 in random pieces agrees (seed %llu)",
	    (unsigned long long)seed);
	T_EQ(bad_hmac, 0, "openssl: hmac_sha256 agrees with HMAC() (seed %llu)",
	    (unsigned long long)seed);
}

int
main(void)
{
	test_fips();
	test_wipe();
	test_rfc4231();
	test_openssl();
	return t_done();
}
