/* tm: the UTC timestamps AWS and the cache use. */
#ifndef AFP_TM_H
#define AFP_TM_H

#include <time.h>
#include "err.h"

#define TM_ISO8601_LEN 21	/* "2015-08-30T12:36:00Z" plus NUL */

/*
 * Parse "YYYY-MM-DDTHH:MM:SS[.fff]Z" (also "+00:00" for Z), as STS and the
 * cache write it; fractions are dropped. Anything else is AFP_ERR_PARSE.
 */
afp_err tm_parse_iso8601(const char *s, time_t *out) AFP_WUR;
/*
 * t as a UTC date and time of day (gmtime_r without the time zone file it
 * reads; the other fields are 0). AFP_ERR_INVAL outside the years 0-9999.
 */
afp_err tm_utc(time_t t, struct tm *out) AFP_WUR;
/*
 * The wall clock by a system call, (time_t)-1 when there is none. A
 * process that reads the clock once is faster without the vDSO: its first
 * read faults in a data page, which costs more than the call.
 */
time_t tm_now_syscall(void);
/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into out[TM_ISO8601_LEN]. */
afp_err tm_format_iso8601(time_t t, char out[TM_ISO8601_LEN]) AFP_WUR;

#endif
