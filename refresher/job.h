/*
 * job.h: the refresher's work list, shared by its phases: credentials and
 * identity (refresh.c), console sign-in tokens (console.c), ECR (ecr.c).
 */
#ifndef AFP_JOB_H
#define AFP_JOB_H

#include <time.h>

#include "buf.h"
#include "cache.h"
#include "conf.h"
#include "net.h"
#include "sts.h"

#define MAX_ATTEMPTS 4
#define BACKOFF_MS 200

struct run;

/* One cache entry to refresh: a role, or a (role, user) pair. */
struct job {
	struct run *run;
	const struct conf_role *role;
	char *user;			/* NULL for a shared entry */
	struct buf path;
	struct buf tmp;			/* staged temp file, while store() runs */
	struct buf session;
	struct sts_call call;
	struct net_req req;
	struct sts_result res;		/* of the current phase */
	struct cache_entry entry;	/* what will be written */
	const struct afp_creds *signer;
	afp_err err;
	struct buf errmsg;
	int due;			/* any work below */
	int need_creds;			/* new credentials (and identity) */
	int need_signin;		/* a new console sign-in token */
	unsigned char *need_ecr;	/* per role->ecr_regions entry */
};

struct run {
	const struct conf *c;
	int base_temporary;		/* the base credentials have a token */
	struct buf sts_url;
	struct job *jobs;
	size_t njobs, capjobs;
	time_t start;
};

/* Mark j failed with a message for status.json and the log. */
void job_fail(struct job *j, afp_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A finished request's failure as text: AWS code and message, or transport. */
void net_error_text(const struct net_req *req, const char *code,
    const char *msg, struct buf *out);
/* Classify like net's default: 2xx ok, 429 throttled, 5xx server, else AWS. */
afp_err http_outcome(long status);

/* console.c: whether j needs a new sign-in token (given need_creds). */
int console_due(const struct job *j, time_t now);
/* console.c: fetch sign-in tokens for every job that needs one. */
afp_err console_phase(struct run *run, struct net *n);
/* ecr.c: mark the ECR regions of j that need a new token; 1 if any. */
int ecr_due(struct job *j, time_t now);
/* ecr.c: fetch ECR tokens for every job and region that needs one. */
afp_err ecr_phase(struct run *run, struct net *n);

#endif
