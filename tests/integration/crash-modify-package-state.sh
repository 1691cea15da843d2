# modify-package-state killed with SIGKILL at every kill point of its
# commits in turn: --block on two build-list entries (build-list.lock) and
# --tested on a package in testing (package-db.lock). After each kill the
# next program finishes the journal, sanity-check passes, pacman reads
# every database, and no accepted package is lost or listed twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/db-update-lib.bash"
. "$(dirname "$0")/crash-lib.bash"

if crash_setup; then ok "a master with accepted packages"; else
	not_ok "a master with accepted packages"; exit 1; fi
crash_every "modify-package-state --block" 0 "0|2" "" \
	"$BIN/modify-package-state" --block "crash test" "${HELD%% *}" "${FREE%% *}"
tested=$(cd "$M/state/package-states" && ls | sed -n 's/\.testing$//p' | sort)
if [ -n "$tested" ]; then ok "db-update took $(echo $tested | wc -w) package(s) to testing"; else
	not_ok "db-update took a package to testing" "$(ls "$M/state/package-states")"; fi
crash_every "modify-package-state --tested" 0 "0|2" "" \
	"$BIN/modify-package-state" --tested $tested
