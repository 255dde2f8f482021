/*
 * The console phase: trade each console role's credentials for a sign-in
 * token at the federation endpoint (an unsigned GET), so the CGI can hand
 * out login URLs without talking to AWS.
 */
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "log.h"
#include "signin.h"

int
console_due(const struct job *j, time_t now)
{
	const struct cache_entry *e = &j->entry;

	if (!j->role->console)
		return 0;
	/* A token is good for 15 minutes; cron comes every 5. */
	return j->need_creds || e->signin_token == NULL ||
	    now - (e->signin_expires - SIGNIN_TOKEN_TTL) >= SIGNIN_RENEW_AGE;
}

static afp_err
console_classify(struct net_req *req, void *arg)
{
	struct job *j = arg;
	afp_err r;

	if ((r = http_outcome(req->status)) != AFP_OK)
		return r;
	str_wipe_free(j->entry.signin_token);
	j->entry.signin_token = NULL;
	if ((r = signin_token_parse(buf_str(&req->resp), req->resp.len,
	    &j->entry.signin_token)) != AFP_OK)
		return r;
	j->entry.signin_expires = time(NULL) + SIGNIN_TOKEN_TTL;
	return AFP_OK;
}

afp_err
console_phase(struct run *run, struct net *n)
{
	struct net_req **reqs = NULL;
	struct buf endpoint, url;
	size_t i, k = 0;
	afp_err r;

	buf_init(&endpoint, 4096);
	buf_init(&url, 64 * 1024);
	for (i = 0; i < run->njobs; i++)
		k += run->jobs[i].need_signin && run->jobs[i].err == AFP_OK;
	if (k == 0) {
		r = AFP_OK;
		goto out;
	}
	if ((r = signin_endpoint(run->c->partition, run->c->signin_endpoint,
	    &endpoint)) != AFP_OK) {
		log_err("invalid sign-in endpoint: %s", afp_strerror(r));
		goto out;
	}
	if ((reqs = calloc(k, sizeof(*reqs))) == NULL) {
		r = AFP_ERR_NOMEM;
		goto out;
	}
	for (i = 0, k = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];

		if (!j->need_signin || j->err != AFP_OK)
			continue;
		net_req_free(&j->req);
		net_req_init(&j->req);
		buf_reset(&url);
		/* The URL carries the secret key: it lives in wiping buffers. */
		if ((r = signin_token_url(buf_str(&endpoint), &j->entry.creds,
		    signin_session_duration(j->role, run->base_temporary),
		    &url)) != AFP_OK) {
			job_fail(j, r, "console sign-in: %s", afp_strerror(r));
			continue;
		}
		if ((j->req.url = buf_steal(&url)) == NULL) {
			r = AFP_ERR_NOMEM;
			goto out;
		}
		j->req.method = "GET";
		j->req.classify = console_classify;
		j->req.arg = j;
		reqs[k++] = &j->req;
	}
	if ((r = net_run(n, reqs, k)) != AFP_OK)
		goto out;
	for (i = 0; i < k; i++) {
		struct job *j = reqs[i]->arg;
		struct buf m;

		if (j->req.err == AFP_OK)
			continue;
		buf_init(&m, 1024);
		net_error_text(&j->req, NULL, NULL, &m);
		job_fail(j, j->req.err, "console sign-in: %s", buf_str(&m));
		buf_free(&m);
	}
out:
	free(reqs);
	buf_free(&endpoint);
	buf_free(&url);
	return r;
}
