/*
 * The ECR phase: GetAuthorizationToken in each of a role's ecr_regions,
 * signed with the role's own credentials.
 */
#include <stdlib.h>
#include <string.h>

#include "ecr.h"
#include "job.h"
#include "log.h"

/* One GetAuthorizationToken: a job in one region. */
struct ecr_task {
	struct job *job;
	const char *region;
	struct buf url;
	struct net_req req;
	struct ecr_token tok;
	struct buf err;
};

int
ecr_due(struct job *j, time_t now)
{
	const struct strlist *regions = &j->role->ecr_regions;
	size_t i;
	int any = 0;

	if (regions->n == 0)
		return 0;
	free(j->need_ecr);
	if ((j->need_ecr = calloc(regions->n, 1)) == NULL) {
		job_fail(j, AFP_ERR_NOMEM, "out of memory");
		return 0;
	}
	for (i = 0; i < regions->n; i++) {
		const struct cache_ecr *v = cache_ecr_find(&j->entry,
		    regions->v[i]);

		j->need_ecr[i] = j->need_creds || v == NULL ||
		    v->expires - now <= (time_t)j->run->c->refresh_before;
		any |= j->need_ecr[i];
	}
	return any;
}

static afp_err
ecr_prepare(struct net_req *req, void *arg)
{
	struct ecr_task *t = arg;

	return ecr_sign(req, buf_str(&t->url), t->region, &t->job->entry.creds,
	    time(NULL));
}

static afp_err
ecr_classify(struct net_req *req, void *arg)
{
	struct ecr_task *t = arg;

	ecr_token_clear(&t->tok);
	buf_reset(&t->err);
	return ecr_parse(req->status, buf_str(&req->resp), req->resp.len,
	    &t->tok, &t->err);
}

/* Move a fetched token into the job's entry. */
static void
ecr_take(struct ecr_task *t)
{
	struct cache_ecr v = { .expires = t->tok.expires };
	afp_err r;

	if ((v.region = strdup(t->region)) == NULL) {
		job_fail(t->job, AFP_ERR_NOMEM, "out of memory");
		return;
	}
	v.token = t->tok.token;
	v.endpoint = t->tok.endpoint;
	t->tok.token = t->tok.endpoint = NULL;
	if ((r = cache_ecr_set(&t->job->entry, &v)) != AFP_OK) {
		free(v.region);
		str_wipe_free(v.token);
		free(v.endpoint);
		job_fail(t->job, r, "ECR %s: %s", t->region, afp_strerror(r));
	}
}

static size_t
ecr_count(const struct run *run)
{
	size_t i, k, n = 0;

	for (i = 0; i < run->njobs; i++) {
		const struct job *j = &run->jobs[i];

		if (j->err != AFP_OK || j->need_ecr == NULL)
			continue;
		for (k = 0; k < j->role->ecr_regions.n; k++)
			n += j->need_ecr[k];
	}
	return n;
}

afp_err
ecr_phase(struct run *run, struct net *n)
{
	struct ecr_task *tasks = NULL;
	struct net_req **reqs = NULL;
	size_t i, k, nt = ecr_count(run), done = 0;
	afp_err r = AFP_OK;

	if (nt == 0)
		return AFP_OK;
	if ((tasks = calloc(nt, sizeof(*tasks))) == NULL ||
	    (reqs = calloc(nt, sizeof(*reqs))) == NULL) {
		r = AFP_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];

		if (j->err != AFP_OK || j->need_ecr == NULL)
			continue;
		for (k = 0; k < j->role->ecr_regions.n; k++) {
			struct ecr_task *t = &tasks[done];

			if (!j->need_ecr[k])
				continue;
			t->job = j;
			t->region = j->role->ecr_regions.v[k];
			buf_init(&t->url, 4096);
			buf_init(&t->err, 1024);
			net_req_init(&t->req);
			done++;
			if ((r = ecr_endpoint(run->c->partition, t->region,
			    run->c->ecr_endpoint, &t->url)) != AFP_OK) {
				job_fail(j, r, "ECR %s: invalid endpoint", t->region);
				continue;
			}
			t->req.prepare = ecr_prepare;
			t->req.classify = ecr_classify;
			t->req.arg = t;
		}
	}
	for (i = 0, k = 0; i < done; i++)
		if (tasks[i].req.arg != NULL)
			reqs[k++] = &tasks[i].req;
	if ((r = net_run(n, reqs, k)) != AFP_OK)
		goto out;
	for (i = 0; i < done; i++) {
		struct ecr_task *t = &tasks[i];

		if (t->req.arg == NULL || t->job->err != AFP_OK)
			continue;
		if (t->req.err == AFP_OK) {
			ecr_take(t);
			continue;
		}
		if (t->err.len == 0)
			net_error_text(&t->req, NULL, NULL, &t->err);
		job_fail(t->job, t->req.err, "ECR %s: %s", t->region,
		    buf_str(&t->err));
	}
out:
	for (i = 0; i < done; i++) {
		buf_free(&tasks[i].url);
		buf_free(&tasks[i].err);
		net_req_free(&tasks[i].req);
		ecr_token_clear(&tasks[i].tok);
	}
	free(tasks);
	free(reqs);
	return r;
}
