#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fmt.h"

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
}

static afp_err
buf_reserve(struct buf *b, size_t n)
{
	size_t need, ncap;
	char *np;

	if (n > b->max || b->len > b->max - n)
		return AFP_ERR_TOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return AFP_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	/* Not realloc: the old block may hold a secret and must be wiped. */
	if ((np = malloc(ncap)) == NULL)
		return AFP_ERR_NOMEM;
	if (b->p != NULL) {
		memcpy(np, b->p, b->len + 1);
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = np;
	b->cap = ncap;
	return AFP_OK;
}

afp_err
buf_add(struct buf *b, const void *p, size_t n)
{
	afp_err r;

	if ((r = buf_reserve(b, n)) != AFP_OK)
		return r;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return AFP_OK;
}

afp_err
buf_read_fd(struct buf *b, int fd, size_t hint)
{
	size_t room;
	ssize_t n;
	char probe;
	afp_err r;

	/* hint + 1: the read that finds the end needs room too. */
	if ((r = buf_reserve(b, hint < b->max - b->len ? hint + 1 :
	    b->max - b->len)) != AFP_OK)
		return r;
	b->p[b->len] = '\0';	/* a new allocation, and the file may be empty */
	for (;;) {
		if (b->cap - b->len - 1 == 0 && b->len < b->max &&
		    (r = buf_reserve(b, b->max - b->len < 4096 ?
		    b->max - b->len : 4096)) != AFP_OK)
			return r;
		/* Full at max: one byte more says whether the file ends. */
		room = b->cap - b->len - 1;
		n = room > 0 ? read(fd, b->p + b->len, room) : read(fd, &probe, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return AFP_ERR_IO;
		if (n == 0)
			return AFP_OK;
		if (room == 0) {
			explicit_bzero(&probe, sizeof(probe));
			return AFP_ERR_TOOBIG;
		}
		b->len += (size_t)n;
		b->p[b->len] = '\0';
	}
}

afp_err
buf_write_fd(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return AFP_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return AFP_OK;
}

afp_err
buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

afp_err
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

afp_err
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	afp_err r;

	va_copy(ap2, ap);
	n = fmt_vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return AFP_ERR_INVAL;
	if ((r = buf_reserve(b, (size_t)n)) != AFP_OK)
		return r;
	n = fmt_vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->p[b->len] = '\0';
		return AFP_ERR_INTERNAL;
	}
	b->len += (size_t)n;
	return AFP_OK;
}

afp_err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	afp_err r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

const char *
buf_str(const struct buf *b)
{
	return b->p ? b->p : "";
}

char *
buf_steal(struct buf *b)
{
	char *p = b->p;

	if (p == NULL && (p = calloc(1, 1)) == NULL)
		return NULL;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_reset(struct buf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		b->len = 0;
	}
}

void
buf_free(struct buf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}

void
str_wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
