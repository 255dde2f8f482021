/*
 * route: the endpoint, account and role of a CGI request (DESIGN.md §4),
 * and strict query-string look-ups. Nothing here reads the environment but
 * route_env_get(), so tests can drive the parser directly.
 */
#ifndef AFP_ROUTE_H
#define AFP_ROUTE_H

#include "buf.h"

#define ROUTE_PATH_MAX	4096	/* raw path bytes; longer is 414 */
#define ROUTE_QUERY_MAX	4096	/* raw query bytes; longer is AFP_ERR_TOOBIG */
#define ROUTE_NAME_MAX	64	/* conf_name_ok() allows no longer segment */
#define ROUTE_SEG_MAX	8	/* more segments match no endpoint: 404 */
#define ROUTE_LOG_MAX	(ROUTE_SEG_MAX * (ROUTE_NAME_MAX + 1) + 2)

enum route_ep {
	ROUTE_NONE,		/* not routed: status says why */
	ROUTE_STATUS,		/* /status */
	ROUTE_ACCOUNTS,		/* /account */
	ROUTE_ROLE,		/* /account/{a}/{r} */
	ROUTE_CREDENTIALS,	/* /account/{a}/{r}/credentials */
	ROUTE_IDENTITY,		/* /account/{a}/{r}/caller-identity */
	ROUTE_CONSOLEURL,	/* /account/{a}/{r}/consoleurl */
	ROUTE_CONSOLE,		/* /account/{a}/{r}/console */
	ROUTE_ECR,		/* /account/{a}/{r}/ecr/credentials */
	ROUTE_CONTAINER,	/* /account/{a}/{r}/container-credentials */
	ROUTE_IMDS_LIST,	/* [/latest]/meta-data/iam/security-credentials/ */
	ROUTE_IMDS_ROLE,	/* [/latest]/meta-data/iam/security-credentials/{r} */
	ROUTE_IMDS_TOKEN,	/* PUT /latest/api/token */
};

/* The CGI variables routing reads; any of them may be NULL. */
struct route_env {
	const char *method;		/* REQUEST_METHOD */
	const char *request_uri;	/* REQUEST_URI: raw, still encoded */
	const char *script_name;	/* SCRIPT_NAME */
	const char *path_info;		/* PATH_INFO: already decoded */
};

struct route {
	enum route_ep ep;
	int head;			/* HEAD: the answer carries no body */
	int status;			/* 0 when routed, else the HTTP status */
	const char *message;		/* public text for an error answer */
	const char *detail;		/* why, for the log; static text */
	const char *allow;		/* the path's methods, for the 405 Allow header */
	char account[ROUTE_NAME_MAX + 1];
	char role[ROUTE_NAME_MAX + 1];
	char path[ROUTE_LOG_MAX];	/* decoded path fit for a log, or "(invalid)" */
};

/* Fill env from the process environment. */
void route_env_get(struct route_env *env);
/*
 * Route a request. The raw path is REQUEST_URI after SCRIPT_NAME up to '?',
 * because servers decode PATH_INFO and "a%2Fb" would turn into two
 * segments; PATH_INFO is used (and not decoded again) only without
 * REQUEST_URI. Every segment is percent-decoded strictly and must be a name
 * (conf_name_ok); a trailing '/' leaves an empty last segment, which only a
 * pattern ending in '/' matches. AFP_OK when routed; otherwise
 * AFP_ERR_INVAL with rt->status 400, 404, 405 (rt->allow set), 414 or 500.
 */
afp_err route_parse(const struct route_env *env, struct route *rt) AFP_WUR;
/*
 * The value of key in a raw query string (QUERY_STRING), percent-decoded
 * strictly with '+' as a space, appended to value (emptied first).
 * AFP_ERR_NOTFOUND: key absent (also for a NULL query); AFP_ERR_INVAL: a
 * malformed pair anywhere, an empty pair, key given twice, or a decoded
 * control character; AFP_ERR_TOOBIG: query over ROUTE_QUERY_MAX or value
 * over value's cap.
 */
afp_err route_query_get(const char *query, const char *key,
    struct buf *value) AFP_WUR;

#endif
