/*
 * catalog: an index of the configuration, so the CGI parses only the
 * accounts.d files one request needs and finds a user's roles without
 * walking them all (README "Performance"). The refresher writes
 * <cache_dir>/catalog at every run. It is a hint, never an authority: the
 * CGI checks every role it names against the configuration files, so a
 * stale catalog can hide a role until the next run, never grant one.
 *
 * The file: the line "afp-catalog 1", then unique lines in bytewise order,
 * fields separated by one space:
 *
 *   a ACCOUNT FILE        FILE in accounts_dir declares [account ACCOUNT]
 *   r ACCOUNT/ROLE FILE   FILE declares [role ACCOUNT/ROLE]
 *   u USER ACCOUNT/ROLE   USER is in the role's allow_users
 *   g GROUP ACCOUNT/ROLE  GROUP is in allow_groups or is its group_pattern
 *   m MACHINE ACCOUNT/ROLE  MACHINE is in the role's machines
 *
 * FILE is percent-encoded (enc_uri); no other field holds white space.
 */
#ifndef AFP_CATALOG_H
#define AFP_CATALOG_H

#include <stddef.h>
#include "buf.h"
#include "conf.h"

#define CATALOG_NAME	"catalog"
#define CATALOG_MAX	(64UL * 1024 * 1024)
/*
 * Up to this size the file is read, past it mapped: a mapping costs a
 * page fault and, when it goes, a TLB flush; a large catalog is searched
 * without reading all of it.
 */
#define CATALOG_READ_MAX	(4UL * 1024)

struct catalog {
	const char *p;		/* the lines after the header */
	size_t len;
	void *map;		/* what catalog_open mapped, or NULL */
	size_t maplen;
	struct buf data;	/* what catalog_open read (small files) */
};

/* The catalog of a loaded configuration, as the file's text, into out. */
afp_err catalog_build(const struct conf *c, struct buf *out) AFP_WUR;
/*
 * Read or map the file at path (a symlink or non-regular file is
 * refused). AFP_ERR_NOTFOUND when there is none, AFP_ERR_PARSE for a
 * wrong header, AFP_ERR_TOOBIG past CATALOG_MAX.
 */
afp_err catalog_open(const char *path, struct catalog *cat) AFP_WUR;
/* The same over len bytes in memory, which must outlive cat. */
afp_err catalog_init(struct catalog *cat, const char *data, size_t len) AFP_WUR;
void catalog_close(struct catalog *cat);

/*
 * Call fn with the last field of every line "KIND NAME ..." in file order
 * (not NUL-terminated); stop at fn's first error and return it. A name
 * with white space matches nothing. O(log n) to find the first line.
 */
typedef afp_err (*catalog_fn)(void *arg, const char *value, size_t len);
afp_err catalog_each(const struct catalog *cat, char kind, const char *name,
    catalog_fn fn, void *arg) AFP_WUR;
/* 1 when some line is of kind ('g': some role has a group rule). */
int catalog_any(const struct catalog *cat, char kind);

#endif
