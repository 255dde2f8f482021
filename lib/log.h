/*
 * log: one line per event to syslog (facility authpriv, over /dev/log) or
 * stderr. Callers pass identifiers (user, account/role, access key id),
 * never a secret.
 */
#ifndef AFP_LOG_H
#define AFP_LOG_H

enum log_dest { LOG_DEST_STDERR, LOG_DEST_SYSLOG };

/* verbose: -1 errors only, 0 adds warnings and info, 1 adds debug. */
void log_open(const char *ident, enum log_dest dest, int verbose);
/*
 * Connect to syslog now, if that is the destination: from then on logging
 * makes no call but write(2), and a lost connection drops lines instead of
 * reconnecting (sandbox.h).
 */
void log_prepare(void);
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
