# return-assignment killed with SIGKILL at every kill point of its commits
# in turn (the package joins the staging database, its state, the build
# list, the pool prune): after each kill the next program finishes the
# journal, sanity-check passes, pacman reads every database, and no
# accepted package is lost or listed twice; a re-run accepts it once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/db-update-lib.bash"
. "$(dirname "$0")/crash-lib.bash"

if crash_setup; then ok "a master with accepted packages, alpha holds '$HELD'"; else
	not_ok "a master with accepted packages"; exit 1; fi
b=${HELD%% *}
CRASH_STDIN=$T/up/$b-1.0.tar
crash_every "return-assignment" 0 "0|2" "$b 1.0-1" \
	env SLIPWAY_SLAVE=alpha "$BIN/return-assignment" $HELD
