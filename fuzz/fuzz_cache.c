/*
 * The cache JSON reader: json_parse on the input, then cache_read of the
 * input written to a file. An entry that reads back is written with
 * cache_write and read again, which must give the same entry.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "json.h"
#include "util.h"

static char *in_path, *out_path;

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
check_doc(const uint8_t *data, size_t size)
{
	struct json_doc d;
	size_t i;

	if (json_parse((const char *)data, size, &d) != AFP_OK) {
		FUZZ_CHECK(d.f == NULL && d.n == 0);
		return;
	}
	FUZZ_CHECK(d.n <= JSON_MAX_FIELDS);
	for (i = 0; i < d.n; i++) {
		FUZZ_CHECK(d.f[i].path != NULL && d.f[i].value != NULL);
		/* Paths are unique, so a look-up finds this very field. */
		FUZZ_CHECK(json_get(&d, d.f[i].path, d.f[i].type) ==
		    d.f[i].value);
		if (d.f[i].type == JSON_NUMBER)
			FUZZ_CHECK(d.f[i].value[0] != '\0');
	}
	json_doc_free(&d);
	FUZZ_CHECK(d.f == NULL && d.n == 0);
}

static void
check_same(const struct cache_entry *a, const struct cache_entry *b)
{
	size_t i;

	FUZZ_CHECK(str_eq(a->creds.akid, b->creds.akid) &&
	    str_eq(a->creds.secret, b->creds.secret) &&
	    str_eq(a->creds.token, b->creds.token) &&
	    a->creds.expiration == b->creds.expiration &&
	    a->last_updated == b->last_updated);
	/*
	 * The writer keeps the identity only with its arn and the sign-in
	 * expiry only with its token; the reader takes either part alone.
	 */
	if (a->id_arn != NULL)
		FUZZ_CHECK(str_eq(a->id_account, b->id_account) &&
		    str_eq(a->id_arn, b->id_arn) &&
		    str_eq(a->id_userid, b->id_userid));
	else
		FUZZ_CHECK(b->id_account == NULL && b->id_arn == NULL &&
		    b->id_userid == NULL);
	FUZZ_CHECK(str_eq(a->signin_token, b->signin_token));
	if (a->signin_token != NULL)
		FUZZ_CHECK(a->signin_expires == b->signin_expires);
	else
		FUZZ_CHECK(b->signin_expires == 0);
	FUZZ_CHECK(a->necr == b->necr);
	for (i = 0; i < a->necr; i++)
		FUZZ_CHECK(str_eq(a->ecr[i].region, b->ecr[i].region) &&
		    str_eq(a->ecr[i].token, b->ecr[i].token) &&
		    str_eq(a->ecr[i].endpoint, b->ecr[i].endpoint) &&
		    a->ecr[i].expires == b->ecr[i].expires);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cache_entry e, again;
	size_t i;

	if (in_path == NULL) {
		in_path = fuzz_path("in.json");
		out_path = fuzz_path("out/entry.json");
	}
	check_doc(data, size);

	fuzz_write(in_path, data, size);
	if (cache_read(in_path, &e) != AFP_OK) {
		FUZZ_CHECK(e.creds.akid == NULL && e.creds.secret == NULL &&
		    e.ecr == NULL && e.necr == 0);
		return 0;
	}
	FUZZ_CHECK(e.creds.akid != NULL && e.creds.secret != NULL);
	for (i = 0; i < e.necr; i++) {
		FUZZ_CHECK(cache_ecr_find(&e, e.ecr[i].region) == &e.ecr[i]);
		if (i > 0)
			FUZZ_CHECK(strcmp(e.ecr[i - 1].region,
			    e.ecr[i].region) < 0);
	}
	if (cache_write(out_path, &e) == AFP_OK) {
		FUZZ_CHECK(cache_read(out_path, &again) == AFP_OK);
		check_same(&e, &again);
		cache_entry_clear(&again);
	}
	cache_entry_clear(&e);
	return 0;
}
