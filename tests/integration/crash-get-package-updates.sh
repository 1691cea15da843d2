# get-package-updates killed with SIGKILL at every kill point of its commit
# in turn (build list, deletion list, build-meta, revisions), on a run that
# adds, changes and deletes packages of a source whose packages are
# partly accepted and partly assigned: after each kill the next program
# finishes the journal, sanity-check passes, pacman reads every database,
# and no accepted package is lost or listed twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/db-update-lib.bash"
. "$(dirname "$0")/crash-lib.bash"

if crash_setup; then ok "a master with accepted packages"; else
	not_ok "a master with accepted packages"; exit 1; fi
# dd changes, cc goes, ee comes
rm -rf "$U/extra/cc"
up_pkg dd 1.1 && up_pkg ee 1.0 aa && up_commit
crash_save
crash_every "get-package-updates" 0 0 "" "$BIN/get-package-updates"
