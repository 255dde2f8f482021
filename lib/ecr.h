/*
 * ecr: Amazon ECR GetAuthorizationToken (JSON 1.1 protocol, SigV4 service
 * "ecr"), signed with a role's credentials. Refresher only.
 */
#ifndef AFP_ECR_H
#define AFP_ECR_H

#include <stddef.h>
#include <time.h>
#include "buf.h"
#include "creds.h"
#include "net.h"

#define ECR_BODY_MAX	(64 * 1024)
#define ECR_TOKEN_MAX	(16 * 1024)	/* base64 characters */
#define ECR_ERR_MAX	1280		/* "Code: message" that ecr_parse builds */

struct ecr_token {
	char *token;		/* base64 of "AWS:<password>"; a secret */
	time_t expires;
	char *endpoint;		/* proxyEndpoint, https://<id>.dkr.ecr.<region>.amazonaws.com */
};

/*
 * The ECR API URL for region: AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL,
 * override (config ecr_endpoint), then https://api.ecr.<region>.amazonaws.com
 * (.com.cn for aws-cn); the rules of awsreq_endpoint.
 */
afp_err ecr_endpoint(const char *partition, const char *region,
    const char *override, struct buf *url) AFP_WUR;
/*
 * Make req a GetAuthorizationToken POST of "{}" to url for region, signed
 * with creds at time when (awsreq_sign).
 */
afp_err ecr_sign(struct net_req *req, const char *url, const char *region,
    const struct afp_creds *creds, time_t when) AFP_WUR;
/*
 * Parse a response. 2xx: the first authorizationData into out, checked:
 * the token strict base64 of "AWS:" and a printable password, expiresAt
 * a number of epoch seconds (fractions and exponents allowed, rounded
 * down), proxyEndpoint an https URL without a path; anything else is
 * AFP_ERR_PARSE. Errors ({"__type":"[prefix#]Code","message":...}, or
 * any other body, which gets the code "HTTP<status>") are
 * AFP_ERR_THROTTLED (throttling codes, 429), AFP_ERR_SERVER (5xx, server
 * codes) or AFP_ERR_AWS, with "Code: message" appended to err (when not
 * NULL; control characters dropped, at most ECR_ERR_MAX bytes and cut to
 * the room err has left, so a small err never hides the class). A body
 * over ECR_BODY_MAX is AFP_ERR_TOOBIG (AFP_ERR_SERVER for 5xx).
 * out must be zeroed or cleared before the first call; it is cleared first.
 */
afp_err ecr_parse(long status, const char *body, size_t len,
    struct ecr_token *out, struct buf *err) AFP_WUR;
void ecr_token_clear(struct ecr_token *t);

#endif
