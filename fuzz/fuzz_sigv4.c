/*
 * sigv4_sign of arbitrary requests. The first input byte holds the
 * options: bit 0 query form, bit 1 normalize, bit 2 sign_body, bit 3
 * omit_token, bit 4 a session token, bits 5-7 X-Amz-Expires. The rest is
 * a request as the AWS test suite writes request.txt: "METHOD target
 * HTTP/1.1", "Name:value" lines (a line starting with a space or tab
 * continues the value), then an optional blank line and the body.
 */
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"
#include "util.h"

#define MAX_HDRS	80	/* past sigv4's own cap of 64 */
#define WHEN		((time_t)1440938160)	/* 2015-08-30T12:36:00Z */
#define STS_HEAD	"AWS4-HMAC-SHA256\n20150830T123600Z\n" \
			"20150830/us-east-1/service/aws4_request\n"

static const unsigned expires[8] = { 1, 60, 300, 3600, 86400, 604800,
    604801, 0 };

struct req {
	char *raw;
	char *method, *path, *query;
	struct sigv4_header h[MAX_HDRS];
	size_t nh;
	const char *body;
	size_t body_len;
};

/* Cut the request text up in place; 0 when it has no request line. */
static int
parse(struct req *q, char *s, size_t n)
{
	char *end = s + n, *nl, *sp, *colon;

	if ((nl = memchr(s, '\n', n)) == NULL)
		nl = end;
	*nl = '\0';
	q->method = s;
	if ((sp = strchr(s, ' ')) == NULL)
		return 0;
	*sp = '\0';
	q->path = sp + 1;
	if ((sp = strrchr(q->path, ' ')) != NULL)
		*sp = '\0';
	if ((q->query = strchr(q->path, '?')) != NULL)
		*q->query++ = '\0';
	s = nl < end ? nl + 1 : end;
	while (s < end && *s != '\n' && q->nh < MAX_HDRS) {
		if ((colon = memchr(s, ':', (size_t)(end - s))) == NULL)
			break;
		*colon = '\0';
		q->h[q->nh].name = s;
		q->h[q->nh].value = colon + 1;
		q->nh++;
		nl = colon + 1;
		while ((nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL &&
		    nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t'))
			nl++;
		if (nl == NULL) {
			s = end;
			break;
		}
		*nl = '\0';
		s = nl + 1;
	}
	if (s < end && *s == '\n')
		s++;
	q->body = s;
	q->body_len = (size_t)(end - s);
	return 1;
}

static int
lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

static void
check_out(const struct req *q, const struct sigv4_opts *o,
    const struct sigv4_out *out)
{
	char body_hash[65], cr_hash[65];
	const char *c = buf_str(&out->canonical), *uri, *s;
	size_t i, n;

	FUZZ_CHECK(lower_hex(out->signature, 64));
	n = strlen(q->method);
	FUZZ_CHECK(strncmp(c, q->method, n) == 0 && c[n] == '\n');
	/* The canonical request ends with the payload's hash. */
	FUZZ_CHECK(sigv4_sha256_hex(q->body, q->body_len, body_hash) ==
	    AFP_OK);
	FUZZ_CHECK(out->canonical.len > 64 && strcmp(c +
	    out->canonical.len - 64, body_hash) == 0);
	FUZZ_CHECK(sigv4_sha256_hex(c, out->canonical.len, cr_hash) == AFP_OK);
	s = buf_str(&out->string_to_sign);
	FUZZ_CHECK(strncmp(s, STS_HEAD, strlen(STS_HEAD)) == 0 &&
	    strcmp(s + strlen(STS_HEAD), cr_hash) == 0);
	/* The canonical URI is encoded: no controls, spaces or raw bytes. */
	uri = c + n + 1;
	for (i = 0; uri[i] != '\n'; i++)
		FUZZ_CHECK((unsigned char)uri[i] > ' ' &&
		    (unsigned char)uri[i] < 0x7f);
	FUZZ_CHECK(uri[0] == '/');
	if (o->normalize)
		FUZZ_CHECK(memmem(uri, i, "/./", 3) == NULL &&
		    memmem(uri, i, "/../", 4) == NULL &&
		    memmem(uri, i, "//", 2) == NULL);
	if (o->form == SIGV4_HEADER) {
		s = buf_str(&out->headers);
		/* Lines the caller sends as they are: no header injection. */
		FUZZ_CHECK(strchr(s, '\r') == NULL && out->query.len == 0);
		for (i = 0; s[i] != '\0'; i++)
			FUZZ_CHECK(s[i] == '\n' || ((unsigned char)s[i] >= ' ' &&
			    s[i] != 0x7f));
		FUZZ_CHECK(out->headers.len > 0 &&
		    s[out->headers.len - 1] == '\n');
		FUZZ_CHECK(strstr(s, out->signature) != NULL);
	} else {
		s = buf_str(&out->query);
		FUZZ_CHECK(out->headers.len == 0 && out->query.len > 80);
		for (i = 0; s[i] != '\0'; i++)
			FUZZ_CHECK((unsigned char)s[i] > ' ' &&
			    s[i] != 0x7f && s[i] != '#');
		FUZZ_CHECK(memcmp(s + out->query.len - 80, "X-Amz-Signature=",
		    16) == 0 && strcmp(s + out->query.len - 64,
		    out->signature) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct afp_creds creds = {
		.akid = (char *)"AKIDEXAMPLE",
		.secret = (char *)"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	};
	struct sigv4_opts o = {
		.region = "us-east-1", .service = "service", .when = WHEN,
	};
	struct sigv4_request sr;
	struct sigv4_out out, again;
	struct req q;
	afp_err r;

	if (size < 1)
		return 0;
	memset(&q, 0, sizeof(q));
	q.raw = fuzz_strndup(data + 1, size - 1);
	if (!parse(&q, q.raw, size - 1))
		goto done;
	o.form = data[0] & 1 ? SIGV4_QUERY : SIGV4_HEADER;
	o.normalize = (data[0] >> 1) & 1;
	o.sign_body = (data[0] >> 2) & 1;
	o.omit_token = (data[0] >> 3) & 1;
	if ((data[0] >> 4) & 1)
		creds.token = (char *)"IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+==";
	o.expires = expires[data[0] >> 5];
	sr.method = q.method;
	sr.path = q.path;
	sr.query = q.query;
	sr.headers = q.h;
	sr.nheaders = q.nh;
	sr.body = q.body;
	sr.body_len = q.body_len;

	sigv4_out_init(&out);
	sigv4_out_init(&again);
	r = sigv4_sign(&sr, &o, &creds, &out);
	if (r == AFP_OK) {
		check_out(&q, &o, &out);
		/* Signing is a function of its input. */
		FUZZ_CHECK(sigv4_sign(&sr, &o, &creds, &again) == AFP_OK &&
		    strcmp(again.signature, out.signature) == 0);
	} else {
		FUZZ_CHECK(r == AFP_ERR_INVAL || r == AFP_ERR_TOOBIG);
		FUZZ_CHECK(out.canonical.len == 0 &&
		    out.string_to_sign.len == 0 && out.headers.len == 0 &&
		    out.query.len == 0);
	}
	sigv4_out_free(&out);
	sigv4_out_free(&again);
 done:
	free(q.raw);
	return 0;
}
