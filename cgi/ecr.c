/* XXX: placeholder until the ECR work lands in this session. */
#include "cgi.h"

void
ecr_answer(struct req *q)
{
	cgi_fail(q, 404, "not found", "ECR not built yet");
}
