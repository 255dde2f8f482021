/*
 * The seccomp-bpf filter of sandbox.h. The program checks the architecture
 * first (a syscall number means something else under another ABI), then
 * kills on the calls only an attacker would make, allows the allowlist
 * (some calls only with safe arguments) and answers EPERM to the rest, so
 * a library that probes for a call fails visibly instead of killing the
 * answer.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH	AUDIT_ARCH_AARCH64
#else
#error "sandbox: no seccomp filter for this architecture"
#endif

/*
 * AddressSanitizer's LeakSanitizer stops the process at exit with a cloned
 * thread that ptraces it, lists /proc/self/task, and asks whether stderr is
 * a terminal. Only the sanitizer builds (tests) allow that.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif

/*
 * Valgrind runs the program on a JIT in the same process: its own memory is
 * mapped read-write-execute through the same filter. Only a process that
 * really runs under valgrind (the client request answers 0 on a real CPU,
 * and valgrind cannot run a setgid program with its privileges) may map
 * executable memory then.
 */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND()	(RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND()	0
#endif

/*
 * The kernel takes up to 4096 instructions; the tree needs about 100. A
 * leaf of the search tree compares the number with at most LEAF_MAX rules.
 */
#define PROG_MAX	256
#define LEAF_MAX	4

/* The low 32 bits of argument n: flags, modes and ids are C ints. */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define ARG_LO(n)	(offsetof(struct seccomp_data, args) + 8 * (n))
#else
#define ARG_LO(n)	(offsetof(struct seccomp_data, args) + 8 * (n) + 4)
#endif

#define RET_DENY	(SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

/* openat flags that could write or create. O_TMPFILE includes O_DIRECTORY. */
#define OPEN_WRITE	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | \
			    (O_TMPFILE & ~O_DIRECTORY))

/*
 * What one syscall number gets: allowed; killed; allowed only when
 * argument arg has none of the bits of k (R_WITHOUT) or equals k (R_IF)
 * or our pid (R_IF_PID); allowed without PROT_EXEC in argument 2, or
 * always under valgrind (R_NO_EXEC).
 */
enum rule_kind { R_ALLOW, R_KILL, R_WITHOUT, R_IF, R_IF_PID, R_NO_EXEC };

struct rule {
	unsigned short nr;
	unsigned char kind;
	unsigned char arg;
	unsigned int k;
};

#define ALLOW(name)		{ SYS_##name, R_ALLOW, 0, 0 }
#define KILL(name)		{ SYS_##name, R_KILL, 0, 0 }
#define ALLOW_WITHOUT(name, arg, mask) { SYS_##name, R_WITHOUT, (arg), (mask) }
#define ALLOW_IF(name, arg, val) { SYS_##name, R_IF, (arg), (val) }
#define ALLOW_IF_PID(name)	{ SYS_##name, R_IF_PID, 0, 0 }
#define ALLOW_NO_EXEC(name)	{ SYS_##name, R_NO_EXEC, 2, PROT_EXEC }

/* Read-only data: a table built at run time would cost a stack page. */
static const struct rule rules[] = {
	/* Nothing that answers a request runs programs or other processes. */
	KILL(execve),
	KILL(execveat),
	KILL(process_vm_readv),
	KILL(process_vm_writev),
#ifndef SANDBOX_ASAN
	KILL(ptrace),
	KILL(clone),
#endif
	KILL(clone3),
#ifdef SYS_fork
	KILL(fork),
	KILL(vfork),
#endif

	/* Files: read only. */
	ALLOW_WITHOUT(openat, 2, OPEN_WRITE),
#ifdef SYS_open
	ALLOW_WITHOUT(open, 1, OPEN_WRITE),
#endif
	ALLOW(read),
	ALLOW(readv),
	ALLOW(pread64),
	ALLOW(close),
	ALLOW(fstat),
	ALLOW(newfstatat),
	ALLOW(statx),
	ALLOW(lseek),
	ALLOW(fcntl),

	/* The answer and stderr logging. */
	ALLOW(write),
	ALLOW(writev),
#ifdef SYS_poll
	ALLOW(poll),
#endif
	ALLOW(ppoll),

	/* malloc; no new executable memory. */
	ALLOW_NO_EXEC(mmap),
	ALLOW_NO_EXEC(mprotect),
	ALLOW(munmap),
	ALLOW(mremap),
	ALLOW(madvise),
	ALLOW(brk),
	ALLOW(futex),
	ALLOW(getrandom),

	/* syslog's /dev/log, NSS daemons: local sockets only. */
	ALLOW_IF(socket, 0, AF_UNIX),
	ALLOW(connect),
	ALLOW(sendto),
	ALLOW(sendmsg),
	ALLOW(recvfrom),
	ALLOW(recvmsg),
	ALLOW(getsockopt),

	/* Time, identity, signals to itself (abort), exit. */
	/* Without a vDSO (valgrind, some kernels) these are real calls. */
	ALLOW(clock_gettime),
	ALLOW(gettimeofday),
#ifdef SYS_time
	ALLOW(time),
#endif
	ALLOW(getpid),
	ALLOW(gettid),
	ALLOW(getuid),
	ALLOW(geteuid),
	ALLOW(getgid),
	ALLOW(getegid),
	ALLOW(rt_sigaction),
	ALLOW(rt_sigprocmask),
	ALLOW(rt_sigreturn),
	ALLOW(restart_syscall),
	ALLOW_IF_PID(tgkill),
	ALLOW_IF_PID(kill),
	ALLOW(exit),
	ALLOW(exit_group),

#ifdef SANDBOX_ASAN
	ALLOW(ptrace),
	ALLOW(clone),
	ALLOW(wait4),
	ALLOW(sigaltstack),
	ALLOW(prctl),
	ALLOW(sched_yield),
	ALLOW(getdents64),
#ifdef SYS_getdents
	ALLOW(getdents),
#endif
	ALLOW(ioctl),
	ALLOW(readlinkat),
#ifdef SYS_readlink
	ALLOW(readlink),
#endif
	ALLOW(getppid),
	ALLOW(pipe2),
	ALLOW(dup3),
#endif
};

#define NRULES	(sizeof(rules) / sizeof(rules[0]))
_Static_assert(NRULES < 256, "rule indexes are unsigned char");

/*
 * Where a jump goes: the next instruction(s) (a count in jt or jf), or
 * one of the returns shared by the whole program, at its end.
 */
enum target { TO_NEXT, TO_ALLOW, TO_DENY, TO_KILL };

struct prog {
	struct sock_filter f[PROG_MAX];
	unsigned char to[PROG_MAX][2];	/* enum target of jt and jf */
	unsigned short n;
	int bad;		/* full, or a jump too long for 8 bits */
	unsigned int pid;	/* for R_IF_PID */
};

static void
emit(struct prog *p, unsigned short code, unsigned int k)
{
	if (p->n == PROG_MAX) {
		p->bad = 1;
		return;
	}
	p->f[p->n].code = code;
	p->f[p->n].jt = 0;
	p->f[p->n].jf = 0;
	p->f[p->n].k = k;
	p->to[p->n][0] = TO_NEXT;
	p->to[p->n][1] = TO_NEXT;
	p->n++;
}

/* A conditional jump: jt and jf are counts (TO_NEXT) or shared returns. */
static void
jump(struct prog *p, unsigned short op, unsigned int k, enum target t,
    unsigned char jt, enum target f, unsigned char jf)
{
	emit(p, BPF_JMP | op | BPF_K, k);
	if (p->n == 0 || p->bad)
		return;
	p->f[p->n - 1].jt = jt;
	p->f[p->n - 1].jf = jf;
	p->to[p->n - 1][0] = (unsigned char)t;
	p->to[p->n - 1][1] = (unsigned char)f;
}

/*
 * One rule. miss is where a call of another number goes: the next rule,
 * or TO_DENY after the last rule of a leaf.
 */
static void
rule(struct prog *p, const struct rule *r, enum target miss)
{
	enum target hit = r->kind == R_KILL ? TO_KILL : TO_ALLOW;

	if (r->kind == R_ALLOW || r->kind == R_KILL ||
	    (r->kind == R_NO_EXEC && UNDER_VALGRIND())) {
		jump(p, BPF_JEQ, r->nr, hit, 0, miss, 0);
		return;
	}
	/* Past the argument load and its test when the number differs. */
	jump(p, BPF_JEQ, r->nr, TO_NEXT, 0, miss, miss == TO_NEXT ? 2 : 0);
	emit(p, BPF_LD | BPF_W | BPF_ABS, (unsigned int)ARG_LO(r->arg));
	if (r->kind == R_WITHOUT || r->kind == R_NO_EXEC)
		jump(p, BPF_JSET, r->k, TO_DENY, 0, TO_ALLOW, 0);
	else
		jump(p, BPF_JEQ, r->kind == R_IF_PID ? p->pid : r->k,
		    TO_ALLOW, 0, TO_DENY, 0);
}

/*
 * A binary search over the rules in ord (sorted by number), the syscall
 * number in the accumulator. The kernel runs the filter for every syscall
 * number when it is attached, to learn which ones it may allow without
 * running it; along a list of rules that costs the length of the list for
 * each unlisted number. Along the tree it costs the depth.
 */
static void
tree(struct prog *p, const unsigned char *ord, size_t n)
{
	size_t i, half = n / 2;
	unsigned short at;

	if (n <= LEAF_MAX) {
		for (i = 0; i < n; i++)
			rule(p, &rules[ord[i]], i + 1 < n ? TO_NEXT : TO_DENY);
		return;
	}
	at = p->n;
	jump(p, BPF_JGE, rules[ord[half]].nr, TO_NEXT, 0, TO_NEXT, 0);
	tree(p, ord, half);
	if (p->bad || p->n - at - 1 > 255) {
		p->bad = 1;
		return;
	}
	p->f[at].jt = (unsigned char)(p->n - at - 1);
	tree(p, ord + half, n - half);
}

/* The shared returns, and the jumps to them. */
static void
finish(struct prog *p)
{
	unsigned short ret[4], i, j, d;

	ret[TO_ALLOW] = p->n;
	emit(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	ret[TO_DENY] = p->n;
	emit(p, BPF_RET | BPF_K, RET_DENY);
	ret[TO_KILL] = p->n;
	emit(p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	if (p->bad)
		return;
	for (i = 0; i < p->n; i++)
		for (j = 0; j < 2; j++) {
			if (p->to[i][j] == TO_NEXT)
				continue;
			d = (unsigned short)(ret[p->to[i][j]] - i - 1);
			if (d > 255) {
				p->bad = 1;
				return;
			}
			if (j == 0)
				p->f[i].jt = (unsigned char)d;
			else
				p->f[i].jf = (unsigned char)d;
		}
}

static void
build(struct prog *p)
{
	unsigned char ord[NRULES], t;
	size_t i, j;

	/* Insertion sort: a few dozen rules, no allocation. */
	for (i = 0; i < NRULES; i++) {
		t = (unsigned char)i;
		for (j = i; j > 0 && rules[ord[j - 1]].nr > rules[t].nr; j--)
			ord[j] = ord[j - 1];
		ord[j] = t;
	}
	for (i = 1; i < NRULES; i++)
		if (rules[ord[i]].nr == rules[ord[i - 1]].nr)
			p->bad = 1;
	emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	jump(p, BPF_JEQ, SANDBOX_ARCH, TO_NEXT, 0, TO_KILL, 0);
	emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 numbers carry this bit and reach the same handlers. */
	jump(p, BPF_JGE, 0x40000000U, TO_KILL, 0, TO_NEXT, 0);
#endif
	tree(p, ord, NRULES);
	finish(p);
}

afp_err
sandbox_enter(void)
{
	static int entered;
	struct prog p;
	struct sock_fprog fp;

	if (entered)
		return AFP_OK;
	p.n = 0;
	p.bad = 0;
	p.pid = (unsigned int)getpid();
	build(&p);
	if (p.bad)
		return AFP_ERR_INTERNAL;
	fp.len = p.n;
	fp.filter = p.f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) == -1)
		return AFP_ERR_INTERNAL;
	entered = 1;
	return AFP_OK;
}
