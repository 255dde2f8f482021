/* now.h: the monotonic clock in milliseconds, for the bench tools. */
#ifndef AFP_BENCH_NOW_H
#define AFP_BENCH_NOW_H

#include <time.h>

static inline double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#endif
