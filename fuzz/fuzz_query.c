/*
 * route_query_get. The first line of the input is the key to look up, the
 * rest the raw QUERY_STRING.
 */
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	struct buf value, other;
	char *key, *query;
	afp_err r, r2;

	if (fuzz_split(data, size, "\n", parts, 2) != 2)
		return 0;
	key = fuzz_strndup(parts[0].p, parts[0].n);
	query = fuzz_strndup(parts[1].p, parts[1].n);
	/* Room for any value: TOOBIG can then only mean the query's size. */
	buf_init(&value, ROUTE_QUERY_MAX + 1);
	buf_init(&other, ROUTE_QUERY_MAX + 1);
	r = route_query_get(query, key, &value);
	if (r == AFP_OK) {
		FUZZ_CHECK(memchr(buf_str(&value), '\0', value.len) == NULL);
		FUZZ_CHECK(fuzz_no_ctl(buf_str(&value)));
		FUZZ_CHECK(value.len <= strlen(query));
	} else {
		FUZZ_CHECK(r == AFP_ERR_NOTFOUND || r == AFP_ERR_INVAL ||
		    r == AFP_ERR_TOOBIG);
		FUZZ_CHECK(value.len == 0);
	}
	/*
	 * No key holds a control character, so this one is never found and
	 * the answer is about the query alone: one bad pair spoils every
	 * look-up.
	 */
	r2 = route_query_get(query, "\x01", &other);
	FUZZ_CHECK(r2 != AFP_OK && other.len == 0);
	if (r2 == AFP_ERR_INVAL)
		FUZZ_CHECK(r == AFP_ERR_INVAL);
	FUZZ_CHECK((r2 == AFP_ERR_TOOBIG) == (r == AFP_ERR_TOOBIG));
	if (query[0] == '\0')
		FUZZ_CHECK(r == AFP_ERR_NOTFOUND);
	buf_free(&value);
	buf_free(&other);
	free(key);
	free(query);
	return 0;
}
