/*
 * sandbox_cost: what entering afp.cgi's sandbox (lib/sandbox.c) costs a
 * process. Forks 2N children, alternately plain and sandboxed, so the
 * machine's drift falls on both. Each reports the time it spent in
 * sandbox_enter(); the parent times each child from fork to reaping,
 * which includes what the kernel undoes at exit.
 *
 *   sandbox_cost N    prints "attach_ms <median time in sandbox_enter>"
 *                     and "ms <mean extra per process, fork to reaping>"
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "now.h"
#include "sandbox.h"

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One child: the ms it spent entering (0 when plain), or -1; *total. */
static double
child(int sandboxed, double *total)
{
	double t0 = now_ms(), in = -1, t;
	pid_t pid;
	int fd[2], st;

	if (pipe(fd) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		/*
		 * The CGI has used malloc before its seal: copy the arena's
		 * pages this fork shares before the timing, not in it.
		 */
		free(malloc(1));
		t = now_ms();
		if (sandboxed && sandbox_enter() != AFP_OK)
			_exit(1);
		/* The vDSO's clock: no system call, which the seal would kill. */
		t = now_ms() - t;
		sandbox_exit(write(fd[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	close(fd[1]);
	if (read(fd[0], &in, sizeof(in)) != sizeof(in))
		in = -1;
	close(fd[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return -1;
	*total = now_ms() - t0;
	return in;
}

int
main(int argc, char **argv)
{
	double plain = 0, boxed = 0, t, *attach;
	long n, i;

	/* First, as in afp.cgi: the heap is made with the reserve. */
	sandbox_prepare();
	if (argc != 2 || (n = atol(argv[1])) <= 0 ||
	    (attach = calloc((size_t)n, sizeof(*attach))) == NULL) {
		fprintf(stderr, "usage: sandbox_cost N\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (child(0, &t) < 0)
			goto fail;
		plain += t;
		if ((attach[i] = child(1, &t)) < 0)
			goto fail;
		boxed += t;
	}
	qsort(attach, (size_t)n, sizeof(*attach), by_value);
	printf("attach_ms %.3f\nms %.3f\n", attach[n / 2], (boxed - plain) / n);
	free(attach);
	return 0;
 fail:
	fprintf(stderr, "sandbox_cost: a child failed\n");
	free(attach);
	return 1;
}
