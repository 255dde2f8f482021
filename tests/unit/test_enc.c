/* Unit tests for buf, enc and tm. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "buf.h"
#include "enc.h"
#include "tm.h"

/* buf_read_fd over a pipe holding len bytes of 'x', hint and max given. */
static afp_err
read_pipe(size_t len, size_t hint, size_t max, struct buf *b)
{
	char chunk[256];
	int fd[2];
	size_t i;
	afp_err r;

	memset(chunk, 'x', sizeof(chunk));
	if (len > 60000 || pipe(fd) == -1)
		return AFP_ERR_INTERNAL;
	for (i = 0; i < len; i += sizeof(chunk))
		if (write(fd[1], chunk, len - i < sizeof(chunk) ? len - i :
		    sizeof(chunk)) < 0)
			return AFP_ERR_INTERNAL;
	close(fd[1]);
	buf_init(b, max);
	r = buf_read_fd(b, fd[0], hint);
	close(fd[0]);
	return r;
}

static void
test_read_fd(void)
{
	struct buf b;

	T_OK(read_pipe(100, 100, 1000, &b) == AFP_OK && b.len == 100 &&
	    strspn(buf_str(&b), "x") == 100, "read_fd: as hinted");
	buf_free(&b);
	T_OK(read_pipe(5000, 10, 10000, &b) == AFP_OK && b.len == 5000,
	    "read_fd: more than hinted");
	buf_free(&b);
	T_OK(read_pipe(10, 5000, 10000, &b) == AFP_OK && b.len == 10,
	    "read_fd: less than hinted");
	buf_free(&b);
	T_OK(read_pipe(0, 0, 10, &b) == AFP_OK && b.len == 0 &&
	    strcmp(buf_str(&b), "") == 0, "read_fd: nothing");
	buf_free(&b);
	T_OK(read_pipe(1000, 1000, 1000, &b) == AFP_OK && b.len == 1000,
	    "read_fd: exactly max");
	buf_free(&b);
	T_EQ(read_pipe(1001, 1000, 1000, &b), AFP_ERR_TOOBIG,
	    "read_fd: one byte past max");
	buf_free(&b);
	T_EQ(read_pipe(3000, 10, 1000, &b), AFP_ERR_TOOBIG,
	    "read_fd: past max with a small hint");
	T_OK(b.len <= 1000, "read_fd: never past max in memory (%zu)", b.len);
	buf_free(&b);
	buf_init(&b, 100);
	T_EQ(buf_read_fd(&b, -1, 10), AFP_ERR_IO, "read_fd: a bad descriptor");
	buf_free(&b);
}

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

/* tm_utc against glibc's gmtime_r, which reads the time zone file. */
static void
test_tm_utc(void)
{
	static const time_t edge[] = {
		0, -1, 86399, 86400, 951782399, 951782400, 951868800,
		1456790399, 4107542400, 253402300799, -62167219200,
	};
	struct tm a, b;
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	size_t i, bad = 0, n = 0;
	time_t t;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]) + 200000; i++) {
		if (i < sizeof(edge) / sizeof(edge[0])) {
			t = edge[i];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			t = (time_t)(x % 315537897600ULL) - 62167219200LL;
		}
		n++;
		if (gmtime_r(&t, &b) == NULL || tm_utc(t, &a) != AFP_OK ||
		    a.tm_year != b.tm_year || a.tm_mon != b.tm_mon ||
		    a.tm_mday != b.tm_mday || a.tm_hour != b.tm_hour ||
		    a.tm_min != b.tm_min || a.tm_sec != b.tm_sec)
			bad++;
	}
	T_OK(bad == 0, "tm: tm_utc agrees with gmtime_r on %zu times from the "
	    "year 0 to 9999 (%zu differ)", n, bad);
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
	T_OK(tm_parse_iso8601("2016-02-29T23:59:59Z", &t) == AFP_OK &&
	    t == 1456790399, "tm: parse a leap day");
	T_EQ(tm_parse_iso8601("2100-02-29T00:00:00Z", &t), AFP_ERR_PARSE,
	    "tm: reject Feb 29 of a century that is no leap year");
	T_OK(tm_parse_iso8601("2000-02-29T00:00:00Z", &t) == AFP_OK &&
	    t == 951782400, "tm: parse Feb 29 of 2000");
	T_EQ(tm_parse_iso8601("2015-04-31T00:00:00Z", &t), AFP_ERR_PARSE,
	    "tm: reject Apr 31");
	T_EQ(tm_parse_iso8601("1969-12-31T23:59:59Z", &t), AFP_ERR_PARSE,
	    "tm: reject before 1970");
	T_OK(tm_format_iso8601(253402300799, s) == AFP_OK &&
	    strcmp(s, "9999-12-31T23:59:59Z") == 0, "tm: format the last second of 9999");
	T_EQ(tm_format_iso8601(253402300800, s), AFP_ERR_INVAL,
	    "tm: refuse the year 10000");
	test_tm_utc();
	t = time(NULL);
	T_OK(tm_now_syscall() - t <= 2 && tm_now_syscall() >= t,
	    "tm: tm_now_syscall reads the same clock as time()");
	T_STREQ(afp_strerror(AFP_ERR_MAX), "unknown error", "err: out of range");
	T_STREQ(afp_strerror(AFP_OK), "success", "err: table");
}

int
main(void)
{
	test_buf();
	test_read_fd();
	test_uri();
	test_b64();
	test_tm();
	return t_done();
}
