/* Unit tests for the cache: paths, atomic writes, modes, reads, lock. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "cache.h"

static char root[] = "/tmp/afp-test-cache.XXXXXX";

static char *
p(const char *rel)
{
	static char path[512];
	int n = snprintf(path, sizeof(path), "%s/%s", root, rel);

	return n < 0 || (size_t)n >= sizeof(path) ? NULL : path;
}

static void
put(const char *rel, const char *text)
{
	FILE *f = fopen(p(rel), "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
fill(struct cache_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->creds.akid = strdup("ASIAEXAMPLEEXAMPLE01");
	e->creds.secret = strdup("secret/with+chars=");
	e->creds.token = strdup("FwoGZXIvYXdzEXAMPLETOKEN==");
	e->creds.expiration = 2000000000;
	e->last_updated = 1999990000;
	e->id_account = strdup("123456789012");
	e->id_arn = strdup("arn:aws:sts::123456789012:assumed-role/admin/afp-alice");
	e->id_userid = strdup("AROAEXAMPLE:afp-alice");
}

static void
test_paths(void)
{
	struct buf b;

	buf_init(&b, 0);
	T_OK(cache_path(&b, "/c", "prod", "admin", NULL) == AFP_OK &&
	    strcmp(buf_str(&b), "/c/prod/admin.json") == 0, "path: shared entry");
	buf_reset(&b);
	T_OK(cache_path(&b, "/c", "prod", "admin", "alice") == AFP_OK &&
	    strcmp(buf_str(&b), "/c/prod/admin/alice.json") == 0, "path: per-user entry");
	T_EQ(cache_path(&b, "/c", "..", "admin", NULL), AFP_ERR_INVAL, "path: '..' account");
	T_EQ(cache_path(&b, "/c", "prod", "a/b", NULL), AFP_ERR_INVAL, "path: slash in role");
	T_EQ(cache_path(&b, "/c", "prod", "admin", "../x"), AFP_ERR_INVAL, "path: traversal in user");
	T_EQ(cache_path(&b, "/c", "prod", "admin", ".hidden"), AFP_ERR_INVAL, "path: dot user");
	T_EQ(cache_path(&b, "/c", "prod", "admin", ""), AFP_ERR_INVAL, "path: empty user");
	buf_free(&b);
}

static void
test_roundtrip(void)
{
	struct cache_entry e, r;
	struct stat st;

	fill(&e);
	T_OK(cache_write(p("prod/admin/alice.json"), &e) == AFP_OK, "write: per-user entry");
	T_OK(stat(p("prod/admin/alice.json"), &st) == 0 &&
	    (st.st_mode & 0777) == 0640, "write: file mode 0640");
	T_OK(stat(p("prod/admin"), &st) == 0 && (st.st_mode & 0777) == 0750,
	    "write: directories created 0750");
	T_OK(cache_read(p("prod/admin/alice.json"), &r) == AFP_OK, "read: entry");
	T_STREQ(r.creds.akid, e.creds.akid, "read: access key id");
	T_STREQ(r.creds.secret, e.creds.secret, "read: secret key");
	T_STREQ(r.creds.token, e.creds.token, "read: session token");
	T_EQ(r.creds.expiration, e.creds.expiration, "read: expiration");
	T_EQ(r.last_updated, e.last_updated, "read: last_updated");
	T_STREQ(r.id_arn, e.id_arn, "read: identity arn");
	T_STREQ(r.id_account, e.id_account, "read: identity account");
	T_OK(r.signin_token == NULL, "read: no signin token");
	cache_entry_clear(&r);

	free(e.creds.token);
	e.creds.token = NULL;
	T_OK(cache_write(p("prod/admin/alice.json"), &e) == AFP_OK &&
	    cache_read(p("prod/admin/alice.json"), &r) == AFP_OK &&
	    r.creds.token == NULL, "write: replaces an entry atomically");
	cache_entry_clear(&r);

	free(e.creds.secret);
	e.creds.secret = strdup("has space");
	T_EQ(cache_write(p("prod/x.json"), &e), AFP_ERR_INVAL, "write: refuses a bad secret");
	T_OK(access(p("prod/x.json"), F_OK) == -1, "write: nothing left after refusal");
	cache_entry_clear(&e);
}

static void
test_bad_reads(void)
{
	struct cache_entry r;
	char big[CACHE_FILE_MAX + 2];

	T_EQ(cache_read(p("none.json"), &r), AFP_ERR_NOTFOUND, "read: missing is NOTFOUND");
	put("v2.json", "{\"version\":2,\"access_key_id\":\"A\",\"secret_access_key\":\"s\","
	    "\"expiration\":\"2030-01-01T00:00:00Z\",\"last_updated\":\"2030-01-01T00:00:00Z\"}");
	T_EQ(cache_read(p("v2.json"), &r), AFP_ERR_PARSE, "read: unknown version");
	put("nokey.json", "{\"version\":1,\"secret_access_key\":\"s\","
	    "\"expiration\":\"2030-01-01T00:00:00Z\",\"last_updated\":\"2030-01-01T00:00:00Z\"}");
	T_EQ(cache_read(p("nokey.json"), &r), AFP_ERR_PARSE, "read: missing key id");
	put("badexp.json", "{\"version\":1,\"access_key_id\":\"A\",\"secret_access_key\":\"s\","
	    "\"expiration\":\"soon\",\"last_updated\":\"2030-01-01T00:00:00Z\"}");
	T_EQ(cache_read(p("badexp.json"), &r), AFP_ERR_PARSE, "read: bad expiration");
#define HEAD "{\"version\":1,\"access_key_id\":\"A\",\"secret_access_key\":\"s\"," \
	    "\"expiration\":\"2030-01-01T00:00:00Z\",\"last_updated\":\"2030-01-01T00:00:00Z\""
	put("id2.json", HEAD ",\"identity\":{\"account\":\"123456789012\",\"arn\":\"x\"}}");
	T_EQ(cache_read(p("id2.json"), &r), AFP_ERR_PARSE,
	    "read: an identity without user_id (cache_encode writes all three)");
	put("id1.json", HEAD ",\"identity\":{\"user_id\":\"AROA:x\"}}");
	T_EQ(cache_read(p("id1.json"), &r), AFP_ERR_PARSE,
	    "read: an identity with user_id alone");
	put("si1.json", HEAD ",\"signin_token\":\"tok\"}");
	T_EQ(cache_read(p("si1.json"), &r), AFP_ERR_PARSE,
	    "read: a sign-in token without its expiry");
	put("si2.json", HEAD ",\"signin_expires\":\"2030-01-01T00:00:00Z\"}");
	T_EQ(cache_read(p("si2.json"), &r), AFP_ERR_PARSE,
	    "read: a sign-in expiry without its token");
	put("idok.json", HEAD ",\"identity\":{\"account\":\"123456789012\","
	    "\"arn\":\"x\",\"user_id\":\"AROA:x\"},\"signin_token\":\"tok\","
	    "\"signin_expires\":\"2030-01-01T00:00:00Z\"}");
	T_EQ(cache_read(p("idok.json"), &r), AFP_OK,
	    "read: the whole identity and sign-in pair");
	free(r.id_userid);
	r.id_userid = NULL;
	T_EQ(cache_write(p("idpart.json"), &r), AFP_ERR_INVAL,
	    "write: refuses an identity without user_id");
	cache_entry_clear(&r);
#undef HEAD
	put("trunc.json", "{\"version\":1,\"access_key_id\":\"A\",\"secret_acc");
	T_EQ(cache_read(p("trunc.json"), &r), AFP_ERR_PARSE, "read: truncated file");
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put("big.json", big);
	T_EQ(cache_read(p("big.json"), &r), AFP_ERR_TOOBIG, "read: oversized file");
	T_OK(symlink("v2.json", p("link.json")) == 0 &&
	    cache_read(p("link.json"), &r) == AFP_ERR_IO, "read: symlink refused");
}

static void
test_lock_and_dir(void)
{
	struct buf err;
	int a = -1, b = -1;

	T_OK(cache_lock(root, &a) == AFP_OK, "lock: first taker");
	T_EQ(cache_lock(root, &b), AFP_ERR_LOCKED, "lock: second taker refused");
	close(a);
	T_OK(cache_lock(root, &b) == AFP_OK, "lock: free again after close");
	close(b);

	buf_init(&err, 0);
	chmod(root, 0750);
	T_OK(cache_dir_check(root, &err) == AFP_OK, "dir: 0750 accepted");
	chmod(root, 0755);
	T_EQ(cache_dir_check(root, &err), AFP_ERR_PERM, "dir: 0755 refused");
	T_OK(strstr(buf_str(&err), "0755") != NULL, "dir: message names the mode");
	chmod(root, 0770);
	T_EQ(cache_dir_check(root, &err), AFP_ERR_PERM, "dir: group-writable refused");
	chmod(root, 0750);
	T_OK(symlink(root, p("dirlink")) == 0 &&
	    cache_dir_check(p("dirlink"), &err) == AFP_ERR_PERM, "dir: symlink refused");
	buf_free(&err);

	put("prod/.admin.json.tmp.0011223344556677", "partial");
	put("prod/admin/.bob.json.tmp.8899aabbccddeeff", "partial");
	cache_clean_temps(root);
	T_OK(access(p("prod/.admin.json.tmp.0011223344556677"), F_OK) == -1 &&
	    access(p("prod/admin/.bob.json.tmp.8899aabbccddeeff"), F_OK) == -1,
	    "clean: temp files removed");
	T_OK(access(p("prod/admin/alice.json"), F_OK) == 0, "clean: entries kept");
}

int
main(void)
{
	char cmd[600];
	int rc;

	umask(027);
	if (mkdtemp(root) == NULL) {
		T_OK(0, "mkdtemp");
		return 1;
	}
	test_paths();
	test_roundtrip();
	test_bad_reads();
	test_lock_and_dir();
	rc = t_done();
	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root) < (int)sizeof(cmd) &&
	    system(cmd) != 0)
		rc = 1;
	return rc;
}
