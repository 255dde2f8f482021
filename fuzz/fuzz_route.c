/*
 * route_parse with percent-decoding. The input is REQUEST_METHOD,
 * REQUEST_URI, SCRIPT_NAME and PATH_INFO, one per line; a missing line or
 * one that is just "-" leaves the variable unset. Every line also goes
 * through enc_pct_decode.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "enc.h"
#include "route.h"
#include "util.h"

#define NVARS 4

/* What log_path may write: names and slashes. */
static int
log_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("._-/", *s) != NULL))
			return 0;
	return 1;
}

static int
has_names(enum route_ep ep)
{
	return ep == ROUTE_ROLE || ep == ROUTE_CREDENTIALS ||
	    ep == ROUTE_IDENTITY || ep == ROUTE_CONSOLEURL ||
	    ep == ROUTE_CONSOLE || ep == ROUTE_ECR || ep == ROUTE_CONTAINER;
}

static void
check_decode(const char *s)
{
	struct buf b;
	size_t n = strlen(s);

	buf_init(&b, 0);
	if (enc_pct_decode(&b, s, n) == AFP_OK) {
		FUZZ_CHECK(memchr(buf_str(&b), '\0', b.len) == NULL);
		FUZZ_CHECK(b.len <= n);
		if (strchr(s, '%') == NULL)
			FUZZ_CHECK(b.len == n && memcmp(buf_str(&b), s, n) == 0);
	}
	buf_free(&b);
}

static void
check_route(const struct route_env *env, const struct route *rt, afp_err r)
{
	struct route_env again = { env->method, NULL, NULL, rt->path };
	struct route rt2;

	FUZZ_CHECK(strcmp(rt->path, "(invalid)") == 0 || log_safe(rt->path));
	if (r != AFP_OK) {
		FUZZ_CHECK(r == AFP_ERR_INVAL && rt->ep == ROUTE_NONE);
		FUZZ_CHECK(rt->status == 400 || rt->status == 404 ||
		    rt->status == 405 || rt->status == 414 ||
		    rt->status == 500);
		FUZZ_CHECK(rt->message != NULL && rt->detail != NULL);
		FUZZ_CHECK((rt->status == 405) == (rt->allow != NULL));
		return;
	}
	FUZZ_CHECK(rt->status == 0 && rt->ep != ROUTE_NONE);
	if (has_names(rt->ep))
		FUZZ_CHECK(conf_name_ok(rt->account) && conf_name_ok(rt->role));
	else
		FUZZ_CHECK(rt->account[0] == '\0');
	if (rt->ep == ROUTE_IMDS_ROLE)
		FUZZ_CHECK(conf_name_ok(rt->role));
	if (rt->ep == ROUTE_IMDS_TOKEN)
		FUZZ_CHECK(strcmp(env->method, "PUT") == 0);
	else
		FUZZ_CHECK(strcmp(env->method, "GET") == 0 ||
		    strcmp(env->method, "HEAD") == 0);
	/* The decoded path, given as PATH_INFO, routes the same way. */
	FUZZ_CHECK(route_parse(&again, &rt2) == AFP_OK);
	FUZZ_CHECK(rt2.ep == rt->ep && rt2.head == rt->head &&
	    strcmp(rt2.account, rt->account) == 0 &&
	    strcmp(rt2.role, rt->role) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[NVARS];
	char *v[NVARS] = { NULL };
	const char *use[NVARS] = { NULL };
	struct route_env env;
	struct route rt;
	size_t n, i;
	afp_err r;

	n = fuzz_split(data, size, "\n", parts, NVARS);
	for (i = 0; i < n; i++) {
		v[i] = fuzz_strndup(parts[i].p, parts[i].n);
		check_decode(v[i]);
		if (strcmp(v[i], "-") != 0)
			use[i] = v[i];
	}
	env.method = use[0];
	env.request_uri = use[1];
	env.script_name = use[2];
	env.path_info = use[3];
	r = route_parse(&env, &rt);
	check_route(&env, &rt, r);
	for (i = 0; i < NVARS; i++)
		free(v[i]);
	return 0;
}
