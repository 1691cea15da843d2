# db-update killed with SIGKILL at each step of a move in turn (the test
# build's SLIPWAY_TEST_KILL_STEP, txn.h): after each kill every database
# names only files that are there, pacman reads every database with
# SigLevel = Required, and a re-run finishes the move exactly as a run
# that was never killed.
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
build_fixtures "$T/pkgs" splitbase & b1=$!
build_fixtures "$T/pkgs" plain & b2=$!
if wait $b1 && wait $b2; then ok "makepkg builds the packages"; else not_ok "makepkg builds the packages"; exit 1; fi
SA=split-a-7.0-1-x86_64.pkg.tar.zst
SB=split-b-7.0-1-x86_64.pkg.tar.zst
P1=plain-1.0-1-x86_64.pkg.tar.zst
# splitbase waits, tested, in testing; plain in staging: the move takes
# splitbase to stable and plain to testing, three databases at once
if ship splitbase 7.0-1 split-a,split-b "$SA" "$SB" && "$BIN/db-update" >/dev/null &&
	"$BIN/modify-package-state" --tested splitbase >/dev/null &&
	ship plain 1.0-1 plain "$P1"; then
	ok "splitbase is tested in testing, plain in staging"
else
	not_ok "splitbase is tested in testing, plain in staging"
	exit 1
fi
pm_init "$T/pm" || { not_ok "set up a scratch pacman"; exit 1; }
cp -a "$M" "$T/base"

# outcome: what a finished move leaves, whatever the bytes of the databases
outcome() {
	local r
	for r in extra-staging extra-testing extra; do
		echo "[$r]"
		names "$r"
		(cd "$M/repos/$r/os/x86_64" 2>/dev/null && ls | grep -v '\.db\|\.files' | LC_ALL=C sort)
	done
	(cd "$M/state" && ls package-states | LC_ALL=C sort && cat deletion-list build-list)
	ls "$M/state" | grep -c journal
}

# named_files_there: every file a database names is there, with its .sig
named_files_there() {
	local r db f
	for r in extra-staging extra-testing extra; do
		db=$M/repos/$r/os/x86_64/$r.db.tar.gz
		[ -e "$db" ] || continue
		for f in $(bsdtar -xOf "$db" '*/desc' | awk '/^%FILENAME%$/ { getline; print }'); do
			[ -f "$M/repos/$r/os/x86_64/$f" ] && [ -f "$M/repos/$r/os/x86_64/$f.sig" ] ||
				{ echo "$r names $f, which is missing"; return 1; }
		done
	done
}

# restore: $M is the master as it was before the move
restore() { rm -rf "$T/master"; cp -a "$T/base" "$T/master"; }

run "$BIN/db-update"
expect "a move that is not killed" 0
want=$(outcome)
if grep -q "^split-a 7.0-1$" <<<"$(names extra)" && grep -q "^plain 1.0-1$" <<<"$(names extra-testing)"; then
	ok "it takes splitbase to stable and plain to testing"
else
	not_ok "it takes splitbase to stable and plain to testing" "$want"
fi

for step in link write unlink state end; do
	restore
	SLIPWAY_TEST_KILL_STEP=$step "$BIN/db-update" >"$T/.out" 2>"$T/.err"
	rc=$?
	if [ "$rc" -eq 137 ]; then ok "killed at step '$step'"; else not_ok "killed at step '$step'" "exit $rc" "$(cat "$T/.err")"; fi
	check "after the kill at '$step', every database names only files that are there" named_files_there
	check "and pacman reads every database" pm_reads "$T/pm"
	run "$BIN/db-update"
	expect "a re-run after the kill at '$step' succeeds" 0
	got=$(outcome)
	if [ "$got" = "$want" ]; then ok "and leaves what an uninterrupted move leaves"; else not_ok "and leaves what an uninterrupted move leaves" "$(diff <(echo "$want") <(echo "$got"))"; fi
	check "every database agrees with its files" dbs_ok
done
