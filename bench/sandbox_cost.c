/*
 * sandbox_cost: what entering afp.cgi's seccomp sandbox (lib/sandbox.c)
 * costs a process. Forks N children that exit at once, then N that call
 * sandbox_enter() first, and prints the difference per child.
 *
 *   sandbox_cost N    prints "ms <extra per process>"
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "now.h"
#include "sandbox.h"


/* Mean ms per child, each entering the sandbox when sandboxed is set. */
static double
children(long n, int sandboxed)
{
	double t0 = now_ms();
	long i;
	pid_t pid;
	int st;

	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1)
			return -1;
		if (pid == 0)
			_exit(sandboxed && sandbox_enter() != AFP_OK ? 1 : 0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return -1;
	}
	return (now_ms() - t0) / (double)n;
}

int
main(int argc, char **argv)
{
	double plain, boxed;
	long n;

	if (argc != 2 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: sandbox_cost N\n");
		return 2;
	}
	if ((plain = children(n, 0)) < 0 || (boxed = children(n, 1)) < 0) {
		fprintf(stderr, "sandbox_cost: a child failed\n");
		return 1;
	}
	printf("ms %.3f\n", boxed - plain);
	return 0;
}
