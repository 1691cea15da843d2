# get-sources through slave-connect, and the whole way of a package: a
# PKGBUILD in git with a customization, get-package-updates, get-assignment,
# get-sources (the build directory at exactly the assigned commits with the
# customization applied, from the mirrors, no checkout), makepkg on what it
# streamed, the signed package back with return-assignment, and a real
# pacman installing it from the staging repository.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/updates-helpers.bash"
. "$(dirname "$0")/proto-lib.bash"

M=$T/master
STATE=$M/state
U=$T/upstream
C=$T/custom
git_init "$U"
git_init "$C"
mkdir -p "$U/extra/hello/patches"
cat >"$U/extra/hello/PKGBUILD" <<'PKG'
pkgname=hello
pkgver=1.0
pkgrel=1
pkgdesc="says hello"
arch=(x86_64)
license=(MIT)
source=(hello.conf)
sha256sums=(SKIP)

package() {
	install -Dm644 hello.conf "$pkgdir/etc/hello.conf"
	install -Dm644 "$startdir/patches/note.txt" "$pkgdir/usr/share/hello/note.txt"
}
PKG
echo "greeting=upstream" >"$U/extra/hello/hello.conf"
# upstream's .SRCINFO, stale once the customization appends pkgrel=2
printf 'pkgbase = hello\n\tpkgver = 1.0\n\tpkgrel = 1\n\tarch = x86_64\n\npkgname = hello\n' \
	>"$U/extra/hello/.SRCINFO"
echo "a note" >"$U/extra/hello/patches/note.txt"
ln -s patches/note.txt "$U/extra/hello/note-link"
commit "$U" init
src1=$(head_of "$U")
echo "pkgdesc=\"never built\"" >>"$U/extra/hello/PKGBUILD"
commit "$U" "a later commit"
git -C "$U" reset -q --hard HEAD~1
mkdir -p "$C/extra/hello"
printf 'pkgrel=2\n' >"$C/extra/hello/PKGBUILD"
echo "greeting=custom" >"$C/extra/hello/hello.conf"
printf '#!/bin/sh\necho extra\n' >"$C/extra/hello/extra.sh"
chmod 755 "$C/extra/hello/extra.sh"
commit "$C" init
mod1=$(head_of "$C")

if ! FA=$(gpg_key alpha "$T/ka") || ! FB=$(gpg_key beta "$T/kb") || ! FR=$(gpg_key repo "$T/mk"); then
	not_ok "make the keys"
	exit 1
fi
gpg --homedir "$T/ka" --export "$FA" | gpg --homedir "$T/mk" --batch --import 2>/dev/null
mkdir -p "$M/repos"
cat >"$M/master.conf" <<CONF
[master]
state_dir = state
repo_dir = repos
arch = x86_64
repo_key = $FR
gnupg_home = $T/mk

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

[slave alpha]
key = $FA

[slave beta]
key = $FB
CONF
export SLIPWAY_CONFIG=$M/master.conf

run "$BIN/get-package-updates"
expect "get-package-updates puts hello on the build list" 0
ID="hello $src1 $mod1 extra"
check "with the source and customization commits" grep -qx "$ID" "$STATE/build-list"
run sc alpha get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "$ID" ]; then ok "alpha gets hello"; else not_ok "alpha gets hello" "rc=$rc" "$out" "$err"; exit 1; fi

SSH_ORIGINAL_COMMAND="get-sources $ID" "$BIN/slave-connect" alpha >"$T/src.tar" 2>"$T/src.err"
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$T/src.tar" ]; then ok "get-sources streams a tar"; else not_ok "get-sources streams a tar" "rc=$rc" "$(cat "$T/src.err")"; exit 1; fi
got=$(tar -tvf "$T/src.tar" | awk '{ l = $1 " " $2; for (i = 6; i <= NF; i++) l = l " " $i; print l }' | sort)
want=$(printf '%s\n' "-rw-r--r-- root/root .SRCINFO" "-rw-r--r-- root/root PKGBUILD" "-rw-r--r-- root/root hello.conf" \
	"-rwxr-xr-x root/root extra.sh" "drwxr-xr-x root/root patches/" \
	"-rw-r--r-- root/root patches/note.txt" "lrwxrwxrwx root/root note-link -> patches/note.txt" | sort)
if [ "$got" = "$want" ]; then ok "the build directory, relative, owned by root, modes kept"; else not_ok "the build directory, relative, owned by root, modes kept" "want: $want" "got:  $got"; fi
mkdir -p "$T/build"
tar -xf "$T/src.tar" -C "$T/build"
check "the customization's PKGBUILD is appended" sh -c "tail -1 '$T/build/PKGBUILD' | grep -qx 'pkgrel=2' && grep -q 'says hello' '$T/build/PKGBUILD'"
check "its files replace upstream's" grep -qx "greeting=custom" "$T/build/hello.conf"
check "and are added" test -x "$T/build/extra.sh"
check "the .SRCINFO is the master's reading, not upstream's stale one" \
	sh -c "grep -qx '	pkgrel = 2' '$T/build/.SRCINFO' && ! grep -q 'pkgrel = 1' '$T/build/.SRCINFO'"
check "at exactly the assigned commit (not the later one)" sh -c "! grep -q 'never built' '$T/build/PKGBUILD'"
SSH_ORIGINAL_COMMAND="get-sources $ID" "$BIN/slave-connect" alpha >"$T/src2.tar" 2>/dev/null
check "the same commits give the same bytes" cmp -s "$T/src.tar" "$T/src2.tar"
# a damaged cache only costs the slave a reading of its own
cp -a "$STATE/cache" "$T/cache.saved"
find "$STATE/cache" -type f -exec sh -c 'printf "garbage" >"$1"' _ {} \;
SSH_ORIGINAL_COMMAND="get-sources $ID" "$BIN/slave-connect" alpha >"$T/src3.tar" 2>"$T/src3.err"
rc=$?
if [ "$rc" -eq 0 ] && tar -tf "$T/src3.tar" | grep -qx PKGBUILD && ! tar -tf "$T/src3.tar" | grep -qx .SRCINFO; then
	ok "a damaged cache: the tar still comes, without a .SRCINFO"
else
	not_ok "a damaged cache: the tar still comes, without a .SRCINFO" "rc=$rc" "$(cat "$T/src3.err")"
fi
rm -rf "$STATE/cache" && mv "$T/cache.saved" "$STATE/cache"
check "nothing was checked out under state/git" sh -c "! find '$STATE/git' -name PKGBUILD | grep -q ."

run sc beta "get-sources $ID"
if [ "$rc" -eq 2 ] && [ -z "$out" ] && grep -q "assigned to slave 'alpha', not 'beta'" <<<"$err"; then ok "another slave gets nothing (2)"; else not_ok "another slave gets nothing (2)" "rc=$rc" "$err"; fi
run sc alpha "get-sources hello $C3 $mod1 extra"
expect "an id not on the list: 2" 2 "not on the build list"
run env -u SLIPWAY_SLAVE "$BIN/get-sources" hello "$src1" "$mod1" extra
expect "an administrator may read any id on the list" 0
run env -u SLIPWAY_SLAVE "$BIN/get-sources" hello "$src1" "$C3" extra
expect "but not one that is not" 2

# build what was streamed, sign it, return it, install it
chmod -R 777 "$T/build"
mkdir -p "$T/out"
chmod 777 "$T/out"
(cd "$T/build" && unpriv env PKGEXT=.pkg.tar.zst PKGDEST="$T/out" \
	PACKAGER="Slave Alpha <alpha@example.org>" \
	makepkg --nodeps --noconfirm >"$T/makepkg.log" 2>&1)
P=hello-1.0-2-x86_64.pkg.tar.zst
if [ -f "$T/out/$P" ]; then ok "makepkg builds $P from the tar"; else not_ok "makepkg builds $P from the tar" "$(tail -20 "$T/makepkg.log")"; exit 1; fi
run sc alpha "ping $ID building"
expect "alpha pings while it builds" 0
sign_file "$T/ka" "$FA" "$T/out/$P"
(cd "$T/out" && tar -cf "$T/up.tar" "$P" "$P.sig")
run sc_in "$T/up.tar" alpha "return-assignment $ID"
expect "return-assignment takes it" 0
S=$M/repos/extra-staging/os/x86_64
if pacman_setup "$T/pm" extra-staging "$S" "$FA" "$T/ka" &&
	gpg --homedir "$T/mk" --export "$FR" >"$T/pm/repo.gpg" &&
	pacman-key --gpgdir "$T/pm/gpg" --add "$T/pm/repo.gpg" >/dev/null 2>&1 &&
	pacman-key --gpgdir "$T/pm/gpg" --lsign-key "$FR" >/dev/null 2>&1; then
	run scratch_pacman "$T/pm" -Sy hello
	expect "pacman installs hello from extra-staging (SigLevel = Required)" 0
	check "with the customized file" grep -qx "greeting=custom" "$T/pm/root/etc/hello.conf"
else
	not_ok "set up a scratch pacman trusting our keys"
fi
run sc alpha "get-sources $ID"
expect "once returned, its sources are no one's" 2
