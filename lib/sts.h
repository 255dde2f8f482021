/*
 * sts: AWS STS over the query protocol (Version 2011-06-15): endpoints,
 * signed requests and response parsing with libxml2 (no network, no
 * entities, size-capped). On first use sts makes libxml2's free and
 * realloc wipe the memory they release (process-wide) and calls
 * xmlInitParser(); it never calls xmlCleanupParser().
 */
#ifndef AFP_STS_H
#define AFP_STS_H

#include <stddef.h>
#include <time.h>
#include "buf.h"
#include "creds.h"
#include "net.h"

#define STS_BODY_MAX (64 * 1024)

enum sts_action {
	STS_ASSUME_ROLE,
	STS_GET_FEDERATION_TOKEN,
	STS_GET_SESSION_TOKEN,
	STS_GET_CALLER_IDENTITY,
};

struct sts_call {
	enum sts_action action;
	const char *role_arn;		/* AssumeRole */
	const char *session_name;	/* RoleSessionName or federation Name */
	const char *external_id;	/* optional */
	const char *policy;		/* optional inline policy JSON */
	char *const *policy_arns;	/* optional managed policy ARNs */
	size_t npolicy_arns;
	unsigned duration;		/* DurationSeconds; 0 = omit */
};

struct sts_result {
	struct afp_creds creds;		/* not for GetCallerIdentity */
	char *arn;			/* AssumedRoleUser/FederatedUser/caller Arn */
	char *id;			/* AssumedRoleId/FederatedUserId/UserId */
	char *account;			/* GetCallerIdentity Account */
	char *err_code;			/* AWS error Code when AFP_ERR_AWS/THROTTLED */
	char *err_msg;
};

/*
 * The STS endpoint URL: AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, then
 * override (config sts_endpoint), then https://sts.<region>.<partition suffix>.
 * Empty values count as unset; one trailing '/' is dropped. Endpoint URLs
 * are http(s)://host[:port][/path] in printable ASCII, the path of RFC 3986
 * unreserved characters and '/'; anything else is AFP_ERR_INVAL, as is an
 * unknown partition or a region outside [a-z0-9-]{1,32}.
 */
afp_err sts_endpoint(const char *partition, const char *region,
    const char *override, struct buf *url) AFP_WUR;
/*
 * Append the form-encoded request body of call to body. Empty optional
 * strings are omitted; a missing required one is AFP_ERR_INVAL.
 */
afp_err sts_body(const struct sts_call *call, struct buf *body) AFP_WUR;
/*
 * Make req a POST of call to url, signed (SigV4, service "sts") with creds
 * for region at time when. Replaces req's url, headers and body.
 */
afp_err sts_sign(struct net_req *req, const char *url, const char *region,
    const struct sts_call *call, const struct afp_creds *creds, time_t when) AFP_WUR;
/*
 * Parse a response. 2xx bodies fill res (AFP_ERR_PARSE when incomplete,
 * including credentials whose Expiration does not parse). Error bodies give
 * err_code/err_msg and AFP_ERR_THROTTLED (Throttling, ThrottlingException,
 * RequestLimitExceeded, ...), AFP_ERR_SERVER (5xx) or AFP_ERR_AWS; an
 * error body that is not an STS error document gets err_code "HTTP<status>".
 * A body over STS_BODY_MAX is AFP_ERR_TOOBIG (AFP_ERR_SERVER for 5xx).
 * res must be zeroed or cleared before the first call; it is cleared first.
 */
afp_err sts_parse(enum sts_action action, long status, const char *body,
    size_t len, struct sts_result *res) AFP_WUR;
void sts_result_clear(struct sts_result *res);

#endif
