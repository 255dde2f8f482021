/*
 * util: what the libFuzzer targets share. A failed invariant aborts, which
 * libFuzzer reports as a crash and saves the input for.
 */
#ifndef AFP_FUZZ_UTIL_H
#define AFP_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_CHECK(cond) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

/* Print where an invariant broke and abort. */
void fuzz_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));
/* A NUL-terminated copy of n bytes (which may hold NULs); aborts on ENOMEM. */
char *fuzz_strndup(const uint8_t *p, size_t n);
/*
 * A scratch directory made on first use (under $TMPDIR, else /dev/shm,
 * else /tmp) and removed at exit, so each process reuses one fixed path.
 */
const char *fuzz_dir(void);
/* fuzz_dir()/name; the caller frees it. */
char *fuzz_path(const char *name);
/* Replace the file at path with n bytes, mode 0600; aborts on failure. */
void fuzz_write(const char *path, const uint8_t *p, size_t n);

struct fuzz_part {
	const uint8_t *p;
	size_t n;
};
/*
 * Cut data at each occurrence of sep into at most max parts (the last
 * keeps the rest); returns how many.
 */
size_t fuzz_split(const uint8_t *data, size_t size, const char *sep,
    struct fuzz_part *parts, size_t max);
/* s (n bytes) is well-formed UTF-8 without overlongs or surrogates. */
int fuzz_utf8_ok(const char *s, size_t n);
/* No control characters (below 0x20, 0x7f) in the C string s. */
int fuzz_no_ctl(const char *s);

#endif
