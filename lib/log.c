#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <paths.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "fmt.h"

/* Where syslogd listens; the unit test points it elsewhere. */
#ifndef LOG_SYSLOG_PATH
#define LOG_SYSLOG_PATH	_PATH_LOG
#endif

static const char *log_ident = "afp";
static enum log_dest log_to = LOG_DEST_STDERR;
static int log_verbose;
static int log_pid;
static int log_fd = -1;		/* the syslog socket, once connected */
static int log_stream;		/* a stream socket: each line ends in NUL */
static int log_fixed;		/* log_prepare ran: write(2) only */

void
log_open(const char *ident, enum log_dest dest, int verbose)
{
	log_ident = ident;
	log_to = dest;
	log_verbose = verbose;
}

/*
 * /dev/log is a datagram socket (journald, rsyslog, busybox syslogd) or,
 * with some syslog-ng setups, a stream one. No socket: lines are dropped,
 * as syslog(3) drops them.
 */
static void
syslog_connect(void)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un sa;
	size_t i;
	int fd;

	/* Here, not in log_open: the CGI opens its log twice. */
	log_pid = (int)getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, LOG_SYSLOG_PATH, sizeof(LOG_SYSLOG_PATH));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if ((fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0)) == -1)
			return;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			log_fd = fd;
			log_stream = types[i] == SOCK_STREAM;
			return;
		}
		close(fd);
		if (errno != EPROTOTYPE)
			return;
	}
}

void
log_prepare(void)
{
	if (log_to == LOG_DEST_SYSLOG && log_fd == -1)
		syslog_connect();
	log_fixed = 1;
}

/*
 * line has room for one byte more than n: a stream socket gets a NUL
 * after each line. A syslogd that restarted closed our socket: connect
 * again once, unless log_prepare promised that logging makes no other call
 * than write(2).
 */
static void
syslog_send(char *line, size_t n)
{
	line[n] = '\0';
	if (log_fd == -1 || buf_write_fd(log_fd, line, n + log_stream) == AFP_OK ||
	    log_fixed)
		return;
	close(log_fd);
	log_fd = -1;
	syslog_connect();
	if (log_fd != -1)
		(void)buf_write_fd(log_fd, line, n + log_stream);
}

/*
 * One write() of our own per line. To syslog, "<PRI>ident[pid]: text"
 * without a timestamp: the receiver stamps lines that carry none, and
 * local time would cost a read of /etc/localtime per request.
 */
static void __attribute__((format(printf, 3, 0)))
log_v(int prio, const char *tag, const char *fmt, va_list ap)
{
	char line[1024];
	const size_t cap = sizeof(line) - 1;	/* newline or NUL needs one */
	size_t h = 0, n;
	int m;

	if ((prio == LOG_DEBUG && log_verbose < 1) ||
	    (prio != LOG_ERR && log_verbose < 0))
		return;
	/* Connected first: that also learns the pid the header names. */
	if (log_to == LOG_DEST_SYSLOG && log_fd == -1 && !log_fixed)
		syslog_connect();
	if (log_to == LOG_DEST_SYSLOG)
		m = fmt_snprintf(line, cap, "<%d>%s[%d]: ", LOG_AUTHPRIV | prio,
		    log_ident, log_pid);
	else
		m = fmt_snprintf(line, cap, "%s: %s", log_ident, tag);
	if (m > 0)
		h = (size_t)m < cap - 1 ? (size_t)m : cap - 1;
	/* Truncation is acceptable in a log line; it must stay one line. */
	if ((m = fmt_vsnprintf(line + h, cap - h, fmt, ap)) < 0)
		return;
	n = h + ((size_t)m < cap - h - 1 ? (size_t)m : cap - h - 1);
	for (char *p = line + h; p < line + n; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (log_to == LOG_DEST_SYSLOG) {
		syslog_send(line, n);
		return;
	}
	line[n++] = '\n';
	(void)buf_write_fd(STDERR_FILENO, line, n);
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
