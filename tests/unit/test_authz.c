/*
 * Unit tests for authz against fixture passwd and group files served by
 * cwrap's nss_wrapper. The binary re-executes itself under
 * LD_PRELOAD=libnss_wrapper.so; a missing wrapper is a failure, never a skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "t.h"
#include "authz.h"
#include "log.h"

#define WRAP_ENV "AFP_TEST_WRAPDIR"

static const char *const libdirs[] = {
	"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/usr/lib64", "/usr/lib", NULL
};

/* eve's primary gid 2005 has no group entry; ".hidden" breaks conf_user_ok. */
static const char passwd[] =
    "alice:x:1001:2001:Alice:/home/alice:/bin/false\n"
    "bob:x:1002:2002:Bob:/home/bob:/bin/false\n"
    "carol:x:1003:2003:Carol:/home/carol:/bin/false\n"
    "dave:x:1004:3001:Dave:/home/dave:/bin/false\n"
    "eve:x:1005:2005:Eve:/home/eve:/bin/false\n"
    ".hidden:x:1006:2006::/nonexistent:/bin/false\n";

static const char group[] =
    "staff:x:2001:\n"
    "bob:x:2002:\n"
    "carol:x:2003:\n"
    "hidden:x:2006:\n"
    "ops:x:3001:bob,.hidden\n"
    "aws-prod-admin:x:3002:carol\n"
    "aws-prod-read:x:3003:\n"
    "team-read:x:3004:alice\n";

#define LIST(...) { (char *[]){ __VA_ARGS__ }, \
	sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *) }

static struct conf_role roles[] = {
	{ .account = "prod", .name = "admin", .allow_users = LIST("alice") },
	{ .account = "prod", .name = "read", .allow_groups = LIST("ops") },
	{ .account = "dev", .name = "deploy", .allow_users = LIST("eve"),
	    .allow_groups = LIST("nosuchgroup") },
	{ .account = "dev", .name = "ops", .allow_groups = LIST("staff") },
};
#define NROLES (sizeof(roles) / sizeof(roles[0]))

static const char *const users[] = {
	"alice", "bob", "carol", "dave", "eve", "mallory", ".hidden"
};
#define NUSERS (sizeof(users) / sizeof(users[0]))

/* The matrix under group_pattern = aws-{account}-{role}. */
static const int allowed[NUSERS][NROLES] = {
	/*            prod/admin prod/read dev/deploy dev/ops */
	/* alice  */ { 1,         0,        0,         1 },
	/* bob    */ { 0,         1,        0,         0 },
	/* carol  */ { 1,         0,        0,         0 },
	/* dave   */ { 0,         1,        0,         0 },
	/* eve    */ { 0,         0,        1,         0 },
	/* mallory*/ { 0,         0,        0,         0 },
	/* .hidden*/ { 0,         1,        0,         0 },
};

/* Comma-joined, for comparing a whole list at once. */
static const char *
joined(const struct strlist *l, char *out, size_t size)
{
	size_t i, off = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < l->n; i++) {
		n = snprintf(out + off, size - off, "%s%s", i ? "," : "",
		    l->v[i]);
		if (n < 0 || (size_t)n >= size - off)
			return "(truncated)";
		off += (size_t)n;
	}
	return out;
}

static void
test_matrix(void)
{
	struct conf c = { .group_pattern = "aws-{account}-{role}" };
	struct conf none = { .group_pattern = NULL };
	struct conf team = { .group_pattern = "team-{role}" };
	struct strlist g = { NULL, 0 };
	size_t u, r;

	for (u = 0; u < NUSERS; u++) {
		for (r = 0; r < NROLES; r++) {
			int got = authz_role_allowed(&c, &roles[r], users[u]);

			T_EQ(got, allowed[u][r], "allowed: %s on %s/%s is %s",
			    users[u], roles[r].account, roles[r].name,
			    allowed[u][r] ? "allowed" : "refused");
		}
	}
	/* The same answers from one group lookup per user. */
	for (u = 0; u < NUSERS; u++) {
		afp_err e = authz_user_groups(users[u], &g);

		for (r = 0; r < NROLES; r++)
			T_EQ(authz_role_allowed_groups(&c, &roles[r], users[u],
			    e == AFP_OK ? &g : NULL), allowed[u][r],
			    "allowed_groups: %s on %s/%s", users[u],
			    roles[r].account, roles[r].name);
		authz_strlist_free(&g);
	}
	T_EQ(authz_role_allowed(&none, &roles[0], "carol"), 0,
	    "no group_pattern: carol refused on prod/admin");
	T_EQ(authz_role_allowed(&none, &roles[0], "alice"), 1,
	    "no group_pattern: alice still allowed on prod/admin");
	T_EQ(authz_role_allowed(NULL, &roles[1], "bob"), 1,
	    "no conf: allow_groups still apply");
	T_EQ(authz_role_allowed(&team, &roles[1], "alice"), 1,
	    "team-{role}: alice allowed on prod/read through team-read");
	T_EQ(authz_role_allowed(&team, &roles[0], "carol"), 0,
	    "team-{role}: carol refused on prod/admin (no team-admin)");
	T_EQ(authz_role_allowed(&c, &roles[0], ""), 0, "empty user refused");
	T_EQ(authz_role_allowed(&c, &roles[0], NULL), 0, "NULL user refused");
	T_EQ(authz_role_allowed(&c, NULL, "alice"), 0, "NULL role refused");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
groups_case(const char *user, afp_err want, const char *wgroups)
{
	struct strlist g = { NULL, 0 };
	char s[512];
	afp_err e;

	e = authz_user_groups(user, &g);
	T_EQ(e, want, "groups: %s -> %s", user, afp_strerror(want));
	if (e == AFP_OK) {
		/* getgrouplist order is not specified: compare sorted. */
		if (g.n > 1)
			qsort(g.v, g.n, sizeof(*g.v), cmp_str);
		T_STREQ(joined(&g, s, sizeof(s)), wgroups, "groups: %s", user);
	} else {
		T_EQ(g.n, 0, "groups: %s: list empty on failure", user);
	}
	authz_strlist_free(&g);
}

static void
test_groups(void)
{
	groups_case("alice", AFP_OK, "staff,team-read");
	groups_case("bob", AFP_OK, "bob,ops");
	groups_case("carol", AFP_OK, "aws-prod-admin,carol");
	groups_case("dave", AFP_OK, "ops");
	groups_case("eve", AFP_OK, "");
	groups_case("mallory", AFP_ERR_NOTFOUND, NULL);
	groups_case("", AFP_ERR_NOTFOUND, NULL);
}

static void
users_case(const struct conf *c, const struct conf_role *r, const char *want)
{
	struct strlist l = { NULL, 0 };
	char s[512];

	T_EQ(authz_role_users(c, r, &l), AFP_OK, "users: %s/%s (pattern %s)",
	    r->account, r->name, c->group_pattern ? c->group_pattern : "none");
	T_STREQ(joined(&l, s, sizeof(s)), want, "users: %s/%s (pattern %s): list",
	    r->account, r->name, c->group_pattern ? c->group_pattern : "none");
	authz_strlist_free(&l);
}

/* The listing warns about the names it leaves out. */
static void
test_users(const char *dir)
{
	struct conf c = { .group_pattern = "aws-{account}-{role}" };
	struct conf none = { .group_pattern = NULL };
	struct conf team = { .group_pattern = "team-{role}" };
	struct conf_role odd = { .account = "prod", .name = "odd",
	    .allow_users = LIST("zed", "bad name", "alice", "zed") };
	struct strlist l = { NULL, 0 };
	char path[512], text[4096];
	ssize_t n;
	int fd, saved;

	users_case(&c, &roles[0], "alice,carol");
	users_case(&c, &roles[1], "bob,dave");
	users_case(&c, &roles[2], "eve");
	users_case(&c, &roles[3], "alice");
	users_case(&none, &roles[0], "alice");
	users_case(&team, &roles[1], "alice,bob,dave");
	T_EQ(authz_role_users(&c, NULL, &l), AFP_ERR_INVAL, "users: NULL role");
	T_EQ(l.n, 0, "users: NULL role leaves the list empty");

	n = snprintf(path, sizeof(path), "%s/log", dir);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
		T_OK(0, "users: log capture");
		return;
	}
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	log_open("test_authz", LOG_DEST_STDERR, 0);
	users_case(&c, &odd, "alice,zed");
	users_case(&c, &roles[1], "bob,dave");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(path);
	text[n > 0 ? n : 0] = '\0';
	T_OK(strstr(text, "\"bad name\"") != NULL,
	    "users: skipped allow_users name is reported");
	T_OK(strstr(text, "\".hidden\"") != NULL,
	    "users: skipped group member name is reported");
	T_OK(strstr(text, "\"alice\"") == NULL && strstr(text, "\"zed\"") == NULL,
	    "users: good names are not reported");
}

static int
path_join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < size;
}

static int
write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;
	int ok;

	if (!path_join(p, sizeof(p), dir, name) || (f = fopen(p, "w")) == NULL)
		return 0;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

static int
mapped_lib(const char *needle, char *out, size_t size)
{
	char line[1024];
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *p = strchr(line, '/');

		if (p == NULL || strstr(p, needle) == NULL)
			continue;
		p[strcspn(p, "\n")] = '\0';
		found = snprintf(out, size, "%s", p) < (int)size;
	}
	fclose(f);
	return found;
}

/*
 * Run this binary again with nss_wrapper preloaded; returns only on failure,
 * having reported it. A dynamic sanitizer runtime must stay first in the
 * preload list, and RTLD_DEEPBIND does not work under it.
 */
static void
wrap_exec(char **argv)
{
	char dir[] = "/tmp/afp-test-authz.XXXXXX";
	char wrapper[512], pw[512], gr[512], asan[512], preload[1100];
	size_t i;
	int n;

	for (i = 0; libdirs[i] != NULL; i++)
		if (path_join(wrapper, sizeof(wrapper), libdirs[i],
		    "libnss_wrapper.so") && access(wrapper, R_OK) == 0)
			break;
	if (libdirs[i] == NULL) {
		T_OK(0, "nss: libnss_wrapper.so is installed (Debian: libnss-wrapper)");
		return;
	}
	if (mkdtemp(dir) == NULL) {
		T_OK(0, "nss: mkdtemp: %s", strerror(errno));
		return;
	}
	if (!write_file(dir, "passwd", passwd) || !write_file(dir, "group", group) ||
	    !path_join(pw, sizeof(pw), dir, "passwd") ||
	    !path_join(gr, sizeof(gr), dir, "group")) {
		T_OK(0, "nss: writing fixtures to %s", dir);
		return;
	}
	if (mapped_lib("libasan.so", asan, sizeof(asan)) ||
	    mapped_lib("libclang_rt.asan", asan, sizeof(asan)))
		n = snprintf(preload, sizeof(preload), "%s:%s", asan, wrapper);
	else
		n = snprintf(preload, sizeof(preload), "%s", wrapper);
	if (n < 0 || (size_t)n >= sizeof(preload)) {
		T_OK(0, "nss: LD_PRELOAD fits");
		return;
	}
	if (setenv("LD_PRELOAD", preload, 1) != 0 ||
	    setenv("NSS_WRAPPER_PASSWD", pw, 1) != 0 ||
	    setenv("NSS_WRAPPER_GROUP", gr, 1) != 0 ||
	    setenv("NSS_WRAPPER_DISABLE_DEEPBIND", "1", 1) != 0 ||
	    setenv(WRAP_ENV, dir, 1) != 0) {
		T_OK(0, "nss: setenv: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	execv("/proc/self/exe", argv);
	T_OK(0, "nss: re-exec under nss_wrapper: %s", strerror(errno));
}

static void
cleanup(const char *dir)
{
	char p[512];

	if (path_join(p, sizeof(p), dir, "passwd"))
		unlink(p);
	if (path_join(p, sizeof(p), dir, "group"))
		unlink(p);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	const char *dir = getenv(WRAP_ENV);
	char lib[512];

	(void)argc;
	if (dir == NULL) {
		wrap_exec(argv);
		return t_done();
	}
	if (!mapped_lib("libnss_wrapper.so", lib, sizeof(lib))) {
		T_OK(0, "nss: libnss_wrapper.so is preloaded");
		cleanup(dir);
		return t_done();
	}
	test_groups();
	test_matrix();
	test_users(dir);
	cleanup(dir);
	return t_done();
}
