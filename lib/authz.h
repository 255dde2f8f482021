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

/*
 * 1 when user may use r, else 0. groups are the user's groups from
 * authz_user_groups; NULL (a user NSS does not know, or groups not looked
 * up because authz_role_needs_groups said no) leaves allow_users alone.
 */
int authz_role_allowed(const struct conf *c, const struct conf_role *r,
    const char *user, const struct strlist *groups);
/*
 * 1 when only user's groups can decide: user is not in allow_users and r
 * has allow_groups or c a group_pattern. Otherwise no NSS lookup is needed.
 */
int authz_role_needs_groups(const struct conf *c, const struct conf_role *r,
    const char *user);

/*
 * The names of every group user belongs to, primary group included, into
 * groups (which must be empty; free it with strlist_free). A user NSS
 * does not know is AFP_ERR_NOTFOUND, an NSS failure AFP_ERR_IO.
 */
afp_err authz_user_groups(const char *user, struct strlist *groups) AFP_WUR;
/*
 * Every user r allows, sorted and without duplicates, into users (which
 * must be empty; free it with strlist_free): allow_users, members of
 * the allow_groups and group_pattern groups, and users whose primary group
 * is one of them. Users are enumerated with getpwent, which some NSS setups
 * (SSSD without enumerate) answer only in part. Names that fail
 * conf_user_ok are left out with a warning.
 */
afp_err authz_role_users(const struct conf *c, const struct conf_role *r,
    struct strlist *users) AFP_WUR;

/*
 * The group c->group_pattern names for r, appended to out;
 * AFP_ERR_NOTFOUND when no pattern is set.
 */
afp_err authz_pattern_group(const struct conf *c, const struct conf_role *r,
    struct buf *out) AFP_WUR;

#endif
