#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static char scratch[4096];

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

char *
fuzz_strndup(const uint8_t *p, size_t n)
{
	char *s;

	if ((s = malloc(n + 1)) == NULL)
		fuzz_fail(__FILE__, __LINE__, "malloc");
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path) == 0 ? 0 : -1;
}

static void
rm_scratch(void)
{
	if (scratch[0] != '\0')
		nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
fuzz_dir(void)
{
	struct stat st;
	const char *base;
	int n;

	if (scratch[0] != '\0')
		return scratch;
	/*
	 * fuzz/run.sh points TMPDIR at a directory it removes, which also
	 * catches what a crashing process leaves. Otherwise prefer tmpfs:
	 * the targets rewrite their files on every input.
	 */
	base = getenv("TMPDIR");
	if (base == NULL || *base == '\0')
		base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	n = snprintf(scratch, sizeof(scratch), "%s/afp-fuzz.XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(scratch) || mkdtemp(scratch) == NULL)
		fuzz_fail(__FILE__, __LINE__, "mkdtemp");
	if (atexit(rm_scratch) != 0)
		fuzz_fail(__FILE__, __LINE__, "atexit");
	return scratch;
}

char *
fuzz_path(const char *name)
{
	const char *dir = fuzz_dir();
	size_t dn = strlen(dir), nn = strlen(name);
	char *s;

	if ((s = malloc(dn + nn + 2)) == NULL)
		fuzz_fail(__FILE__, __LINE__, "malloc");
	memcpy(s, dir, dn);
	s[dn] = '/';
	memcpy(s + dn + 1, name, nn + 1);
	return s;
}

void
fuzz_write(const char *path, const uint8_t *p, size_t n)
{
	ssize_t w;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		fuzz_fail(__FILE__, __LINE__, "open");
	while (n > 0) {
		if ((w = write(fd, p, n)) == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			fuzz_fail(__FILE__, __LINE__, "write");
		p += w;
		n -= (size_t)w;
	}
	if (close(fd) == -1)
		fuzz_fail(__FILE__, __LINE__, "close");
}

size_t
fuzz_split(const uint8_t *data, size_t size, const char *sep,
    struct fuzz_part *parts, size_t max)
{
	size_t sl = strlen(sep), k = 0;
	const uint8_t *s;

	while (k + 1 < max &&
	    (s = memmem(data, size, sep, sl)) != NULL) {
		parts[k].p = data;
		parts[k].n = (size_t)(s - data);
		k++;
		size -= (size_t)(s - data) + sl;
		data = s + sl;
	}
	parts[k].p = data;
	parts[k].n = size;
	return k + 1;
}

int
fuzz_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, len;
	unsigned cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

int
fuzz_no_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}
