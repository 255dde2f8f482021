/*
 * cgi.h: what afp.cgi's handlers share. main.c sets up, authenticates and
 * answers; each handler file fills in q->body and q->rp, or calls cgi_fail.
 */
#ifndef AFP_CGI_H
#define AFP_CGI_H

#include <time.h>

#include "buf.h"
#include "cache.h"
#include "conf.h"
#include "reply.h"
#include "route.h"

/*
 * A file the answer needs. The sandbox allows no open, so it is read whole
 * before, and parsed after; r is what the read gave, AFP_ERR_NOTFOUND when
 * there is no file.
 */
struct cgi_file {
	struct buf data;
	afp_err r;
	int done;			/* read (or tried) before the sandbox */
};

struct req {
	struct conf *conf;
	struct route rt;
	struct reply rp;
	struct buf user;		/* the identity, once it passed conf_user_ok */
	const char *addr;		/* REMOTE_ADDR when well formed, else NULL */
	time_t now;			/* read once, before the sandbox */
	const char *message;		/* public text of a non-200 answer */
	char msg[128];			/* room for a message with numbers */
	char detail[256];		/* for the log only */
	struct buf body;
	struct strlist groups;		/* the user's, when cgi_scope looked */
	int groups_known;
	const struct conf_role *role;	/* the routed role, if the caller may */
	struct cgi_file entry;		/* that role's cache entry */
	struct cgi_file aux;		/* status.json or imds.key */
};

/* Set the answer to an error; the detail goes to the log only. */
void cgi_fail(struct req *q, int status, const char *message, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Identify the caller (auth = pam or remote_user) into q->user, or fail. */
afp_err cgi_authenticate(struct req *q);
/*
 * HTTP Basic checked by PAM into q->user, both names passing name_ok; what
 * ("user", "machine") names the caller in log details. Fails the request.
 */
afp_err cgi_basic_pam(struct req *q, int (*name_ok)(const char *),
    const char *what);
/*
 * Append "AccessKeyId","SecretAccessKey","Token","Expiration" members: the
 * shape of EC2 metadata and container credentials.
 */
afp_err cgi_aws_creds_json(struct buf *b, int *first, const struct afp_creds *cr);
/*
 * Once the caller is known (never before PAM), load what the request
 * needs of the configuration (cgi_scope), read the files its route needs
 * (q->role and q->entry, q->aux), then enter the sandbox of sandbox.h for
 * the rest of the request; on failure the answer is a 500 and -1
 * returned.
 */
int cgi_sandbox(struct req *q);
/* Before the sandbox: the cache directory's file name into f. */
void cgi_file_read(struct req *q, struct cgi_file *f, const char *name,
    size_t max);
/* What reading f gave; AFP_ERR_INTERNAL when it was not read. */
afp_err cgi_file_result(const struct cgi_file *f);
/* Before the sandbox: the cache entry of role for user (NULL: shared). */
void cgi_entry_read(struct req *q, const struct conf_role *role,
    const char *user);
/*
 * scope.c: load the accounts.d sections the request needs into q->conf
 * (setup() read afp.conf only) and look up the user's groups if they can
 * decide; on failure the answer is a 500 and -1 returned.
 */
int cgi_scope(struct req *q);
/* Wipe and unset HTTP_AUTHORIZATION: it holds a password in base64. */
void cgi_authorization_wipe(void);
/*
 * The routed role, checked for access (q->role), and the caller's cache
 * entry for it; on failure the answer is set and NULL returned.
 */
const struct conf_role *cgi_role_entry(struct req *q, struct cache_entry *e);
/*
 * The entry cgi_entry_read read, checked for expiry and a session token;
 * on failure the answer is set and -1 returned.
 */
int cgi_entry_load(struct req *q, struct cache_entry *e);
/*
 * Call fn for every role the caller may use, accounts and roles in name
 * order (conf sorts them), first set for an account's first role, with
 * the groups cgi_scope looked up. Returns fn's first error.
 */
typedef afp_err (*cgi_role_fn)(void *arg, const struct conf_role *role,
    int first);
afp_err cgi_roles_walk(struct req *q, cgi_role_fn fn, void *arg) AFP_WUR;

/* console.c: /consoleurl (text/plain) and /console (302). */
void console_answer(struct req *q);
/*
 * The console sign-in URL for the entry, honouring ?callbackurl=; 0 and an
 * empty url when the role has no console, -1 (answer set) on bad input.
 */
int console_url(struct req *q, const struct conf_role *role,
    const struct cache_entry *e, struct buf *url);
/* ecr.c: /account/{a}/{r}/ecr/credentials?region=R. */
void ecr_answer(struct req *q);
/* imds.c: the instance-metadata paths and PUT /latest/api/token. */
void imds_answer(struct req *q);
/* What they read before the sandbox: imds.key and the machine's entry. */
void imds_read(struct req *q);
/* html.c: /account for a browser (Accept: text/html). */
void html_accounts(struct req *q);
/* The request prefers HTML (Accept names text/html). */
int html_wanted(void);
/*
 * ?format= of /account/{a}/{r}/credentials: 1 for "shell", 0 for none or
 * "json", -1 (answer set, 400) for anything else or a malformed query.
 */
int html_shell_wanted(struct req *q);
/* The entry's credentials as shell export lines, text/plain. */
void html_credentials(struct req *q, const struct cache_entry *e);

#endif
