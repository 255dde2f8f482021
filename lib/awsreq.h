/*
 * awsreq: what every signed AWS API call shares, whatever its protocol
 * (STS's query form, ECR's JSON 1.1): endpoint URLs and their precedence,
 * and a request signed with SigV4 in the header form.
 */
#ifndef AFP_AWSREQ_H
#define AFP_AWSREQ_H

#include <stddef.h>
#include <time.h>
#include "buf.h"
#include "creds.h"
#include "net.h"

#define AWSREQ_URL_MAX		2048
#define AWSREQ_BODY_MAX		(64 * 1024)

/* The parts of an endpoint URL; pointers into the string split. */
struct awsreq_url {
	int https;
	const char *host;	/* host, brackets included for IPv6 */
	size_t hostlen;
	const char *port;	/* digits, or NULL */
	size_t portlen;
	const char *path;	/* "" or starting with '/' */
	size_t pathlen;
};

/*
 * Split an endpoint URL: http(s)://host[:port][/path] in printable ASCII,
 * the host a name of RFC 3986 unreserved characters or a bracketed IPv6
 * address, the port 1-65535, the path of unreserved characters and '/'
 * (so its raw and encoded forms sign the same). No user info, query or
 * fragment. AFP_ERR_INVAL otherwise.
 */
afp_err awsreq_url_split(const char *s, struct awsreq_url *u) AFP_WUR;
/*
 * A service's endpoint URL into url: the environment variable env (e.g.
 * AWS_ENDPOINT_URL_STS), then AWS_ENDPOINT_URL, then override (a config
 * setting), then https://<prefix>.<region>.<partition's DNS suffix>
 * (amazonaws.com, amazonaws.com.cn for aws-cn). Empty values count as
 * unset; one trailing '/' is dropped. AFP_ERR_INVAL for an unknown
 * partition, a bad region or a chosen URL awsreq_url_split refuses.
 */
afp_err awsreq_endpoint(const char *partition, const char *region,
    const char *prefix, const char *env, const char *override,
    struct buf *url) AFP_WUR;
/*
 * Make req a request of method ("GET", "POST" or "PUT") to url carrying
 * body, signed (SigV4 header form) with creds for region and service at
 * time when. The headers are Host (with a port only when it is not the
 * scheme's own), Content-Type, X-Amz-Target when target is not NULL, then
 * the signer's X-Amz-Date, X-Amz-Security-Token (with a session token)
 * and Authorization; every one but Authorization is signed. On success
 * req's url, method, headers and body are replaced; refused input
 * (AFP_ERR_INVAL) and signing errors leave req untouched.
 */
afp_err awsreq_sign(struct net_req *req, const char *method, const char *url,
    const char *region, const char *service, const char *content_type,
    const char *target, const char *body, size_t len,
    const struct afp_creds *creds, time_t when) AFP_WUR;

/*
 * Append a loggable copy of s to out: control characters become single
 * spaces, cut at max bytes on a UTF-8 boundary, trailing spaces trimmed.
 */
afp_err awsreq_clean_text(struct buf *out, const char *s, size_t max) AFP_WUR;
/*
 * The class of an AWS error response from its code (n bytes) and HTTP
 * status: AFP_ERR_THROTTLED (retry later), AFP_ERR_SERVER (retry) or
 * AFP_ERR_AWS (final).
 */
afp_err awsreq_error_class(long status, const char *code, size_t n);

#endif
