/*
 * Unit tests for ecr and the awsreq parts it uses: endpoints, the signed
 * GetAuthorizationToken request, response parsing and error classes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "t.h"
#include "sigcheck.h"
#include "awsreq.h"
#include "buf.h"
#include "ecr.h"
#include "enc.h"
#include "sigv4.h"

#define TEST_AKID	"AKIDEXAMPLE"
#define TEST_SECRET	"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TEST_TOKEN	"IQoJb3JpZ2luX2VjEXAMPLE/token+=="
#define TEST_WHEN	((time_t)1440938160)	/* 2015-08-30T12:36:00Z */
#define ECR_CT		"application/x-amz-json-1.1"
#define ECR_TARGET	"AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"

/* base64 of "AWS:123456789012-auth-token", what moto hands out. */
#define MOTO_TOK	"QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu"
#define MOTO_EP		"https://123456789012.dkr.ecr.us-east-1.amazonaws.com"

static void
unset_env(void)
{
	unsetenv("AWS_ENDPOINT_URL_ECR");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL");
}

/* ecr_endpoint into a fresh buffer; the URL or NULL on error. */
static const char *
endpoint(struct buf *u, const char *partition, const char *region,
    const char *override)
{
	buf_reset(u);
	if (ecr_endpoint(partition, region, override, u) != AFP_OK)
		return NULL;
	return buf_str(u);
}

static void
test_endpoint(void)
{
	static const char *bad[] = {
		"ftp://ecr.example.com", "https://", "https://ecr example.com",
		"https://user@ecr.example.com", "https://ecr.example.com/?a=b",
		"https://ecr.example.com#f", "https://ecr.example.com:0",
		"https://ecr.example.com:65536", "https://[::1",
		"https://ecr.example.com/%41", "ecr.example.com",
	};
	struct buf u;
	size_t i;

	unset_env();
	buf_init(&u, 0);
	T_STREQ(endpoint(&u, "aws", "us-east-1", NULL),
	    "https://api.ecr.us-east-1.amazonaws.com", "endpoint: aws");
	T_STREQ(endpoint(&u, "aws", "eu-west-1", ""),
	    "https://api.ecr.eu-west-1.amazonaws.com",
	    "endpoint: empty override counts as unset");
	T_STREQ(endpoint(&u, "aws-cn", "cn-north-1", NULL),
	    "https://api.ecr.cn-north-1.amazonaws.com.cn", "endpoint: aws-cn");
	T_STREQ(endpoint(&u, "aws-us-gov", "us-gov-west-1", NULL),
	    "https://api.ecr.us-gov-west-1.amazonaws.com",
	    "endpoint: aws-us-gov");
	T_OK(endpoint(&u, "aws-iso", "us-east-1", NULL) == NULL,
	    "endpoint: unknown partition refused");
	T_OK(endpoint(&u, NULL, "us-east-1", NULL) == NULL,
	    "endpoint: no partition refused");
	T_OK(endpoint(&u, "aws", "US-EAST-1", NULL) == NULL,
	    "endpoint: upper-case region refused");
	T_OK(endpoint(&u, "aws", "us-east-1.evil.com", NULL) == NULL,
	    "endpoint: region with a dot refused");
	T_OK(endpoint(&u, "aws", "", NULL) == NULL,
	    "endpoint: empty region refused");
	T_OK(endpoint(&u, "aws", "a2345678901234567890123456789012", NULL) !=
	    NULL, "endpoint: 32-character region accepted");
	T_OK(endpoint(&u, "aws", "a23456789012345678901234567890123", NULL) ==
	    NULL, "endpoint: 33-character region refused");

	T_STREQ(endpoint(&u, "aws", "us-east-1", "http://127.0.0.1:5000/"),
	    "http://127.0.0.1:5000", "endpoint: override, trailing / dropped");
	T_STREQ(endpoint(&u, "aws", "us-east-1", "https://ecr.example.com/x/"),
	    "https://ecr.example.com/x", "endpoint: override with a path");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(endpoint(&u, "aws", "us-east-1", bad[i]) == NULL,
		    "endpoint: bad override %zu refused", i);
	T_OK(endpoint(&u, "aws", "bad region", "http://127.0.0.1:5000") ==
	    NULL, "endpoint: region checked with an override too");

	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
	T_STREQ(endpoint(&u, "aws", "us-east-1", "http://127.0.0.1:5000"),
	    "http://127.0.0.1:4566", "endpoint: AWS_ENDPOINT_URL beats config");
	setenv("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:4567/", 1);
	T_STREQ(endpoint(&u, "aws", "us-east-1", "http://127.0.0.1:5000"),
	    "http://127.0.0.1:4567",
	    "endpoint: AWS_ENDPOINT_URL_ECR beats AWS_ENDPOINT_URL");
	setenv("AWS_ENDPOINT_URL_ECR", "", 1);
	T_STREQ(endpoint(&u, "aws", "us-east-1", NULL),
	    "http://127.0.0.1:4566",
	    "endpoint: empty AWS_ENDPOINT_URL_ECR counts as unset");
	unsetenv("AWS_ENDPOINT_URL");
	setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4568", 1);
	T_STREQ(endpoint(&u, "aws", "us-east-1", NULL),
	    "https://api.ecr.us-east-1.amazonaws.com",
	    "endpoint: AWS_ENDPOINT_URL_STS does not move ECR");
	setenv("AWS_ENDPOINT_URL_ECR", "file:///etc/passwd", 1);
	T_OK(endpoint(&u, "aws", "us-east-1", "http://127.0.0.1:5000") ==
	    NULL, "endpoint: bad URL in the environment refused, no fallback");
	T_EQ(u.len, 0, "endpoint: nothing written on error");
	unset_env();

	/* The helper itself: no service variable, and a prefix is needed. */
	setenv("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:4567", 1);
	buf_reset(&u);
	T_OK(awsreq_endpoint("aws", "us-east-1", "api.ecr", NULL, NULL, &u) ==
	    AFP_OK && strcmp(buf_str(&u),
	    "https://api.ecr.us-east-1.amazonaws.com") == 0,
	    "awsreq_endpoint: no env name reads no service variable");
	unset_env();
	buf_reset(&u);
	T_EQ(awsreq_endpoint("aws", "us-east-1", "", NULL, NULL, &u),
	    AFP_ERR_INVAL, "awsreq_endpoint: empty prefix refused");
	buf_free(&u);
}


static void
test_sign(void)
{
	struct afp_creds cr = { TEST_AKID, TEST_SECRET, NULL, 0 };
	struct net_req req;
	size_t i;

	net_req_init(&req);
	T_OK(ecr_sign(&req, "https://api.ecr.eu-west-1.amazonaws.com",
	    "eu-west-1", &cr, TEST_WHEN) == AFP_OK, "sign: no session token");
	T_STREQ(req.method, "POST", "sign: POST");
	T_STREQ(req.url, "https://api.ecr.eu-west-1.amazonaws.com",
	    "sign: url");
	T_STREQ(buf_str(&req.body), "{}", "sign: body {}");
	T_STREQ(req_header(&req, "Host"), "api.ecr.eu-west-1.amazonaws.com",
	    "sign: Host");
	T_STREQ(req_header(&req, "Content-Type"), ECR_CT,
	    "sign: JSON 1.1 Content-Type");
	T_STREQ(req_header(&req, "X-Amz-Target"), ECR_TARGET,
	    "sign: X-Amz-Target");
	T_STREQ(req_header(&req, "X-Amz-Date"), "20150830T123600Z",
	    "sign: X-Amz-Date");
	T_OK(req_header(&req, "X-Amz-Security-Token") == NULL,
	    "sign: no token header without a token");
	T_EQ(req.nheaders, 5, "sign: five headers");
	/* Known answer from botocore's SigV4Auth for the same request. */
	T_STREQ(req_header(&req, "Authorization"), "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20150830/eu-west-1/ecr/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
	    "Signature="
	    "ce953a52a1215175c49d9a611ae10b5db817f776f0ad5d2a6ff9b0198dd390bc",
	    "sign: Authorization matches botocore");
	T_OK(resign_matches(&req, "/", ECR_TARGET, "ecr",
	    "eu-west-1", TEST_WHEN, &cr),
	    "sign: signature recomputed by sigv4");
	T_OK(!resign_matches(&req, "/", "AmazonEC2ContainerRegistry_V20150921."
	    "GetDownloadUrlForLayer", "ecr",
	    "eu-west-1", TEST_WHEN, &cr),
	    "sign: the target is signed");
	T_OK(!resign_matches(&req, "/", ECR_TARGET, "ecr",
	    "us-east-1", TEST_WHEN, &cr),
	    "sign: the region is signed");

	/* Re-signing replaces everything: headers do not pile up. */
	cr.token = TEST_TOKEN;
	T_OK(ecr_sign(&req, "http://127.0.0.1:5000", "us-east-1", &cr,
	    TEST_WHEN) == AFP_OK, "sign: with a token, to a port");
	T_EQ(req.nheaders, 6, "sign: six headers after re-signing");
	T_STREQ(req.url, "http://127.0.0.1:5000", "sign: new url");
	T_STREQ(req_header(&req, "Host"), "127.0.0.1:5000",
	    "sign: non-default port kept in Host");
	T_STREQ(req_header(&req, "X-Amz-Security-Token"), TEST_TOKEN,
	    "sign: token header");
	T_STREQ(req_header(&req, "Authorization"), "AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20150830/us-east-1/ecr/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;"
	    "x-amz-target, Signature="
	    "5370b31cd54e06c60aa03edb742a67ebec5bb73cebc83be7727ccf50b4b7dc8d",
	    "sign: token signed, matches botocore");
	T_OK(resign_matches(&req, "/", ECR_TARGET, "ecr",
	    "us-east-1", TEST_WHEN, &cr),
	    "sign: with a token, recomputed by sigv4");
	cr.token = "IQoJb3JpZ2luX2VjEXAMPLE/tokem+==";
	T_OK(!resign_matches(&req, "/", ECR_TARGET, "ecr",
	    "us-east-1", TEST_WHEN, &cr),
	    "sign: another token gives another signature");
	cr.token = NULL;
	for (i = 0; i < req.nheaders; i++)
		T_OK(strchr(req.headers[i], '\n') == NULL &&
		    strchr(req.headers[i], '\r') == NULL,
		    "sign: header %zu is one line", i);

	T_EQ(ecr_sign(&req, "ftp://ecr.example.com", "us-east-1", &cr,
	    TEST_WHEN), AFP_ERR_INVAL, "sign: bad URL");
	T_EQ(ecr_sign(&req, "https://ecr.example.com/?a=b", "us-east-1", &cr,
	    TEST_WHEN), AFP_ERR_INVAL, "sign: URL with a query");
	T_EQ(ecr_sign(&req, "https://ecr.example.com", "us east 1", &cr,
	    TEST_WHEN), AFP_ERR_INVAL, "sign: bad region");
	T_STREQ(req.url, "http://127.0.0.1:5000",
	    "sign: request untouched by a failed sign");
	T_EQ(req.nheaders, 6, "sign: headers untouched by a failed sign");

	/* awsreq_sign's own checks. */
	T_EQ(awsreq_sign(&req, "DELETE", "https://ecr.example.com",
	    "us-east-1", "ecr", ECR_CT, NULL, "{}", 2, &cr, TEST_WHEN),
	    AFP_ERR_INVAL, "awsreq_sign: unknown method refused");
	T_EQ(awsreq_sign(&req, "POST", "https://ecr.example.com",
	    "us-east-1", "ecr", ECR_CT, "Target\r\nX-Evil: 1", "{}", 2, &cr,
	    TEST_WHEN), AFP_ERR_INVAL, "awsreq_sign: CRLF in target refused");
	T_EQ(awsreq_sign(&req, "POST", "https://ecr.example.com",
	    "us-east-1", "ecr", NULL, NULL, "{}", 2, &cr, TEST_WHEN),
	    AFP_ERR_INVAL, "awsreq_sign: no content type refused");
	T_EQ(awsreq_sign(&req, "POST", "https://ecr.example.com",
	    "us-east-1", "", ECR_CT, NULL, "{}", 2, &cr, TEST_WHEN),
	    AFP_ERR_INVAL, "awsreq_sign: no service refused");
	T_EQ(awsreq_sign(&req, "POST", "https://ecr.example.com",
	    "us-east-1", "ecr", ECR_CT, NULL, NULL, 2, &cr, TEST_WHEN),
	    AFP_ERR_INVAL, "awsreq_sign: length without a body refused");
	T_EQ(req.nheaders, 6, "awsreq_sign: refusals leave req alone");
	T_OK(awsreq_sign(&req, "GET", "https://ecr.example.com:443/v1",
	    "us-east-1", "ecr", ECR_CT, NULL, NULL, 0, &cr, TEST_WHEN) ==
	    AFP_OK, "awsreq_sign: GET without target or body");
	T_STREQ(req.method, "GET", "awsreq_sign: GET");
	T_EQ(req.body.len, 0, "awsreq_sign: empty body");
	T_OK(req_header(&req, "X-Amz-Target") == NULL,
	    "awsreq_sign: no X-Amz-Target without a target");
	T_STREQ(req_header(&req, "Host"), "ecr.example.com",
	    "awsreq_sign: default port left out of Host");
	T_EQ(req.nheaders, 4, "awsreq_sign: four headers");
	net_req_free(&req);
}

static afp_err
parse(long status, const char *body, struct ecr_token *t, struct buf *err)
{
	return ecr_parse(status, body, strlen(body), t, err);
}

/* A success document with one authorizationData of these raw values. */
static afp_err
parse_one(const char *tok, const char *exp, const char *ep,
    struct ecr_token *t)
{
	struct buf b;
	afp_err r;

	buf_init(&b, 0);
	if (buf_printf(&b, "{\"authorizationData\":[{\"authorizationToken\":"
	    "%s,\"expiresAt\":%s,\"proxyEndpoint\":%s}]}", tok, exp, ep) !=
	    AFP_OK)
		T_OK(0, "parse_one: build");
	r = ecr_parse(200, buf_str(&b), b.len, t, NULL);
	buf_free(&b);
	return r;
}

#define Q(s) "\"" s "\""

static void
test_parse_ok(void)
{
	struct ecr_token t = { NULL, 0, NULL };
	struct buf err;

	buf_init(&err, ECR_ERR_MAX);
	/* moto's answer, byte for byte. */
	T_OK(parse(200, "{\"authorizationData\": [{\"authorizationToken\": "
	    "\"" MOTO_TOK "\", \"expiresAt\": 1420070400.0, \"proxyEndpoint\": "
	    "\"" MOTO_EP "\"}]}", &t, &err) == AFP_OK, "parse: moto's answer");
	T_STREQ(t.token, MOTO_TOK, "parse: token kept as sent");
	T_EQ((long long)t.expires, 1420070400LL, "parse: fractional expiresAt");
	T_STREQ(t.endpoint, MOTO_EP, "parse: proxyEndpoint");
	T_EQ(err.len, 0, "parse: no error text on success");

	T_OK(parse_one(Q(MOTO_TOK), "1.579651354529E9", Q(MOTO_EP), &t) ==
	    AFP_OK && t.expires == 1579651354,
	    "parse: AWS's exponent form, rounded down");
	T_OK(parse_one(Q(MOTO_TOK), "1579651354", Q(MOTO_EP), &t) ==
	    AFP_OK && t.expires == 1579651354, "parse: integer seconds");
	T_OK(parse_one(Q(MOTO_TOK), "1579651354.999", Q(MOTO_EP), &t) ==
	    AFP_OK && t.expires == 1579651354, "parse: fraction dropped");
	T_OK(parse_one(Q(MOTO_TOK), "15796513549990e-4", Q(MOTO_EP), &t) ==
	    AFP_OK && t.expires == 1579651354, "parse: negative exponent");
	T_OK(parse_one(Q(MOTO_TOK), "0.000157965135e+13", Q(MOTO_EP), &t) ==
	    AFP_OK && t.expires == 1579651350,
	    "parse: leading zeros after the point");
	T_OK(parse_one(Q(MOTO_TOK), "2E11", Q(MOTO_EP), &t) == AFP_OK &&
	    t.expires == 200000000000LL, "parse: year 8307 still fits");

	T_OK(parse(200, "{\"authorizationData\":[{\"authorizationToken\":"
	    "\"QVdTOmZpcnN0\",\"expiresAt\":1700000000,\"proxyEndpoint\":"
	    "\"https://1.dkr.ecr.eu-west-1.amazonaws.com\"},"
	    "{\"authorizationToken\":\"QVdTOnNlY29uZA==\",\"expiresAt\":"
	    "1800000000,\"proxyEndpoint\":\"https://2.dkr.ecr.eu-west-1."
	    "amazonaws.com\"}]}", &t, NULL) == AFP_OK,
	    "parse: two authorizationData");
	T_STREQ(t.token, "QVdTOmZpcnN0", "parse: the first token");
	T_EQ((long long)t.expires, 1700000000LL, "parse: the first expiry");
	T_STREQ(t.endpoint, "https://1.dkr.ecr.eu-west-1.amazonaws.com",
	    "parse: the first endpoint");
	T_OK(parse(201, "{\"extra\":{\"x\":[1,2]},\"authorizationData\":[{"
	    "\"proxyEndpoint\":\"https://[::1]:5000\",\"expiresAt\":1,"
	    "\"authorizationToken\":\"QVdTOng=\"}]}", &t, NULL) == AFP_OK &&
	    t.expires == 1, "parse: member order and unknown members ignored");
	ecr_token_clear(&t);
	T_OK(t.token == NULL && t.endpoint == NULL && t.expires == 0,
	    "parse: clear empties the token");
	buf_free(&err);
}

/* A token of "AWS:" and n password characters, base64-encoded. */
static afp_err
parse_long_token(size_t n, struct ecr_token *t)
{
	struct buf raw, tok;
	size_t i;
	afp_err r;

	buf_init(&raw, 0);
	buf_init(&tok, 0);
	if (buf_addstr(&raw, "AWS:") != AFP_OK)
		T_OK(0, "build token");
	for (i = 0; i < n; i++)
		if (buf_addc(&raw, 'p') != AFP_OK)
			T_OK(0, "build token");
	if (buf_addc(&tok, '"') != AFP_OK ||
	    enc_b64(&tok, (const unsigned char *)raw.p, raw.len) != AFP_OK ||
	    buf_addc(&tok, '"') != AFP_OK)
		T_OK(0, "build token");
	r = parse_one(buf_str(&tok), "1", Q(MOTO_EP), t);
	buf_free(&raw);
	buf_free(&tok);
	return r;
}

static void
test_parse_bad(void)
{
	static const struct {
		const char *tok, *exp, *ep, *what;
	} bad[] = {
		{ "1", "1700000000", Q(MOTO_EP), "token a number" },
		{ Q(""), "1700000000", Q(MOTO_EP), "empty token" },
		{ Q("QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu="), "1700000000",
		    Q(MOTO_EP), "token with bad padding" },
		{ Q("QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2V"), "1700000000",
		    Q(MOTO_EP), "token cut short" },
		{ Q("QVdTOjEyMzQ1Njc4OT!xMi1hdXRoLXRva2Vu"), "1700000000",
		    Q(MOTO_EP), "token with a non-base64 character" },
		{ Q("QVdTOjEy MzQ1Njc4OTAxMi1hdXRoLXRva2Vu"), "1700000000",
		    Q(MOTO_EP), "token with a space" },
		{ Q("QVdTOg=="), "1700000000", Q(MOTO_EP),
		    "token \"AWS:\" without a password" },
		{ Q("QVdT"), "1700000000", Q(MOTO_EP), "token \"AWS\"" },
		{ Q("YXdzOnBhc3N3b3Jk"), "1700000000", Q(MOTO_EP),
		    "token \"aws:password\"" },
		{ Q("dXNlcjpwYXNzd29yZA=="), "1700000000", Q(MOTO_EP),
		    "token \"user:password\"" },
		{ Q("QVdTOnBhc3Mgd29yZA=="), "1700000000", Q(MOTO_EP),
		    "token \"AWS:pass word\"" },
		{ Q("QVdTOnBhc3MKd29yZA=="), "1700000000", Q(MOTO_EP),
		    "token with a newline in the password" },
		{ Q("QVdTOnDDqXNz"), "1700000000", Q(MOTO_EP),
		    "token with a non-ASCII password" },
		{ Q(MOTO_TOK), Q("1700000000"), Q(MOTO_EP),
		    "expiresAt a string" },
		{ Q(MOTO_TOK), "-1700000000", Q(MOTO_EP),
		    "expiresAt negative" },
		{ Q(MOTO_TOK), "1E12", Q(MOTO_EP), "expiresAt past year 9999" },
		{ Q(MOTO_TOK), "1E99999", Q(MOTO_EP), "expiresAt huge" },
		{ Q(MOTO_TOK), "null", Q(MOTO_EP), "expiresAt null" },
		{ Q(MOTO_TOK), "1700000000", Q("http://1.dkr.ecr.amazonaws.com"),
		    "proxyEndpoint over http" },
		{ Q(MOTO_TOK), "1700000000", Q(MOTO_EP "/v2"),
		    "proxyEndpoint with a path" },
		{ Q(MOTO_TOK), "1700000000", Q("1.dkr.ecr.amazonaws.com"),
		    "proxyEndpoint without a scheme" },
		{ Q(MOTO_TOK), "1700000000", Q("https://a b.example.com"),
		    "proxyEndpoint with a space" },
		{ Q(MOTO_TOK), "1700000000", Q("https://u@example.com"),
		    "proxyEndpoint with user info" },
		{ Q(MOTO_TOK), "1700000000", Q(""), "proxyEndpoint empty" },
		{ Q(MOTO_TOK), "1700000000", "true", "proxyEndpoint a boolean" },
	};
	static const char *docs[] = {
		"{\"authorizationData\":[]}",
		"{}",
		"{\"authorizationData\":{\"authorizationToken\":\"" MOTO_TOK
		    "\",\"expiresAt\":1,\"proxyEndpoint\":\"" MOTO_EP "\"}}",
		"{\"authorizationData\":[{\"expiresAt\":1,\"proxyEndpoint\":\""
		    MOTO_EP "\"}]}",
		"{\"authorizationData\":[{\"authorizationToken\":\"" MOTO_TOK
		    "\",\"proxyEndpoint\":\"" MOTO_EP "\"}]}",
		"{\"authorizationData\":[{\"authorizationToken\":\"" MOTO_TOK
		    "\",\"expiresAt\":1}]}",
		/* A bad first entry is not saved by a good second one. */
		"{\"authorizationData\":[{\"authorizationToken\":\"x\","
		    "\"expiresAt\":1,\"proxyEndpoint\":\"" MOTO_EP "\"},"
		    "{\"authorizationToken\":\"" MOTO_TOK "\",\"expiresAt\":1,"
		    "\"proxyEndpoint\":\"" MOTO_EP "\"}]}",
		"{\"authorizationData\":[{\"authorizationToken\":\"" MOTO_TOK
		    "\",\"expiresAt\":1,\"proxyEndpoint\":\"" MOTO_EP "\"}]",
		"",
		"<xml/>",
		"{\"__type\":\"ThrottlingException\",\"message\":\"slow\"}",
	};
	struct ecr_token t = { NULL, 0, NULL };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_OK(parse_one(Q(MOTO_TOK), "1700000000", Q(MOTO_EP), &t) ==
		    AFP_OK && t.token != NULL, "parse_bad: good one first (%zu)",
		    i);
		T_EQ(parse_one(bad[i].tok, bad[i].exp, bad[i].ep, &t),
		    AFP_ERR_PARSE, "parse_bad: %s", bad[i].what);
		T_OK(t.token == NULL && t.endpoint == NULL && t.expires == 0,
		    "parse_bad: %s leaves nothing behind", bad[i].what);
	}
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		T_EQ(parse(200, docs[i], &t, NULL), AFP_ERR_PARSE,
		    "parse_bad: document %zu refused", i);
	T_EQ(ecr_parse(200, NULL, 10, &t, NULL), AFP_ERR_PARSE,
	    "parse_bad: no body");
	T_EQ(ecr_parse(200, "{}\0{}", 5, &t, NULL), AFP_ERR_PARSE,
	    "parse_bad: NUL byte in the body");

	/* A token at the cap passes; one past it does not. */
	T_EQ(parse_long_token(ECR_TOKEN_MAX / 4 * 3 - 4, &t), AFP_OK,
	    "parse_bad: token of ECR_TOKEN_MAX characters accepted");
	T_EQ(parse_long_token(ECR_TOKEN_MAX / 4 * 3 - 3, &t), AFP_ERR_PARSE,
	    "parse_bad: longer token refused");
	ecr_token_clear(&t);
}

/* ecr_parse of an error; the class returned, err holding the text. */
static afp_err
parse_err(long status, const char *body, struct buf *err)
{
	struct ecr_token t = { NULL, 0, NULL };
	afp_err r;

	buf_reset(err);
	r = ecr_parse(status, body, strlen(body), &t, err);
	if (t.token != NULL)
		T_OK(0, "error answer gave a token");
	ecr_token_clear(&t);
	return r;
}

static void
test_errors(void)
{
	struct ecr_token t = { NULL, 0, NULL };
	struct buf err, b;
	size_t i;

	buf_init(&err, ECR_ERR_MAX);
	T_EQ(parse_err(400, "{\"__type\":\"com.amazonaws.ecr#"
	    "ThrottlingException\",\"message\":\"Rate exceeded\"}", &err),
	    AFP_ERR_THROTTLED, "error: ThrottlingException throttled");
	T_STREQ(buf_str(&err), "ThrottlingException: Rate exceeded",
	    "error: prefix before '#' dropped, message kept");
	T_EQ(parse_err(400, "{\"__type\":\"TooManyRequestsException\","
	    "\"Message\":\"Slow down\"}", &err), AFP_ERR_THROTTLED,
	    "error: TooManyRequestsException throttled");
	T_STREQ(buf_str(&err), "TooManyRequestsException: Slow down",
	    "error: capitalized Message read");
	T_EQ(parse_err(400, "{\"__type\":\"InvalidParameterException\","
	    "\"message\":\"bad registry\"}", &err), AFP_ERR_AWS,
	    "error: InvalidParameterException is an AWS error");
	T_STREQ(buf_str(&err), "InvalidParameterException: bad registry",
	    "error: code and message");
	T_EQ(parse_err(403, "{\"__type\":\"AccessDeniedException\"}", &err),
	    AFP_ERR_AWS, "error: AccessDeniedException is an AWS error");
	T_STREQ(buf_str(&err), "AccessDeniedException",
	    "error: code alone without a message");
	T_EQ(parse_err(400, "{\"__type\":\"ServerException\",\"message\":"
	    "\"x\"}", &err), AFP_ERR_SERVER,
	    "error: ServerException is a server error even as 400");
	T_EQ(parse_err(500, "{\"__type\":\"com.amazonaws.ecr#Whatever\"}",
	    &err), AFP_ERR_SERVER, "error: any 5xx is a server error");
	T_STREQ(buf_str(&err), "Whatever", "error: 5xx code");
	T_EQ(parse_err(503, "<html>unavailable</html>", &err), AFP_ERR_SERVER,
	    "error: 503 with HTML");
	T_STREQ(buf_str(&err), "HTTP503", "error: HTML body gives HTTP503");
	T_EQ(parse_err(403, "<?xml version=\"1.0\"?><ErrorResponse><Errors>"
	    "<Error><Code>AccessDenied</Code></Error></Errors></ErrorResponse>",
	    &err), AFP_ERR_AWS, "error: moto's XML AccessDenied");
	T_STREQ(buf_str(&err), "HTTP403", "error: non-JSON body gives HTTP403");
	T_EQ(parse_err(429, "", &err), AFP_ERR_THROTTLED,
	    "error: 429 without a body throttled");
	T_STREQ(buf_str(&err), "HTTP429", "error: HTTP429");
	T_EQ(parse_err(400, "{\"__type\":\"\",\"message\":\"m\"}", &err),
	    AFP_ERR_AWS, "error: empty __type");
	T_STREQ(buf_str(&err), "HTTP400: m", "error: empty __type gives HTTP400");
	T_EQ(parse_err(400, "{\"__type\":\"a#\",\"message\":\"m\"}", &err),
	    AFP_ERR_AWS, "error: nothing after '#'");
	T_STREQ(buf_str(&err), "HTTP400: m", "error: empty code gives HTTP400");
	T_EQ(parse_err(400, "{\"__type\":\"Throttling\\nException\"}", &err),
	    AFP_ERR_AWS, "error: a code with a control character is no match");
	T_STREQ(buf_str(&err), "Throttling Exception",
	    "error: control character in the code became a space");
	T_EQ(parse_err(400, "{\"__type\":\"X\",\"message\":\"line1\\r\\n"
	    "\\u001b[31mline2\\t \"}", &err), AFP_ERR_AWS,
	    "error: message with control characters");
	T_STREQ(buf_str(&err), "X: line1 [31mline2",
	    "error: control characters squeezed, trailing space trimmed");
	T_EQ(parse(400, "{\"__type\":\"ThrottlingException\"}", &t, NULL),
	    AFP_ERR_THROTTLED, "error: err may be NULL");
	T_EQ(ecr_parse(404, NULL, 0, &t, &err), AFP_ERR_AWS,
	    "error: 404 without a body");

	buf_init(&b, 0);
	if (buf_addstr(&b, "{\"__type\":\"X\",\"message\":\"") != AFP_OK)
		T_OK(0, "build long message");
	for (i = 0; i < 1023; i++)
		if (buf_addc(&b, 'm') != AFP_OK)
			T_OK(0, "build long message");
	/* U+00E9 straddles the 1024-byte bound. */
	if (buf_addstr(&b, "\xc3\xa9 and more\"}") != AFP_OK)
		T_OK(0, "build long message");
	T_EQ(parse_err(400, buf_str(&b), &err), AFP_ERR_AWS,
	    "error: long message");
	T_EQ(err.len, 3 + 1023, "error: long message cut before a split "
	    "character");
	buf_reset(&err);
	T_EQ(ecr_parse(400, buf_str(&b), b.len, &t, NULL), AFP_ERR_AWS,
	    "error: long message without err");
	buf_free(&b);

	/* Oversize bodies. */
	buf_init(&b, ECR_BODY_MAX + 16);
	if (buf_addstr(&b, "{\"authorizationData\":[{\"authorizationToken\":\""
	    MOTO_TOK "\",\"expiresAt\":1,\"proxyEndpoint\":\"" MOTO_EP
	    "\"}],\"pad\":\"") != AFP_OK)
		T_OK(0, "build big body");
	while (b.len < ECR_BODY_MAX - 2)
		if (buf_addc(&b, 'p') != AFP_OK)
			break;
	if (buf_addstr(&b, "\"}") != AFP_OK)
		T_OK(0, "build big body");
	T_EQ(ecr_parse(200, buf_str(&b), b.len, &t, &err), AFP_OK,
	    "size: a body of ECR_BODY_MAX bytes parses");
	b.len--;
	if (buf_addstr(&b, " }") != AFP_OK)
		T_OK(0, "build big body");
	T_EQ(ecr_parse(200, buf_str(&b), b.len, &t, &err), AFP_ERR_TOOBIG,
	    "size: one byte more is too big");
	T_OK(t.token == NULL, "size: no token from a refused body");
	T_EQ(ecr_parse(400, buf_str(&b), b.len, &t, &err), AFP_ERR_TOOBIG,
	    "size: a big 4xx is too big");
	buf_reset(&err);
	T_EQ(ecr_parse(502, buf_str(&b), b.len, &t, &err), AFP_ERR_SERVER,
	    "size: a big 5xx is a server error (retried)");
	T_STREQ(buf_str(&err), "HTTP502", "size: big 5xx not parsed");
	buf_free(&b);

	/* err's own cap is honoured, and the class survives a full err. */
	buf_free(&err);
	buf_init(&err, 8);
	T_EQ(parse_err(400, "{\"__type\":\"ThrottlingException\","
	    "\"message\":\"m\"}", &err), AFP_ERR_THROTTLED,
	    "error: a small err keeps the class");
	T_STREQ(buf_str(&err), "Throttli", "error: text cut to err's room");
	T_EQ(parse_err(400, "{\"__type\":\"X\",\"message\":\"\u00e9\u00e9"
	    "\u00e9\u00e9\"}", &err), AFP_ERR_AWS, "error: UTF-8 message");
	T_STREQ(buf_str(&err), "X: \xc3\xa9\xc3\xa9",
	    "error: cut to err's room between characters");
	if (buf_addc(&err, '!') != AFP_OK)
		T_OK(0, "fill err");
	T_EQ(ecr_parse(503, "", 0, &t, &err), AFP_ERR_SERVER,
	    "error: a full err keeps the class");
	T_STREQ(buf_str(&err), "X: \xc3\xa9\xc3\xa9!",
	    "error: a full err is left alone");
	buf_free(&err);
	buf_init(&err, ECR_ERR_MAX);
	T_EQ(parse_err(400, "{\"__type\":\"X\",\"message\":\"\\n\\t\"}",
	    &err), AFP_ERR_AWS, "error: message of control characters");
	T_STREQ(buf_str(&err), "X", "error: empty cleaned message dropped");
	buf_free(&err);
	ecr_token_clear(&t);
}

int
main(void)
{
	test_endpoint();
	test_sign();
	test_parse_ok();
	test_parse_bad();
	test_errors();
	return t_done();
}
