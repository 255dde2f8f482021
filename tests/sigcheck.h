/*
 * sigcheck.h: for the unit tests of signed requests (STS, ECR). A header
 * of a built request, and the request signed again with sigv4_sign from
 * what it carries, so a test sees that the signature covers what is sent.
 */
#ifndef AFP_SIGCHECK_H
#define AFP_SIGCHECK_H

#include <string.h>
#include <time.h>

#include "buf.h"
#include "creds.h"
#include "net.h"
#include "sigv4.h"

/* The value of header name in req ("Name: value"), or NULL. */
static const char *
req_header(const struct net_req *req, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < req->nheaders; i++)
		if (strncmp(req->headers[i], name, n) == 0 &&
		    strncmp(req->headers[i] + n, ": ", 2) == 0)
			return req->headers[i] + n + 2;
	return NULL;
}

/*
 * 1 when req's Authorization carries the signature sigv4_sign makes for a
 * POST of req's body to path with req's Host and Content-Type and, unless
 * target is NULL, X-Amz-Target: target, for service and region at when.
 */
static int
resign_matches(const struct net_req *req, const char *path,
    const char *target, const char *service, const char *region,
    time_t when, const struct afp_creds *cr)
{
	struct sigv4_header h[3] = {
		{ "Host", req_header(req, "Host") },
		{ "Content-Type", req_header(req, "Content-Type") },
		{ "X-Amz-Target", target },
	};
	struct sigv4_request sr;
	struct sigv4_opts o;
	struct sigv4_out out;
	const char *auth = req_header(req, "Authorization");
	int ok;

	if (h[0].value == NULL || h[1].value == NULL || auth == NULL)
		return 0;
	memset(&sr, 0, sizeof(sr));
	sr.method = "POST";
	sr.path = path;
	sr.headers = h;
	sr.nheaders = target != NULL ? 3 : 2;
	sr.body = buf_str(&req->body);
	sr.body_len = req->body.len;
	memset(&o, 0, sizeof(o));
	o.region = region;
	o.service = service;
	o.when = when;
	o.form = SIGV4_HEADER;
	o.normalize = 1;
	sigv4_out_init(&out);
	ok = sigv4_sign(&sr, &o, cr, &out) == AFP_OK &&
	    strlen(auth) > 64 && strcmp(auth + strlen(auth) - 64,
	    out.signature) == 0;
	sigv4_out_free(&out);
	return ok;
}

#endif
