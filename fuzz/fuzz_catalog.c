/*
 * catalog_init and catalog_each. The first line is the query, a kind byte
 * and a name ("u alice"); the rest is the catalog. Every value handed back
 * must come from a line that starts with the query's key; when the lines
 * are in order, catalog_each must find exactly the lines a linear scan
 * finds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "util.h"

struct seen {
	const char *key;
	size_t klen;
	const char *lo, *hi;	/* the catalog's bytes */
	size_t n;
};

static afp_err
check_value(void *arg, const char *v, size_t n)
{
	struct seen *s = arg;

	FUZZ_CHECK(v - s->klen >= s->lo && v + n <= s->hi);
	FUZZ_CHECK(memcmp(v - s->klen, s->key, s->klen) == 0);
	FUZZ_CHECK(memchr(v, '\n', n) == NULL);
	s->n++;
	return AFP_OK;
}

/* Lines matching key by a linear scan; *sorted tells whether they were in order. */
static size_t
scan(const char *p, size_t len, const char *key, size_t klen, int *sorted)
{
	const char *line = p, *end = p + len, *prev = NULL, *nl;
	size_t n = 0, ll, pl = 0, m;
	int d;

	*sorted = 1;
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		ll = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);
		if (prev != NULL) {
			m = pl < ll ? pl : ll;
			d = memcmp(prev, line, m);
			if (d > 0 || (d == 0 && pl > ll))
				*sorted = 0;
		}
		if (ll >= klen && memcmp(line, key, klen) == 0)
			n++;
		prev = line;
		pl = ll;
		line += ll + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	struct catalog cat;
	struct seen s;
	char *name, key[600];
	const char *c;
	size_t np, want;
	int sorted, len;

	np = fuzz_split(data, size, "\n", parts, 2);
	if (np < 2 || parts[0].n < 3 || parts[0].p[1] != ' ')
		return 0;
	name = fuzz_strndup(parts[0].p + 2, parts[0].n - 2);
	if (catalog_init(&cat, (const char *)parts[1].p, parts[1].n) != AFP_OK)
		goto out;
	memset(&s, 0, sizeof(s));
	len = snprintf(key, sizeof(key), "%c %s ", parts[0].p[0], name);
	s.key = key;
	s.klen = len > 0 ? (size_t)len : 0;
	s.lo = (const char *)parts[1].p;
	s.hi = s.lo + parts[1].n;
	FUZZ_CHECK(catalog_each(&cat, (char)parts[0].p[0], name, check_value,
	    &s) == AFP_OK);
	/* Names with white space, NUL or too long match nothing by design. */
	if (s.klen == 0 || s.klen >= 512 || strlen(name) != parts[0].n - 2 ||
	    strpbrk(name, " \t\n\r\v\f") != NULL || *name == '\0')
		goto out;
	for (c = name; *c != '\0'; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			goto out;
	want = scan(cat.p, cat.len, key, s.klen, &sorted);
	FUZZ_CHECK(s.n <= want);
	if (sorted)
		FUZZ_CHECK(s.n == want);
out:
	free(name);
	return 0;
}
