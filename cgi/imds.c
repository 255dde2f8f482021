/*
 * The EC2 instance-metadata paths: a machine (identified by machine_auth
 * and machine_user_env, authorized by `machines`) gets the credentials of
 * its one role in the shape EC2 serves them, so SDKs pointed here with
 * AWS_EC2_METADATA_SERVICE_ENDPOINT use them unchanged. PUT
 * /latest/api/token mints the stateless tokens of lib/imds.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "cgi.h"
#include "imds.h"
#include "fmt.h"
#include "json.h"
#include "tm.h"

#define TTL_ENV		"HTTP_X_AWS_EC2_METADATA_TOKEN_TTL_SECONDS"
#define TOKEN_ENV	"HTTP_X_AWS_EC2_METADATA_TOKEN"

/*
 * The machine's identity into q->user (which the request log names). It
 * follows the machine rule, not conf_user_ok: an IPv6 address has ':'.
 */
static afp_err
machine_identify(struct req *q)
{
	const struct conf *c = q->conf;
	const char *id;

	if (c->machine_auth == CONF_AUTH_PAM)
		return cgi_basic_pam(q, imds_identity_ok, "machine");
	cgi_authorization_wipe();
	id = getenv(c->machine_user_env);
	if (!imds_identity_ok(id)) {
		cgi_fail(q, 401, "machine not identified", "%s %s",
		    c->machine_user_env, id == NULL || *id == '\0' ? "unset" :
		    "refused by the machine name rule");
		return AFP_ERR_AUTH;
	}
	if (buf_addstr(&q->user, id) != AFP_OK) {
		cgi_fail(q, 500, "internal error", "out of memory");
		return AFP_ERR_NOMEM;
	}
	return AFP_OK;
}

/* The token key the refresher made; on failure the answer is set. */
static afp_err
key_load(struct req *q, unsigned char key[IMDS_KEY_LEN])
{
	afp_err r;

	r = cgi_file_result(&q->aux);
	if (r == AFP_ERR_NOTFOUND) {
		cgi_fail(q, 503, "metadata tokens not available yet",
		    "no imds.key: the refresher has not run");
		return r;
	}
	if (r != AFP_OK) {
		cgi_fail(q, 500, "internal error", "imds.key: %s", afp_strerror(r));
		return r;
	}
	if ((r = imds_key_parse(q->aux.data.p, q->aux.data.len, key)) != AFP_OK)
		cgi_fail(q, 500, "internal error",
		    "imds.key is not 64 hex digits");
	return r;
}

/*
 * PUT /latest/api/token. No TTL header is a 400 as on EC2; a TTL out of
 * range is a 403, because botocore gives up on a 400 but falls back to
 * IMDSv1 on a 403 (DESIGN.md §4). As on EC2, a PUT that went through a
 * forwarding proxy is refused, so the proxy cannot collect tokens.
 */
static void
token_put(struct req *q)
{
	unsigned char key[IMDS_KEY_LEN];
	unsigned ttl = 0;
	afp_err r;

	if (getenv("HTTP_X_FORWARDED_FOR") != NULL) {
		cgi_fail(q, 403, "forwarded token requests are refused",
		    "PUT with X-Forwarded-For");
		return;
	}
	r = imds_ttl_parse(getenv(TTL_ENV), &ttl);
	if (r == AFP_ERR_NOTFOUND) {
		cgi_fail(q, 400, "X-aws-ec2-metadata-token-ttl-seconds is required",
		    "PUT without TTL header");
		return;
	}
	if (r != AFP_OK) {
		cgi_fail(q, 403, "X-aws-ec2-metadata-token-ttl-seconds must be "
		    "1 to 21600", "TTL header out of rule");
		return;
	}
	if (key_load(q, key) != AFP_OK)
		goto out;
	if ((r = imds_token_mint(key, buf_str(&q->user), q->now, ttl,
	    &q->body)) != AFP_OK) {
		buf_reset(&q->body);
		cgi_fail(q, 500, "internal error", "token: %s", afp_strerror(r));
		goto out;
	}
	q->rp.content_type = REPLY_TEXT;
	q->rp.token_ttl = ttl;
	q->rp.status = 200;
 out:
	explicit_bzero(key, sizeof(key));
}

/*
 * A metadata GET's token: checked when sent, required when imds_v1 = no.
 * 0 when the request may go on, else -1 with the answer set.
 */
static int
token_gate(struct req *q)
{
	const char *tok = getenv(TOKEN_ENV);
	unsigned char key[IMDS_KEY_LEN];
	int rc = -1;
	afp_err r;

	if (tok == NULL) {
		if (q->conf->imds_v1)
			return 0;
		cgi_fail(q, 401, "a token from PUT /latest/api/token is required",
		    "no token and imds_v1 = no");
		return -1;
	}
	if (key_load(q, key) != AFP_OK)
		goto out;
	r = imds_token_check(key, buf_str(&q->user), tok, q->now);
	if (r == AFP_OK)
		rc = 0;
	else if (r == AFP_ERR_EXPIRED)
		cgi_fail(q, 401, "token expired", "token expired");
	else if (r == AFP_ERR_AUTH || r == AFP_ERR_PARSE)
		cgi_fail(q, 401, "invalid token", "token %s",
		    r == AFP_ERR_PARSE ? "malformed" :
		    "not minted for this machine by this key");
	else
		cgi_fail(q, 500, "internal error", "token check: %s",
		    afp_strerror(r));
 out:
	explicit_bzero(key, sizeof(key));
	return rc;
}

/* The first role whose machines name the caller, and how many do. */
static const struct conf_role *
machine_role_find(const struct req *q, size_t *n)
{
	const struct conf *c = q->conf;
	const char *id = buf_str(&q->user);
	const struct conf_role *found = NULL;
	size_t i, j;

	*n = 0;
	for (i = 0; i < c->nroles; i++)
		for (j = 0; j < c->roles[i].machines.n; j++)
			if (strcmp(c->roles[i].machines.v[j], id) == 0) {
				if ((*n)++ == 0)
					found = &c->roles[i];
				break;
			}
	return found;
}

/*
 * The machine's one role. None is a 404, as on an instance without a
 * role; more than one is a 409, since EC2 has no way to offer a choice.
 */
static const struct conf_role *
machine_role(struct req *q)
{
	const struct conf_role *found;
	size_t n;
	int len;

	found = machine_role_find(q, &n);
	if (n == 0) {
		cgi_fail(q, 404, "no role for this machine",
		    "machine in no role's machines");
		return NULL;
	}
	if (n > 1) {
		len = fmt_snprintf(q->msg, sizeof(q->msg), "this machine is allowed "
		    "%zu roles; instance metadata needs exactly one", n);
		cgi_fail(q, 409, len > 0 && (size_t)len < sizeof(q->msg) ?
		    q->msg : "more than one role for this machine",
		    "machine in the machines of %zu roles", n);
		return NULL;
	}
	return found;
}

/* EC2's credentials document. */
static afp_err
ec2_json(struct buf *b, const struct cache_entry *e)
{
	char updated[TM_ISO8601_LEN];
	int first = 1;
	afp_err r;

	if ((r = tm_format_iso8601(e->last_updated, updated)) != AFP_OK ||
	    (r = buf_addc(b, '{')) != AFP_OK ||
	    (r = json_kv(b, &first, "Code", "Success")) != AFP_OK ||
	    (r = json_kv(b, &first, "LastUpdated", updated)) != AFP_OK ||
	    (r = json_kv(b, &first, "Type", "AWS-HMAC")) != AFP_OK ||
	    (r = cgi_aws_creds_json(b, &first, &e->creds)) != AFP_OK)
		return r;
	return buf_addc(b, '}');
}

/*
 * /{r}: the role's shared entry. A per-user role has none (the refresher
 * keeps one entry per person), and a machine is no person, so such a role
 * in `machines` is a configuration mistake.
 */
static void
role_credentials(struct req *q, const struct conf_role *role)
{
	struct cache_entry e;
	afp_err r;

	memset(&e, 0, sizeof(e));
	if (strcmp(q->rt.role, role->name) != 0) {
		cgi_fail(q, 404, "not found", "not the machine's role");
		goto out;
	}
	if (role->per_user) {
		cgi_fail(q, 500, "internal error", "role %s/%s has {user} in "
		    "session_name: machines need a shared session", role->account,
		    role->name);
		goto out;
	}
	if (cgi_entry_load(q, &e) == -1)
		goto out;
	if ((r = ec2_json(&q->body, &e)) != AFP_OK) {
		buf_reset(&q->body);
		cgi_fail(q, 500, "internal error", "answer: %s", afp_strerror(r));
		goto out;
	}
	q->rp.status = 200;
 out:
	cache_entry_clear(&e);
}

/*
 * The key for any token, and for /{r} the entry of the machine's one
 * shared role; machine_role and role_credentials say why when there is
 * none.
 */
void
imds_read(struct req *q)
{
	const struct conf_role *role;
	size_t n;

	cgi_file_read(q, &q->aux, "imds.key", IMDS_KEY_FILE_MAX);
	if (q->rt.ep == ROUTE_IMDS_ROLE &&
	    (role = machine_role_find(q, &n)) != NULL && n == 1 &&
	    strcmp(q->rt.role, role->name) == 0 && !role->per_user)
		cgi_entry_read(q, role, NULL);
}

void
imds_answer(struct req *q)
{
	const struct conf_role *role;
	afp_err r;

	if (machine_identify(q) != AFP_OK || cgi_sandbox(q) == -1)
		return;
	if (q->rt.ep == ROUTE_IMDS_TOKEN) {
		token_put(q);
		return;
	}
	if (token_gate(q) != 0 || (role = machine_role(q)) == NULL)
		return;
	if (q->rt.ep == ROUTE_IMDS_ROLE) {
		role_credentials(q, role);
		return;
	}
	/* The bare name, no newline: SDKs append it to the path as it is. */
	if ((r = buf_addstr(&q->body, role->name)) != AFP_OK) {
		cgi_fail(q, 500, "internal error", "answer: %s", afp_strerror(r));
		return;
	}
	q->rp.content_type = REPLY_TEXT;
	q->rp.status = 200;
}
