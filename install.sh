#!/bin/sh
# Install afp in the layout of DESIGN.md §1. Idempotent: run it again after
# an upgrade; it never overwrites an existing configuration.
#
#   PREFIX=/usr DESTDIR= WEB_USER=www-data BUILD=build ./install.sh
set -eu

PREFIX=${PREFIX:-/usr}
DESTDIR=${DESTDIR:-}
WEB_USER=${WEB_USER:-www-data}
BUILD=${BUILD:-build}
SYSCONF=${SYSCONF:-/etc}
CACHE=${CACHE:-/var/cache/afp}
GROUP=afp

die() { echo "install.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root: owners and the setgid bit need it"
for f in "$BUILD/afp.cgi" "$BUILD/afp-refresher"; do
	[ -x "$f" ] || die "$f missing: run make first"
done
getent group "$GROUP" >/dev/null || groupadd --system "$GROUP"
web_group=$(id -gn "$WEB_USER" 2>/dev/null) ||
	die "web server user $WEB_USER does not exist (set WEB_USER)"
web_uid=$(id -u "$WEB_USER")
id -nG "$WEB_USER" | tr ' ' '\n' | grep -qx "$GROUP" &&
	die "$WEB_USER must not be in group $GROUP: only the setgid CGI may read the cache"

# Everything below is created with its final mode: nothing is born looser.
umask 077
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

sysdir() {	# path: a shared directory, created if missing, else left alone
	[ -d "$DESTDIR$1" ] || (umask 022 && install -d -m 0755 "$DESTDIR$1")
}

dir() {	# mode owner path: a directory of ours, owner and mode enforced
	install -d -m "$1" -o "${2%:*}" -g "${2#*:}" "$DESTDIR$3"
	chown "$2" "$DESTDIR$3"
	chmod "$1" "$DESTDIR$3"
}

file() {	# mode owner source dest
	install -m "$1" -o "${2%:*}" -g "${2#*:}" "$3" "$DESTDIR$4"
}

# A file we own outright (binaries, cron): always replaced.
# A configuration file: written only when absent.
config() {	# mode owner dest [source]
	if [ -e "$DESTDIR$3" ]; then
		echo "kept existing $3"
		return
	fi
	if [ $# -ge 4 ]; then
		file "$1" "$2" "$4" "$3"
	else
		install -m "$1" -o "${2%:*}" -g "${2#*:}" /dev/null "$DESTDIR$3"
	fi
}

cgidir=$PREFIX/lib/cgi-bin/afp
sysdir "$PREFIX/lib/cgi-bin"
dir 0750 "root:$web_group" "$cgidir"
file 2755 "root:$GROUP" "$BUILD/afp.cgi" "$cgidir/afp.cgi"
sysdir "$PREFIX/sbin"
file 0755 root:root "$BUILD/afp-refresher" "$PREFIX/sbin/afp-refresher"

sysdir "$SYSCONF"
dir 0750 "root:$GROUP" "$SYSCONF/afp"
dir 0750 "root:$GROUP" "$SYSCONF/afp/accounts.d"
umask 027
sed "s/^web_user *=.*/; $WEB_USER by its uid: the CGI compares it without a user lookup.\nweb_user       = $web_uid/" \
	conf/afp.conf >"$tmp"
grep -q "^web_user *= $web_uid" "$tmp" || die "conf/afp.conf has no web_user line"
config 0640 "root:$GROUP" "$SYSCONF/afp/afp.conf" "$tmp"
config 0640 "root:$GROUP" "$SYSCONF/afp/passwd"
umask 077

sysdir "$(dirname "$CACHE")"
# setgid: files are born with group afp, never root's for a moment.
dir 2750 "root:$GROUP" "$CACHE"

sysdir "$SYSCONF/cron.d"
echo "# afp: refresh cached AWS credentials (installed by afp's install.sh)" >"$tmp"
echo "*/5 * * * * root $PREFIX/sbin/afp-refresher -q" >>"$tmp"
file 0644 root:root "$tmp" "$SYSCONF/cron.d/afp"

sysdir "$SYSCONF/pam.d"
{
	echo "# afp: HTTP Basic passwords, checked by the setgid CGI."
	echo "# pam_unix cannot check other users' passwords from a non-root"
	echo "# process; see README.md for pam_sss, pam_ldap and pam_krb5."
	echo "auth    required pam_pwdfile.so pwdfile=$SYSCONF/afp/passwd"
	echo "account required pam_permit.so"
} >"$tmp"
config 0644 root:root "$SYSCONF/pam.d/afp" "$tmp"

docdir=$PREFIX/share/doc/afp
sysdir "$PREFIX/share"
sysdir "$PREFIX/share/doc"
dir 0755 root:root "$docdir"
dir 0755 root:root "$docdir/examples"
for f in conf/*.conf conf/accounts.d/*.conf; do
	[ -f "$f" ] && file 0644 root:root "$f" "$docdir/examples/$(basename "$f")"
done
echo "afp installed under ${DESTDIR:-/}"
