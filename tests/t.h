/*
 * t.h: the unit-test harness. Every check prints "ok - ..." or
 * "not ok - ..."; tests/run.sh counts them. t_done() is the exit status.
 */
#ifndef AFP_T_H
#define AFP_T_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

static void __attribute__((format(printf, 4, 5)))
t_report(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf("  (%s:%d)", file, line);
	printf("\n");
	fflush(stdout);
	if (ok)
		t_passed++;
	else
		t_failed++;
}

#define T_OK(cond, ...) t_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define T_EQ(a, b, ...) t_report((a) == (b), __FILE__, __LINE__, __VA_ARGS__)
#define T_STREQ(a, b, ...) do {						\
	const char *t_a_ = (a), *t_b_ = (b);				\
	int t_ok_ = t_a_ != NULL && t_b_ != NULL && strcmp(t_a_, t_b_) == 0; \
	t_report(t_ok_, __FILE__, __LINE__, __VA_ARGS__);		\
	if (!t_ok_)							\
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n",		\
		    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");	\
} while (0)

static int
t_done(void)
{
	return t_failed ? 1 : 0;
}

#endif
