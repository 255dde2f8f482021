#include <sys/syscall.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tm.h"
#include "fmt.h"

/*
 * Calendar arithmetic of our own: glibc's gmtime_r and timegm read the
 * local time zone file first (/etc/localtime), for nothing in UTC. The
 * proleptic Gregorian calendar, counted in 400-year eras of 146097 days
 * from 0000-03-01 (March first, so the leap day ends a year).
 */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int
days_in_month(int y, int m)
{
	static const unsigned char n[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return n[m - 1];
}

afp_err
tm_utc(time_t t, struct tm *out)
{
	long long days, secs, era, doe, yoe, y, doy, mp;

	days = (long long)t / 86400;
	secs = (long long)t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	memset(out, 0, sizeof(*out));
	out->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	y += out->tm_mon <= 1;
	if (y < 0 || y > 9999)
		return AFP_ERR_INVAL;
	out->tm_year = (int)y - 1900;
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_sec = (int)(secs % 60);
	return AFP_OK;
}

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
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		return AFP_ERR_PARSE;
	t = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec);
	*out = t;
	return AFP_OK;
}

time_t
tm_now_syscall(void)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) != 0)
		return (time_t)-1;
	return ts.tv_sec;
}

afp_err
tm_format_iso8601(time_t t, char out[TM_ISO8601_LEN])
{
	struct tm tm;

	if (tm_utc(t, &tm) != AFP_OK ||
	    fmt_snprintf(out, TM_ISO8601_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec) != TM_ISO8601_LEN - 1)
		return AFP_ERR_INVAL;
	return AFP_OK;
}
