#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "fmt.h"

static const char *log_ident = "afp";
static enum log_dest log_to = LOG_DEST_STDERR;
static int log_verbose;

void
log_open(const char *ident, enum log_dest dest, int verbose)
{
	log_ident = ident;
	log_to = dest;
	log_verbose = verbose;
	/* Connected at the first line (the sandbox allows AF_UNIX sockets). */
	if (dest == LOG_DEST_SYSLOG)
		openlog(ident, LOG_PID, LOG_AUTHPRIV);
}

/* All of it, or as much as the descriptor takes. */
static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/*
 * To stderr in one write() of our own: stdio's unbuffered stderr formats
 * through an 8 KiB stack buffer, a page more for every CGI request.
 */
static void __attribute__((format(printf, 3, 0)))
log_v(int prio, const char *tag, const char *fmt, va_list ap)
{
	char line[1024];
	const size_t cap = sizeof(line) - 1;	/* the newline needs one */
	size_t h = 0, n;
	int m;

	if ((prio == LOG_DEBUG && log_verbose < 1) ||
	    (prio != LOG_ERR && log_verbose < 0))
		return;
	if (log_to == LOG_DEST_STDERR &&
	    (m = fmt_snprintf(line, cap, "%s: %s", log_ident, tag)) > 0)
		h = (size_t)m < cap - 1 ? (size_t)m : cap - 1;
	/* Truncation is acceptable in a log line; it must stay one line. */
	if ((m = fmt_vsnprintf(line + h, cap - h, fmt, ap)) < 0)
		return;
	n = h + ((size_t)m < cap - h - 1 ? (size_t)m : cap - h - 1);
	for (char *p = line + h; p < line + n; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (log_to == LOG_DEST_SYSLOG) {
		syslog(prio, "%s", line);
		return;
	}
	line[n++] = '\n';
	write_all(STDERR_FILENO, line, n);
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
