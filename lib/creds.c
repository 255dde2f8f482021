#include <string.h>

#include "buf.h"
#include "creds.h"

void
creds_clear(struct afp_creds *c)
{
	str_wipe_free(c->akid);
	str_wipe_free(c->secret);
	str_wipe_free(c->token);
	memset(c, 0, sizeof(*c));
}
