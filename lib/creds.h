/* creds: an AWS credential set. Every string is a secret but akid. */
#ifndef AFP_CREDS_H
#define AFP_CREDS_H

#include <time.h>

struct afp_creds {
	char *akid;		/* access key id */
	char *secret;		/* secret access key */
	char *token;		/* session token, NULL for long-term keys */
	time_t expiration;	/* 0 when the credentials do not expire */
};

/* Wipe and free the strings; the struct is zeroed and reusable. */
void creds_clear(struct afp_creds *c);

#endif
