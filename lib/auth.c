#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <security/pam_appl.h>

#include "auth.h"
#include "enc.h"
#include "log.h"

/* PAM_USER as a module leaves it; longer names are an error, not truncated. */
#define AUTH_USER_MAX 1024

struct conv_data {
	const char *password;
};

/*
 * libpam, loaded when a password is checked: with auth = remote_user the
 * CGI never pays for loading libpam, libaudit and libcap-ng (DESIGN.md §7).
 * Symbols resolve through the global scope, as if linked, so a preloaded
 * interposer (pam_wrapper in the tests) still comes first.
 */
static struct pam_fns {
	int (*start)(const char *, const char *, const struct pam_conv *,
	    pam_handle_t **);
	int (*set_item)(pam_handle_t *, int, const void *);
	int (*get_item)(const pam_handle_t *, int, const void **);
	int (*authenticate)(pam_handle_t *, int);
	int (*acct_mgmt)(pam_handle_t *, int);
	int (*end)(pam_handle_t *, int);
	const char *(*strerror)(pam_handle_t *, int);
} lp;

static afp_err
pam_load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
		{ "pam_start", offsetof(struct pam_fns, start) },
		{ "pam_set_item", offsetof(struct pam_fns, set_item) },
		{ "pam_get_item", offsetof(struct pam_fns, get_item) },
		{ "pam_authenticate", offsetof(struct pam_fns, authenticate) },
		{ "pam_acct_mgmt", offsetof(struct pam_fns, acct_mgmt) },
		{ "pam_end", offsetof(struct pam_fns, end) },
		{ "pam_strerror", offsetof(struct pam_fns, strerror) },
	};
	void *f;
	size_t i;

	if (lp.end != NULL)
		return AFP_OK;
	if (dlopen("libpam.so.0", RTLD_NOW | RTLD_GLOBAL) == NULL) {
		log_err("pam: cannot load libpam.so.0: %s", dlerror());
		return AFP_ERR_INTERNAL;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if ((f = dlsym(RTLD_DEFAULT, syms[i].name)) == NULL) {
			log_err("pam: libpam lacks %s", syms[i].name);
			memset(&lp, 0, sizeof(lp));
			return AFP_ERR_INTERNAL;
		}
		memcpy((char *)&lp + syms[i].off, &f, sizeof(f));
	}
	return AFP_OK;
}

afp_err
auth_basic_decode(const char *header, struct buf *user, struct buf *password)
{
	struct buf raw;
	const char *p, *tok, *s, *colon;
	size_t n, toklen, ulen, i;
	afp_err r = AFP_ERR_INVAL;

	buf_reset(user);
	buf_reset(password);
	/* Decoded text is never longer than the header it came from. */
	buf_init(&raw, AUTH_HEADER_MAX);
	if (header == NULL) {
		r = AFP_ERR_AUTH;
		goto out;
	}
	if (strnlen(header, AUTH_HEADER_MAX + 1) > AUTH_HEADER_MAX) {
		r = AFP_ERR_TOOBIG;
		goto out;
	}
	p = header + strspn(header, " \t");
	n = strcspn(p, " \t");
	if (n != 5 || strncasecmp(p, "Basic", 5) != 0) {
		r = AFP_ERR_AUTH;
		goto out;
	}
	p += n;
	p += strspn(p, " \t");
	tok = p;
	toklen = strcspn(tok, " \t");
	p = tok + toklen;
	p += strspn(p, " \t");
	/* One token68 and nothing after it: no auth-params, no second token. */
	if (toklen == 0 || *p != '\0')
		goto out;
	if ((r = enc_b64_decode(&raw, tok, toklen)) != AFP_OK)
		goto out;
	r = AFP_ERR_INVAL;
	s = buf_str(&raw);
	if (memchr(s, '\0', raw.len) != NULL)
		goto out;
	if ((colon = memchr(s, ':', raw.len)) == NULL)
		goto out;
	ulen = (size_t)(colon - s);
	if (ulen == 0)
		goto out;
	/* The user ends up in logs and paths; the password goes only to PAM. */
	for (i = 0; i < ulen; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			goto out;
	if ((r = buf_add(user, s, ulen)) != AFP_OK ||
	    (r = buf_add(password, colon + 1, raw.len - ulen - 1)) != AFP_OK)
		goto out;
	r = AFP_OK;
out:
	if (r != AFP_OK) {
		buf_reset(user);
		buf_reset(password);
	}
	buf_free(&raw);
	return r;
}

static void
replies_free(struct pam_response *reply, int n)
{
	int i;

	for (i = 0; i < n; i++)
		str_wipe_free(reply[i].resp);
	free(reply);
}

/*
 * Answers only the password prompt. An echoed prompt asks for something we
 * do not have (a user name, a one-time code): answering it with anything
 * would be a guess, so the conversation fails, as it does for unknown styles.
 */
static int
conv(int num_msg, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	const struct conv_data *d = appdata;
	struct pam_response *reply = NULL;
	int i, pr = PAM_CONV_ERR;

	if (resp == NULL)
		return PAM_CONV_ERR;
	*resp = NULL;
	if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG || msg == NULL ||
	    d == NULL || d->password == NULL)
		return PAM_CONV_ERR;
	if ((reply = calloc((size_t)num_msg, sizeof(*reply))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg; i++) {
		if (msg[i] == NULL)
			goto out;
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			if (strlen(d->password) >= PAM_MAX_RESP_SIZE)
				goto out;
			if ((reply[i].resp = strdup(d->password)) == NULL) {
				pr = PAM_BUF_ERR;
				goto out;
			}
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			if (msg[i]->msg != NULL)
				log_debug("pam: %s", msg[i]->msg);
			break;
		default:
			log_warn("pam: refusing message style %d",
			    msg[i]->msg_style);
			goto out;
		}
	}
	*resp = reply;
	reply = NULL;
	pr = PAM_SUCCESS;
out:
	if (reply != NULL)
		replies_free(reply, num_msg);
	return pr;
}

/* Only answers that name a bad credential or account are failures. */
static afp_err
pam_outcome(pam_handle_t *pamh, const char *step, const char *user, int pr)
{
	switch (pr) {
	case PAM_SUCCESS:
		return AFP_OK;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_ACCT_EXPIRED:
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_PERM_DENIED:
		log_info("pam: %s for %s: %s", step, user,
		    lp.strerror(pamh, pr));
		return AFP_ERR_AUTH;
	default:
		log_err("pam: %s for %s: %s", step, user,
		    lp.strerror(pamh, pr));
		return AFP_ERR_INTERNAL;
	}
}

/* PAM_USER, copied; a module that clears it has broken the stack. */
static afp_err
pam_user(pam_handle_t *pamh, const char *user, struct buf *out)
{
	const void *item = NULL;
	int pr;

	buf_reset(out);
	pr = lp.get_item(pamh, PAM_USER, &item);
	if (pr != PAM_SUCCESS)
		return pam_outcome(pamh, "pam_get_item", user, pr);
	if (item == NULL || *(const char *)item == '\0') {
		log_err("pam: the stack cleared PAM_USER of %s", user);
		return AFP_ERR_INTERNAL;
	}
	return buf_addstr(out, item);
}

afp_err
auth_pam(const char *service, const char *user, const char *password,
    const char *rhost, struct buf *final_user)
{
	struct conv_data d;
	struct pam_conv pc;
	struct buf who, again;
	pam_handle_t *pamh = NULL;
	int pr = PAM_SYSTEM_ERR;
	afp_err r = AFP_ERR_INVAL;

	buf_reset(final_user);
	buf_init(&who, AUTH_USER_MAX);
	buf_init(&again, AUTH_USER_MAX);
	if (service == NULL || user == NULL || password == NULL)
		goto out;
	/* Modules differ on empty passwords; PAM_DISALLOW_NULL_AUTHTOK is advice. */
	if (*user == '\0' || *password == '\0' ||
	    strlen(password) >= PAM_MAX_RESP_SIZE) {
		r = AFP_ERR_AUTH;
		goto out;
	}
	if ((r = pam_load()) != AFP_OK)
		goto out;
	d.password = password;
	pc.conv = conv;
	pc.appdata_ptr = &d;
	r = AFP_ERR_INTERNAL;
	if ((pr = lp.start(service, user, &pc, &pamh)) != PAM_SUCCESS) {
		log_err("pam: pam_start(%s): %s", service,
		    lp.strerror(pamh, pr));
		goto out;
	}
	if (rhost != NULL &&
	    (pr = lp.set_item(pamh, PAM_RHOST, rhost)) != PAM_SUCCESS) {
		r = pam_outcome(pamh, "pam_set_item", user, pr);
		goto out;
	}
	pr = lp.authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if ((r = pam_outcome(pamh, "pam_authenticate", user, pr)) != AFP_OK)
		goto out;
	/* Account checks apply to whoever the auth stack settled on. */
	if ((r = pam_user(pamh, user, &who)) != AFP_OK)
		goto out;
	pr = lp.acct_mgmt(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if ((r = pam_outcome(pamh, "pam_acct_mgmt", buf_str(&who), pr)) != AFP_OK)
		goto out;
	if ((r = pam_user(pamh, user, &again)) != AFP_OK)
		goto out;
	if (strcmp(buf_str(&who), buf_str(&again)) != 0) {
		log_err("pam: PAM_USER changed during account checks of %s",
		    buf_str(&who));
		r = AFP_ERR_INTERNAL;
		goto out;
	}
	if ((r = buf_addstr(final_user, buf_str(&who))) != AFP_OK)
		goto out;
	r = AFP_OK;
out:
	if (pamh != NULL && lp.end(pamh, pr) != PAM_SUCCESS && r == AFP_OK) {
		log_err("pam: pam_end failed for %s", user);
		r = AFP_ERR_INTERNAL;
	}
	if (r != AFP_OK)
		buf_reset(final_user);
	buf_free(&who);
	buf_free(&again);
	return r;
}
