/* enc: hex, percent-encoding and base64, appended to a buf. */
#ifndef AFP_ENC_H
#define AFP_ENC_H

#include <stddef.h>
#include "buf.h"

/* The value of hex digit c, or -1. */
int enc_hexval(int c);
/* Lower-case hex of n bytes. */
afp_err enc_hex(struct buf *out, const unsigned char *p, size_t n) AFP_WUR;
/*
 * RFC 3986 percent-encoding: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX
 * (upper-case hex); '/' is kept when keep_slash is set.
 */
afp_err enc_uri(struct buf *out, const char *s, size_t n, int keep_slash) AFP_WUR;
/*
 * Strict percent-decoding: "%XX" must have two hex digits; '+' stays '+'.
 * A decoded NUL byte is AFP_ERR_INVAL.
 */
afp_err enc_pct_decode(struct buf *out, const char *s, size_t n) AFP_WUR;
/* Standard base64 with padding. */
afp_err enc_b64(struct buf *out, const unsigned char *p, size_t n) AFP_WUR;
/* Strict standard base64 decoding: padding required, no whitespace. */
afp_err enc_b64_decode(struct buf *out, const char *s, size_t n) AFP_WUR;

#endif
