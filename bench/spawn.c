/*
 * spawn: the cost of running a CGI once, outside any web server. Runs
 * PROGRAM N times with posix_spawn and waits for each, with exactly the
 * NAME=VALUE pairs as its environment and /dev/null for its output.
 *
 *   spawn N PROGRAM [NAME=VALUE...]    prints "ms <mean per run>"
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "now.h"


int
main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	char *av[2];
	double t0;
	long n, i;
	pid_t pid;
	int st;

	if (argc < 3 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: spawn N PROGRAM [NAME=VALUE...]\n");
		return 2;
	}
	av[0] = argv[2];
	av[1] = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) ||
	    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0))
		return 1;
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		if (posix_spawn(&pid, argv[2], &fa, NULL, av, argv + 3) != 0 ||
		    waitpid(pid, &st, 0) != pid) {
			perror("spawn");
			return 1;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "spawn: %s failed (status %d)\n", argv[2], st);
			return 1;
		}
	}
	printf("ms %.3f\n", (now_ms() - t0) / (double)n);
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}
