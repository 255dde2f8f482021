/*
 * Unit tests for net: retries, caps, timeouts and connection reuse against
 * a small HTTP/1.1 server forked on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"
#include "tserver.h"
#include "net.h"

static int *flaky_hits;		/* shared with the server's children */
static int port;

static void
reply(int fd, int status, const char *body, size_t len)
{
	tserver_reply(fd, status, "Content-Type: text/plain\r\n", body, len);
}

/* Serve requests on one connection until the peer closes it. */
static void
serve(int fd, void *arg)
{
	static char big[70000];
	char req[8192];
	size_t have = 0;

	for (;;) {
		char *end, *cl;
		size_t body = 0, used;

		if ((end = tserver_head(fd, req, sizeof(req), &have)) == NULL)
			return;
		*end = '\0';
		if ((cl = strcasestr(req, "Content-Length:")) != NULL)
			body = strtoul(cl + 15, NULL, 10);
		used = (size_t)(end + 4 - req) + body;
		if (used > have)
			return;
		if (strncmp(req, "GET /flaky ", 11) == 0)
			__sync_fetch_and_add(flaky_hits, 1) < 2 ?
			    reply(fd, 503, "busy", 4) : reply(fd, 200, "ok", 2);
		else if (strncmp(req, "GET /big ", 9) == 0) {
			memset(big, 'x', sizeof(big));
			reply(fd, 200, big, sizeof(big));
		} else if (strncmp(req, "GET /throttle ", 14) == 0)
			reply(fd, 429, "slow down", 9);
		else if (strncmp(req, "GET /denied ", 12) == 0)
			reply(fd, 403, "no", 2);
		else if (strncmp(req, "GET /hang ", 10) == 0)
			sleep(30);
		else if (strncmp(req, "POST /echo ", 11) == 0)
			reply(fd, 200, end + 4, body);
		else
			reply(fd, 200, "hello", 5);
		memmove(req, req + used, have - used);
		have -= used;
	}
}

static struct net *
mknet(unsigned conc, unsigned timeout, unsigned attempts, size_t max_body)
{
	struct net_opts o = { .concurrency = conc, .timeout = timeout,
	    .max_attempts = attempts, .backoff_ms = 10, .max_body = max_body };
	struct net *n = NULL;

	return net_new(&n, &o) == AFP_OK ? n : NULL;
}

static afp_err
get1(struct net *n, const char *path, struct net_req *r)
{
	struct net_req *rp = r;
	char url[128];

	net_req_init(r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	r->method = "GET";
	r->url = strdup(url);
	return net_run(n, &rp, 1);
}

static void
test_outcomes(void)
{
	struct net *n = mknet(2, 2, 3, 65536);
	struct net_req r;

	T_OK(n != NULL, "net: created");
	T_OK(get1(n, "/flaky", &r) == AFP_OK && r.err == AFP_OK &&
	    r.attempts == 3 && strcmp(buf_str(&r.resp), "ok") == 0,
	    "retry: two 503s then success in 3 attempts");
	net_req_free(&r);
	T_OK(get1(n, "/throttle", &r) == AFP_OK && r.err == AFP_ERR_THROTTLED &&
	    r.attempts == 3 && r.status == 429, "retry: 429 retried up to the limit");
	net_req_free(&r);
	T_OK(get1(n, "/denied", &r) == AFP_OK && r.err == AFP_ERR_AWS &&
	    r.attempts == 1, "retry: 403 not retried");
	net_req_free(&r);
	T_OK(get1(n, "/big", &r) == AFP_OK && r.err == AFP_ERR_TOOBIG &&
	    r.attempts == 1, "cap: oversized body refused, not retried");
	net_req_free(&r);
	net_free(n);

	n = mknet(1, 1, 2, 65536);
	T_OK(get1(n, "/hang", &r) == AFP_OK && r.err == AFP_ERR_NET &&
	    r.attempts == 2, "timeout: a silent server is a network error, retried");
	net_req_free(&r);
	net_free(n);
}

static void
test_refused(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct net *n = mknet(1, 2, 2, 1024);
	struct net_req r, *rp = &r;
	char url[128];
	int s;

	/* A port that was just free and has no listener. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	bind(s, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(s, (struct sockaddr *)&sa, &len);
	close(s);
	net_req_init(&r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(sa.sin_port));
	r.method = "GET";
	r.url = strdup(url);
	T_OK(net_run(n, &rp, 1) == AFP_OK && r.err == AFP_ERR_NET &&
	    r.attempts == 2 && r.errmsg[0] != '\0',
	    "refused: network error after every attempt, with detail");
	net_req_free(&r);
	r.url = strdup("ftp://127.0.0.1/");
	r.method = "GET";
	T_OK(net_run(n, &rp, 1) == AFP_OK && r.err == AFP_ERR_INVAL,
	    "protocol: only http and https");
	net_req_free(&r);
	net_free(n);
}

static void
test_parallel_reuse(void)
{
	struct net *n = mknet(4, 5, 1, 1024);
	struct net_req r[40], *rp[40];
	char url[128];
	size_t i, ok = 0;

	for (i = 0; i < 40; i++) {
		net_req_init(&r[i]);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/echo", port);
		r[i].method = "POST";
		r[i].url = strdup(url);
		if (buf_printf(&r[i].body, "body-%zu", i) != AFP_OK ||
		    net_req_header(&r[i], "Content-Type", "text/plain") != AFP_OK)
			return;
		rp[i] = &r[i];
	}
	T_OK(net_run(n, rp, 40) == AFP_OK, "parallel: 40 requests run");
	for (i = 0; i < 40; i++) {
		char want[32];

		snprintf(want, sizeof(want), "body-%zu", i);
		ok += r[i].err == AFP_OK && strcmp(buf_str(&r[i].resp), want) == 0;
		net_req_free(&r[i]);
	}
	T_EQ(ok, 40, "parallel: every request got its own answer");
	T_OK(net_connections(n) >= 1 && net_connections(n) <= 4,
	    "reuse: at most 'concurrency' connections for 40 requests (%ld)",
	    net_connections(n));
	net_free(n);
	net_req_init(&r[0]);
	T_EQ(net_req_header(&r[0], "X-Bad", "a\r\nInjected: 1"), AFP_ERR_INVAL,
	    "header: CR/LF refused");
	net_req_free(&r[0]);
}

int
main(void)
{
	pid_t pid;
	int rc;

	flaky_hits = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (flaky_hits == MAP_FAILED ||
	    (pid = tserver_start(&port, serve, NULL, 1)) == -1) {
		T_OK(0, "start test server");
		return 1;
	}
	test_outcomes();
	test_refused();
	test_parallel_reuse();
	rc = t_done();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}
