/* XXX: placeholder until the console work lands in this session. */
#include "cgi.h"

void
console_answer(struct req *q)
{
	cgi_fail(q, 404, "not found", "console not built yet");
}

int
console_url(struct req *q, const struct cache_entry *e, struct buf *url)
{
	return 0;
}
