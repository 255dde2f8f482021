/*
 * json: a small JSON writer into a buf (which wipes itself), so answers
 * holding credentials leave no unwiped copies. Reading uses json-c.
 */
#ifndef AFP_JSON_H
#define AFP_JSON_H

#include "buf.h"

/* Append s as a quoted JSON string; AFP_ERR_INVAL for invalid UTF-8. */
afp_err json_str(struct buf *b, const char *s) AFP_WUR;
/* Append "key":"value" with a leading ',' unless *first is set (then cleared). */
afp_err json_kv(struct buf *b, int *first, const char *key, const char *value) AFP_WUR;
/* Append "key":n likewise. */
afp_err json_kv_int(struct buf *b, int *first, const char *key, long long n) AFP_WUR;

#endif

/*
 * Reading: a strict RFC 8259 parser that flattens a document into
 * (path, value) pairs: object members join with '.', array items by index
 * ("identity.arn", "errors.0.role"). Strings are unescaped; numbers,
 * true, false and null keep their literal text. Every copy is wiped on free.
 */
enum json_type { JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_NULL };

struct json_field {
	char *path;
	char *value;
	enum json_type type;
};

struct json_doc {
	struct json_field *f;
	size_t n;
};

#define JSON_MAX_DEPTH 8
#define JSON_MAX_FIELDS 1024

afp_err json_parse(const char *s, size_t len, struct json_doc *doc) AFP_WUR;
void json_doc_free(struct json_doc *doc);
/* The value at path when it has type t, else NULL. */
const char *json_get(const struct json_doc *doc, const char *path, enum json_type t);
