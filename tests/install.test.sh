# install.sh into a temporary root: layout, owners and modes of DESIGN.md
# §1, an existing config kept, and a second run changing nothing.
. "$(dirname "$0")/lib.sh" || exit 1

if [ "$(id -u)" -ne 0 ]; then
	not_ok "install test needs root (owners and the setgid bit)"
	t_done
fi
need_file "$BUILD/afp.cgi" "$BUILD/afp.cgi"
need_file "$BUILD/afp-refresher" "$BUILD/afp-refresher"
getent passwd www-data >/dev/null || { not_ok "user www-data missing"; t_done; }

root=$T_TMP/root
inst() {
	(cd "$TOP" && DESTDIR=$root BUILD=$BUILD PREFIX=/usr sh ./install.sh) \
	    >"$T_TMP/install.log" 2>&1
}
owner() { stat -c '%U:%G %a' "$root$1" 2>/dev/null; }

check "install.sh runs" inst || sed "s/^/# /" "$T_TMP/install.log"
expect_eq "$(owner /usr/lib/cgi-bin/afp/afp.cgi)" "root:afp 2755" "CGI is setgid afp"
expect_eq "$(owner /usr/lib/cgi-bin/afp)" "root:www-data 750" \
    "CGI directory only the web server can traverse"
expect_eq "$(owner /usr/sbin/afp-refresher)" "root:root 755" "refresher installed"
expect_eq "$(owner /etc/afp)" "root:afp 750" "config directory"
expect_eq "$(owner /etc/afp/afp.conf)" "root:afp 640" "afp.conf root:afp 0640"
check "afp.conf names www-data by its uid" \
    grep -qx "web_user *= $(id -u www-data)" "$root/etc/afp/afp.conf"
expect_eq "$(owner /etc/afp/accounts.d)" "root:afp 750" "accounts.d"
expect_eq "$(owner /etc/afp/passwd)" "root:afp 640" "password file for pam_pwdfile"
expect_eq "$(owner /var/cache/afp)" "root:afp 2750" "cache directory root:afp 2750 (setgid)"
expect_eq "$(owner /etc/cron.d/afp)" "root:root 644" "cron file"
check "cron runs the refresher every 5 minutes as root" \
    grep -qx '\*/5 \* \* \* \* root /usr/sbin/afp-refresher -q' "$root/etc/cron.d/afp"
check "PAM service uses pam_pwdfile" \
    grep -q '^auth .*pam_pwdfile.so pwdfile=/etc/afp/passwd' "$root/etc/pam.d/afp"
expect_eq "$(owner /usr)" "root:root 755" "parent directories stay traversable"
check "example configs installed" test -f "$root/usr/share/doc/afp/examples/afp.conf"

echo "; local change" >>"$root/etc/afp/afp.conf"
echo "auth required pam_sss.so" >"$root/etc/pam.d/afp"
before=$(cd "$root" && find . -printf '%p %U:%G %m\n' | sort)
check "install.sh runs again" inst
after=$(cd "$root" && find . -printf '%p %U:%G %m\n' | sort)
expect_eq "$after" "$before" "second run leaves owners and modes as they were"
check "existing afp.conf kept" grep -q '; local change' "$root/etc/afp/afp.conf"
check "existing PAM service kept" grep -qx 'auth required pam_sss.so' "$root/etc/pam.d/afp"
check "installed CGI is the built one" cmp -s "$BUILD/afp.cgi" "$root/usr/lib/cgi-bin/afp/afp.cgi"
t_done
