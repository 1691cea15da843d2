# db-update: packages built by makepkg, signed by a slave's key and returned
# through return-assignment move staging -> testing -> stable; every step
# is checked on disk and with a real pacman (SigLevel = Required) reading
# every database and installing from stable. Refusals (a version going
# backwards, a duplicate version, a forced move that breaks
# installability) change nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/db-update-lib.bash"

if ! master_setup; then
	not_ok "make the master and the slaves' keys"
	exit 1
fi
: >"$M/state/build-list"
: >"$M/state/build-meta"
pkgbuild "$T/src/needy" needy 1.0 1 libdep
pkgbuild "$T/src/userp" userp 1.0 1 plain
pkgbuild "$T/src/plain2" plain 1.0 2
pkgbuild "$T/src/plain09" plain 0.9 1
pkgbuild "$T/src/plainxz" plain 1.0 2 "" x86_64 other
# four builds at a time: makepkg spends most of its time waiting
build_fixtures "$T/pkgs" splitbase epochy & b1=$!
build_fixtures "$T/pkgs" anyone plain & b2=$!
{ makepkg_in "$T/pkgs" "$T/src/needy" && makepkg_in "$T/pkgs" "$T/src/plain2" &&
	makepkg_in "$T/pkgs" "$T/src/userp"; } & b3=$!
{ makepkg_in "$T/pkgs" "$T/src/plain09" &&
	makepkg_in "$T/pkgs" "$T/src/plainxz" .pkg.tar.xz; } & b4=$!
built=0
for b in $b1 $b2 $b3 $b4; do wait "$b" && built=$((built + 1)); done
if [ "$built" -eq 4 ]; then
	ok "makepkg builds the packages"
else
	not_ok "makepkg builds the packages"
	exit 1
fi
SA=split-a-7.0-1-x86_64.pkg.tar.zst
SB=split-b-7.0-1-x86_64.pkg.tar.zst
EP=epochy-3:2.1-4-x86_64.pkg.tar.zst
AN=anyone-0.5-2-any.pkg.tar.zst
P1=plain-1.0-1-x86_64.pkg.tar.zst
P2=plain-1.0-2-x86_64.pkg.tar.zst
ND=needy-1.0-1-x86_64.pkg.tar.zst
UP=userp-1.0-1-x86_64.pkg.tar.zst
if ship splitbase 7.0-1 split-a,split-b "$SA" "$SB" && ship epochy 3:2.1-4 epochy "$EP" &&
	ship anyone 0.5-2 anyone "$AN" && ship plain 1.0-1 plain "$P1" &&
	ship needy 1.0-1 needy "$ND" && ship userp 1.0-1 userp "$UP"; then
	ok "six pkgbases are returned into extra-staging"
else
	not_ok "six pkgbases are returned into extra-staging"
	exit 1
fi
# libdep, which needy depends on, is still to be built
echo "libdep $C1 $C2 extra" >>"$M/state/build-list"
echo "libdep extra upstream extra/libdep - 1-1 libdep -" >>"$M/state/build-meta"
pm_init "$T/pm" || { not_ok "set up a scratch pacman"; exit 1; }

# --- a dry run changes nothing ---
before=$(digest)
run "$BIN/db-update" -n -v
expect "db-update -n" 0
if [ "$(digest)" = "$before" ]; then ok "the dry run left state and repositories byte-identical"; else not_ok "the dry run left state and repositories byte-identical"; fi
check "it says what it would move" grep -q "would move 'splitbase.$C1.$C2.extra' extra-staging -> extra-testing" "$T/.out"
check "and, with -v, why needy stays" grep -q "hold 'needy.*'libdep' on the build list" "$T/.out"
run "$BIN/db-update" -n --json
check "--json prints the plan" sh -c "grep -q '\"applied\":false' '$T/.out' && grep -q '\"kind\":\"move\"' '$T/.out'"

# --- a forced move that would break installability is refused ---
run "$BIN/db-update" --unstage needy
expect "--unstage needy: refused" 2 "libdep"
if [ "$(digest)" = "$before" ]; then ok "the refusal changed nothing"; else not_ok "the refusal changed nothing"; fi

# --- staging -> testing ---
run "$BIN/db-update"
expect "db-update moves staging to testing" 0
got=$(names extra-testing | tr '\n' ' ')
if [ "$got" = "anyone 0.5-2 epochy 3:2.1-4 plain 1.0-1 split-a 7.0-1 split-b 7.0-1 userp 1.0-1 " ]; then ok "extra-testing holds the five pkgbases"; else not_ok "extra-testing holds the five pkgbases" "$got"; fi
got=$(names extra-staging | tr '\n' ' ')
if [ "$got" = "needy 1.0-1 " ]; then ok "needy is held in extra-staging (libdep is on the build list)"; else not_ok "needy is held in extra-staging" "$got"; fi
check "split packages moved together, links and all" sh -c "$(declare -f linked); M='$M'; linked extra-testing '$SA' && linked extra-testing '$SB' && ! test -e '$M/repos/extra-staging/os/x86_64/$SA'"
check "the epoch and the arch=any package are linked in testing" sh -c "$(declare -f linked); M='$M'; linked extra-testing '$EP' && linked extra-testing '$AN'"
check "the state says testing" grep -qx "$SB" "$(state_file "splitbase.$C1.$C2.extra" testing)"
check "done is gone" test ! -e "$(state_file "splitbase.$C1.$C2.extra" done)"
check "lastupdate is written" grep -qE '^[0-9]+$' "$M/state/lastupdate"
check "every database agrees with its files" dbs_ok
check "pacman reads staging and testing" pm_reads "$T/pm"

# --- testing -> stable: by the tested mark, by name; faulty stays ---
run "$BIN/modify-package-state" --tested splitbase plain userp
expect "mark splitbase, plain and userp tested" 0
run "$BIN/modify-package-state" --faulty anyone
expect "mark anyone faulty" 0
run "$BIN/db-update" --stabilize anyone
expect "--stabilize of a faulty package: refused" 2 "faulty"
run "$BIN/db-update" --stabilize needy
expect "--stabilize of a package in staging: refused" 2 "skips testing"
run "$BIN/db-update" --stabilize epochy
expect "db-update --stabilize epochy" 0
got=$(names extra | tr '\n' ' ')
if [ "$got" = "epochy 3:2.1-4 plain 1.0-1 split-a 7.0-1 split-b 7.0-1 userp 1.0-1 " ]; then ok "stable holds the tested and the named ones"; else not_ok "stable holds the tested and the named ones" "$got"; fi
got=$(names extra-testing | tr '\n' ' ')
if [ "$got" = "anyone 0.5-2 " ]; then ok "the faulty one stays in testing"; else not_ok "the faulty one stays in testing" "$got"; fi
check "no state is left for stable packages" sh -c "! ls '$M/state/package-states' | grep -q 'splitbase\|epochy\|plain\|userp'"
check "every database agrees with its files" dbs_ok
check "pacman reads all three" pm_reads "$T/pm"
pm_repos "$T/pm" extra
run scratch_pacman "$T/pm" -Sy split-b epochy
expect "pacman installs split-b and epochy from stable, SigLevel = Required" 0
run scratch_pacman "$T/pm" -Q split-a split-b epochy
if [ "$out" = $'split-a 7.0-1\nsplit-b 7.0-1\nepochy 3:2.1-4' ]; then ok "with split-a as a dependency"; else not_ok "with split-a as a dependency" "$out" "$err"; fi

# --- an older version is replaced ---
if ship plain 1.0-2 plain "$P2"; then ok "plain 1.0-2 is returned"; else not_ok "plain 1.0-2 is returned"; fi
run "$BIN/db-update"
expect "db-update moves it to testing" 0
run "$BIN/db-update" --stabilize plain
expect "db-update --stabilize plain" 0
got=$(names extra | grep '^plain')
if [ "$got" = "plain 1.0-2" ]; then ok "plain 1.0-2 replaced 1.0-1 in stable"; else not_ok "plain 1.0-2 replaced 1.0-1 in stable" "$got"; fi
check "the old link is gone, the pool file stays for --cleanup" sh -c "test ! -e '$M/repos/extra/os/x86_64/$P1' && test -f '$M/repos/pool/$P1'"
check "every database agrees with its files" dbs_ok
run scratch_pacman "$T/pm" -Syu
expect "pacman -Syu from stable" 0
run scratch_pacman "$T/pm" -S plain
run scratch_pacman "$T/pm" -Q plain
if [ "$out" = "plain 1.0-2" ]; then ok "pacman installs plain 1.0-2"; else not_ok "pacman installs plain 1.0-2" "$out" "$err"; fi

# --- refusals, each on a copy of the master ---
cp -a "$M" "$T/main"
fork() { rm -rf "$T/fork"; cp -a "$T/main" "$T/fork"; M=$T/fork; export SLIPWAY_CONFIG=$M/master.conf; }
fork
if ship plain 0.9-1 plain plain-0.9-1-x86_64.pkg.tar.zst; then
	before=$(digest)
	run "$BIN/db-update"
	expect "a version going backwards: exit 5" 5 "0.9-1.*1.0-2"
	if [ "$(digest)" = "$before" ]; then ok "nothing moved"; else not_ok "nothing moved"; fi
else
	not_ok "plain 0.9-1 is returned"
fi
fork
if ship plain 1.0-2 plain plain-1.0-2-x86_64.pkg.tar.xz; then
	before=$(digest)
	run "$BIN/db-update"
	expect "the same version with other contents: exit 4" 4 "other contents"
	if [ "$(digest)" = "$before" ]; then ok "nothing moved"; else not_ok "nothing moved"; fi
else
	not_ok "another plain 1.0-2 is returned"
fi
fork
rm "$M/repos/pool/$ND.sig"
cp "$M/repos/pool/$P2.sig" "$M/repos/pool/$ND.sig"
sed -i '/^libdep /d' "$M/state/build-list"
before=$(digest)
run "$BIN/db-update"
expect "a signature that does not verify: exit 3" 3 "needy"
if [ "$(digest)" = "$before" ]; then ok "nothing moved"; else not_ok "nothing moved"; fi
M=$T/master
export SLIPWAY_CONFIG=$M/master.conf

# --- deletions ---
printf 'epochy extra\nghost extra\nsplitbase extra\nplain extra\n' >"$M/state/deletion-list"
run "$BIN/db-update" -v
expect "db-update applies the deletion list" 0
check "the deletion of plain, which userp needs, is held, and -v says by whom" grep -q "hold 'plain' in extra: 'userp' in 'extra' needs 'plain'" "$T/.out"
check "plain stays in stable" sh -c "$BIN/repo-db list '$M/repos/extra/os/x86_64/extra.db.tar.gz' | grep -q '^plain 1.0-2'"
check "epochy left stable, its links too" sh -c "! $BIN/repo-db list '$M/repos/extra/os/x86_64/extra.db.tar.gz' | grep -q epochy && test ! -e '$M/repos/extra/os/x86_64/$EP'"
check "the split packages went together" sh -c "! $BIN/repo-db list '$M/repos/extra/os/x86_64/extra.db.tar.gz' | grep -q split"
check "the entry for a package never built is dropped with a note" grep -q "ghost.*never built" "$T/.err"
check "the deleted pkgbases left the soname index, the held one stays" sh -c \
	"! awk '{print \$2}' '$M/state/sonames' | grep -qxE 'epochy|splitbase' &&
	 awk '{print \$2}' '$M/state/sonames' | grep -qx plain"
if [ "$(cat "$M/state/deletion-list")" = "plain extra" ]; then ok "only the held deletion is left on the list"; else not_ok "only the held deletion is left on the list" "$(cat "$M/state/deletion-list")"; fi
check "every database agrees with its files" dbs_ok
check "pacman reads all three" pm_reads "$T/pm"
