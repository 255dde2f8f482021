#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "conf.h"
#include "json.h"
#include "tm.h"

#define CACHE_VERSION "1"
#define TEMP_TAG ".tmp."

afp_err
cache_path(struct buf *out, const char *dir, const char *account,
    const char *role, const char *user)
{
	if (!conf_name_ok(account) || !conf_name_ok(role) ||
	    (user != NULL && !conf_user_ok(user)))
		return AFP_ERR_INVAL;
	if (user == NULL)
		return buf_printf(out, "%s/%s/%s.json", dir, account, role);
	return buf_printf(out, "%s/%s/%s/%s.json", dir, account, role, user);
}

static afp_err
dup_field(const struct json_doc *d, const char *path, int required, char **out)
{
	const char *v = json_get(d, path, JSON_STRING);

	*out = NULL;
	if (v == NULL)
		return required ? AFP_ERR_PARSE : AFP_OK;
	if ((*out = strdup(v)) == NULL)
		return AFP_ERR_NOMEM;
	return AFP_OK;
}

static afp_err
time_field(const struct json_doc *d, const char *path, int required, time_t *out)
{
	const char *v = json_get(d, path, JSON_STRING);

	*out = 0;
	if (v == NULL)
		return required ? AFP_ERR_PARSE : AFP_OK;
	return tm_parse_iso8601(v, out);
}

/* Credentials must look like what STS hands out: printable, no spaces. */
static int
token_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

/* One region's ECR authorization: "ecr.<region>.{token,expires,endpoint}". */
static afp_err
ecr_decode_one(const struct json_doc *d, const char *region, size_t n,
    struct cache_entry *e)
{
	struct cache_ecr v;
	struct buf key;
	afp_err r;

	memset(&v, 0, sizeof(v));
	buf_init(&key, 128);
	if ((v.region = strndup(region, n)) == NULL) {
		r = AFP_ERR_NOMEM;
		goto out;
	}
	if (!conf_region_ok(v.region)) {
		r = AFP_ERR_PARSE;
		goto out;
	}
	if ((r = buf_printf(&key, "ecr.%s.token", v.region)) != AFP_OK ||
	    (r = dup_field(d, buf_str(&key), 1, &v.token)) != AFP_OK)
		goto out;
	buf_reset(&key);
	if ((r = buf_printf(&key, "ecr.%s.expires", v.region)) != AFP_OK ||
	    (r = time_field(d, buf_str(&key), 1, &v.expires)) != AFP_OK)
		goto out;
	buf_reset(&key);
	if ((r = buf_printf(&key, "ecr.%s.endpoint", v.region)) != AFP_OK ||
	    (r = dup_field(d, buf_str(&key), 1, &v.endpoint)) != AFP_OK)
		goto out;
	if (!token_ok(v.token) || !token_ok(v.endpoint)) {
		r = AFP_ERR_PARSE;
		goto out;
	}
	r = cache_ecr_set(e, &v);
out:
	free(v.region);
	str_wipe_free(v.token);
	free(v.endpoint);
	buf_free(&key);
	return r;
}

static afp_err
ecr_decode(const struct json_doc *d, struct cache_entry *e)
{
	size_t i;
	afp_err r = AFP_OK;

	for (i = 0; i < d->n && r == AFP_OK; i++) {
		const char *p = d->f[i].path, *dot;

		if (strncmp(p, "ecr.", 4) == 0 &&
		    (dot = strchr(p + 4, '.')) != NULL && strcmp(dot, ".token") == 0)
			r = ecr_decode_one(d, p + 4, (size_t)(dot - p - 4), e);
	}
	return r;
}

static afp_err
cache_decode(const struct json_doc *d, struct cache_entry *e)
{
	const char *v = json_get(d, "version", JSON_NUMBER);
	afp_err r;

	if (v == NULL || strcmp(v, CACHE_VERSION) != 0)
		return AFP_ERR_PARSE;
	if ((r = dup_field(d, "access_key_id", 1, &e->creds.akid)) != AFP_OK ||
	    (r = dup_field(d, "secret_access_key", 1, &e->creds.secret)) != AFP_OK ||
	    (r = dup_field(d, "session_token", 0, &e->creds.token)) != AFP_OK ||
	    (r = time_field(d, "expiration", 1, &e->creds.expiration)) != AFP_OK ||
	    (r = time_field(d, "last_updated", 1, &e->last_updated)) != AFP_OK ||
	    (r = dup_field(d, "identity.account", 0, &e->id_account)) != AFP_OK ||
	    (r = dup_field(d, "identity.arn", 0, &e->id_arn)) != AFP_OK ||
	    (r = dup_field(d, "identity.user_id", 0, &e->id_userid)) != AFP_OK ||
	    (r = dup_field(d, "signin_token", 0, &e->signin_token)) != AFP_OK ||
	    (r = time_field(d, "signin_expires", 0, &e->signin_expires)) != AFP_OK)
		return r;
	/* What cache_encode writes together must come together. */
	if ((e->id_account == NULL) != (e->id_arn == NULL) ||
	    (e->id_arn == NULL) != (e->id_userid == NULL) ||
	    (e->signin_token == NULL) !=
	    (json_get(d, "signin_expires", JSON_STRING) == NULL))
		return AFP_ERR_PARSE;
	if (!token_ok(e->creds.akid) || !token_ok(e->creds.secret) ||
	    (e->creds.token != NULL && !token_ok(e->creds.token)) ||
	    (e->signin_token != NULL && !token_ok(e->signin_token)))
		return AFP_ERR_PARSE;
	return ecr_decode(d, e);
}

afp_err
cache_read_file(const char *path, size_t max, struct buf *out)
{
	struct stat st;
	int fd;
	afp_err r = AFP_ERR_IO;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno == ENOENT ? AFP_ERR_NOTFOUND : AFP_ERR_IO;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		goto out;
	if ((size_t)st.st_size > max) {
		r = AFP_ERR_TOOBIG;
		goto out;
	}
	r = buf_read_fd(out, fd, (size_t)st.st_size);
out:
	close(fd);
	return r;
}

afp_err
cache_parse(const char *data, size_t len, struct cache_entry *e)
{
	struct json_doc d = { 0 };
	afp_err r;

	memset(e, 0, sizeof(*e));
	if ((r = json_parse(data, len, &d)) != AFP_OK)
		r = AFP_ERR_PARSE;
	else if ((r = cache_decode(&d, e)) != AFP_OK)
		cache_entry_clear(e);
	json_doc_free(&d);
	return r;
}

afp_err
cache_read(const char *path, struct cache_entry *e)
{
	struct buf data;
	afp_err r;

	memset(e, 0, sizeof(*e));
	buf_init(&data, CACHE_FILE_MAX);
	if ((r = cache_read_file(path, CACHE_FILE_MAX, &data)) == AFP_OK)
		r = cache_parse(buf_str(&data), data.len, e);
	buf_free(&data);
	return r;
}

static afp_err
kv_time(struct buf *b, int *first, const char *key, time_t t)
{
	char s[TM_ISO8601_LEN];
	afp_err r;

	if ((r = tm_format_iso8601(t, s)) != AFP_OK)
		return r;
	return json_kv(b, first, key, s);
}

static afp_err
ecr_encode(const struct cache_entry *e, struct buf *b)
{
	size_t i;
	afp_err r;

	if ((r = buf_addstr(b, ",\"ecr\":{")) != AFP_OK)
		return r;
	for (i = 0; i < e->necr; i++) {
		const struct cache_ecr *v = &e->ecr[i];
		int first = 1;

		if ((i > 0 && (r = buf_addc(b, ',')) != AFP_OK) ||
		    (r = json_str(b, v->region)) != AFP_OK ||
		    (r = buf_addstr(b, ":{")) != AFP_OK ||
		    (r = json_kv(b, &first, "token", v->token)) != AFP_OK ||
		    (r = kv_time(b, &first, "expires", v->expires)) != AFP_OK ||
		    (r = json_kv(b, &first, "endpoint", v->endpoint)) != AFP_OK ||
		    (r = buf_addc(b, '}')) != AFP_OK)
			return r;
	}
	return buf_addc(b, '}');
}

static afp_err
cache_encode(const struct cache_entry *e, struct buf *b)
{
	int first = 1, ifirst = 1;
	afp_err r;

	if ((r = buf_addc(b, '{')) != AFP_OK ||
	    (r = json_kv_int(b, &first, "version", 1)) != AFP_OK ||
	    (r = json_kv(b, &first, "access_key_id", e->creds.akid)) != AFP_OK ||
	    (r = json_kv(b, &first, "secret_access_key", e->creds.secret)) != AFP_OK ||
	    (e->creds.token != NULL &&
	    (r = json_kv(b, &first, "session_token", e->creds.token)) != AFP_OK) ||
	    (r = kv_time(b, &first, "expiration", e->creds.expiration)) != AFP_OK ||
	    (r = kv_time(b, &first, "last_updated", e->last_updated)) != AFP_OK)
		return r;
	if ((e->id_account == NULL) != (e->id_arn == NULL) ||
	    (e->id_arn == NULL) != (e->id_userid == NULL))
		return AFP_ERR_INVAL;
	if (e->id_arn != NULL &&
	    ((r = buf_addstr(b, ",\"identity\":{")) != AFP_OK ||
	    (r = json_kv(b, &ifirst, "account", e->id_account)) != AFP_OK ||
	    (r = json_kv(b, &ifirst, "arn", e->id_arn)) != AFP_OK ||
	    (r = json_kv(b, &ifirst, "user_id", e->id_userid)) != AFP_OK ||
	    (r = buf_addc(b, '}')) != AFP_OK))
		return r;
	if (e->signin_token != NULL &&
	    ((r = json_kv(b, &first, "signin_token", e->signin_token)) != AFP_OK ||
	    (r = kv_time(b, &first, "signin_expires", e->signin_expires)) != AFP_OK))
		return r;
	if (e->necr > 0 && (r = ecr_encode(e, b)) != AFP_OK)
		return r;
	return buf_addstr(b, "}\n");
}

afp_err
cache_stage(const char *path, const struct cache_entry *e, struct buf *tmp)
{
	struct buf b;
	afp_err r;

	if (!token_ok(e->creds.akid) || !token_ok(e->creds.secret) ||
	    (e->creds.token != NULL && !token_ok(e->creds.token)))
		return AFP_ERR_INVAL;
	buf_init(&b, CACHE_FILE_MAX);
	if ((r = cache_encode(e, &b)) == AFP_OK)
		r = cache_stage_file(path, b.p, b.len, tmp);
	buf_free(&b);
	return r;
}

/* Split path into a directory (in dir) and the final name. */
static afp_err
split_path(const char *path, struct buf *dir, const char **name)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*name = path;
		return buf_addstr(dir, ".");
	}
	*name = slash + 1;
	if (**name == '\0')
		return AFP_ERR_INVAL;
	return buf_add(dir, path, slash == path ? 1 : (size_t)(slash - path));
}

/* Create dir (and missing parents) 0750 with the group of its parent. */
static afp_err
make_dirs(const char *dir)
{
	struct buf parent;
	struct stat st;
	const char *name;
	afp_err r;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? AFP_OK : AFP_ERR_IO;
	if (errno != ENOENT)
		return AFP_ERR_IO;
	buf_init(&parent, 0);
	if ((r = split_path(dir, &parent, &name)) != AFP_OK ||
	    (r = make_dirs(buf_str(&parent))) != AFP_OK)
		goto out;
	r = AFP_ERR_IO;
	if (stat(buf_str(&parent), &st) == -1 ||
	    (mkdir(dir, 0750) == -1 && errno != EEXIST))
		goto out;
	/* The group decides who may read the cache: keep the parent's. */
	if (chown(dir, (uid_t)-1, st.st_gid) == -1 && errno != EPERM)
		goto out;
	r = AFP_OK;
out:
	buf_free(&parent);
	return r;
}

/* flush (fsync or syncfs) on path opened read-only, keeping its errno. */
static afp_err
flush_path(const char *path, int oflags, int (*flush)(int))
{
	int fd, rc, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | oflags)) == -1)
		return AFP_ERR_IO;
	rc = flush(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc == 0 ? AFP_OK : AFP_ERR_IO;
}

afp_err
cache_sync_fs(const char *dir)
{
	return flush_path(dir, O_DIRECTORY, syncfs);
}

/* Create a fresh temp file next to name, already with its final mode. */
static afp_err
open_temp(const char *dir, const char *name, struct buf *tmp, int *fdp)
{
	struct stat st;
	unsigned char rnd[8];
	int i, fd;
	afp_err r;

	if (stat(dir, &st) == -1)
		return AFP_ERR_IO;
	for (i = 0; i < 16; i++) {
		buf_reset(tmp);
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return AFP_ERR_IO;
		if ((r = buf_printf(tmp, "%s/.%s" TEMP_TAG
		    "%02x%02x%02x%02x%02x%02x%02x%02x", dir, name, rnd[0],
		    rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7])) != AFP_OK)
			return r;
		fd = open(buf_str(tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0640);
		if (fd == -1 && errno == EEXIST)
			continue;
		if (fd == -1)
			return AFP_ERR_IO;
		if (fchown(fd, (uid_t)-1, st.st_gid) == -1 && errno != EPERM) {
			close(fd);
			unlink(buf_str(tmp));
			return AFP_ERR_IO;
		}
		*fdp = fd;
		return AFP_OK;
	}
	return AFP_ERR_IO;
}

afp_err
cache_stage_file(const char *path, const char *data, size_t len,
    struct buf *tmp)
{
	struct buf dir;
	const char *name;
	int fd = -1, saved = 0;
	afp_err r;

	buf_init(&dir, 0);
	if ((r = split_path(path, &dir, &name)) != AFP_OK ||
	    (r = make_dirs(buf_str(&dir))) != AFP_OK ||
	    (r = open_temp(buf_str(&dir), name, tmp, &fd)) != AFP_OK) {
		saved = errno;
		goto out;
	}
	if (buf_write_fd(fd, data, len) != AFP_OK) {
		saved = errno;
		close(fd);
		unlink(buf_str(tmp));
		r = AFP_ERR_IO;
	} else if (close(fd) == -1) {
		saved = errno;
		unlink(buf_str(tmp));
		r = AFP_ERR_IO;
	}
out:
	if (r != AFP_OK)
		buf_reset(tmp);
	buf_free(&dir);
	/* The caller names the cause (a full disk, say) from errno. */
	errno = saved;
	return r;
}

void
cache_discard(const char *tmp)
{
	int saved = errno;

	(void)unlink(tmp);
	errno = saved;
}

/* fsync the staged tmp; on failure tmp is removed. */
static afp_err
sync_file(const char *tmp)
{
	if (flush_path(tmp, O_NOFOLLOW, fsync) == AFP_OK)
		return AFP_OK;
	cache_discard(tmp);
	return AFP_ERR_IO;
}

afp_err
cache_commit(const char *tmp, const char *path)
{
	if (rename(tmp, path) == 0)
		return AFP_OK;
	cache_discard(tmp);
	return AFP_ERR_IO;
}

/* The last steps for one file: sync tmp, rename it, sync its directory. */
static afp_err
commit_one(const char *tmp, const char *path)
{
	struct buf dir;
	const char *name;
	int saved = 0;
	afp_err r;

	buf_init(&dir, 0);
	if ((r = sync_file(tmp)) != AFP_OK ||
	    (r = cache_commit(tmp, path)) != AFP_OK)
		saved = errno;
	else if ((r = split_path(path, &dir, &name)) == AFP_OK &&
	    (r = flush_path(buf_str(&dir), O_DIRECTORY, fsync)) != AFP_OK)
		saved = errno;
	buf_free(&dir);
	errno = saved;
	return r;
}

afp_err
cache_write(const char *path, const struct cache_entry *e)
{
	struct buf tmp;
	afp_err r;

	buf_init(&tmp, 0);
	if ((r = cache_stage(path, e, &tmp)) == AFP_OK)
		r = commit_one(buf_str(&tmp), path);
	buf_free(&tmp);
	return r;
}

afp_err
cache_write_file(const char *path, const char *data, size_t len)
{
	struct buf tmp;
	afp_err r;

	buf_init(&tmp, 0);
	if ((r = cache_stage_file(path, data, len, &tmp)) == AFP_OK)
		r = commit_one(buf_str(&tmp), path);
	buf_free(&tmp);
	return r;
}

void
cache_entry_clear(struct cache_entry *e)
{
	creds_clear(&e->creds);
	free(e->id_account);
	free(e->id_arn);
	free(e->id_userid);
	str_wipe_free(e->signin_token);
	for (size_t i = 0; i < e->necr; i++) {
		free(e->ecr[i].region);
		str_wipe_free(e->ecr[i].token);
		free(e->ecr[i].endpoint);
	}
	free(e->ecr);
	memset(e, 0, sizeof(*e));
}

const struct cache_ecr *
cache_ecr_find(const struct cache_entry *e, const char *region)
{
	size_t i;

	for (i = 0; i < e->necr; i++)
		if (strcmp(e->ecr[i].region, region) == 0)
			return &e->ecr[i];
	return NULL;
}

afp_err
cache_ecr_set(struct cache_entry *e, struct cache_ecr *v)
{
	struct cache_ecr *ne;
	size_t i;

	if (!conf_region_ok(v->region))
		return AFP_ERR_INVAL;
	for (i = 0; i < e->necr; i++) {
		int c = strcmp(e->ecr[i].region, v->region);

		if (c == 0) {
			free(e->ecr[i].region);
			str_wipe_free(e->ecr[i].token);
			free(e->ecr[i].endpoint);
			e->ecr[i] = *v;
			memset(v, 0, sizeof(*v));
			return AFP_OK;
		}
		if (c > 0)
			break;
	}
	if ((ne = reallocarray(e->ecr, e->necr + 1, sizeof(*ne))) == NULL)
		return AFP_ERR_NOMEM;
	e->ecr = ne;
	memmove(&ne[i + 1], &ne[i], (e->necr - i) * sizeof(*ne));
	ne[i] = *v;
	e->necr++;
	memset(v, 0, sizeof(*v));
	return AFP_OK;
}

afp_err
cache_lock(const char *dir, int *fdp)
{
	struct buf path;
	int fd;
	afp_err r = AFP_ERR_IO;

	*fdp = -1;
	buf_init(&path, 0);
	if ((r = buf_printf(&path, "%s/.lock", dir)) != AFP_OK)
		goto out;
	r = AFP_ERR_IO;
	if ((fd = open(buf_str(&path), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1)
		goto out;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		r = errno == EWOULDBLOCK ? AFP_ERR_LOCKED : AFP_ERR_IO;
		close(fd);
		goto out;
	}
	*fdp = fd;
	r = AFP_OK;
out:
	buf_free(&path);
	return r;
}

afp_err
cache_dir_check(const char *dir, struct buf *err)
{
	struct stat st;
	afp_err r;

	if (lstat(dir, &st) == -1) {
		r = buf_printf(err, "%s: %s", dir, strerror(errno));
		return r == AFP_OK ? AFP_ERR_IO : r;
	}
	if (!S_ISDIR(st.st_mode))
		r = buf_printf(err, "%s: not a directory (symlinks are refused)", dir);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		r = buf_printf(err, "%s: owned by uid %u, want root", dir,
		    (unsigned)st.st_uid);
	else if ((st.st_mode & 0027) != 0)
		r = buf_printf(err, "%s: mode %04o lets others in, want 0750",
		    dir, (unsigned)(st.st_mode & 0777));
	else
		return AFP_OK;
	return r == AFP_OK ? AFP_ERR_PERM : r;
}

static void
clean_dir(int dfd, int depth)
{
	DIR *d;
	struct dirent *de;
	int sub;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_REG && de->d_name[0] == '.' &&
		    strstr(de->d_name, TEMP_TAG) != NULL)
			unlinkat(dirfd(d), de->d_name, 0);
		else if (de->d_type == DT_DIR && depth > 0 &&
		    (sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) != -1)
			clean_dir(sub, depth - 1);
	}
	closedir(d);
}

void
cache_clean_temps(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) != -1)
		clean_dir(fd, 2);
}
