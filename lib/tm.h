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
/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into out[TM_ISO8601_LEN]. */
afp_err tm_format_iso8601(time_t t, char out[TM_ISO8601_LEN]) AFP_WUR;

#endif
