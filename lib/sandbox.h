/*
 * sandbox: once afp.cgi knows who asks, it only reads files, writes its
 * answer and logs (DESIGN.md §6). sandbox_enter() sets PR_SET_NO_NEW_PRIVS
 * and a seccomp-bpf allowlist that cannot be lifted again. Never call it
 * before PAM: PAM's modules and helpers need exec and privileges.
 *
 * What stays allowed: reading (openat only without write, create, truncate
 * or append flags), stat, mmap and mprotect without PROT_EXEC, memory
 * management, time, signals to itself, poll, exit, and AF_UNIX sockets
 * (syslog's /dev/log; NSS modules such as systemd, sssd, nslcd and nscd
 * answer over them). exec, ptrace, new processes and reading other
 * processes' memory kill the process (SIGSYS); any other call fails with
 * EPERM. A foreign architecture or the x32 ABI kills the process.
 * Test builds relax it: AddressSanitizer builds allow what LeakSanitizer
 * needs at exit (clone, ptrace, ...); under valgrind, executable mappings
 * (valgrind's own JIT memory passes through the same filter).
 */
#ifndef AFP_SANDBOX_H
#define AFP_SANDBOX_H

#include "err.h"

/*
 * Enter the sandbox for the rest of the process. NSS modules (systemd,
 * sss, ...) are loaded with dlopen, which needs executable mappings the
 * filter refuses: make every group lookup before. AFP_ERR_INTERNAL when
 * the kernel refuses (fail closed: the caller must not answer then). A
 * second call changes nothing and returns AFP_OK.
 */
afp_err sandbox_enter(void) AFP_WUR;

#endif
