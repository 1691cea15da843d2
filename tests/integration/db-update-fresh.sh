# db-update on a master that nothing has reached yet publishes every
# repository of every line as an empty database signed with repo_key, so
# that pacman (a slave's, for build dependencies, or a user's) can sync
# them before the first package arrives. Databases that exist are left
# alone; one that went missing is published again.
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
REPOS="core-staging core-testing core extra-staging extra-testing extra"
repos_digest() { tree_digest "$M/repos"; }

run "$BIN/db-update" -n
expect "db-update -n on a fresh master" 0
check "the dry run publishes nothing" test -z "$(ls -A "$M/repos")"

run "$BIN/db-update"
expect "db-update on a fresh master" 0
missing=
for r in $REPOS; do
	for f in "$r.db.tar.gz" "$r.db.tar.gz.sig" "$r.files.tar.gz" "$r.db" "$r.files"; do
		[ -e "$M/repos/$r/os/x86_64/$f" ] || missing="$missing $r/$f"
	done
	[ -z "$("$BIN/repo-db" list "$M/repos/$r/os/x86_64/$r.db.tar.gz")" ] || missing="$missing $r:not-empty"
done
if [ -z "$missing" ]; then ok "it publishes all six repositories, empty and signed"; else not_ok "it publishes all six repositories, empty and signed" "missing:$missing"; fi

if pm_init "$T/pm"; then
	# shellcheck disable=SC2086
	pm_repos "$T/pm" $REPOS
	run scratch_pacman "$T/pm" -Syy
	expect "pacman (SigLevel = Required DatabaseRequired) syncs every one" 0
	run scratch_pacman "$T/pm" -Sl
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then ok "and finds nothing in them"; else not_ok "and finds nothing in them" "rc=$rc" "$out"; fi
else
	not_ok "set up a scratch pacman"
fi

before=$(repos_digest)
run "$BIN/db-update"
expect "a second db-update" 0
check "leaves the published databases byte-identical" test "$(repos_digest)" = "$before"

# hostile: a database vanishes from under a published repository
rm -f "$M/repos/extra-testing/os/x86_64/"extra-testing.*
run "$BIN/db-update"
expect "db-update after extra-testing's database vanished" 0
check "publishes it again" test -e "$M/repos/extra-testing/os/x86_64/extra-testing.db.tar.gz.sig"
run "$BIN/sanity-check"
expect "and sanity-check finds the master sane" 0
