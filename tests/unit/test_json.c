/* Unit tests for the JSON writer and reader. */
#include <stdlib.h>

#include "t.h"
#include "json.h"

static void
test_write(void)
{
	struct buf b;
	int first = 1;

	buf_init(&b, 0);
	T_OK(json_str(&b, "a\"b\\c\n\x01/é") == AFP_OK &&
	    strcmp(buf_str(&b), "\"a\\\"b\\\\c\\u000a\\u0001/é\"") == 0,
	    "write: escapes quotes, backslash and controls, keeps UTF-8");
	buf_reset(&b);
	T_EQ(json_str(&b, "\xc3"), AFP_ERR_INVAL, "write: truncated UTF-8 refused");
	T_EQ(json_str(&b, "\xc0\xaf"), AFP_ERR_INVAL, "write: overlong UTF-8 refused");
	T_EQ(json_str(&b, "\xed\xa0\x80"), AFP_ERR_INVAL, "write: surrogate refused");
	buf_reset(&b);
	T_OK(buf_addc(&b, '{') == AFP_OK && json_kv(&b, &first, "k", "v") == AFP_OK &&
	    json_kv_int(&b, &first, "n", -5) == AFP_OK && buf_addc(&b, '}') == AFP_OK &&
	    strcmp(buf_str(&b), "{\"k\":\"v\",\"n\":-5}") == 0, "write: object");
	buf_free(&b);
}

static void
test_read(void)
{
	const char *doc = " {\"a\": \"x\\u00e9\\ud83d\\ude00\\n\", \"o\": {\"n\": -1.5e3,"
	    " \"t\": true, \"z\": null}, \"l\": [\"p\", {\"q\": false}]} ";
	struct json_doc d;

	T_OK(json_parse(doc, strlen(doc), &d) == AFP_OK, "read: valid document");
	T_STREQ(json_get(&d, "a", JSON_STRING), "xé\xf0\x9f\x98\x80\n",
	    "read: escapes and surrogate pairs");
	T_STREQ(json_get(&d, "o.n", JSON_NUMBER), "-1.5e3", "read: nested number");
	T_STREQ(json_get(&d, "o.t", JSON_BOOL), "true", "read: bool");
	T_STREQ(json_get(&d, "o.z", JSON_NULL), "null", "read: null");
	T_STREQ(json_get(&d, "l.0", JSON_STRING), "p", "read: array item");
	T_STREQ(json_get(&d, "l.1.q", JSON_BOOL), "false", "read: object in array");
	T_OK(json_get(&d, "o.n", JSON_STRING) == NULL, "read: type is checked");
	T_OK(json_get(&d, "missing", JSON_STRING) == NULL, "read: missing path");
	json_doc_free(&d);
}

static void
test_reject(void)
{
	static const char *bad[] = {
		"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{'a':1}",
		"{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":tru}", "\"\\x\"",
		"\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u0000\"", "\"a\nb\"",
		"\"\xff\"", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "{\"a.b\":1}",
		"{\"\":1}", "[[[[[[[[[1]]]]]]]]]", "\"abc",
	};
	struct json_doc d;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(json_parse(bad[i], strlen(bad[i]), &d) != AFP_OK,
		    "read: rejects bad input #%zu", i);
	T_OK(json_parse("{\"a\":1}\0", 8, &d) != AFP_OK, "read: NUL after document");
	T_OK(json_parse("[[[[[[[1]]]]]]]", 15, &d) == AFP_OK && d.n == 1,
	    "read: depth within the limit");
	json_doc_free(&d);
}

int
main(void)
{
	test_write();
	test_read();
	test_reject();
	return t_done();
}
