#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "awsreq.h"
#include "enc.h"
#include "sts.h"
#include "tm.h"

#define STS_VERSION	"2011-06-15"
#define STS_CT		"application/x-www-form-urlencoded; charset=utf-8"

/* Field bounds; a session token is 1-2 KiB today, leave room to grow. */
#define AKID_MIN	16
#define AKID_MAX	128
#define SECRET_MAX	256
#define TOKEN_MAX	8192
#define EXPIRY_MAX	64
#define ARN_MAX		2048
#define ID_MAX		512
#define ERR_CODE_MAX	128
#define ERR_MSG_MAX	1024

/*
 * libxml2 copies the document (input buffer, text nodes grown by
 * realloc) and frees those copies without wiping them. Routing its
 * frees and reallocs through these functions wipes every block it lets
 * go, so no secret from a response outlives the parse. Blocks stay
 * plain malloc() blocks, so ones libxml2 allocated before still work.
 */
static void
xml_free(void *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

static void *
xml_realloc(void *p, size_t n)
{
	size_t old;
	void *np;

	if ((np = malloc(n ? n : 1)) == NULL)
		return NULL;
	if (p != NULL) {
		old = malloc_usable_size(p);
		memcpy(np, p, old < n ? old : n);
		xml_free(p);
	}
	return np;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static int xml_ready;

static void
xml_init(void)
{
	if (xmlMemSetup(xml_free, malloc, xml_realloc, strdup) != 0)
		return;
	xmlInitParser();
	xml_ready = 1;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

afp_err
sts_endpoint(const char *partition, const char *region, const char *override,
    struct buf *url)
{
	return awsreq_endpoint(partition, region, "sts", "AWS_ENDPOINT_URL_STS",
	    override, url);
}

static afp_err
add_param(struct buf *b, const char *name, const char *value)
{
	afp_err r;

	if ((r = buf_addc(b, '&')) != AFP_OK ||
	    (r = buf_addstr(b, name)) != AFP_OK ||
	    (r = buf_addc(b, '=')) != AFP_OK)
		return r;
	return enc_uri(b, value, strlen(value), 0);
}

static afp_err
add_opt(struct buf *b, const char *name, const char *value)
{
	return nonempty(value) ? add_param(b, name, value) : AFP_OK;
}

static afp_err
add_duration(struct buf *b, unsigned duration)
{
	return duration ? buf_printf(b, "&DurationSeconds=%u", duration) :
	    AFP_OK;
}

static afp_err
add_policy_arns(struct buf *b, const struct sts_call *call)
{
	size_t i;
	afp_err r;

	for (i = 0; i < call->npolicy_arns; i++) {
		if ((r = buf_printf(b, "&PolicyArns.member.%zu.arn=",
		    i + 1)) != AFP_OK ||
		    (r = enc_uri(b, call->policy_arns[i],
		    strlen(call->policy_arns[i]), 0)) != AFP_OK)
			return r;
	}
	return AFP_OK;
}

afp_err
sts_body(const struct sts_call *call, struct buf *body)
{
	size_t i;
	afp_err r;

	if (call->npolicy_arns > 0 && call->policy_arns == NULL)
		return AFP_ERR_INVAL;
	for (i = 0; i < call->npolicy_arns; i++)
		if (!nonempty(call->policy_arns[i]))
			return AFP_ERR_INVAL;
	switch (call->action) {
	case STS_ASSUME_ROLE:
		if (!nonempty(call->role_arn) || !nonempty(call->session_name))
			return AFP_ERR_INVAL;
		if ((r = buf_addstr(body, "Action=AssumeRole&Version="
		    STS_VERSION)) != AFP_OK ||
		    (r = add_param(body, "RoleArn",
		    call->role_arn)) != AFP_OK ||
		    (r = add_param(body, "RoleSessionName",
		    call->session_name)) != AFP_OK ||
		    (r = add_duration(body, call->duration)) != AFP_OK ||
		    (r = add_opt(body, "ExternalId",
		    call->external_id)) != AFP_OK ||
		    (r = add_opt(body, "Policy", call->policy)) != AFP_OK)
			return r;
		return add_policy_arns(body, call);
	case STS_GET_FEDERATION_TOKEN:
		if (!nonempty(call->session_name))
			return AFP_ERR_INVAL;
		if ((r = buf_addstr(body, "Action=GetFederationToken&Version="
		    STS_VERSION)) != AFP_OK ||
		    (r = add_param(body, "Name",
		    call->session_name)) != AFP_OK ||
		    (r = add_opt(body, "Policy", call->policy)) != AFP_OK ||
		    (r = add_policy_arns(body, call)) != AFP_OK)
			return r;
		return add_duration(body, call->duration);
	case STS_GET_SESSION_TOKEN:
		if ((r = buf_addstr(body, "Action=GetSessionToken&Version="
		    STS_VERSION)) != AFP_OK)
			return r;
		return add_duration(body, call->duration);
	case STS_GET_CALLER_IDENTITY:
		return buf_addstr(body, "Action=GetCallerIdentity&Version="
		    STS_VERSION);
	}
	return AFP_ERR_INVAL;
}

afp_err
sts_sign(struct net_req *req, const char *url, const char *region,
    const struct sts_call *call, const struct afp_creds *creds, time_t when)
{
	struct buf body;
	afp_err r;

	buf_init(&body, AWSREQ_BODY_MAX);
	if ((r = sts_body(call, &body)) == AFP_OK)
		r = awsreq_sign(req, "POST", url, region, "sts", STS_CT, NULL,
		    buf_str(&body), body.len, creds, when);
	buf_free(&body);
	return r;
}

void
sts_result_clear(struct sts_result *res)
{
	creds_clear(&res->creds);
	str_wipe_free(res->arn);
	str_wipe_free(res->id);
	str_wipe_free(res->account);
	str_wipe_free(res->err_code);
	str_wipe_free(res->err_msg);
	res->arn = res->id = res->account = NULL;
	res->err_code = res->err_msg = NULL;
}

/* The only child element named name; NULL when absent or repeated. */
static xmlNode *
child(const xmlNode *parent, const char *name)
{
	xmlNode *c, *found = NULL;

	if (parent == NULL)
		return NULL;
	for (c = parent->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, name) != 0)
			continue;
		if (found != NULL)
			return NULL;
		found = c;
	}
	return found;
}

static int
is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The text of a leaf element with surrounding whitespace trimmed, at most
 * max bytes. An element with element children, or anything but text,
 * CDATA and comments inside, is AFP_ERR_PARSE.
 */
static afp_err
leaf_text(const xmlNode *n, size_t max, struct buf *out)
{
	const xmlNode *c;
	size_t start, end;
	afp_err r;

	if (n == NULL)
		return AFP_ERR_PARSE;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_COMMENT_NODE)
			continue;
		if (c->type != XML_TEXT_NODE &&
		    c->type != XML_CDATA_SECTION_NODE)
			return AFP_ERR_PARSE;
		if (c->content != NULL && (r = buf_addstr(out,
		    (const char *)c->content)) != AFP_OK)
			return r == AFP_ERR_TOOBIG ? AFP_ERR_PARSE : r;
	}
	start = 0;
	end = out->len;
	while (start < end && is_xml_space(out->p[start]))
		start++;
	while (end > start && is_xml_space(out->p[end - 1]))
		end--;
	if (end - start > max)
		return AFP_ERR_PARSE;
	if (out->p != NULL) {
		memmove(out->p, out->p + start, end - start);
		explicit_bzero(out->p + (end - start),
		    out->len - (end - start));
		out->len = end - start;
		out->p[out->len] = '\0';
	}
	return AFP_OK;
}

enum kind { K_AKID, K_PRINT, K_ACCOUNT, K_ARN };

static int
value_ok(const char *s, size_t len, size_t min, size_t max, enum kind k)
{
	size_t i;

	if (len < min || len > max)
		return 0;
	if (k == K_ARN && strncmp(s, "arn:", 4) != 0)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (k == K_AKID && !((c >= 'A' && c <= 'Z') || is_digit(c)))
			return 0;
		if (k == K_ACCOUNT && !is_digit(c))
			return 0;
		if ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7f)
			return 0;
	}
	return 1;
}

/* A validated copy of the leaf text of n into *dst. */
static afp_err
take(const xmlNode *n, size_t min, size_t max, enum kind k, char **dst)
{
	struct buf b;
	afp_err r;

	buf_init(&b, max + 64);
	if ((r = leaf_text(n, max, &b)) != AFP_OK)
		goto out;
	if (!value_ok(buf_str(&b), b.len, min, max, k)) {
		r = AFP_ERR_PARSE;
		goto out;
	}
	if ((*dst = buf_steal(&b)) == NULL)
		r = AFP_ERR_NOMEM;
out:
	buf_free(&b);
	return r;
}

static afp_err
take_creds(const xmlNode *c, struct afp_creds *creds)
{
	char *exp = NULL;
	afp_err r;

	if (c == NULL)
		return AFP_ERR_PARSE;
	if ((r = take(child(c, "AccessKeyId"), AKID_MIN, AKID_MAX, K_AKID,
	    &creds->akid)) != AFP_OK ||
	    (r = take(child(c, "SecretAccessKey"), 1, SECRET_MAX, K_PRINT,
	    &creds->secret)) != AFP_OK ||
	    (r = take(child(c, "SessionToken"), 1, TOKEN_MAX, K_PRINT,
	    &creds->token)) != AFP_OK ||
	    (r = take(child(c, "Expiration"), 1, EXPIRY_MAX, K_PRINT,
	    &exp)) != AFP_OK)
		goto out;
	if (tm_parse_iso8601(exp, &creds->expiration) != AFP_OK)
		r = AFP_ERR_PARSE;
out:
	free(exp);
	return r;
}

static const char *const root_names[] = {
	[STS_ASSUME_ROLE] = "AssumeRoleResponse",
	[STS_GET_FEDERATION_TOKEN] = "GetFederationTokenResponse",
	[STS_GET_SESSION_TOKEN] = "GetSessionTokenResponse",
	[STS_GET_CALLER_IDENTITY] = "GetCallerIdentityResponse",
};

static const char *const result_names[] = {
	[STS_ASSUME_ROLE] = "AssumeRoleResult",
	[STS_GET_FEDERATION_TOKEN] = "GetFederationTokenResult",
	[STS_GET_SESSION_TOKEN] = "GetSessionTokenResult",
	[STS_GET_CALLER_IDENTITY] = "GetCallerIdentityResult",
};

static afp_err
parse_ok(enum sts_action action, const xmlNode *root, struct sts_result *res)
{
	const xmlNode *result, *user;
	afp_err r;

	if (strcmp((const char *)root->name, root_names[action]) != 0 ||
	    (result = child(root, result_names[action])) == NULL)
		return AFP_ERR_PARSE;
	switch (action) {
	case STS_ASSUME_ROLE:
		if ((r = take_creds(child(result, "Credentials"),
		    &res->creds)) != AFP_OK)
			return r;
		user = child(result, "AssumedRoleUser");
		if ((r = take(child(user, "Arn"), 5, ARN_MAX, K_ARN,
		    &res->arn)) != AFP_OK)
			return r;
		return take(child(user, "AssumedRoleId"), 1, ID_MAX, K_PRINT,
		    &res->id);
	case STS_GET_FEDERATION_TOKEN:
		if ((r = take_creds(child(result, "Credentials"),
		    &res->creds)) != AFP_OK)
			return r;
		user = child(result, "FederatedUser");
		if ((r = take(child(user, "Arn"), 5, ARN_MAX, K_ARN,
		    &res->arn)) != AFP_OK)
			return r;
		return take(child(user, "FederatedUserId"), 1, ID_MAX,
		    K_PRINT, &res->id);
	case STS_GET_SESSION_TOKEN:
		return take_creds(child(result, "Credentials"), &res->creds);
	case STS_GET_CALLER_IDENTITY:
		if ((r = take(child(result, "Arn"), 5, ARN_MAX, K_ARN,
		    &res->arn)) != AFP_OK ||
		    (r = take(child(result, "UserId"), 1, ID_MAX, K_PRINT,
		    &res->id)) != AFP_OK)
			return r;
		return take(child(result, "Account"), 12, 12, K_ACCOUNT,
		    &res->account);
	}
	return AFP_ERR_PARSE;
}

/*
 * A loggable copy of an error field: control characters dropped, cut at
 * max bytes (on a UTF-8 boundary), trimmed. NULL when nothing is left.
 */
static afp_err
take_err(const xmlNode *n, size_t max, char **dst)
{
	struct buf raw, clean;
	afp_err r;

	buf_init(&raw, STS_BODY_MAX);
	buf_init(&clean, max + 8);
	if (n == NULL || leaf_text(n, STS_BODY_MAX, &raw) != AFP_OK) {
		r = AFP_OK;
		goto out;
	}
	if ((r = awsreq_clean_text(&clean, buf_str(&raw), max)) != AFP_OK)
		goto out;
	if (clean.len == 0) {
		r = AFP_OK;
		goto out;
	}
	clean.p[clean.len] = '\0';
	if ((*dst = buf_steal(&clean)) == NULL)
		r = AFP_ERR_NOMEM;
	else
		r = AFP_OK;
out:
	buf_free(&raw);
	buf_free(&clean);
	return r;
}

/* The Error element of the error documents STS and its emulators send. */
static const xmlNode *
error_node(const xmlNode *root)
{
	const char *name = (const char *)root->name;
	const xmlNode *e;

	if (strcmp(name, "Error") == 0)
		return root;
	if (strcmp(name, "ErrorResponse") == 0 &&
	    (e = child(root, "Error")) != NULL)
		return e;
	/* Older moto wraps it in Errors, as EC2's Response does. */
	if (strcmp(name, "ErrorResponse") == 0 || strcmp(name, "Response") == 0)
		return child(child(root, "Errors"), "Error");
	return NULL;
}

static afp_err
parse_err(long status, const xmlNode *root, struct sts_result *res)
{
	const xmlNode *e = root != NULL ? error_node(root) : NULL;
	afp_err r;

	if (e != NULL &&
	    ((r = take_err(child(e, "Code"), ERR_CODE_MAX,
	    &res->err_code)) != AFP_OK ||
	    (r = take_err(child(e, "Message"), ERR_MSG_MAX,
	    &res->err_msg)) != AFP_OK))
		return r;
	if (res->err_code == NULL) {
		struct buf b;

		buf_init(&b, 32);
		if ((r = buf_printf(&b, "HTTP%ld", status)) != AFP_OK) {
			buf_free(&b);
			return r;
		}
		if ((res->err_code = buf_steal(&b)) == NULL)
			return AFP_ERR_NOMEM;
	}
	return awsreq_error_class(status, res->err_code, strlen(res->err_code));
}

/*
 * Parse body as XML without a DTD: documents with one are refused before
 * libxml2 sees them (entity expansion bombs, external entities), and the
 * declared encoding is ignored so that check cannot be dodged by, say,
 * UTF-7. NULL when the body is not such a document.
 */
static xmlDoc *
read_xml(const char *body, size_t len)
{
	xmlDoc *doc;

	if (len == 0 || len > STS_BODY_MAX || memchr(body, '\0', len) != NULL ||
	    memmem(body, len, "<!DOCTYPE", 9) != NULL)
		return NULL;
	doc = xmlReadMemory(body, (int)len, NULL, "UTF-8", XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
	if (doc == NULL)
		return NULL;
	if (doc->intSubset != NULL || doc->extSubset != NULL ||
	    xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

afp_err
sts_parse(enum sts_action action, long status, const char *body, size_t len,
    struct sts_result *res)
{
	xmlDoc *doc = NULL;
	xmlNode *root = NULL;
	afp_err r;

	sts_result_clear(res);
	if ((unsigned)action > STS_GET_CALLER_IDENTITY)
		return AFP_ERR_INVAL;
	if (body == NULL)
		len = 0;
	if (len > STS_BODY_MAX && status >= 200 && status < 500)
		return AFP_ERR_TOOBIG;
	if (pthread_once(&xml_once, xml_init) != 0 || !xml_ready)
		return AFP_ERR_INTERNAL;
	if ((doc = read_xml(body, len)) != NULL)
		root = xmlDocGetRootElement(doc);
	if (status >= 200 && status < 300) {
		r = root != NULL ? parse_ok(action, root, res) : AFP_ERR_PARSE;
		if (r != AFP_OK)
			sts_result_clear(res);
	} else
		r = parse_err(status, root, res);
	xmlFreeDoc(doc);
	return r;
}
