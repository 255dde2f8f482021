/* auth_basic_decode, and the strict base64 decoder under it. */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "enc.h"
#include "util.h"

/* Encode user:password again: it must decode to the same pair. */
static void
check_roundtrip(const struct buf *user, const struct buf *pw)
{
	struct buf raw, hdr, u2, p2;

	buf_init(&raw, 0);
	buf_init(&hdr, 0);
	buf_init(&u2, 0);
	buf_init(&p2, 0);
	FUZZ_CHECK(buf_add(&raw, user->p, user->len) == AFP_OK &&
	    buf_addc(&raw, ':') == AFP_OK &&
	    buf_add(&raw, buf_str(pw), pw->len) == AFP_OK);
	FUZZ_CHECK(buf_addstr(&hdr, "basic ") == AFP_OK &&
	    enc_b64(&hdr, (const unsigned char *)raw.p, raw.len) == AFP_OK);
	if (hdr.len <= AUTH_HEADER_MAX) {
		FUZZ_CHECK(auth_basic_decode(buf_str(&hdr), &u2, &p2) ==
		    AFP_OK);
		FUZZ_CHECK(u2.len == user->len && p2.len == pw->len &&
		    memcmp(u2.p, user->p, u2.len) == 0 &&
		    memcmp(buf_str(&p2), buf_str(pw), p2.len) == 0);
	}
	buf_free(&raw);
	buf_free(&hdr);
	buf_free(&u2);
	buf_free(&p2);
}

static void
check_b64(const char *s, size_t n)
{
	struct buf dec, enc, again;

	buf_init(&dec, 0);
	buf_init(&enc, 0);
	buf_init(&again, 0);
	if (enc_b64_decode(&dec, s, n) == AFP_OK) {
		FUZZ_CHECK(n % 4 == 0 && dec.len <= n / 4 * 3);
		FUZZ_CHECK(enc_b64(&enc, (const unsigned char *)buf_str(&dec),
		    dec.len) == AFP_OK && enc.len == n);
		FUZZ_CHECK(enc_b64_decode(&again, enc.p, enc.len) == AFP_OK &&
		    again.len == dec.len &&
		    memcmp(buf_str(&again), buf_str(&dec), dec.len) == 0);
	} else
		FUZZ_CHECK(n % 4 != 0 || n > 0);
	buf_free(&dec);
	buf_free(&enc);
	buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf user, pw;
	char *hdr;
	afp_err r;

	hdr = fuzz_strndup(data, size);
	check_b64(hdr, strlen(hdr));
	buf_init(&user, 0);
	buf_init(&pw, 0);
	r = auth_basic_decode(hdr, &user, &pw);
	if (r == AFP_OK) {
		FUZZ_CHECK(user.len > 0 && strlen(user.p) == user.len);
		FUZZ_CHECK(memchr(user.p, ':', user.len) == NULL);
		FUZZ_CHECK(fuzz_no_ctl(user.p));
		FUZZ_CHECK(strlen(buf_str(&pw)) == pw.len);
		FUZZ_CHECK(strlen(hdr) <= AUTH_HEADER_MAX);
		check_roundtrip(&user, &pw);
	} else {
		FUZZ_CHECK(r == AFP_ERR_AUTH || r == AFP_ERR_INVAL ||
		    r == AFP_ERR_TOOBIG);
		FUZZ_CHECK(user.len == 0 && pw.len == 0);
	}
	buf_free(&user);
	buf_free(&pw);
	free(hdr);
	return 0;
}
