/* Unit tests for signin: endpoints, getSigninToken URLs, answers, login URLs, callbacks. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "buf.h"
#include "conf.h"
#include "enc.h"
#include "signin.h"

#define AWS_FED "https://signin.aws.amazon.com/federation"

static void
test_endpoint(void)
{
	static const struct { const char *partition, *override, *want; } good[] = {
		{ "aws", NULL, AWS_FED },
		{ "aws-cn", NULL, "https://signin.amazonaws.cn/federation" },
		{ "aws-us-gov", NULL, "https://signin.amazonaws-us-gov.com/federation" },
		{ "aws", "", AWS_FED },
		{ "aws", "http://127.0.0.1:8080/federation",
		    "http://127.0.0.1:8080/federation" },
		{ "aws-cn", "https://signin.example.com/federation",
		    "https://signin.example.com/federation" },
		{ "aws", "http://[::1]:9/federation", "http://[::1]:9/federation" },
		{ "nonsense", "http://127.0.0.1:1/f", "http://127.0.0.1:1/f" },
	};
	static const struct { const char *partition, *override; } bad[] = {
		{ "aws-iso", NULL }, { "AWS", NULL }, { "", NULL }, { NULL, NULL },
		{ "aws", "ftp://127.0.0.1/federation" },
		{ "aws", "127.0.0.1:8080/federation" },
		{ "aws", "http://" }, { "aws", "http:///federation" },
		{ "aws", "http://127.0.0.1/federation?Action=x" },
		{ "aws", "http://127.0.0.1/federation#x" },
		{ "aws", "http://127.0.0.1/fed eration" },
		{ "aws", "http://user@127.0.0.1/federation" },
		{ "aws", "http://127.0.0.1:99999/federation" },
		{ "aws", "javascript:alert(1)" },
	};
	struct buf b;
	size_t i;
	afp_err r;

	buf_init(&b, SIGNIN_URL_MAX);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		r = signin_endpoint(good[i].partition, good[i].override, &b);
		T_OK(r == AFP_OK && strcmp(buf_str(&b), good[i].want) == 0,
		    "endpoint: %s override '%s' -> %s", good[i].partition,
		    good[i].override ? good[i].override : "(none)", good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (buf_addstr(&b, "stale") != AFP_OK)
			abort();
		r = signin_endpoint(bad[i].partition, bad[i].override, &b);
		T_OK(r == AFP_ERR_INVAL && b.len == 0,
		    "endpoint: refused: partition %s override '%s'",
		    bad[i].partition ? bad[i].partition : "(null)",
		    bad[i].override ? bad[i].override : "(none)");
	}
	buf_free(&b);
}

/* JSON escapes in the secret and token; '/', '+', '=' must be encoded. */
#define SESSION_JSON "{\"sessionId\":\"ASIAEXAMPLE\",\"sessionKey\":\"s/e+c=r\"," \
	"\"sessionToken\":\"t\\\"o\\\\k&x\"}"
#define SESSION_ENC "%7B%22sessionId%22%3A%22ASIAEXAMPLE%22%2C%22sessionKey" \
	"%22%3A%22s%2Fe%2Bc%3Dr%22%2C%22sessionToken%22%3A%22t%5C%22o%5C%5Ck" \
	"%26x%22%7D"

static void
test_token_url(void)
{
	struct afp_creds c = { "ASIAEXAMPLE", "s/e+c=r", "t\"o\\k&x", 0 };
	struct afp_creds bad = c;
	struct buf b, dec;
	const char *q;

	buf_init(&b, SIGNIN_URL_MAX);
	buf_init(&dec, SIGNIN_URL_MAX);
	T_OK(signin_token_url(AWS_FED, &c, 3600, &b) == AFP_OK,
	    "token url: built");
	T_STREQ(buf_str(&b), AWS_FED "?Action=getSigninToken&SessionDuration=3600"
	    "&Session=" SESSION_ENC, "token url: exact form with SessionDuration");
	q = strstr(buf_str(&b), "&Session=");
	T_OK(q != NULL && enc_pct_decode(&dec, q + 9, strlen(q + 9)) == AFP_OK &&
	    strcmp(buf_str(&dec), SESSION_JSON) == 0,
	    "token url: Session decodes to the compact JSON");
	T_OK(signin_token_url("http://127.0.0.1:5/federation", &c, 0, &b) == AFP_OK,
	    "token url: no SessionDuration");
	T_STREQ(buf_str(&b), "http://127.0.0.1:5/federation?Action=getSigninToken"
	    "&Session=" SESSION_ENC, "token url: exact form without SessionDuration");
	T_OK(strstr(buf_str(&b), "SessionDuration") == NULL,
	    "token url: 0 leaves SessionDuration out");
	T_OK(signin_token_url(AWS_FED, &c, 900, &b) == AFP_OK &&
	    strstr(buf_str(&b), "&SessionDuration=900&") != NULL,
	    "token url: 900 is the lowest SessionDuration");
	T_OK(signin_token_url(AWS_FED, &c, 43200, &b) == AFP_OK &&
	    strstr(buf_str(&b), "&SessionDuration=43200&") != NULL,
	    "token url: 43200 is the highest SessionDuration");
	T_OK(signin_token_url(AWS_FED, &c, 899, &b) == AFP_ERR_INVAL && b.len == 0,
	    "token url: 899 refused, url emptied");
	T_OK(signin_token_url(AWS_FED, &c, 43201, &b) == AFP_ERR_INVAL,
	    "token url: 43201 refused");
	bad.token = NULL;
	T_OK(signin_token_url(AWS_FED, &bad, 0, &b) == AFP_ERR_INVAL,
	    "token url: long-term keys (no token) refused");
	bad.token = "";
	T_OK(signin_token_url(AWS_FED, &bad, 0, &b) == AFP_ERR_INVAL,
	    "token url: empty token refused");
	bad = c;
	bad.secret = NULL;
	T_OK(signin_token_url(AWS_FED, &bad, 0, &b) == AFP_ERR_INVAL,
	    "token url: no secret refused");
	bad = c;
	bad.akid = "";
	T_OK(signin_token_url(AWS_FED, &bad, 0, &b) == AFP_ERR_INVAL,
	    "token url: empty key id refused");
	bad = c;
	bad.secret = "s\xff";
	T_OK(signin_token_url(AWS_FED, &bad, 0, &b) == AFP_ERR_INVAL && b.len == 0,
	    "token url: invalid UTF-8 refused");
	T_OK(signin_token_url(AWS_FED "?x=1", &c, 0, &b) == AFP_ERR_INVAL,
	    "token url: endpoint with a query refused");
	T_OK(signin_token_url(NULL, &c, 0, &b) == AFP_ERR_INVAL,
	    "token url: no endpoint refused");
	T_OK(signin_token_url(AWS_FED, NULL, 0, &b) == AFP_ERR_INVAL,
	    "token url: no credentials refused");
	buf_free(&dec);
	buf_free(&b);
}

static void
test_duration(void)
{
	static const struct {
		enum role_type type;
		unsigned duration;
		int base_temporary;
		unsigned want;
	} v[] = {
		{ ROLE_ASSUME_ROLE, 3600, 0, 3600 },
		{ ROLE_ASSUME_ROLE, 7200, 0, 7200 },
		{ ROLE_ASSUME_ROLE, 900, 0, 900 },
		{ ROLE_ASSUME_ROLE, 600, 0, 900 },
		{ ROLE_ASSUME_ROLE, 43200, 0, 43200 },
		{ ROLE_ASSUME_ROLE, 43201, 0, 43200 },
		{ ROLE_ASSUME_ROLE, 129600, 0, 43200 },
		{ ROLE_ASSUME_ROLE, 3600, 1, 0 },
		{ ROLE_ASSUME_ROLE, 43200, 1, 0 },
		{ ROLE_FEDERATION_TOKEN, 3600, 0, 0 },
		{ ROLE_FEDERATION_TOKEN, 43200, 1, 0 },
		{ ROLE_SESSION_TOKEN, 3600, 0, 0 },
	};
	static const char *names[] = { "assume_role", "federation_token",
	    "session_token" };
	struct conf_role r;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.type = v[i].type;
		r.duration = v[i].duration;
		T_EQ(signin_session_duration(&r, v[i].base_temporary), v[i].want,
		    "duration: %s %u s, base %s -> %u", names[v[i].type],
		    v[i].duration, v[i].base_temporary ? "temporary" : "long-term",
		    v[i].want);
	}
	T_EQ(signin_session_duration(NULL, 0), 0, "duration: no role -> 0");
}

static void
test_parse(void)
{
	static const struct { const char *body, *want; } good[] = {
		{ "{\"SigninToken\":\"abc-DEF_123\"}", "abc-DEF_123" },
		{ " {\n \"SigninToken\" : \"t0k3n/+=\" }\n", "t0k3n/+=" },
		{ "{\"Other\":1,\"SigninToken\":\"x\",\"More\":[1,2]}", "x" },
		{ "{\"SigninToken\":\"\\u0041\\/b\"}", "A/b" },
	};
	static const struct { const char *body; afp_err want; const char *what; } bad[] = {
		{ "{\"Other\":\"x\"}", AFP_ERR_PARSE, "missing key" },
		{ "{\"signintoken\":\"x\"}", AFP_ERR_PARSE, "key case differs" },
		{ "{\"SigninToken\":123}", AFP_ERR_PARSE, "number" },
		{ "{\"SigninToken\":null}", AFP_ERR_PARSE, "null" },
		{ "{\"SigninToken\":true}", AFP_ERR_PARSE, "bool" },
		{ "{\"SigninToken\":{\"a\":\"b\"}}", AFP_ERR_PARSE, "object" },
		{ "{\"SigninToken\":[\"x\"]}", AFP_ERR_PARSE, "array" },
		{ "{\"SigninToken\":\"\"}", AFP_ERR_PARSE, "empty string" },
		{ "{\"SigninToken\":\"a\\nb\"}", AFP_ERR_PARSE, "newline" },
		{ "{\"SigninToken\":\"a\\u0001b\"}", AFP_ERR_PARSE, "control char" },
		{ "{\"SigninToken\":\"a\\u007fb\"}", AFP_ERR_PARSE, "DEL" },
		{ "{\"SigninToken\":\"a b\"}", AFP_ERR_PARSE, "space" },
		{ "{\"SigninToken\":\"caf\\u00e9\"}", AFP_ERR_PARSE, "non-ASCII" },
		{ "{\"SigninToken\":\"x\",\"SigninToken\":\"y\"}", AFP_ERR_PARSE,
		    "duplicate key" },
		{ "{\"SigninToken\":\"x\"", AFP_ERR_PARSE, "truncated" },
		{ "{\"SigninToken\":\"x\"} x", AFP_ERR_PARSE, "trailing garbage" },
		{ "\"x\"", AFP_ERR_PARSE, "bare string" },
		{ "", AFP_ERR_PARSE, "empty body" },
		{ "<html>Error</html>", AFP_ERR_PARSE, "HTML error page" },
	};
	struct buf big;
	char *tok;
	size_t i;
	afp_err r;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		r = signin_token_parse(good[i].body, strlen(good[i].body), &tok);
		T_OK(r == AFP_OK && tok != NULL && strcmp(tok, good[i].want) == 0,
		    "parse: good %zu -> %s", i, good[i].want);
		str_wipe_free(tok);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tok = (char *)"stale";
		r = signin_token_parse(bad[i].body, strlen(bad[i].body), &tok);
		T_OK(r == bad[i].want && tok == NULL, "parse: refused: %s",
		    bad[i].what);
	}

	buf_init(&big, 4 * SIGNIN_TOKEN_MAX);
	if (buf_addstr(&big, "{\"SigninToken\":\"") != AFP_OK)
		abort();
	for (i = 0; i < SIGNIN_TOKEN_MAX; i++)
		if (buf_addc(&big, (char)('a' + i % 26)) != AFP_OK)
			abort();
	if (buf_addstr(&big, "\"}") != AFP_OK)
		abort();
	r = signin_token_parse(buf_str(&big), big.len, &tok);
	T_OK(r == AFP_OK && tok != NULL && strlen(tok) == SIGNIN_TOKEN_MAX,
	    "parse: a token of SIGNIN_TOKEN_MAX bytes");
	str_wipe_free(tok);
	big.len -= 2;
	if (buf_addstr(&big, "z\"}") != AFP_OK)
		abort();
	r = signin_token_parse(buf_str(&big), big.len, &tok);
	T_OK(r == AFP_ERR_TOOBIG && tok == NULL,
	    "parse: a token one byte over SIGNIN_TOKEN_MAX is too big");
	buf_reset(&big);
	if (buf_addstr(&big, "{\"SigninToken\":\"x\"") != AFP_OK)
		abort();
	for (i = 0; i < SIGNIN_TOKEN_MAX + 2048; i++)
		if (buf_addc(&big, ' ') != AFP_OK)
			abort();
	if (buf_addc(&big, '}') != AFP_OK)
		abort();
	r = signin_token_parse(buf_str(&big), big.len, &tok);
	T_OK(r == AFP_ERR_TOOBIG && tok == NULL,
	    "parse: an oversized body is refused before parsing");
	T_OK(signin_token_parse(NULL, 0, &tok) == AFP_ERR_PARSE && tok == NULL,
	    "parse: no body");
	buf_free(&big);
}

static void
test_login_url(void)
{
	struct buf b, dec;
	const char *issuer = "https://intranet.example.com/afp?x=1&y=a b#frag";
	const char *dest = "https://console.aws.amazon.com/ec2/home?region=us-east-1#Instances:";
	const char *token = "tok+en/=\xc3\xa9~._-";

	buf_init(&b, SIGNIN_URL_MAX);
	buf_init(&dec, SIGNIN_URL_MAX);
	T_OK(signin_login_url(AWS_FED, issuer, dest, token, &b) == AFP_OK,
	    "login url: built");
	T_STREQ(buf_str(&b), AWS_FED "?Action=login"
	    "&Issuer=https%3A%2F%2Fintranet.example.com%2Fafp%3Fx%3D1%26y%3Da%20b%23frag"
	    "&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fec2%2Fhome%3Fregion"
	    "%3Dus-east-1%23Instances%3A"
	    "&SigninToken=tok%2Ben%2F%3D%C3%A9~._-",
	    "login url: exact string, every value encoded");
	T_OK(strchr(buf_str(&b), '#') == NULL && strchr(buf_str(&b), ' ') == NULL,
	    "login url: no raw '#' or space");
	T_OK(signin_login_url("http://127.0.0.1:8/federation", "http://h/",
	    "https://console.amazonaws.cn/", "T", &b) == AFP_OK,
	    "login url: plain values");
	T_STREQ(buf_str(&b), "http://127.0.0.1:8/federation?Action=login"
	    "&Issuer=http%3A%2F%2Fh%2F&Destination=https%3A%2F%2Fconsole.amazonaws.cn"
	    "%2F&SigninToken=T", "login url: exact plain string");
	T_OK(signin_login_url(AWS_FED, "", dest, token, &b) == AFP_ERR_INVAL &&
	    b.len == 0, "login url: empty issuer refused, url emptied");
	T_OK(signin_login_url(AWS_FED, issuer, NULL, token, &b) == AFP_ERR_INVAL,
	    "login url: no destination refused");
	T_OK(signin_login_url(AWS_FED, issuer, dest, "", &b) == AFP_ERR_INVAL,
	    "login url: empty token refused");
	T_OK(signin_login_url(AWS_FED, issuer, dest, NULL, &b) == AFP_ERR_INVAL,
	    "login url: no token refused");
	T_OK(signin_login_url(AWS_FED "?a=b", issuer, dest, token, &b) ==
	    AFP_ERR_INVAL, "login url: endpoint with a query refused");
	T_OK(signin_login_url("javascript:x", issuer, dest, token, &b) ==
	    AFP_ERR_INVAL, "login url: non-http endpoint refused");
	buf_free(&dec);
	buf_free(&b);
}

/* The URL for a test name, control and non-ASCII bytes shown as '?'. */
static const char *
shown(const char *url)
{
	static char out[80];
	size_t i;

	if (url == NULL)
		return "(null)";
	for (i = 0; url[i] != '\0' && i < sizeof(out) - 1; i++)
		out[i] = (unsigned char)url[i] < ' ' ||
		    (unsigned char)url[i] >= 0x7f ? '?' : url[i];
	out[i] = '\0';
	return out;
}

static void
test_callback(void)
{
	static char *prefixes[] = { "https://intranet.example.com",
	    "https://apps.example.org/afp/", "http://10.0.0.1:8080/cb" };
	static const struct strlist allow = { prefixes, 3 };
	static const struct strlist none = { NULL, 0 };
	static const struct {
		const char *url;
		int open, allowed;	/* without and with the allow list */
	} v[] = {
		{ "https://intranet.example.com", 1, 1 },
		{ "https://intranet.example.com/", 1, 1 },
		{ "https://intranet.example.com/x/y?z=1#f", 1, 1 },
		{ "https://intranet.example.com?x", 1, 1 },
		{ "https://intranet.example.com#x", 1, 1 },
		{ "https://intranet.example.com.evil.com/", 1, 0 },
		{ "https://intranet.example.comevil.com/", 1, 0 },
		{ "https://intranet.example.com:443/", 1, 0 },
		{ "http://intranet.example.com/", 1, 0 },
		{ "https://apps.example.org/afp/", 1, 1 },
		{ "https://apps.example.org/afp/page?x=%2F", 1, 1 },
		{ "https://apps.example.org/afp", 1, 0 },
		{ "https://apps.example.org/afpx/", 1, 0 },
		{ "https://apps.example.org/afp/../admin", 0, 0 },
		{ "https://apps.example.org/afp/%2e%2E/admin", 0, 0 },
		{ "https://apps.example.org/afp/./x", 0, 0 },
		{ "https://apps.example.org/afp/...", 1, 1 },
		{ "http://10.0.0.1:8080/cb", 1, 1 },
		{ "http://10.0.0.1:8080/cb/x", 1, 1 },
		{ "http://10.0.0.1:8080/cbx", 1, 0 },
		{ "http://10.0.0.1:80801/cb", 0, 0 },
		{ "http://[::1]:8080/", 1, 0 },
		{ "http://[::1", 0, 0 },
		{ "http://[]/", 0, 0 },
		{ "https://allowed.example/x", 1, 0 },
		{ "javascript:alert(1)", 0, 0 },
		{ "JAVASCRIPT://intranet.example.com/%0aalert(1)", 0, 0 },
		{ "ftp://intranet.example.com/", 0, 0 },
		{ "HTTPS://intranet.example.com/", 0, 0 },
		{ "data:text/html,x", 0, 0 },
		{ "/x", 0, 0 },
		{ "//intranet.example.com/", 0, 0 },
		{ "intranet.example.com/", 0, 0 },
		{ "https://", 0, 0 },
		{ "https:///x", 0, 0 },
		{ "https://:443/", 0, 0 },
		{ "https://h:/", 0, 0 },
		{ "https://h:0/", 0, 0 },
		{ "https://h:x/", 0, 0 },
		{ "https://a b/", 0, 0 },
		{ "https://intranet.example.com/a b", 0, 0 },
		{ "https://intranet.example.com/\r\nSet-Cookie:x", 0, 0 },
		{ "https://intranet.example.com/\tx", 0, 0 },
		{ "https://intranet.example.com/\x7f", 0, 0 },
		{ "https://intranet.example.com/\xc3\xa9", 0, 0 },
		{ "https://intranet.example.com/\"x", 0, 0 },
		{ "https://intranet.example.com/'x", 0, 0 },
		{ "https://intranet.example.com/<x>", 0, 0 },
		{ "https://intranet.example.com/\\x", 0, 0 },
		{ "https://intranet.example.com\\@evil.com/", 0, 0 },
		{ "https://intranet.example.com@evil.com/", 0, 0 },
		{ "https://user:pw@intranet.example.com/", 0, 0 },
		{ "https://evil.com/?@intranet.example.com", 1, 0 },
		{ "https://intranet.example.com/%zz", 0, 0 },
		{ "https://intranet.example.com/%4", 0, 0 },
		{ "https://intranet.example.com/%41", 1, 1 },
		{ "", 0, 0 },
		{ NULL, 0, 0 },
	};
	struct buf big;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		T_EQ(signin_callback_ok(v[i].url, &none), v[i].open,
		    "callback: %zu '%s' %s without callback_allow", i,
		    shown(v[i].url), v[i].open ? "ok" : "refused");
		T_EQ(signin_callback_ok(v[i].url, &allow), v[i].allowed,
		    "callback: %zu %s with callback_allow", i,
		    v[i].allowed ? "ok" : "refused");
	}
	T_EQ(signin_callback_ok("https://x/", NULL), 1,
	    "callback: NULL allow list means any");

	buf_init(&big, 4096);
	if (buf_addstr(&big, "https://intranet.example.com/") != AFP_OK)
		abort();
	while (big.len < 2048)
		if (buf_addc(&big, 'a') != AFP_OK)
			abort();
	T_EQ(signin_callback_ok(buf_str(&big), &allow), 1,
	    "callback: 2048 bytes accepted");
	if (buf_addc(&big, 'a') != AFP_OK)
		abort();
	T_EQ(signin_callback_ok(buf_str(&big), &allow), 0,
	    "callback: 2049 bytes refused");
	buf_free(&big);
}

int
main(void)
{
	test_endpoint();
	test_token_url();
	test_duration();
	test_parse();
	test_login_url();
	test_callback();
	return t_done();
}
