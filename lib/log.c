#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"

static const char *log_ident = "afp";
static enum log_dest log_to = LOG_DEST_STDERR;
static int log_verbose;

void
log_open(const char *ident, enum log_dest dest, int verbose)
{
	log_ident = ident;
	log_to = dest;
	log_verbose = verbose;
	if (dest == LOG_DEST_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

static void __attribute__((format(printf, 3, 0)))
log_v(int prio, const char *tag, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if ((prio == LOG_DEBUG && log_verbose < 1) ||
	    (prio != LOG_ERR && log_verbose < 0))
		return;
	/* Truncation is acceptable in a log line; it must stay one line. */
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r' || (unsigned char)*p < 0x20)
			*p = ' ';
	if (log_to == LOG_DEST_SYSLOG)
		syslog(prio, "%s", line);
	else
		fprintf(stderr, "%s: %s%s\n", log_ident, tag, line);
}

#define LOG_FN(name, prio, tag)				\
	void						\
	name(const char *fmt, ...)			\
	{						\
		va_list ap;				\
		va_start(ap, fmt);			\
		log_v(prio, tag, fmt, ap);		\
		va_end(ap);				\
	}

LOG_FN(log_err, LOG_ERR, "error: ")
LOG_FN(log_warn, LOG_WARNING, "warning: ")
LOG_FN(log_info, LOG_INFO, "")
LOG_FN(log_debug, LOG_DEBUG, "debug: ")
