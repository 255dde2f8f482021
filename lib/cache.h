/*
 * cache: the refresher's results on disk (DESIGN.md §3). One JSON file per
 * role, or per (role, user) for per-user sessions; writes are atomic.
 */
#ifndef AFP_CACHE_H
#define AFP_CACHE_H

#include <time.h>
#include "buf.h"
#include "creds.h"

#define CACHE_FILE_MAX (256 * 1024)

/* An ECR authorization for one region. */
struct cache_ecr {
	char *region;
	char *token;		/* base64 of "AWS:<password>"; a secret */
	time_t expires;
	char *endpoint;		/* proxyEndpoint */
};

struct cache_entry {
	struct afp_creds creds;
	time_t last_updated;
	char *id_account;	/* GetCallerIdentity of creds; NULL when unknown */
	char *id_arn;
	char *id_userid;
	char *signin_token;	/* console sign-in token; NULL when none */
	time_t signin_expires;
	struct cache_ecr *ecr;	/* sorted by region */
	size_t necr;
};

/*
 * The entry's path: <dir>/<account>/<role>.json, or
 * <dir>/<account>/<role>/<user>.json when user is not NULL. Names are
 * checked (conf_name_ok / conf_user_ok); AFP_ERR_INVAL otherwise.
 */
afp_err cache_path(struct buf *out, const char *dir, const char *account,
    const char *role, const char *user) AFP_WUR;
/* Read and validate an entry; AFP_ERR_NOTFOUND when there is none. */
afp_err cache_read(const char *path, struct cache_entry *e) AFP_WUR;
/* Validate an entry read with cache_read_file; AFP_ERR_PARSE if no JSON. */
afp_err cache_parse(const char *data, size_t len, struct cache_entry *e) AFP_WUR;
/*
 * Write an entry atomically: temp file in the same directory created 0640
 * with the directory's group, fsync, rename, fsync of the directory.
 * Missing parent directories are created 0750.
 */
afp_err cache_write(const char *path, const struct cache_entry *e) AFP_WUR;
/*
 * Read a whole regular file of at most max bytes (AFP_ERR_TOOBIG past it),
 * refusing symlinks; AFP_ERR_NOTFOUND when it does not exist.
 */
afp_err cache_read_file(const char *path, size_t max, struct buf *out) AFP_WUR;
/* Write any text file atomically the same way (status.json). */
afp_err cache_write_file(const char *path, const char *data, size_t len) AFP_WUR;
/*
 * The steps of those two for a caller writing many entries at once (the
 * refresher): stage each into a temp file beside path (tmp gets its name;
 * nothing is left behind on failure), make them all durable with one
 * cache_sync_fs, commit each by rename, then cache_sync_fs again for the
 * renames. One file system flush costs less than a thousand fsyncs, each
 * with its own write and journal commit. After a failure of any write
 * function, errno holds the system's reason.
 */
afp_err cache_stage(const char *path, const struct cache_entry *e,
    struct buf *tmp) AFP_WUR;
afp_err cache_stage_file(const char *path, const char *data, size_t len,
    struct buf *tmp) AFP_WUR;
/* Rename tmp to path; on failure tmp is removed. */
afp_err cache_commit(const char *tmp, const char *path) AFP_WUR;
/* Remove a staged tmp that will not be committed. */
void cache_discard(const char *tmp);
/* syncfs(2) on the file system holding directory dir. */
afp_err cache_sync_fs(const char *dir) AFP_WUR;
/* Wipe and free the entry's strings. */
void cache_entry_clear(struct cache_entry *e);
/* The entry's ECR authorization for region, or NULL. */
const struct cache_ecr *cache_ecr_find(const struct cache_entry *e,
    const char *region);
/*
 * Set region's ECR authorization, taking ownership of the strings of v
 * (which is zeroed); replaces an earlier one.
 */
afp_err cache_ecr_set(struct cache_entry *e, struct cache_ecr *v) AFP_WUR;

/*
 * Take <dir>/.lock without waiting; AFP_ERR_LOCKED when another process
 * holds it. The lock is held until *fd is closed.
 */
afp_err cache_lock(const char *dir, int *fd) AFP_WUR;
/*
 * Refuse (AFP_ERR_PERM) a cache directory that is a symlink, not owned by
 * root (or the caller), or writable or readable by others.
 */
afp_err cache_dir_check(const char *dir, struct buf *err) AFP_WUR;
/* Remove temp files that a killed writer left under dir. */
void cache_clean_temps(const char *dir);

#endif
