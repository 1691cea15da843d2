# The build half of build-packages (sw_build_run), driven by
# tests/helpers/build-one without a master: real makepkg in bubblewrap as an
# unprivileged uid, real pacman installing the farm's build dependencies
# from a file:// repository, real gpg signatures, a real HTTP server on
# 127.0.0.1 for sources.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"

ONE=$SLIPWAY_BUILD/tests/helpers/build-one
[ -x "$ONE" ] || { not_ok "build-one is built" "missing $ONE"; exit 1; }

FPR=$(gpg_key slave "$T/gnupg") || { not_ok "make the slave's key"; exit 1; }
mkdir -p "$T/work"
chmod 755 "$T/work"
# a uid of its own, so that "no process left" counts only this test's
BUID=$((61000 + $$ % 3000))

# conf FILE [KEY = VALUE lines]: a slave.conf for the scratch work dir
conf() {
	local f=$1
	shift
	{
		printf '[slave]\nname = alpha\nmaster = slipway@127.0.0.1\n'
		printf 'work_dir = %s\ngpg_key = %s\ngnupg_home = %s\nbuild_uid = %s\n' \
			"$T/work" "$FPR" "$T/gnupg" "$BUID"
		printf '%s\n' "$@"
	} >"$f"
}

# pkgbuild NAME TEXT: a PKGBUILD directory $T/src/NAME
pkgbuild() {
	mkdir -p "$T/src/$1"
	printf '%s\n' "$2" >"$T/src/$1/PKGBUILD"
}

# leftover: how many live processes of the build uid remain (zombies do
# not count: a killed sandbox's init is reparented to our PID 1, which reaps
# it when it gets to it); waits up to 10 s for the kernel to empty a killed
# PID namespace
leftover() {
	local i n
	for i in $(seq 20); do
		n=$(ps -o stat= -u "$BUID" 2>/dev/null | grep -vc '^Z')
		[ "${n:-0}" -eq 0 ] && { echo 0; return; }
		sleep 0.5
	done
	echo "$n: $(ps -o pid=,stat=,args= -u "$BUID" | head -5)"
}

# build CONF NAME [ABORT]: build-one into a fresh $T/out/NAME; sets rc, out,
# err. As on a farm, the build follows the master's reading of the PKGBUILD
# (print-srcinfo's, in $T/srcinfo.NAME) unless BUILD_ONE_SRCINFO names
# another. With READ=makepkg, makepkg --printsrcinfo reads it in the
# sandbox, as build-packages -l does: that costs as much CPU as the build
# itself, so the first build alone goes that way.
build() {
	rm -rf "$T/out/$2"
	mkdir -p "$T/out/$2"
	if [ "${READ:-}" = makepkg ]; then
		run env -u BUILD_ONE_SRCINFO "$ONE" "$1" "$T/src/$2" "$2" "$T/out/$2" ${3:+"$3"}
	elif [ -n "${BUILD_ONE_SRCINFO:-}" ]; then
		run "$ONE" "$1" "$T/src/$2" "$2" "$T/out/$2" ${3:+"$3"}
	elif ! "$BIN/print-srcinfo" "$T/src/$2" >"$T/srcinfo.$2" 2>"$T/.err"; then
		rc=99 out= err="print-srcinfo $2: $(cat "$T/.err")"
	else
		BUILD_ONE_SRCINFO=$T/srcinfo.$2 run "$ONE" "$1" "$T/src/$2" "$2" "$T/out/$2" ${3:+"$3"}
	fi
}

# outlist NAME: the files of $T/out/NAME, sorted, on one line
outlist() { (cd "$T/out/$1" && ls | LC_ALL=C sort | tr '\n' ' '); }

# log NAME STRAW: the gzip log of a straw attempt, as kept in work/logs
log() { zcat "$T/work/logs/$1.$2.log.gz" 2>/dev/null; }

conf "$T/plain.conf" "straws = plain clean"

# --- a split package, signed, built in /build
pkgbuild split 'pkgbase=split
pkgname=(split-a split-b)
pkgver=1
pkgrel=1
arch=(x86_64)
build() { echo building in "$PWD"; }
package_split-a() { install -Dm644 /dev/null "$pkgdir/usr/share/split/a"; }
package_split-b() { arch=(any); install -Dm644 /dev/null "$pkgdir/usr/share/split/b"; }'
READ=makepkg build "$T/plain.conf" split
want="split-a-1-1-x86_64.pkg.tar.gz split-a-1-1-x86_64.pkg.tar.gz.sig split-b-1-1-any.pkg.tar.gz split-b-1-1-any.pkg.tar.gz.sig "
if [ "$rc" -eq 0 ] && [ "$(outlist split)" = "$want" ]; then
	ok "a split package: both packages and their signatures, nothing else"
else
	not_ok "a split package: both packages and their signatures, nothing else" \
		"rc=$rc" "$(outlist split)" "$err"
fi
good=0
for p in "$T/out/split/"*.pkg.tar.gz; do
	gpg --homedir "$T/gnupg" --status-fd 1 --verify "$p.sig" "$p" 2>/dev/null |
		grep -q "VALIDSIG $FPR" && good=$((good + 1))
done
if [ "$good" -eq 2 ]; then ok "gpg verifies both signatures as the slave's key"
else not_ok "gpg verifies both signatures as the slave's key" "$good of 2"; fi
bi=$(bsdtar -xOf "$T/out/split/split-a-1-1-x86_64.pkg.tar.gz" .BUILDINFO 2>/dev/null)
if grep -qx 'builddir = /build' <<<"$bi"; then ok ".BUILDINFO says builddir = /build"
else not_ok ".BUILDINFO says builddir = /build" "$bi"; fi
mkdir -p "$T/prebuilt"
cp "$T/out/split/"*.pkg.tar.gz "$T/prebuilt/"
if [ ! -e "$T/work/build" ]; then ok "the scratch directory is gone after the build"
else not_ok "the scratch directory is gone after the build" "$(ls -R "$T/work/build" | head)"; fi

# the master's .SRCINFO stands in for makepkg --printsrcinfo: one naming
# split-a alone makes the split build a failure (split-b is extra)
printf 'pkgbase = split\n\tpkgver = 1\n\tpkgrel = 1\n\tarch = x86_64\n\npkgname = split-a\n' \
	>"$T/split.srcinfo"
BUILD_ONE_SRCINFO=$T/split.srcinfo build "$T/plain.conf" split
if [ "$rc" -eq 1 ] && grep -q "split-b.*not a package" <<<"$err"; then
	ok "the master's .SRCINFO is what the build must make"
else
	not_ok "the master's .SRCINFO is what the build must make" "rc=$rc" "$err"
fi
BUILD_ONE_SRCINFO=$T/nowhere build "$T/plain.conf" split
expect "a missing master's .SRCINFO is an error of the slave" 3 "nowhere' is missing"

# --- a C library, published through a file:// farm repository, linked against
pkgbuild libfoo 'pkgname=libfoo
pkgver=1
pkgrel=1
arch=(x86_64)
build() {
	printf "int foo(void) { return 42; }\n" >foo.c
	gcc -shared -fPIC -Wl,-soname,libfoo.so.1 -o libfoo.so.1 foo.c
}
package() {
	install -Dm755 libfoo.so.1 "$pkgdir/usr/lib/libfoo.so.1"
	ln -s libfoo.so.1 "$pkgdir/usr/lib/libfoo.so"
	printf "int foo(void);\n" >foo.h
	install -Dm644 foo.h "$pkgdir/usr/include/slipway-foo.h"
}'
build "$T/plain.conf" libfoo
if [ "$rc" -eq 0 ]; then ok "the library package builds"
else not_ok "the library package builds" "rc=$rc" "$err" "$(log libfoo plain)"; fi
mkdir -p "$T/farm"
cp "$T/out/libfoo/"* "$T/farm/"
# a farm package whose own dependency no repository has
hand_pkg "$T/farm" libbar-1-1-x86_64.pkg.tar.zst "pkgname = libbar
pkgbase = libbar
pkgver = 1-1
arch = x86_64
size = 1
depend = ghost-dependency"
repo-add -q "$T/farm/farm-staging.db.tar.gz" "$T/farm/"*.pkg.tar.gz \
	"$T/farm/"*.pkg.tar.zst >/dev/null 2>&1
chmod -R a+rX "$T/farm"
cat >"$T/pacman.conf" <<EOF
[options]
Architecture = auto
SigLevel = Never

[farm-staging]
Server = file://$T/farm
EOF
conf "$T/farm.conf" "straws = plain" "pacman_conf = $T/pacman.conf"
pkgbuild fooapp 'pkgname=fooapp
pkgver=1
pkgrel=1
arch=(x86_64)
makedepends=(libfoo not-published-yet)
build() {
	printf "#include <slipway-foo.h>\nint main(void) { return foo() == 42 ? 0 : 1; }\n" >app.c
	gcc -o fooapp app.c -lfoo
}
package() { install -Dm755 fooapp "$pkgdir/usr/bin/fooapp"; }'
build "$T/farm.conf" fooapp
if [ "$rc" -eq 0 ]; then ok "a program builds against the library from the farm's repository"
else not_ok "a program builds against the library from the farm's repository" \
	"rc=$rc" "$err" "$(log fooapp plain)"; fi
mkdir -p "$T/x"
bsdtar -xf "$T/out/fooapp/fooapp-1-1-x86_64.pkg.tar.gz" -C "$T/x" usr/bin/fooapp 2>/dev/null
bsdtar -xf "$T/out/libfoo/libfoo-1-1-x86_64.pkg.tar.gz" -C "$T/x" usr/lib 2>/dev/null
if readelf -d "$T/x/usr/bin/fooapp" 2>/dev/null | grep -q 'NEEDED.*\[libfoo.so.1\]' &&
	LD_LIBRARY_PATH="$T/x/usr/lib" "$T/x/usr/bin/fooapp"; then
	ok "the program's DT_NEEDED is the farm's libfoo.so.1, and it runs against it"
else
	not_ok "the program's DT_NEEDED is the farm's libfoo.so.1, and it runs against it" \
		"$(readelf -d "$T/x/usr/bin/fooapp" 2>&1 | grep NEEDED)"
fi
if log fooapp plain | grep -q "build dependency 'not-published-yet' is not published"; then
	ok "a dependency the farm has not published is skipped with a log line"
else
	not_ok "a dependency the farm has not published is skipped with a log line" \
		"$(log fooapp plain | head -30)"
fi
pkgbuild barapp 'pkgname=barapp
pkgver=1
pkgrel=1
arch=(x86_64)
makedepends=(libbar)
package() { :; }'
build "$T/farm.conf" barapp
if [ "$rc" -eq 1 ] && grep -q "ghost-dependency" <<<"$err" && [ "$(outlist barapp)" = "barapp.plain.log.gz " ]; then
	ok "a farm package's missing dependency fails the build, named in the error"
else
	not_ok "a farm package's missing dependency fails the build, named in the error" \
		"rc=$rc" "$err" "$(outlist barapp)"
fi

# --- sources over HTTP on 127.0.0.1: downloaded once, then from the cache
mkdir -p "$T/www"
echo "source data" >"$T/www/data.txt"
sum=$(sha256sum "$T/www/data.txt" | cut -d' ' -f1)
port=
for try in 1 2 3 4 5; do
	p=$((20000 + RANDOM % 40000))
	python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$p" \
		>"$T/http.log" 2>&1 &
	hpid=$!
	for i in $(seq 50); do
		curl -fs "http://127.0.0.1:$p/" >/dev/null 2>&1 && { port=$p; break; }
		kill -0 "$hpid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$port" ] && break
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
done
at_exit "kill $hpid 2>/dev/null"
[ -n "$port" ] || { not_ok "start an HTTP server on 127.0.0.1"; exit 1; }
pkgbuild fetch "pkgname=fetch
pkgver=1
pkgrel=1
arch=(x86_64)
source=(http://127.0.0.1:$port/data.txt)
sha256sums=($sum)
package() { install -Dm644 data.txt \"\$pkgdir/usr/share/fetch/data.txt\"; }"
build "$T/plain.conf" fetch
if [ "$rc" -eq 0 ] && [ -f "$T/work/sources/files/sha256/$sum" ]; then
	ok "a source=() file from http://127.0.0.1 is fetched and stored under its sha256"
else
	not_ok "a source=() file from http://127.0.0.1 is fetched and stored under its sha256" \
		"rc=$rc" "$err" "$(log fetch plain)"
fi
gets=$(grep -c 'GET /data.txt' "$T/http.log")
# hostile: the next build writes through the hard link into the cache
pkgbuild refetch "pkgname=refetch
pkgver=1
pkgrel=1
arch=(x86_64)
source=(http://127.0.0.1:$port/data.txt)
sha256sums=($sum)
build() { chmod u+w \"\$SRCDEST/data.txt\" && echo poisoned >>\"\$SRCDEST/data.txt\"; }
package() { install -Dm644 data.txt \"\$pkgdir/usr/share/refetch/data.txt\"; }"
build "$T/plain.conf" refetch
if [ "$rc" -eq 0 ] && [ "$(grep -c 'GET /data.txt' "$T/http.log")" -eq "$gets" ]; then
	ok "a rebuild of the same source downloads nothing: it comes from the cache"
else
	not_ok "a rebuild of the same source downloads nothing: it comes from the cache" \
		"rc=$rc gets before $gets, now $(grep -c 'GET /data.txt' "$T/http.log")" "$err"
fi
if [ ! -e "$T/work/sources/files/sha256/$sum" ]; then
	ok "a build writing through the cache's hard link gets that entry dropped"
else
	not_ok "a build writing through the cache's hard link gets that entry dropped" \
		"$(cat "$T/work/sources/files/sha256/$sum")"
fi

# --- straws in turn: plain cannot download (the URL is dead), mirror gets
# the file from <mirror>/<sha256> but check() fails, nocheck then builds
# with the file the mirror straw left in the cache
mkdir -p "$T/www/mirror"
echo "mirrored data" >"$T/www/mirror/src"
msum=$(sha256sum "$T/www/mirror/src" | cut -d' ' -f1)
mv "$T/www/mirror/src" "$T/www/mirror/$msum"
pkgbuild straws "pkgname=straws
pkgver=1
pkgrel=1
arch=(x86_64)
source=(http://127.0.0.1:$port/gone/data.txt)
sha256sums=($msum)
check() { echo 'the tests fail'; false; }
package() { install -Dm644 data.txt \"\$pkgdir/usr/share/straws/data.txt\"; }"
conf "$T/mirror.conf" "straws = plain mirror nocheck" "source_mirror = http://127.0.0.1:$port/mirror/"
build "$T/mirror.conf" straws
if [ "$rc" -eq 0 ] && [ "$(outlist straws)" = "straws-1-1-x86_64.pkg.tar.gz straws-1-1-x86_64.pkg.tar.gz.sig " ] &&
	log straws plain | grep -q "downloading the sources (network on): failed" &&
	log straws mirror | grep -q "the tests fail" &&
	log straws nocheck | grep -q "built 1 package" &&
	[ "$(bsdtar -xOf "$T/out/straws/straws-1-1-x86_64.pkg.tar.gz" usr/share/straws/data.txt)" = "mirrored data" ]; then
	ok "plain, mirror, nocheck in turn: the mirror fetches by sha256, nocheck skips check()"
else
	not_ok "plain, mirror, nocheck in turn: the mirror fetches by sha256, nocheck skips check()" \
		"rc=$rc" "$(outlist straws)" "$err"
fi

# --- build() may not reach the network, not even 127.0.0.1
gets=$(grep -c 'GET /data.txt' "$T/http.log")
pkgbuild net "pkgname=net
pkgver=1
pkgrel=1
arch=(x86_64)
build() { curl -fsS -o got.txt http://127.0.0.1:$port/data.txt; }
package() { :; }"
conf "$T/one.conf" "straws = plain"
build "$T/one.conf" net
if [ "$rc" -eq 1 ] && [ "$(grep -c 'GET /data.txt' "$T/http.log")" -eq "$gets" ] &&
	log net plain | grep -q "building (network off): failed"; then
	ok "a build() that tries the network fails, and the server saw nothing"
else
	not_ok "a build() that tries the network fails, and the server saw nothing" \
		"rc=$rc" "$(log net plain | tail -5)"
fi

# --- every straw fails: one log per attempt, the mirror straw skipped
pkgbuild fails 'pkgname=fails
pkgver=1
pkgrel=1
arch=(x86_64)
build() { echo "this build fails on purpose"; false; }
package() { :; }'
conf "$T/straws.conf" "straws = plain mirror clean"
build "$T/straws.conf" fails
if [ "$rc" -eq 1 ] && [ "$(outlist fails)" = "fails.clean.log.gz fails.plain.log.gz " ] &&
	zcat "$T/out/fails/fails.clean.log.gz" | grep -q "fails on purpose" &&
	grep -q "straw 'mirror' skipped: no source_mirror" <<<"$err"; then
	ok "a failing build gives a gzip log per straw; mirror without a mirror is skipped"
else
	not_ok "a failing build gives a gzip log per straw; mirror without a mirror is skipped" \
		"rc=$rc" "$(outlist fails)" "$err"
fi

# --- hostile: a package the PKGBUILD does not declare is refused
pkgbuild extra 'pkgname=extra
pkgver=1
pkgrel=1
arch=(x86_64)
package() { cp /dev/null "$PKGDEST/sneaky-1-1-x86_64.pkg.tar.gz"; }'
build "$T/one.conf" extra
if [ "$rc" -eq 1 ] && [ "$(outlist extra)" = "extra.plain.log.gz " ] &&
	zcat "$T/out/extra/extra.plain.log.gz" | grep -q "refused: .*sneaky-1-1-x86_64"; then
	ok "an extra package is refused, with its log"
else
	not_ok "an extra package is refused, with its log" "rc=$rc" "$(outlist extra)" \
		"$(zcat "$T/out/extra/extra.plain.log.gz" 2>&1 | tail -3)"
fi

# --- hostile: a fork bomb ends the build (process limit, wall time), not us
pkgbuild bomb 'pkgname=bomb
pkgver=1
pkgrel=1
arch=(x86_64)
build() { bomb() { bomb | bomb & }; bomb; wait; }
package() { :; }'
conf "$T/bomb.conf" "straws = plain" "build_processes = 64" "build_timeout = 90"
build "$T/bomb.conf" bomb
left=$(leftover)
if [ "$rc" -eq 1 ] && [ "$left" = 0 ]; then
	ok "a fork bomb fails the build and leaves no process behind"
else
	not_ok "a fork bomb fails the build and leaves no process behind" "rc=$rc left=$left" "$err"
fi

# --- the tick hook aborts at once: nothing in outdir, no process left
pkgbuild hang 'pkgname=hang
pkgver=1
pkgrel=1
arch=(x86_64)
build() { sleep 600; }
package() { :; }'
build "$T/one.conf" hang 3
left=$(leftover)
if [ "$rc" -eq 2 ] && [ -z "$(outlist hang)" ] && [ "$left" = 0 ]; then
	ok "an abort from the tick hook kills the sandbox and writes nothing"
else
	not_ok "an abort from the tick hook kills the sandbox and writes nothing" \
		"rc=$rc left=$left" "$(outlist hang)" "$err"
fi

# --- devtools: makechrootpkg cannot run here (it needs an Arch host and a
# chroot), so a stand-in records the command line it is given.
cat >"$T/makechrootpkg" <<EOF
#!/bin/sh
[ -f PKGBUILD ] && echo has-PKGBUILD >"$T/devtools.cwd"
printf '%s\n' "\$@" >"$T/devtools.args"
exit 1
EOF
chmod 755 "$T/makechrootpkg"
conf "$T/devtools.conf" "backend = devtools" "devtools_chroot = /var/lib/archbuild/extra-x86_64" \
	"makechrootpkg = $T/makechrootpkg" "straws = plain nocheck"
build "$T/devtools.conf" split
args=$(tr '\n' ' ' <"$T/devtools.args" 2>/dev/null)
if [ "$rc" -eq 1 ] && [ "$args" = "-c -r /var/lib/archbuild/extra-x86_64 -- --noconfirm --holdver --nocheck " ] &&
	[ "$(cat "$T/devtools.cwd" 2>/dev/null)" = has-PKGBUILD ]; then
	ok "devtools runs 'makechrootpkg -c -r CHROOT' in the PKGBUILD directory (stand-in)"
else
	not_ok "devtools runs 'makechrootpkg -c -r CHROOT' in the PKGBUILD directory (stand-in)" \
		"rc=$rc" "args: $args" "$err"
fi

# --- command: a template filled in, run without a shell
cat >"$T/builder" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$T/command.args"
[ -f "\$1/PKGBUILD" ] && echo has-PKGBUILD >"$T/command.dir"
cp "$T/prebuilt/"*.pkg.tar.gz "\$2/"
EOF
chmod 755 "$T/builder"
conf "$T/command.conf" "backend = command" "straws = plain" \
	"command = $T/builder {builddir} {outdir} --conf={makepkg_conf} {nocheck} \$(reboot)|x"
build "$T/command.conf" split
want="split-a-1-1-x86_64.pkg.tar.gz split-a-1-1-x86_64.pkg.tar.gz.sig split-b-1-1-any.pkg.tar.gz split-b-1-1-any.pkg.tar.gz.sig "
nargs=$(wc -l <"$T/command.args" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$(outlist split)" = "$want" ] && [ "$nargs" -eq 4 ] &&
	[ "$(sed -n 3p "$T/command.args")" = "--conf=/etc/makepkg.conf" ] &&
	[ "$(sed -n 4p "$T/command.args")" = '$(reboot)|x' ] &&
	[ "$(cat "$T/command.dir" 2>/dev/null)" = has-PKGBUILD ]; then
	ok "the command template gets its directories and runs without a shell"
else
	not_ok "the command template gets its directories and runs without a shell" \
		"rc=$rc" "$(outlist split)" "$(cat "$T/command.args" 2>&1)" "$err"
fi

if [ "$(ls "$T/work/logs" | wc -l)" -ge 10 ]; then ok "the work directory keeps the build logs"
else not_ok "the work directory keeps the build logs" "$(ls "$T/work/logs")"; fi
