/*
 * The accounts.d sections one request needs. setup() reads afp.conf only;
 * once the caller is known, the catalog (catalog.h) names the roles the
 * caller may use and the files declaring them, and only those sections are
 * parsed, so a request costs the same at 10 roles and at 10,000. Every
 * role found this way is still checked against the files themselves.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "catalog.h"
#include "cgi.h"
#include "enc.h"
#include "fmt.h"
#include "log.h"

struct want {
	const struct catalog *cat;
	struct strlist keep;		/* "ACCOUNT" and "ACCOUNT/ROLE" */
	struct strlist files;
};

/*
 * The user's groups through NSS into q->groups, before the sandbox. A user
 * NSS does not know has none (allow_users may still name them).
 */
static afp_err
user_groups(struct req *q)
{
	afp_err r = authz_user_groups(buf_str(&q->user), &q->groups);

	if (r != AFP_OK && r != AFP_ERR_NOTFOUND)
		return r;
	q->groups_known = 1;
	return AFP_OK;
}

/* A catalog value "ACCOUNT/ROLE": keep the role and its account. */
static afp_err
want_role(void *arg, const char *v, size_t n)
{
	struct want *w = arg;
	const char *slash = memchr(v, '/', n);
	char acct[ROUTE_NAME_MAX + 1], role[ROUTE_NAME_MAX + 1];
	size_t alen;
	afp_err r;

	if (slash == NULL || (alen = (size_t)(slash - v)) >= sizeof(acct) ||
	    n - alen - 1 >= sizeof(role))
		return AFP_ERR_PARSE;
	memcpy(acct, v, alen);
	acct[alen] = '\0';
	memcpy(role, slash + 1, n - alen - 1);
	role[n - alen - 1] = '\0';
	if (!conf_name_ok(acct) || !conf_name_ok(role))
		return AFP_ERR_PARSE;
	if ((r = strlist_add(&w->keep, acct)) != AFP_OK)
		return r;
	return strlist_addn(&w->keep, v, n);
}

/* A catalog FILE value, percent-encoded. */
static afp_err
want_file(void *arg, const char *v, size_t n)
{
	struct want *w = arg;
	struct buf name;
	afp_err r;

	buf_init(&name, NAME_MAX);
	if ((r = enc_pct_decode(&name, v, n)) == AFP_OK)
		r = strlist_add(&w->files, buf_str(&name));
	buf_free(&name);
	return r;
}

/* The sections the route and the caller call for. */
static afp_err
want_sections(struct req *q, struct want *w)
{
	const char *who = buf_str(&q->user);
	size_t i;
	afp_err r;

	if (q->rt.account[0] != '\0') {
		char id[2 * ROUTE_NAME_MAX + 2];
		int n = fmt_snprintf(id, sizeof(id), "%s/%s", q->rt.account,
		    q->rt.role);

		if (n < 0 || (size_t)n >= sizeof(id))
			return AFP_ERR_INVAL;
		return want_role(w, id, (size_t)n);
	}
	switch (q->rt.ep) {
	case ROUTE_IMDS_LIST:
	case ROUTE_IMDS_ROLE:
	case ROUTE_IMDS_TOKEN:
		return catalog_each(w->cat, 'm', who, want_role, w);
	case ROUTE_ACCOUNTS:
		r = catalog_each(w->cat, 'u', who, want_role, w);
		for (i = 0; q->groups_known && i < q->groups.n && r == AFP_OK;
		    i++)
			r = catalog_each(w->cat, 'g', q->groups.v[i], want_role,
			    w);
		return r;
	default:
		return AFP_OK;
	}
}

/* The sections and files the catalog names for this request. */
static afp_err
catalog_scope(struct req *q, const struct catalog *cat, struct want *w)
{
	size_t i;
	afp_err r;

	w->cat = cat;
	if ((r = want_sections(q, w)) != AFP_OK)
		return r;
	strlist_sort_uniq(&w->keep);
	for (i = 0; i < w->keep.n && r == AFP_OK; i++)
		r = catalog_each(cat, strchr(w->keep.v[i], '/') != NULL ?
		    'r' : 'a', w->keep.v[i], want_file, w);
	strlist_sort_uniq(&w->files);
	return r;
}

/* NSS failed: the answer says so, not that the configuration did. */
static void
groups_failed(struct req *q, afp_err r)
{
	cgi_fail(q, 500, "internal error", "groups of the user: %s",
	    afp_strerror(r));
}

int
cgi_scope(struct req *q)
{
	struct conf *c = q->conf;
	struct catalog cat;
	struct want w;
	struct buf path, err;
	afp_err r;
	int rc = -1;

	if (q->rt.ep == ROUTE_STATUS)
		return 0;
	memset(&w, 0, sizeof(w));
	buf_init(&path, PATH_MAX);
	buf_init(&err, 4096);
	if ((r = buf_printf(&path, "%s/%s", c->cache_dir, CATALOG_NAME)) ==
	    AFP_OK && (r = catalog_open(buf_str(&path), &cat)) == AFP_OK) {
		/* Without group rules in the catalog, /account needs no NSS. */
		if (q->rt.ep == ROUTE_ACCOUNTS && catalog_any(&cat, 'g') &&
		    (r = user_groups(q)) != AFP_OK) {
			catalog_close(&cat);
			groups_failed(q, r);
			goto out;
		}
		r = catalog_scope(q, &cat, &w);
		catalog_close(&cat);
	}
	if (r == AFP_OK)
		r = conf_load_accounts(c, &w.files, &w.keep, &err);
	else if (r != AFP_ERR_NOMEM) {
		/* No catalog yet (the refresher has not run) or a damaged one. */
		if (r != AFP_ERR_NOTFOUND)
			log_warn("%s: %s; reading all of accounts_dir",
			    buf_str(&path), afp_strerror(r));
		if (q->rt.ep == ROUTE_ACCOUNTS &&
		    (r = user_groups(q)) != AFP_OK) {
			groups_failed(q, r);
			goto out;
		}
		r = conf_load_accounts(c, NULL, NULL, &err);
	}
	if (r != AFP_OK) {
		log_err("%s", err.len > 0 ? buf_str(&err) : afp_strerror(r));
		cgi_fail(q, 500, "internal error", "configuration not loaded");
		goto out;
	}
	/* The sandbox loads no NSS module: the last lookup happens here. */
	if (authz_role_needs_groups(c, conf_role_find(c, q->rt.account,
	    q->rt.role), buf_str(&q->user)) &&
	    (r = user_groups(q)) != AFP_OK) {
		groups_failed(q, r);
		goto out;
	}
	rc = 0;
 out:
	strlist_free(&w.keep);
	strlist_free(&w.files);
	buf_free(&err);
	buf_free(&path);
	return rc;
}
