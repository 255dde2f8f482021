#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "cache.h"
#include "json.h"
#include "log.h"
#include "net.h"
#include "job.h"
#include "refresh.h"
#include "source.h"
#include "sts.h"
#include "tm.h"

#define STATUS_MAX (1024 * 1024)

static void
job_free(struct job *j)
{
	free(j->user);
	buf_free(&j->path);
	buf_free(&j->tmp);
	buf_free(&j->session);
	net_req_free(&j->req);
	sts_result_clear(&j->res);
	cache_entry_clear(&j->entry);
	buf_free(&j->errmsg);
	free(j->need_ecr);
}

void
job_fail(struct job *j, afp_err e, const char *fmt, ...)
{
	va_list ap;

	j->err = e;
	buf_reset(&j->errmsg);
	va_start(ap, fmt);
	if (buf_vprintf(&j->errmsg, fmt, ap) != AFP_OK)
		buf_reset(&j->errmsg);
	va_end(ap);
}

static int
selected(const struct conf_role *r, const struct refresh_opts *o)
{
	size_t i, alen = strlen(r->account);

	if (o->nonly == 0)
		return 1;
	for (i = 0; i < o->nonly; i++)
		if (strncmp(o->only[i], r->account, alen) == 0 &&
		    o->only[i][alen] == '/' &&
		    strcmp(o->only[i] + alen + 1, r->name) == 0)
			return 1;
	return 0;
}

static afp_err
add_job(struct run *run, const struct conf_role *r, const char *user)
{
	struct job *nj, *j;

	if (run->njobs == run->capjobs) {
		size_t cap = run->capjobs ? 2 * run->capjobs : 16;

		if ((nj = reallocarray(run->jobs, cap, sizeof(*nj))) == NULL)
			return AFP_ERR_NOMEM;
		run->jobs = nj;
		run->capjobs = cap;
	}
	j = &run->jobs[run->njobs++];
	memset(j, 0, sizeof(*j));
	j->run = run;
	j->role = r;
	buf_init(&j->path, 4096);
	buf_init(&j->tmp, 4096);
	buf_init(&j->session, 128);
	buf_init(&j->errmsg, 1024);
	net_req_init(&j->req);
	if (user != NULL && (j->user = strdup(user)) == NULL)
		return AFP_ERR_NOMEM;
	if (cache_path(&j->path, run->c->cache_dir, r->account, r->name,
	    user) != AFP_OK)
		job_fail(j, AFP_ERR_INVAL, "%s", "invalid cache path");
	else if (r->type != ROLE_SESSION_TOKEN &&
	    conf_session_name(r, user, &j->session) != AFP_OK)
		job_fail(j, AFP_ERR_INVAL, "session name for user %s breaks STS "
		    "rules (2-64 characters of A-Za-z0-9+=,.@_-)", user ? user : "-");
	return AFP_OK;
}

static afp_err
plan(struct run *run, const struct refresh_opts *o)
{
	const struct conf *c = run->c;
	size_t i, k;
	afp_err r;

	for (i = 0; i < c->nroles; i++) {
		const struct conf_role *role = &c->roles[i];
		struct strlist users = { 0 };

		if (!selected(role, o))
			continue;
		if (!role->per_user) {
			if ((r = add_job(run, role, NULL)) != AFP_OK)
				return r;
			continue;
		}
		if ((r = authz_role_users(c, role, &users)) != AFP_OK) {
			log_err("%s/%s: cannot list users: %s", role->account,
			    role->name, afp_strerror(r));
			return r;
		}
		for (k = 0; k < users.n && r == AFP_OK; k++)
			r = add_job(run, role, users.v[k]);
		strlist_free(&users);
		if (r != AFP_OK)
			return r;
	}
	return AFP_OK;
}

/*
 * Credentials are due when missing, unreadable or expiring within
 * refresh_before. Otherwise the entry is kept and only what else has aged
 * (console token, ECR tokens) is fetched for it.
 */
static void
mark_due(struct run *run, const struct refresh_opts *o)
{
	size_t i;

	for (i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];
		struct cache_entry old;
		afp_err r;

		if (j->err != AFP_OK)
			continue;
		memset(&old, 0, sizeof(old));
		/* --force renews every entry: the old ones need no reading. */
		r = o->force ? AFP_ERR_NOTFOUND :
		    cache_read(buf_str(&j->path), &old);
		j->need_creds = o->force || r != AFP_OK ||
		    old.creds.expiration - run->start <=
		    (time_t)run->c->refresh_before;
		if (r != AFP_OK && r != AFP_ERR_NOTFOUND)
			log_warn("%s: unreadable (%s), refreshing",
			    buf_str(&j->path), afp_strerror(r));
		if (!j->need_creds) {
			j->entry = old;
			memset(&old, 0, sizeof(old));
		}
		cache_entry_clear(&old);
		j->need_signin = console_due(j, run->start);
		j->due = j->need_creds | j->need_signin | ecr_due(j, run->start);
	}
}

/* Sign each attempt afresh: a retry may come minutes later. */
static afp_err
sts_prepare(struct net_req *req, void *arg)
{
	struct job *j = arg;

	return sts_sign(req, buf_str(&j->run->sts_url), j->run->c->region,
	    &j->call, j->signer, time(NULL));
}

static afp_err
sts_classify(struct net_req *req, void *arg)
{
	struct job *j = arg;

	sts_result_clear(&j->res);
	return sts_parse(j->call.action, req->status, buf_str(&req->resp),
	    req->resp.len, &j->res);
}

static void
set_call(struct job *j)
{
	const struct conf_role *r = j->role;
	static const enum sts_action action[] = {
		[ROLE_ASSUME_ROLE] = STS_ASSUME_ROLE,
		[ROLE_FEDERATION_TOKEN] = STS_GET_FEDERATION_TOKEN,
		[ROLE_SESSION_TOKEN] = STS_GET_SESSION_TOKEN,
	};

	memset(&j->call, 0, sizeof(j->call));
	j->call.action = action[r->type];
	j->call.duration = r->duration;
	if (r->type == ROLE_SESSION_TOKEN)
		return;
	j->call.session_name = buf_str(&j->session);
	j->call.policy = r->policy;
	j->call.policy_arns = r->policy_arns.v;
	j->call.npolicy_arns = r->policy_arns.n;
	if (r->type == ROLE_ASSUME_ROLE) {
		j->call.role_arn = r->role_arn;
		j->call.external_id = r->external_id;
	}
}

void
net_error_text(const struct net_req *req, const char *code, const char *msg,
    struct buf *out)
{
	afp_err r;

	if (code != NULL)
		r = buf_printf(out, "%s%s%s (HTTP %ld, %u attempts)", code,
		    msg != NULL && *msg != '\0' ? ": " : "", msg ? msg : "",
		    req->status, req->attempts);
	else
		r = buf_printf(out, "%s%s%s (HTTP %ld, %u attempts)",
		    afp_strerror(req->err), req->errmsg[0] ? ": " : "",
		    req->errmsg, req->status, req->attempts);
	if (r != AFP_OK)
		buf_reset(out);
}

afp_err
http_outcome(long status)
{
	if (status >= 200 && status < 300)
		return AFP_OK;
	if (status == 429)
		return AFP_ERR_THROTTLED;
	return status >= 500 ? AFP_ERR_SERVER : AFP_ERR_AWS;
}

static void
record_net_error(struct job *j, const char *what)
{
	struct buf m;

	buf_init(&m, 1024);
	net_error_text(&j->req, j->res.err_code, j->res.err_msg, &m);
	job_fail(j, j->req.err, "%s: %s", what, buf_str(&m));
	buf_free(&m);
}

static void
take_creds(struct job *j, time_t now)
{
	j->entry.creds = j->res.creds;
	memset(&j->res.creds, 0, sizeof(j->res.creds));
	j->entry.last_updated = now;
	if (j->entry.creds.expiration <= now)
		job_fail(j, AFP_ERR_EXPIRED, "%s",
		    "STS returned credentials that have already expired");
}

static void
take_identity(struct job *j)
{
	j->entry.id_account = j->res.account;
	j->entry.id_arn = j->res.arn;
	j->entry.id_userid = j->res.id;
	j->res.account = j->res.arn = j->res.id = NULL;
}

/*
 * Run one STS phase over every job that is due and still healthy: the
 * credentials call with the base credentials, or GetCallerIdentity with
 * the new ones.
 */
static afp_err
phase(struct run *run, struct net *n, int identity, const struct afp_creds *base)
{
	struct net_req **reqs;
	size_t i, k = 0;
	afp_err r;

	if ((reqs = calloc(run->njobs ? run->njobs : 1, sizeof(*reqs))) == NULL)
		return AFP_ERR_NOMEM;
	for (i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];

		if (!j->need_creds || j->err != AFP_OK)
			continue;
		net_req_free(&j->req);
		net_req_init(&j->req);
		if (identity) {
			memset(&j->call, 0, sizeof(j->call));
			j->call.action = STS_GET_CALLER_IDENTITY;
			j->signer = &j->entry.creds;
		} else {
			set_call(j);
			j->signer = base;
		}
		j->req.prepare = sts_prepare;
		j->req.classify = sts_classify;
		j->req.arg = j;
		reqs[k++] = &j->req;
	}
	if ((r = net_run(n, reqs, k)) == AFP_OK) {
		for (i = 0; i < k; i++) {
			struct job *j = reqs[i]->arg;

			if (j->req.err != AFP_OK)
				record_net_error(j, identity ?
				    "GetCallerIdentity" : "STS");
			else if (identity)
				take_identity(j);
			else
				take_creds(j, time(NULL));
		}
	}
	free(reqs);
	return r;
}

static const char *
job_name(const struct job *j, struct buf *b)
{
	buf_reset(b);
	if (buf_printf(b, "%s/%s%s%s", j->role->account, j->role->name,
	    j->user ? " for " : "", j->user ? j->user : "") != AFP_OK)
		return "?";
	return buf_str(b);
}

static afp_err
fetch(struct run *run, const struct afp_creds *base)
{
	const struct conf *c = run->c;
	struct net_opts no = { .concurrency = c->concurrency,
	    .timeout = c->timeout, .max_attempts = MAX_ATTEMPTS,
	    .backoff_ms = BACKOFF_MS, .max_body = STS_BODY_MAX };
	struct net *n = NULL;
	afp_err r;

	if ((r = net_new(&n, &no)) != AFP_OK)
		return r;
	/*
	 * The new credentials then prove themselves and name their identity,
	 * and buy the console and ECR tokens.
	 */
	if ((r = phase(run, n, 0, base)) == AFP_OK &&
	    (r = phase(run, n, 1, NULL)) == AFP_OK &&
	    (r = console_phase(run, n)) == AFP_OK &&
	    (r = ecr_phase(run, n)) == AFP_OK)
		log_debug("%ld connections for %zu entries", net_connections(n),
		    run->njobs);
	net_free(n);
	return r;
}

/* The log line of an entry written. */
static void
log_stored(const struct job *j, struct buf *name)
{
	if (j->need_creds)
		log_info("%s: refreshed (%s, key %s)", job_name(j, name),
		    j->entry.id_arn ? j->entry.id_arn : "-", j->entry.creds.akid);
	else
		log_info("%s: console/ECR tokens renewed (key %s)",
		    job_name(j, name), j->entry.creds.akid);
}

static void
store_fail(struct job *j, afp_err r, struct buf *name)
{
	job_fail(j, r, "cannot write cache entry: %s",
	    errno != 0 ? strerror(errno) : afp_strerror(r));
	log_err("%s: %s", job_name(j, name), buf_str(&j->errmsg));
}

/* Each due entry into a temp file beside it. */
static void
store_stage(struct run *run, struct buf *name)
{
	size_t i;
	afp_err r;

	for (i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];

		/* Errors found while planning count too, due or not. */
		if (j->err != AFP_OK) {
			log_err("%s: %s", job_name(j, name), buf_str(&j->errmsg));
			continue;
		}
		if (!j->due)
			continue;
		errno = 0;
		if ((r = cache_stage(buf_str(&j->path), &j->entry, &j->tmp)) !=
		    AFP_OK)
			store_fail(j, r, name);
	}
}

/*
 * After a failed flush every entry still standing failed: before the
 * renames its temp file goes; after them it is in place but not known to
 * last.
 */
static void
store_flush_failed(struct run *run, afp_err r, struct buf *name)
{
	int saved = errno;
	size_t i;

	for (i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];

		if (!j->due || j->err != AFP_OK)
			continue;
		if (j->tmp.len > 0)
			cache_discard(buf_str(&j->tmp));
		buf_reset(&j->tmp);
		errno = saved;
		store_fail(j, r, name);
	}
}

/* Every staged entry renamed into place. */
static void
store_commit(struct run *run, struct buf *name)
{
	size_t i;
	afp_err r;

	for (i = 0; i < run->njobs; i++) {
		struct job *j = &run->jobs[i];

		if (j->tmp.len == 0)
			continue;
		errno = 0;
		if ((r = cache_commit(buf_str(&j->tmp), buf_str(&j->path))) !=
		    AFP_OK)
			store_fail(j, r, name);
		buf_reset(&j->tmp);
	}
}

/*
 * Write every due entry in steps over all of them: stage each, flush the
 * file system once, rename each into place, flush once more for the
 * renames. A crash at any point leaves every entry old or new and whole:
 * no rename happens before its data is on the disk.
 */
static void
store(struct run *run)
{
	struct buf name;
	size_t i;
	afp_err r;

	buf_init(&name, 512);
	store_stage(run, &name);
	errno = 0;
	if ((r = cache_sync_fs(run->c->cache_dir)) != AFP_OK)
		store_flush_failed(run, r, &name);
	store_commit(run, &name);
	errno = 0;
	if ((r = cache_sync_fs(run->c->cache_dir)) != AFP_OK)
		store_flush_failed(run, r, &name);
	for (i = 0; i < run->njobs; i++)
		if (run->jobs[i].due && run->jobs[i].err == AFP_OK)
			log_stored(&run->jobs[i], &name);
	buf_free(&name);
}

static afp_err
write_status(const struct run *run, size_t *failed)
{
	struct buf b, p;
	size_t i, refreshed = 0;
	int first = 1, efirst = 1;
	afp_err r;

	*failed = 0;
	for (i = 0; i < run->njobs; i++) {
		refreshed += run->jobs[i].due && run->jobs[i].err == AFP_OK;
		*failed += run->jobs[i].err != AFP_OK;
	}
	buf_init(&b, STATUS_MAX);
	buf_init(&p, 4096);
	if ((r = buf_addc(&b, '{')) != AFP_OK ||
	    (r = json_kv_int(&b, &first, "version", 1)) != AFP_OK ||
	    (r = buf_printf(&b, ",\"ok\":%s", *failed ? "false" : "true")) != AFP_OK ||
	    (r = json_kv_int(&b, &first, "start", (long long)run->start)) != AFP_OK ||
	    (r = json_kv_int(&b, &first, "end", (long long)time(NULL))) != AFP_OK ||
	    (r = json_kv_int(&b, &first, "entries", (long long)run->njobs)) != AFP_OK ||
	    (r = json_kv_int(&b, &first, "refreshed", (long long)refreshed)) != AFP_OK ||
	    (r = json_kv_int(&b, &first, "failed", (long long)*failed)) != AFP_OK ||
	    (r = buf_addstr(&b, ",\"errors\":[")) != AFP_OK)
		goto out;
	for (i = 0; i < run->njobs; i++) {
		const struct job *j = &run->jobs[i];
		int ef = 1;

		if (j->err == AFP_OK)
			continue;
		buf_reset(&p);
		if ((r = buf_printf(&p, "%s/%s", j->role->account, j->role->name)) != AFP_OK ||
		    (r = buf_addstr(&b, efirst ? "{" : ",{")) != AFP_OK ||
		    (r = json_kv(&b, &ef, "role", buf_str(&p))) != AFP_OK ||
		    (j->user != NULL && (r = json_kv(&b, &ef, "user", j->user)) != AFP_OK) ||
		    (r = json_kv(&b, &ef, "error", buf_str(&j->errmsg))) != AFP_OK ||
		    (r = buf_addc(&b, '}')) != AFP_OK)
			goto out;
		efirst = 0;
	}
	if ((r = buf_addstr(&b, "]}\n")) != AFP_OK)
		goto out;
	buf_reset(&p);
	if ((r = buf_printf(&p, "%s/status.json", run->c->cache_dir)) != AFP_OK)
		goto out;
	r = cache_write_file(buf_str(&p), b.p, b.len);
out:
	buf_free(&b);
	buf_free(&p);
	return r;
}

/* A failure before or around the requests: every due entry failed. */
static void
fail_due(struct run *run, afp_err e, const char *what, const char *detail)
{
	size_t i;

	for (i = 0; i < run->njobs; i++)
		if (run->jobs[i].due && run->jobs[i].err == AFP_OK)
			job_fail(&run->jobs[i], e, "%s: %s", what, detail);
}

static void
dry_run_report(const struct run *run)
{
	struct buf name;
	size_t i;

	buf_init(&name, 512);
	for (i = 0; i < run->njobs; i++) {
		const struct job *j = &run->jobs[i];

		printf("%s: %s\n", job_name(j, &name), j->err != AFP_OK ?
		    buf_str(&j->errmsg) : j->due ? "due" : "fresh");
	}
	buf_free(&name);
}

afp_err
refresh_run(const struct conf *c, const struct refresh_opts *o)
{
	struct run run = { .c = c, .start = time(NULL) };
	struct afp_creds base = { 0 };
	struct buf what, err;
	size_t i, failed = 0;
	afp_err r;

	buf_init(&run.sts_url, 4096);
	buf_init(&what, 1024);
	buf_init(&err, 1024);
	if ((r = plan(&run, o)) != AFP_OK)
		goto out;
	mark_due(&run, o);
	if (o->dry_run) {
		dry_run_report(&run);
		goto out;
	}
	for (i = 0; i < run.njobs && !run.jobs[i].due; i++)
		;
	if (i < run.njobs) {
		if ((r = sts_endpoint(c->partition, c->region, c->sts_endpoint,
		    &run.sts_url)) != AFP_OK) {
			log_err("invalid STS endpoint: %s", afp_strerror(r));
			goto out;
		}
		if ((r = source_load(c, &base, &what, &err)) != AFP_OK)
			fail_due(&run, r, "base credentials",
			    err.len ? buf_str(&err) : afp_strerror(r));
		else {
			run.base_temporary = base.token != NULL;
			log_info("base credentials from %s (key %s)",
			    buf_str(&what), base.akid);
			if ((r = fetch(&run, &base)) != AFP_OK)
				fail_due(&run, r, "refresh aborted",
				    afp_strerror(r));
		}
	}
	store(&run);
	errno = 0;
	if (write_status(&run, &failed) != AFP_OK) {
		log_err("cannot write %s/status.json: %s", c->cache_dir,
		    errno != 0 ? strerror(errno) : "internal error");
		if (r == AFP_OK)
			r = AFP_ERR_IO;
	}
	if (r == AFP_OK && failed > 0)
		r = AFP_ERR_AWS;
	log_info("%zu entries, %zu failed", run.njobs, failed);
out:
	creds_clear(&base);
	for (i = 0; i < run.njobs; i++)
		job_free(&run.jobs[i]);
	free(run.jobs);
	buf_free(&run.sts_url);
	buf_free(&what);
	buf_free(&err);
	return r;
}
