/*
 * sts_parse for every action. The first input byte picks the action (low
 * two bits) and the HTTP status (next three); the rest is the body.
 */
#include <string.h>

#include "sts.h"
#include "util.h"

static const long statuses[8] = { 200, 400, 403, 500, 503, 429, 201, 302 };

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sts_result res;
	enum sts_action action;
	long status;
	afp_err r;

	if (size < 1)
		return 0;
	action = (enum sts_action)(data[0] & 3);
	status = statuses[(data[0] >> 2) & 7];
	memset(&res, 0, sizeof(res));
	r = sts_parse(action, status, (const char *)data + 1, size - 1, &res);
	if (status >= 200 && status < 300) {
		FUZZ_CHECK(r == AFP_OK || r == AFP_ERR_PARSE ||
		    r == AFP_ERR_TOOBIG);
		if (r == AFP_OK) {
			if (action == STS_GET_CALLER_IDENTITY)
				FUZZ_CHECK(res.account != NULL &&
				    strlen(res.account) == 12 &&
				    res.creds.akid == NULL);
			else
				FUZZ_CHECK(res.creds.akid != NULL &&
				    res.creds.secret != NULL &&
				    res.creds.token != NULL &&
				    fuzz_no_ctl(res.creds.secret) &&
				    fuzz_no_ctl(res.creds.token));
			/* GetSessionToken names no user. */
			if (action != STS_GET_SESSION_TOKEN)
				FUZZ_CHECK(res.arn != NULL && res.id != NULL &&
				    fuzz_no_ctl(res.arn) && fuzz_no_ctl(res.id));
			else
				FUZZ_CHECK(res.arn == NULL && res.id == NULL);
		} else
			FUZZ_CHECK(res.creds.akid == NULL &&
			    res.creds.secret == NULL && res.arn == NULL);
		FUZZ_CHECK(res.err_code == NULL);
	} else {
		FUZZ_CHECK(r == AFP_ERR_THROTTLED || r == AFP_ERR_SERVER ||
		    r == AFP_ERR_AWS || r == AFP_ERR_TOOBIG);
		FUZZ_CHECK(res.creds.akid == NULL && res.arn == NULL);
		if (r != AFP_ERR_TOOBIG)
			FUZZ_CHECK(res.err_code != NULL &&
			    res.err_code[0] != '\0' &&
			    fuzz_no_ctl(res.err_code));
		if (res.err_code != NULL)
			FUZZ_CHECK(fuzz_utf8_ok(res.err_code,
			    strlen(res.err_code)));
		if (res.err_msg != NULL)
			FUZZ_CHECK(fuzz_no_ctl(res.err_msg) &&
			    fuzz_utf8_ok(res.err_msg, strlen(res.err_msg)));
		if (status >= 500)
			FUZZ_CHECK(r == AFP_ERR_SERVER ||
			    r == AFP_ERR_THROTTLED);
	}
	sts_result_clear(&res);
	return 0;
}
