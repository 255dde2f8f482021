#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "fmt.h"

/* Length of the UTF-8 sequence at s, or 0 when it is not valid UTF-8. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

afp_err
json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	afp_err r;

	if ((r = buf_addc(b, '"')) != AFP_OK)
		return r;
	while (*p != '\0') {
		size_t n;

		/* A run of printable ASCII in one append: keys and tokens. */
		for (n = 0; p[n] >= 0x20 && p[n] < 0x7f && p[n] != '"' &&
		    p[n] != '\\'; n++)
			;
		if (n > 0)
			r = buf_add(b, p, n);
		else if (*p == '"' || *p == '\\') {
			char two[2] = { '\\', (char)*p };
			r = buf_add(b, two, 2);
			n = 1;
		} else if (*p < 0x20 || *p == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4],
			    hex[*p & 15] };
			r = buf_add(b, esc, 6);
			n = 1;
		} else if ((n = utf8_len(p)) == 0)
			return AFP_ERR_INVAL;
		else
			r = buf_add(b, p, n);
		if (r != AFP_OK)
			return r;
		p += n;
	}
	return buf_addc(b, '"');
}

static afp_err
json_key(struct buf *b, int *first, const char *key)
{
	afp_err r;

	if (!*first && (r = buf_addc(b, ',')) != AFP_OK)
		return r;
	*first = 0;
	if ((r = json_str(b, key)) != AFP_OK)
		return r;
	return buf_addc(b, ':');
}

afp_err
json_kv(struct buf *b, int *first, const char *key, const char *value)
{
	afp_err r;

	if ((r = json_key(b, first, key)) != AFP_OK)
		return r;
	return json_str(b, value);
}

afp_err
json_kv_int(struct buf *b, int *first, const char *key, long long n)
{
	afp_err r;

	if ((r = json_key(b, first, key)) != AFP_OK)
		return r;
	return buf_printf(b, "%lld", n);
}

struct json_parser {
	const char *s;
	size_t len, pos;
	struct json_doc *doc;
	struct buf path;
	int depth;
};

static afp_err json_value(struct json_parser *jp);

static void
json_ws(struct json_parser *jp)
{
	while (jp->pos < jp->len && (jp->s[jp->pos] == ' ' ||
	    jp->s[jp->pos] == '\t' || jp->s[jp->pos] == '\n' ||
	    jp->s[jp->pos] == '\r'))
		jp->pos++;
}

static int
json_peek(struct json_parser *jp)
{
	return jp->pos < jp->len ? (unsigned char)jp->s[jp->pos] : -1;
}

static afp_err
json_utf8(struct buf *out, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp == 0)
		return AFP_ERR_PARSE;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(out, u, n);
}

static int
json_hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static afp_err
json_escape(struct json_parser *jp, struct buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;
	unsigned cp, lo;

	if (jp->pos >= jp->len)
		return AFP_ERR_PARSE;
	if ((p = strchr(from, jp->s[jp->pos])) != NULL && *p != '\0') {
		jp->pos++;
		return buf_addc(out, to[p - from]);
	}
	if (jp->s[jp->pos] != 'u' || jp->len - jp->pos < 5 ||
	    json_hex4(jp->s + jp->pos + 1, &cp) < 0)
		return AFP_ERR_PARSE;
	jp->pos += 5;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return AFP_ERR_PARSE;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (jp->len - jp->pos < 6 || jp->s[jp->pos] != '\\' ||
		    jp->s[jp->pos + 1] != 'u' ||
		    json_hex4(jp->s + jp->pos + 2, &lo) < 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return AFP_ERR_PARSE;
		jp->pos += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	return json_utf8(out, cp);
}

/* A string after its opening quote, unescaped into out. */
static afp_err
json_string(struct json_parser *jp, struct buf *out)
{
	afp_err r;

	while (jp->pos < jp->len) {
		unsigned char c = (unsigned char)jp->s[jp->pos];
		size_t n;

		if (c == '"') {
			jp->pos++;
			return AFP_OK;
		}
		if (c == '\\') {
			jp->pos++;
			if ((r = json_escape(jp, out)) != AFP_OK)
				return r;
			continue;
		}
		if (c < 0x20)
			return AFP_ERR_PARSE;
		/* A run of plain ASCII at once: keys and tokens are all of it. */
		if (c < 0x80) {
			for (n = 1; jp->pos + n < jp->len; n++) {
				c = (unsigned char)jp->s[jp->pos + n];
				if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
					break;
			}
			if ((r = buf_add(out, jp->s + jp->pos, n)) != AFP_OK)
				return r;
			jp->pos += n;
			continue;
		}
		/* utf8_len may read up to 3 bytes past c: keep it in bounds. */
		if (jp->len - jp->pos < 4) {
			char tail[5] = { 0 };

			memcpy(tail, jp->s + jp->pos, jp->len - jp->pos);
			n = utf8_len((const unsigned char *)tail);
		} else
			n = utf8_len((const unsigned char *)jp->s + jp->pos);
		if (n == 0)
			return AFP_ERR_PARSE;
		if ((r = buf_add(out, jp->s + jp->pos, n)) != AFP_OK)
			return r;
		jp->pos += n;
	}
	return AFP_ERR_PARSE;
}

static afp_err
json_emit(struct json_parser *jp, struct buf *val, enum json_type t)
{
	struct json_doc *d = jp->doc;
	struct json_field *nf;
	char *path;

	size_t i;

	if (d->n >= JSON_MAX_FIELDS)
		return AFP_ERR_TOOBIG;
	for (i = 0; i < d->n; i++)
		if (strcmp(d->f[i].path, buf_str(&jp->path)) == 0)
			return AFP_ERR_PARSE;
	if ((nf = reallocarray(d->f, d->n + 1, sizeof(*nf))) == NULL)
		return AFP_ERR_NOMEM;
	d->f = nf;
	if ((path = strdup(buf_str(&jp->path))) == NULL)
		return AFP_ERR_NOMEM;
	if ((nf[d->n].value = buf_steal(val)) == NULL) {
		free(path);
		return AFP_ERR_NOMEM;
	}
	nf[d->n].path = path;
	nf[d->n].type = t;
	d->n++;
	return AFP_OK;
}

static afp_err
json_literal(struct json_parser *jp)
{
	static const struct { const char *text; enum json_type t; } lit[] = {
		{ "true", JSON_BOOL }, { "false", JSON_BOOL }, { "null", JSON_NULL },
	};
	struct buf v;
	size_t i, n;
	afp_err r;

	for (i = 0; i < sizeof(lit) / sizeof(lit[0]); i++) {
		n = strlen(lit[i].text);
		if (jp->len - jp->pos >= n &&
		    memcmp(jp->s + jp->pos, lit[i].text, n) == 0) {
			jp->pos += n;
			buf_init(&v, 8);
			if ((r = buf_addstr(&v, lit[i].text)) == AFP_OK)
				r = json_emit(jp, &v, lit[i].t);
			buf_free(&v);
			return r;
		}
	}
	return AFP_ERR_PARSE;
}

static afp_err
json_number(struct json_parser *jp)
{
	size_t start = jp->pos;
	struct buf v;
	afp_err r;

	if (json_peek(jp) == '-')
		jp->pos++;
	if (json_peek(jp) == '0')
		jp->pos++;
	else if (json_peek(jp) >= '1' && json_peek(jp) <= '9')
		while (json_peek(jp) >= '0' && json_peek(jp) <= '9')
			jp->pos++;
	else
		return AFP_ERR_PARSE;
	if (json_peek(jp) == '.') {
		jp->pos++;
		if (!(json_peek(jp) >= '0' && json_peek(jp) <= '9'))
			return AFP_ERR_PARSE;
		while (json_peek(jp) >= '0' && json_peek(jp) <= '9')
			jp->pos++;
	}
	if (json_peek(jp) == 'e' || json_peek(jp) == 'E') {
		jp->pos++;
		if (json_peek(jp) == '+' || json_peek(jp) == '-')
			jp->pos++;
		if (!(json_peek(jp) >= '0' && json_peek(jp) <= '9'))
			return AFP_ERR_PARSE;
		while (json_peek(jp) >= '0' && json_peek(jp) <= '9')
			jp->pos++;
	}
	buf_init(&v, 64);
	if ((r = buf_add(&v, jp->s + start, jp->pos - start)) == AFP_OK)
		r = json_emit(jp, &v, JSON_NUMBER);
	buf_free(&v);
	return r;
}

/* Parse a member or item value with key appended to the current path. */
static afp_err
json_child(struct json_parser *jp, const char *key, size_t keylen)
{
	size_t saved = jp->path.len;
	afp_err r;

	if ((saved > 0 && (r = buf_addc(&jp->path, '.')) != AFP_OK) ||
	    (r = buf_add(&jp->path, key, keylen)) != AFP_OK)
		return r;
	r = json_value(jp);
	jp->path.len = saved;
	if (jp->path.p != NULL)
		jp->path.p[saved] = '\0';
	return r;
}

static afp_err
json_object(struct json_parser *jp)
{
	struct buf key;
	afp_err r = AFP_OK;

	json_ws(jp);
	if (json_peek(jp) == '}') {
		jp->pos++;
		return AFP_OK;
	}
	buf_init(&key, 256);
	for (;;) {
		buf_reset(&key);
		json_ws(jp);
		if (json_peek(jp) != '"') {
			r = AFP_ERR_PARSE;
			break;
		}
		jp->pos++;
		if ((r = json_string(jp, &key)) != AFP_OK)
			break;
		/* Keys become path components: keep them unambiguous. */
		if (key.len == 0 || strchr(buf_str(&key), '.') != NULL ||
		    strlen(buf_str(&key)) != key.len) {
			r = AFP_ERR_PARSE;
			break;
		}
		json_ws(jp);
		if (json_peek(jp) != ':') {
			r = AFP_ERR_PARSE;
			break;
		}
		jp->pos++;
		if ((r = json_child(jp, key.p, key.len)) != AFP_OK)
			break;
		json_ws(jp);
		if (json_peek(jp) == ',') {
			jp->pos++;
			continue;
		}
		if (json_peek(jp) == '}') {
			jp->pos++;
			break;
		}
		r = AFP_ERR_PARSE;
		break;
	}
	buf_free(&key);
	return r;
}

static afp_err
json_array(struct json_parser *jp)
{
	char idx[24];
	size_t i;
	int n;
	afp_err r;

	json_ws(jp);
	if (json_peek(jp) == ']') {
		jp->pos++;
		return AFP_OK;
	}
	for (i = 0;; i++) {
		n = fmt_snprintf(idx, sizeof(idx), "%zu", i);
		if (n < 0 || (size_t)n >= sizeof(idx))
			return AFP_ERR_INTERNAL;
		if ((r = json_child(jp, idx, (size_t)n)) != AFP_OK)
			return r;
		json_ws(jp);
		if (json_peek(jp) == ',') {
			jp->pos++;
			continue;
		}
		if (json_peek(jp) == ']') {
			jp->pos++;
			return AFP_OK;
		}
		return AFP_ERR_PARSE;
	}
}

static afp_err
json_value(struct json_parser *jp)
{
	struct buf v;
	afp_err r;
	int c;

	json_ws(jp);
	c = json_peek(jp);
	if (c == '{' || c == '[') {
		if (jp->depth >= JSON_MAX_DEPTH)
			return AFP_ERR_TOOBIG;
		jp->pos++;
		jp->depth++;
		r = c == '{' ? json_object(jp) : json_array(jp);
		jp->depth--;
		return r;
	}
	if (c == '"') {
		jp->pos++;
		buf_init(&v, 0);
		if ((r = json_string(jp, &v)) == AFP_OK)
			r = strlen(buf_str(&v)) == v.len ?
			    json_emit(jp, &v, JSON_STRING) : AFP_ERR_PARSE;
		buf_free(&v);
		return r;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return json_number(jp);
	return json_literal(jp);
}

afp_err
json_parse(const char *s, size_t len, struct json_doc *doc)
{
	struct json_parser jp = { .s = s, .len = len, .doc = doc };
	afp_err r;

	doc->f = NULL;
	doc->n = 0;
	buf_init(&jp.path, 1024);
	r = json_value(&jp);
	json_ws(&jp);
	if (r == AFP_OK && jp.pos != len)
		r = AFP_ERR_PARSE;
	buf_free(&jp.path);
	if (r != AFP_OK)
		json_doc_free(doc);
	return r;
}

void
json_doc_free(struct json_doc *doc)
{
	size_t i;

	for (i = 0; i < doc->n; i++) {
		free(doc->f[i].path);
		str_wipe_free(doc->f[i].value);
	}
	free(doc->f);
	doc->f = NULL;
	doc->n = 0;
}

const char *
json_get(const struct json_doc *doc, const char *path, enum json_type t)
{
	size_t i;

	for (i = 0; i < doc->n; i++)
		if (strcmp(doc->f[i].path, path) == 0)
			return doc->f[i].type == t ? doc->f[i].value : NULL;
	return NULL;
}
