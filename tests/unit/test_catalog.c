/*
 * Unit tests for catalog (the CGI's index of the configuration) and for
 * conf_load_accounts, which reads only what the catalog names.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "catalog.h"
#include "conf.h"

static char dir[] = "/tmp/afp-test-catalog.XXXXXX";

static void
put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		printf("not ok - cannot write %s\n", path);
		exit(1);
	}
}

/* Every value of KIND NAME, joined with ",". */
static afp_err
collect(void *arg, const char *v, size_t n)
{
	struct buf *b = arg;
	afp_err r;

	if (b->len > 0 && (r = buf_addc(b, ',')) != AFP_OK)
		return r;
	return buf_add(b, v, n);
}

static const char *
values(const struct catalog *cat, char kind, const char *name, struct buf *b)
{
	buf_reset(b);
	if (catalog_each(cat, kind, name, collect, b) != AFP_OK)
		return "(error)";
	return buf_str(b);
}

static afp_err
stop(void *arg, const char *v, size_t n)
{
	(*(int *)arg)++;
	return AFP_ERR_DENIED;
}

static const char want_text[] =
    "afp-catalog 1\n"
    "a dev b%20c.conf\n"
    "a prod a.conf\n"
    "g aws-dev-deploy dev/deploy\n"
    "g aws-prod-admin prod/admin\n"
    "g aws-prod-read prod/read\n"
    "g ops prod/admin\n"
    "g ops prod/read\n"
    "m 10.0.0.7 dev/deploy\n"
    "r dev/deploy b%20c.conf\n"
    "r prod/admin a.conf\n"
    "r prod/read b%20c.conf\n"
    "u alice prod/admin\n"
    "u alice prod/read\n"
    "u bob prod/read\n";

static void
test_build(void)
{
	struct conf *c = NULL;
	struct buf err, text, v;
	struct catalog cat;
	char path[512];

	buf_init(&err, 4096);
	buf_init(&text, CATALOG_MAX);
	buf_init(&v, 4096);
	snprintf(path, sizeof(path), "[afp]\naccounts_dir = %s/accounts.d\n"
	    "group_pattern = aws-{account}-{role}\n", dir);
	put("afp.conf", path);
	put("accounts.d/a.conf", "[account prod]\nid = 123456789012\n\n"
	    "[role prod/admin]\nallow_users = alice\nallow_groups = ops\n");
	put("accounts.d/b c.conf", "[account dev]\nid = 210987654321\n\n"
	    "[role prod/read]\nallow_users = bob alice\nallow_groups = ops\n\n"
	    "[role dev/deploy]\nsession_name = afp-deploy\n"
	    "machines = 10.0.0.7\n");
	snprintf(path, sizeof(path), "%s/afp.conf", dir);
	T_EQ(conf_load(path, &c, &err), AFP_OK, "build: the configuration loads");
	if (c == NULL) {
		printf("# %s\n", buf_str(&err));
		goto out;
	}
	T_EQ(catalog_build(c, &text), AFP_OK, "build: catalog_build");
	T_STREQ(buf_str(&text), want_text, "build: every line, sorted, "
	    "the file with a space percent-encoded");
	T_EQ(catalog_init(&cat, text.p, text.len), AFP_OK, "build: it reads back");
	T_STREQ(values(&cat, 'u', "alice", &v), "prod/admin,prod/read",
	    "u alice: both roles in order");
	T_STREQ(values(&cat, 'g', "ops", &v), "prod/admin,prod/read", "g ops");
	T_STREQ(values(&cat, 'a', "dev", &v), "b%20c.conf", "a dev: its file");
	T_STREQ(values(&cat, 'r', "prod/admin", &v), "a.conf", "r prod/admin");
	T_STREQ(values(&cat, 'm', "10.0.0.7", &v), "dev/deploy", "m 10.0.0.7");
	T_STREQ(values(&cat, 'u', "al", &v), "", "a prefix of a name matches nothing");
	T_STREQ(values(&cat, 'u', "carol", &v), "", "an unknown user: nothing");
	T_STREQ(values(&cat, 'u', "alice prod/admin", &v), "",
	    "a name with a space matches nothing");
	T_STREQ(values(&cat, 'u', "", &v), "", "an empty name matches nothing");
out:
	conf_free(c);
	buf_free(&v);
	buf_free(&text);
	buf_free(&err);
}

/* Every one of n generated lines is found, at every position. */
static void
test_search(void)
{
	static const char *const shapes[] = { "", "\n" };
	struct buf text, v, name;
	struct catalog cat;
	size_t n, i, s, bad;

	buf_init(&text, CATALOG_MAX);
	buf_init(&v, 4096);
	buf_init(&name, 64);
	for (n = 0; n <= 300; n += n < 5 ? 1 : 59) {
		for (s = 0; s < 2; s++) {
			buf_reset(&text);
			if (buf_addstr(&text, "afp-catalog 1\n") != AFP_OK)
				goto out;
			for (i = 0; i < n; i++)
				if (buf_printf(&text, "%su u%05zu a/r%zu",
				    i > 0 ? "\n" : "", i, i) != AFP_OK)
					goto out;
			if (n > 0 && buf_addstr(&text, shapes[s]) != AFP_OK)
				goto out;
			if (catalog_init(&cat, text.p, text.len) != AFP_OK)
				break;
			bad = 0;
			for (i = 0; i < n; i++) {
				char want[32];

				buf_reset(&name);
				if (buf_printf(&name, "u%05zu", i) != AFP_OK)
					goto out;
				snprintf(want, sizeof(want), "a/r%zu", i);
				if (strcmp(values(&cat, 'u', buf_str(&name), &v),
				    want) != 0)
					bad++;
			}
			bad += strcmp(values(&cat, 'u', "u99999", &v), "") != 0;
			bad += strcmp(values(&cat, 'u', "t", &v), "") != 0;
			bad += strcmp(values(&cat, 'a', "u00000", &v), "") != 0;
			T_EQ(bad, 0, "search: %zu lines, %s last newline: every "
			    "line found, nothing else", n, s ? "with" : "without");
		}
	}
out:
	buf_free(&name);
	buf_free(&v);
	buf_free(&text);
}

static void
test_odd(void)
{
	static const char unsorted[] = "afp-catalog 1\nu b x\nu a y\n\n\nu a z\n"
	    "u\nu \n\0u a w\n";
	struct catalog cat;
	struct buf v;
	int calls = 0;

	buf_init(&v, 4096);
	T_EQ(catalog_init(&cat, "afp-catalog 1", 13), AFP_ERR_PARSE,
	    "a header without its newline: AFP_ERR_PARSE");
	T_EQ(catalog_init(&cat, "afp-catalog 2\n", 14), AFP_ERR_PARSE,
	    "another version: AFP_ERR_PARSE");
	T_EQ(catalog_init(&cat, "afp-catalog 1\n", 14), AFP_OK,
	    "a header alone is an empty catalog");
	T_STREQ(values(&cat, 'u', "a", &v), "", "an empty catalog: nothing");
	T_EQ(catalog_any(&cat, 'g'), 0, "an empty catalog: no group rule");
	T_EQ(catalog_init(&cat, "afp-catalog 1\nu alice a/b\n", 26), AFP_OK,
	    "a catalog of one user line");
	T_EQ(catalog_any(&cat, 'g'), 0, "no g line: catalog_any says so");
	T_EQ(catalog_any(&cat, 'u'), 1, "its u line: catalog_any finds it");
	T_EQ(catalog_init(&cat, unsorted, sizeof(unsorted) - 1), AFP_OK,
	    "unsorted lines with empty lines and a NUL: accepted");
	/* Out of order, answers may be missed; none is made up or crashes. */
	T_OK(strstr(values(&cat, 'u', "a", &v), "x") == NULL,
	    "unsorted: no value of another name");
	T_EQ(catalog_init(&cat, want_text, sizeof(want_text) - 1), AFP_OK,
	    "the built catalog");
	T_OK(catalog_any(&cat, 'g') && catalog_any(&cat, 'm') &&
	    catalog_any(&cat, 'a') && catalog_any(&cat, 'u'),
	    "catalog_any: kinds that are there");
	T_OK(!catalog_any(&cat, 'b') && !catalog_any(&cat, 'z'),
	    "catalog_any: kinds that are not");
	T_EQ(catalog_each(&cat, 'u', "alice", stop, &calls), AFP_ERR_DENIED,
	    "catalog_each returns the callback's first error");
	T_EQ(calls, 1, "and stops there");
	buf_free(&v);
}

/* Past CATALOG_READ_MAX the file is mapped; the search is the same. */
static void
test_open_large(void)
{
	struct catalog cat;
	struct buf text, v;
	char path[512], name[32];
	size_t i;
	afp_err r = AFP_OK;

	buf_init(&text, 0);
	r = buf_addstr(&text, "afp-catalog 1\n");
	for (i = 0; r == AFP_OK && text.len <= CATALOG_READ_MAX; i++)
		r = buf_printf(&text, "u user%06zu acct/role\n", i);
	T_OK(r == AFP_OK, "a catalog of %zu lines, %zu bytes", i, text.len);
	put("large", buf_str(&text));
	snprintf(path, sizeof(path), "%s/large", dir);
	T_EQ(catalog_open(path, &cat), AFP_OK, "open: a large catalog");
	T_OK(cat.map != NULL && cat.data.p == NULL,
	    "open: a large catalog is mapped, not read");
	buf_init(&v, 0);
	snprintf(name, sizeof(name), "user%06zu", i - 1);
	T_STREQ(values(&cat, 'u', name, &v), "acct/role",
	    "each: the last user of a mapped catalog");
	T_STREQ(values(&cat, 'u', "user000000", &v), "acct/role",
	    "each: the first user of a mapped catalog");
	buf_free(&v);
	catalog_close(&cat);
	T_OK(cat.map == NULL && cat.p == NULL, "close: unmapped");
	buf_reset(&text);
	r = buf_addstr(&text, "afp-catalog 9\n");
	while (r == AFP_OK && text.len <= CATALOG_READ_MAX)
		r = buf_addstr(&text, "u someone acct/role\n");
	put("largebad", buf_str(&text));
	snprintf(path, sizeof(path), "%s/largebad", dir);
	T_EQ(catalog_open(path, &cat), AFP_ERR_PARSE,
	    "open: a large file with a wrong header");
	buf_free(&text);
}

static void
test_open(void)
{
	struct catalog cat;
	char path[512], link[512];

	snprintf(path, sizeof(path), "%s/none", dir);
	T_EQ(catalog_open(path, &cat), AFP_ERR_NOTFOUND, "open: missing file");
	put("empty", "");
	snprintf(path, sizeof(path), "%s/empty", dir);
	T_EQ(catalog_open(path, &cat), AFP_ERR_PARSE, "open: an empty file");
	put("cat", want_text);
	snprintf(path, sizeof(path), "%s/cat", dir);
	T_EQ(catalog_open(path, &cat), AFP_OK, "open: a catalog");
	T_EQ(cat.len, sizeof(want_text) - 1 - 14, "open: every line there");
	T_OK(cat.map == NULL && cat.data.p != NULL,
	    "open: a small catalog is read, not mapped");
	catalog_close(&cat);
	T_OK(cat.map == NULL && cat.p == NULL && cat.data.p == NULL,
	    "close: cleared");
	test_open_large();
	put("bad", "afp-catalog 2\nu alice prod/admin\n");
	snprintf(path, sizeof(path), "%s/bad", dir);
	T_EQ(catalog_open(path, &cat), AFP_ERR_PARSE,
	    "open: a small file with a wrong header");
	snprintf(link, sizeof(link), "%s/link", dir);
	T_OK(symlink(path, link) == 0, "a symlink to it");
	T_EQ(catalog_open(link, &cat), AFP_ERR_IO, "open: a symlink is refused");
	snprintf(path, sizeof(path), "%s/accounts.d", dir);
	T_EQ(catalog_open(path, &cat), AFP_ERR_IO, "open: a directory is refused");
}

/* conf_load_accounts keeps what it is asked to and reads nothing else. */
static void
test_scoped_load(void)
{
	struct strlist files = { NULL, 0 }, keep = { NULL, 0 };
	struct conf *c = NULL;
	struct buf err;
	char path[512];

	buf_init(&err, 4096);
	put("accounts.d/z.conf", "[role prod/other]\nbogus_key = 1\n");
	snprintf(path, sizeof(path), "%s/afp.conf", dir);
	if (strlist_add(&files, "a.conf") != AFP_OK ||
	    strlist_add(&files, "b c.conf") != AFP_OK ||
	    strlist_add(&files, "gone.conf") != AFP_OK ||
	    strlist_add(&keep, "prod") != AFP_OK ||
	    strlist_add(&keep, "prod/read") != AFP_OK)
		goto out;
	strlist_sort_uniq(&keep);
	T_EQ(conf_load_main(path, &c, &err), AFP_OK, "scoped: afp.conf alone");
	if (c == NULL)
		goto out;
	T_EQ(c->naccounts + c->nroles, 0, "scoped: no account or role yet");
	T_EQ(conf_load_accounts(c, &files, &keep, &err), AFP_OK,
	    "scoped: two files and a missing one");
	T_EQ(c->naccounts, 1, "scoped: one account kept");
	T_EQ(c->nroles, 1, "scoped: one role kept");
	T_OK(conf_role_find(c, "prod", "read") != NULL &&
	    conf_role_find(c, "prod", "read")->acct != NULL,
	    "scoped: prod/read with its account");
	T_OK(conf_role_find(c, "prod", "admin") == NULL,
	    "scoped: prod/admin left out");
	conf_free(c);
	c = NULL;
	T_EQ(conf_load(path, &c, &err), AFP_ERR_CONFIG,
	    "the whole configuration meets z.conf's bad key");
	conf_free(c);
	c = NULL;
	strlist_free(&files);
	if (strlist_add(&files, "../afp.conf") != AFP_OK ||
	    conf_load_main(path, &c, &err) != AFP_OK)
		goto out;
	T_EQ(conf_load_accounts(c, &files, &keep, &err), AFP_ERR_INVAL,
	    "scoped: a name with a / is refused");
	T_OK(strstr(buf_str(&err), "not a configuration file name") != NULL,
	    "scoped: and says so");
out:
	conf_free(c);
	strlist_free(&files);
	strlist_free(&keep);
	buf_free(&err);
}

int
main(void)
{
	char cmd[600];
	int rc;

	if (mkdtemp(dir) == NULL) {
		printf("not ok - mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "%s/accounts.d", dir);
	if (mkdir(cmd, 0700) == -1) {
		printf("not ok - mkdir: %s\n", strerror(errno));
		return 1;
	}
	test_build();
	test_search();
	test_odd();
	test_open();
	test_scoped_load();
	rc = t_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	return rc;
}
