/*
 * Unit tests for the base-credential chain: secrets.conf, environment,
 * shared credentials file, and instance metadata (IMDSv2 with v1
 * fallback) served by a small HTTP server forked on 127.0.0.1.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"
#include "tserver.h"
#include "source.h"

#define TOKEN "imds-token-123"
#define CREDS_JSON "{\"Code\":\"Success\",\"LastUpdated\":\"2030-01-01T00:00:00Z\"," \
	"\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIAIMDSEXAMPLE00001\"," \
	"\"SecretAccessKey\":\"imds/secret\",\"Token\":\"imds-session\"," \
	"\"Expiration\":\"2030-01-01T06:00:00Z\"}"

static char dir[] = "/tmp/afp-test-source.XXXXXX";

static void
reply(int fd, int status, const char *body)
{
	tserver_reply(fd, status, "Connection: close\r\n", body, strlen(body));
}

/* *arg 2: IMDSv2 only (GETs need the token); 1: IMDSv1 only. */
static void
serve(int fd, void *arg)
{
	char req[4096], *end;
	size_t have = 0;
	int mode = *(int *)arg, tok;

	if ((end = tserver_head(fd, req, sizeof(req), &have)) == NULL)
		return;
	/* Keep the last header's CRLF for the token match. */
	end[2] = '\0';
	tok = strstr(req, "X-aws-ec2-metadata-token: " TOKEN "\r\n") != NULL;
	if (strncmp(req, "PUT /latest/api/token ", 22) == 0)
		mode == 2 && strstr(req, "X-aws-ec2-metadata-token-ttl-seconds: ") ?
		    reply(fd, 200, TOKEN) : reply(fd, 403, "");
	else if (mode == 2 && !tok)
		reply(fd, 401, "");
	else if (strncmp(req, "GET /latest/meta-data/iam/security-credentials/ ",
	    48) == 0)
		reply(fd, 200, "ec2-role");
	else if (strncmp(req, "GET /latest/meta-data/iam/security-credentials/ec2-role ",
	    56) == 0)
		reply(fd, 200, CREDS_JSON);
	else
		reply(fd, 404, "");
}

static char *
path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
put(const char *name, const char *text, mode_t mode)
{
	int fd = open(path(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		T_OK(0, "write fixture %s", name);
	if (fd != -1)
		close(fd);
}

static afp_err
load(const char *secrets, struct afp_creds *cr, struct buf *what)
{
	struct conf c = { .secrets_file = (char *)secrets };
	struct buf err;
	afp_err r;

	memset(cr, 0, sizeof(*cr));
	buf_reset(what);
	buf_init(&err, 0);
	r = source_load(&c, cr, what, &err);
	buf_free(&err);
	return r;
}

static void
clear_env(void)
{
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_ACCESS_KEY");
	unsetenv("AWS_SECRET_KEY");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", dir, 1);
}

static void
test_precedence(void)
{
	struct afp_creds cr;
	struct buf what;

	buf_init(&what, 0);
	clear_env();
	put("secrets.conf", "[source]\naccess_key_id = AKIASECRETSFILE00001\n"
	    "secret_access_key = file/secret\n", 0600);
	setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env/secret", 1);
	T_OK(load(path("secrets.conf"), &cr, &what) == AFP_OK &&
	    strcmp(cr.akid, "AKIASECRETSFILE00001") == 0 &&
	    strcmp(cr.secret, "file/secret") == 0 && cr.token == NULL,
	    "secrets.conf wins over the environment");
	T_OK(strstr(buf_str(&what), "secrets.conf") != NULL, "source named: file");
	creds_clear(&cr);

	put("loose.conf", "[source]\naccess_key_id = AKIASECRETSFILE00001\n"
	    "secret_access_key = file/secret\n", 0644);
	T_EQ(load(path("loose.conf"), &cr, &what), AFP_ERR_PERM,
	    "a readable secrets.conf is refused, not skipped");

	setenv("AWS_SESSION_TOKEN", "env-token", 1);
	T_OK(load(path("none.conf"), &cr, &what) == AFP_OK &&
	    strcmp(cr.akid, "AKIAENVIRONMENT00001") == 0 &&
	    strcmp(cr.token, "env-token") == 0 &&
	    strcmp(buf_str(&what), "environment") == 0,
	    "environment when there is no secrets file");
	creds_clear(&cr);

	clear_env();
	setenv("AWS_ACCESS_KEY", "AKIAOLDENVNAMES00001", 1);
	setenv("AWS_SECRET_KEY", "old/secret", 1);
	T_OK(load(path("none.conf"), &cr, &what) == AFP_OK &&
	    strcmp(cr.akid, "AKIAOLDENVNAMES00001") == 0,
	    "older AWS_ACCESS_KEY/AWS_SECRET_KEY names");
	creds_clear(&cr);

	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIAONLYTHEID0000001", 1);
	put("shared", "[default]\naws_access_key_id = AKIADEFAULTPROFILE01\n"
	    "aws_secret_access_key = default/secret\n[ops]\n"
	    "aws_access_key_id = AKIAOPSPROFILE000001\n"
	    "aws_secret_access_key = ops/secret\naws_session_token = ops-token\n",
	    0600);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path("shared"), 1);
	T_OK(load(path("none.conf"), &cr, &what) == AFP_OK &&
	    strcmp(cr.akid, "AKIADEFAULTPROFILE01") == 0,
	    "half-set environment falls through to the shared file, profile default");
	creds_clear(&cr);
	setenv("AWS_PROFILE", "ops", 1);
	T_OK(load(path("none.conf"), &cr, &what) == AFP_OK &&
	    strcmp(cr.akid, "AKIAOPSPROFILE000001") == 0 &&
	    strcmp(cr.token, "ops-token") == 0 &&
	    strstr(buf_str(&what), "profile ops") != NULL,
	    "AWS_PROFILE picks the profile");
	creds_clear(&cr);
	setenv("AWS_PROFILE", "missing", 1);
	T_EQ(load(path("none.conf"), &cr, &what), AFP_ERR_NOTFOUND,
	    "unknown profile and nothing else: no credentials");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	T_EQ(load(path("none.conf"), &cr, &what), AFP_ERR_NOTFOUND,
	    "no source at all: NOTFOUND");
	buf_free(&what);
}

static void
test_imds(void)
{
	struct afp_creds cr;
	struct buf what;
	char url[64];
	pid_t pid;
	int port, mode;

	buf_init(&what, 0);
	for (mode = 2; mode >= 1; mode--) {
		clear_env();
		unsetenv("AWS_EC2_METADATA_DISABLED");
		if ((pid = tserver_start(&port, serve, &mode, 0)) == -1) {
			T_OK(0, "start IMDS stand-in");
			return;
		}
		snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
		setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
		T_OK(load(path("none.conf"), &cr, &what) == AFP_OK &&
		    cr.akid != NULL && strcmp(cr.akid, "ASIAIMDSEXAMPLE00001") == 0 &&
		    strcmp(cr.secret, "imds/secret") == 0 &&
		    strcmp(cr.token, "imds-session") == 0 &&
		    cr.expiration == 1893477600,
		    "IMDS%s: credentials and expiration", mode == 2 ? "v2" : "v1");
		T_OK(strstr(buf_str(&what), "role ec2-role") != NULL &&
		    (strstr(buf_str(&what), "IMDSv1") != NULL) == (mode == 1),
		    "IMDS%s: source named%s", mode == 2 ? "v2" : "v1",
		    mode == 1 ? " as the v1 fallback" : " (token flow)");
		creds_clear(&cr);
		setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
		T_EQ(load(path("none.conf"), &cr, &what), AFP_ERR_NOTFOUND,
		    "AWS_EC2_METADATA_DISABLED turns IMDS off");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	buf_free(&what);
}

int
main(void)
{
	char cmd[128];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	test_precedence();
	test_imds();
	rc = t_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
