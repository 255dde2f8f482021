#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "buf.h"
#include "log.h"

/* The largest buffer a single passwd or group entry may need. */
#define NSS_BUF_MAX (1024 * 1024)
#define GROUP_NAME_MAX 256

/* NSS may name any number of users: stay within AUTHZ_USERS_MAX. */
static afp_err
list_add(struct strlist *l, const char *s)
{
	return l->n >= AUTHZ_USERS_MAX ? AFP_ERR_TOOBIG : strlist_add(l, s);
}

afp_err
authz_pattern_group(const struct conf *c, const struct conf_role *r,
    struct buf *out)
{
	const char *p;
	afp_err e = AFP_OK;

	if (c == NULL || c->group_pattern == NULL || *c->group_pattern == '\0')
		return AFP_ERR_NOTFOUND;
	for (p = c->group_pattern; *p != '\0' && e == AFP_OK; ) {
		if (strncmp(p, "{account}", 9) == 0) {
			e = buf_addstr(out, r->account);
			p += 9;
		} else if (strncmp(p, "{role}", 6) == 0) {
			e = buf_addstr(out, r->name);
			p += 6;
		} else {
			e = buf_addc(out, *p++);
		}
	}
	return e;
}

static afp_err
nss_grow(char **buf, size_t *len)
{
	size_t n = *len ? *len * 2 : 1024;
	char *p;

	if (n > NSS_BUF_MAX)
		return AFP_ERR_TOOBIG;
	if ((p = realloc(*buf, n)) == NULL)
		return AFP_ERR_NOMEM;
	*buf = p;
	*len = n;
	return AFP_OK;
}

/* glibc says "not found" with 0 and a NULL result, some modules with ENOENT. */
static afp_err
nss_result(int e, const void *res)
{
	if (e == 0 && res != NULL)
		return AFP_OK;
	if (e == 0 || e == ENOENT)
		return AFP_ERR_NOTFOUND;
	return AFP_ERR_IO;
}

static afp_err
lookup_pw(const char *name, struct passwd *pw, char **buf, size_t *len)
{
	struct passwd *res = NULL;
	afp_err r;
	int e;

	do {
		if ((r = nss_grow(buf, len)) != AFP_OK)
			return r;
		e = getpwnam_r(name, pw, *buf, *len, &res);
	} while (e == ERANGE);
	return nss_result(e, res);
}

/* By name, or by gid when name is NULL. */
static afp_err
lookup_gr(const char *name, gid_t gid, struct group *gr, char **buf,
    size_t *len)
{
	struct group *res = NULL;
	afp_err r;
	int e;

	do {
		if ((r = nss_grow(buf, len)) != AFP_OK)
			return r;
		if (name != NULL)
			e = getgrnam_r(name, gr, *buf, *len, &res);
		else
			e = getgrgid_r(gid, gr, *buf, *len, &res);
	} while (e == ERANGE);
	return nss_result(e, res);
}

afp_err
authz_user_groups(const char *user, struct strlist *groups)
{
	struct passwd pw;
	struct group gr;
	char *pbuf = NULL, *gbuf = NULL;
	size_t plen = 0, glen = 0;
	gid_t *gids = NULL, *ng;
	int n = 64, want, i;
	afp_err r = AFP_ERR_NOTFOUND;

	if (user == NULL || *user == '\0')
		goto out;
	if ((r = lookup_pw(user, &pw, &pbuf, &plen)) != AFP_OK)
		goto out;
	for (;;) {
		if ((ng = reallocarray(gids, (size_t)n, sizeof(*gids))) == NULL) {
			r = AFP_ERR_NOMEM;
			goto out;
		}
		gids = ng;
		want = n;
		if (getgrouplist(user, pw.pw_gid, gids, &want) >= 0) {
			n = want;
			break;
		}
		/* Some implementations do not report the size they need. */
		if (want <= n)
			want = n * 2;
		if (want > AUTHZ_GROUPS_MAX) {
			r = AFP_ERR_TOOBIG;
			goto out;
		}
		n = want;
	}
	for (i = 0; i < n; i++) {
		r = lookup_gr(NULL, gids[i], &gr, &gbuf, &glen);
		/* A gid without a name cannot match a configured group. */
		if (r == AFP_ERR_NOTFOUND)
			continue;
		if (r != AFP_OK)
			goto out;
		if (!strlist_has(groups, gr.gr_name) &&
		    (r = list_add(groups, gr.gr_name)) != AFP_OK)
			goto out;
	}
	r = AFP_OK;
out:
	if (r != AFP_OK && r != AFP_ERR_NOTFOUND)
		log_err("authz: groups of %s: %s", user ? user : "(null)",
		    afp_strerror(r));
	if (r != AFP_OK)
		strlist_free(groups);
	free(pbuf);
	free(gbuf);
	free(gids);
	return r;
}

int
authz_role_allowed(const struct conf *c, const struct conf_role *r,
    const char *user, const struct strlist *groups)
{
	struct buf g;
	size_t i;
	int ok = 0;
	afp_err e;

	if (r == NULL || user == NULL || *user == '\0')
		return 0;
	if (strlist_has(&r->allow_users, user))
		return 1;
	if (groups == NULL)
		return 0;
	for (i = 0; i < r->allow_groups.n; i++)
		if (strlist_has(groups, r->allow_groups.v[i]))
			return 1;
	buf_init(&g, GROUP_NAME_MAX);
	if ((e = authz_pattern_group(c, r, &g)) == AFP_OK)
		ok = strlist_has(groups, buf_str(&g));
	else if (e != AFP_ERR_NOTFOUND)
		log_err("authz: group_pattern for %s/%s: %s", r->account,
		    r->name, afp_strerror(e));
	buf_free(&g);
	return ok;
}

int
authz_role_needs_groups(const struct conf *c, const struct conf_role *r,
    const char *user)
{
	if (r == NULL || user == NULL || strlist_has(&r->allow_users, user))
		return 0;
	return r->allow_groups.n > 0 ||
	    (c != NULL && c->group_pattern != NULL && *c->group_pattern != '\0');
}

/* Members of group name into users, its gid into gids; a missing group adds nothing. */
static afp_err
group_members(const struct conf_role *r, const char *name, int from_pattern,
    struct strlist *users, gid_t **gids, size_t *ngids)
{
	struct group gr;
	char *buf = NULL, **m;
	size_t len = 0;
	gid_t *ng;
	afp_err e;

	if ((e = lookup_gr(name, 0, &gr, &buf, &len)) == AFP_ERR_NOTFOUND) {
		/* Pattern groups exist only for roles someone is granted. */
		if (from_pattern)
			log_debug("authz: no group %s for %s/%s", name,
			    r->account, r->name);
		else
			log_warn("authz: allow_groups of %s/%s: no group %s",
			    r->account, r->name, name);
		e = AFP_OK;
		goto out;
	}
	if (e != AFP_OK)
		goto out;
	for (m = gr.gr_mem; m != NULL && *m != NULL; m++)
		if ((e = list_add(users, *m)) != AFP_OK)
			goto out;
	if ((ng = reallocarray(*gids, *ngids + 1, sizeof(**gids))) == NULL) {
		e = AFP_ERR_NOMEM;
		goto out;
	}
	*gids = ng;
	(*gids)[(*ngids)++] = gr.gr_gid;
out:
	free(buf);
	return e;
}

/* Users whose primary group is one of gids. */
static afp_err
primary_members(const gid_t *gids, size_t ngids, struct strlist *users)
{
	struct passwd pw, *res;
	char *buf = NULL;
	size_t len = 0, i;
	afp_err r = AFP_OK;
	int e;

	if (ngids == 0)
		return AFP_OK;
	if ((r = nss_grow(&buf, &len)) != AFP_OK)
		return r;
	setpwent();
	for (;;) {
		res = NULL;
		e = getpwent_r(&pw, buf, len, &res);
		if (e == ERANGE) {
			if ((r = nss_grow(&buf, &len)) != AFP_OK)
				break;
			continue;
		}
		if (e == ENOENT || (e == 0 && res == NULL))
			break;
		if (e != 0) {
			r = AFP_ERR_IO;
			break;
		}
		for (i = 0; i < ngids; i++)
			if (pw.pw_gid == gids[i])
				break;
		if (i < ngids && (r = list_add(users, pw.pw_name)) != AFP_OK)
			break;
	}
	endpwent();
	free(buf);
	return r;
}

afp_err
authz_role_users(const struct conf *c, const struct conf_role *r,
    struct strlist *users)
{
	struct strlist all = { NULL, 0 };
	struct buf pat;
	gid_t *gids = NULL;
	size_t ngids = 0, i;
	afp_err e = AFP_ERR_INVAL;

	buf_init(&pat, GROUP_NAME_MAX);
	if (r == NULL)
		goto out;
	for (i = 0; i < r->allow_users.n; i++)
		if ((e = list_add(&all, r->allow_users.v[i])) != AFP_OK)
			goto out;
	for (i = 0; i < r->allow_groups.n; i++)
		if ((e = group_members(r, r->allow_groups.v[i], 0, &all, &gids,
		    &ngids)) != AFP_OK)
			goto out;
	e = authz_pattern_group(c, r, &pat);
	if (e == AFP_OK)
		e = group_members(r, buf_str(&pat), 1, &all, &gids, &ngids);
	else if (e == AFP_ERR_NOTFOUND)
		e = AFP_OK;
	if (e != AFP_OK)
		goto out;
	if ((e = primary_members(gids, ngids, &all)) != AFP_OK)
		goto out;
	strlist_sort_uniq(&all);
	for (i = 0; i < all.n; i++) {
		if (!conf_user_ok(all.v[i])) {
			log_warn("authz: %s/%s: skipping user name \"%s\", "
			    "unusable in sessions and cache paths", r->account,
			    r->name, all.v[i]);
			continue;
		}
		if ((e = list_add(users, all.v[i])) != AFP_OK)
			goto out;
	}
	e = AFP_OK;
out:
	if (e != AFP_OK) {
		log_err("authz: users of %s/%s: %s", r ? r->account : "?",
		    r ? r->name : "?", afp_strerror(e));
		strlist_free(users);
	}
	strlist_free(&all);
	buf_free(&pat);
	free(gids);
	return e;
}
