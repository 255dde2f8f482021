/*
 * fmt: snprintf for the conversions afp's messages, paths and answers use,
 * without stdio. printf's code and tables lie on several pages of libc;
 * a CGI process that never reaches them spares itself those page faults
 * (README "Performance"). Formats fmt handles itself: %% and %s, %.*s,
 * %c, and %d %i %u %x with an optional 0-padded width and l, ll or z.
 * Anything else is passed to vsnprintf, so the result is always
 * snprintf's.
 */
#ifndef AFP_FMT_H
#define AFP_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* vsnprintf's contract: the full length, or -1; dst always terminated. */
int fmt_vsnprintf(char *dst, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
