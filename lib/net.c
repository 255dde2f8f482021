#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <curl/curl.h>

#include "net.h"

struct net {
	CURLM *multi;
	struct net_opts o;
	long connections;
};

/* Per-request state while net_run() drives it. */
struct net_slot {
	struct net_req *req;
	CURL *easy;
	struct curl_slist *hdrs;
	long long not_before;	/* ms; when a retry may start */
	int done;
	int toobig;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

afp_err
net_new(struct net **out, const struct net_opts *opts)
{
	struct net *n;

	*out = NULL;
	if (opts->concurrency == 0 || opts->max_attempts == 0 ||
	    opts->timeout == 0 || opts->max_body == 0)
		return AFP_ERR_INVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return AFP_ERR_INTERNAL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return AFP_ERR_NOMEM;
	n->o = *opts;
	if ((n->multi = curl_multi_init()) == NULL) {
		free(n);
		return AFP_ERR_NOMEM;
	}
	curl_multi_setopt(n->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)opts->concurrency);
	curl_multi_setopt(n->multi, CURLMOPT_MAXCONNECTS, (long)opts->concurrency);
	*out = n;
	return AFP_OK;
}

void
net_free(struct net *n)
{
	if (n == NULL)
		return;
	curl_multi_cleanup(n->multi);
	free(n);
}

long
net_connections(const struct net *n)
{
	return n->connections;
}

void
net_req_init(struct net_req *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 0);
	buf_init(&r->resp, 0);
}

afp_err
net_req_header(struct net_req *r, const char *name, const char *value)
{
	struct buf h;
	afp_err e;

	if (r->nheaders >= NET_MAX_HEADERS)
		return AFP_ERR_TOOBIG;
	if (strpbrk(name, ":\r\n") != NULL || strpbrk(value, "\r\n") != NULL)
		return AFP_ERR_INVAL;
	buf_init(&h, 0);
	if ((e = buf_printf(&h, "%s: %s", name, value)) != AFP_OK) {
		buf_free(&h);
		return e;
	}
	if ((r->headers[r->nheaders] = buf_steal(&h)) == NULL)
		return AFP_ERR_NOMEM;
	r->nheaders++;
	return AFP_OK;
}

void
net_req_clear_headers(struct net_req *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		str_wipe_free(r->headers[i]);
		r->headers[i] = NULL;
	}
	r->nheaders = 0;
}

void
net_req_free(struct net_req *r)
{
	net_req_clear_headers(r);
	/* A sign-in URL carries credentials in its query. */
	str_wipe_free(r->url);
	r->url = NULL;
	buf_free(&r->body);
	buf_free(&r->resp);
}

/* curl copies header strings; a session token is among them. */
static void
slist_wipe_free(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct net_slot *s = arg;
	size_t n = size * nmemb;

	if (buf_add(&s->req->resp, p, n) != AFP_OK) {
		s->toobig = 1;
		return 0;
	}
	return n;
}

static afp_err
default_classify(struct net_req *req, void *arg)
{
	if (req->status >= 200 && req->status < 300)
		return AFP_OK;
	if (req->status == 429)
		return AFP_ERR_THROTTLED;
	if (req->status >= 500)
		return AFP_ERR_SERVER;
	return AFP_ERR_AWS;
}

static int
retryable(afp_err e)
{
	return e == AFP_ERR_NET || e == AFP_ERR_THROTTLED || e == AFP_ERR_SERVER;
}

static void
slot_release(struct net *n, struct net_slot *s)
{
	if (s->easy != NULL) {
		curl_multi_remove_handle(n->multi, s->easy);
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
	}
	slist_wipe_free(s->hdrs);
	s->hdrs = NULL;
}

static afp_err
slot_start(struct net *n, struct net_slot *s)
{
	struct net_req *req = s->req;
	CURL *e;
	size_t i;
	afp_err r;

	buf_reset(&req->resp);
	req->status = 0;
	req->errmsg[0] = '\0';
	s->toobig = 0;
	req->attempts++;
	if (req->prepare != NULL && (r = req->prepare(req, req->arg)) != AFP_OK)
		return r;
	if (req->url == NULL || req->method == NULL)
		return AFP_ERR_INVAL;
	for (i = 0; i < req->nheaders; i++) {
		struct curl_slist *l = curl_slist_append(s->hdrs, req->headers[i]);

		if (l == NULL)
			return AFP_ERR_NOMEM;
		s->hdrs = l;
	}
	/* No "Expect: 100-continue" round trip for small bodies. */
	{
		struct curl_slist *l = curl_slist_append(s->hdrs, "Expect:");

		if (l == NULL)
			return AFP_ERR_NOMEM;
		s->hdrs = l;
	}
	if ((s->easy = e = curl_easy_init()) == NULL)
		return AFP_ERR_NOMEM;
	if (curl_easy_setopt(e, CURLOPT_URL, req->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK)
		return AFP_ERR_INVAL;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)n->o.timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)n->o.timeout);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)n->o.max_body);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "afp/" AFP_VERSION);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_PRIVATE, s);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->errmsg);
	if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	else {
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, buf_str(&req->body));
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body.len);
	}
	if (curl_multi_add_handle(n->multi, e) != CURLM_OK)
		return AFP_ERR_INTERNAL;
	return AFP_OK;
}

/* Full jitter: a random delay in [0, base * 2^(attempt-1)]. */
static long long
backoff(const struct net *n, unsigned attempt)
{
	unsigned long long cap = n->o.backoff_ms;
	unsigned r = 0;

	while (--attempt > 0 && cap < 60000)
		cap *= 2;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned)now_ms();
	return (long long)(cap == 0 ? 0 : r % (cap + 1));
}

static afp_err
curl_outcome(CURLcode cc, const struct net_slot *s)
{
	if (s->toobig || cc == CURLE_FILESIZE_EXCEEDED)
		return AFP_ERR_TOOBIG;
	switch (cc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return AFP_ERR_INVAL;
	case CURLE_OUT_OF_MEMORY:
		return AFP_ERR_NOMEM;
	default:
		return AFP_ERR_NET;
	}
}

static void
slot_finish(struct net *n, struct net_slot *s, CURLcode cc)
{
	struct net_req *req = s->req;
	long conns = 0;
	afp_err e;

	curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &conns);
	n->connections += conns;
	if (cc == CURLE_OK) {
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &req->status);
		e = (req->classify ? req->classify : default_classify)(req, req->arg);
	} else
		e = curl_outcome(cc, s);
	slot_release(n, s);
	req->err = e;
	if (retryable(e) && req->attempts < n->o.max_attempts)
		s->not_before = now_ms() + backoff(n, req->attempts);
	else
		s->done = 1;
}

afp_err
net_run(struct net *n, struct net_req **reqs, size_t nreqs)
{
	struct net_slot *slots;
	size_t i, done = 0, inflight = 0;
	afp_err r = AFP_OK;

	if (nreqs == 0)
		return AFP_OK;
	if ((slots = calloc(nreqs, sizeof(*slots))) == NULL)
		return AFP_ERR_NOMEM;
	for (i = 0; i < nreqs; i++) {
		slots[i].req = reqs[i];
		reqs[i]->attempts = 0;
		reqs[i]->err = AFP_ERR_INTERNAL;
	}
	while (done < nreqs) {
		long long now = now_ms(), wait = 1000;
		int running, left;
		CURLMsg *m;

		for (i = 0; i < nreqs && inflight < n->o.concurrency; i++) {
			struct net_slot *s = &slots[i];

			if (s->done || s->easy != NULL || s->not_before > now)
				continue;
			if ((s->req->err = slot_start(n, s)) != AFP_OK) {
				slot_release(n, s);
				s->done = 1;
				done++;
				continue;
			}
			inflight++;
		}
		for (i = 0; i < nreqs; i++)
			if (!slots[i].done && slots[i].easy == NULL &&
			    slots[i].not_before - now < wait)
				wait = slots[i].not_before - now;
		if (wait < 0)
			wait = 0;
		/* Transfers that have just finished need no poll, only reading. */
		if (curl_multi_perform(n->multi, &running) != CURLM_OK ||
		    (running > 0 && curl_multi_poll(n->multi, NULL, 0,
		    (int)wait, NULL) != CURLM_OK)) {
			r = AFP_ERR_INTERNAL;
			break;
		}
		if (inflight == 0 && wait > 0) {
			struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

			nanosleep(&ts, NULL);
		}
		if (curl_multi_perform(n->multi, &running) != CURLM_OK) {
			r = AFP_ERR_INTERNAL;
			break;
		}
		while ((m = curl_multi_info_read(n->multi, &left)) != NULL) {
			struct net_slot *s = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    (char **)&s);
			slot_finish(n, s, m->data.result);
			inflight--;
			if (s->done)
				done++;
		}
	}
	for (i = 0; i < nreqs; i++)
		slot_release(n, &slots[i]);
	free(slots);
	return r;
}
