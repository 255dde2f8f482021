/*
 * Unit tests for authz against fixture passwd and group files served by
 * cwrap's nss_wrapper. The binary re-executes itself under
 * LD_PRELOAD=libnss_wrapper.so; a missing wrapper is a failure, never a skip.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "t.h"
#include "wrap.h"
#include "authz.h"
#include "log.h"

static const char *const fixture_files[] = { "passwd", "group", NULL };

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

/* As the CGI decides: groups looked up only when they can matter. */
static int
decide(const struct conf *c, const struct conf_role *r, const char *user)
{
	struct strlist g = { NULL, 0 };
	int ok;

	if (!authz_role_needs_groups(c, r, user))
		return authz_role_allowed(c, r, user, NULL);
	ok = authz_role_allowed(c, r, user,
	    authz_user_groups(user, &g) == AFP_OK ? &g : NULL);
	strlist_free(&g);
	return ok;
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
			int got = decide(&c, &roles[r], users[u]);

			T_EQ(got, allowed[u][r], "allowed: %s on %s/%s is %s",
			    users[u], roles[r].account, roles[r].name,
			    allowed[u][r] ? "allowed" : "refused");
		}
	}
	/* The same answers from one group lookup per user, always made. */
	for (u = 0; u < NUSERS; u++) {
		afp_err e = authz_user_groups(users[u], &g);

		for (r = 0; r < NROLES; r++)
			T_EQ(authz_role_allowed(&c, &roles[r], users[u],
			    e == AFP_OK ? &g : NULL), allowed[u][r],
			    "allowed, groups looked up: %s on %s/%s", users[u],
			    roles[r].account, roles[r].name);
		strlist_free(&g);
	}
	T_EQ(decide(&none, &roles[0], "carol"), 0,
	    "no group_pattern: carol refused on prod/admin");
	T_EQ(decide(&none, &roles[0], "alice"), 1,
	    "no group_pattern: alice still allowed on prod/admin");
	T_EQ(decide(NULL, &roles[1], "bob"), 1,
	    "no conf: allow_groups still apply");
	T_EQ(decide(&team, &roles[1], "alice"), 1,
	    "team-{role}: alice allowed on prod/read through team-read");
	T_EQ(decide(&team, &roles[0], "carol"), 0,
	    "team-{role}: carol refused on prod/admin (no team-admin)");
	T_EQ(decide(&c, &roles[0], ""), 0, "empty user refused");
	T_EQ(decide(&c, &roles[0], NULL), 0, "NULL user refused");
	T_EQ(decide(&c, NULL, "alice"), 0, "NULL role refused");
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
	strlist_free(&g);
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
	strlist_free(&l);
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
	char text[4096];
	int fd, saved;

	users_case(&c, &roles[0], "alice,carol");
	users_case(&c, &roles[1], "bob,dave");
	users_case(&c, &roles[2], "eve");
	users_case(&c, &roles[3], "alice");
	users_case(&none, &roles[0], "alice");
	users_case(&team, &roles[1], "alice,bob,dave");
	T_EQ(authz_role_users(&c, NULL, &l), AFP_ERR_INVAL, "users: NULL role");
	T_EQ(l.n, 0, "users: NULL role leaves the list empty");

	if ((fd = wrap_log_begin(dir, &saved)) == -1) {
		T_OK(0, "users: log capture");
		return;
	}
	log_open("test_authz", LOG_DEST_STDERR, 0);
	users_case(&c, &odd, "alice,zed");
	users_case(&c, &roles[1], "bob,dave");
	wrap_log_end(fd, saved, text, sizeof(text));
	T_OK(strstr(text, "\"bad name\"") != NULL,
	    "users: skipped allow_users name is reported");
	T_OK(strstr(text, "\".hidden\"") != NULL,
	    "users: skipped group member name is reported");
	T_OK(strstr(text, "\"alice\"") == NULL && strstr(text, "\"zed\"") == NULL,
	    "users: good names are not reported");
}

/*
 * Write the passwd and group fixtures and run this binary again under
 * nss_wrapper. Returns only on failure, having reported it.
 */
static void
nss_exec(char **argv)
{
	char dir[] = "/tmp/afp-test-authz.XXXXXX";
	char wrapper[512], pw[512], gr[512];
	const char *const preload[] = { wrapper, NULL };
	const struct wrap_env env[] = {
		{ "NSS_WRAPPER_PASSWD", pw }, { "NSS_WRAPPER_GROUP", gr },
		{ NULL, NULL }
	};
	const char *lib;

	if ((lib = wrap_find_lib("libnss_wrapper.so")) == NULL ||
	    !wrap_path(wrapper, sizeof(wrapper), lib, "libnss_wrapper.so")) {
		T_OK(0, "nss: libnss_wrapper.so is installed (Debian: libnss-wrapper)");
		return;
	}
	if (mkdtemp(dir) == NULL) {
		T_OK(0, "nss: mkdtemp: %s", strerror(errno));
		return;
	}
	if (!wrap_write_file(dir, "passwd", "%s", passwd) ||
	    !wrap_write_file(dir, "group", "%s", group) ||
	    !wrap_path(pw, sizeof(pw), dir, "passwd") ||
	    !wrap_path(gr, sizeof(gr), dir, "group")) {
		T_OK(0, "nss: writing fixtures to %s", dir);
		return;
	}
	wrap_exec(argv, "nss", preload, dir, env);
}

int
main(int argc, char **argv)
{
	const char *dir = wrap_enter(argv, nss_exec, "nss",
	    "libnss_wrapper.so", fixture_files);

	if (dir != NULL) {
		test_groups();
		test_matrix();
		test_users(dir);
		wrap_cleanup(dir, fixture_files);
	}
	return t_done();
}
