/*
 * sandbox_cost: what entering afp.cgi's sandbox (lib/sandbox.c) costs a
 * process. Spawns itself 2N times, alternately plain and sandboxed, so
 * the machine's drift falls on both. A forked child would share its
 * parent's pages and pay copy-on-write faults in the timing; a spawned
 * one starts like the CGI, from exec. Each child reports the time it
 * spent in sandbox_enter(); the parent times each from posix_spawn to
 * reaping, which includes what the kernel undoes at exit.
 *
 *   sandbox_cost N    prints "attach_ms <median time in sandbox_enter>"
 *                     and "ms <mean extra per process, spawn to reaping>"
 */
#include <sys/wait.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "now.h"
#include "sandbox.h"

#define CHILD	"--child"

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The spawned side: as in afp.cgi, prepare first, use malloc, enter. */
static int
child(int sandboxed)
{
	void *volatile p;
	double t;

	sandbox_prepare();
	/* volatile, or the compiler drops the pair: no heap until the timing. */
	p = malloc(1);
	free(p);
	/* The first clock read faults in the vDSO's data page. */
	(void)now_ms();
	t = now_ms();
	if (sandboxed && sandbox_enter() != AFP_OK)
		return 1;
	/* The vDSO's clock: no system call, which the seal would kill. */
	t = now_ms() - t;
	sandbox_exit(write(1, &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	return 1;
}

/* One child: the ms it spent entering (0 when plain), or -1; *total. */
static double
run(const char *self, int sandboxed, double *total)
{
	posix_spawn_file_actions_t fa;
	char *av[] = { (char *)self, CHILD, sandboxed ? "1" : "0", NULL };
	char *ev[] = { NULL };
	double t0 = 0, in = -1;
	pid_t pid = -1;
	int fd[2], st;

	if (pipe(fd) == -1)
		return -1;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	if (posix_spawn_file_actions_adddup2(&fa, fd[1], 1) == 0 &&
	    posix_spawn_file_actions_addclose(&fa, fd[0]) == 0) {
		t0 = now_ms();
		if (posix_spawn(&pid, self, &fa, NULL, av, ev) != 0)
			pid = -1;
	}
	posix_spawn_file_actions_destroy(&fa);
 out:
	close(fd[1]);
	if (pid != -1 && read(fd[0], &in, sizeof(in)) != sizeof(in))
		in = -1;
	close(fd[0]);
	if (pid == -1 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
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

	if (argc == 3 && strcmp(argv[1], CHILD) == 0)
		return child(strcmp(argv[2], "1") == 0);
	if (argc != 2 || (n = atol(argv[1])) <= 0 ||
	    (attach = calloc((size_t)n, sizeof(*attach))) == NULL) {
		fprintf(stderr, "usage: sandbox_cost N\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (run("/proc/self/exe", 0, &t) < 0)
			goto fail;
		plain += t;
		if ((attach[i] = run("/proc/self/exe", 1, &t)) < 0)
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
