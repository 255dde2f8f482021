/*
 * sigv4: AWS Signature Version 4 (HMAC-SHA256), header and presigned query
 * forms. Every derived key is wiped before return.
 */
#ifndef AFP_SIGV4_H
#define AFP_SIGV4_H

#include <stddef.h>
#include <time.h>
#include "buf.h"
#include "creds.h"

struct sigv4_header {
	const char *name;
	const char *value;
};

struct sigv4_request {
	const char *method;
	const char *path;		/* raw, not yet percent-encoded */
	/*
	 * Query after '?', or NULL. Escapes are decoded, then every byte is
	 * encoded once, so raw UTF-8 and its %XX form sign the same.
	 */
	const char *query;
	/*
	 * Exactly one Host; no Authorization, X-Amz-Date or
	 * X-Amz-Security-Token (the signer adds those). User-Agent and other
	 * hop-by-hop headers are not signed.
	 */
	const struct sigv4_header *headers;
	size_t nheaders;
	const void *body;
	size_t body_len;
};

enum sigv4_form { SIGV4_HEADER, SIGV4_QUERY };

struct sigv4_opts {
	const char *region;
	const char *service;
	time_t when;
	enum sigv4_form form;
	int normalize;		/* drop ".", ".." and empty path segments */
	/*
	 * Header form: add and sign x-amz-content-sha256. The payload hash in
	 * the canonical request is the body's either way.
	 */
	int sign_body;
	int omit_token;		/* add X-Amz-Security-Token after signing */
	unsigned expires;	/* X-Amz-Expires of the query form, 1..604800 */
};

struct sigv4_out {
	struct buf canonical;		/* canonical request */
	struct buf string_to_sign;
	char signature[65];		/* lower-case hex */
	/*
	 * Header form: the headers to add to the request, "Name:value\n" each,
	 * in the order AWS's test suite shows them.
	 */
	struct buf headers;
	/*
	 * Query form: the query string to send, the request's own parameters
	 * followed by the X-Amz-* ones and X-Amz-Signature last.
	 */
	struct buf query;
};

void sigv4_out_init(struct sigv4_out *o);
void sigv4_out_free(struct sigv4_out *o);
/*
 * Sign req with creds; the result goes to out (initialized by the caller),
 * which is left empty on failure. AFP_ERR_INVAL for malformed input,
 * AFP_ERR_TOOBIG past the size caps.
 */
afp_err sigv4_sign(const struct sigv4_request *req, const struct sigv4_opts *opts,
    const struct afp_creds *creds, struct sigv4_out *out) AFP_WUR;
/* SHA-256 of p as lower-case hex into hex[65]. */
afp_err sigv4_sha256_hex(const void *p, size_t n, char hex[65]) AFP_WUR;

#endif
