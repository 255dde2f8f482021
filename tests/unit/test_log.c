/*
 * log: the syslog client (the line format, a datagram and a stream
 * socket, no socket, a restarted syslogd, logging after the seal) and the
 * stderr form. The file is included to point it at a test socket.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
#define LOG_SYSLOG_PATH	sock_path
#include "../../lib/log.c"
#include "sandbox.h"
#include "t.h"

static char dir[] = "/tmp/test_log.XXXXXX";

/* A syslogd of the given type at sock_path; -1 on failure. */
static int
server(int type)
{
	struct sockaddr_un sa;
	int fd;

	unlink(sock_path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, sizeof(sa.sun_path));
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 1) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One datagram (or what a stream has), NUL-terminated; its length. */
static ssize_t
recv_line(int fd, char *b, size_t cap)
{
	ssize_t n = recv(fd, b, cap - 1, MSG_DONTWAIT);

	b[n > 0 ? n : 0] = '\0';
	return n;
}

/* Forget the connection, as a new process would start. */
static void
reset(void)
{
	if (log_fd != -1)
		close(log_fd);
	log_fd = -1;
	log_stream = 0;
	log_fixed = 0;
}

static void
test_datagram(void)
{
	char b[2048], want[128];
	int s;

	if ((s = server(SOCK_DGRAM)) == -1) {
		T_OK(0, "datagram server at %s", sock_path);
		return;
	}
	log_open("t-ident", LOG_DEST_SYSLOG, 0);
	log_info("user=%s status=%d", "alice", 200);
	recv_line(s, b, sizeof(b));
	snprintf(want, sizeof(want), "<%d>t-ident[%d]: user=alice status=200",
	    LOG_AUTHPRIV | LOG_INFO, (int)getpid());
	T_STREQ(b, want, "syslog line: <authpriv.info>ident[pid]: text");
	log_err("a\nforged\rline\t%s", "x");
	recv_line(s, b, sizeof(b));
	T_OK(strstr(b, ": a forged line x") != NULL &&
	    strncmp(b, "<83>", 4) == 0,
	    "authpriv.err, control characters blanked: %s", b);
	log_debug("not at verbose 0");
	T_OK(recv_line(s, b, sizeof(b)) == -1, "debug dropped at verbose 0");

	/* A restarted syslogd: connect again, unless log_prepare ran. */
	close(s);
	if ((s = server(SOCK_DGRAM)) == -1)
		return;
	log_warn("after restart");
	recv_line(s, b, sizeof(b));
	T_OK(strstr(b, "]: after restart") != NULL && strncmp(b, "<84>", 4) == 0,
	    "reconnected after a syslogd restart: %s", b);
	log_prepare();
	close(s);
	if ((s = server(SOCK_DGRAM)) == -1)
		return;
	log_warn("dropped");
	T_OK(recv_line(s, b, sizeof(b)) == -1 && log_fd != -1,
	    "after log_prepare a lost syslogd is not reconnected");
	close(s);
	reset();
}

static void
test_stream(void)
{
	char b[2048];
	ssize_t n;
	int s, c;

	if ((s = server(SOCK_STREAM)) == -1) {
		T_OK(0, "stream server");
		return;
	}
	log_open("t-ident", LOG_DEST_SYSLOG, 0);
	log_info("over a stream");
	if ((c = accept(s, NULL, NULL)) == -1) {
		T_OK(0, "accept");
		close(s);
		return;
	}
	n = recv_line(c, b, sizeof(b));
	T_OK(n > 0 && b[n - 1] == '\0' && strstr(b, "]: over a stream") != NULL,
	    "a stream /dev/log gets the line ended by NUL (%zd bytes)", n);
	close(c);
	close(s);
	reset();
}

static void
test_none(void)
{
	unlink(sock_path);
	log_open("t-ident", LOG_DEST_SYSLOG, 0);
	log_err("nobody listens");
	log_prepare();
	log_err("still nobody");
	T_OK(log_fd == -1, "no syslogd: lines dropped, nothing held open");
	reset();
}

/* log_prepare, the seal, then lines: only write(2) may be needed. */
static void
test_sealed(void)
{
	char b[2048];
	pid_t pid;
	int s, st;

	if ((s = server(SOCK_DGRAM)) == -1)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		log_open("t-sealed", LOG_DEST_SYSLOG, 0);
		log_prepare();
		if (sandbox_enter() != AFP_OK)
			_exit(90);
		log_err("from the sandbox");
		sandbox_exit(0);
	}
	T_OK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "a sealed process logs to syslog and exits");
	recv_line(s, b, sizeof(b));
	T_OK(strstr(b, "t-sealed[") != NULL &&
	    strstr(b, "]: from the sandbox") != NULL, "its line arrived: %s", b);
	close(s);
	reset();
}

static void
test_stderr(void)
{
	char b[256];
	int p[2], saved;
	ssize_t n;

	if (pipe(p) == -1 || (saved = dup(STDERR_FILENO)) == -1) {
		T_OK(0, "pipe");
		return;
	}
	dup2(p[1], STDERR_FILENO);
	log_open("t-err", LOG_DEST_STDERR, -1);
	log_warn("hidden at verbose -1");
	log_err("shown %d", 1);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], b, sizeof(b) - 1);
	b[n > 0 ? n : 0] = '\0';
	T_STREQ(b, "t-err: error: shown 1\n",
	    "stderr: one line, warnings dropped at verbose -1");
	close(p[0]);
}

int
main(void)
{
	sandbox_prepare();
	if (mkdtemp(dir) == NULL) {
		T_OK(0, "mkdtemp");
		return t_done();
	}
	snprintf(sock_path, sizeof(sock_path), "%s/log", dir);
	test_datagram();
	test_stream();
	test_none();
	test_sealed();
	test_stderr();
	unlink(sock_path);
	rmdir(dir);
	return t_done();
}
