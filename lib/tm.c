#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tm.h"

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

afp_err
tm_parse_iso8601(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;
	const char *p;
	time_t t;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
	    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return AFP_ERR_PARSE;
	p = s + 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return AFP_ERR_PARSE;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return AFP_ERR_PARSE;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return AFP_ERR_PARSE;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != d)
		return AFP_ERR_PARSE;
	*out = t;
	return AFP_OK;
}

afp_err
tm_format_iso8601(time_t t, char out[TM_ISO8601_LEN])
{
	struct tm tm;

	/* Not strftime: glibc's reads /etc/localtime first, for nothing here. */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900 ||
	    snprintf(out, TM_ISO8601_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec) != TM_ISO8601_LEN - 1)
		return AFP_ERR_INVAL;
	return AFP_OK;
}
