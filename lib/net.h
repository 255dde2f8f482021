/*
 * net: HTTP requests over one libcurl multi handle, with bounded
 * parallelism, connection reuse, timeouts, a body cap and retries with
 * exponential backoff and jitter. Used by the refresher only.
 */
#ifndef AFP_NET_H
#define AFP_NET_H

#include <stddef.h>
#include "buf.h"

#define NET_MAX_HEADERS 8

struct net_req {
	/* in */
	const char *method;		/* "GET", "POST", "PUT" */
	char *url;
	char *headers[NET_MAX_HEADERS];	/* "Name: value", owned (wiped on free) */
	size_t nheaders;
	struct buf body;
	/*
	 * Called before each attempt (also the first), e.g. to sign with a
	 * fresh date; may rewrite url, headers and body.
	 */
	afp_err (*prepare)(struct net_req *req, void *arg);
	void *arg;
	/*
	 * Classify a finished attempt: AFP_OK, or the error to report.
	 * Retried when it returns AFP_ERR_NET, AFP_ERR_THROTTLED or
	 * AFP_ERR_SERVER. NULL: any 2xx is AFP_OK, 5xx AFP_ERR_SERVER,
	 * other statuses AFP_ERR_AWS.
	 */
	afp_err (*classify)(struct net_req *req, void *arg);
	/* out */
	long status;			/* HTTP status of the last attempt, 0 if none */
	struct buf resp;		/* body of the last attempt */
	afp_err err;			/* final outcome */
	char errmsg[256];		/* transport error detail, "" if none */
	unsigned attempts;
};

struct net_opts {
	unsigned concurrency;		/* requests in flight at once */
	unsigned timeout;		/* seconds per attempt */
	unsigned max_attempts;		/* including the first */
	unsigned backoff_ms;		/* base delay; doubles each retry, full jitter */
	size_t max_body;		/* response cap; more is AFP_ERR_TOOBIG */
};

struct net;

afp_err net_new(struct net **out, const struct net_opts *opts) AFP_WUR;
void net_free(struct net *n);
void net_req_init(struct net_req *r);
/* Add "Name: value"; AFP_ERR_TOOBIG past NET_MAX_HEADERS. */
afp_err net_req_header(struct net_req *r, const char *name, const char *value) AFP_WUR;
/* Drop the headers (before re-signing). */
void net_req_clear_headers(struct net_req *r);
void net_req_free(struct net_req *r);
/* Run every request to completion (success or final failure); each gets err. */
afp_err net_run(struct net *n, struct net_req **reqs, size_t nreqs) AFP_WUR;
/* Connections libcurl opened so far (for tests and benchmarks). */
long net_connections(const struct net *n);

#endif
