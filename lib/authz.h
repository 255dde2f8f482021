/*
 * authz: who may use which role (DESIGN.md §2). Users are named in
 * allow_users, or belong (through NSS, so LDAP and SSSD work) to a group in
 * allow_groups or to the group c->group_pattern names for the role.
 */
#ifndef AFP_AUTHZ_H
#define AFP_AUTHZ_H

#include "conf.h"

/* Bounds on what NSS may hand back; beyond them is AFP_ERR_TOOBIG. */
#define AUTHZ_GROUPS_MAX 65536
#define AUTHZ_USERS_MAX 65536

/* 1 when user may use r, else 0 (also for a user NSS does not know). */
int authz_role_allowed(const struct conf *c, const struct conf_role *r,
    const char *user);

/*
 * The names of every group user belongs to, primary group included, into
 * groups (which must be empty; free it with authz_strlist_free). A user NSS
 * does not know is AFP_ERR_NOTFOUND, an NSS failure AFP_ERR_IO.
 */
afp_err authz_user_groups(const char *user, struct strlist *groups) AFP_WUR;
/*
 * authz_role_allowed with the groups of user already looked up, so a caller
 * checking many roles asks NSS once.
 */
int authz_role_allowed_groups(const struct conf *c, const struct conf_role *r,
    const char *user, const struct strlist *groups);

/*
 * Every user r allows, sorted and without duplicates, into users (which
 * must be empty; free it with authz_strlist_free): allow_users, members of
 * the allow_groups and group_pattern groups, and users whose primary group
 * is one of them. Users are enumerated with getpwent, which some NSS setups
 * (SSSD without enumerate) answer only in part. Names that fail
 * conf_user_ok are left out with a warning.
 */
afp_err authz_role_users(const struct conf *c, const struct conf_role *r,
    struct strlist *users) AFP_WUR;

/* Free the strings and the array of a list built here; NULL is fine. */
void authz_strlist_free(struct strlist *l);

#endif
