/*
 * afp-refresher: fetch short-lived AWS credentials into the cache that
 * afp.cgi answers from. Run by cron as root (DESIGN.md §5).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/random.h>

#include "cache.h"
#include "catalog.h"
#include "enc.h"
#include "conf.h"
#include "log.h"
#include "refresh.h"

#ifndef AFP_CONFIG_PATH
#define AFP_CONFIG_PATH "/etc/afp/afp.conf"
#endif

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

static void
usage(void)
{
	fprintf(stderr, "usage: afp-refresher [-c config] [-n|--dry-run] "
	    "[-f|--force] [-r account/role]... [-v] [-q]\n");
	exit(EXIT_USAGE);
}

static int
prepare_cache(const struct conf *c)
{
	struct buf err;
	afp_err r;

	buf_init(&err, 1024);
	if (mkdir(c->cache_dir, 0750) == 0)
		log_info("created %s", c->cache_dir);
	if ((r = cache_dir_check(c->cache_dir, &err)) != AFP_OK)
		log_err("cache directory refused: %s", buf_str(&err));
	buf_free(&err);
	return r == AFP_OK ? 0 : -1;
}

/*
 * The CGI signs instance-metadata tokens with <cache_dir>/imds.key; make
 * one when there is none (we hold the lock, so nobody races us).
 */
static int
imds_key(const char *dir)
{
	unsigned char key[32];
	struct buf path, hex;
	afp_err r = AFP_OK;

	buf_init(&path, 4096);
	buf_init(&hex, 128);
	if ((r = buf_printf(&path, "%s/imds.key", dir)) != AFP_OK ||
	    access(buf_str(&path), F_OK) == 0)
		goto out;
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		r = AFP_ERR_IO;
		goto out;
	}
	if ((r = enc_hex(&hex, key, sizeof(key))) != AFP_OK ||
	    (r = buf_addc(&hex, '\n')) != AFP_OK ||
	    (r = cache_write_file(buf_str(&path), hex.p, hex.len)) != AFP_OK)
		goto out;
	log_info("created %s", buf_str(&path));
out:
	if (r != AFP_OK)
		log_err("cannot create %s: %s", buf_str(&path), afp_strerror(r));
	explicit_bzero(key, sizeof(key));
	buf_free(&path);
	buf_free(&hex);
	return r == AFP_OK ? 0 : -1;
}

/*
 * The CGI's index of the configuration (catalog.h), rewritten when the
 * configuration changed, so a role added to it can be listed and one moved
 * between files found.
 */
static int
write_catalog(const struct conf *c)
{
	struct buf path, text, old;
	afp_err r;

	buf_init(&path, 4096);
	buf_init(&text, CATALOG_MAX);
	buf_init(&old, CATALOG_MAX);
	if ((r = buf_printf(&path, "%s/%s", c->cache_dir, CATALOG_NAME)) !=
	    AFP_OK || (r = catalog_build(c, &text)) != AFP_OK)
		goto out;
	if (cache_read_file(buf_str(&path), CATALOG_MAX, &old) == AFP_OK &&
	    old.len == text.len && memcmp(old.p, text.p, text.len) == 0)
		goto out;
	if ((r = cache_write_file(buf_str(&path), text.p, text.len)) == AFP_OK)
		log_info("wrote %s", buf_str(&path));
out:
	if (r != AFP_OK)
		log_err("cannot write %s: %s", buf_str(&path), afp_strerror(r));
	buf_free(&old);
	buf_free(&text);
	buf_free(&path);
	return r == AFP_OK ? 0 : -1;
}

/* Each -r must name a configured role, "account/role". */
static int
check_filters(const struct conf *c, const struct refresh_opts *o)
{
	struct buf acct;
	const char *slash;
	size_t i;
	int rc = 0;

	buf_init(&acct, 128);
	for (i = 0; i < o->nonly && rc == 0; i++) {
		buf_reset(&acct);
		if ((slash = strchr(o->only[i], '/')) == NULL ||
		    buf_add(&acct, o->only[i], (size_t)(slash - o->only[i])) != AFP_OK ||
		    conf_role_find(c, buf_str(&acct), slash + 1) == NULL) {
			log_err("-r %s: no such role (want account/role)", o->only[i]);
			rc = -1;
		}
	}
	buf_free(&acct);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "role", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct refresh_opts o = { 0 };
	const char *path = AFP_CONFIG_PATH;
	struct conf *c = NULL;
	struct buf err;
	int ch, verbose = 0, lock = -1, rc = EXIT_FAILED;
	afp_err r;

	/* Files holding credentials are born 0640 at most. */
	umask(027);
	buf_init(&err, 4096);
	if ((o.only = calloc((size_t)argc, sizeof(*o.only))) == NULL)
		return EXIT_FAILED;
	while ((ch = getopt_long(argc, argv, "c:nfr:vq", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'r':
			o.only[o.nonly++] = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'q':
			verbose = -1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_open("afp-refresher", LOG_DEST_STDERR, verbose);
	if ((r = conf_load(path, &c, &err)) != AFP_OK) {
		log_err("%s", err.len ? buf_str(&err) : afp_strerror(r));
		rc = EXIT_USAGE;
		goto out;
	}
	if (check_filters(c, &o) == -1) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* -v keeps messages on the terminal whatever the config says. */
	if (verbose < 1)
		log_open("afp-refresher", c->log, verbose);
	if (!o.dry_run && prepare_cache(c) == -1)
		goto out;
	if (!o.dry_run) {
		if ((r = cache_lock(c->cache_dir, &lock)) == AFP_ERR_LOCKED) {
			log_info("another refresher is running; nothing to do");
			rc = 0;
			goto out;
		}
		if (r != AFP_OK) {
			log_err("cannot lock %s: %s", c->cache_dir, afp_strerror(r));
			goto out;
		}
		cache_clean_temps(c->cache_dir);
		if (imds_key(c->cache_dir) == -1 || write_catalog(c) == -1)
			goto out;
	}
	rc = refresh_run(c, &o) == AFP_OK ? 0 : EXIT_FAILED;
out:
	if (lock != -1)
		close(lock);
	conf_free(c);
	free(o.only);
	buf_free(&err);
	return rc;
}
