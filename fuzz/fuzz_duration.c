/* conf_duration: "90s", "1h30m", "1d" ... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util.h"

/* Reparse secs written as "<n>s" and as "<d>d<h>h<m>m<s>s". */
static void
check_forms(unsigned secs)
{
	char s[64];
	unsigned again;
	int n;

	n = snprintf(s, sizeof(s), "%us", secs);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(s));
	FUZZ_CHECK(conf_duration(s, &again) == AFP_OK && again == secs);
	n = snprintf(s, sizeof(s), "%ud%uh%um%us", secs / 86400,
	    secs % 86400 / 3600, secs % 3600 / 60, secs % 60);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(s));
	FUZZ_CHECK(conf_duration(s, &again) == AFP_OK && again == secs);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned secs = 12345;
	char *s;
	afp_err r;

	s = fuzz_strndup(data, size);
	r = conf_duration(s, &secs);
	if (r == AFP_OK) {
		FUZZ_CHECK(secs > 0);
		FUZZ_CHECK(s[strspn(s, "0123456789smhd")] == '\0');
		FUZZ_CHECK(strchr("smhd", s[strlen(s) - 1]) != NULL);
		check_forms(secs);
	} else {
		FUZZ_CHECK(r == AFP_ERR_INVAL);
		/* Failure leaves the output alone. */
		FUZZ_CHECK(secs == 12345);
	}
	free(s);
	return 0;
}
