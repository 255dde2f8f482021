/*
 * curl_baseline: the refresher's baseline in `make bench`.
 *
 * usage: curl_baseline URL N CONCURRENCY
 *
 * Makes the requests a refresh of N roles makes, and nothing else: N
 * AssumeRole calls, then N GetCallerIdentity calls, each a POST signed
 * with afp's own SigV4 code (sts_sign, so both sides pay the same for
 * signing), run over one plain libcurl multi handle with at most
 * CONCURRENCY connections. Responses are checked for status 200 and
 * dropped unparsed: no XML, no cache, no files. The base credentials
 * come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
 *
 * Prints "requests R ok K connections C", C summed from
 * CURLINFO_NUM_CONNECTS; exits 1 unless every request got a 200.
 */
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "creds.h"
#include "err.h"
#include "net.h"
#include "sts.h"

#define REGION "us-east-1"

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

static unsigned long
number(const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max) {
		fprintf(stderr, "curl_baseline: bad number %s\n", s);
		exit(2);
	}
	return v;
}

/* Sign request i of a phase into req. */
static afp_err
sign(struct net_req *req, const char *url, int identity, size_t i,
    const struct afp_creds *base)
{
	struct sts_call call;
	char arn[96];
	int n;

	memset(&call, 0, sizeof(call));
	if (identity) {
		call.action = STS_GET_CALLER_IDENTITY;
	} else {
		n = snprintf(arn, sizeof(arn),
		    "arn:aws:iam::123456789012:role/r%zu", i);
		if (n < 0 || (size_t)n >= sizeof(arn))
			return AFP_ERR_TOOBIG;
		call.action = STS_ASSUME_ROLE;
		call.role_arn = arn;
		call.session_name = "afp-bench";
		call.duration = 3600;
	}
	return sts_sign(req, url, REGION, &call, base, time(NULL));
}

/* One phase: n requests, at most conc connections; adds to *ok and *conns. */
static afp_err
phase(CURLM *m, const char *url, int identity, size_t n,
    const struct afp_creds *base, size_t *ok, long *conns)
{
	struct net_req *reqs;
	struct curl_slist **hdrs;
	CURL **es;
	CURLMsg *msg;
	size_t i, j;
	int running, left;
	afp_err r = AFP_OK;

	reqs = calloc(n, sizeof(*reqs));
	hdrs = calloc(n, sizeof(*hdrs));
	es = calloc(n, sizeof(*es));
	if (reqs == NULL || hdrs == NULL || es == NULL) {
		r = AFP_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		net_req_init(&reqs[i]);
	for (i = 0; i < n; i++) {
		struct net_req *q = &reqs[i];

		if ((r = sign(q, url, identity, i, base)) != AFP_OK)
			goto out;
		for (j = 0; j < q->nheaders; j++) {
			struct curl_slist *s;

			if ((s = curl_slist_append(hdrs[i], q->headers[j])) == NULL) {
				r = AFP_ERR_NOMEM;
				goto out;
			}
			hdrs[i] = s;
		}
		if ((es[i] = curl_easy_init()) == NULL) {
			r = AFP_ERR_NOMEM;
			goto out;
		}
		curl_easy_setopt(es[i], CURLOPT_URL, q->url);
		curl_easy_setopt(es[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(es[i], CURLOPT_HTTPHEADER, hdrs[i]);
		curl_easy_setopt(es[i], CURLOPT_POSTFIELDS, buf_str(&q->body));
		curl_easy_setopt(es[i], CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)q->body.len);
		curl_easy_setopt(es[i], CURLOPT_WRITEFUNCTION, discard);
		if (curl_multi_add_handle(m, es[i]) != CURLM_OK) {
			r = AFP_ERR_NET;
			goto out;
		}
	}
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK ||
		    (running > 0 && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)) {
			r = AFP_ERR_NET;
			goto out;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			long status = 0, c = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
			    &status);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &c);
			*conns += c;
			if (msg->data.result == CURLE_OK && status == 200)
				(*ok)++;
		}
	} while (running > 0);
out:
	for (i = 0; es != NULL && i < n; i++) {
		if (es[i] != NULL) {
			curl_multi_remove_handle(m, es[i]);
			curl_easy_cleanup(es[i]);
		}
		curl_slist_free_all(hdrs[i]);
		net_req_free(&reqs[i]);
	}
	free(es);
	free(hdrs);
	free(reqs);
	return r;
}

int
main(int argc, char *argv[])
{
	struct afp_creds base;
	unsigned long n, conc;
	size_t ok = 0;
	long conns = 0;
	CURLM *m;
	afp_err r;

	if (argc != 4) {
		fprintf(stderr, "usage: curl_baseline URL N CONCURRENCY\n");
		return 2;
	}
	n = number(argv[2], 1000000);
	conc = number(argv[3], 64);
	memset(&base, 0, sizeof(base));
	base.akid = getenv("AWS_ACCESS_KEY_ID");
	base.secret = getenv("AWS_SECRET_ACCESS_KEY");
	if (base.akid == NULL || base.secret == NULL) {
		fprintf(stderr, "curl_baseline: no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY\n");
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (m = curl_multi_init()) == NULL) {
		fprintf(stderr, "curl_baseline: cannot start libcurl\n");
		return 1;
	}
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conc);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conc);
	if ((r = phase(m, argv[1], 0, n, &base, &ok, &conns)) == AFP_OK)
		r = phase(m, argv[1], 1, n, &base, &ok, &conns);
	curl_multi_cleanup(m);
	curl_global_cleanup();
	printf("requests %lu ok %zu connections %ld\n", 2 * n, ok, conns);
	if (r != AFP_OK) {
		fprintf(stderr, "curl_baseline: %s\n", afp_strerror(r));
		return 1;
	}
	return ok == 2 * n ? 0 : 1;
}
