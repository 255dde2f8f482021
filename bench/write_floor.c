/*
 * write_floor: the disk work of a refresh and nothing else. It writes N
 * files of BYTES bytes, PER to a directory, the way the refresher stores
 * entries (lib/cache.c: stage each, one syncfs, rename each, one more), so
 * `make bench` can show how much of a refresh's wall time the durable
 * writes alone take on this machine.
 *
 *   write_floor DIR N BYTES PER    prints "ms <wall time of the writes>"
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "now.h"
#include "buf.h"
#include "cache.h"


static int
fail(const char *what, const char *path)
{
	fprintf(stderr, "write_floor: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	struct buf *tmp, path;
	char *data;
	long n, bytes, per, i;
	double t0;
	int rc = 1;

	if (argc != 5 || (n = atol(argv[2])) <= 0 ||
	    (bytes = atol(argv[3])) <= 0 || (per = atol(argv[4])) <= 0) {
		fprintf(stderr, "usage: write_floor DIR N BYTES PER\n");
		return 2;
	}
	if ((data = malloc((size_t)bytes)) == NULL ||
	    (tmp = calloc((size_t)n, sizeof(*tmp))) == NULL)
		return 1;
	memset(data, 'x', (size_t)bytes);
	buf_init(&path, 4096);
	for (i = 0; i < n; i += per) {
		buf_reset(&path);
		if (buf_printf(&path, "%s/a%04ld", argv[1], i / per) != AFP_OK ||
		    mkdir(buf_str(&path), 0750) == -1)
			return fail("mkdir", buf_str(&path));
	}
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		buf_init(&tmp[i], 4096);
		buf_reset(&path);
		if (buf_printf(&path, "%s/a%04ld/r%05ld.json", argv[1], i / per,
		    i) != AFP_OK ||
		    cache_stage_file(buf_str(&path), data, (size_t)bytes,
		    &tmp[i]) != AFP_OK)
			return fail("stage", buf_str(&path));
	}
	if (cache_sync_fs(argv[1]) != AFP_OK)
		return fail("syncfs", argv[1]);
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		if (buf_printf(&path, "%s/a%04ld/r%05ld.json", argv[1], i / per,
		    i) != AFP_OK ||
		    cache_commit(buf_str(&tmp[i]), buf_str(&path)) != AFP_OK)
			return fail("rename", buf_str(&path));
	}
	if (cache_sync_fs(argv[1]) != AFP_OK)
		return fail("syncfs", argv[1]);
	printf("ms %.0f\n", now_ms() - t0);
	rc = 0;
	for (i = 0; i < n; i++)
		buf_free(&tmp[i]);
	free(tmp);
	free(data);
	buf_free(&path);
	return rc;
}
