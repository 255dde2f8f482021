#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

/* Where the text goes: snprintf's truncation, and the length it reports. */
struct out {
	char *dst;
	size_t size;
	size_t n;
};

static void
put(struct out *o, const char *p, size_t len)
{
	size_t room;

	if (o->size > 0 && o->n < o->size - 1) {
		room = o->size - 1 - o->n;
		memcpy(o->dst + o->n, p, len < room ? len : room);
	}
	o->n += len;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 1 when every conversion in f is one fmt_vsnprintf makes itself. */
static int
simple(const char *f)
{
	for (; *f != '\0'; f++) {
		if (*f != '%')
			continue;
		f++;
		if (*f == '%' || *f == 's' || *f == 'c')
			continue;
		if (f[0] == '.' && f[1] == '*' && f[2] == 's') {
			f += 2;
			continue;
		}
		if (*f == '0') {		/* a width of 1 or 2 digits */
			if (!is_digit(*++f) || *f == '0')
				return 0;
			if (is_digit(f[1]))
				f++;
			f++;
		}
		if (*f == 'l')
			f += f[1] == 'l' ? 2 : 1;
		else if (*f == 'z')
			f++;
		if (*f != 'd' && *f != 'i' && *f != 'u' && *f != 'x')
			return 0;
	}
	return 1;
}

/* v in base 10 or 16, zero-padded to width with the sign first. */
static void
number(struct out *o, unsigned long long v, int neg, unsigned base,
    int width)
{
	char d[24];
	int n = 0;

	do {
		d[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v > 0);
	if (neg)
		put(o, "-", 1);
	for (width -= n + neg; width > 0; width--)
		put(o, "0", 1);
	while (n > 0)
		put(o, &d[--n], 1);
}

int
fmt_vsnprintf(char *dst, size_t size, const char *fmt, va_list ap)
{
	struct out o = { dst, size, 0 };
	const char *f = fmt, *lit, *s;
	unsigned long long u;
	long long v;
	int width, prec, len;
	char c;

	if (!simple(fmt))
		return vsnprintf(dst, size, fmt, ap);
	while (*f != '\0') {
		for (lit = f; *f != '\0' && *f != '%'; f++)
			;
		put(&o, lit, (size_t)(f - lit));
		if (*f++ == '\0')
			break;
		width = 0;
		len = 0;
		if (*f == '%') {
			put(&o, "%", 1);
		} else if (*f == 'c') {
			c = (char)va_arg(ap, int);
			put(&o, &c, 1);
		} else if (*f == 's' || *f == '.') {
			prec = -1;
			if (*f == '.') {
				prec = va_arg(ap, int);
				f += 2;
			}
			/* glibc's way with NULL, so the result stays snprintf's. */
			if ((s = va_arg(ap, const char *)) == NULL)
				s = prec < 0 || prec >= 6 ? "(null)" : "";
			put(&o, s, prec < 0 ? strlen(s) :
			    strnlen(s, (size_t)prec));
		} else {
			if (*f == '0')
				for (f++; is_digit(*f); f++)
					width = width * 10 + (*f - '0');
			for (; *f == 'l' || *f == 'z'; f++)
				len = *f == 'z' ? 3 : len + 1;
			if (*f == 'd' || *f == 'i') {
				v = len == 0 ? va_arg(ap, int) :
				    len == 1 ? va_arg(ap, long) :
				    len == 2 ? va_arg(ap, long long) :
				    va_arg(ap, ssize_t);
				u = v < 0 ? 0 - (unsigned long long)v :
				    (unsigned long long)v;
				number(&o, u, v < 0, 10, width);
			} else {
				u = len == 0 ? va_arg(ap, unsigned) :
				    len == 1 ? va_arg(ap, unsigned long) :
				    len == 2 ? va_arg(ap, unsigned long long) :
				    va_arg(ap, size_t);
				number(&o, u, 0, *f == 'x' ? 16 : 10, width);
			}
		}
		f++;
	}
	if (size > 0)
		dst[o.n < size ? o.n : size - 1] = '\0';
	return o.n > INT_MAX ? -1 : (int)o.n;
}

int
fmt_snprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	return n;
}
