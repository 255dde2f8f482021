/*
 * Unit tests for sigv4: every case of the aws-c-auth SigV4 suite in both
 * forms (canonical request, string to sign, signature, signed request),
 * then the error paths.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "t.h"
#include "buf.h"
#include "creds.h"
#include "sigv4.h"
#include "tm.h"

#define VECTOR_DIR	"../shared/testdata/sigv4/v4"
#define VECTOR_CASES	38
#define MAX_TEST_HEADERS 16
#define FILE_MAX	(64 * 1024)

struct vcase {
	char *raw;		/* request.txt, cut up in place */
	const char *method, *path, *query, *version;
	struct sigv4_header hdr[MAX_TEST_HEADERS];
	size_t nhdr;
	const char *body;
	size_t body_len;
	struct afp_creds creds;
	char *region, *service;
	time_t when;
	int normalize, sign_body, omit_token;
	unsigned expires;
};

/* The file dir/<prefix><name> as a string, or NULL. */
static char *
slurp(const char *dir, const char *prefix, const char *name)
{
	char path[4096];
	struct buf b;
	FILE *f;
	char chunk[4096];
	size_t n;
	int len, ok = 1;

	len = snprintf(path, sizeof(path), "%s/%s%s", dir, prefix, name);
	if (len < 0 || (size_t)len >= sizeof(path) ||
	    (f = fopen(path, "rb")) == NULL)
		return NULL;
	buf_init(&b, FILE_MAX);
	while (ok && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ok = buf_add(&b, chunk, n) == AFP_OK;
	if (ferror(f))
		ok = 0;
	fclose(f);
	if (!ok || memchr(buf_str(&b), '\0', b.len) != NULL) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/*
 * request.txt: request line, "Name:value" lines (a line starting with
 * white space continues the value, kept as is with its newline), then an
 * optional blank line and the body.
 */
static int
parse_request(struct vcase *c)
{
	char *s = c->raw, *nl, *sp, *q, *colon;

	if ((nl = strchr(s, '\n')) == NULL)
		return -1;
	*nl = '\0';
	if ((sp = strchr(s, ' ')) == NULL)
		return -1;
	*sp = '\0';
	c->method = s;
	c->path = sp + 1;
	if ((sp = strrchr(c->path, ' ')) == NULL)
		return -1;
	*sp = '\0';
	c->version = sp + 1;
	if ((q = strchr(c->path, '?')) != NULL) {
		*q = '\0';
		c->query = q + 1;
	}
	s = nl + 1;
	while (*s != '\0' && *s != '\n') {
		if (*s == ' ' || *s == '\t' || c->nhdr >= MAX_TEST_HEADERS)
			return -1;
		if ((colon = strchr(s, ':')) == NULL)
			return -1;
		*colon = '\0';
		c->hdr[c->nhdr].name = s;
		c->hdr[c->nhdr].value = colon + 1;
		c->nhdr++;
		nl = colon + 1;
		while ((nl = strchr(nl, '\n')) != NULL &&
		    (nl[1] == ' ' || nl[1] == '\t'))
			nl++;
		if (nl == NULL) {
			s = colon + 1 + strlen(colon + 1);
			break;
		}
		*nl = '\0';
		s = nl + 1;
	}
	c->body = *s == '\n' ? s + 1 : s;
	c->body_len = strlen(c->body);
	return 0;
}

static char *
json_dup(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

static int
json_flag(json_object *o, const char *key, int dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return dflt;
	return json_object_get_boolean(v);
}

static int
parse_context(struct vcase *c, const char *dir)
{
	char path[4096];
	json_object *o, *cr, *v;
	char *ts = NULL;
	int n, rc = -1;

	n = snprintf(path, sizeof(path), "%s/context.json", dir);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (o = json_object_from_file(path)) == NULL)
		return -1;
	if (!json_object_object_get_ex(o, "credentials", &cr) ||
	    !json_object_object_get_ex(o, "expiration_in_seconds", &v))
		goto out;
	c->expires = (unsigned)json_object_get_int(v);
	c->creds.akid = json_dup(cr, "access_key_id");
	c->creds.secret = json_dup(cr, "secret_access_key");
	c->creds.token = json_dup(cr, "token");
	c->region = json_dup(o, "region");
	c->service = json_dup(o, "service");
	c->normalize = json_flag(o, "normalize", 1);
	c->sign_body = json_flag(o, "sign_body", 0);
	c->omit_token = json_flag(o, "omit_session_token", 0);
	if ((ts = json_dup(o, "timestamp")) == NULL ||
	    tm_parse_iso8601(ts, &c->when) != AFP_OK)
		goto out;
	if (c->creds.akid == NULL || c->creds.secret == NULL ||
	    c->region == NULL || c->service == NULL)
		goto out;
	rc = 0;
 out:
	free(ts);
	json_object_put(o);
	return rc;
}

static void
vcase_free(struct vcase *c)
{
	free(c->raw);
	free(c->region);
	free(c->service);
	creds_clear(&c->creds);
	memset(c, 0, sizeof(*c));
}

static afp_err
vcase_sign(const struct vcase *c, enum sigv4_form form, struct sigv4_out *out)
{
	struct sigv4_request req = {
		.method = c->method, .path = c->path, .query = c->query,
		.headers = c->hdr, .nheaders = c->nhdr,
		.body = c->body, .body_len = c->body_len,
	};
	struct sigv4_opts opts = {
		.region = c->region, .service = c->service, .when = c->when,
		.form = form, .normalize = c->normalize,
		.sign_body = c->sign_body, .omit_token = c->omit_token,
		.expires = c->expires,
	};

	return sigv4_sign(&req, &opts, &c->creds, out);
}

/* The request as it goes out: request line, headers, ours, body. */
static afp_err
rebuild(const struct vcase *c, enum sigv4_form form,
    const struct sigv4_out *out, struct buf *b)
{
	afp_err r;
	size_t i;

	if (form == SIGV4_QUERY)
		r = buf_printf(b, "%s %s?%s %s\n", c->method, c->path,
		    buf_str(&out->query), c->version);
	else
		r = buf_printf(b, "%s %s%s%s %s\n", c->method, c->path,
		    c->query ? "?" : "", c->query ? c->query : "", c->version);
	for (i = 0; i < c->nhdr && r == AFP_OK; i++)
		r = buf_printf(b, "%s:%s\n", c->hdr[i].name, c->hdr[i].value);
	if (r == AFP_OK && form == SIGV4_HEADER)
		r = buf_add(b, buf_str(&out->headers), out->headers.len);
	if (r == AFP_OK)
		r = buf_addc(b, '\n');
	if (r == AFP_OK)
		r = buf_add(b, c->body, c->body_len);
	return r;
}

/* One check: got (NULL when signing failed) against <form>-<file>. */
static void
check_file(const char *name, const char *dir, const char *form,
    const char *file, const char *what, const char *got)
{
	char prefix[16];
	char *want;
	int n;

	n = snprintf(prefix, sizeof(prefix), "%s-", form);
	want = n < 0 || (size_t)n >= sizeof(prefix) ? NULL :
	    slurp(dir, prefix, file);
	T_STREQ(got, want, "%s: %s %s", name, form, what);
	free(want);
}

static void
check_form(const char *name, const char *dir, const struct vcase *c,
    enum sigv4_form form)
{
	const char *f = form == SIGV4_HEADER ? "header" : "query";
	struct sigv4_out out;
	struct buf req;
	afp_err r;
	int ok;

	sigv4_out_init(&out);
	buf_init(&req, 0);
	r = vcase_sign(c, form, &out);
	if (r != AFP_OK)
		printf("# %s %s: %s\n", name, f, afp_strerror(r));
	ok = r == AFP_OK;
	check_file(name, dir, f, "canonical-request.txt", "canonical request",
	    ok ? buf_str(&out.canonical) : NULL);
	check_file(name, dir, f, "string-to-sign.txt", "string to sign",
	    ok ? buf_str(&out.string_to_sign) : NULL);
	check_file(name, dir, f, "signature.txt", "signature",
	    ok ? out.signature : NULL);
	ok = ok && rebuild(c, form, &out, &req) == AFP_OK;
	check_file(name, dir, f, "signed-request.txt", "signed request",
	    ok ? buf_str(&req) : NULL);
	buf_free(&req);
	sigv4_out_free(&out);
}

static int
is_case_dir(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void
test_vectors(const char *root)
{
	struct dirent **ents = NULL;
	char dir[4096];
	struct stat st;
	int i, n, ncases = 0;

	n = scandir(root, &ents, is_case_dir, alphasort);
	T_OK(n >= 0, "vectors: directory %s readable", root);
	for (i = 0; i < n; i++) {
		struct vcase c;
		int len;

		memset(&c, 0, sizeof(c));
		len = snprintf(dir, sizeof(dir), "%s/%s", root,
		    ents[i]->d_name);
		if (len < 0 || (size_t)len >= sizeof(dir) ||
		    stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		ncases++;
		c.raw = slurp(dir, "", "request.txt");
		if (c.raw == NULL || parse_request(&c) != 0 ||
		    parse_context(&c, dir) != 0) {
			T_OK(0, "%s: request.txt and context.json load",
			    ents[i]->d_name);
			vcase_free(&c);
			continue;
		}
		check_form(ents[i]->d_name, dir, &c, SIGV4_HEADER);
		check_form(ents[i]->d_name, dir, &c, SIGV4_QUERY);
		vcase_free(&c);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	T_OK(ncases >= VECTOR_CASES, "vectors: %d cases found (want %d)",
	    ncases, VECTOR_CASES);
}

/* get-vanilla as a struct, for the error paths. */
static struct sigv4_header base_hdr[MAX_TEST_HEADERS] = {
	{ "Host", "example.amazonaws.com" },
};

static struct sigv4_request
base_req(void)
{
	struct sigv4_request req = {
		.method = "GET", .path = "/", .headers = base_hdr,
		.nheaders = 1,
	};

	return req;
}

static struct sigv4_opts
base_opts(void)
{
	struct sigv4_opts o = {
		.region = "us-east-1", .service = "service",
		.when = 1440938160,	/* 2015-08-30T12:36:00Z */
		.form = SIGV4_HEADER, .normalize = 1, .expires = 3600,
	};

	return o;
}

static char akid[] = "AKIDEXAMPLE";
static char secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/* Signature of get-vanilla from the suite. */
static const char vanilla_sig[] =
    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

static afp_err
sign_with(const struct sigv4_request *req, const struct sigv4_opts *o,
    const struct afp_creds *cr, char sig[65])
{
	struct sigv4_out out;
	afp_err r;

	sigv4_out_init(&out);
	r = sigv4_sign(req, o, cr, &out);
	memcpy(sig, out.signature, 65);
	sigv4_out_free(&out);
	return r;
}

static void
test_basics(void)
{
	struct afp_creds cr = { .akid = akid, .secret = secret };
	struct sigv4_request req = base_req();
	struct sigv4_opts o = base_opts();
	char hex[65], sig[65];

	T_OK(sigv4_sha256_hex("", 0, hex) == AFP_OK && strcmp(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	    == 0, "sha256: empty string (FIPS 180-2)");
	T_OK(sigv4_sha256_hex("abc", 3, hex) == AFP_OK && strcmp(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
	    == 0, "sha256: \"abc\" (FIPS 180-2)");
	T_OK(sigv4_sha256_hex("abd", 3, hex) == AFP_OK && strcmp(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
	    != 0, "sha256: \"abd\" differs");
	T_EQ(sigv4_sha256_hex(NULL, 1, hex), AFP_ERR_INVAL,
	    "sha256: NULL with a length");

	T_OK(sign_with(&req, &o, &cr, sig) == AFP_OK &&
	    strcmp(sig, vanilla_sig) == 0, "basics: get-vanilla signature");
	o.region = "us-west-2";
	T_OK(sign_with(&req, &o, &cr, sig) == AFP_OK &&
	    strcmp(sig, vanilla_sig) != 0, "basics: other region, other "
	    "signature");
	o = base_opts();
	o.when += 86400;
	T_OK(sign_with(&req, &o, &cr, sig) == AFP_OK &&
	    strcmp(sig, vanilla_sig) != 0, "basics: other day, other "
	    "signature");
}

static void
test_wrong_secret(void)
{
	char bad[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ";
	struct afp_creds good = { .akid = akid, .secret = secret };
	struct afp_creds wrong = { .akid = akid, .secret = bad };
	struct sigv4_request req = base_req();
	struct sigv4_opts o = base_opts();
	struct sigv4_out a, b;

	sigv4_out_init(&a);
	sigv4_out_init(&b);
	T_OK(sigv4_sign(&req, &o, &good, &a) == AFP_OK &&
	    sigv4_sign(&req, &o, &wrong, &b) == AFP_OK,
	    "secret: both sign");
	T_STREQ(buf_str(&a.canonical), buf_str(&b.canonical),
	    "secret: canonical request does not depend on it");
	T_OK(strcmp(a.signature, b.signature) != 0 && strlen(b.signature) == 64,
	    "secret: a wrong secret gives another signature");
	T_OK(strstr(buf_str(&b.canonical), bad) == NULL &&
	    strstr(buf_str(&b.headers), bad) == NULL &&
	    strstr(buf_str(&b.string_to_sign), bad) == NULL,
	    "secret: never appears in the output");
	sigv4_out_free(&a);
	sigv4_out_free(&b);
}

static void
test_bad_args(void)
{
	struct afp_creds cr = { .akid = akid, .secret = secret };
	struct sigv4_request req = base_req();
	struct sigv4_opts o = base_opts();
	struct sigv4_out out;
	char sig[65];

	sigv4_out_init(&out);
	T_OK(sigv4_sign(&req, &o, &cr, &out) == AFP_OK && out.canonical.len > 0,
	    "args: the base request signs");
	o.region = NULL;
	T_EQ(sigv4_sign(&req, &o, &cr, &out), AFP_ERR_INVAL, "args: NULL region");
	T_OK(out.canonical.len == 0 && out.headers.len == 0 &&
	    out.signature[0] == '\0', "args: a failure leaves no output");
	o.region = "";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL, "args: empty region");
	o.region = "us-east-1/x";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: '/' in region");
	o = base_opts();
	o.service = NULL;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL, "args: NULL service");
	o.service = "";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: empty service");
	o = base_opts();
	o.when = -86400;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: time before 1970");
	o = base_opts();
	T_EQ(sigv4_sign(NULL, &o, &cr, &out), AFP_ERR_INVAL, "args: NULL req");
	T_EQ(sigv4_sign(&req, NULL, &cr, &out), AFP_ERR_INVAL, "args: NULL opts");
	T_EQ(sigv4_sign(&req, &o, NULL, &out), AFP_ERR_INVAL, "args: NULL creds");
	T_EQ(sigv4_sign(&req, &o, &cr, NULL), AFP_ERR_INVAL, "args: NULL out");
	req.method = "G T";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: space in method");
	req = base_req();
	req.path = "relative";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: path without leading '/'");
	req.path = "/a\r\nb";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: control byte in path");
	req = base_req();
	req.query = "a=%zz";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: malformed escape in query");
	req.query = "a=b c";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: raw space in query");
	req = base_req();
	req.body_len = 1;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: NULL body with a length");
	req = base_req();
	cr.akid = NULL;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: NULL access key id");
	cr.akid = akid;
	cr.secret = "";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: empty secret");
	cr.secret = secret;
	cr.token = "abc\r\nX-Evil:1";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "args: CRLF in session token");
	sigv4_out_free(&out);
}

/* Sign base_hdr[0..n) and report the result. */
static afp_err
sign_headers(size_t n, char sig[65])
{
	struct afp_creds cr = { .akid = akid, .secret = secret };
	struct sigv4_request req = base_req();
	struct sigv4_opts o = base_opts();

	req.nheaders = n;
	return sign_with(&req, &o, &cr, sig);
}

static void
test_headers(void)
{
	static const char *const skipped[] = {
		"User-Agent", "X-Amzn-Trace-Id", "Connection", "Expect",
		"Upgrade", "Transfer-Encoding", "Sec-WebSocket-Key",
	};
	char sig[65];
	size_t i;

	T_EQ(sign_headers(0, sig), AFP_ERR_INVAL, "headers: no Host");
	base_hdr[0].name = "X-Other";
	T_EQ(sign_headers(1, sig), AFP_ERR_INVAL, "headers: missing Host");
	base_hdr[0].name = " HOST\t";
	T_OK(sign_headers(1, sig) == AFP_OK && strcmp(sig, vanilla_sig) == 0,
	    "headers: name trimmed and lower-cased");
	base_hdr[0].name = "Host";
	base_hdr[0].value = "   ";
	T_EQ(sign_headers(1, sig), AFP_ERR_INVAL, "headers: blank Host");
	base_hdr[0].value = "  example.amazonaws.com ";
	T_OK(sign_headers(1, sig) == AFP_OK && strcmp(sig, vanilla_sig) == 0,
	    "headers: value trimmed");
	base_hdr[0].value = "example.amazonaws.com";
	base_hdr[1] = (struct sigv4_header){ "host", "example.amazonaws.com" };
	T_EQ(sign_headers(2, sig), AFP_ERR_INVAL, "headers: two Hosts");

	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
		base_hdr[1] = (struct sigv4_header){ skipped[i], "x" };
		T_OK(sign_headers(2, sig) == AFP_OK &&
		    strcmp(sig, vanilla_sig) == 0, "headers: %s not signed",
		    skipped[i]);
	}
	base_hdr[1] = (struct sigv4_header){ "X-Custom", "x" };
	T_OK(sign_headers(2, sig) == AFP_OK && strcmp(sig, vanilla_sig) != 0,
	    "headers: X-Custom is signed");
	base_hdr[1] = (struct sigv4_header){ "Authorization", "x" };
	T_EQ(sign_headers(2, sig), AFP_ERR_INVAL,
	    "headers: caller's Authorization refused");
	base_hdr[1] = (struct sigv4_header){ "x-amz-date", "x" };
	T_EQ(sign_headers(2, sig), AFP_ERR_INVAL,
	    "headers: caller's X-Amz-Date refused");
	base_hdr[1] = (struct sigv4_header){ "Bad Name", "x" };
	T_EQ(sign_headers(2, sig), AFP_ERR_INVAL, "headers: space in a name");
	base_hdr[1] = (struct sigv4_header){ "", "x" };
	T_EQ(sign_headers(2, sig), AFP_ERR_INVAL, "headers: empty name");
	base_hdr[1] = (struct sigv4_header){ "X-A", "a\r\nX-Evil: 1" };
	T_EQ(sign_headers(2, sig), AFP_ERR_INVAL,
	    "headers: CRLF injection refused");
	base_hdr[1] = (struct sigv4_header){ "X-A", "a\nb" };
	T_EQ(sign_headers(2, sig), AFP_ERR_INVAL, "headers: bare LF refused");
	base_hdr[1] = (struct sigv4_header){ "X-A", "a\r\n b" };
	T_OK(sign_headers(2, sig) == AFP_OK, "headers: folded value accepted");
	base_hdr[1] = (struct sigv4_header){ NULL, NULL };
}

static void
test_query_form(void)
{
	static const char sorted[] = "GET\n/\na=1&a=2&b=2&c=\nhost:";
	struct afp_creds cr = { .akid = akid, .secret = secret };
	struct sigv4_request req = base_req();
	struct sigv4_opts o = base_opts();
	struct sigv4_out out;
	char sig[65];

	o.form = SIGV4_QUERY;
	sigv4_out_init(&out);
	T_OK(sigv4_sign(&req, &o, &cr, &out) == AFP_OK &&
	    strstr(buf_str(&out.query), "X-Amz-Expires=3600&") != NULL &&
	    out.headers.len == 0, "query: expires in the query, no headers");
	sigv4_out_free(&out);
	o.expires = 0;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL, "query: expires 0");
	o.expires = 604801;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "query: expires over seven days");
	o.expires = 604800;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_OK,
	    "query: expires of seven days");
	o.form = SIGV4_HEADER;
	sigv4_out_init(&out);
	req.query = "b=2&a=2&&a=1&c";
	T_OK(sigv4_sign(&req, &o, &cr, &out) == AFP_OK &&
	    strncmp(buf_str(&out.canonical), sorted, strlen(sorted)) == 0,
	    "query: sorted by key then value, empty value kept");
	sigv4_out_free(&out);
	o.form = SIGV4_QUERY;
	req.query = "X-Amz-Signature=00";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_INVAL,
	    "query: caller's X-Amz-Signature refused");
	req.query = "X-Amz-Signaturf=00";
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_OK,
	    "query: other X-Amz-like names pass");
}

/* The payload hash is the body's even without sign_body. */
static void
test_body(void)
{
	static const char body[] = "Param1=value1";
	static const char hash[] =
	    "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
	struct afp_creds cr = { .akid = akid, .secret = secret };
	struct sigv4_request req = base_req();
	struct sigv4_opts o = base_opts();
	struct sigv4_out out;
	const char *c;

	req.method = "POST";
	req.body = body;
	req.body_len = sizeof(body) - 1;
	sigv4_out_init(&out);
	T_OK(sigv4_sign(&req, &o, &cr, &out) == AFP_OK &&
	    (c = buf_str(&out.canonical)) != NULL &&
	    strlen(c) > 64 && strcmp(c + strlen(c) - 64, hash) == 0,
	    "body: payload hash without sign_body");
	T_OK(strstr(buf_str(&out.headers), "x-amz-content-sha256") == NULL,
	    "body: no content header without sign_body");
	o.sign_body = 1;
	T_OK(sigv4_sign(&req, &o, &cr, &out) == AFP_OK &&
	    strstr(buf_str(&out.headers), hash) != NULL,
	    "body: content header with sign_body");
	req.body_len = 16 * 1024 * 1024 + 1;
	T_EQ(sigv4_sign(&req, &o, &cr, &out), AFP_ERR_TOOBIG,
	    "body: over the cap");
	sigv4_out_free(&out);
}

static void
test_caps(void)
{
	struct afp_creds cr = { .akid = akid, .secret = secret };
	struct sigv4_header many[65];
	struct sigv4_request req = base_req();
	struct sigv4_opts o = base_opts();
	char *big;
	char sig[65];
	size_t i;

	for (i = 0; i < 65; i++)
		many[i] = (struct sigv4_header){ "X-N", "v" };
	many[0] = base_hdr[0];
	req.headers = many;
	req.nheaders = 64;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_OK, "caps: 64 headers");
	req.nheaders = 65;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_TOOBIG, "caps: 65 headers");

	if ((big = malloc(20000)) == NULL) {
		T_OK(0, "caps: malloc");
		return;
	}
	memset(big, 'a', 19999);
	big[19999] = '\0';
	req = base_req();
	many[1] = (struct sigv4_header){ "X-Big", big };
	req.headers = many;
	req.nheaders = 2;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_TOOBIG,
	    "caps: header value over the cap");
	big[0] = '/';
	req = base_req();
	req.path = big;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_TOOBIG,
	    "caps: path over the cap");
	req = base_req();
	req.query = big + 1;
	T_EQ(sign_with(&req, &o, &cr, sig), AFP_ERR_TOOBIG,
	    "caps: query over the cap");
	free(big);
}

int
main(int argc, char **argv)
{
	test_vectors(argc > 1 ? argv[1] : VECTOR_DIR);
	test_basics();
	test_wrong_secret();
	test_bad_args();
	test_headers();
	test_query_form();
	test_body();
	test_caps();
	return t_done();
}
