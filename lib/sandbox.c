/*
 * The strict-mode sandbox of sandbox.h. The kernel's list of what strict
 * mode allows is fixed (read, write, exit, rt_sigreturn, and their 32-bit
 * numbers for 32-bit calls), so there is no filter to get wrong here: what
 * needs care is that nothing after the seal makes another call.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/seccomp.h>

#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include "sandbox.h"

/*
 * AddressSanitizer's allocator maps memory as it goes and LeakSanitizer
 * ptraces the process from a cloned thread at exit.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_UNSEALABLE()	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_UNSEALABLE()	1
#endif
#endif

/*
 * Valgrind runs the program on a JIT in the same process, with calls of
 * its own. Its client request reads 0 on a real CPU, and valgrind cannot
 * run a setgid program with its privileges, so no caller can fake it.
 */
#ifndef SANDBOX_UNSEALABLE
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SANDBOX_UNSEALABLE()	(RUNNING_ON_VALGRIND != 0)
#endif
#endif
#endif
#ifndef SANDBOX_UNSEALABLE
#define SANDBOX_UNSEALABLE()	0
#endif

static int prepared, entered, sealed;

void
sandbox_prepare(void)
{
	/*
	 * mmap'd blocks would be munmap'd by free; trimming calls brk. The
	 * heap grows by the reserve at once, so it is usually there already.
	 */
	prepared = mallopt(M_MMAP_MAX, 0) == 1 &&
	    mallopt(M_TRIM_THRESHOLD, -1) == 1 &&
	    mallopt(M_TOP_PAD, 2 * SANDBOX_HEAP) == 1;
	/* A sanitizer's malloc refuses mallopt; it is never sealed. */
	prepared |= SANDBOX_UNSEALABLE();
}

afp_err
sandbox_enter(void)
{
	void *p;

	if (entered)
		return AFP_OK;
	if (!prepared)
		return AFP_ERR_INTERNAL;
	/*
	 * keepcost is the free top of the heap. Touching the far end of a
	 * new reserve costs a page fault or two, so only when it is short;
	 * the block is freed into the top, where it stays (no trimming).
	 */
	if (mallinfo2().keepcost < SANDBOX_HEAP) {
		if ((p = malloc(SANDBOX_HEAP)) == NULL)
			return AFP_ERR_NOMEM;
		free(p);
	}
	if (!SANDBOX_UNSEALABLE()) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) == -1)
			return AFP_ERR_INTERNAL;
		sealed = 1;
	}
	entered = 1;
	return AFP_OK;
}

int
sandbox_sealed(void)
{
	return sealed;
}

void
sandbox_exit(int status)
{
	if (sealed)
		for (;;)
			syscall(SYS_exit, status);
	exit(status);
}
