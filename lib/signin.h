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
 * The federation endpoint URL into url (reset first): override
 * (signin_endpoint, the full federation URL, which must be an http(s) URL
 * without query or fragment) or https://<partition's host>/federation
 * (signin.aws.amazon.com, signin.amazonaws.cn, signin.amazonaws-us-gov.com).
 * AFP_ERR_INVAL for a bad override or an unknown partition.
 */
afp_err signin_endpoint(const char *partition, const char *override,
    struct buf *url) AFP_WUR;
/*
 * The getSigninToken URL for creds into url (reset first; it holds the
 * secret key, so the caller buf_free()s it): Action, SessionDuration when
 * session_duration is not 0 (else 900-43200), and the compact Session JSON
 * {"sessionId","sessionKey","sessionToken"} percent-encoded. Credentials
 * without a session token are AFP_ERR_INVAL.
 */
afp_err signin_token_url(const char *endpoint, const struct afp_creds *creds,
    unsigned session_duration, struct buf *url) AFP_WUR;
/*
 * SessionDuration for a role's sign-in token, or 0 to omit it: see
 * signin.c for AWS's rule. base_temporary: the refresher's base
 * credentials carry a session token.
 */
unsigned signin_session_duration(const struct conf_role *r, int base_temporary);
/*
 * {"SigninToken":"..."} into *token (caller frees with str_wipe_free; NULL
 * on failure): AFP_ERR_PARSE for invalid JSON or a missing, non-string,
 * empty or non-printable token, AFP_ERR_TOOBIG past SIGNIN_TOKEN_MAX.
 */
afp_err signin_token_parse(const char *body, size_t len, char **token) AFP_WUR;
/*
 * The console login URL into out (reset first): <endpoint>?Action=login
 * &Issuer=<issuer>&Destination=<destination>&SigninToken=<token>, every
 * value percent-encoded (RFC 3986). Empty values are AFP_ERR_INVAL.
 */
afp_err signin_login_url(const char *endpoint, const char *issuer,
    const char *destination, const char *token, struct buf *out) AFP_WUR;
/*
 * A callbackurl is acceptable: an absolute http:// or https:// URL with a
 * host (name, IPv4 or [IPv6]) and optional port, no userinfo, no "." or
 * ".." path segments, at most 2048 bytes of RFC 3986 characters but quotes
 * (no controls, spaces, '\\', '<', '>', non-ASCII), and, when allow (may be
 * NULL) is not empty, starting with one of its prefixes at a boundary: the
 * prefix ends with '/' or the URL goes on with '/', '?', '#' or ends.
 */
int signin_callback_ok(const char *url, const struct strlist *allow);

#endif
