/*
 * sts_stub: a fast stand-in for AWS STS, for `make bench` only.
 *
 * usage: sts_stub PORT_FILE
 *
 * Listens on 127.0.0.1 (a port the kernel picks, written to PORT_FILE),
 * speaks HTTP/1.1 with keep-alive from one epoll loop and answers every
 * POST from memory: a body naming Action=GetCallerIdentity gets a caller
 * identity, any other a fixed AssumeRole result expiring an hour after
 * start. It checks no signature and keeps no state per request, so its
 * cost per request is a few microseconds and the benchmark measures the
 * client. On SIGTERM or SIGINT it prints "connections N requests M" on
 * stdout and exits, so the benchmark can check the client's own count.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS	1024
#define REQ_MAX		(64 * 1024)
#define RESP_MAX	4096

struct conn {
	int fd;
	size_t len;
	char in[REQ_MAX];
};

static volatile sig_atomic_t stop;
static char assume_resp[RESP_MAX], identity_resp[RESP_MAX];
static size_t assume_len, identity_len;

static const char assume_xml[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    "<AssumeRoleResult><AssumedRoleUser>"
    "<Arn>arn:aws:sts::123456789012:assumed-role/bench/afp-bench</Arn>"
    "<AssumedRoleId>AROABENCHBENCHBENCH:afp-bench</AssumedRoleId>"
    "</AssumedRoleUser><Credentials>"
    "<AccessKeyId>ASIABENCHBENCHBENCH1</AccessKeyId>"
    "<SecretAccessKey>benchbenchbenchbenchbenchbenchbenchbench</SecretAccessKey>"
    "<SessionToken>FwoGZXIvYXdzEBenchTokenBenchTokenBenchTokenBenchTokenBench"
    "TokenBenchTokenBenchTokenBenchTokenBenchTokenBenchTokenBenchTokenBench"
    "TokenBenchTokenBenchTokenBenchTokenBenchTokenBenchTokenBenchToken==</SessionToken>"
    "<Expiration>%s</Expiration></Credentials></AssumeRoleResult>"
    "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000"
    "</RequestId></ResponseMetadata></AssumeRoleResponse>";

static const char identity_xml[] =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    "<GetCallerIdentityResult>"
    "<Arn>arn:aws:sts::123456789012:assumed-role/bench/afp-bench</Arn>"
    "<UserId>AROABENCHBENCHBENCH:afp-bench</UserId>"
    "<Account>123456789012</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000"
    "</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

static void
on_signal(int sig)
{
	stop = 1;
}

/* Header and body of one canned answer into out; exits on truncation. */
static size_t
make_response(char *out, const char *body)
{
	int n;

	n = snprintf(out, RESP_MAX, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/xml\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(body), body);
	if (n < 0 || n >= RESP_MAX) {
		fprintf(stderr, "sts_stub: response too long\n");
		exit(1);
	}
	return (size_t)n;
}

static void
make_responses(void)
{
	char when[32], body[RESP_MAX];
	time_t t = time(NULL) + 3600;
	struct tm tm;
	int n;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		fprintf(stderr, "sts_stub: cannot format the expiration\n");
		exit(1);
	}
	n = snprintf(body, sizeof(body), assume_xml, when);
	if (n < 0 || (size_t)n >= sizeof(body)) {
		fprintf(stderr, "sts_stub: response too long\n");
		exit(1);
	}
	assume_len = make_response(assume_resp, body);
	identity_len = make_response(identity_resp, identity_xml);
}

/* Content-Length of the header block head (NUL-terminated); 0 when none. */
static size_t
content_length(const char *head)
{
	const char *p = head;
	char *end;
	unsigned long v;

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, "Content-Length:", 15) != 0)
			continue;
		errno = 0;
		v = strtoul(p + 15, &end, 10);
		if (errno != 0 || end == p + 15 || v > REQ_MAX)
			return REQ_MAX;
		return (size_t)v;
	}
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* Answers are small; the client reads them. */
				usleep(100);
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Answer every complete request in c's buffer; -1 when the connection
 * should close.
 */
static int
serve(struct conn *c, unsigned long *requests)
{
	for (;;) {
		char *eoh;
		size_t hlen, blen, total;
		const char *body;
		int who;

		c->in[c->len] = '\0';
		if ((eoh = strstr(c->in, "\r\n\r\n")) == NULL)
			return c->len >= REQ_MAX - 1 ? -1 : 0;
		*eoh = '\0';
		hlen = (size_t)(eoh - c->in) + 4;
		blen = content_length(c->in);
		*eoh = '\r';
		total = hlen + blen;
		if (total >= REQ_MAX)
			return -1;
		if (c->len < total)
			return 0;
		body = c->in + hlen;
		who = blen >= 23 && memmem(body, blen,
		    "Action=GetCallerIdentity", 24) != NULL;
		if (write_all(c->fd, who ? identity_resp : assume_resp,
		    who ? identity_len : assume_len) == -1)
			return -1;
		(*requests)++;
		memmove(c->in, c->in + total, c->len - total);
		c->len -= total;
	}
}

static int
listen_on(const char *port_file)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	FILE *f;
	int s, one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(s, 512) == -1 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) == -1) {
		perror("sts_stub: listen");
		exit(1);
	}
	if ((f = fopen(port_file, "w")) == NULL ||
	    fprintf(f, "%u\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0) {
		perror(port_file);
		exit(1);
	}
	return s;
}

int
main(int argc, char *argv[])
{
	static struct conn *conns[MAX_CONNS];
	struct epoll_event ev, evs[64];
	struct sigaction sa;
	unsigned long nconns = 0, requests = 0;
	int ls, ep, i, n;

	if (argc != 2) {
		fprintf(stderr, "usage: sts_stub PORT_FILE\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	make_responses();
	ls = listen_on(argv[1]);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("sts_stub: epoll");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = ls;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) == -1) {
		perror("sts_stub: epoll_ctl");
		return 1;
	}
	while (!stop) {
		if ((n = epoll_wait(ep, evs, 64, -1)) == -1) {
			if (errno == EINTR)
				continue;
			perror("sts_stub: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd, one = 1;
			struct conn *c;
			ssize_t r;

			if (fd == ls) {
				while ((fd = accept4(ls, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
					if (fd >= MAX_CONNS ||
					    (c = calloc(1, sizeof(*c))) == NULL) {
						close(fd);
						continue;
					}
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
					    &one, sizeof(one));
					c->fd = fd;
					conns[fd] = c;
					ev.events = EPOLLIN;
					ev.data.fd = fd;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
						close(fd);
						free(c);
						conns[fd] = NULL;
						continue;
					}
					nconns++;
				}
				continue;
			}
			c = conns[fd];
			r = read(fd, c->in + c->len, REQ_MAX - 1 - c->len);
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r > 0) {
				c->len += (size_t)r;
				if (serve(c, &requests) == 0)
					continue;
			}
			close(fd);
			free(c);
			conns[fd] = NULL;
		}
	}
	printf("connections %lu requests %lu\n", nconns, requests);
	return 0;
}
