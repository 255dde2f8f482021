#include "err.h"

#define AFP_ERR_TEXT(name, text) text,
static const char *const afp_err_text[] = { AFP_ERRORS(AFP_ERR_TEXT) };

const char *
afp_strerror(afp_err e)
{
	if ((unsigned)e >= AFP_ERR_MAX)
		return "unknown error";
	return afp_err_text[e];
}
