# Exact soname-triggered rebuilds, end to end with real makepkg in
# bubblewrap, real ELF files and real pacman. The fixtures: libhc, a C
# library built as libhc.so.1 (gcc -Wl,-soname); hc-one and hc-two, two
# programs linking against it (installed from the farm's staging by the
# slave's pacman); hc-free, a C program that does not. All four are built
# and returned through slave-connect, and a scratch pacman root installs
# them. Then libhc 2 builds libhc.so.2: return-assignment queues exactly
# hc-one and hc-two, after it, as the farm's bump 1 (pkgrel 1.1, which
# vercmp orders above 1), each with its reason in why-dont-you and
# build-master-status, and not hc-free; built against libhc.so.2 they are
# accepted, pacman -Syu takes the library and both programs, and each
# program runs. db-update keeps the library and its rebuilds together: the
# first builds go to stable; libhc 2 waits in staging until both
# programs are rebuilt, then the three move to testing at once, and libhc
# goes to stable only with both (tested by mark, --stabilize refused
# alone). A rebuild of libhc with the same sonames queues nothing; an
# upstream pkgrel bump of a rebuilt program starts its count again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"
. "$(dirname "$0")/repo-lib.bash"

for p in /usr/bin/bwrap /usr/bin/makepkg /usr/bin/vercmp /usr/bin/pacman /usr/bin/gcc; do
	[ -x "$p" ] || { not_ok "$p is installed"; exit 1; }
done
FA=$(gpg_key alpha "$T/ka") && FR=$(gpg_key repo "$T/mk") || { not_ok "gpg keys"; exit 1; }
gpg --homedir "$T/ka" --export "$FA" | gpg --homedir "$T/mk" --batch --import 2>/dev/null

U=$T/upstream
git_init "$U"
# libhc SOVER PKGVER: the library, its soname libhc.so.SOVER
libhc() {
	mkdir -p "$U/libhc"
	cat >"$U/libhc/PKGBUILD" <<EOF
pkgname=libhc
pkgver=$2
pkgrel=1
pkgdesc="slipway test library, soname libhc.so.$1"
arch=(x86_64)
build() {
	printf '#include <stdio.h>\nint hc_greet(const char *who) { return printf("%%s, via libhc.so.$1\\\\n", who) < 0; }\n' >hc.c
	printf 'int hc_greet(const char *who);\n' >hc.h
	gcc -shared -fPIC -Wl,-soname,libhc.so.$1 -o libhc.so.$1 hc.c
}
package() {
	install -Dm755 libhc.so.$1 "\$pkgdir/usr/lib/libhc.so.$1"
	ln -s libhc.so.$1 "\$pkgdir/usr/lib/libhc.so"
	install -Dm644 hc.h "\$pkgdir/usr/include/hc.h"
}
EOF
}
# prog NAME: a program that links against libhc
prog() {
	mkdir -p "$U/$1"
	cat >"$U/$1/PKGBUILD" <<EOF
pkgname=$1
pkgver=1
pkgrel=1
pkgdesc="slipway test program linking libhc"
arch=(x86_64)
depends=(libhc)
makedepends=(libhc)
build() {
	printf '#include <hc.h>\nint main(void) { return hc_greet("$1"); }\n' >main.c
	gcc -o $1 main.c -lhc
}
package() { install -Dm755 $1 "\$pkgdir/usr/bin/$1"; }
EOF
}
libhc 1 1
prog hc-one
prog hc-two
mkdir -p "$U/hc-free"
cat >"$U/hc-free/PKGBUILD" <<'EOF'
pkgname=hc-free
pkgver=1
pkgrel=1
pkgdesc="slipway test program that does not link libhc"
arch=(x86_64)
build() {
	printf '#include <stdio.h>\nint main(void) { return puts("hc-free, on its own") < 0; }\n' >main.c
	gcc -o hc-free main.c
}
package() { install -Dm755 hc-free "$pkgdir/usr/bin/hc-free"; }
EOF
commit "$U" init
conf "gnupg_home = $T/mk
repo_key = $FR

[source up]
url = $U
branch = main
layout = pkgbase
repository = extra" "$(repo_section extra)" "[slave alpha]
key = $FA"
export SLIPWAY_CONFIG=$CONF
STAGING=$T/repos/extra-staging/os/x86_64
TESTING=$T/repos/extra-testing/os/x86_64
STABLE=$T/repos/extra/os/x86_64

mkdir -p "$T/work"
chmod 755 "$T/work"
# the slave installs the farm's build dependencies from staging
cat >"$T/farm-pacman.conf" <<EOF
[options]
Architecture = auto
SigLevel = Never

[extra-staging]
Server = file://$STAGING
EOF
cat >"$T/slave.conf" <<EOF
[slave]
name = alpha
master = slipway@127.0.0.1
work_dir = $T/work
gpg_key = $FA
gnupg_home = $T/ka
build_uid = $((61000 + $$ % 3000))
pacman_conf = $T/farm-pacman.conf
EOF

rev_of() { awk -v p="$1" '$1 == p {print $3}' "$STATE/build-list"; }
# build_next: get-assignment, get-sources, makepkg (slave_build),
# return-assignment; the pkgbase built in $B
build_next() {
	local b=$T/b
	run sc alpha get-assignment
	[ "$rc" -eq 0 ] || { not_ok "get-assignment hands something out" "rc $rc" "$err"; return 1; }
	ID=$out B=${out%% *}
	rm -rf "$b" && mkdir -p "$b/$B"
	sc alpha get-sources $ID >"$T/src.tar" && tar -C "$b/$B" -xf "$T/src.tar" ||
		{ not_ok "get-sources $B"; return 1; }
	slave_build "$T/slave.conf" "$b/$B" "$B" "$b/out"
	[ "$rc" -eq 0 ] || { not_ok "makepkg builds $B" "rc $rc" "$err" \
		"$(zcat "$b/out"/*.log.gz 2>/dev/null | tail -30)"; return 1; }
	(cd "$b/out" && tar -cf "$T/up.tar" "$B"-*.pkg.tar.*)
	run sc alpha return-assignment $ID <"$T/up.tar"
	[ "$rc" -eq 0 ] || { not_ok "return-assignment accepts $B" "rc $rc" "$err"; return 1; }
}
# staged NAME [DIR REPO]: the version of NAME in staging (or REPO)
staged() {
	"$BIN/repo-db" list "${2:-$STAGING}/${3:-extra-staging}.db.tar.gz" |
		awk -v n="$1" '$1 == n {print $2}'
}
# where NAME: "staging-version testing-version stable-version", - for none
where() {
	local v r=
	for d in "$STAGING extra-staging" "$TESTING extra-testing" "$STABLE extra"; do
		v=$(staged "$1" $d)
		r+="${v:--} "
	done
	echo "${r% }"
}

# ---------------------------------------------------------------- first builds
gpu
expect "get-package-updates queues the four" 0
check_order "libhc builds before the programs" libhc hc-one
check_order "libhc builds before the programs" libhc hc-two
built=
for _ in 1 2 3 4; do
	build_next && built+="$B "
done
check_eq "all four built and accepted" "hc-free hc-one hc-two libhc" \
	"$(tr ' ' '\n' <<<"$built" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "the build list is empty" "" "$(cat "$STATE/build-list")"
check_eq "sonames: libhc provides libhc.so.1" "libhc.so.1" \
	"$(awk '$3 == "libhc" {print $4}' "$STATE/sonames")"
check "sonames: hc-one and hc-two need it, hc-free does not" sh -c \
	"awk '\$3 == \"hc-one\" {print \$5}' '$STATE/sonames' | grep -q 'libhc.so.1' &&
	 awk '\$3 == \"hc-two\" {print \$5}' '$STATE/sonames' | grep -q 'libhc.so.1' &&
	 ! awk '\$3 == \"hc-free\" {print \$5}' '$STATE/sonames' | grep -q libhc"

# a scratch root with all four, from staging (SigLevel = Required)
if pacman_setup "$T/pm" extra-staging "$STAGING" "$FA" "$T/ka" &&
	gpg --homedir "$T/mk" --export "$FR" >"$T/pm/repo.gpg" &&
	pacman-key --gpgdir "$T/pm/gpg" --add "$T/pm/repo.gpg" >/dev/null 2>&1 &&
	pacman-key --gpgdir "$T/pm/gpg" --lsign-key "$FR" >/dev/null 2>&1; then
	run scratch_pacman "$T/pm" -Sy libhc hc-one hc-two hc-free
	expect "pacman installs the four from staging" 0
else
	not_ok "set up a scratch pacman"
fi
# runs PROGRAM in the scratch root (its libraries first)
runs() { LD_LIBRARY_PATH=$T/pm/root/usr/lib "$T/pm/root/usr/bin/$1"; }
run runs hc-one
check_eq "hc-one runs against libhc.so.1" "hc-one, via libhc.so.1" "$out"
# the scratch root follows the line: staging first, then testing and stable
printf '\n[extra-testing]\nServer = file://%s\n\n[extra]\nServer = file://%s\n' \
	"$TESTING" "$STABLE" >>"$T/pm/pacman.conf"

# to stable: nothing waits for anything yet
run "$BIN/db-update"
expect "db-update moves the four to testing" 0
run "$BIN/modify-package-state" --tested libhc hc-one hc-two hc-free
expect "all four marked tested" 0
run "$BIN/db-update"
expect "db-update moves the four to stable" 0
check_eq "libhc 1-1 is in stable" "- - 1-1" "$(where libhc)"
check_eq "hc-one 1-1 is in stable" "- - 1-1" "$(where hc-one)"

# ---------------------------------------------------------------- libhc.so.2
libhc 2 2
commit "$U" "libhc 2: soname libhc.so.2"
gpu
expect "libhc 2 is queued" 0
check_list "only libhc is on the list" "libhc extra"
build_next
check_eq "libhc 2-1 is in staging" "2-1" "$(staged libhc)"
check_list "exactly hc-one and hc-two are queued, not hc-free" \
	"hc-one extra" "hc-two extra"
for p in hc-one hc-two; do
	check_eq "$p: as the farm's bump 1 of its published build" \
		"$(awk -v p=$p '$3 == p {print $2"+1"}' "$STATE/published")" "$(rev_of $p)"
done
check_order "after libhc's build, hc-one first" hc-one hc-two
check "each names its reason in state/rebuilds" grep -qx \
	"hc-two [0-9a-f]* [0-9a-f]*+1 extra rebuild: libhc.so.1 -> libhc.so.2 by libhc 2-1" \
	"$STATE/rebuilds"
check "return-assignment logged the rebuilds" grep -q \
	"queued 'hc-one\..*', built as 1-1.1: rebuild: libhc.so.1 -> libhc.so.2 by libhc 2-1" \
	<<<"$err"
run "$BIN/why-dont-you" build hc-one
expect_out "why-dont-you names the reason" 0 \
	"hc-one: queued by the farm: rebuild: libhc.so.1 -> libhc.so.2 by libhc 2-1"
expect_out "why-dont-you names the bumped version" 0 "built as 1-1\\.1 \\(the farm's bump 1\\)"
run "$BIN/build-master-status" --json
expect_out "build-master-status --json has the reason" 0 \
	'"pkgbase":"hc-two".*"rebuild":"rebuild: libhc.so.1 -> libhc.so.2 by libhc 2-1"'
run "$BIN/build-master-status"
expect_out "build-master-status says so" 0 "queued by the farm: hc-one 1-1.1, rebuild: libhc.so.1"
check "vercmp: 1-1 < 1-1.1 < 1-2" test "$(vercmp 1-1 1-1.1)" -lt 0 -a "$(vercmp 1-1.1 1-2)" -lt 0
run "$BIN/sanity-check"
expect "sanity-check finds nothing wrong with the queued rebuilds" 0
check_eq "move-together: libhc waits for both programs' rebuilds" \
	"extra libhc hc-one 1-1 extra libhc hc-two 1-1" "$(echo $(cat "$STATE/move-together"))"
run "$BIN/db-update" -v
expect "db-update runs with the rebuilds pending" 0
check_eq "libhc 2-1 stays in staging" "2-1 - 1-1" "$(where libhc)"
check "db-update -v says libhc waits for the rebuild of hc-one" grep -qE \
	"its soname change needs a rebuild of 'hc-one' \\(newer than 1-1\\) in extra-testing beside it" <<<"$out$err"

# ---------------------------------------------------------------- rebuilt
build_next
check_eq "the first program rebuilt is hc-one" "hc-one" "$B"
run "$BIN/db-update" -v
expect "db-update runs with one rebuild pending" 0
check_eq "libhc 2-1 still waits in staging" "2-1 - 1-1" "$(where libhc)"
check_eq "hc-one 1-1.1 waits with it" "1-1.1 - 1-1" "$(where hc-one)"
check "for hc-two's rebuild" grep -qE "rebuild of 'hc-two' \\(newer than 1-1\\)" <<<"$out$err"
build_next
check_eq "then hc-two" "hc-two" "$B"
check_eq "staging holds hc-one 1-1.1" "1-1.1" "$(staged hc-one)"
check_eq "staging holds hc-two 1-1.1" "1-1.1" "$(staged hc-two)"
check_eq "hc-free is untouched: 1-1, in stable" "- - 1-1" "$(where hc-free)"
check "hc-one 1-1.1 needs libhc.so.2 now" sh -c \
	"awk '\$3 == \"hc-one\" {print \$5}' '$STATE/sonames' | grep -q 'libhc.so.2'"
check_eq "nothing more is queued" "" "$(cat "$STATE/build-list")"
check_eq "no reason is left behind" "" "$(cat "$STATE/rebuilds")"
run scratch_pacman "$T/pm" -Syu
expect "pacman -Syu upgrades the scratch root" 0
run scratch_pacman "$T/pm" -Q
check_eq "it has the library, both rebuilt programs and the old hc-free" \
	"hc-free 1-1 hc-one 1-1.1 hc-two 1-1.1 libhc 2-1" "$(echo $out)"
for p in hc-one hc-two; do
	run runs $p
	check_eq "$p runs against libhc.so.2" "$p, via libhc.so.2" "$out"
done
run runs hc-free
check_eq "hc-free runs" "hc-free, on its own" "$out"

# ---------------------------------------------------------------- together
run "$BIN/db-update"
expect "db-update with both rebuilds in staging" 0
check_eq "libhc 2-1 moves to testing" "- 2-1 1-1" "$(where libhc)"
check_eq "with hc-one 1-1.1" "- 1-1.1 1-1" "$(where hc-one)"
check_eq "and hc-two 1-1.1" "- 1-1.1 1-1" "$(where hc-two)"
run "$BIN/modify-package-state" --tested libhc
expect "libhc alone marked tested" 0
run "$BIN/db-update" -v
expect "db-update with only libhc tested" 0
check_eq "libhc stays in testing without its rebuilds" "- 2-1 1-1" "$(where libhc)"
check "db-update -v says why" grep -qE "rebuild of 'hc-one' \\(newer than 1-1\\) in extra beside it" <<<"$out$err"
run "$BIN/db-update" --stabilize libhc
expect "--stabilize libhc alone is refused" 2
check "naming the rebuild it waits for" grep -qE "cannot move 'libhc.*rebuild of 'hc-one'" <<<"$err"
check_eq "nothing moved" "- 2-1 1-1" "$(where libhc)"
run "$BIN/modify-package-state" --tested hc-one hc-two
expect "the rebuilds marked tested" 0
run "$BIN/db-update"
expect "db-update moves the three to stable" 0
check_eq "libhc 2-1 in stable" "- - 2-1" "$(where libhc)"
check_eq "hc-one 1-1.1 in stable" "- - 1-1.1" "$(where hc-one)"
check_eq "hc-two 1-1.1 in stable" "- - 1-1.1" "$(where hc-two)"
check_eq "move-together is empty" "" "$(cat "$STATE/move-together")"
run scratch_pacman "$T/pm" -Syu
expect "pacman -Syu from stable" 0
run runs hc-two
check_eq "hc-two still runs" "hc-two, via libhc.so.2" "$out"

# ---------------------------------------------------------------- once
run "$BIN/modify-package-state" --bump libhc
expect "modify-package-state --bump libhc" 0
build_next
check_eq "libhc 2-1.1 is accepted" "2-1.1" "$(staged libhc)"
check_eq "same sonames: nothing is queued" "" "$(cat "$STATE/build-list")"
check_eq "and nothing has to move with it" "" "$(cat "$STATE/move-together")"

# ---------------------------------------------------------------- pkgrel
sed -i 's/^pkgrel=1$/pkgrel=2/' "$U/hc-one/PKGBUILD"
commit "$U" "hc-one pkgrel 2"
gpu
expect "upstream's pkgrel 2 of hc-one is queued" 0
check_eq "at upstream's new commit" "$(head_of "$U")" \
	"$(awk '$1 == "hc-one" {print $2}' "$STATE/build-list")"
check "the count starts again: its revision has no bump" sh -c "! awk '\$1 == \"hc-one\" {print \$3}' '$STATE/build-list' | grep -qF +"
check_eq "at version 1-2" "1-2" "$(meta hc-one extra 6)"
check_eq "and no reason: it is upstream's build" "" "$(cat "$STATE/rebuilds" 2>/dev/null)"
run "$BIN/sanity-check"
expect "sanity-check finds nothing wrong" 0
