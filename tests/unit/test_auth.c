/*
 * Unit tests for auth: Basic header decoding, and PAM through cwrap's
 * pam_wrapper with pam_matrix, pam_pwdfile and a few stock modules. The
 * binary re-executes itself under LD_PRELOAD=libpam_wrapper.so with service
 * files it writes to a temporary directory; a missing wrapper or module is a
 * failure, never a skip.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "t.h"
#include "wrap.h"
#include "auth.h"
#include "buf.h"
#include "enc.h"
#include "log.h"

/* Password for pam_pwdfile's user "colon" is "pa:ss:word", for "utf" "pässwörd". */
static const char pwdfile[] =
    "colon:$6$afpcolon$Zaj/7JqEaWR.oPB75Z8ydFIINdkM7j.G6/j/RYNAeTQrpcN7."
    "diVrGUVxcpoeNyIe97bvQqZJ0IyYEfhQCBCs0\n"
    "utf:$6$afputf8$aHWQVK12P.YXg.buTBJJN/5GCmg7FqqeVozf86/9d9.opruuYita0Ck"
    "oDNBGQFTdHOSqfYuQebYnNhzTnldhr.\n";

static const char passdb[] =
    "alice:correct horse:afp_test\n"
    "utf:pässwörd:afp_test\n"
    "nopw::afp_test\n"
    "locked:locked pw:another_service\n";

static const char *const fixture_files[] = {
	"passdb", "pwdfile", "afp_test", "afp_deny", "afp_echo", "afp_verbose",
	"afp_rename", "afp_rhost", "afp_pwdfile", "afp_broken", "other", NULL
};

static void
decode_one(const char *header, afp_err want, const char *wuser,
    const char *wpass, const char *what)
{
	struct buf u, p;
	afp_err r;

	buf_init(&u, 0);
	buf_init(&p, 0);
	/* Stale contents must not survive a failed decode. */
	if (buf_addstr(&u, "stale") != AFP_OK || buf_addstr(&p, "stale") != AFP_OK)
		T_OK(0, "decode: setup");
	r = auth_basic_decode(header, &u, &p);
	T_EQ(r, want, "decode: %s -> %s", what, afp_strerror(want));
	if (r != want)
		printf("#   got: %s\n", afp_strerror(r));
	if (want == AFP_OK) {
		T_STREQ(buf_str(&u), wuser, "decode: %s: user", what);
		T_STREQ(buf_str(&p), wpass, "decode: %s: password", what);
	} else {
		T_OK(u.len == 0 && p.len == 0, "decode: %s: outputs emptied", what);
	}
	buf_free(&u);
	buf_free(&p);
}

/* prefix + base64(plain[0..n)) + suffix, so NUL bytes can be encoded. */
static void
decode_b64(const char *prefix, const char *plain, size_t n, const char *suffix,
    afp_err want, const char *wuser, const char *wpass, const char *what)
{
	struct buf h;

	buf_init(&h, 0);
	if (buf_addstr(&h, prefix) != AFP_OK ||
	    enc_b64(&h, (const unsigned char *)plain, n) != AFP_OK ||
	    buf_addstr(&h, suffix) != AFP_OK) {
		T_OK(0, "decode: %s: building the header", what);
		buf_free(&h);
		return;
	}
	decode_one(buf_str(&h), want, wuser, wpass, what);
	buf_free(&h);
}

#define S(s) s, sizeof(s) - 1

static void
test_decode(void)
{
	struct buf big, plain, want;
	size_t i;

	decode_b64("Basic ", S("alice:correct horse"), "", AFP_OK,
	    "alice", "correct horse", "good");
	decode_b64("basic ", S("alice:pw"), "", AFP_OK, "alice", "pw",
	    "lower-case scheme");
	decode_b64("BASIC    ", S("alice:pw"), "  ", AFP_OK, "alice", "pw",
	    "upper-case scheme, extra spaces");
	decode_b64("Basic ", S("utf:pässwörd"), "", AFP_OK, "utf", "pässwörd",
	    "utf-8 password");
	decode_b64("Basic ", S("ålice:pw"), "", AFP_OK, "ålice", "pw",
	    "utf-8 user");
	decode_b64("Basic ", S("colon:pa:ss:word"), "", AFP_OK, "colon",
	    "pa:ss:word", "password with colons");
	decode_b64("Basic ", S("alice:"), "", AFP_OK, "alice", "",
	    "empty password decodes (PAM refuses it)");
	decode_b64("Basic ", S("alice"), "", AFP_ERR_INVAL, NULL, NULL,
	    "no colon");
	decode_b64("Basic ", S(":pw"), "", AFP_ERR_INVAL, NULL, NULL,
	    "empty user");
	decode_b64("Basic ", S("al\0ce:pw"), "", AFP_ERR_INVAL, NULL, NULL,
	    "NUL in user");
	decode_b64("Basic ", S("alice:p\0w"), "", AFP_ERR_INVAL, NULL, NULL,
	    "NUL in password");
	decode_b64("Basic ", S("al\tce:pw"), "", AFP_ERR_INVAL, NULL, NULL,
	    "tab in user");
	decode_b64("Basic ", S("al\x7f" "ce:pw"), "", AFP_ERR_INVAL, NULL, NULL,
	    "DEL in user");
	decode_b64("Basic ", S("al\nce:pw"), "", AFP_ERR_INVAL, NULL, NULL,
	    "newline in user");
	decode_b64("Basic ", S("alice:p\tw"), "", AFP_OK, "alice", "p\tw",
	    "tab in password is kept");
	decode_b64("Basic ", S("alice:pw"), " x", AFP_ERR_INVAL, NULL, NULL,
	    "second token");
	decode_b64("Basic ", S("alice:pw"), ", realm=x", AFP_ERR_INVAL, NULL,
	    NULL, "auth-param after the token");
	decode_b64("Bearer ", S("alice:pw"), "", AFP_ERR_AUTH, NULL, NULL,
	    "Bearer scheme");
	decode_b64("Basicx ", S("alice:pw"), "", AFP_ERR_AUTH, NULL, NULL,
	    "scheme with a suffix");
	decode_b64("Basic", S("alice:pw"), "", AFP_ERR_AUTH, NULL, NULL,
	    "no space after the scheme");
	decode_one("Digest username=\"alice\"", AFP_ERR_AUTH, NULL, NULL,
	    "Digest scheme");
	decode_one(NULL, AFP_ERR_AUTH, NULL, NULL, "no header");
	decode_one("", AFP_ERR_AUTH, NULL, NULL, "empty header");
	decode_one("Basic", AFP_ERR_INVAL, NULL, NULL, "Basic with no value");
	decode_one("Basic   ", AFP_ERR_INVAL, NULL, NULL, "Basic and spaces");
	decode_one("Basic YWxpY2U6cHc", AFP_ERR_INVAL, NULL, NULL,
	    "base64 without padding");
	decode_one("Basic YWxp!2U6cHc=", AFP_ERR_INVAL, NULL, NULL,
	    "base64 with a bad character");
	decode_one("Basic YWxpY2U6cHc=YWxp", AFP_ERR_INVAL, NULL, NULL,
	    "base64 with padding inside");
	decode_one("Basic YWxpY2U6-_8=", AFP_ERR_INVAL, NULL, NULL,
	    "base64url alphabet");

	/* 6 + 8184 + 2 = 8192 bytes: the largest header accepted. */
	buf_init(&plain, 0);
	buf_init(&want, 0);
	buf_init(&big, 0);
	if (buf_addstr(&plain, "u:") != AFP_OK)
		T_OK(0, "decode: setup");
	for (i = 0; i < 6136; i++)
		if (buf_addc(&plain, 'p') != AFP_OK || buf_addc(&want, 'p') != AFP_OK)
			T_OK(0, "decode: setup");
	if (buf_addstr(&big, "Basic ") != AFP_OK ||
	    enc_b64(&big, (const unsigned char *)plain.p, plain.len) != AFP_OK ||
	    buf_addstr(&big, "  ") != AFP_OK)
		T_OK(0, "decode: setup");
	T_EQ(big.len, (size_t)AUTH_HEADER_MAX, "decode: header at the limit built");
	decode_one(buf_str(&big), AFP_OK, "u", buf_str(&want),
	    "header of exactly AUTH_HEADER_MAX bytes");
	if (buf_addc(&big, ' ') != AFP_OK)
		T_OK(0, "decode: setup");
	decode_one(buf_str(&big), AFP_ERR_TOOBIG, NULL, NULL,
	    "header one byte over the limit");
	buf_reset(&big);
	if (buf_addstr(&big, "Basic ") != AFP_OK)
		T_OK(0, "decode: setup");
	for (i = 0; i < 10 * 1024 / 4; i++)
		if (buf_addstr(&big, "YWFh") != AFP_OK)
			T_OK(0, "decode: setup");
	decode_one(buf_str(&big), AFP_ERR_TOOBIG, NULL, NULL, "10 KiB header");
	buf_free(&big);
	buf_free(&plain);
	buf_free(&want);
}

static int
write_fixtures(const char *dir, const char *lib, const char *sec)
{
	char matrix[512], m[600];
	int n;

	n = snprintf(matrix, sizeof(matrix), "%s/pam_wrapper/pam_matrix.so", lib);
	if (n < 0 || (size_t)n >= sizeof(matrix))
		return 0;
	n = snprintf(m, sizeof(m), "%s passdb=%s/passdb", matrix, dir);
	if (n < 0 || (size_t)n >= sizeof(m))
		return 0;
	return wrap_write_file(dir, "passdb", "%s", passdb) &&
	    wrap_write_file(dir, "pwdfile", "%s", pwdfile) &&
	    wrap_write_file(dir, "afp_test",
		"auth required %s\naccount required %s\n", m, m) &&
	    wrap_write_file(dir, "afp_deny",
		"auth required %s\naccount required %s/pam_deny.so\n", m, sec) &&
	    wrap_write_file(dir, "afp_echo",
		"auth required %s echo\naccount required %s/pam_permit.so\n",
		m, sec) &&
	    wrap_write_file(dir, "afp_verbose",
		"auth required %s verbose\naccount required %s/pam_permit.so\n",
		m, sec) &&
	    wrap_write_file(dir, "afp_rename",
		"auth required %s\nauth required %s/pam_wrapper/pam_set_items.so\n"
		"account required %s/pam_permit.so\n", m, lib, sec) &&
	    wrap_write_file(dir, "afp_rhost",
		"auth required %s\naccount required %s/pam_succeed_if.so "
		"quiet rhost = 192.0.2.7\n", m, sec) &&
	    wrap_write_file(dir, "afp_pwdfile",
		"auth required %s/pam_pwdfile.so pwdfile=%s/pwdfile nodelay\n"
		"account required %s/pam_permit.so\n", sec, dir, sec) &&
	    /* libpam reads "other" for every service: keep it quiet and closed. */
	    wrap_write_file(dir, "other", "auth required %s/pam_deny.so\n"
		"account required %s/pam_deny.so\n", sec, sec) &&
	    wrap_write_file(dir, "afp_broken",
		"auth required %s/pam_afp_no_such_module.so\n"
		"account required %s/pam_permit.so\n", sec, sec);
}

/*
 * Check for pam_wrapper and the modules, write the service files and run
 * this binary again under pam_wrapper. Returns only on failure, having
 * reported it.
 */
static void
pam_exec(char **argv)
{
	static const char *const need[] = {
		"pam_wrapper/pam_matrix.so", "pam_wrapper/pam_set_items.so", NULL
	};
	static const char *const mods[] = {
		"pam_deny.so", "pam_permit.so", "pam_succeed_if.so",
		"pam_pwdfile.so", NULL
	};
	char dir[] = "/tmp/afp-test-auth.XXXXXX";
	char wrapper[512], sec[512], p[512];
	/*
	 * ASan resolves its crypt_r interceptor at start-up, so libcrypt must
	 * be loaded by then, not dlopen()ed later by pam_pwdfile; loading it
	 * early costs nothing without ASan.
	 */
	const char *const preload[] = { "libcrypt.so.1", wrapper, NULL };
	const struct wrap_env env[] = {
		{ "PAM_WRAPPER", "1" }, { "PAM_WRAPPER_SERVICE_DIR", dir },
		{ NULL, NULL }
	};
	const char *lib;
	size_t i;

	if ((lib = wrap_find_lib("libpam_wrapper.so")) == NULL) {
		T_OK(0, "pam: libpam_wrapper.so is installed (Debian: libpam-wrapper)");
		return;
	}
	for (i = 0; need[i] != NULL; i++) {
		if (!wrap_path(p, sizeof(p), lib, need[i]) || access(p, R_OK) != 0) {
			T_OK(0, "pam: %s/%s is installed", lib, need[i]);
			return;
		}
	}
	if (!wrap_path(wrapper, sizeof(wrapper), lib, "libpam_wrapper.so") ||
	    !wrap_path(sec, sizeof(sec), lib, "security")) {
		T_OK(0, "pam: library paths fit");
		return;
	}
	for (i = 0; mods[i] != NULL; i++) {
		if (!wrap_path(p, sizeof(p), sec, mods[i]) || access(p, R_OK) != 0) {
			T_OK(0, "pam: %s/%s is installed (libpam-modules, "
			    "libpam-pwdfile)", sec, mods[i]);
			return;
		}
	}
	if (mkdtemp(dir) == NULL) {
		T_OK(0, "pam: mkdtemp: %s", strerror(errno));
		return;
	}
	if (!write_fixtures(dir, lib, sec)) {
		T_OK(0, "pam: writing fixtures to %s", dir);
		return;
	}
	wrap_exec(argv, "pam", preload, dir, env);
}

static void
pam_case(const char *service, const char *user, const char *pass,
    const char *rhost, afp_err want, const char *wuser, const char *what)
{
	struct buf fu;
	afp_err r;

	buf_init(&fu, 0);
	if (buf_addstr(&fu, "stale") != AFP_OK)
		T_OK(0, "pam: setup");
	r = auth_pam(service, user, pass, rhost, &fu);
	T_EQ(r, want, "pam: %s -> %s", what, afp_strerror(want));
	if (r != want)
		printf("#   got: %s\n", afp_strerror(r));
	if (wuser != NULL)
		T_STREQ(buf_str(&fu), wuser, "pam: %s: final user", what);
	else
		T_EQ(fu.len, 0, "pam: %s: no final user", what);
	buf_free(&fu);
}

static void
test_pam(void)
{
	char longpw[PAM_MAX_RESP_SIZE + 1];

	pam_case("afp_test", "alice", "correct horse", "192.0.2.1", AFP_OK,
	    "alice", "right password");
	pam_case("afp_test", "alice", "correct horsE", "192.0.2.1",
	    AFP_ERR_AUTH, NULL, "wrong password");
	pam_case("afp_test", "alice", "correct horse ", NULL, AFP_ERR_AUTH,
	    NULL, "password with a trailing space");
	pam_case("afp_test", "mallory", "correct horse", NULL, AFP_ERR_AUTH,
	    NULL, "unknown user");
	pam_case("afp_test", "alice", "", NULL, AFP_ERR_AUTH, NULL,
	    "empty password");
	/* pam_matrix itself would accept "" for nopw: the refusal is ours. */
	pam_case("afp_test", "nopw", "", NULL, AFP_ERR_AUTH, NULL,
	    "empty password of a user whose stored password is empty");
	pam_case("afp_test", "", "correct horse", NULL, AFP_ERR_AUTH, NULL,
	    "empty user");
	pam_case("afp_test", "utf", "pässwörd", NULL, AFP_OK, "utf",
	    "utf-8 password");
	pam_case("afp_test", "utf", "passwörd", NULL, AFP_ERR_AUTH, NULL,
	    "utf-8 password, one letter differs");
	pam_case("afp_test", "locked", "locked pw", NULL, AFP_ERR_AUTH, NULL,
	    "account check refuses (pam_matrix service mismatch)");
	pam_case("afp_test", "locked", "wrong", NULL, AFP_ERR_AUTH, NULL,
	    "account-refused user, wrong password");
	pam_case("afp_deny", "alice", "correct horse", NULL, AFP_ERR_AUTH, NULL,
	    "account check refuses (pam_deny)");
	pam_case("afp_pwdfile", "colon", "pa:ss:word", NULL, AFP_OK, "colon",
	    "password with colons (pam_pwdfile)");
	pam_case("afp_pwdfile", "colon", "pa", NULL, AFP_ERR_AUTH, NULL,
	    "only the part before the first colon (pam_pwdfile)");
	pam_case("afp_pwdfile", "utf", "pässwörd", NULL, AFP_OK, "utf",
	    "utf-8 password (pam_pwdfile)");
	pam_case("afp_pwdfile", "utf", "pässwörd\n", NULL, AFP_ERR_AUTH, NULL,
	    "utf-8 password with a newline (pam_pwdfile)");
	pam_case("afp_verbose", "alice", "correct horse", NULL, AFP_OK, "alice",
	    "info message ignored");
	pam_case("afp_verbose", "alice", "wrong", NULL, AFP_ERR_AUTH, NULL,
	    "error message ignored, failure kept");
	pam_case("afp_echo", "alice", "correct horse", NULL, AFP_ERR_INTERNAL,
	    NULL, "echoed prompt is not answered");
	pam_case("afp_rhost", "alice", "correct horse", "192.0.2.7", AFP_OK,
	    "alice", "PAM_RHOST reaches the stack");
	pam_case("afp_rhost", "alice", "correct horse", "192.0.2.8",
	    AFP_ERR_AUTH, NULL, "PAM_RHOST refused by the stack");
	pam_case("afp_rhost", "alice", "correct horse", NULL, AFP_ERR_AUTH,
	    NULL, "no PAM_RHOST");
	pam_case("afp_rename", "alice", "correct horse", NULL, AFP_OK, "alice",
	    "PAM_USER unchanged");
	if (setenv("PAM_USER", "alice.renamed", 1) != 0)
		T_OK(0, "pam: setenv PAM_USER");
	pam_case("afp_rename", "alice", "correct horse", NULL, AFP_OK,
	    "alice.renamed", "PAM_USER changed by a module");
	pam_case("afp_rename", "alice", "wrong", NULL, AFP_ERR_AUTH, NULL,
	    "PAM_USER changed, wrong password");
	unsetenv("PAM_USER");
	pam_case("afp_broken", "alice", "correct horse", NULL,
	    AFP_ERR_INTERNAL, NULL, "stack with a missing module");
	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	pam_case("afp_test", "alice", longpw, NULL, AFP_ERR_AUTH, NULL,
	    "password longer than PAM_MAX_RESP_SIZE - 1");
	pam_case(NULL, "alice", "correct horse", NULL, AFP_ERR_INVAL, NULL,
	    "no service");
	pam_case("afp_test", NULL, "correct horse", NULL, AFP_ERR_INVAL, NULL,
	    "no user");
	pam_case("afp_test", "alice", NULL, NULL, AFP_ERR_INVAL, NULL,
	    "no password");
}

/* Logs of failures and successes name the user and never the password. */
static void
test_pam_log(const char *dir)
{
	char text[8192];
	struct buf fu;
	int fd, saved;
	afp_err r1, r2, r3;

	buf_init(&fu, 0);
	if ((fd = wrap_log_begin(dir, &saved)) == -1) {
		T_OK(0, "pam log: open");
		return;
	}
	log_open("test_auth", LOG_DEST_STDERR, 1);
	r1 = auth_pam("afp_verbose", "alice", "Sekr3t-wrong", "192.0.2.1", &fu);
	r2 = auth_pam("afp_deny", "alice", "correct horse", "192.0.2.1", &fu);
	r3 = auth_pam("afp_broken", "alice", "Sekr3t-other", NULL, &fu);
	wrap_log_end(fd, saved, text, sizeof(text));
	T_OK(r1 == AFP_ERR_AUTH && r2 == AFP_ERR_AUTH && r3 == AFP_ERR_INTERNAL,
	    "pam log: outcomes");
	T_OK(strstr(text, "alice") != NULL, "pam log: the user is logged");
	T_OK(strstr(text, "Sekr3t") == NULL && strstr(text, "correct horse") == NULL,
	    "pam log: no password logged");
	buf_free(&fu);
}

int
main(int argc, char **argv)
{
	const char *dir = wrap_enter(argv, pam_exec, "pam",
	    "libpam_wrapper.so", fixture_files);

	/* Decoding needs no PAM: it runs even when the re-exec failed. */
	test_decode();
	if (dir != NULL) {
		test_pam();
		test_pam_log(dir);
		wrap_cleanup(dir, fixture_files);
	}
	return t_done();
}
