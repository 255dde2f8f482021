#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "json.h"
#include "net.h"
#include "source.h"
#include "tm.h"

#define IMDS_DEFAULT "http://169.254.169.254"
#define IMDS_TTL "21600"

static afp_err
set_creds(struct afp_creds *out, const char *akid, const char *secret,
    const char *token)
{
	if (akid == NULL || *akid == '\0' || secret == NULL || *secret == '\0')
		return AFP_ERR_NOTFOUND;
	if ((out->akid = strdup(akid)) == NULL ||
	    (out->secret = strdup(secret)) == NULL ||
	    (token != NULL && *token != '\0' &&
	    (out->token = strdup(token)) == NULL)) {
		creds_clear(out);
		return AFP_ERR_NOMEM;
	}
	return AFP_OK;
}

static afp_err
from_env(struct afp_creds *out)
{
	const char *akid = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");

	if (akid == NULL || secret == NULL) {
		akid = getenv("AWS_ACCESS_KEY");
		secret = getenv("AWS_SECRET_KEY");
	}
	return set_creds(out, akid, secret, getenv("AWS_SESSION_TOKEN"));
}

struct shared_file {
	const char *profile;
	char *akid, *secret, *token;
	int dup;
};

static int
on_shared(void *arg, const char *section, const char *key, const char *value)
{
	struct shared_file *sf = arg;
	char **slot = NULL;

	if (strcmp(section, sf->profile) != 0)
		return 1;
	if (strcmp(key, "aws_access_key_id") == 0)
		slot = &sf->akid;
	else if (strcmp(key, "aws_secret_access_key") == 0)
		slot = &sf->secret;
	else if (strcmp(key, "aws_session_token") == 0)
		slot = &sf->token;
	if (slot == NULL)
		return 1;
	if (*slot != NULL) {
		sf->dup = 1;
		return 0;
	}
	return (*slot = strdup(value)) != NULL;
}

static afp_err
from_shared_file(struct afp_creds *out, struct buf *what, struct buf *err)
{
	struct shared_file sf = { 0 };
	struct buf path;
	const char *home;
	afp_err r;
	int rc;

	buf_init(&path, 4096);
	sf.profile = getenv("AWS_PROFILE");
	if (sf.profile == NULL || *sf.profile == '\0')
		sf.profile = "default";
	if (getenv("AWS_SHARED_CREDENTIALS_FILE") != NULL)
		r = buf_addstr(&path, getenv("AWS_SHARED_CREDENTIALS_FILE"));
	else if ((home = getenv("HOME")) != NULL)
		r = buf_printf(&path, "%s/.aws/credentials", home);
	else {
		r = AFP_ERR_NOTFOUND;
		goto out;
	}
	if (r != AFP_OK)
		goto out;
	rc = ini_parse(buf_str(&path), on_shared, &sf);
	if (rc == -1) {
		r = AFP_ERR_NOTFOUND;
		goto out;
	}
	if (rc != 0) {
		r = buf_printf(err, "%s:%d: cannot parse%s", buf_str(&path),
		    rc, sf.dup ? " (duplicate key)" : "");
		r = r == AFP_OK ? AFP_ERR_CONFIG : r;
		goto out;
	}
	if ((r = set_creds(out, sf.akid, sf.secret, sf.token)) == AFP_OK)
		r = buf_printf(what, "shared credentials file %s, profile %s",
		    buf_str(&path), sf.profile);
out:
	str_wipe_free(sf.akid);
	str_wipe_free(sf.secret);
	str_wipe_free(sf.token);
	buf_free(&path);
	return r;
}

/* One IMDS request at a time; the refresher needs three at most. */
static afp_err
imds_call(struct net *n, const char *method, const char *url,
    const char *token, struct buf *resp, long *status)
{
	struct net_req req, *rp = &req;
	afp_err r;

	net_req_init(&req);
	req.method = method;
	if ((req.url = strdup(url)) == NULL) {
		r = AFP_ERR_NOMEM;
		goto out;
	}
	if (strcmp(method, "PUT") == 0)
		r = net_req_header(&req, "X-aws-ec2-metadata-token-ttl-seconds",
		    IMDS_TTL);
	else if (token != NULL)
		r = net_req_header(&req, "X-aws-ec2-metadata-token", token);
	else
		r = AFP_OK;
	if (r != AFP_OK || (r = net_run(n, &rp, 1)) != AFP_OK)
		goto out;
	*status = req.status;
	if ((r = req.err) == AFP_OK)
		r = buf_add(resp, buf_str(&req.resp), req.resp.len);
out:
	net_req_free(&req);
	return r;
}

static afp_err
imds_parse(const struct buf *body, struct afp_creds *out)
{
	struct json_doc d;
	const char *code, *exp;
	afp_err r;

	if ((r = json_parse(buf_str(body), body->len, &d)) != AFP_OK)
		return AFP_ERR_PARSE;
	code = json_get(&d, "Code", JSON_STRING);
	exp = json_get(&d, "Expiration", JSON_STRING);
	if (code == NULL || strcmp(code, "Success") != 0 || exp == NULL) {
		r = AFP_ERR_PARSE;
		goto out;
	}
	if ((r = set_creds(out, json_get(&d, "AccessKeyId", JSON_STRING),
	    json_get(&d, "SecretAccessKey", JSON_STRING),
	    json_get(&d, "Token", JSON_STRING))) != AFP_OK)
		goto out;
	if ((r = tm_parse_iso8601(exp, &out->expiration)) != AFP_OK)
		creds_clear(out);
out:
	json_doc_free(&d);
	return r == AFP_ERR_NOTFOUND ? AFP_ERR_PARSE : r;
}

static afp_err
from_imds(struct afp_creds *out, struct buf *what, struct buf *err)
{
	struct net_opts o = { .concurrency = 1, .timeout = 2, .max_attempts = 2,
	    .backoff_ms = 100, .max_body = 64 * 1024 };
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	struct buf url, token, role, body;
	struct net *n = NULL;
	long status = 0;
	char *nl;
	afp_err r;

	if (off != NULL && strcasecmp(off, "true") == 0)
		return AFP_ERR_NOTFOUND;
	if (base == NULL || *base == '\0')
		base = IMDS_DEFAULT;
	buf_init(&url, 4096);
	buf_init(&token, 4096);
	buf_init(&role, 256);
	buf_init(&body, 64 * 1024);
	if ((r = net_new(&n, &o)) != AFP_OK)
		goto out;
	/* IMDSv2 first; 403/404/405 or no answer means v1 only. */
	if ((r = buf_printf(&url, "%s/latest/api/token", base)) != AFP_OK)
		goto out;
	if (imds_call(n, "PUT", buf_str(&url), NULL, &token, &status) != AFP_OK)
		buf_reset(&token);
	buf_reset(&url);
	if ((r = buf_printf(&url, "%s/latest/meta-data/iam/security-credentials/",
	    base)) != AFP_OK)
		goto out;
	if ((r = imds_call(n, "GET", buf_str(&url),
	    token.len ? buf_str(&token) : NULL, &role, &status)) != AFP_OK) {
		r = status == 404 || r == AFP_ERR_NET ? AFP_ERR_NOTFOUND : r;
		goto out;
	}
	if ((nl = strchr(role.p, '\n')) != NULL) {
		*nl = '\0';
		role.len = (size_t)(nl - role.p);
	}
	if (!conf_name_ok(buf_str(&role))) {
		r = buf_printf(err, "instance metadata: bad role name");
		r = r == AFP_OK ? AFP_ERR_PARSE : r;
		goto out;
	}
	buf_reset(&url);
	if ((r = buf_printf(&url, "%s/latest/meta-data/iam/security-credentials/%s",
	    base, buf_str(&role))) != AFP_OK ||
	    (r = imds_call(n, "GET", buf_str(&url),
	    token.len ? buf_str(&token) : NULL, &body, &status)) != AFP_OK)
		goto out;
	if ((r = imds_parse(&body, out)) != AFP_OK) {
		afp_err r2 = buf_printf(err, "instance metadata: malformed credentials");
		r = r2 == AFP_OK ? r : r2;
		goto out;
	}
	r = buf_printf(what, "instance metadata, role %s%s", buf_str(&role),
	    token.len ? "" : " (IMDSv1)");
out:
	net_free(n);
	buf_free(&url);
	buf_free(&token);
	buf_free(&role);
	buf_free(&body);
	return r;
}

afp_err
source_load(const struct conf *c, struct afp_creds *out, struct buf *what,
    struct buf *err)
{
	struct stat st;
	afp_err r;

	memset(out, 0, sizeof(*out));
	/* A secrets file that exists but is unsafe is an error, not a skip. */
	if (c->secrets_file != NULL && lstat(c->secrets_file, &st) == 0) {
		if ((r = conf_secrets_load(c->secrets_file, out, err)) != AFP_OK)
			return r;
		return buf_printf(what, "%s", c->secrets_file);
	}
	if ((r = from_env(out)) != AFP_ERR_NOTFOUND)
		return r == AFP_OK ? buf_addstr(what, "environment") : r;
	if ((r = from_shared_file(out, what, err)) != AFP_ERR_NOTFOUND)
		return r;
	if ((r = from_imds(out, what, err)) != AFP_ERR_NOTFOUND)
		return r;
	r = buf_addstr(err, "no base credentials: no secrets file, environment, "
	    "shared credentials file or instance metadata");
	return r == AFP_OK ? AFP_ERR_NOTFOUND : r;
}
