#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "json.h"
#include "reply.h"

/* Status line, headers and a small body; /account lists may be larger. */
#define REPLY_MAX (BUF_MAX_DEFAULT + 4096)

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 200, "OK" },
	{ 302, "Found" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" },
	{ 414, "URI Too Long" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

const char *
reply_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

afp_err
reply_message_body(struct buf *body, int status, const char *message)
{
	char code[16];
	int first = 1, n;
	afp_err r;

	n = fmt_snprintf(code, sizeof(code), "%d", status);
	if (n < 0 || (size_t)n >= sizeof(code))
		return AFP_ERR_INTERNAL;
	if ((r = buf_addc(body, '{')) != AFP_OK ||
	    (r = json_kv(body, &first, "status", code)) != AFP_OK ||
	    (r = json_kv(body, &first, "message", message)) != AFP_OK)
		return r;
	return buf_addc(body, '}');
}

/* A header value must not end the header block early. */
static afp_err
header(struct buf *out, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") != NULL)
		return AFP_ERR_INVAL;
	return buf_printf(out, "%s: %s\r\n", name, value);
}

afp_err
reply_format(struct buf *out, const struct reply *rp, const char *body,
    size_t len)
{
	const char *ctype = rp->content_type ? rp->content_type : REPLY_JSON;
	afp_err r;

	if (rp->status < 100 || rp->status > 599)
		return AFP_ERR_INVAL;
	if ((r = buf_printf(out, "Status: %d %s\r\n", rp->status,
	    reply_reason(rp->status))) != AFP_OK ||
	    (r = header(out, "Content-Type", ctype)) != AFP_OK ||
	    (r = buf_printf(out, "Content-Length: %zu\r\n", len)) != AFP_OK ||
	    (r = header(out, "Cache-Control", "no-store")) != AFP_OK ||
	    (r = header(out, "X-Content-Type-Options", "nosniff")) != AFP_OK)
		return r;
	if (rp->status == 401 &&
	    (r = header(out, "WWW-Authenticate", "Basic realm=\"afp\"")) != AFP_OK)
		return r;
	if ((rp->allow != NULL &&
	    (r = header(out, "Allow", rp->allow)) != AFP_OK) ||
	    (rp->location != NULL &&
	    (r = header(out, "Location", rp->location)) != AFP_OK) ||
	    (rp->csp != NULL &&
	    (r = header(out, "Content-Security-Policy", rp->csp)) != AFP_OK))
		return r;
	/* The AWS SDK for Go reads the TTL it was granted from this header. */
	if (rp->token_ttl != 0 && (r = buf_printf(out,
	    "X-Aws-Ec2-Metadata-Token-Ttl-Seconds: %u\r\n", rp->token_ttl)) != AFP_OK)
		return r;
	if ((r = buf_add(out, "\r\n", 2)) != AFP_OK)
		return r;
	if (rp->head)
		return AFP_OK;
	return buf_add(out, body, len);
}

afp_err
reply_write(int fd, const char *p, size_t n)
{
	struct pollfd pfd;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) >= 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return AFP_ERR_IO;
		/* A server may hand over a non-blocking pipe. */
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return AFP_ERR_IO;
	}
	return AFP_OK;
}

afp_err
reply_send(int fd, const struct reply *rp, const char *body, size_t len)
{
	struct buf out;
	afp_err r;

	buf_init(&out, REPLY_MAX);
	if ((r = reply_format(&out, rp, body, len)) == AFP_OK)
		r = reply_write(fd, buf_str(&out), out.len);
	buf_free(&out);
	return r;
}

afp_err
reply_send_message(int fd, const struct reply *rp, const char *message)
{
	struct reply er = *rp;
	struct buf body;
	afp_err r;

	er.content_type = REPLY_JSON;
	buf_init(&body, 4096);
	if ((r = reply_message_body(&body, rp->status, message)) == AFP_OK)
		r = reply_send(fd, &er, buf_str(&body), body.len);
	buf_free(&body);
	return r;
}
