#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "authz.h"
#include "catalog.h"
#include "enc.h"
#include "fmt.h"

#define HEADER		"afp-catalog 1\n"
#define HEADER_LEN	(sizeof(HEADER) - 1)
#define KEY_MAX		512

/* Fields are separated by spaces and lines by newlines: neither may appear. */
static int
field_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static afp_err
line_add(struct strlist *l, char kind, const char *name, const char *value)
{
	struct buf b;
	afp_err r;

	if (!field_ok(name) || !field_ok(value))
		return AFP_ERR_INVAL;
	buf_init(&b, 3 * KEY_MAX);
	if ((r = buf_printf(&b, "%c %s %s", kind, name, value)) == AFP_OK)
		r = strlist_add(l, buf_str(&b));
	buf_free(&b);
	return r;
}

/* The name of path in its directory, percent-encoded. */
static afp_err
file_field(const char *path, struct buf *out)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	buf_reset(out);
	return enc_uri(out, base, strlen(base), 0);
}

static afp_err
role_lines(const struct conf *c, const struct conf_role *r,
    struct strlist *l)
{
	struct buf id, file, pat;
	size_t i;
	afp_err e;

	buf_init(&id, KEY_MAX);
	buf_init(&file, 3 * KEY_MAX);
	buf_init(&pat, KEY_MAX);
	if ((e = buf_printf(&id, "%s/%s", r->account, r->name)) != AFP_OK ||
	    (e = file_field(r->file, &file)) != AFP_OK ||
	    (e = line_add(l, 'r', buf_str(&id), buf_str(&file))) != AFP_OK)
		goto out;
	for (i = 0; i < r->allow_users.n && e == AFP_OK; i++)
		e = line_add(l, 'u', r->allow_users.v[i], buf_str(&id));
	for (i = 0; i < r->allow_groups.n && e == AFP_OK; i++)
		e = line_add(l, 'g', r->allow_groups.v[i], buf_str(&id));
	for (i = 0; i < r->machines.n && e == AFP_OK; i++)
		e = line_add(l, 'm', r->machines.v[i], buf_str(&id));
	if (e != AFP_OK)
		goto out;
	if ((e = authz_pattern_group(c, r, &pat)) == AFP_OK)
		e = line_add(l, 'g', buf_str(&pat), buf_str(&id));
	else if (e == AFP_ERR_NOTFOUND)
		e = AFP_OK;
 out:
	buf_free(&pat);
	buf_free(&file);
	buf_free(&id);
	return e;
}

afp_err
catalog_build(const struct conf *c, struct buf *out)
{
	struct strlist l = { NULL, 0 };
	struct buf file;
	size_t i;
	afp_err r = AFP_OK;

	buf_init(&file, 3 * KEY_MAX);
	for (i = 0; i < c->naccounts && r == AFP_OK; i++)
		if ((r = file_field(c->accounts[i].file, &file)) == AFP_OK)
			r = line_add(&l, 'a', c->accounts[i].name,
			    buf_str(&file));
	for (i = 0; i < c->nroles && r == AFP_OK; i++)
		r = role_lines(c, &c->roles[i], &l);
	if (r != AFP_OK)
		goto out;
	strlist_sort_uniq(&l);
	buf_reset(out);
	r = buf_add(out, HEADER, HEADER_LEN);
	for (i = 0; i < l.n && r == AFP_OK; i++)
		if ((r = buf_addstr(out, l.v[i])) == AFP_OK)
			r = buf_addc(out, '\n');
 out:
	buf_free(&file);
	strlist_free(&l);
	return r;
}

afp_err
catalog_init(struct catalog *cat, const char *data, size_t len)
{
	memset(cat, 0, sizeof(*cat));
	if (len > CATALOG_MAX)
		return AFP_ERR_TOOBIG;
	if (len < HEADER_LEN || memcmp(data, HEADER, HEADER_LEN) != 0)
		return AFP_ERR_PARSE;
	cat->p = data + HEADER_LEN;
	cat->len = len - HEADER_LEN;
	return AFP_OK;
}

afp_err
catalog_open(const char *path, struct catalog *cat)
{
	struct stat st;
	struct buf data;
	void *m;
	afp_err r;
	int fd;

	memset(cat, 0, sizeof(*cat));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY);
	if (fd == -1)
		return errno == ENOENT ? AFP_ERR_NOTFOUND : AFP_ERR_IO;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		r = AFP_ERR_IO;
		goto out;
	}
	if ((unsigned long long)st.st_size > CATALOG_MAX) {
		r = AFP_ERR_TOOBIG;
		goto out;
	}
	if (st.st_size == 0) {
		r = AFP_ERR_PARSE;
		goto out;
	}
	if ((size_t)st.st_size <= CATALOG_READ_MAX) {
		buf_init(&data, CATALOG_READ_MAX);
		if ((r = buf_read_fd(&data, fd, (size_t)st.st_size)) == AFP_OK)
			r = catalog_init(cat, data.p, data.len);
		cat->data = data;
		goto out;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		r = AFP_ERR_IO;
		goto out;
	}
	if ((r = catalog_init(cat, m, (size_t)st.st_size)) != AFP_OK) {
		munmap(m, (size_t)st.st_size);
		goto out;
	}
	cat->map = m;
	cat->maplen = (size_t)st.st_size;
 out:
	close(fd);
	if (r != AFP_OK)
		catalog_close(cat);
	return r;
}

void
catalog_close(struct catalog *cat)
{
	if (cat->map != NULL)
		munmap(cat->map, cat->maplen);
	if (cat->data.p != NULL)
		buf_free(&cat->data);
	memset(cat, 0, sizeof(*cat));
}

/* The offset of the first line that starts at or after off. */
static size_t
line_start(const struct catalog *cat, size_t off)
{
	const char *nl;

	if (off == 0)
		return 0;
	nl = memchr(cat->p + off - 1, '\n', cat->len - off + 1);
	return nl != NULL ? (size_t)(nl - cat->p) + 1 : cat->len;
}

static size_t
line_len(const struct catalog *cat, size_t off)
{
	const char *nl = memchr(cat->p + off, '\n', cat->len - off);

	return nl != NULL ? (size_t)(nl - (cat->p + off)) : cat->len - off;
}

/* The line at off against key, bytewise as strcmp orders them. */
static int
line_cmp(const struct catalog *cat, size_t off, const char *key, size_t klen)
{
	size_t n = line_len(cat, off);
	int d = memcmp(cat->p + off, key, n < klen ? n : klen);

	if (d != 0)
		return d;
	return n < klen ? -1 : n > klen;
}

/* The offset of the first line not below key (cat->len when none). */
static size_t
first_line(const struct catalog *cat, const char *key, size_t klen)
{
	size_t lo = 0, hi = cat->len, mid;

	/* Each step moves lo up or hi down; lo passes hi only from an
	 * unterminated last line, so hi is the answer. */
	while (lo < hi) {
		mid = line_start(cat, lo + (hi - lo) / 2);
		if (mid >= hi)
			mid = lo;
		if (line_cmp(cat, mid, key, klen) < 0)
			lo = mid + line_len(cat, mid) + 1;
		else
			hi = mid;
	}
	return hi;
}

afp_err
catalog_each(const struct catalog *cat, char kind, const char *name,
    catalog_fn fn, void *arg)
{
	char key[KEY_MAX];
	size_t klen, at, n;
	int len;
	afp_err r;

	if (!field_ok(name))
		return AFP_OK;
	len = fmt_snprintf(key, sizeof(key), "%c %s ", kind, name);
	if (len < 0 || (size_t)len >= sizeof(key))
		return AFP_OK;
	klen = (size_t)len;
	for (at = first_line(cat, key, klen); at < cat->len; at += n + 1) {
		n = line_len(cat, at);
		if (n < klen || memcmp(cat->p + at, key, klen) != 0)
			break;
		if ((r = fn(arg, cat->p + at + klen, n - klen)) != AFP_OK)
			return r;
	}
	return AFP_OK;
}

int
catalog_any(const struct catalog *cat, char kind)
{
	char key[2] = { kind, ' ' };
	size_t at = first_line(cat, key, sizeof(key));

	return at < cat->len && line_len(cat, at) >= sizeof(key) &&
	    memcmp(cat->p + at, key, sizeof(key)) == 0;
}
