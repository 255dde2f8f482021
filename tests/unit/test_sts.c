/* Unit tests for sts: endpoints, request bodies, signing, response parsing. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "t.h"
#include "sigcheck.h"
#include "buf.h"
#include "sigv4.h"
#include "sts.h"

#define DATA "tests/data/sts/"

/* The AWS documentation's example session token, as the samples carry it. */
#define DOC_TOKEN \
	"AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4" \
	"FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi" \
	"/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDv" \
	"p75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZb" \
	"qBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/" \
	"oLxBA=="
#define DOC_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"

static void
slurp(const char *name, struct buf *b)
{
	char path[256];
	FILE *f;
	size_t n;
	char chunk[4096];
	int ok = 1;

	buf_init(b, 1024 * 1024);
	if (snprintf(path, sizeof(path), DATA "%s", name) >=
	    (int)sizeof(path) ||
	    (f = fopen(path, "r")) == NULL) {
		T_OK(0, "read %s", name);
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(b, chunk, n) != AFP_OK)
			ok = 0;
	if (ferror(f))
		ok = 0;
	fclose(f);
	if (!ok)
		T_OK(0, "read %s", name);
}

/* Parse a sample file; the result is left in res. */
static afp_err
parse_file(enum sts_action a, long status, const char *name,
    struct sts_result *res)
{
	struct buf b;
	afp_err r;

	slurp(name, &b);
	r = sts_parse(a, status, buf_str(&b), b.len, res);
	buf_free(&b);
	return r;
}

/* Replace the first "from" in b with "to". */
static void
edit(struct buf *b, const char *from, const char *to)
{
	struct buf e;
	const char *s = buf_str(b), *hit;

	if ((hit = strstr(s, from)) == NULL) {
		T_OK(0, "edit: \"%s\" not found", from);
		return;
	}
	buf_init(&e, 1024 * 1024);
	if (buf_add(&e, s, (size_t)(hit - s)) != AFP_OK ||
	    buf_addstr(&e, to) != AFP_OK ||
	    buf_addstr(&e, hit + strlen(from)) != AFP_OK)
		T_OK(0, "edit: out of room");
	buf_free(b);
	*b = e;
}

/* Parse a sample after one or two replacements (from2 may be NULL). */
static afp_err
parse_edit2(enum sts_action a, long status, const char *name,
    const char *from, const char *to, const char *from2, const char *to2,
    struct sts_result *res)
{
	struct buf b;
	afp_err r;

	slurp(name, &b);
	edit(&b, from, to);
	if (from2 != NULL)
		edit(&b, from2, to2);
	r = sts_parse(a, status, buf_str(&b), b.len, res);
	buf_free(&b);
	return r;
}

static afp_err
parse_edit(enum sts_action a, long status, const char *name, const char *from,
    const char *to, struct sts_result *res)
{
	return parse_edit2(a, status, name, from, to, NULL, NULL, res);
}

/* Parse a literal document. */
static afp_err
parse_str(long status, const char *doc, struct sts_result *res)
{
	return sts_parse(STS_GET_CALLER_IDENTITY, status, doc, strlen(doc),
	    res);
}

static void
test_endpoint(void)
{
	struct buf u;
	static const char *bad[] = {
		"ftp://sts.example.com", "https://", "https:///path",
		"https://sts example.com", "https://sts.example.com/a b",
		"https://sts.example.com\n", "https://sts.example.com/\t",
		"sts.example.com", "https://user@sts.example.com",
		"https://sts.example.com/?Action=x",
		"https://sts.example.com#f",
		"https://sts.example.com:", "https://sts.example.com:0",
		"https://sts.example.com:65536", "https://sts.example.com:44a",
		"https://[::1", "https://[]", "https://[::1]x",
		"https://st\xc3\xa9s.example.com",
		"https://sts.example.com/%41",
		"",
	};
	size_t i;

	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL");
	buf_init(&u, 0);
	T_OK(sts_endpoint("aws", "us-east-1", NULL, &u) == AFP_OK,
	    "endpoint: aws default");
	T_STREQ(buf_str(&u), "https://sts.us-east-1.amazonaws.com",
	    "endpoint: aws regional");
	buf_reset(&u);
	T_OK(sts_endpoint("aws-us-gov", "us-gov-west-1", "", &u) == AFP_OK,
	    "endpoint: aws-us-gov default, empty override ignored");
	T_STREQ(buf_str(&u), "https://sts.us-gov-west-1.amazonaws.com",
	    "endpoint: aws-us-gov regional");
	buf_reset(&u);
	T_OK(sts_endpoint("aws-cn", "cn-north-1", NULL, &u) == AFP_OK,
	    "endpoint: aws-cn default");
	T_STREQ(buf_str(&u), "https://sts.cn-north-1.amazonaws.com.cn",
	    "endpoint: aws-cn suffix");
	buf_reset(&u);
	T_EQ(sts_endpoint("aws-iso", "us-east-1", NULL, &u), AFP_ERR_INVAL,
	    "endpoint: unknown partition");
	T_EQ(sts_endpoint(NULL, "us-east-1", NULL, &u), AFP_ERR_INVAL,
	    "endpoint: no partition");
	T_EQ(sts_endpoint("aws", "US-EAST-1", NULL, &u), AFP_ERR_INVAL,
	    "endpoint: upper-case region");
	T_EQ(sts_endpoint("aws", "us-east-1.evil.com/", NULL, &u),
	    AFP_ERR_INVAL, "endpoint: region with dots and slash");
	T_EQ(sts_endpoint("aws", "", NULL, &u), AFP_ERR_INVAL,
	    "endpoint: empty region");
	T_EQ(sts_endpoint("aws", "a23456789012345678901234567890123", NULL,
	    &u), AFP_ERR_INVAL, "endpoint: 33-character region");
	T_OK(sts_endpoint("aws", "a2345678901234567890123456789012", NULL,
	    &u) == AFP_OK, "endpoint: 32-character region");
	T_EQ(u.len, 0 + strlen("https://sts.a2345678901234567890123456789012"
	    ".amazonaws.com"), "endpoint: 32-character region in the URL");
	buf_reset(&u);

	T_OK(sts_endpoint("aws", "us-east-1", "https://vpce-1.sts.example.com/",
	    &u) == AFP_OK, "endpoint: override");
	T_STREQ(buf_str(&u), "https://vpce-1.sts.example.com",
	    "endpoint: override, trailing slash dropped");
	buf_reset(&u);
	T_OK(sts_endpoint("aws", "us-east-1", "http://127.0.0.1:5000/sts//",
	    &u) == AFP_OK, "endpoint: override with port and path");
	T_STREQ(buf_str(&u), "http://127.0.0.1:5000/sts/",
	    "endpoint: only one trailing slash dropped");
	buf_reset(&u);
	T_OK(sts_endpoint("aws", "us-east-1", "http://[::1]:4566", &u) ==
	    AFP_OK, "endpoint: IPv6 literal");
	T_STREQ(buf_str(&u), "http://[::1]:4566", "endpoint: IPv6 kept");
	buf_reset(&u);

	setenv("AWS_ENDPOINT_URL", "http://localhost:4566/", 1);
	T_OK(sts_endpoint("aws", "us-east-1", "https://override.example.com",
	    &u) == AFP_OK, "endpoint: AWS_ENDPOINT_URL");
	T_STREQ(buf_str(&u), "http://localhost:4566",
	    "endpoint: AWS_ENDPOINT_URL beats the override");
	buf_reset(&u);
	setenv("AWS_ENDPOINT_URL_STS", "http://localhost:5000", 1);
	T_OK(sts_endpoint("aws", "us-east-1", "https://override.example.com",
	    &u) == AFP_OK, "endpoint: AWS_ENDPOINT_URL_STS");
	T_STREQ(buf_str(&u), "http://localhost:5000",
	    "endpoint: AWS_ENDPOINT_URL_STS beats AWS_ENDPOINT_URL");
	buf_reset(&u);
	setenv("AWS_ENDPOINT_URL_STS", "", 1);
	T_OK(sts_endpoint("aws", "us-east-1", NULL, &u) == AFP_OK &&
	    strcmp(buf_str(&u), "http://localhost:4566") == 0,
	    "endpoint: empty AWS_ENDPOINT_URL_STS counts as unset");
	buf_reset(&u);
	setenv("AWS_ENDPOINT_URL_STS", "file:///etc/passwd", 1);
	T_EQ(sts_endpoint("aws", "us-east-1", NULL, &u), AFP_ERR_INVAL,
	    "endpoint: bad URL in the environment refused");
	T_EQ(u.len, 0, "endpoint: nothing written on error");
	T_EQ(sts_endpoint("aws", "bad region", NULL, &u), AFP_ERR_INVAL,
	    "endpoint: region checked even with an environment URL");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&u);
		T_EQ(sts_endpoint("aws", "us-east-1", bad[i], &u),
		    bad[i][0] == '\0' ? AFP_OK : AFP_ERR_INVAL,
		    "endpoint: bad override %zu %s", i,
		    bad[i][0] == '\0' ? "means unset" : "refused");
	}
	buf_free(&u);
}

static void
test_body(void)
{
	struct buf b;
	char *arns[] = { "arn:aws:iam::aws:policy/ReadOnlyAccess",
	    "arn:aws:iam::123456789012:policy/team/s3 read" };
	char *badarns[] = { "arn:aws:iam::aws:policy/ReadOnlyAccess", "" };
	struct sts_call c;

	buf_init(&b, 0);
	memset(&c, 0, sizeof(c));
	c.action = STS_ASSUME_ROLE;
	c.role_arn = "arn:aws:iam::123456789012:role/admin";
	c.session_name = "afp-alice@example.com";
	T_OK(sts_body(&c, &b) == AFP_OK, "body: AssumeRole minimal");
	T_STREQ(buf_str(&b), "Action=AssumeRole&Version=2011-06-15"
	    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin"
	    "&RoleSessionName=afp-alice%40example.com",
	    "body: AssumeRole minimal text");
	buf_reset(&b);

	c.duration = 3600;
	c.external_id = "ext id+1";
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	    "\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
	c.policy_arns = arns;
	c.npolicy_arns = 2;
	T_OK(sts_body(&c, &b) == AFP_OK, "body: AssumeRole full");
	T_STREQ(buf_str(&b), "Action=AssumeRole&Version=2011-06-15"
	    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin"
	    "&RoleSessionName=afp-alice%40example.com"
	    "&DurationSeconds=3600"
	    "&ExternalId=ext%20id%2B1"
	    "&Policy=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A"
	    "%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22"
	    "%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
	    "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2F"
	    "ReadOnlyAccess"
	    "&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3A"
	    "policy%2Fteam%2Fs3%20read",
	    "body: AssumeRole full text");
	buf_reset(&b);

	c.external_id = "";
	c.policy = "";
	c.npolicy_arns = 0;
	T_OK(sts_body(&c, &b) == AFP_OK && strstr(buf_str(&b), "ExternalId") ==
	    NULL && strstr(buf_str(&b), "Policy") == NULL,
	    "body: empty optional fields omitted");
	buf_reset(&b);
	c.role_arn = NULL;
	T_EQ(sts_body(&c, &b), AFP_ERR_INVAL,
	    "body: AssumeRole without RoleArn");
	c.role_arn = "";
	T_EQ(sts_body(&c, &b), AFP_ERR_INVAL,
	    "body: AssumeRole, empty RoleArn");
	c.role_arn = "arn:aws:iam::123456789012:role/admin";
	c.session_name = NULL;
	T_EQ(sts_body(&c, &b), AFP_ERR_INVAL,
	    "body: AssumeRole without RoleSessionName");
	c.session_name = "s";
	c.policy_arns = NULL;
	c.npolicy_arns = 1;
	T_EQ(sts_body(&c, &b), AFP_ERR_INVAL,
	    "body: policy ARN count without ARNs");
	c.policy_arns = badarns;
	c.npolicy_arns = 2;
	T_EQ(sts_body(&c, &b), AFP_ERR_INVAL, "body: empty policy ARN");
	T_EQ(b.len, 0, "body: nothing written on error");

	memset(&c, 0, sizeof(c));
	c.action = STS_GET_FEDERATION_TOKEN;
	c.session_name = "Bob";
	c.role_arn = "arn:aws:iam::123456789012:role/ignored";
	c.external_id = "ignored";
	c.policy = "{\"Statement\":[]}";
	c.policy_arns = arns;
	c.npolicy_arns = 1;
	c.duration = 43200;
	T_OK(sts_body(&c, &b) == AFP_OK, "body: GetFederationToken");
	T_STREQ(buf_str(&b), "Action=GetFederationToken&Version=2011-06-15"
	    "&Name=Bob&Policy=%7B%22Statement%22%3A%5B%5D%7D"
	    "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2F"
	    "ReadOnlyAccess&DurationSeconds=43200",
	    "body: GetFederationToken text, RoleArn/ExternalId not sent");
	buf_reset(&b);
	c.session_name = NULL;
	T_EQ(sts_body(&c, &b), AFP_ERR_INVAL,
	    "body: GetFederationToken without Name");

	memset(&c, 0, sizeof(c));
	c.action = STS_GET_SESSION_TOKEN;
	c.policy = "{}";
	T_OK(sts_body(&c, &b) == AFP_OK, "body: GetSessionToken");
	T_STREQ(buf_str(&b), "Action=GetSessionToken&Version=2011-06-15",
	    "body: GetSessionToken without duration");
	buf_reset(&b);
	c.duration = 900;
	T_OK(sts_body(&c, &b) == AFP_OK &&
	    strcmp(buf_str(&b), "Action=GetSessionToken&Version=2011-06-15"
	    "&DurationSeconds=900") == 0,
	    "body: GetSessionToken with duration");
	buf_reset(&b);

	memset(&c, 0, sizeof(c));
	c.action = STS_GET_CALLER_IDENTITY;
	c.duration = 900;
	c.session_name = "x";
	T_OK(sts_body(&c, &b) == AFP_OK, "body: GetCallerIdentity");
	T_STREQ(buf_str(&b), "Action=GetCallerIdentity&Version=2011-06-15",
	    "body: GetCallerIdentity has nothing else");
	buf_reset(&b);
	c.action = (enum sts_action)42;
	T_EQ(sts_body(&c, &b), AFP_ERR_INVAL, "body: unknown action");
	buf_free(&b);

	buf_init(&b, 16);
	memset(&c, 0, sizeof(c));
	c.action = STS_GET_CALLER_IDENTITY;
	T_EQ(sts_body(&c, &b), AFP_ERR_TOOBIG, "body: the caller's cap holds");
	buf_free(&b);
}


#define TEST_AKID "AKIDEXAMPLE"
#define TEST_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TEST_WHEN ((time_t)1440938160)	/* 2015-08-30T12:36:00Z */
#define TEST_CT "application/x-www-form-urlencoded; charset=utf-8"

static void
test_sign(void)
{
	struct afp_creds cr = { TEST_AKID, TEST_SECRET, NULL, 0 };
	struct net_req req;
	struct sts_call c;
	const char *auth;
	size_t i;
	afp_err r;

	net_req_init(&req);
	memset(&c, 0, sizeof(c));
	c.action = STS_GET_CALLER_IDENTITY;
	r = sts_sign(&req, "https://sts.us-east-1.amazonaws.com", "us-east-1",
	    &c, &cr, TEST_WHEN);
	T_OK(r == AFP_OK, "sign: GetCallerIdentity");
	T_STREQ(req.method, "POST", "sign: method");
	T_STREQ(req.url, "https://sts.us-east-1.amazonaws.com", "sign: url");
	T_STREQ(buf_str(&req.body),
	    "Action=GetCallerIdentity&Version=2011-06-15", "sign: body");
	T_STREQ(req_header(&req, "Host"), "sts.us-east-1.amazonaws.com",
	    "sign: Host");
	T_STREQ(req_header(&req, "Content-Type"), TEST_CT,
	    "sign: Content-Type");
	T_STREQ(req_header(&req, "X-Amz-Date"), "20150830T123600Z",
	    "sign: X-Amz-Date");
	T_OK(req_header(&req, "X-Amz-Security-Token") == NULL,
	    "sign: no token header without a token");
	T_EQ(req.nheaders, 4, "sign: four headers");
	/* Known answer from botocore's SigV4Auth for the same request. */
	T_STREQ(req_header(&req, "Authorization"), "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date, Signature="
	    "52a8540fea00e731072179f763577cbe2a45eac2c5d32fb4d785f3eefac88165",
	    "sign: Authorization matches botocore");
	T_OK(resign_matches(&req, "/", NULL, "sts", "us-east-1",
	    TEST_WHEN, &cr),
	    "sign: signature recomputed by sigv4");
	cr.secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ";
	T_OK(!resign_matches(&req, "/", NULL, "sts", "us-east-1",
	    TEST_WHEN, &cr),
	    "sign: another secret gives another signature");
	cr.secret = TEST_SECRET;

	/* Re-signing replaces everything: headers do not pile up. */
	cr.token = "IQoJb3JpZ2luX2VjEXAMPLE/token+==";
	memset(&c, 0, sizeof(c));
	c.action = STS_GET_SESSION_TOKEN;
	c.duration = 900;
	r = sts_sign(&req, "http://127.0.0.1:4566/sts/", "us-east-1", &c, &cr,
	    TEST_WHEN);
	T_OK(r == AFP_OK, "sign: re-sign with a token, port and path");
	T_EQ(req.nheaders, 5, "sign: five headers after re-signing");
	T_STREQ(req.url, "http://127.0.0.1:4566/sts/", "sign: new url");
	T_STREQ(req_header(&req, "Host"), "127.0.0.1:4566",
	    "sign: non-default port kept in Host");
	T_STREQ(req_header(&req, "X-Amz-Security-Token"), cr.token,
	    "sign: token header");
	T_STREQ(buf_str(&req.body), "Action=GetSessionToken&Version=2011-06-15"
	    "&DurationSeconds=900", "sign: new body");
	auth = req_header(&req, "Authorization");
	T_STREQ(auth, "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
	    "Signature="
	    "6ff495b3331a015b9c3ce0c35bb987541a55c9a67a94931f76de68fc3d945a66",
	    "sign: token signed, matches botocore");
	T_OK(resign_matches(&req, "/sts/", NULL, "sts", "us-east-1",
	    TEST_WHEN, &cr),
	    "sign: path signed, recomputed by sigv4");
	T_OK(!resign_matches(&req, "/", NULL, "sts", "us-east-1",
	    TEST_WHEN, &cr),
	    "sign: a different path gives another signature");
	for (i = 0; i < req.nheaders; i++)
		T_OK(strchr(req.headers[i], '\n') == NULL &&
		    strchr(req.headers[i], '\r') == NULL,
		    "sign: header %zu is one line", i);
	cr.token = NULL;

	r = sts_sign(&req, "https://sts.us-east-1.amazonaws.com:443",
	    "us-east-1",
	    &(struct sts_call){ .action = STS_GET_CALLER_IDENTITY },
	    &cr, TEST_WHEN);
	T_OK(r == AFP_OK, "sign: explicit default port");
	T_STREQ(req_header(&req, "Host"), "sts.us-east-1.amazonaws.com",
	    "sign: default port left out of Host");
	T_OK(req_header(&req, "Authorization") != NULL &&
	    strstr(req_header(&req, "Authorization"),
	    "Signature=52a8540fea00e7") != NULL,
	    "sign: same signature as without the port (botocore)");

	T_EQ(sts_sign(&req, "ftp://sts.example.com", "us-east-1", &c, &cr,
	    TEST_WHEN), AFP_ERR_INVAL, "sign: bad URL");
	T_EQ(sts_sign(&req, "https://sts.example.com/?a=b", "us-east-1", &c,
	    &cr, TEST_WHEN), AFP_ERR_INVAL, "sign: URL with a query");
	T_EQ(sts_sign(&req, "https://sts.example.com", "us east 1", &c, &cr,
	    TEST_WHEN), AFP_ERR_INVAL, "sign: bad region");
	T_EQ(sts_sign(&req, "https://sts.example.com", "us-east-1",
	    &(struct sts_call){ .action = STS_ASSUME_ROLE }, &cr, TEST_WHEN),
	    AFP_ERR_INVAL, "sign: AssumeRole without its fields");
	T_STREQ(req.url, "https://sts.us-east-1.amazonaws.com:443",
	    "sign: request untouched by a failed sign");
	T_EQ(req.nheaders, 4, "sign: headers untouched by a failed sign");
	net_req_free(&req);
}

static void
test_parse_ok(void)
{
	struct sts_result res;

	memset(&res, 0, sizeof(res));
	T_OK(parse_file(STS_ASSUME_ROLE, 200, "assume_role.xml", &res) ==
	    AFP_OK, "parse: AssumeRole (AWS docs sample, indented)");
	T_STREQ(res.creds.akid, "ASIAIOSFODNN7EXAMPLE", "parse: AccessKeyId");
	T_STREQ(res.creds.secret, DOC_SECRET, "parse: SecretAccessKey");
	T_STREQ(res.creds.token, DOC_TOKEN, "parse: SessionToken trimmed");
	T_EQ(res.creds.expiration, (time_t)1573306481, "parse: Expiration");
	T_STREQ(res.arn, "arn:aws:sts::123456789012:assumed-role/demo/John",
	    "parse: AssumedRoleUser/Arn");
	T_STREQ(res.id, "ARO123EXAMPLE123:John", "parse: AssumedRoleId");
	T_OK(res.account == NULL && res.err_code == NULL && res.err_msg == NULL,
	    "parse: nothing else set");

	T_OK(parse_file(STS_ASSUME_ROLE, 200, "assume_role_reordered.xml",
	    &res) == AFP_OK,
	    "parse: AssumeRole reordered, prefixed namespace, CDATA, comment");
	T_STREQ(res.creds.akid, "ASIARZPUZDIKC3JMJXOW",
	    "parse: reordered akid");
	T_STREQ(res.creds.secret, "+ArGEM3EDB8GaLjd8OWqX3s4vC1CoQv0AxSdtkNa",
	    "parse: reordered secret");
	T_STREQ(res.creds.token,
	    "FQoGZXIvYXdzEBYaD4xHhhb4PZ3/Dg3NLuxogKVQ+sKyx=",
	    "parse: token from CDATA");
	T_EQ(res.creds.expiration, (time_t)1795400133,
	    "parse: fractional seconds dropped");
	T_STREQ(res.id, "AROA3X42LBCDF1MCNHU2B:s1", "parse: reordered role id");

	T_OK(parse_file(STS_GET_FEDERATION_TOKEN, 200, "federation_token.xml",
	    &res) == AFP_OK, "parse: GetFederationToken");
	T_STREQ(res.creds.akid, "ASIAIOSFODNN7EXAMPLE",
	    "parse: federation akid");
	T_STREQ(res.creds.token, DOC_TOKEN, "parse: federation token");
	T_EQ(res.creds.expiration, (time_t)1310772513,
	    "parse: federation Expiration with milliseconds");
	T_STREQ(res.arn, "arn:aws:sts::123456789012:federated-user/Bob",
	    "parse: FederatedUser/Arn");
	T_STREQ(res.id, "123456789012:Bob", "parse: FederatedUserId");

	T_OK(parse_file(STS_GET_SESSION_TOKEN, 200, "session_token.xml", &res)
	    == AFP_OK, "parse: GetSessionToken");
	T_STREQ(res.creds.secret, DOC_SECRET, "parse: session secret");
	T_EQ(res.creds.expiration, (time_t)1709251199,
	    "parse: Expiration with +00:00");
	T_OK(res.arn == NULL && res.id == NULL,
	    "parse: GetSessionToken has no user, and the previous one is gone");

	T_OK(parse_file(STS_GET_CALLER_IDENTITY, 200, "caller_identity.xml",
	    &res) == AFP_OK, "parse: GetCallerIdentity");
	T_STREQ(res.arn, "arn:aws:sts::123456789012:assumed-role/my-role-name/"
	    "my-role-session-name", "parse: caller Arn");
	T_STREQ(res.id, "ARO123EXAMPLE123:my-role-session-name",
	    "parse: caller UserId");
	T_STREQ(res.account, "123456789012", "parse: caller Account");
	T_OK(res.creds.akid == NULL && res.creds.secret == NULL,
	    "parse: caller identity carries no credentials");
	T_EQ(parse_edit(STS_GET_CALLER_IDENTITY, 204, "caller_identity.xml",
	    "<Account>123456789012</Account>",
	    "<!-- c --><Account>\n\t 123456789012\n</Account>", &res), AFP_OK,
	    "parse: other 2xx, whitespace and comment around a value");
	T_STREQ(res.account, "123456789012", "parse: account trimmed");
	sts_result_clear(&res);
	T_OK(res.arn == NULL && res.creds.token == NULL,
	    "parse: clear empties the result");
}

static void
test_parse_bad(void)
{
	static const struct {
		enum sts_action a;
		const char *file, *from, *to, *what, *from2, *to2;
	} edits[] = {
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<SessionToken>", "<SessionTokenX>", "renamed SessionToken",
		    NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>", "",
		    "missing AccessKeyId", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<SecretAccessKey>", "<SecretAccessKey></SecretAccessKey>"
		    "<Unused>", "empty SecretAccessKey", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<Expiration>2019-11-09T13:34:41Z</Expiration>", "",
		    "missing Expiration", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "2019-11-09T13:34:41Z", "2019-11-09 13:34:41",
		    "Expiration without T and Z", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "2019-11-09T13:34:41Z", "tomorrow", "Expiration as a word",
		    NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "2019-11-09T13:34:41Z", "2019-02-30T13:34:41Z",
		    "Expiration on February 30th", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<AssumedRoleId>ARO123EXAMPLE123:John</AssumedRoleId>", "",
		    "missing AssumedRoleId", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<Arn>arn:aws:sts::", "<Arn>urn:aws:sts::",
		    "Arn not starting with arn:", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<AssumedRoleUser>", "<AssumedRoleUserX>",
		    "missing AssumedRoleUser", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "ASIAIOSFODNN7EXAMPLE", "asiaiosfodnn7example",
		    "lower-case AccessKeyId", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "ASIAIOSFODNN7EXAMPLE", "ASIA123", "short AccessKeyId",
		    NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "K7MDENG/bPx", "K7MDENG bPx", "space inside the secret",
		    NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "wEXAMPLEtc764", "wEXAMPLE\ntc764",
		    "newline inside the token",
		    NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "wEXAMPLEtc764", "wEXAMPLE&#x7f;tc764",
		    "DEL inside the token",
		    NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>",
		    "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>"
		    "<AccessKeyId>ASIAIOSFODNN7EXAMPLX</AccessKeyId>",
		    "two AccessKeyIds", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>",
		    "<AccessKeyId><b>ASIAIOSFODNN7EXAMPLE</b></AccessKeyId>",
		    "element inside a value", NULL, NULL },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<Credentials>", "<Other><Credentials>",
		    "Credentials one level too deep (not anchored)",
		    "</Credentials>", "</Credentials></Other>" },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<AssumeRoleResult>", "<Wrap><AssumeRoleResult>",
		    "Result one level too deep (not anchored)",
		    "</AssumeRoleResult>", "</AssumeRoleResult></Wrap>" },
		{ STS_ASSUME_ROLE, "assume_role.xml",
		    "<AssumeRoleResult>",
		    "<AssumeRoleResult><AssumeRoleResult>",
		    "Result nested (malformed and not anchored)", NULL, NULL },
		{ STS_GET_CALLER_IDENTITY, "caller_identity.xml",
		    "<Account>123456789012</Account>",
		    "<Account>12345678901</Account>", "11-digit account",
		    NULL, NULL },
		{ STS_GET_CALLER_IDENTITY, "caller_identity.xml",
		    "<Account>123456789012</Account>",
		    "<Account>12345678901a</Account>", "account with a letter",
		    NULL, NULL },
		{ STS_GET_CALLER_IDENTITY, "caller_identity.xml",
		    "<UserId>", "<UserID>", "misspelt UserId", NULL, NULL },
		{ STS_GET_FEDERATION_TOKEN, "federation_token.xml",
		    "<FederatedUserId>123456789012:Bob</FederatedUserId>", "",
		    "missing FederatedUserId", NULL, NULL },
		{ STS_GET_SESSION_TOKEN, "session_token.xml",
		    "<Credentials>", "<Creds>", "no Credentials", NULL, NULL },
	};
	struct sts_result res;
	struct buf b, big;
	size_t i;

	memset(&res, 0, sizeof(res));
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		T_EQ(parse_edit2(edits[i].a, 200, edits[i].file, edits[i].from,
		    edits[i].to, edits[i].from2, edits[i].to2, &res),
		    AFP_ERR_PARSE, "parse: %s", edits[i].what);
		T_OK(res.creds.akid == NULL && res.creds.secret == NULL &&
		    res.creds.token == NULL && res.arn == NULL &&
		    res.err_code == NULL,
		    "parse: nothing left behind after %s", edits[i].what);
	}

	/* The same files read as the wrong action. */
	T_EQ(parse_file(STS_GET_SESSION_TOKEN, 200, "assume_role.xml", &res),
	    AFP_ERR_PARSE, "parse: AssumeRole response for GetSessionToken");
	T_EQ(parse_file(STS_ASSUME_ROLE, 200, "federation_token.xml", &res),
	    AFP_ERR_PARSE, "parse: federation response for AssumeRole");
	T_EQ(parse_file(STS_GET_CALLER_IDENTITY, 200, "session_token.xml",
	    &res),
	    AFP_ERR_PARSE, "parse: session response for GetCallerIdentity");
	T_EQ(parse_file(STS_ASSUME_ROLE, 200, "error_access_denied.xml", &res),
	    AFP_ERR_PARSE, "parse: error document with a 200");
	T_EQ(parse_file(STS_ASSUME_ROLE, 200, "malformed.xml", &res),
	    AFP_ERR_PARSE, "parse: mismatched tags");
	T_EQ(parse_file(STS_ASSUME_ROLE, 200, "error_html.html", &res),
	    AFP_ERR_PARSE, "parse: HTML with a 200");
	T_EQ(parse_edit(STS_ASSUME_ROLE, 200, "assume_role.xml", "John</Arn>",
	    "Jo\xff\xfen</Arn>", &res), AFP_ERR_PARSE,
	    "parse: invalid UTF-8");
	T_EQ(parse_edit(STS_ASSUME_ROLE, 200, "assume_role.xml", "John</Arn>",
	    "Jo\xc3\xa9n</Arn>", &res), AFP_ERR_PARSE,
	    "parse: valid UTF-8, but not ASCII, in an ARN");
	T_EQ(sts_parse(STS_ASSUME_ROLE, 200, "", 0, &res), AFP_ERR_PARSE,
	    "parse: empty 200");
	T_EQ(sts_parse(STS_ASSUME_ROLE, 200, NULL, 10, &res), AFP_ERR_PARSE,
	    "parse: NULL body");
	T_EQ(sts_parse((enum sts_action)9, 200, "<a/>", 4, &res),
	    AFP_ERR_INVAL, "parse: unknown action");

	slurp("assume_role.xml", &b);
	T_EQ(sts_parse(STS_ASSUME_ROLE, 200, buf_str(&b), b.len - 30, &res),
	    AFP_ERR_PARSE, "parse: truncated document");
	T_EQ(sts_parse(STS_ASSUME_ROLE, 200, buf_str(&b), b.len / 2, &res),
	    AFP_ERR_PARSE, "parse: document cut in half");
	T_EQ(sts_parse(STS_ASSUME_ROLE, 200, buf_str(&b), b.len, &res), AFP_OK,
	    "parse: the same document whole");
	sts_result_clear(&res);
	/* A NUL inside the body would hide the rest from a C-string check. */
	b.p[40] = '\0';
	T_EQ(sts_parse(STS_ASSUME_ROLE, 200, b.p, b.len, &res), AFP_ERR_PARSE,
	    "parse: NUL byte inside the body");

	/* A token just under and just over its bound. */
	buf_init(&big, 1024 * 1024);
	for (i = 0; i < 8192; i++)
		if (buf_addc(&big, 'A') != AFP_OK)
			break;
	T_EQ(parse_edit(STS_ASSUME_ROLE, 200, "assume_role.xml", DOC_TOKEN,
	    buf_str(&big), &res), AFP_OK, "parse: 8192-byte token");
	T_EQ(res.creds.token != NULL ? strlen(res.creds.token) : 0, 8192,
	    "parse: 8192-byte token kept whole");
	if (buf_addc(&big, 'A') != AFP_OK)
		T_OK(0, "grow token");
	T_EQ(parse_edit(STS_ASSUME_ROLE, 200, "assume_role.xml", DOC_TOKEN,
	    buf_str(&big), &res), AFP_ERR_PARSE, "parse: 8193-byte token");
	buf_free(&big);

	/* The body cap. */
	buf_free(&b);
	buf_init(&b, 2 * STS_BODY_MAX);
	slurp("assume_role.xml", &big);
	if (buf_add(&b, big.p, big.len - strlen("</AssumeRoleResponse>\n"))
	    != AFP_OK)
		T_OK(0, "build big body");
	while (b.len < STS_BODY_MAX - 64)
		if (buf_addstr(&b, "<!-- padding padding -->") != AFP_OK)
			break;
	if (buf_addstr(&b, "</AssumeRoleResponse>") != AFP_OK)
		T_OK(0, "build big body");
	T_OK(b.len <= STS_BODY_MAX && b.len > STS_BODY_MAX - 100,
	    "parse: padded body is just under the cap (%zu)", b.len);
	T_EQ(sts_parse(STS_ASSUME_ROLE, 200, buf_str(&b), b.len, &res), AFP_OK,
	    "parse: body just under the cap");
	while (b.len <= STS_BODY_MAX)
		if (buf_addc(&b, ' ') != AFP_OK)
			break;
	T_EQ(sts_parse(STS_ASSUME_ROLE, 200, buf_str(&b), b.len, &res),
	    AFP_ERR_TOOBIG, "parse: body over the cap");
	T_OK(res.creds.akid == NULL,
	    "parse: nothing kept from an oversized body");
	T_EQ(sts_parse(STS_ASSUME_ROLE, 400, buf_str(&b), b.len, &res),
	    AFP_ERR_TOOBIG, "parse: 4xx body over the cap");
	T_EQ(sts_parse(STS_ASSUME_ROLE, 503, buf_str(&b), b.len, &res),
	    AFP_ERR_SERVER,
	    "parse: 5xx body over the cap is still a server error");
	T_STREQ(res.err_code, "HTTP503", "parse: oversized 5xx gets HTTP503");
	buf_free(&b);
	buf_free(&big);
	sts_result_clear(&res);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_hostile(void)
{
	struct sts_result res;
	struct buf b;
	double t0;
	afp_err r;

	memset(&res, 0, sizeof(res));
	t0 = now();
	r = parse_file(STS_ASSUME_ROLE, 400, "billion_laughs.xml", &res);
	T_OK(now() - t0 < 0.5, "hostile: billion laughs refused quickly");
	T_EQ(r, AFP_ERR_AWS,
	    "hostile: billion laughs is not an error document");
	T_STREQ(res.err_code, "HTTP400",
	    "hostile: billion laughs not read (its Code is not taken)");
	T_OK(res.err_msg == NULL, "hostile: no expanded message");
	T_EQ(parse_file(STS_ASSUME_ROLE, 200, "billion_laughs.xml", &res),
	    AFP_ERR_PARSE, "hostile: billion laughs with a 200");

	r = parse_file(STS_ASSUME_ROLE, 403, "xxe.xml", &res);
	T_EQ(r, AFP_ERR_AWS, "hostile: external entity document refused");
	T_STREQ(res.err_code, "HTTP403",
	    "hostile: external entity, generic code");
	T_OK(res.err_msg == NULL, "hostile: /etc/passwd not loaded");
	slurp("xxe.xml", &b);
	edit(&b, "<!DOCTYPE ErrorResponse [", "<!--");
	edit(&b, "]>", "-->");
	edit(&b, "&xxe;", "no");
	T_EQ(sts_parse(STS_ASSUME_ROLE, 403, buf_str(&b), b.len, &res),
	    AFP_ERR_AWS, "hostile: the same document without its DTD");
	buf_free(&b);
	T_STREQ(res.err_code, "AccessDenied",
	    "hostile: without a DTD the Code is read (control for the above)");

	r = parse_file(STS_ASSUME_ROLE, 403, "utf7_doctype.xml", &res);
	T_STREQ(res.err_code, "HTTP403",
	    "hostile: a UTF-7 declaration cannot smuggle a DTD in");
	T_OK(res.err_msg == NULL, "hostile: UTF-7 document yields no message");
	T_EQ(r, AFP_ERR_AWS, "hostile: UTF-7 document is a plain 403");
	sts_result_clear(&res);
}

static void
test_errors(void)
{
	static const struct {
		const char *file;
		long status;
		afp_err want;
		const char *code, *msg;
	} v[] = {
		{ "error_access_denied.xml", 403, AFP_ERR_AWS, "AccessDenied",
		    "User: arn:aws:iam::123456789012:user/alice is not "
		    "authorized to perform: sts:AssumeRole on resource: "
		    "arn:aws:iam::123456789012:role/admin" },
		{ "error_throttling.xml", 400, AFP_ERR_THROTTLED, "Throttling",
		    "Rate exceeded" },
		{ "error_throttling.xml", 503, AFP_ERR_THROTTLED, "Throttling",
		    "Rate exceeded" },
		{ "error_bare.xml", 400, AFP_ERR_THROTTLED,
		    "RequestLimitExceeded", "Request limit exceeded." },
		{ "error_moto_errors.xml", 403, AFP_ERR_AWS,
		    "InvalidClientTokenId",
		    "The security token included in the request is invalid." },
		{ "error_idp.xml", 400, AFP_ERR_SERVER, "IDPCommunicationError",
		    NULL },
		{ "error_internal.xml", 500, AFP_ERR_SERVER, "InternalFailure",
		    NULL },
		{ "error_html.html", 503, AFP_ERR_SERVER, "HTTP503", NULL },
		{ "error_html.html", 502, AFP_ERR_SERVER, "HTTP502", NULL },
		{ "error_html.html", 403, AFP_ERR_AWS, "HTTP403", NULL },
		{ "malformed.xml", 400, AFP_ERR_AWS, "HTTP400", NULL },
		{ "assume_role.xml", 400, AFP_ERR_AWS, "HTTP400", NULL },
	};
	static const char *throttles[] = { "Throttling", "ThrottlingException",
	    "RequestLimitExceeded", "TooManyRequestsException",
	    "RequestThrottled", "PriorRequestNotComplete", "SlowDown" };
	static const char *servers[] = { "IDPCommunicationError",
	    "ServiceUnavailable", "InternalFailure" };
	static const char *others[] = { "AccessDenied", "ValidationError",
	    "ExpiredToken", "RegionDisabledException", "throttling",
	    "ThrottlingX", "MalformedPolicyDocument" };
	struct sts_result res;
	char doc[512];
	size_t i;
	int n;

	memset(&res, 0, sizeof(res));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		T_EQ(parse_file(STS_ASSUME_ROLE, v[i].status, v[i].file, &res),
		    v[i].want, "error: %s with %ld", v[i].file, v[i].status);
		T_STREQ(res.err_code, v[i].code, "error: %s code", v[i].file);
		if (v[i].msg != NULL)
			T_STREQ(res.err_msg, v[i].msg, "error: %s message",
			    v[i].file);
		T_OK(res.creds.akid == NULL && res.arn == NULL,
		    "error: %s fills no credentials", v[i].file);
	}

#define ERRDOC "<ErrorResponse><Error><Code>%s</Code></Error></ErrorResponse>"
	for (i = 0; i < sizeof(throttles) / sizeof(throttles[0]); i++) {
		n = snprintf(doc, sizeof(doc), ERRDOC, throttles[i]);
		T_EQ(sts_parse(STS_GET_CALLER_IDENTITY, 400, doc, (size_t)n,
		    &res), AFP_ERR_THROTTLED, "error: %s throttles",
		    throttles[i]);
	}
	for (i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		n = snprintf(doc, sizeof(doc), ERRDOC, servers[i]);
		T_EQ(sts_parse(STS_GET_CALLER_IDENTITY, 400, doc, (size_t)n,
		    &res), AFP_ERR_SERVER, "error: %s is a server error",
		    servers[i]);
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		n = snprintf(doc, sizeof(doc), ERRDOC, others[i]);
		T_EQ(sts_parse(STS_GET_CALLER_IDENTITY, 400, doc, (size_t)n,
		    &res), AFP_ERR_AWS, "error: %s is the caller's", others[i]);
		T_STREQ(res.err_code, others[i], "error: %s code kept",
		    others[i]);
		T_OK(res.err_msg == NULL, "error: %s has no message",
		    others[i]);
	}
	n = snprintf(doc, sizeof(doc), ERRDOC, "AccessDenied");
	T_EQ(sts_parse(STS_GET_CALLER_IDENTITY, 500, doc, (size_t)n, &res),
	    AFP_ERR_SERVER, "error: any code with a 500 is a server error");
	T_EQ(sts_parse(STS_GET_CALLER_IDENTITY, 403, "", 0, &res), AFP_ERR_AWS,
	    "error: empty 403");
	T_STREQ(res.err_code, "HTTP403", "error: empty 403 code");
	T_EQ(parse_str(404,
	    "<ErrorResponse><Error><Message>gone</Message></Error>"
	    "</ErrorResponse>",
	    &res), AFP_ERR_AWS, "error: document without a Code");
	T_STREQ(res.err_code, "HTTP404", "error: missing Code becomes HTTP404");
	T_STREQ(res.err_msg, "gone", "error: its Message is still kept");
	T_EQ(parse_str(400,
	    "<Response><Errors><Error><Code>SlowDown</Code></Error></Errors>"
	    "</Response>", &res), AFP_ERR_THROTTLED,
	    "error: Response/Errors/Error");
	T_EQ(parse_str(400,
	    "<Other><Error><Code>SlowDown</Code></Error></Other>", &res),
	    AFP_ERR_AWS, "error: Error under an unknown root is not read");
	T_STREQ(res.err_code, "HTTP400", "error: unknown root, generic code");

	/* Control characters, surrounding space and length. */
	n = snprintf(doc, sizeof(doc), "<Error><Code>\tAccess&#x7f;Denied\n"
	    "</Code><Message>\n  line one\r\n\tline two&#x7f;\n</Message>"
	    "</Error>");
	T_EQ(sts_parse(STS_GET_CALLER_IDENTITY, 403, doc, (size_t)n, &res),
	    AFP_ERR_AWS, "error: code with control characters");
	T_STREQ(res.err_code, "Access Denied",
	    "error: control characters become a space");
	T_STREQ(res.err_msg, "line one line two",
	    "error: line breaks become single spaces, ends trimmed");
	{
		struct buf b;

		buf_init(&b, 0);
		if (buf_addstr(&b, "<Error><Code>AccessDenied</Code><Message>")
		    != AFP_OK)
			T_OK(0, "build long message");
		for (i = 0; i < 1023; i++)
			if (buf_addc(&b, 'm') != AFP_OK)
				T_OK(0, "build long message");
		/* U+00E9 straddles the 1024-byte bound. */
		if (buf_addstr(&b, "\xc3\xa9 and more</Message></Error>") !=
		    AFP_OK)
			T_OK(0, "build long message");
		T_EQ(sts_parse(STS_GET_CALLER_IDENTITY, 403, buf_str(&b), b.len,
		    &res), AFP_ERR_AWS, "error: long message");
		T_EQ(res.err_msg != NULL ? strlen(res.err_msg) : 0, 1023,
		    "error: long message cut before a split character");
		buf_free(&b);
	}
	sts_result_clear(&res);
}

int
main(void)
{
	test_endpoint();
	test_body();
	test_sign();
	test_parse_ok();
	test_parse_bad();
	test_hostile();
	test_errors();
	return t_done();
}
