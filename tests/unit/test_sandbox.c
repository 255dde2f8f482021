/*
 * The strict-mode sandbox: each case runs in a child that enters it, so a
 * killed call cannot take the test down. The same calls made outside the
 * sandbox succeed, so the kills come from the seal. The file is included
 * for its static state (a child forgets sandbox_prepare).
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/sandbox.c"
#include "t.h"

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN	1
#endif
#endif

/* Exit codes of a child: 0 the case behaved, 90 the sandbox failed. */
#define C_SANDBOX	90

static char dir[] = "/tmp/test_sandbox.XXXXXX";
static char existing[256];
static int pipefd[2];
static unsigned char *before;	/* allocated before the seal */

typedef int (*case_fn)(void);

/*
 * The child's wait status; sandboxed says whether it enters first. A case
 * returns its exit code; sandbox_exit, since a sealed _exit is killed.
 */
static int
run(case_fn fn, int sandboxed)
{
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (sandboxed && sandbox_enter() != AFP_OK)
			_exit(C_SANDBOX);
		sandbox_exit(fn());
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static int
exited(int st, int code)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

#ifndef T_ASAN
static int
killed(int st)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}
#endif

/*
 * What a sealed request does: read a descriptor opened before, write its
 * answer, and use the heap: the reserve in small and large blocks, grown
 * with realloc, and a block allocated before the seal freed after it.
 */
static int
c_allowed(void)
{
	unsigned char *p[64], *g = NULL, *ng;
	char b[8];
	size_t i, n;

	if (read(pipefd[0], b, 5) != 5 || memcmp(b, "hello", 5) != 0)
		return 1;
	if (write(pipefd[1], "answer", 6) != 6)
		return 2;
	if (write(STDOUT_FILENO, "# sealed child writes to stdout\n", 32) != 32)
		return 3;
	for (i = 0; i < 64; i++) {
		if ((p[i] = malloc(i % 2 ? 100 : 64 * 1024)) == NULL)
			return 4;
		memset(p[i], 0xa5, i % 2 ? 100 : 64 * 1024);
	}
	for (n = 1024; n <= 4 * 1024 * 1024; n *= 2) {
		if ((ng = realloc(g, n)) == NULL)
			return 5;
		g = ng;
		memset(g, 0x5a, n);
	}
	free(g);
	for (i = 0; i < 64; i++)
		free(p[i]);
	free(before);
#ifdef T_ASAN
	if (sandbox_enter() != AFP_OK || sandbox_sealed() != 0)
		return 6;
#else
	if (sandbox_enter() != AFP_OK || sandbox_sealed() != 1)
		return 6;
#endif
	return 0;
}

/* Each call that a sealed process may not make; 0 when it worked. */
static int
c_open(void)
{
	int fd = open(existing, O_RDONLY | O_CLOEXEC);

	return fd == -1;
}

static int
c_close(void)
{
	return close(pipefd[1]) == -1;
}

static int
c_socket_unix(void)
{
	return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) == -1;
}

static int
c_getpid(void)
{
	return syscall(SYS_getpid) <= 0;
}

static int
c_clock(void)
{
	struct timespec ts;

	return syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) != 0;
}

static int
c_mmap(void)
{
	return mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED;
}

/* More than the reserve: malloc must ask the kernel (brk). */
static int
c_past_reserve(void)
{
	void *p = malloc(SANDBOX_HEAP * 2);

	free(p);
	return p == NULL;
}

static int
c_exit_group(void)
{
	syscall(SYS_exit_group, 0);
	return 1;
}

static int
c_execve(void)
{
	char *av[] = { "/bin/true", NULL }, *ev[] = { NULL };

	execve(av[0], av, ev);
	return 1;
}

static int
c_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid == -1;
}

static int
c_kill_parent(void)
{
	return kill(getppid(), 0) == -1;
}

static const struct {
	const char *what;
	case_fn fn;
} kill_cases[] = {
	{ "open(O_RDONLY)", c_open },
	{ "close", c_close },
	{ "socket(AF_UNIX)", c_socket_unix },
	{ "getpid", c_getpid },
	{ "clock_gettime", c_clock },
	{ "mmap", c_mmap },
	{ "malloc past the reserve", c_past_reserve },
	{ "exit_group", c_exit_group },
	{ "execve(/bin/true)", c_execve },
	{ "fork", c_fork },
	{ "kill(parent, 0)", c_kill_parent },
};

/* sandbox_enter in a process that skipped sandbox_prepare. */
static int
c_unprepared(void)
{
	prepared = 0;
	return sandbox_enter() == AFP_ERR_INTERNAL && sandbox_sealed() == 0 ?
	    0 : 1;
}

static int
setup(void)
{
	int fd;

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(existing, sizeof(existing), "%s/existing", dir);
	if ((fd = open(existing, O_WRONLY | O_CREAT | O_EXCL, 0644)) == -1)
		return -1;
	if (write(fd, "content", 7) != 7) {
		close(fd);
		return -1;
	}
	close(fd);
	if (pipe(pipefd) == -1 || write(pipefd[1], "hello", 5) != 5)
		return -1;
	/* Big enough that malloc would have mapped it without prepare. */
	if ((before = malloc(1024 * 1024)) == NULL)
		return -1;
	memset(before, 1, 1024 * 1024);
	return 0;
}

int
main(void)
{
	char b[8];
	size_t i;
	int st;

	sandbox_prepare();
	if (setup() == -1) {
		T_OK(0, "test setup in %s", dir);
		return t_done();
	}

	st = run(c_allowed, 1);
	T_OK(exited(st, 0), "sealed: reads, writes, mallocs, reallocs to 4 MiB, "
	    "frees a block from before the seal, exits (status %#x)", st);
	T_OK(read(pipefd[0], b, 6) == 6 && memcmp(b, "answer", 6) == 0,
	    "the sealed child's write reached the parent");
	st = run(c_unprepared, 0);
	T_OK(exited(st, 0), "without sandbox_prepare: AFP_ERR_INTERNAL, not "
	    "sealed (status %#x)", st);

#ifdef T_ASAN
	st = run(c_open, 1);
	T_OK(exited(st, 0), "ASan build: not sealed, open works (status %#x)",
	    st);
	printf("# ASan build: its runtime cannot run sealed; the kills are "
	    "checked in the plain build\n");
#else
	for (i = 0; i < sizeof(kill_cases) / sizeof(kill_cases[0]); i++) {
		st = run(kill_cases[i].fn, 1);
		T_OK(killed(st), "sealed: %s is killed (status %#x)",
		    kill_cases[i].what, st);
	}
#endif

	/* The same calls outside the sandbox: the kills were the seal's. */
	for (i = 0; i < sizeof(kill_cases) / sizeof(kill_cases[0]); i++) {
		if (kill_cases[i].fn == c_exit_group ||
		    kill_cases[i].fn == c_execve)
			continue;
		st = run(kill_cases[i].fn, 0);
		T_OK(exited(st, 0), "unsealed: %s works (status %#x)",
		    kill_cases[i].what, st);
	}
	st = run(c_execve, 0);
	T_OK(exited(st, 0), "unsealed: execve(/bin/true) runs true");
	st = run(c_exit_group, 0);
	T_OK(exited(st, 0), "unsealed: exit_group(0) exits 0");

	unlink(existing);
	rmdir(dir);
	free(before);
	return t_done();
}
