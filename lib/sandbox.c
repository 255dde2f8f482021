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

#define PROG_MAX	256

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

struct prog {
	struct sock_filter f[PROG_MAX];
	unsigned short n;
	int full;
};

static void
emit(struct prog *p, unsigned short code, unsigned char jt, unsigned char jf,
    unsigned int k)
{
	if (p->n == PROG_MAX) {
		p->full = 1;
		return;
	}
	p->f[p->n].code = code;
	p->f[p->n].jt = jt;
	p->f[p->n].jf = jf;
	p->f[p->n].k = k;
	p->n++;
}

/* The accumulator holds the syscall number on entry to every rule. */
static void
rule(struct prog *p, long nr, unsigned int action)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (unsigned int)nr);
	emit(p, BPF_RET | BPF_K, 0, 0, action);
}

/* nr allowed when argument arg has none of the bits of mask. */
static void
allow_without(struct prog *p, long nr, unsigned int arg, unsigned int mask)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, (unsigned int)nr);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (unsigned int)ARG_LO(arg));
	emit(p, BPF_JMP | BPF_JSET | BPF_K, 1, 0, mask);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_DENY);
}

/* nr allowed when argument arg equals val. */
static void
allow_if(struct prog *p, long nr, unsigned int arg, unsigned int val)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, (unsigned int)nr);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (unsigned int)ARG_LO(arg));
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, val);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_DENY);
}

#define ALLOW(p, name)	rule((p), SYS_##name, SECCOMP_RET_ALLOW)
#define KILL(p, name)	rule((p), SYS_##name, SECCOMP_RET_KILL_PROCESS)

static void
build(struct prog *p)
{
	unsigned int pid = (unsigned int)getpid();

	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, arch));
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, SANDBOX_ARCH);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 numbers carry this bit and reach the same handlers. */
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000U);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
#endif

	/* Nothing that answers a request runs programs or other processes. */
	KILL(p, execve);
	KILL(p, execveat);
	KILL(p, process_vm_readv);
	KILL(p, process_vm_writev);
#ifndef SANDBOX_ASAN
	KILL(p, ptrace);
	KILL(p, clone);
#endif
	KILL(p, clone3);
#ifdef SYS_fork
	KILL(p, fork);
	KILL(p, vfork);
#endif

	/* Files: read only. */
	allow_without(p, SYS_openat, 2, OPEN_WRITE);
#ifdef SYS_open
	allow_without(p, SYS_open, 1, OPEN_WRITE);
#endif
	ALLOW(p, read);
	ALLOW(p, readv);
	ALLOW(p, pread64);
	ALLOW(p, close);
	ALLOW(p, fstat);
	ALLOW(p, newfstatat);
	ALLOW(p, statx);
	ALLOW(p, lseek);
	ALLOW(p, fcntl);

	/* The answer and stderr logging. */
	ALLOW(p, write);
	ALLOW(p, writev);
#ifdef SYS_poll
	ALLOW(p, poll);
#endif
	ALLOW(p, ppoll);

	/* malloc; no new executable memory. */
	if (UNDER_VALGRIND()) {
		ALLOW(p, mmap);
		ALLOW(p, mprotect);
	} else {
		allow_without(p, SYS_mmap, 2, PROT_EXEC);
		allow_without(p, SYS_mprotect, 2, PROT_EXEC);
	}
	ALLOW(p, munmap);
	ALLOW(p, mremap);
	ALLOW(p, madvise);
	ALLOW(p, brk);
	ALLOW(p, futex);
	ALLOW(p, getrandom);

	/* syslog's /dev/log, NSS daemons: local sockets only. */
	allow_if(p, SYS_socket, 0, AF_UNIX);
	ALLOW(p, connect);
	ALLOW(p, sendto);
	ALLOW(p, sendmsg);
	ALLOW(p, recvfrom);
	ALLOW(p, recvmsg);
	ALLOW(p, getsockopt);

	/* Time, identity, signals to itself (abort), exit. */
	/* Without a vDSO (valgrind, some kernels) these are real calls. */
	ALLOW(p, clock_gettime);
	ALLOW(p, gettimeofday);
#ifdef SYS_time
	ALLOW(p, time);
#endif
	ALLOW(p, getpid);
	ALLOW(p, gettid);
	ALLOW(p, getuid);
	ALLOW(p, geteuid);
	ALLOW(p, getgid);
	ALLOW(p, getegid);
	ALLOW(p, rt_sigaction);
	ALLOW(p, rt_sigprocmask);
	ALLOW(p, rt_sigreturn);
	ALLOW(p, restart_syscall);
	allow_if(p, SYS_tgkill, 0, pid);
	allow_if(p, SYS_kill, 0, pid);
	ALLOW(p, exit);
	ALLOW(p, exit_group);

#ifdef SANDBOX_ASAN
	ALLOW(p, ptrace);
	ALLOW(p, clone);
	ALLOW(p, wait4);
	ALLOW(p, sigaltstack);
	ALLOW(p, prctl);
	ALLOW(p, sched_yield);
	ALLOW(p, getdents64);
#ifdef SYS_getdents
	ALLOW(p, getdents);
#endif
	ALLOW(p, ioctl);
	ALLOW(p, readlinkat);
#ifdef SYS_readlink
	ALLOW(p, readlink);
#endif
	ALLOW(p, getppid);
	ALLOW(p, pipe2);
	ALLOW(p, dup3);
#endif

	emit(p, BPF_RET | BPF_K, 0, 0, RET_DENY);
}

afp_err
sandbox_enter(void)
{
	static int entered;
	struct prog p = { .n = 0, .full = 0 };
	struct sock_fprog fp;

	if (entered)
		return AFP_OK;
	build(&p);
	if (p.full)
		return AFP_ERR_INTERNAL;
	fp.len = p.n;
	fp.filter = p.f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) == -1)
		return AFP_ERR_INTERNAL;
	entered = 1;
	return AFP_OK;
}
