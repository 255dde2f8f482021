/*
 * buf: a growable byte buffer with a hard cap. Contents are always
 * NUL-terminated and are wiped when reset or freed, so a buf may hold secrets.
 */
#ifndef AFP_BUF_H
#define AFP_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "err.h"

struct buf {
	char *p;	/* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;	/* appends beyond this fail with AFP_ERR_TOOBIG */
};

#define BUF_MAX_DEFAULT (1024 * 1024)

/* Empty buffer that may grow to max bytes (0 means BUF_MAX_DEFAULT). */
void buf_init(struct buf *b, size_t max);
/* Append n bytes; the buffer is unchanged on failure. */
afp_err buf_add(struct buf *b, const void *p, size_t n) AFP_WUR;
afp_err buf_addstr(struct buf *b, const char *s) AFP_WUR;
afp_err buf_addc(struct buf *b, char c) AFP_WUR;
afp_err buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3))) AFP_WUR;
afp_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0))) AFP_WUR;
/*
 * Append everything fd holds until its end, read straight into the buffer
 * (no copy on the stack); hint is the size expected (st_size). The
 * buffer keeps what was read when AFP_ERR_IO (errno set) or
 * AFP_ERR_TOOBIG (more than max) comes back.
 */
afp_err buf_read_fd(struct buf *b, int fd, size_t hint) AFP_WUR;
/*
 * Write all n bytes of p to fd, again after EINTR and short writes;
 * otherwise AFP_ERR_IO (errno says why when write(2) failed). Not
 * AFP_WUR: a log line that cannot be written is dropped.
 */
afp_err buf_write_fd(int fd, const char *p, size_t n);
/* The contents as a C string; "" when empty. */
const char *buf_str(const struct buf *b);
/* Hand the contents to the caller (who frees them); the buffer is left empty. */
char *buf_steal(struct buf *b) AFP_WUR;
/* Wipe the contents, keep the allocation. */
void buf_reset(struct buf *b);
/* Wipe and free; b may be reused after buf_init(). */
void buf_free(struct buf *b);

/* Wipe and free a NUL-terminated secret; NULL is fine. */
void str_wipe_free(char *s);

#endif
