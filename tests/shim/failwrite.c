/*
 * failwrite: an LD_PRELOAD shim that makes a disk fail under a program,
 * for tests/crash.test.sh.
 *
 *   FAILWRITE_DIR    only calls on this directory and what is under it
 *                    count (write, fsync and syncfs by the fd's /proc
 *                    path, rename by its target); give it without symlinks
 *   FAILWRITE_CALL   write, fsync or rename: the call that fails (fsync
 *                    counts syncfs too: both make writes durable)
 *   FAILWRITE_AFTER  that many counted calls succeed, every later one
 *                    fails (a disk that filled up or died stays so)
 *   FAILWRITE_ERRNO  EIO (default) or ENOSPC
 *
 * Without FAILWRITE_DIR and FAILWRITE_CALL it changes nothing.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write(int, const void *, size_t);
int fsync(int);
int syncfs(int);
int rename(const char *, const char *);

static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_fsync)(int);
static int (*real_syncfs)(int);
static int (*real_rename)(const char *, const char *);

/* Whether this call is one that counts and, counted, must fail. */
static int
should_fail(const char *call, const char *path)
{
	static unsigned long seen;
	const char *dir = getenv("FAILWRITE_DIR");
	const char *want = getenv("FAILWRITE_CALL");
	const char *after = getenv("FAILWRITE_AFTER");
	const char *err = getenv("FAILWRITE_ERRNO");
	unsigned long limit;
	size_t dlen;
	char *end;

	if (dir == NULL || want == NULL || strcmp(want, call) != 0 ||
	    path == NULL)
		return 0;
	dlen = strlen(dir);
	if (dlen == 0 || strncmp(path, dir, dlen) != 0 ||
	    (path[dlen] != '/' && path[dlen] != '\0'))
		return 0;
	errno = 0;
	limit = after != NULL ? strtoul(after, &end, 10) : 0;
	if (after != NULL && (errno != 0 || end == after || *end != '\0'))
		limit = 0;
	if (__atomic_fetch_add(&seen, 1, __ATOMIC_SEQ_CST) < limit)
		return 0;
	errno = err != NULL && strcmp(err, "ENOSPC") == 0 ? ENOSPC : EIO;
	return 1;
}

/* The path an fd refers to, or NULL. */
static const char *
fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;
	int k;

	k = snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (k < 0 || (size_t)k >= sizeof(link))
		return NULL;
	if ((n = readlink(link, buf, len - 1)) <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static void *
next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL)
		abort();
	return f;
}

ssize_t
write(int fd, const void *p, size_t len)
{
	char path[4096];
	int saved = errno;

	if (real_write == NULL)
		real_write = (ssize_t (*)(int, const void *, size_t))next("write");
	if (should_fail("write", fd_path(fd, path, sizeof(path))))
		return -1;
	errno = saved;
	return real_write(fd, p, len);
}

int
fsync(int fd)
{
	char path[4096];
	int saved = errno;

	if (real_fsync == NULL)
		real_fsync = (int (*)(int))next("fsync");
	if (should_fail("fsync", fd_path(fd, path, sizeof(path))))
		return -1;
	errno = saved;
	return real_fsync(fd);
}

int
syncfs(int fd)
{
	char path[4096];
	int saved = errno;

	if (real_syncfs == NULL)
		real_syncfs = (int (*)(int))next("syncfs");
	if (should_fail("fsync", fd_path(fd, path, sizeof(path))))
		return -1;
	errno = saved;
	return real_syncfs(fd);
}

int
rename(const char *from, const char *to)
{
	if (real_rename == NULL)
		real_rename = (int (*)(const char *, const char *))next("rename");
	if (should_fail("rename", to))
		return -1;
	return real_rename(from, to);
}
