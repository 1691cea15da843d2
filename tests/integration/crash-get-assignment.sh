# get-assignment killed with SIGKILL at every kill point of its commit in
# turn (the slave's lease index, then its lease): after each kill the next
# program finishes the journal, sanity-check passes, pacman reads every
# database, and no accepted package is lost or listed twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/db-update-lib.bash"
. "$(dirname "$0")/crash-lib.bash"

if crash_setup; then ok "a master with accepted packages, '$FREE' free"; else
	not_ok "a master with accepted packages"; exit 1; fi
crash_every "get-assignment" 0 0 "" env SLIPWAY_SLAVE=beta "$BIN/get-assignment"
