/*
 * The seccomp sandbox: each case runs in a child that enters it, so a
 * killed call cannot take the test down. The same calls made outside the
 * sandbox succeed, so the denials come from the filter. A BPF interpreter
 * runs the compiled search tree for every syscall number and checks it
 * against the rule table (the file is included for its static table).
 */
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
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
static char existing[256], created[256];
static int pipefd[2];

typedef int (*case_fn)(void);

/* The child's wait status; sandboxed says whether it enters first. */
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
		_exit(fn());
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

static int
killed_sigsys(int st)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
}

/* 0 when the call failed with EPERM, 1 when it worked, 2 otherwise. */
static int
eperm(long rc)
{
	if (rc != -1)
		return 1;
	return errno == EPERM ? 0 : 2;
}

static int
c_allowed(void)
{
	char b[64];
	struct timespec ts;
	struct passwd *pw;
	unsigned char *m;
	ssize_t n;
	int fd, s;

	/* A descriptor opened before, and a file opened after. */
	if (read(pipefd[0], b, 5) != 5 || memcmp(b, "hello", 5) != 0)
		return 1;
	if ((fd = open(existing, O_RDONLY | O_CLOEXEC)) == -1)
		return 2;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n != 7 || memcmp(b, "content", 7) != 0)
		return 3;
	if ((m = malloc(1024 * 1024)) == NULL)
		return 4;
	memset(m, 0xa5, 1024 * 1024);
	free(m);
	if (write(pipefd[1], "answer", 6) != 6)
		return 5;
	if (write(STDOUT_FILENO, "# sandboxed child writes to stdout\n", 35) != 35)
		return 6;
	if (time(NULL) < 1000000000)
		return 7;
	/* The clock without the vDSO, as under valgrind. */
	if (syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) != 0 ||
	    ts.tv_sec < 1000000000)
		return 11;
#ifdef SYS_time
	if (syscall(SYS_time, NULL) < 1000000000)
		return 12;
#endif
	/* NSS group and user lookups still answer (authorization needs them). */
	if ((pw = getpwuid(getuid())) == NULL)
		return 8;
	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 9;
	close(s);
	if (sandbox_enter() != AFP_OK)
		return 10;
	return 0;
}

static int
c_socket_inet(void)
{
	return eperm(socket(AF_INET, SOCK_STREAM, 0));
}

static int
c_socket_inet6(void)
{
	return eperm(socket(AF_INET6, SOCK_DGRAM, 0));
}

static int
c_socket_netlink(void)
{
	return eperm(socket(AF_NETLINK, SOCK_RAW, 0));
}

static int
c_create(void)
{
	return eperm(openat(AT_FDCWD, created, O_WRONLY | O_CREAT | O_EXCL, 0600));
}

static int
c_write_existing(void)
{
	return eperm(open(existing, O_RDWR));
}

static int
c_truncate_existing(void)
{
	return eperm(open(existing, O_RDONLY | O_TRUNC));
}

static int
c_append_existing(void)
{
	return eperm(open(existing, O_WRONLY | O_APPEND));
}

static int
c_tmpfile(void)
{
	return eperm(open(dir, O_TMPFILE | O_RDWR, 0600));
}

static int
c_unlink(void)
{
	return eperm(unlink(existing));
}

static int
c_chmod(void)
{
	return eperm(chmod(existing, 0666));
}

static int
c_mmap_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		return 1;
	return errno == EPERM ? 0 : 2;
}

static int
c_mprotect_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 3;
	return eperm(mprotect(p, 4096, PROT_READ | PROT_EXEC));
}

static int
c_kill_parent(void)
{
	return eperm(kill(getppid(), 0));
}

static int
c_setuid(void)
{
	return eperm(setuid(getuid()));
}

static int
c_execve(void)
{
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return 1;
}

#ifndef T_ASAN
static int
c_fork(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	return 1;
}

static int
c_ptrace(void)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1 ? 2 : 1;
}
#endif

#ifdef __x86_64__
/* The x32 ABI's getpid: the filter must not let a second ABI through. */
static int
c_x32(void)
{
	return syscall(0x40000000L | SYS_getpid) == -1 ? 2 : 1;
}
#endif

struct denied {
	const char *what;
	case_fn fn;
};

static const struct denied eperm_cases[] = {
	{ "socket(AF_INET)", c_socket_inet },
	{ "socket(AF_INET6)", c_socket_inet6 },
	{ "socket(AF_NETLINK)", c_socket_netlink },
	{ "openat(O_WRONLY|O_CREAT) of a new file", c_create },
	{ "open(O_RDWR) of an existing file", c_write_existing },
	{ "open(O_RDONLY|O_TRUNC)", c_truncate_existing },
	{ "open(O_WRONLY|O_APPEND)", c_append_existing },
	{ "open(O_TMPFILE)", c_tmpfile },
	{ "unlink", c_unlink },
	{ "chmod", c_chmod },
	{ "mmap(PROT_EXEC)", c_mmap_exec },
	{ "mprotect(PROT_EXEC)", c_mprotect_exec },
	{ "kill(parent)", c_kill_parent },
	{ "setuid", c_setuid },
};

static const struct denied kill_cases[] = {
	{ "execve(/bin/true)", c_execve },
#ifndef T_ASAN
	{ "fork", c_fork },
	{ "ptrace(PTRACE_TRACEME)", c_ptrace },
#endif
#ifdef __x86_64__
	{ "an x32 syscall", c_x32 },
#endif
};

static int
setup(void)
{
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return -1;
	if (snprintf(existing, sizeof(existing), "%s/existing", dir) >=
	    (int)sizeof(existing) ||
	    snprintf(created, sizeof(created), "%s/created", dir) >=
	    (int)sizeof(created))
		return -1;
	if ((f = fopen(existing, "w")) == NULL)
		return -1;
	fputs("content", f);
	if (fclose(f) != 0 || chmod(existing, 0644) == -1)
		return -1;
	return 0;
}

static void
teardown(void)
{
	(void)unlink(existing);
	(void)unlink(created);
	(void)rmdir(dir);
}

/* Classic BPF as seccomp runs it; steps counts the instructions run. */
static unsigned int
bpf_run(const struct prog *p, const struct seccomp_data *d, int *steps)
{
	unsigned int a = 0, pc = 0, off;

	for (*steps = 0; pc < p->n; (*steps)++) {
		const struct sock_filter *f = &p->f[pc++];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			off = f->k;
			if (off % 4 != 0 || off + 4 > sizeof(*d))
				return 0xdeadU;
			memcpy(&a, (const char *)d + off, 4);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & f->k) != 0 ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			return 0xbeefU;
		}
	}
	return 0xfeedU;		/* ran off the end */
}

/* What the rule table says for nr with argument arg set to v. */
static unsigned int
table_says(unsigned int nr, unsigned int arg, unsigned int v, unsigned int pid)
{
	size_t i;

	for (i = 0; i < NRULES; i++) {
		const struct rule *r = &rules[i];

		if (r->nr != nr)
			continue;
		switch (r->kind) {
		case R_ALLOW:
			return SECCOMP_RET_ALLOW;
		case R_KILL:
			return SECCOMP_RET_KILL_PROCESS;
		case R_WITHOUT:
		case R_NO_EXEC:
			return arg == r->arg && (v & r->k) != 0 ? RET_DENY :
			    SECCOMP_RET_ALLOW;
		case R_IF:
			return arg == r->arg && v == r->k ? SECCOMP_RET_ALLOW :
			    RET_DENY;
		case R_IF_PID:
			return arg == r->arg && v == pid ? SECCOMP_RET_ALLOW :
			    RET_DENY;
		}
	}
	return RET_DENY;
}

static void
test_tree(void)
{
	static const unsigned int vals[] = { 0, 1, 2, 4, 0x40, 0x200, 0x400,
	    0x10000, 0x400000, 12345, 0xffffffffU };
	struct seccomp_data d;
	struct prog p;
	unsigned int nr, arg, got, want;
	size_t v, bad = 0, n = 0;
	int steps, max = 0;

	p.n = 0;
	p.bad = 0;
	p.pid = 12345;
	build(&p);
	T_OK(!p.bad && p.n > 0, "tree: %zu rules compile into %u instructions",
	    NRULES, p.n);
	memset(&d, 0, sizeof(d));
	d.arch = SANDBOX_ARCH;
	/* Every argument value on every argument slot, for every number. */
	for (nr = 0; nr < 1024; nr++)
		for (arg = 0; arg < 6; arg++)
			for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				memset(d.args, 0, sizeof(d.args));
				d.nr = (int)nr;
				memcpy((char *)&d + ARG_LO(arg), &vals[v], 4);
				got = bpf_run(&p, &d, &steps);
				want = table_says(nr, arg, vals[v], p.pid);
				n++;
				if (got != want && bad++ < 5)
					printf("# nr %u arg %u = %#x: filter %#x, "
					    "table %#x\n", nr, arg, vals[v], got,
					    want);
				if (steps > max)
					max = steps;
			}
	T_OK(bad == 0, "tree: decides like the rule table for syscalls 0-1023 "
	    "with %zu argument sets (%zu differ)", n, bad);
	/* The kernel runs the filter for every number when it is attached. */
	T_OK(max <= 16, "tree: at most 16 instructions for any call (%d)", max);
	d.nr = SYS_read;
	d.arch = SANDBOX_ARCH ^ 1;
	T_EQ(bpf_run(&p, &d, &steps), SECCOMP_RET_KILL_PROCESS,
	    "tree: a foreign architecture is killed");
#ifdef __x86_64__
	d.arch = SANDBOX_ARCH;
	d.nr = (int)(0x40000000U | SYS_read);
	T_EQ(bpf_run(&p, &d, &steps), SECCOMP_RET_KILL_PROCESS,
	    "tree: an x32 number is killed");
#endif
}

int
main(void)
{
	struct stat sb;
	char b[16];
	size_t i;
	int st;

	test_tree();
	if (setup() == -1) {
		T_OK(0, "test setup in %s", dir);
		return t_done();
	}

	if (pipe(pipefd) == -1 || write(pipefd[1], "hello", 5) != 5) {
		T_OK(0, "pipe");
		return t_done();
	}
	st = run(c_allowed, 1);
	T_OK(exited(st, 0), "sandboxed: reads, opens read-only, mallocs 1 MiB, "
	    "writes, reads the clock, looks up NSS, makes an AF_UNIX socket "
	    "(status %#x)", st);
	T_OK(read(pipefd[0], b, 6) == 6 && memcmp(b, "answer", 6) == 0,
	    "sandboxed child's write reached the parent");

	for (i = 0; i < sizeof(eperm_cases) / sizeof(eperm_cases[0]); i++) {
		st = run(eperm_cases[i].fn, 1);
		T_OK(exited(st, 0), "sandboxed: %s fails with EPERM (status %#x)",
		    eperm_cases[i].what, st);
	}
	T_OK(stat(created, &sb) == -1 && errno == ENOENT,
	    "the refused create left no file");
	T_OK(stat(existing, &sb) == 0 && sb.st_size == 7 &&
	    (sb.st_mode & 07777) == 0644,
	    "the refused writes, unlink and chmod left the file as it was");

	for (i = 0; i < sizeof(kill_cases) / sizeof(kill_cases[0]); i++) {
		st = run(kill_cases[i].fn, 1);
		T_OK(killed_sigsys(st), "sandboxed: %s is killed by SIGSYS "
		    "(status %#x)", kill_cases[i].what, st);
	}
#ifdef T_ASAN
	printf("# ASan build: fork and ptrace stay allowed for LeakSanitizer\n");
#endif

	/* The same calls outside the sandbox: the denials were the filter's. */
	st = run(c_socket_inet, 0);
	T_OK(exited(st, 1), "unsandboxed: socket(AF_INET) works");
	st = run(c_create, 0);
	T_OK(exited(st, 1), "unsandboxed: openat(O_WRONLY|O_CREAT) works");
	T_OK(unlink(created) == 0, "unsandboxed create made the file");
	st = run(c_mmap_exec, 0);
	T_OK(exited(st, 1), "unsandboxed: mmap(PROT_EXEC) works");
	st = run(c_execve, 0);
	T_OK(exited(st, 0), "unsandboxed: execve(/bin/true) runs true");
	st = run(c_kill_parent, 0);
	T_OK(exited(st, 1), "unsandboxed: kill(parent, 0) works");

	teardown();
	return t_done();
}
