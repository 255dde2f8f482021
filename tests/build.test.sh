# What the binaries are made of: the CGI loads no libcurl, libxml2,
# libcrypto or json-c (DESIGN.md §7); both are hardened; the sources use
# none of the banned C functions.
. "$(dirname "$0")/lib.sh" || exit 1

need_cmd readelf
need_file "$BUILD/afp.cgi" "$BUILD/afp.cgi"
need_file "$BUILD/afp-refresher" "$BUILD/afp-refresher"

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

# (make check-asan adds the sanitizers' runtimes, which are not ours.)
cgi_libs=$(needed "$BUILD/afp.cgi" | grep -v '^lib\(asan\|ubsan\)\.' | tr '\n' ' ')
diag "afp.cgi needs: $cgi_libs"
for lib in libcurl libxml2 libcrypto libssl libjson-c; do
	case " $cgi_libs" in
	*" $lib"*) not_ok "afp.cgi does not load $lib" ;;
	*) ok "afp.cgi does not load $lib" ;;
	esac
done
# libpam is loaded on demand (a password check), inih linked in: each
# shared object costs every request its loading (DESIGN.md §7).
expect_eq "$cgi_libs" "libc.so.6 " "afp.cgi needs libc alone"
check "afp.cgi loads libpam.so.0 by name when it checks a password" \
    grep -q 'libpam\.so\.0' "$BUILD/afp.cgi"
ref_libs=$(needed "$BUILD/afp-refresher" | tr '\n' ' ')
for lib in libcurl libxml2 libcrypto; do
	case " $ref_libs" in
	*" $lib"*) ok "afp-refresher links $lib" ;;
	*) not_ok "afp-refresher links $lib" ;;
	esac
done
case " $ref_libs" in
*" libpam"*) not_ok "afp-refresher does not load libpam" ;;
*) ok "afp-refresher does not load libpam" ;;
esac

for b in afp.cgi afp-refresher; do
	f=$BUILD/$b
	check "$b is position independent" sh -c \
	    "readelf -h '$f' | grep -q 'Type:.*DYN'"
	check "$b has full RELRO (GNU_RELRO and BIND_NOW)" sh -c \
	    "readelf -l '$f' | grep -q GNU_RELRO && readelf -d '$f' | grep -q 'BIND_NOW\|FLAGS_1.*NOW'"
	check "$b has a non-executable stack" sh -c \
	    "readelf -l '$f' | grep -A1 GNU_STACK | grep -qv 'RWE'"
	check "$b uses stack protection and fortified calls" sh -c \
	    "readelf -W --dyn-syms '$f' | grep -q '__stack_chk_fail' &&
	     readelf -W --dyn-syms '$f' | grep -q '__[a-z]*_chk'"
done

# curl bans these with a script in CI; so do we.
banned='\b(sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|atoi|atol|gets|tmpnam|mktemp)[[:space:]]*\('
hits=$(cd "$TOP" && grep -nE "$banned" lib/*.c lib/*.h cgi/*.c refresher/*.c 2>/dev/null)
if [ -z "$hits" ]; then
	ok "no banned C functions in lib/, cgi/, refresher/"
else
	not_ok "no banned C functions in lib/, cgi/, refresher/"
	echo "$hits" | sed 's/^/# /'
fi
t_done
