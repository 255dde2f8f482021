/* strlist: a growable array of strings it owns. { NULL, 0 } is empty. */
#ifndef AFP_STRLIST_H
#define AFP_STRLIST_H

#include <stddef.h>
#include "err.h"

/* No list grows past this; adding more is AFP_ERR_TOOBIG. */
#define STRLIST_MAX (1U << 22)

struct strlist {
	char **v;
	size_t n;
};

/* Append a copy of the n bytes at s (no NUL among them). */
afp_err strlist_addn(struct strlist *l, const char *s, size_t n) AFP_WUR;
afp_err strlist_add(struct strlist *l, const char *s) AFP_WUR;
/* Sort bytewise (strcmp) and drop repeats. */
void strlist_sort_uniq(struct strlist *l);
/* 1 when s is in l, else 0; a linear search. */
int strlist_has(const struct strlist *l, const char *s);
/* 1 when s is in l, which strlist_sort_uniq has sorted; a binary search. */
int strlist_has_sorted(const struct strlist *l, const char *s);
/* Free the strings and the array; NULL is fine. */
void strlist_free(struct strlist *l);

#endif
