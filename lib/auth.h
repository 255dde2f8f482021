/*
 * auth: HTTP Basic credentials and their check through PAM (DESIGN.md §6).
 * Outcomes are success, failure (AFP_ERR_AUTH) and error (anything else),
 * so nothing unexpected can read as success.
 */
#ifndef AFP_AUTH_H
#define AFP_AUTH_H

#include "buf.h"

/* The longest Authorization header value accepted. */
#define AUTH_HEADER_MAX 8192

/*
 * Split an Authorization header value "Basic <base64 of user:password>"
 * (scheme case-insensitive) at the first ':' of the decoded text, so the
 * password may hold ':'. user and password are replaced; both are emptied on
 * failure. AFP_ERR_AUTH: header NULL or another scheme; AFP_ERR_TOOBIG: over
 * AUTH_HEADER_MAX; AFP_ERR_INVAL: malformed, no ':', empty user, a NUL byte,
 * or a control character in the user. The user is not checked further: the
 * caller applies its own name rules.
 */
afp_err auth_basic_decode(const char *header, struct buf *user,
    struct buf *password) AFP_WUR;

/*
 * Authenticate user with password against PAM service (pam_authenticate,
 * then pam_acct_mgmt), with PAM_RHOST set to rhost unless it is NULL.
 * final_user gets the PAM_USER the stack settled on, which a module may
 * have changed; it is emptied unless the result is AFP_OK. An empty password
 * or one PAM cannot carry is AFP_ERR_AUTH. The password is never logged.
 */
afp_err auth_pam(const char *service, const char *user, const char *password,
    const char *rhost, struct buf *final_user) AFP_WUR;

#endif
