/* XXX: placeholder until the HTML page lands in this session. */
#include <stdlib.h>

#include "cgi.h"

int
html_wanted(void)
{
	return 0;
}

void
html_accounts(struct req *q)
{
	cgi_fail(q, 404, "not found", "HTML page not built yet");
}
