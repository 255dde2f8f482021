/*
 * signin: the AWS console federation endpoint. The refresher trades a
 * role's credentials for a sign-in token (getSigninToken); the CGI turns
 * the token into a login URL. No network here.
 */
#ifndef AFP_SIGNIN_H
#define AFP_SIGNIN_H

#include "buf.h"
#include "conf.h"
#include "creds.h"

#define SIGNIN_TOKEN_TTL 900	/* AWS: a sign-in token is good for 15 minutes */
#define SIGNIN_RENEW_AGE 600	/* cron runs every 5 minutes: renew at 10 */
#define SIGNIN_TOKEN_MAX 8192
#define SIGNIN_URL_MAX (16 * 1024)	/* a login URL: endpoint, issuer, destination, token */

/*
 * The federation endpoint URL, ".../federation": override (signin_endpoint,
 * taken as the full federation URL) or the partition's host
 * (signin.aws.amazon.com, signin.amazonaws.cn, signin.amazonaws-us-gov.com).
 */
afp_err signin_endpoint(const char *partition, const char *override,
    struct buf *url) AFP_WUR;
/*
 * The getSigninToken URL for creds: Action, the compact Session JSON
 * {"sessionId","sessionKey","sessionToken"} URL-encoded, and SessionDuration
 * when session_duration is not 0.
 */
afp_err signin_token_url(const char *endpoint, const struct afp_creds *creds,
    unsigned session_duration, struct buf *url) AFP_WUR;
/*
 * SessionDuration for a role's sign-in token, or 0 to omit it: see
 * signin.c for AWS's rule. base_temporary: the refresher's base
 * credentials carry a session token.
 */
unsigned signin_session_duration(const struct conf_role *r, int base_temporary);
/* {"SigninToken":"..."} into *token (caller frees with str_wipe_free). */
afp_err signin_token_parse(const char *body, size_t len, char **token) AFP_WUR;
/*
 * The console login URL: <endpoint>?Action=login&Issuer=<issuer>
 * &Destination=<destination>&SigninToken=<token>, every value encoded.
 */
afp_err signin_login_url(const char *endpoint, const char *issuer,
    const char *destination, const char *token, struct buf *out) AFP_WUR;
/*
 * A callbackurl is acceptable: an absolute http(s) URL with a host, no
 * control characters or spaces, at most 2048 bytes, and starting with one
 * of allow's prefixes when allow is not empty.
 */
int signin_callback_ok(const char *url, const struct strlist *allow);

#endif
