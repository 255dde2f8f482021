/*
 * conf: afp.conf, accounts.d/NAME.conf and secrets.conf (DESIGN.md §2).
 * Parsing is strict: unknown keys, bad names, bad durations, duplicate
 * sections or keys and missing required keys are errors naming file and line.
 */
#ifndef AFP_CONF_H
#define AFP_CONF_H

#include <stddef.h>
#include <sys/types.h>
#include "buf.h"
#include "creds.h"
#include "log.h"
#include "strlist.h"

enum conf_auth { CONF_AUTH_PAM, CONF_AUTH_REMOTE_USER };
enum role_type { ROLE_ASSUME_ROLE, ROLE_FEDERATION_TOKEN, ROLE_SESSION_TOKEN };

struct conf_account {
	char *name;
	char *id;			/* 12 digits */
	char *file;			/* the section header, for messages */
	int line;
};

struct conf_role {
	char *account;			/* account name */
	char *name;			/* role name (URL and cache name) */
	const struct conf_account *acct;
	enum role_type type;
	char *role_arn;			/* assume_role: given or built from id and name */
	char *external_id;		/* NULL when unset */
	char *policy;			/* inline JSON or policy_file contents; NULL when unset */
	struct strlist policy_arns;
	unsigned duration;		/* seconds; default_duration when unset, <= max_duration */
	char *session_name;		/* template; "{user}" marks per-user sessions;
					   NULL for session_token */
	int per_user;			/* session_name contains {user} */
	struct strlist allow_users;
	struct strlist allow_groups;
	struct strlist machines;
	int console;
	char *console_destination;
	struct strlist ecr_regions;
	char *file;			/* the section header, for messages */
	int line;
};

struct conf {
	char *path;
	char *cache_dir;
	char *accounts_dir;
	char *secrets_file;
	enum conf_auth auth;
	enum conf_auth machine_auth;
	char *pam_service;
	char *web_user;		/* a name, or a uid (conf_uid) */
	char *machine_user_env;
	char *user_env;
	char *group_pattern;		/* NULL when unset; {account} and {role} expand */
	char *partition;		/* aws | aws-cn | aws-us-gov */
	char *region;
	unsigned default_duration;
	unsigned max_duration;
	unsigned refresh_before;
	unsigned concurrency;
	unsigned timeout;
	struct strlist callback_allow;
	struct strlist allowed_hosts;
	int imds_v1;
	enum log_dest log;
	char *sts_endpoint;		/* NULL when unset */
	char *signin_endpoint;
	char *ecr_endpoint;
	struct conf_account *accounts;
	size_t naccounts;
	struct conf_role *roles;	/* sorted by (account, name) */
	size_t nroles;
};

/*
 * Load afp.conf from path and every *.conf in its accounts_dir (in name
 * order, dotfiles skipped). Relative cache_dir, accounts_dir and
 * secrets_file resolve against the directory of path, a relative
 * policy_file against the directory of the file naming it. An empty value
 * means "unset" for optional keys and is an error for the others.
 * On failure *out is NULL and err holds "file:line: message".
 */
afp_err conf_load(const char *path, struct conf **out, struct buf *err) AFP_WUR;
/* The first half of conf_load: afp.conf only, no accounts or roles yet. */
afp_err conf_load_main(const char *path, struct conf **out, struct buf *err)
    AFP_WUR;
/*
 * The second half, once per c: the files named in files (names in
 * accounts_dir, sorted), or every *.conf when files is NULL, keeping only
 * the sections keep names ("ACCOUNT" or "ACCOUNT/ROLE", sorted by
 * strlist_sort_uniq), or all when keep is NULL. Sections left out are
 * not checked. On failure c is only good for conf_free.
 */
afp_err conf_load_accounts(struct conf *c, const struct strlist *files,
    const struct strlist *keep, struct buf *err) AFP_WUR;
void conf_free(struct conf *c);
/* The role account/name, or NULL. */
const struct conf_role *conf_role_find(const struct conf *c,
    const char *account, const char *name);
/*
 * Read [source] of secrets.conf into *out (overwritten; the caller
 * creds_clear()s it; zeroed on failure). Refuses (AFP_ERR_PERM) a file that
 * is a symlink or not a regular file, not owned by root or the caller, or
 * with any group or other permission bit. err never contains a secret.
 * Values must fit on one line of inih's buffer (199 characters), which
 * rules out most STS session tokens: those belong in the environment or
 * the shared credentials file.
 */
afp_err conf_secrets_load(const char *path, struct afp_creds *out,
    struct buf *err) AFP_WUR;

/* "90s", "15m", "1h", "1h30m", "1d" into seconds; 0 and overflow are errors. */
afp_err conf_duration(const char *s, unsigned *secs) AFP_WUR;
#define CONF_REGION_MAX 32
/* AWS region names: [a-z0-9-]{1,32}. */
int conf_region_ok(const char *s);
/* Account and role names: [A-Za-z0-9][A-Za-z0-9._-]{0,63}. */
int conf_name_ok(const char *s);
/* User names usable in cache paths and sessions: [A-Za-z0-9_][A-Za-z0-9_.@+=,-]{0,63}. */
int conf_user_ok(const char *s);
/*
 * A web_user given as a number: 1 and *uid when s is all digits and a
 * valid uid, else 0 (a name). A uid spares the CGI the user lookup.
 */
int conf_uid(const char *s, uid_t *uid);
/*
 * Expand a role's session_name for user (NULL for shared entries) into out
 * (reset first); AFP_ERR_INVAL when the result breaks STS rules (2-64 chars
 * of [A-Za-z0-9+=,.@_-], 2-32 for federation tokens), when a per-user name
 * gets no user, or for session_token roles, which have no session name.
 */
afp_err conf_session_name(const struct conf_role *r, const char *user,
    struct buf *out) AFP_WUR;

#endif
