/* Unit tests for buf, enc and tm. */
#include <stdlib.h>

#include "t.h"
#include "buf.h"
#include "enc.h"
#include "tm.h"

static void
test_buf(void)
{
	struct buf b;

	buf_init(&b, 8);
	T_OK(buf_addstr(&b, "abcd") == AFP_OK, "buf: append within cap");
	T_OK(buf_printf(&b, "%d", 1234) == AFP_OK, "buf: printf to the cap");
	T_STREQ(buf_str(&b), "abcd1234", "buf: contents");
	T_OK(buf_addc(&b, 'x') == AFP_ERR_TOOBIG, "buf: append past cap fails");
	T_STREQ(buf_str(&b), "abcd1234", "buf: unchanged after a failed append");
	buf_reset(&b);
	T_EQ(b.len, 0, "buf: reset empties");
	buf_free(&b);
	T_STREQ(buf_str(&b), "", "buf: freed buffer reads empty");
}

static void
test_uri(void)
{
	struct buf b;

	buf_init(&b, 0);
	T_OK(enc_uri(&b, "a b/c~d=é", 10, 1) == AFP_OK &&
	    strcmp(buf_str(&b), "a%20b/c~d%3D%C3%A9") == 0, "uri: keep slash");
	buf_reset(&b);
	T_OK(enc_uri(&b, "a/b", 3, 0) == AFP_OK &&
	    strcmp(buf_str(&b), "a%2Fb") == 0, "uri: encode slash");
	buf_reset(&b);
	T_OK(enc_pct_decode(&b, "a%2Fb+c", 7) == AFP_OK &&
	    strcmp(buf_str(&b), "a/b+c") == 0, "pct: decode");
	buf_reset(&b);
	T_EQ(enc_pct_decode(&b, "a%2", 3), AFP_ERR_INVAL, "pct: short escape");
	T_EQ(enc_pct_decode(&b, "%zz", 3), AFP_ERR_INVAL, "pct: bad hex");
	T_EQ(enc_pct_decode(&b, "%00", 3), AFP_ERR_INVAL, "pct: NUL refused");
	buf_free(&b);
}

static void
test_b64(void)
{
	static const struct { const char *plain, *enc; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" }, { "alice:pässword", "YWxpY2U6cMOkc3N3b3Jk" },
	};
	static const char *bad[] = { "Zg=", "Zg", "Z===", "Zg==Zg==", "Zm9v!A==",
	    "Zm 9", "=Zg=" };
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_reset(&b);
		T_OK(enc_b64(&b, (const unsigned char *)v[i].plain,
		    strlen(v[i].plain)) == AFP_OK &&
		    strcmp(buf_str(&b), v[i].enc) == 0, "b64: encode \"%s\"", v[i].plain);
		buf_reset(&b);
		T_OK(enc_b64_decode(&b, v[i].enc, strlen(v[i].enc)) == AFP_OK &&
		    strcmp(buf_str(&b), v[i].plain) == 0, "b64: decode \"%s\"", v[i].enc);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		T_EQ(enc_b64_decode(&b, bad[i], strlen(bad[i])), AFP_ERR_INVAL,
		    "b64: reject \"%s\"", bad[i]);
	}
	buf_free(&b);
}

static void
test_tm(void)
{
	char s[TM_ISO8601_LEN];
	time_t t = 0;

	T_OK(tm_parse_iso8601("2015-08-30T12:36:00Z", &t) == AFP_OK &&
	    t == 1440938160, "tm: parse");
	T_OK(tm_parse_iso8601("2015-08-30T12:36:00.123Z", &t) == AFP_OK &&
	    t == 1440938160, "tm: parse fraction");
	T_OK(tm_parse_iso8601("2015-08-30T12:36:00+00:00", &t) == AFP_OK,
	    "tm: parse +00:00");
	T_EQ(tm_parse_iso8601("2015-02-30T12:36:00Z", &t), AFP_ERR_PARSE,
	    "tm: reject Feb 30");
	T_EQ(tm_parse_iso8601("2015-08-30 12:36:00Z", &t), AFP_ERR_PARSE,
	    "tm: reject space");
	T_EQ(tm_parse_iso8601("2015-08-30T12:36:00", &t), AFP_ERR_PARSE,
	    "tm: reject no zone");
	T_EQ(tm_parse_iso8601("", &t), AFP_ERR_PARSE, "tm: reject empty");
	T_OK(tm_format_iso8601(1440938160, s) == AFP_OK &&
	    strcmp(s, "2015-08-30T12:36:00Z") == 0, "tm: format");
	T_STREQ(afp_strerror(AFP_ERR_MAX), "unknown error", "err: out of range");
	T_STREQ(afp_strerror(AFP_OK), "success", "err: table");
}

int
main(void)
{
	test_buf();
	test_uri();
	test_b64();
	test_tm();
	return t_done();
}
