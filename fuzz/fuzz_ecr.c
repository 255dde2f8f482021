/*
 * ecr_parse. The first input byte picks the HTTP status (low three bits)
 * and the cap of the error buffer (next three; one choice passes NULL);
 * the rest is the body.
 */
#include <string.h>
#include <strings.h>

#include "ecr.h"
#include "util.h"

static const long statuses[8] = { 200, 400, 429, 500, 503, 403, 204, 301 };
static const size_t err_caps[8] = { 0, 1, 4, 9, 32, 200, ECR_ERR_MAX, 65536 };

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ecr_token t;
	struct buf err;
	long status;
	size_t cap;
	afp_err r;

	if (size < 1)
		return 0;
	status = statuses[data[0] & 7];
	cap = err_caps[(data[0] >> 3) & 7];
	memset(&t, 0, sizeof(t));
	buf_init(&err, cap);
	r = ecr_parse(status, (const char *)data + 1, size - 1, &t,
	    cap == 0 ? NULL : &err);
	if (status >= 200 && status < 300) {
		FUZZ_CHECK(r == AFP_OK || r == AFP_ERR_PARSE ||
		    r == AFP_ERR_TOOBIG);
		if (r == AFP_OK)
			FUZZ_CHECK(t.token != NULL && t.endpoint != NULL &&
			    strncasecmp(t.endpoint, "https://", 8) == 0 &&
			    t.expires >= 0 && fuzz_no_ctl(t.token));
		else
			FUZZ_CHECK(t.token == NULL && t.endpoint == NULL);
		FUZZ_CHECK(err.len == 0);
	} else {
		FUZZ_CHECK(r == AFP_ERR_THROTTLED || r == AFP_ERR_SERVER ||
		    r == AFP_ERR_AWS || r == AFP_ERR_TOOBIG);
		FUZZ_CHECK(t.token == NULL);
		if (status == 429)
			FUZZ_CHECK(r == AFP_ERR_THROTTLED);
		else if (status >= 500)
			FUZZ_CHECK(r == AFP_ERR_SERVER ||
			    r == AFP_ERR_THROTTLED);
		if (cap != 0 && r != AFP_ERR_TOOBIG) {
			/*
			 * Cut on a character boundary, so only a cap below
			 * one UTF-8 character (4 bytes) may leave it empty.
			 */
			FUZZ_CHECK((err.len > 0 || cap < 4) && err.len <= cap &&
			    err.len <= ECR_ERR_MAX);
			FUZZ_CHECK(memchr(err.p, '\0', err.len) == NULL &&
			    fuzz_no_ctl(buf_str(&err)) &&
			    fuzz_utf8_ok(err.p, err.len));
		}
	}
	ecr_token_clear(&t);
	buf_free(&err);
	return 0;
}
