# Debug packages (makepkg's options=(debug strip), a C program built with
# -g) on a line with debug = yes: return-assignment puts <pkgbase>-debug
# into extra-staging-debug, db-update moves it with its pkgbase into
# extra-testing-debug and extra-debug, replaces the older one there,
# deletes it with its pkgbase, and never holds a pkgbase for it. A real
# pacman (SigLevel = Required) reads all six databases and installs the
# debug package from extra-debug; sanity-check knows the debug
# repositories.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/db-update-lib.bash"

if ! master_setup "keep_days = 0"; then
	not_ok "make the master and the slaves' keys"
	exit 1
fi
sed -i '/^testing = extra-testing$/a debug = yes' "$M/master.conf"
: >"$M/state/build-list"
: >"$M/state/build-meta"
LINE="extra-staging extra-testing extra extra-staging-debug extra-testing-debug extra-debug"

# dbgc REL: a C program, built with -g, whose symbols makepkg splits off
dbgc() {
	local dir=$T/src/dbgc$1
	mkdir -p "$dir"
	cat >"$dir/PKGBUILD" <<-EOF
	pkgname=dbgc
	pkgver=1.0
	pkgrel=$1
	pkgdesc="db-update test package with debug symbols"
	arch=(x86_64)
	license=(MIT)
	options=(debug strip)

	build() {
		printf '#include <stdio.h>\nint main(void) { puts("dbgc $1"); return 0; }\n' >hello.c
		cc -g -O0 -o hello hello.c
	}

	package() {
		install -Dm755 hello "\$pkgdir/usr/bin/dbgc"
	}
	EOF
	makepkg_in "$T/pkgs" "$dir"
}
if dbgc 1 && dbgc 2; then
	ok "makepkg builds dbgc 1.0-1 and 1.0-2 with their debug packages"
else
	not_ok "makepkg builds dbgc 1.0-1 and 1.0-2 with their debug packages"
	exit 1
fi
D1=dbgc-1.0-1-x86_64.pkg.tar.zst
G1=dbgc-debug-1.0-1-x86_64.pkg.tar.zst
D2=dbgc-1.0-2-x86_64.pkg.tar.zst
G2=dbgc-debug-1.0-2-x86_64.pkg.tar.zst
check "the debug package holds the detached symbols" sh -c \
	"bsdtar -tf '$T/pkgs/$G1' | grep -q '^usr/lib/debug/.*\.debug$'"
# holdy's debug package (made by hand) depends on libdep, which is still
# on the build list: a debug package never holds its pkgbase
H1=holdy-1.0-1-x86_64.pkg.tar.zst
HG=holdy-debug-1.0-1-x86_64.pkg.tar.zst
hand_pkg "$T/pkgs" "$H1" "pkgname = holdy
pkgbase = holdy
pkgver = 1.0-1
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = x86_64"
hand_pkg "$T/pkgs" "$HG" "pkgname = holdy-debug
pkgbase = holdy
pkgver = 1.0-1
pkgdesc = Detached debugging symbols for holdy
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = x86_64
depend = libdep"

# dbs_all: every database of the line, debug ones too, agrees with its files
dbs_all() {
	local r
	for r in $LINE; do
		"$BIN/repo-db" check "$M/repos/$r/os/x86_64/$r.db.tar.gz" || return 1
	done
}

if ship dbgc 1.0-1 dbgc "$D1" "$G1" && ship holdy 1.0-1 holdy "$H1" "$HG"; then
	ok "dbgc and holdy are returned with their debug packages"
else
	not_ok "dbgc and holdy are returned with their debug packages"
	exit 1
fi
echo "libdep $C1 $C2 extra" >>"$M/state/build-list"
echo "libdep extra upstream extra/libdep - 1-1 libdep -" >>"$M/state/build-meta"
got=$(names extra-staging | tr '\n' ' ')
if [ "$got" = "dbgc 1.0-1 holdy 1.0-1 " ]; then ok "extra-staging holds the packages"; else not_ok "extra-staging holds the packages" "$got"; fi
got=$(names extra-staging-debug | tr '\n' ' ')
if [ "$got" = "dbgc-debug 1.0-1 holdy-debug 1.0-1 " ]; then ok "extra-staging-debug holds their debug packages"; else not_ok "extra-staging-debug holds their debug packages" "$got"; fi
check "linked there, into the pool" sh -c "$(declare -f linked); M='$M'; linked extra-staging-debug '$G1' && ! test -e '$M/repos/extra-staging/os/x86_64/$G1'"
check "done names both files" sh -c "grep -qx '$D1' '$(state_file "dbgc.$C1.$C2.extra" done)' && grep -qx '$G1' '$(state_file "dbgc.$C1.$C2.extra" done)'"
run "$BIN/sanity-check"
expect "sanity-check finds the master sane" 0

# --- staging -> testing: the debug packages go with their pkgbase ---
run "$BIN/db-update" -v
expect "db-update" 0
got=$(names extra-testing | tr '\n' ' ')
if [ "$got" = "dbgc 1.0-1 holdy 1.0-1 " ]; then ok "extra-testing holds both pkgbases (holdy-debug's dependency holds nothing)"; else not_ok "extra-testing holds both pkgbases" "$got" "$(cat "$T/.out")"; fi
got=$(names extra-testing-debug | tr '\n' ' ')
if [ "$got" = "dbgc-debug 1.0-1 holdy-debug 1.0-1 " ]; then ok "extra-testing-debug holds their debug packages"; else not_ok "extra-testing-debug holds their debug packages" "$got"; fi
check "extra-staging-debug is empty, its links gone" sh -c "test -z \"\$('$BIN/repo-db' list '$M/repos/extra-staging-debug/os/x86_64/extra-staging-debug.db.tar.gz')\" && ! test -e '$M/repos/extra-staging-debug/os/x86_64/$G1'"
check "the testing state names the debug file" grep -qx "$G1" "$(state_file "dbgc.$C1.$C2.extra" testing)"
check "every database of the line agrees with its files" dbs_all

# --- testing -> stable ---
run "$BIN/modify-package-state" --tested dbgc
expect "mark dbgc tested" 0
run "$BIN/db-update"
expect "db-update moves dbgc to stable" 0
got=$(names extra-debug | tr '\n' ' ')
if [ "$got" = "dbgc-debug 1.0-1 " ]; then ok "extra-debug holds dbgc-debug"; else not_ok "extra-debug holds dbgc-debug" "$got"; fi
got=$(names extra-testing-debug | tr '\n' ' ')
if [ "$got" = "holdy-debug 1.0-1 " ]; then ok "holdy-debug stays in testing with holdy"; else not_ok "holdy-debug stays in testing with holdy" "$got"; fi

# --- a new release replaces the old debug package in each stage ---
if ship dbgc 1.0-2 dbgc "$D2" "$G2"; then ok "dbgc 1.0-2 is returned"; else not_ok "dbgc 1.0-2 is returned"; fi
run "$BIN/db-update"
expect "db-update moves it to testing" 0
run "$BIN/db-update" --stabilize dbgc
expect "db-update --stabilize dbgc" 0
got=$(names extra-debug | tr '\n' ' ')
if [ "$got" = "dbgc-debug 1.0-2 " ]; then ok "dbgc-debug 1.0-2 replaced 1.0-1 in extra-debug"; else not_ok "dbgc-debug 1.0-2 replaced 1.0-1 in extra-debug" "$got"; fi
check "the old link is gone, the new one is there" sh -c "$(declare -f linked); M='$M'; linked extra-debug '$G2' && ! test -e '$M/repos/extra-debug/os/x86_64/$G1'"
check "every database of the line agrees with its files" dbs_all
run "$BIN/db-update" --cleanup
expect "db-update --cleanup (keep_days = 0)" 0
check "removes the replaced pool files, keeps those extra-debug links to" sh -c "test ! -e '$M/repos/pool/$G1' && test ! -e '$M/repos/pool/$D1' && test -f '$M/repos/pool/$G2' && test -f '$M/repos/pool/$HG'"
run "$BIN/sanity-check"
expect "sanity-check finds the master sane" 0

# --- pacman reads every database and installs from the debug repository ---
if pm_init "$T/pm"; then
	# shellcheck disable=SC2086
	pm_repos "$T/pm" $LINE
	run scratch_pacman "$T/pm" -Syy
	expect "pacman (SigLevel = Required DatabaseRequired) syncs all six" 0
	pm_repos "$T/pm" extra extra-debug
	run scratch_pacman "$T/pm" -Sy dbgc dbgc-debug
	expect "pacman installs dbgc and dbgc-debug from stable" 0
	run scratch_pacman "$T/pm" -Q dbgc dbgc-debug
	if [ "$out" = $'dbgc 1.0-2\ndbgc-debug 1.0-2' ]; then ok "both 1.0-2"; else not_ok "both 1.0-2" "$out" "$err"; fi
	check "with the program and its symbols" sh -c "test -x '$T/pm/root/usr/bin/dbgc' && find '$T/pm/root/usr/lib/debug' -name '*.debug' | grep -q ."
else
	not_ok "set up a scratch pacman"
fi

# --- hostile: a link missing from a debug repository ---
rm "$M/repos/extra-debug/os/x86_64/$G2"
run "$BIN/sanity-check"
check "sanity-check sees the missing link in extra-debug" sh -c "[ $rc -ne 0 ] && grep -q 'extra-debug' '$T/.out' '$T/.err'"
run "$BIN/sanity-check" --repair
run "$BIN/sanity-check"
expect "--repair links it again" 0

# --- a deletion takes the debug packages too ---
echo "dbgc extra" >"$M/state/deletion-list"
run "$BIN/db-update"
expect "db-update applies the deletion" 0
check "dbgc left extra and extra-debug, links too" sh -c "test -z \"\$('$BIN/repo-db' list '$M/repos/extra-debug/os/x86_64/extra-debug.db.tar.gz')\" && ! '$BIN/repo-db' list '$M/repos/extra/os/x86_64/extra.db.tar.gz' | grep -q dbgc && ! test -e '$M/repos/extra-debug/os/x86_64/$G2'"
check "every database of the line agrees with its files" dbs_all
run "$BIN/db-update" --cleanup
expect "db-update --cleanup" 0
check "the deleted debug package leaves the pool" test ! -e "$M/repos/pool/$G2"
run "$BIN/sanity-check"
expect "sanity-check finds the master sane" 0
