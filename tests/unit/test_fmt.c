/*
 * fmt_snprintf against glibc's snprintf: the same text and the same
 * return value for every format it handles itself, at every buffer size
 * that truncates; formats it does not handle reach vsnprintf.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "t.h"

static size_t compared, differ;

/* dst of both at sizes 0 .. want + 2, and the return values. */
#define SAME(...) do {							\
	char a_[256], b_[256];						\
	int ra_, rb_ = snprintf(b_, sizeof(b_), __VA_ARGS__);		\
	size_t sz_;							\
	for (sz_ = 0; sz_ <= (size_t)rb_ + 2 && sz_ <= sizeof(a_); sz_++) { \
		memset(a_, 'Q', sizeof(a_));				\
		memset(b_, 'Q', sizeof(b_));				\
		ra_ = fmt_snprintf(a_, sz_, __VA_ARGS__);		\
		rb_ = snprintf(b_, sz_, __VA_ARGS__);			\
		compared++;						\
		if (ra_ != rb_ || memcmp(a_, b_, sizeof(a_)) != 0) {	\
			if (differ++ < 5)				\
				printf("# differs at size %zu: %s\n", sz_, #__VA_ARGS__); \
		}							\
	}								\
} while (0)

static void
test_fixed(void)
{
	const char *volatile null = NULL;

	SAME("plain text, no conversion");
	SAME("%s", "");
	SAME("%%");
	SAME("100%% of %s", "it");
	SAME("%s: %s", "afp.cgi", "error: ");
	SAME("user=%s addr=%s path=%s status=%d", "alice", "127.0.0.1",
	    "/account/prod/admin/credentials", 200);
	SAME("%.*s", 3, "abcdef");
	SAME("%.*s", 0, "abcdef");
	SAME("%.*s", 10, "abc");
	SAME("%.*s|", -1, "abc");
	SAME("[%s]", null);
	SAME("[%.*s]", 3, null);
	SAME("[%.*s]", 6, null);
	SAME("%c %s ", 'u', "alice");
	SAME("%c", 'x');
	SAME("%d %i %d %d", 0, -1, INT_MAX, INT_MIN);
	SAME("%u %u", 0U, UINT_MAX);
	SAME("%ld %ld %lu", LONG_MAX, LONG_MIN, ULONG_MAX);
	SAME("%lld %lld %llu", LLONG_MAX, LLONG_MIN, ULLONG_MAX);
	SAME("%zu %zd %zd", SIZE_MAX, (ssize_t)-5, (ssize_t)SSIZE_MAX);
	SAME("%x %lx %llx %zx", 0xdeadbeefU, 0xabcUL, 0x123456789abcULL,
	    (size_t)255);
	SAME("%04d-%02d-%02dT%02d:%02d:%02dZ", 2026, 11, 23, 9, 5, 0);
	SAME("%04d%02d%02dT%02d%02d%02dZ", 1, 2, 3, 4, 5, 6);
	SAME("%02d %05d %010lld %03u %04x", -1, -42, -7LL, 7U, 0xab);
	SAME("%02d", 12345);
	SAME("arn:%s:iam::", "aws-us-gov");
	SAME("%s/%s", "prod", "admin");
	SAME("line %zu: %s", (size_t)12, "expected key = value");
	/* Not fmt's own: the same answer through vsnprintf. */
	SAME("%5d|%-6s|%+d", 42, "ab", 3);
	SAME("%f %e", 1.5, 2.5);
	SAME("%p", (void *)0);
	SAME("%10s|%3c", "right", 'c');
	SAME("%hhd %hd", (signed char)-3, (short)-300);
	SAME("%0d|", 5);
}

/* Random strings and numbers through the conversions the tree uses. */
static void
test_random(void)
{
	char s[40];
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	size_t i, j, n;

	for (i = 0; i < 2000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = x % sizeof(s);
		for (j = 0; j < n; j++)
			s[j] = (char)(1 + (x >> (j % 56)) % 255);
		s[n] = '\0';
		SAME("%s=%d;%u %lld/%llx %zu [%.*s]", s, (int)x,
		    (unsigned)(x >> 7), (long long)x, x, (size_t)(x >> 3),
		    (int)(x % 12) - 2, s);
		SAME("%0*d", 3, (int)x);
		SAME("%02d:%04d %c", (int)(x % 200) - 100, (int)(x % 99999),
		    (int)(x % 127) + 1);
	}
}

int
main(void)
{
	test_fixed();
	test_random();
	T_OK(differ == 0, "fmt_snprintf and snprintf agree on %zu buffers "
	    "(%zu differ)", compared, differ);
	return t_done();
}
