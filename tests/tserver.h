/*
 * tserver.h: a small HTTP server on 127.0.0.1 for unit tests, run in a
 * forked process that the test kills when it is done.
 */
#ifndef AFP_TSERVER_H
#define AFP_TSERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Answers the requests on one connection; the server closes it after. */
typedef void tserver_fn(int fd, void *arg);

/*
 * Listen on a free port of 127.0.0.1, stored in *port, and fork the
 * server. With per_conn, each connection gets a child of its own, so
 * clients can hold several at once; otherwise they are served in turn.
 * Returns the server's pid, or -1. The alarms end a server the test
 * failed to kill, and a connection that never closes.
 */
static pid_t
tserver_start(int *port, tserver_fn *serve, void *arg, int per_conn)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	pid_t pid;
	int s;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 64) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) == -1) {
		close(s);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	if ((pid = fork()) != 0) {
		close(s);
		return pid;
	}
	signal(SIGCHLD, SIG_IGN);
	alarm(60);
	for (;;) {
		int c = accept(s, NULL, NULL);

		if (c == -1)
			continue;
		if (!per_conn)
			serve(c, arg);
		else if (fork() == 0) {
			close(s);
			alarm(10);
			serve(c, arg);
			_exit(0);
		}
		close(c);
	}
}

/*
 * Read from fd until req[0..*have) holds a whole request head. Returns
 * where its closing "\r\n\r\n" starts, or NULL at end of input or when req
 * is full. Bytes past the head stay in req for the caller.
 */
static char *
tserver_head(int fd, char *req, size_t size, size_t *have)
{
	char *end;
	ssize_t n;

	while ((end = memmem(req, *have, "\r\n\r\n", 4)) == NULL) {
		if (*have == size ||
		    (n = read(fd, req + *have, size - *have)) <= 0)
			return NULL;
		*have += (size_t)n;
	}
	return end;
}

/* Send a response; headers holds further header lines, each ending in CRLF. */
static void
tserver_reply(int fd, int status, const char *headers, const char *body,
    size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\n"
	    "Content-Length: %zu\r\n%s\r\n", status, len, headers);

	if (n < 0 || (size_t)n >= sizeof(head) ||
	    write(fd, head, (size_t)n) != n)
		return;
	while (len > 0) {
		ssize_t w = write(fd, body, len);

		if (w <= 0)
			return;
		body += w;
		len -= (size_t)w;
	}
}

#endif
