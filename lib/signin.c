/*
 * signin: URLs of the AWS console federation endpoint and its answer.
 * See "Enable custom identity broker access to the AWS console" in the IAM
 * User Guide for the protocol.
 */
#include <string.h>

#include "enc.h"
#include "json.h"
#include "signin.h"

#define CALLBACK_MAX	2048	/* what browsers and AWS keep of an Issuer */
#define SESSION_MIN	900	/* SessionDuration: 15 minutes ... */
#define SESSION_MAX	43200	/* ... to 12 hours */
#define SESSION_JSON_MAX 8192	/* three credential strings and their keys */
#define TOKEN_BODY_MAX	(SIGNIN_TOKEN_MAX + 1024)

static const struct {
	const char *partition;
	const char *host;
} hosts[] = {
	{ "aws", "signin.aws.amazon.com" },
	{ "aws-cn", "signin.amazonaws.cn" },
	{ "aws-us-gov", "signin.amazonaws-us-gov.com" },
};

static int
is_alnum(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

/* "http://" or "https://": the length of the scheme with "://", else 0. */
static size_t
scheme_len(const char *url)
{
	if (strncmp(url, "https://", 8) == 0)
		return 8;
	if (strncmp(url, "http://", 7) == 0)
		return 7;
	return 0;
}

/*
 * The authority of an http(s) URL is a host name, an IPv4 address or a
 * bracketed IPv6 address, and an optional port. Userinfo ("user@host") is
 * refused: it is how a link hides its real host from a reader.
 */
static int
authority_ok(const char *a, size_t n)
{
	size_t i = 0, digits;
	unsigned long port = 0;

	if (n == 0)
		return 0;
	if (a[0] == '[') {
		for (i = 1; i < n && a[i] != ']'; i++)
			if (enc_hexval((unsigned char)a[i]) < 0 && a[i] != ':' &&
			    a[i] != '.')
				return 0;
		if (i == n || i == 1)
			return 0;
		i++;
	} else {
		for (; i < n && a[i] != ':'; i++)
			if (!is_alnum((unsigned char)a[i]) && a[i] != '.' &&
			    a[i] != '-')
				return 0;
		if (i == 0)
			return 0;
	}
	if (i == n)
		return 1;
	if (a[i++] != ':')
		return 0;
	for (digits = 0; i < n; i++, digits++) {
		if (a[i] < '0' || a[i] > '9' || digits == 5)
			return 0;
		port = port * 10 + (unsigned long)(a[i] - '0');
	}
	return port > 0 && port <= 65535;
}

/*
 * The characters RFC 3986 allows in a URI, but for the quote, which would
 * end an attribute in a page that shows the link; '%' must start an escape.
 */
static int
url_chars_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || enc_hexval((unsigned char)s[i + 1]) < 0 ||
			    enc_hexval((unsigned char)s[i + 2]) < 0)
				return 0;
			i += 2;
		} else if (!is_alnum(c) &&
		    strchr("-._~:/?#[]@!$&()*+,;=", c) == NULL)
			return 0;
	}
	return 1;
}

/*
 * A path segment "." or ".." (also written %2e) lets a URL that starts
 * with an allowed prefix resolve outside it.
 */
static int
dot_segment(const char *seg, size_t n)
{
	size_t i, dots = 0;

	for (i = 0; i < n; dots++) {
		if (seg[i] == '.')
			i++;
		else if (n - i >= 3 && seg[i] == '%' && seg[i + 1] == '2' &&
		    (seg[i + 2] == 'e' || seg[i + 2] == 'E'))
			i += 3;
		else
			return 0;
	}
	return dots == 1 || dots == 2;
}

static int
path_ok(const char *p, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		/* p[i] is '/': a segment runs to the next one. */
		for (j = i + 1; j < n && p[j] != '/'; j++)
			;
		if (dot_segment(p + i + 1, j - i - 1))
			return 0;
		i = j;
	}
	return 1;
}

/*
 * An absolute http(s) URL: scheme, a valid authority, then nothing or a
 * path, query or fragment.
 */
static int
url_ok(const char *url, size_t max)
{
	size_t len, s, a, p;

	if (url == NULL || (len = strnlen(url, max + 1)) == 0 || len > max ||
	    !url_chars_ok(url, len) || (s = scheme_len(url)) == 0)
		return 0;
	a = s + strcspn(url + s, "/?#");
	if (!authority_ok(url + s, a - s))
		return 0;
	p = a + strcspn(url + a, "?#");
	return path_ok(url + a, p - a);
}

/*
 * An allowed prefix must end where the URL's host, path segment or query
 * ends: "https://intra.example.com" allows ".../x" and "...?y" but not
 * "https://intra.example.com.evil.com/"; "https://h/app" not "https://h/apps".
 */
static int
prefix_ok(const char *url, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 0 || strncmp(url, prefix, n) != 0)
		return 0;
	return prefix[n - 1] == '/' || url[n] == '\0' || url[n] == '/' ||
	    url[n] == '?' || url[n] == '#';
}

int
signin_callback_ok(const char *url, const struct strlist *allow)
{
	size_t i;

	if (!url_ok(url, CALLBACK_MAX))
		return 0;
	if (allow == NULL || allow->n == 0)
		return 1;
	for (i = 0; i < allow->n; i++)
		if (prefix_ok(url, allow->v[i]))
			return 1;
	return 0;
}

/* The endpoint gets "?..." appended: it must have no query or fragment. */
static int
endpoint_ok(const char *endpoint)
{
	return url_ok(endpoint, SIGNIN_URL_MAX) &&
	    strpbrk(endpoint, "?#") == NULL;
}

afp_err
signin_endpoint(const char *partition, const char *override, struct buf *url)
{
	size_t i;

	buf_reset(url);
	if (override != NULL && *override != '\0') {
		if (!endpoint_ok(override))
			return AFP_ERR_INVAL;
		return buf_addstr(url, override);
	}
	if (partition == NULL)
		return AFP_ERR_INVAL;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strcmp(partition, hosts[i].partition) == 0)
			return buf_printf(url, "https://%s/federation",
			    hosts[i].host);
	return AFP_ERR_INVAL;
}

/*
 * SessionDuration, the console session's length, is accepted by AWS only
 * for credentials from AssumeRole (and its SAML and web-identity forms),
 * from 900 seconds to 43200 (12 hours):
 * - GetFederationToken credentials: the console session lasts as long as
 *   the federation token; sending SessionDuration is an error.
 * - GetSessionToken credentials cannot get a sign-in token at all (conf
 *   refuses console = yes for session_token roles).
 * - Role chaining (base credentials that are themselves temporary, e.g. an
 *   instance role): AWS limits the chained session to one hour and fails
 *   a longer SessionDuration, so none is sent and AWS's default applies.
 * Otherwise the console session lasts as long as the role's credentials,
 * clamped to what AWS accepts.
 */
unsigned
signin_session_duration(const struct conf_role *r, int base_temporary)
{
	if (r == NULL || r->type != ROLE_ASSUME_ROLE || base_temporary)
		return 0;
	if (r->duration < SESSION_MIN)
		return SESSION_MIN;
	if (r->duration > SESSION_MAX)
		return SESSION_MAX;
	return r->duration;
}

/* {"sessionId":...,"sessionKey":...,"sessionToken":...}, compact. */
static afp_err
session_json(struct buf *b, const struct afp_creds *c)
{
	int first = 1;
	afp_err r;

	if ((r = buf_addc(b, '{')) != AFP_OK ||
	    (r = json_kv(b, &first, "sessionId", c->akid)) != AFP_OK ||
	    (r = json_kv(b, &first, "sessionKey", c->secret)) != AFP_OK ||
	    (r = json_kv(b, &first, "sessionToken", c->token)) != AFP_OK)
		return r;
	return buf_addc(b, '}');
}

afp_err
signin_token_url(const char *endpoint, const struct afp_creds *creds,
    unsigned session_duration, struct buf *url)
{
	struct buf session;
	afp_err r = AFP_ERR_INVAL;

	buf_init(&session, SESSION_JSON_MAX);
	buf_reset(url);
	/* The sign-in service takes temporary credentials only. */
	if (!endpoint_ok(endpoint) || creds == NULL || creds->akid == NULL ||
	    creds->secret == NULL || creds->token == NULL ||
	    *creds->akid == '\0' || *creds->secret == '\0' ||
	    *creds->token == '\0' || (session_duration != 0 &&
	    (session_duration < SESSION_MIN || session_duration > SESSION_MAX)))
		goto out;
	if ((r = session_json(&session, creds)) != AFP_OK)
		goto out;
	if ((r = buf_printf(url, "%s?Action=getSigninToken",
	    endpoint)) != AFP_OK ||
	    (session_duration != 0 && (r = buf_printf(url,
	    "&SessionDuration=%u", session_duration)) != AFP_OK) ||
	    (r = buf_addstr(url, "&Session=")) != AFP_OK ||
	    (r = enc_uri(url, buf_str(&session), session.len, 0)) != AFP_OK)
		buf_reset(url);
 out:
	buf_free(&session);
	return r;
}

afp_err
signin_token_parse(const char *body, size_t len, char **token)
{
	struct json_doc doc = { NULL, 0 };
	const char *t = NULL;
	size_t i;
	afp_err r;

	*token = NULL;
	if (body == NULL)
		return AFP_ERR_PARSE;
	if (len > TOKEN_BODY_MAX)
		return AFP_ERR_TOOBIG;
	if ((r = json_parse(body, len, &doc)) != AFP_OK)
		return AFP_ERR_PARSE;
	/* json_parse refuses duplicate keys, so this is the only one. */
	r = AFP_ERR_PARSE;
	if ((t = json_get(&doc, "SigninToken", JSON_STRING)) == NULL ||
	    *t == '\0')
		goto out;
	if (strlen(t) > SIGNIN_TOKEN_MAX) {
		r = AFP_ERR_TOOBIG;
		goto out;
	}
	/* AWS's tokens are printable ASCII; anything else is not a token. */
	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			goto out;
	r = (*token = strdup(t)) != NULL ? AFP_OK : AFP_ERR_NOMEM;
 out:
	json_doc_free(&doc);
	return r;
}

afp_err
signin_login_url(const char *endpoint, const char *issuer,
    const char *destination, const char *token, struct buf *out)
{
	afp_err r;

	buf_reset(out);
	if (!endpoint_ok(endpoint) || issuer == NULL || destination == NULL ||
	    token == NULL || *issuer == '\0' || *destination == '\0' ||
	    *token == '\0')
		return AFP_ERR_INVAL;
	if ((r = buf_printf(out, "%s?Action=login&Issuer=",
	    endpoint)) != AFP_OK ||
	    (r = enc_uri(out, issuer, strlen(issuer), 0)) != AFP_OK ||
	    (r = buf_addstr(out, "&Destination=")) != AFP_OK ||
	    (r = enc_uri(out, destination, strlen(destination), 0)) != AFP_OK ||
	    (r = buf_addstr(out, "&SigninToken=")) != AFP_OK ||
	    (r = enc_uri(out, token, strlen(token), 0)) != AFP_OK)
		buf_reset(out);
	return r;
}
