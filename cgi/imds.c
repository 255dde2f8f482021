/* XXX: placeholder until the instance-metadata work lands in this session. */
#include "cgi.h"

void
imds_answer(struct req *q)
{
	cgi_fail(q, 404, "not found", "instance metadata not built yet");
}
