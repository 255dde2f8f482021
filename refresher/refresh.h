/* refresh: one refresher run over the configured roles (DESIGN.md §5). */
#ifndef AFP_REFRESH_H
#define AFP_REFRESH_H

#include "conf.h"

struct refresh_opts {
	int force;		/* refresh every entry, due or not */
	int dry_run;		/* report what is due; no network, no writes */
	char **only;		/* "account/role" filters from -r; NULL = all */
	size_t nonly;
};

/*
 * Refresh what is due and write status.json. AFP_OK when every entry is
 * fresh afterwards; AFP_ERR_AWS (or another error) when any failed.
 */
afp_err refresh_run(const struct conf *c, const struct refresh_opts *o) AFP_WUR;

#endif
