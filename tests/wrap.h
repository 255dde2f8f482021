/*
 * wrap.h: unit tests that re-execute themselves under one of cwrap's
 * preload libraries (pam_wrapper, nss_wrapper) with fixtures in a temporary
 * directory. The re-executed binary finds that directory in WRAP_ENV.
 * Include after t.h.
 */
#ifndef AFP_WRAP_H
#define AFP_WRAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WRAP_ENV "AFP_TEST_WRAPDIR"

/* Where Debian and others put the wrappers and the PAM modules. */
static const char *const wrap_libdirs[] = {
	"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/usr/lib64", "/usr/lib", NULL
};

/* One variable the re-executed binary needs besides LD_PRELOAD. */
struct wrap_env {
	const char *name;
	const char *value;
};

static int
wrap_path(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < size;
}

/* The first library directory holding name, or NULL. */
static const char *
wrap_find_lib(const char *name)
{
	char p[512];
	size_t i;

	for (i = 0; wrap_libdirs[i] != NULL; i++)
		if (wrap_path(p, sizeof(p), wrap_libdirs[i], name) &&
		    access(p, R_OK) == 0)
			return wrap_libdirs[i];
	return NULL;
}

static int
wrap_write_file(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
wrap_write_file(const char *dir, const char *name, const char *fmt, ...)
{
	char p[512];
	va_list ap;
	FILE *f;
	int ok;

	if (!wrap_path(p, sizeof(p), dir, name) || (f = fopen(p, "w")) == NULL)
		return 0;
	va_start(ap, fmt);
	ok = vfprintf(f, fmt, ap) >= 0;
	va_end(ap);
	return fclose(f) == 0 && ok;
}

/* A mapped library whose path contains needle, copied to out. */
static int
wrap_mapped(const char *needle, char *out, size_t size)
{
	char line[1024];
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *path = strchr(line, '/');

		if (path == NULL || strstr(path, needle) == NULL)
			continue;
		path[strcspn(path, "\n")] = '\0';
		found = snprintf(out, size, "%s", path) < (int)size;
	}
	fclose(f);
	return found;
}

/*
 * Run this binary again with the libraries of preload (a NULL-terminated
 * list) in LD_PRELOAD, WRAP_ENV set to dir, and env (ending in a NULL name).
 * Returns only on failure, having reported it under tag. The sanitizer
 * runtime, when dynamic, must stay first in the preload list, and the
 * wrappers must not use RTLD_DEEPBIND under it.
 */
static void
wrap_exec(char **argv, const char *tag, const char *const *preload,
    const char *dir, const struct wrap_env *env)
{
	char list[1100];
	size_t i, off = 0;
	int n;

	if (wrap_mapped("libasan.so", list, sizeof(list)) ||
	    wrap_mapped("libclang_rt.asan", list, sizeof(list)))
		off = strlen(list);
	else
		list[0] = '\0';
	for (i = 0; preload[i] != NULL; i++) {
		n = snprintf(list + off, sizeof(list) - off, "%s%s",
		    off > 0 ? ":" : "", preload[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - off) {
			T_OK(0, "%s: LD_PRELOAD fits", tag);
			return;
		}
		off += (size_t)n;
	}
	/*
	 * Each wrapper reads its own name and ignores the others';
	 * pam_wrapper 1.1.4 (Debian 12) reads UID_WRAPPER_DISABLE_DEEPBIND.
	 */
	if (setenv("LD_PRELOAD", list, 1) != 0 ||
	    setenv("PAM_WRAPPER_DISABLE_DEEPBIND", "1", 1) != 0 ||
	    setenv("UID_WRAPPER_DISABLE_DEEPBIND", "1", 1) != 0 ||
	    setenv("NSS_WRAPPER_DISABLE_DEEPBIND", "1", 1) != 0 ||
	    setenv(WRAP_ENV, dir, 1) != 0) {
		T_OK(0, "%s: setenv: %s", tag, strerror(errno));
		return;
	}
	for (i = 0; env[i].name != NULL; i++) {
		if (setenv(env[i].name, env[i].value, 1) != 0) {
			T_OK(0, "%s: setenv %s: %s", tag, env[i].name,
			    strerror(errno));
			return;
		}
	}
	fflush(stdout);
	execv("/proc/self/exe", argv);
	T_OK(0, "%s: re-exec under %s_wrapper: %s", tag, tag, strerror(errno));
}

/* Remove the fixtures named in files (NULL-terminated), then dir itself. */
static void
wrap_cleanup(const char *dir, const char *const *files)
{
	char p[512];
	size_t i;

	for (i = 0; files[i] != NULL; i++)
		if (wrap_path(p, sizeof(p), dir, files[i]))
			unlink(p);
	rmdir(dir);
}

/*
 * The fixture directory, once this binary runs again with lib preloaded.
 * In the first run, setup writes the fixtures and calls wrap_exec; it
 * returns only on failure, and then so does this, with NULL. When lib is
 * missing from the second run, that is reported, the fixtures in files
 * are removed and the result is NULL too.
 */
static const char *
wrap_enter(char **argv, void (*setup)(char **), const char *tag,
    const char *lib, const char *const *files)
{
	const char *dir = getenv(WRAP_ENV);
	char path[512];

	if (dir == NULL) {
		setup(argv);
		return NULL;
	}
	if (wrap_mapped(lib, path, sizeof(path)))
		return dir;
	T_OK(0, "%s: %s is preloaded", tag, lib);
	wrap_cleanup(dir, files);
	return NULL;
}

/*
 * Send stderr to dir/log, so a test can read what was logged. Returns the
 * log's descriptor and the saved stderr in *saved, or -1.
 */
static int
wrap_log_begin(const char *dir, int *saved)
{
	char path[512];
	int fd;

	if (!wrap_path(path, sizeof(path), dir, "log") ||
	    (fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	unlink(path);
	fflush(stderr);
	*saved = dup(2);
	dup2(fd, 2);
	return fd;
}

/* Restore stderr and copy what was logged to text, NUL-terminated. */
static void
wrap_log_end(int fd, int saved, char *text, size_t size)
{
	ssize_t n;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, text, size - 1, 0);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
}

#endif
