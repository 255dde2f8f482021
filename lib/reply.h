/*
 * reply: a whole CGI response (RFC 3875 §6) built in one wiping buf and
 * written with one loop. Every answer carries Cache-Control: no-store and
 * X-Content-Type-Options: nosniff (DESIGN.md §4).
 */
#ifndef AFP_REPLY_H
#define AFP_REPLY_H

#include <stddef.h>
#include "buf.h"

#define REPLY_JSON	"application/json"
#define REPLY_TEXT	"text/plain; charset=utf-8"
#define REPLY_HTML	"text/html; charset=utf-8"

struct reply {
	int status;			/* 200, 400, ... */
	const char *content_type;	/* REPLY_JSON when NULL */
	const char *allow;		/* Allow header (405), or NULL */
	const char *location;		/* Location header (302), or NULL */
	const char *csp;		/* Content-Security-Policy, or NULL */
	unsigned token_ttl;		/* X-Aws-Ec2-Metadata-Token-Ttl-Seconds, 0: none */
	int head;			/* HEAD: headers only, same Content-Length */
};

/* The reason phrase of status; "Unknown" for one afp never sends. */
const char *reply_reason(int status);
/*
 * Append {"status":"<code>","message":"<message>"} to body: the shape of
 * every error and of the /status answer.
 */
afp_err reply_message_body(struct buf *body, int status, const char *message) AFP_WUR;
/*
 * Append the header block and, unless rp->head, the body to out. On 401 a
 * WWW-Authenticate: Basic realm="afp" header is added. AFP_ERR_INVAL for a
 * status outside 100-599 or a header value holding CR or LF.
 */
afp_err reply_format(struct buf *out, const struct reply *rp,
    const char *body, size_t len) AFP_WUR;
/*
 * Write all n bytes to fd, through EINTR, EAGAIN and short writes;
 * AFP_ERR_IO when the fd fails.
 */
afp_err reply_write(int fd, const char *p, size_t n) AFP_WUR;
/*
 * reply_format into a wiping buffer, then reply_write. AFP_ERR_IO: writing
 * failed, perhaps part way; any other error: nothing was written, so the
 * caller may still send an error answer.
 */
afp_err reply_send(int fd, const struct reply *rp, const char *body,
    size_t len) AFP_WUR;
/* reply_message_body, then reply_send as JSON; errors as reply_send. */
afp_err reply_send_message(int fd, const struct reply *rp, const char *message) AFP_WUR;

#endif
