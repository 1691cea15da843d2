# A package's own build settings, .slipway/ in its customization directory
# (slipway.conf(5), [customizations]): PKGBUILD.prepend put into the
# PKGBUILD by get-sources and read the same way by get-package-updates,
# and the rest carried in get-sources' tar to a real build (build-one:
# sw_build_run with makepkg in bubblewrap): the patch, prepare, nocheck,
# the timeout multiplier and on-success; then, on local directories, a
# stale patch, a patch that touches the PKGBUILD, on-failure and bad
# settings. One makepkg per case that needs one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/updates-helpers.bash"
. "$(dirname "$0")/proto-lib.bash"

ONE=$SLIPWAY_BUILD/tests/helpers/build-one
[ -x "$ONE" ] || { not_ok "build-one is built" "missing $ONE"; exit 1; }
FPR=$(gpg_key slave "$T/gnupg") || { not_ok "make the slave's key"; exit 1; }
mkdir -p "$T/work"
chmod 755 "$T/work"
# conf FILE BUILD_TIMEOUT
conf() {
	printf '[slave]\nname = alpha\nmaster = slipway@127.0.0.1\n'
	printf 'work_dir = %s\ngpg_key = %s\ngnupg_home = %s\n' "$T/work" "$FPR" "$T/gnupg"
	printf 'straws = plain\nbuild_timeout = %s\n' "$2"
} >"$1"
conf "$T/slave.conf" 3600
# hello sleeps longer than this; times .slipway/timeout, it has minutes
conf "$T/short.conf" 2

# log ID: the kept log of its plain straw
log() { zcat "$T/work/logs/$1.plain.log.gz" 2>/dev/null; }

# --- the master: a customization with every setting
M=$T/master
U=$T/upstream
C=$T/custom
git_init "$U"
git_init "$C"
mkdir -p "$U/extra/hello" "$C/extra/hello/.slipway"
cat >"$U/extra/hello/PKGBUILD" <<'PKG'
pkgname=hello
pkgver=1.0
pkgrel=1
pkgdesc="says hello"
arch=(x86_64)
license=(MIT)
source=(hello.txt)
sha256sums=(SKIP)

# longer than build_timeout (2 s): only .slipway/timeout lets it finish
build() { sleep 3; }
# fails: only .slipway/nocheck lets it build
check() { false; }
package() {
	install -Dm644 hello.txt "$pkgdir/usr/share/hello/hello.txt"
	install -Dm644 "$startdir/prepared" "$pkgdir/usr/share/hello/prepared"
	echo "$_flavor" >"$pkgdir/usr/share/hello/flavor"
}
PKG
printf 'one\ntwo\nthree\n' >"$U/extra/hello/hello.txt"
commit "$U" init
S=$C/extra/hello/.slipway
printf '# from the customization\n_flavor=custom\nurl=https://example.org/custom\n' >"$S/PKGBUILD.prepend"
cat >"$S/patch" <<'EOF'
--- a/hello.txt
+++ b/hello.txt
@@ -1,3 +1,3 @@
 one
-two
+zwei
 three
EOF
printf '#!/bin/sh\necho "prepared in $PWD" >prepared\n' >"$S/prepare"
printf '#!/bin/sh\necho "on-success: $1 has $(grep -c "building (network off)" "$1") build line"\n'\
'touch /pkgdest/extra 2>/dev/null && echo "on-success WROTE into pkgdest"\nexit 0\n' >"$S/on-success"
printf '#!/bin/sh\necho "on-failure ran"\n' >"$S/on-failure"
chmod 755 "$S/prepare" "$S/on-success" "$S/on-failure"
printf '100\n' >"$S/timeout"
: >"$S/nocheck"
printf 'weekly\n' >"$S/schedule"
commit "$C" init
mod1=$(head_of "$C")
src1=$(head_of "$U")

mkdir -p "$M/repos"
cat >"$M/master.conf" <<CONF
[master]
state_dir = state
repo_dir = repos
arch = x86_64

[source up]
url = $U
branch = main
layout = repo/pkgbase

[customizations]
url = $C
branch = main

[repository extra]
staging = extra-staging
testing = extra-testing
CONF
export SLIPWAY_CONFIG=$M/master.conf
run "$BIN/get-package-updates"
expect "get-package-updates takes hello with its .slipway" 0
ID="hello $src1 $mod1 extra"
check "hello is on the build list" grep -qx "$ID" "$M/state/build-list"

run env -u SLIPWAY_SLAVE "$BIN/get-sources" $ID
tar_ok=$rc
"$BIN/get-sources" $ID >"$T/src.tar" 2>/dev/null
if [ "$tar_ok" -eq 0 ] && mkdir -p "$T/build" && tar -xf "$T/src.tar" -C "$T/build"; then
	ok "get-sources streams the build directory"
else
	not_ok "get-sources streams the build directory" "rc=$tar_ok" "$err"
	exit 1
fi
got=$(tar -tvf "$T/src.tar" | awk '$NF ~ /^\.slipway/ { print $1, $NF }' | sort)
want=$(printf '%s\n' "drwxr-xr-x .slipway/" "-rw-r--r-- .slipway/nocheck" \
	"-rwxr-xr-x .slipway/on-failure" "-rwxr-xr-x .slipway/on-success" \
	"-rw-r--r-- .slipway/patch" "-rwxr-xr-x .slipway/prepare" \
	"-rw-r--r-- .slipway/schedule" "-rw-r--r-- .slipway/timeout" | sort)
if [ "$got" = "$want" ]; then
	ok "the tar carries .slipway (modes kept), but not PKGBUILD.prepend"
else
	not_ok "the tar carries .slipway (modes kept), but not PKGBUILD.prepend" "want: $want" "got:  $got"
fi
if [ "$(head -3 "$T/build/PKGBUILD")" = "$(cat "$S/PKGBUILD.prepend")" ] &&
	sed -n 4p "$T/build/PKGBUILD" | grep -qx 'pkgname=hello'; then
	ok "PKGBUILD.prepend is at the top of the PKGBUILD"
else
	not_ok "PKGBUILD.prepend is at the top of the PKGBUILD" "$(head -5 "$T/build/PKGBUILD")"
fi
check "the master's .SRCINFO read the prepended PKGBUILD" \
	grep -qx '	url = https://example.org/custom' "$T/build/.SRCINFO"

rm -rf "$T/out/hello"
mkdir -p "$T/out/hello"
run env BUILD_ONE_SRCINFO="$T/build/.SRCINFO" "$ONE" "$T/short.conf" "$T/build" hello "$T/out/hello"
P=hello-1.0-1-x86_64.pkg.tar.gz
if [ "$rc" -eq 0 ] && [ "$(cd "$T/out/hello" && ls | tr '\n' ' ')" = "$P $P.sig " ]; then
	ok "it builds (build_timeout 2 s times 100, check() skipped): the package and its signature, nothing else"
else
	not_ok "it builds (build_timeout 2 s times 100, check() skipped): the package and its signature, nothing else" \
		"rc=$rc" "$out" "$err" "$(log hello | tail -20)"
	exit 1
fi
mkdir -p "$T/pkg"
tar -xf "$T/out/hello/$P" -C "$T/pkg"
check "the patch was applied" grep -qx zwei "$T/pkg/usr/share/hello/hello.txt"
check "prepare ran in the build directory, before makepkg" grep -qx "prepared in /startdir" "$T/pkg/usr/share/hello/prepared"
check "the prepended variable reached the build" grep -qx custom "$T/pkg/usr/share/hello/flavor"
check "and the package's url" grep -qx 'url = https://example.org/custom' "$T/pkg/.PKGINFO"
check "nothing of .slipway is in the package" sh -c "! tar -tf '$T/out/hello/$P' | grep -q slipway"
check "nocheck and the time limit are in the log" sh -c \
	"zcat '$T/work/logs/hello.plain.log.gz' | grep -q 'slipway/nocheck: makepkg --nocheck' &&
	zcat '$T/work/logs/hello.plain.log.gz' | grep -q 'slipway/timeout: a time limit of 200 s'"
check "on-success ran after the build with the log's path" sh -c \
	"zcat '$T/work/logs/hello.plain.log.gz' | grep -qx 'on-success: /build.log has 1 build line'"
check "on-success cannot write into the packages" sh -c \
	"! zcat '$T/work/logs/hello.plain.log.gz' | grep -q 'WROTE'"
check "on-failure did not run" sh -c "! zcat '$T/work/logs/hello.plain.log.gz' | grep -q 'on-failure ran'"
if ! grep -q schedule <<<"$err"; then
	ok "the schedule file is no one's business here"
else
	not_ok "the schedule file is no one's business here" "$err"
fi

# a changed .slipway file is a changed customization
printf '40\n' >"$S/timeout"
commit "$C" "a longer time limit"
mod2=$(head_of "$C")
run "$BIN/get-package-updates"
expect "get-package-updates runs after a .slipway change" 0
check "and queues hello at the new customization commit" grep -qx "hello $src1 $mod2 extra" "$M/state/build-list"

# --- local directories: what fails, and says why
# local NAME: $T/src/NAME with a tiny PKGBUILD and its .SRCINFO
local_dir() {
	mkdir -p "$T/src/$1/.slipway"
	cat >"$T/src/$1/PKGBUILD" <<PKG
pkgname=$1
pkgver=1
pkgrel=1
arch=(any)
source=(hello.txt)
sha256sums=(SKIP)
check() { false; }
package() { install -Dm644 hello.txt "\$pkgdir/usr/share/$1/hello.txt"; }
PKG
	printf 'one\ntwo\nthree\n' >"$T/src/$1/hello.txt"
	printf 'pkgbase = %s\n\tpkgver = 1\n\tpkgrel = 1\n\tarch = any\n\tsource = hello.txt\n\tsha256sums = SKIP\n\npkgname = %s\n' \
		"$1" "$1" >"$T/src/$1.SRCINFO"
}
build_local() {
	rm -rf "$T/out/$1"
	mkdir -p "$T/out/$1"
	run env BUILD_ONE_SRCINFO="$T/src/$1.SRCINFO" "$ONE" "$T/slave.conf" "$T/src/$1" "$1" "$T/out/$1"
}

local_dir stale
cat >"$T/src/stale/.slipway/patch" <<'EOF'
--- a/hello.txt
+++ b/hello.txt
@@ -1,3 +1,3 @@
 one
-TWO
+zwei
 three
EOF
build_local stale
if [ "$rc" -eq 1 ] && grep -q "'.slipway/patch' does not apply: hello.txt: Hunk #1 FAILED at 1" <<<"$err" &&
	log stale | grep -q "'.slipway/patch' does not apply: hello.txt: Hunk #1 FAILED at 1"; then
	ok "a stale patch fails the build, naming the patch, the file and the hunk"
else
	not_ok "a stale patch fails the build, naming the patch, the file and the hunk" "rc=$rc" "$err" "$(log stale | tail)"
fi
check "and makepkg never ran" sh -c "! zcat '$T/work/logs/stale.plain.log.gz' | grep -q 'building (network off)'"

local_dir sneaky
cat >"$T/src/sneaky/.slipway/patch" <<'EOF'
--- a/PKGBUILD
+++ b/PKGBUILD
@@ -1,2 +1,2 @@
 pkgname=sneaky
-pkgver=1
+pkgver=2
EOF
build_local sneaky
expect "a patch that changes the PKGBUILD fails the build" 1 \
	"'.slipway/patch' changes the PKGBUILD, which the master reads as it is"

local_dir failing
printf '#!/bin/sh\necho "on-failure: $(grep -o "A failure occurred in check()" "$1")"\n' >"$T/src/failing/.slipway/on-failure"
chmod 755 "$T/src/failing/.slipway/on-failure"
build_local failing
if [ "$rc" -eq 1 ] && log failing | grep -qx 'on-failure: A failure occurred in check()'; then
	ok "without nocheck, check() fails the build, and on-failure reads why in the log"
else
	not_ok "without nocheck, check() fails the build, and on-failure reads why in the log" "rc=$rc" "$err" "$(log failing | tail)"
fi
check "the failed straw's log is what goes back" test -f "$T/out/failing/failing.plain.log.gz"

local_dir badtime
printf 'fast\n' >"$T/src/badtime/.slipway/timeout"
build_local badtime
expect "a timeout that is not a number fails the build, naming the file" 1 "'.slipway/timeout': a whole number from 1 to 100"
printf '1000\n' >"$T/src/badtime/.slipway/timeout"
build_local badtime
expect "so does one out of bounds" 1 "'.slipway/timeout': a whole number from 1 to 100"

local_dir noexec
printf '#!/bin/sh\ntrue\n' >"$T/src/noexec/.slipway/prepare"
build_local noexec
expect "a prepare that is not executable fails the build" 1 "'.slipway/prepare' is not executable"

local_dir linked
ln -s /etc/passwd "$T/src/linked/.slipway/patch"
build_local linked
expect "a symlinked setting is refused" 1 "'.slipway/patch' is not a regular file"

local_dir unknown
printf 'x\n' >"$T/src/unknown/.slipway/nochek"
: >"$T/src/unknown/.slipway/nocheck"
build_local unknown
if [ "$rc" -eq 0 ] && grep -q "'.slipway/nochek' is not a setting slipway knows: ignored" <<<"$err"; then
	ok "an unknown name is a warning, not a failure"
else
	not_ok "an unknown name is a warning, not a failure" "rc=$rc" "$err" "$(log unknown | tail)"
fi
echo "1..$_n"
