/*
 * signin_callback_ok. The input is the URL, optionally followed by "\n"
 * and allow-list prefixes separated by "\n". A NUL byte ends a string,
 * as it would in the CGI's environment.
 */
#include <stdlib.h>
#include <string.h>

#include "signin.h"
#include "util.h"

#define NALLOW 4

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The authority of an http(s) URL: after "://", up to '/', '?' or '#'. */
static const char *
authority(const char *url, size_t *len)
{
	const char *a = strstr(url, "://") + 3;

	*len = strcspn(a, "/?#");
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[NALLOW + 1];
	char *url, *v[NALLOW];
	const char *a, *b;
	size_t alen, blen;
	struct strlist allow = { v, 0 }, one = { NULL, 1 };
	size_t n, i;
	int ok, open_ok;

	n = fuzz_split(data, size, "\n", parts, NALLOW + 1);
	url = fuzz_strndup(parts[0].p, parts[0].n);
	for (i = 1; i < n; i++)
		v[allow.n++] = fuzz_strndup(parts[i].p, parts[i].n);

	open_ok = signin_callback_ok(url, NULL);
	ok = signin_callback_ok(url, &allow);
	/* An allow list only ever narrows what is accepted. */
	FUZZ_CHECK(!ok || open_ok);
	if (allow.n == 0)
		FUZZ_CHECK(ok == open_ok);
	if (open_ok) {
		FUZZ_CHECK(has_prefix(url, "http://") ||
		    has_prefix(url, "https://"));
		FUZZ_CHECK(strlen(url) <= 2048);
		FUZZ_CHECK(strpbrk(url, " \"<>\\\r\n\t'") == NULL &&
		    fuzz_no_ctl(url));
		for (i = 0; url[i] != '\0'; i++)
			FUZZ_CHECK((unsigned char)url[i] < 0x80);
		/* No userinfo: it hides the real host from a reader. */
		FUZZ_CHECK(memchr(url, '@', authority(url, &alen) - url +
		    alen) == NULL);
	}
	if (ok && allow.n > 0) {
		for (i = 0; i < allow.n; i++)
			if (v[i][0] != '\0' && has_prefix(url, v[i]))
				break;
		FUZZ_CHECK(i < allow.n);
		/*
		 * An entry that is a URL itself and lets this URL through
		 * pins the host and port.
		 */
		for (i = 0; i < allow.n; i++) {
			one.v = &v[i];
			if (!signin_callback_ok(url, &one) ||
			    !signin_callback_ok(v[i], NULL))
				continue;
			a = authority(url, &alen);
			b = authority(v[i], &blen);
			FUZZ_CHECK(alen == blen && memcmp(a, b, alen) == 0);
		}
	}
	for (i = 0; i < allow.n; i++)
		free(v[i]);
	free(url);
	return 0;
}
