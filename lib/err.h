/* err: the one error type of afp. 0 is success; afp_strerror() names the rest. */
#ifndef AFP_ERR_H
#define AFP_ERR_H

#define AFP_ERRORS(X) \
	X(AFP_OK,            "success") \
	X(AFP_ERR_NOMEM,     "out of memory") \
	X(AFP_ERR_INVAL,     "invalid input") \
	X(AFP_ERR_TOOBIG,    "input exceeds its size limit") \
	X(AFP_ERR_IO,        "input/output error") \
	X(AFP_ERR_PERM,      "unsafe file owner or mode") \
	X(AFP_ERR_NOTFOUND,  "not found") \
	X(AFP_ERR_CONFIG,    "configuration error") \
	X(AFP_ERR_PARSE,     "malformed data") \
	X(AFP_ERR_CRYPTO,    "cryptographic operation failed") \
	X(AFP_ERR_NET,       "network error") \
	X(AFP_ERR_THROTTLED, "request throttled") \
	X(AFP_ERR_SERVER,    "server error") \
	X(AFP_ERR_AWS,       "AWS rejected the request") \
	X(AFP_ERR_EXPIRED,   "expired") \
	X(AFP_ERR_LOCKED,    "locked by another process") \
	X(AFP_ERR_AUTH,      "authentication failed") \
	X(AFP_ERR_DENIED,    "not allowed") \
	X(AFP_ERR_INTERNAL,  "internal error")

#define AFP_ERR_ENUM(name, text) name,
typedef enum { AFP_ERRORS(AFP_ERR_ENUM) AFP_ERR_MAX } afp_err;
#undef AFP_ERR_ENUM

#define AFP_WUR __attribute__((warn_unused_result))

/* A static, human-readable text for e; never NULL. */
const char *afp_strerror(afp_err e);

#endif
