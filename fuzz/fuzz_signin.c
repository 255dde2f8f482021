/* signin_token_parse: the getSigninToken answer. */
#include <string.h>

#include "signin.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tok = (char *)1;
	afp_err r;
	size_t i, n;

	r = signin_token_parse((const char *)data, size, &tok);
	if (r != AFP_OK) {
		FUZZ_CHECK(tok == NULL);
		return 0;
	}
	n = strlen(tok);
	FUZZ_CHECK(n > 0 && n <= SIGNIN_TOKEN_MAX);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)tok[i] > ' ' &&
		    (unsigned char)tok[i] < 0x7f);
	str_wipe_free(tok);
	return 0;
}
