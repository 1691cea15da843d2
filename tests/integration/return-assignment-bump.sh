# The farm's own pkgrel bumps, end to end with real makepkg in bubblewrap as
# an unprivileged uid: a package is built and published; an update-once, a
# changed customization and modify-package-state --bump each queue it again
# at the same version as the farm's next bump (pkgrel 1.1, 1.2, 1.3), which
# get-sources hands out, the build makes and return-assignment accepts; an
# upload of the unbumped version is refused; an upstream pkgrel bump starts
# the count again; pacman's vercmp orders every version after the one
# before. The slave side talks through slave-connect, as sshd would run it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"
. "$(dirname "$0")/repo-lib.bash"

for p in /usr/bin/bwrap /usr/bin/makepkg /usr/bin/vercmp; do
	[ -x "$p" ] || { not_ok "$p is installed"; exit 1; }
done
FA=$(gpg_key alpha "$T/ka") && FR=$(gpg_key repo "$T/mk") || { not_ok "gpg keys"; exit 1; }
gpg --homedir "$T/ka" --export "$FA" | gpg --homedir "$T/mk" --batch --import 2>/dev/null

U=$T/upstream C=$T/custom
git_init "$U"
git_init "$C"
pkgbuild "$U/bumpy" bumpy 1
commit "$U" init
echo "# customizations" >"$C/README"
commit "$C" init
conf "gnupg_home = $T/mk
repo_key = $FR

[source up]
url = $U
branch = main
layout = pkgbase
repository = extra" "[customizations]
url = $C
branch = main" "$(repo_section extra)" "[slave alpha]
key = $FA"
export SLIPWAY_CONFIG=$CONF

mkdir -p "$T/work"
chmod 755 "$T/work"
cat >"$T/slave.conf" <<EOF
[slave]
name = alpha
master = slipway@127.0.0.1
work_dir = $T/work
gpg_key = $FA
gnupg_home = $T/ka
build_uid = $((61000 + $$ % 3000))
EOF

rev_of() { awk '$1 == "bumpy" {print $3}' "$STATE/build-list"; }
# the bumpy versions in staging
staged() {
	ls "$T/repos/extra-staging/os/x86_64" | sed -n 's/^bumpy-\(.*\)-x86_64\.pkg\.tar\.[a-z]*$/\1/p' |
		tr '\n' ' '
}

# build: get-assignment, get-sources, makepkg (slave_build), sign;
# the upload tar in $T/up.tar; $ID the assignment
build() {
	local b=$T/b
	run sc alpha get-assignment
	expect "get-assignment hands bumpy out ($1)" 0
	ID=$out
	rm -rf "$b" && mkdir -p "$b/bumpy"
	sc alpha get-sources $ID >"$T/src.tar" && tar -C "$b/bumpy" -xf "$T/src.tar" ||
		{ not_ok "get-sources ($1)"; return 1; }
	slave_build "$T/slave.conf" "$b/bumpy" bumpy "$b/out"
	expect "makepkg builds it ($1)" 0
	(cd "$b/out" && tar -cf "$T/up.tar" bumpy-*.pkg.tar.*)
}

# ---------------------------------------------------------------- first build
gpu
expect "get-package-updates queues bumpy" 0
check_eq "no bump for a version never published" 1 \
	"$(rev_of | grep -c '^[0-9a-f]*$')"
build "1-1"
run sc alpha return-assignment $ID <"$T/up.tar"
expect "return-assignment accepts 1-1" 0
check_eq "staging holds 1-1" "1-1 " "$(staged)"
cp "$T/up.tar" "$T/up-1-1.tar"
check_eq "published records it, with no bump" "$(head_of "$U") $(head_of "$C")" \
	"$(awk '$3 == "bumpy" {print $1" "$2}' "$STATE/published")"

# ---------------------------------------------------------------- update-once
printf 'bumpy\n' >"$C/update-once"
commit "$C" "update-once bumpy"
gpu
expect "update-once queues bumpy again" 0 "1 rebuild.s. of a published version"
check_eq "as the farm's bump 1" "$(head_of "$C")+1" "$(rev_of)"
run "$BIN/why-dont-you" build bumpy
expect_out "why-dont-you names the bump" 0 "built as 1-1\\.1 \\(the farm's bump 1\\)"
run "$BIN/build-master-status" --json
expect_out "the status page shows the bumped version" 0 '"version":"1-1.1"'
run sc alpha get-assignment
expect "get-assignment hands it out" 0
ID=$out
sc alpha get-sources $ID | tar -xOf - PKGBUILD | tail -1 >"$T/last"
check_eq "get-sources' PKGBUILD ends in pkgrel=1.1" "pkgrel=1.1" "$(cat "$T/last")"
before=$(tree_digest "$STATE")
run sc alpha return-assignment $ID <"$T/up-1-1.tar"
expect "the unbumped 1-1 is refused" 4 "expected '1-1.1': the farm's bump 1 of '1-1'"
check_eq "and nothing changed" "$before" "$(tree_digest "$STATE")"
# the lease is alpha's still: build what get-sources handed out
b=$T/b && rm -rf "$b" && mkdir -p "$b/bumpy"
sc alpha get-sources $ID | tar -C "$b/bumpy" -xf -
slave_build "$T/slave.conf" "$b/bumpy" bumpy "$b/out"
expect "makepkg builds 1-1.1" 0
(cd "$b/out" && tar -cf "$T/up.tar" bumpy-*.pkg.tar.*)
run sc alpha return-assignment $ID <"$T/up.tar"
expect "return-assignment accepts 1-1.1" 0
check_eq "staging holds 1-1.1 in place of 1-1" "1-1.1 " "$(staged)"

# ---------------------------------------------------------------- customization
mkdir -p "$C/extra/bumpy"
printf 'pkgdesc="bumpy, as the farm builds it"\n' >"$C/extra/bumpy/PKGBUILD"
commit "$C" "customize bumpy"
gpu
expect "a customization change queues bumpy again" 0
check_eq "as the farm's bump 2" "$(head_of "$C")+2" "$(rev_of)"
build "1-1.2"
run sc alpha return-assignment $ID <"$T/up.tar"
expect "return-assignment accepts 1-1.2" 0
check_eq "staging holds 1-1.2" "1-1.2 " "$(staged)"

# ---------------------------------------------------------------- by hand
run "$BIN/modify-package-state" --bump bumpy
expect_out "modify-package-state --bump queues bump 3" 0 "the farm's bump of 1-1, built as 1-1.3"
check_eq "at the published commits" "$(head_of "$C")+3" "$(rev_of)"
run "$BIN/modify-package-state" --bump bumpy
expect "a second --bump while it is pending is refused" 2 "on the build list already"
run "$BIN/modify-package-state" --bump nosuch
expect "--bump of something never published is refused" 2 "'nosuch' is not published"
build "1-1.3"
run sc alpha return-assignment $ID <"$T/up.tar"
expect "return-assignment accepts 1-1.3" 0

# ---------------------------------------------------------------- upstream
sed -i 's/^pkgrel=1$/pkgrel=2/' "$U/bumpy/PKGBUILD"
commit "$U" "pkgrel 2"
gpu
expect "upstream's pkgrel 2 queues bumpy" 0
check_eq "the count starts again: no bump" "$(head_of "$C")" "$(rev_of)"
build "1-2"
run sc alpha return-assignment $ID <"$T/up.tar"
expect "return-assignment accepts 1-2" 0
check_eq "staging holds 1-2" "1-2 " "$(staged)"
: >"$C/update-once"
commit "$C" "update-once done"
gpu
expect "update-once emptied" 0
printf 'bumpy\n' >"$C/update-once"
commit "$C" "update-once again"
gpu
expect "another update-once" 0
check_eq "bump 1 of 1-2" "$(head_of "$C")+1" "$(rev_of)"

# pacman's order: each build after the one before, all before pkgrel 3
prev=
for v in 1-1 1-1.1 1-1.2 1-1.3 1-2 1-2.1 1-3; do
	[ -z "$prev" ] || check "vercmp: $prev < $v" test "$(vercmp "$prev" "$v")" -lt 0
	prev=$v
done
run "$BIN/sanity-check"
expect "sanity-check finds nothing wrong" 0
