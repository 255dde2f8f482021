#include <stdlib.h>
#include <string.h>

#include "strlist.h"

/* Capacity doubles from 8 at each power of two, so no separate field. */
afp_err
strlist_addn(struct strlist *l, const char *s, size_t n)
{
	char **nv, *copy;

	if (l->n >= STRLIST_MAX)
		return AFP_ERR_TOOBIG;
	if (l->n == 0 || (l->n >= 8 && (l->n & (l->n - 1)) == 0)) {
		nv = reallocarray(l->v, l->n == 0 ? 8 : l->n * 2, sizeof(*nv));
		if (nv == NULL)
			return AFP_ERR_NOMEM;
		l->v = nv;
	}
	if ((copy = strndup(s, n)) == NULL)
		return AFP_ERR_NOMEM;
	l->v[l->n++] = copy;
	return AFP_OK;
}

afp_err
strlist_add(struct strlist *l, const char *s)
{
	return strlist_addn(l, s, strlen(s));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strlist_sort_uniq(struct strlist *l)
{
	size_t i, j;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (i = 1, j = 1; i < l->n; i++) {
		if (strcmp(l->v[i], l->v[j - 1]) == 0)
			free(l->v[i]);
		else
			l->v[j++] = l->v[i];
	}
	l->n = j;
}

int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

int
strlist_has_sorted(const struct strlist *l, const char *s)
{
	/* bsearch() must not get NULL, even for zero elements. */
	return l->n > 0 &&
	    bsearch(&s, l->v, l->n, sizeof(*l->v), cmp_str) != NULL;
}

void
strlist_free(struct strlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
