/*
 * imds: the session tokens of PUT /latest/api/token (DESIGN.md §4). A token
 * is "<expiry>.<mac>": expiry in decimal epoch seconds, mac the lower-case
 * hex of HMAC-SHA256(key, "afp-imds-token-v1|<expiry>|<identity>"). It
 * proves which machine asked for it and until when, so the CGI keeps no
 * state; the label keeps these MACs apart from any other use of the key.
 */
#ifndef AFP_IMDS_H
#define AFP_IMDS_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define IMDS_KEY_LEN		32	/* bytes; imds.key holds them as 64 hex digits */
#define IMDS_KEY_FILE_MAX	128	/* imds.key is read with this cap */
#define IMDS_TTL_MIN		1
#define IMDS_TTL_MAX		21600	/* seconds, as EC2 */
#define IMDS_TOKEN_MAX		128	/* a longer header is no token of ours */
#define IMDS_IDENTITY_MAX	255

/*
 * A machine identity usable in a token and comparable with a role's
 * `machines`: 1-255 characters of [A-Za-z0-9._:@+=,-].
 */
int imds_identity_ok(const char *s);
/*
 * The key from the contents of imds.key: exactly 64 hex digits, optionally
 * followed by one newline. AFP_ERR_PARSE for anything else; key is then
 * zeroed.
 */
afp_err imds_key_parse(const char *s, size_t n,
    unsigned char key[IMDS_KEY_LEN]) AFP_WUR;
/*
 * The X-aws-ec2-metadata-token-ttl-seconds value: decimal digits only,
 * IMDS_TTL_MIN to IMDS_TTL_MAX. AFP_ERR_NOTFOUND for NULL (no header),
 * AFP_ERR_INVAL for anything else out of rule.
 */
afp_err imds_ttl_parse(const char *s, unsigned *ttl) AFP_WUR;
/*
 * Append a token for identity valid until now + ttl to out. AFP_ERR_INVAL
 * for a ttl out of range or an identity imds_identity_ok refuses.
 */
afp_err imds_token_mint(const unsigned char key[IMDS_KEY_LEN],
    const char *identity, time_t now, unsigned ttl, struct buf *out) AFP_WUR;
/*
 * Check a token (compared in constant time) for identity at time now.
 * AFP_OK: minted by this key for this identity and not expired.
 * AFP_ERR_PARSE: not shaped like a token. AFP_ERR_AUTH: another key,
 * another identity, altered, or an expiry further ahead than any TTL
 * allows (the clock went back). AFP_ERR_EXPIRED: expired.
 */
afp_err imds_token_check(const unsigned char key[IMDS_KEY_LEN],
    const char *identity, const char *token, time_t now) AFP_WUR;

#endif
