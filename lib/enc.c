#include <string.h>

#include "enc.h"

static const char hexdig[] = "0123456789abcdef";
static const char HEXDIG[] = "0123456789ABCDEF";
static const char b64dig[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

afp_err
enc_hex(struct buf *out, const unsigned char *p, size_t n)
{
	afp_err r = AFP_OK;
	size_t i;

	for (i = 0; i < n && r == AFP_OK; i++) {
		char two[2] = { hexdig[p[i] >> 4], hexdig[p[i] & 15] };
		r = buf_add(out, two, 2);
	}
	return r;
}

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

afp_err
enc_uri(struct buf *out, const char *s, size_t n, int keep_slash)
{
	afp_err r = AFP_OK;
	size_t i;

	for (i = 0; i < n && r == AFP_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || (keep_slash && c == '/'))
			r = buf_addc(out, (char)c);
		else {
			char three[3] = { '%', HEXDIG[c >> 4], HEXDIG[c & 15] };
			r = buf_add(out, three, 3);
		}
	}
	return r;
}

int
enc_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

afp_err
enc_pct_decode(struct buf *out, const char *s, size_t n)
{
	afp_err r = AFP_OK;
	size_t i;

	for (i = 0; i < n && r == AFP_OK; i++) {
		int hi, lo;

		if (s[i] == '\0')
			return AFP_ERR_INVAL;
		if (s[i] != '%') {
			r = buf_addc(out, s[i]);
			continue;
		}
		if (n - i < 3 || (hi = enc_hexval(s[i + 1])) < 0 ||
		    (lo = enc_hexval(s[i + 2])) < 0 || (hi | lo) == 0)
			return AFP_ERR_INVAL;
		r = buf_addc(out, (char)(hi << 4 | lo));
		i += 2;
	}
	return r;
}

afp_err
enc_b64(struct buf *out, const unsigned char *p, size_t n)
{
	afp_err r = AFP_OK;
	size_t i;

	for (i = 0; i < n && r == AFP_OK; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		char four[4];

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		four[0] = b64dig[v >> 18 & 63];
		four[1] = b64dig[v >> 12 & 63];
		four[2] = i + 1 < n ? b64dig[v >> 6 & 63] : '=';
		four[3] = i + 2 < n ? b64dig[v & 63] : '=';
		r = buf_add(out, four, 4);
	}
	return r;
}

static int
b64val(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64dig, c)) == NULL)
		return -1;
	return (int)(p - b64dig);
}

afp_err
enc_b64_decode(struct buf *out, const char *s, size_t n)
{
	afp_err r = AFP_OK;
	size_t i;

	if (n % 4 != 0)
		return AFP_ERR_INVAL;
	for (i = 0; i < n && r == AFP_OK; i += 4) {
		int last = i + 4 == n;
		int pad = (s[i + 3] == '=') + (s[i + 2] == '=');
		int a = b64val(s[i]), b = b64val(s[i + 1]);
		int c = pad >= 2 ? 0 : b64val(s[i + 2]);
		int d = pad >= 1 ? 0 : b64val(s[i + 3]);
		unsigned v;
		char three[3];

		if (a < 0 || b < 0 || c < 0 || d < 0 || (pad && !last) ||
		    (pad == 1 && s[i + 2] == '='))
			return AFP_ERR_INVAL;
		v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 |
		    (unsigned)d;
		three[0] = (char)(v >> 16);
		three[1] = (char)(v >> 8);
		three[2] = (char)v;
		r = buf_add(out, three, (size_t)(3 - pad));
	}
	return r;
}
