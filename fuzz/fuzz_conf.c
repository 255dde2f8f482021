/*
 * conf_load and conf_secrets_load. The input is up to four files cut at
 * "\n%%\n": afp.conf, accounts.d/10-a.conf, accounts.d/20-b.conf and
 * accounts.d/policy.json (for policy_file). afp.conf is also read as a
 * secrets.conf.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "conf.h"
#include "util.h"

#define NFILES 4

static const char *const names[NFILES] = {
	"afp.conf", "accounts.d/10-a.conf", "accounts.d/20-b.conf",
	"accounts.d/policy.json",
};
static char *paths[NFILES];

static void
setup(void)
{
	char *d;
	size_t i;

	d = fuzz_path("accounts.d");
	if (mkdir(d, 0700) == -1)
		fuzz_fail(__FILE__, __LINE__, "mkdir");
	free(d);
	for (i = 0; i < NFILES; i++)
		paths[i] = fuzz_path(names[i]);
}

static void
check_conf(const struct conf *c)
{
	const struct conf_role *r, *prev = NULL;
	struct buf sn;
	size_t i;
	int d;

	FUZZ_CHECK(c->default_duration > 0 && c->max_duration > 0);
	for (i = 0; i < c->naccounts; i++)
		FUZZ_CHECK(conf_name_ok(c->accounts[i].name) &&
		    strlen(c->accounts[i].id) == 12);
	for (i = 0; i < c->nroles; i++) {
		r = &c->roles[i];
		FUZZ_CHECK(conf_name_ok(r->account) && conf_name_ok(r->name));
		FUZZ_CHECK(r->acct != NULL &&
		    strcmp(r->acct->name, r->account) == 0);
		FUZZ_CHECK(r->duration > 0 && r->duration <= c->max_duration);
		FUZZ_CHECK(r->type != ROLE_ASSUME_ROLE || r->role_arn != NULL);
		FUZZ_CHECK(conf_role_find(c, r->account, r->name) == r);
		/* Sorted by (account, name), no duplicates. */
		if (prev != NULL) {
			d = strcmp(prev->account, r->account);
			FUZZ_CHECK(d < 0 || (d == 0 &&
			    strcmp(prev->name, r->name) < 0));
		}
		prev = r;
		buf_init(&sn, 0);
		if (conf_session_name(r, "alice", &sn) == AFP_OK)
			FUZZ_CHECK(sn.len >= 2 && sn.len <= 64 &&
			    strstr(buf_str(&sn), "{user}") == NULL);
		else
			FUZZ_CHECK(sn.len == 0);
		buf_free(&sn);
	}
}

static afp_err
count(void *arg, const char *v, size_t n)
{
	(*(size_t *)arg)++;
	return AFP_OK;
}

/* The catalog of every loaded configuration reads back: each role once. */
static void
check_catalog(const struct conf *c)
{
	struct catalog cat;
	struct buf text, id;
	size_t i, n;

	buf_init(&text, CATALOG_MAX);
	buf_init(&id, 256);
	FUZZ_CHECK(catalog_build(c, &text) == AFP_OK);
	FUZZ_CHECK(catalog_init(&cat, text.p, text.len) == AFP_OK);
	for (i = 0; i < c->nroles; i++) {
		buf_reset(&id);
		FUZZ_CHECK(buf_printf(&id, "%s/%s", c->roles[i].account,
		    c->roles[i].name) == AFP_OK);
		n = 0;
		FUZZ_CHECK(catalog_each(&cat, 'r', buf_str(&id), count, &n) ==
		    AFP_OK);
		FUZZ_CHECK(n == 1);
	}
	buf_free(&id);
	buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[NFILES];
	struct afp_creds cr;
	struct conf *c = NULL;
	struct buf err;
	size_t n, i;
	afp_err r;

	if (paths[0] == NULL)
		setup();
	n = fuzz_split(data, size, "\n%%\n", parts, NFILES);
	for (i = 0; i < NFILES; i++) {
		if (i < n)
			fuzz_write(paths[i], parts[i].p, parts[i].n);
		else
			(void)unlink(paths[i]);
	}

	buf_init(&err, 0);
	r = conf_load(paths[0], &c, &err);
	if (r == AFP_OK) {
		FUZZ_CHECK(c != NULL && err.len == 0);
		check_conf(c);
		check_catalog(c);
	} else
		FUZZ_CHECK(c == NULL && err.len > 0);
	conf_free(c);
	buf_free(&err);

	buf_init(&err, 0);
	memset(&cr, 0xa5, sizeof(cr));
	r = conf_secrets_load(paths[0], &cr, &err);
	if (r == AFP_OK)
		FUZZ_CHECK(cr.akid != NULL && cr.secret != NULL);
	else
		FUZZ_CHECK(cr.akid == NULL && cr.secret == NULL &&
		    cr.token == NULL && err.len > 0);
	creds_clear(&cr);
	buf_free(&err);
	return 0;
}
