/*
 * noseccomp: an LD_PRELOAD shim for `make bench` that turns afp.cgi's
 * prctl(PR_SET_SECCOMP) into a no-op, and nothing else.
 *
 * Valgrind runs the program it measures on code it translates into
 * executable memory it maps as it goes; the sandbox (lib/sandbox.c)
 * forbids executable mappings, so under callgrind the CGI would die at
 * its first untranslated block after sandbox_enter(). Callgrind counts
 * user-space instructions only, and the filter runs in the kernel, so
 * leaving it out changes no count but the few instructions of building
 * it, which still run. Never for anything but the instruction counts.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/prctl.h>

int prctl(int, ...);

int
prctl(int option, ...)
{
	static int (*real)(int, ...);
	unsigned long a[4];
	va_list ap;
	int i;

	va_start(ap, option);
	for (i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_SECCOMP)
		return 0;
	if (real == NULL &&
	    (real = (int (*)(int, ...))dlsym(RTLD_NEXT, "prctl")) == NULL)
		return -1;
	return real(option, a[0], a[1], a[2], a[3]);
}
