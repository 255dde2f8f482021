/*
 * sandbox: once afp.cgi has read what its answer needs, it only computes,
 * writes that answer and its log line, and exits (DESIGN.md §6).
 * sandbox_enter() puts the process in seccomp's strict mode for good:
 * read(2), write(2), exit(2) and rt_sigreturn(2) on descriptors already
 * open, and any other call kills the process (SIGKILL). Strict mode runs
 * no BPF program, so entering it costs the kernel nothing it must compile
 * or free (a seccomp-bpf filter cost each request 0.3 ms on the benchmark
 * machine); and it allows less than any filter that allowed open would.
 *
 * So before entering, the process must have read every file it needs and
 * connected its log (log_prepare); malloc must find all the memory of the
 * rest of the request in the heap it has (sandbox_prepare, then the
 * reserve sandbox_enter makes); and it leaves through sandbox_exit(),
 * since exit(3) ends in exit_group(2). Never enter before PAM: PAM's
 * modules and helpers need exec and privileges.
 *
 * Sanitizer builds and processes under valgrind cannot run sealed (their
 * runtimes map memory, start threads and ptrace at exit): there the
 * process does everything but the seal, and sandbox_sealed() says so.
 */
#ifndef AFP_SANDBOX_H
#define AFP_SANDBOX_H

#include "err.h"

/*
 * The free heap the sealed process has at least. An answer is at most
 * BUF_MAX_DEFAULT (1 MiB) and a cache file CACHE_FILE_MAX (256 KiB). The
 * heap grows by twice this at a time; that is address space, and only
 * the pages malloc hands out are touched.
 */
#define SANDBOX_HEAP	(16UL * 1024 * 1024)

/*
 * First thing in main, before anything is allocated: malloc keeps every
 * block on the heap (no mmap) and never gives memory back, so blocks
 * allocated before the seal can be freed after it.
 */
void sandbox_prepare(void);

/*
 * Reserve SANDBOX_HEAP and seal. AFP_ERR_INTERNAL when sandbox_prepare did
 * not run or the kernel refuses, AFP_ERR_NOMEM without the reserve (fail
 * closed: the caller must not answer then). A second call changes nothing
 * and returns AFP_OK.
 */
afp_err sandbox_enter(void) AFP_WUR;

/* 1 once the process is sealed. */
int sandbox_sealed(void);

/* End the process with status: exit(2) when sealed, else exit(3). */
void sandbox_exit(int status) __attribute__((noreturn));

#endif
