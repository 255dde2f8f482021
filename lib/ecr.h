/*
 * ecr: Amazon ECR GetAuthorizationToken (JSON 1.1 protocol, SigV4 service
 * "ecr"), signed with a role's credentials. Refresher only.
 */
#ifndef AFP_ECR_H
#define AFP_ECR_H

#include <time.h>
#include "buf.h"
#include "creds.h"
#include "net.h"

#define ECR_BODY_MAX (64 * 1024)

struct ecr_token {
	char *token;		/* base64 of "AWS:<password>"; a secret */
	time_t expires;
	char *endpoint;		/* proxyEndpoint, https://<id>.dkr.ecr.<region>.amazonaws.com */
};

/*
 * The ECR API URL for region: AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL,
 * override (config ecr_endpoint), then https://api.ecr.<region>.amazonaws.com
 * (.com.cn for aws-cn).
 */
afp_err ecr_endpoint(const char *partition, const char *region,
    const char *override, struct buf *url) AFP_WUR;
/* Make req a signed GetAuthorizationToken POST to url for region. */
afp_err ecr_sign(struct net_req *req, const char *url, const char *region,
    const struct afp_creds *creds, time_t when) AFP_WUR;
/*
 * Parse a response: 2xx gives the first authorizationData; errors give
 * AFP_ERR_THROTTLED, AFP_ERR_SERVER or AFP_ERR_AWS with code and message.
 */
afp_err ecr_parse(long status, const char *body, size_t len,
    struct ecr_token *out, struct buf *err) AFP_WUR;
void ecr_token_clear(struct ecr_token *t);

#endif
