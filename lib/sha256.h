/*
 * sha256: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in plain C, so
 * the CGI can check IMDS tokens without loading libcrypto (DESIGN.md §7).
 * Every context and intermediate key is wiped when done.
 */
#ifndef AFP_SHA256_H
#define AFP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* digest bytes */
#define SHA256_BLOCK	64	/* block bytes */

struct sha256_ctx {
	uint32_t h[8];
	uint64_t bytes;			/* message length so far */
	unsigned char block[SHA256_BLOCK];
	size_t fill;			/* bytes waiting in block */
};

void sha256_init(struct sha256_ctx *c);
/* Hash n more bytes; any split of a message gives the same digest. */
void sha256_update(struct sha256_ctx *c, const void *p, size_t n);
/* Write the digest and wipe the context (sha256_init to reuse it). */
void sha256_final(struct sha256_ctx *c, unsigned char out[SHA256_LEN]);
/* The digest of n bytes at p. */
void sha256(const void *p, size_t n, unsigned char out[SHA256_LEN]);
/* HMAC-SHA256 of msg under key; keys longer than a block are hashed first. */
void hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
    unsigned char out[SHA256_LEN]);

#endif
