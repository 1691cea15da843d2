# why-dont-you on a master in every state it explains (ops-lib.bash
# farm_setup): each reason of build, stabilize and delete, named with its
# details; unknown packages and bad questions are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/ops-lib.bash"

if farm_setup 2>"$T/setup.err"; then ok "a master in every state, made by the real programs"
else not_ok "a master in every state, made by the real programs" "$(cat "$T/setup.err")"; exit 1; fi

# says NAME QUESTION PKG REGEX...: why-dont-you QUESTION PKG exits 0 and
# prints a line matching each REGEX
says() {
	local name=$1 q=$2 p=$3 re
	shift 3
	run "$BIN/why-dont-you" "$q" "$p"
	if [ "$rc" -ne 0 ]; then not_ok "$name" "exit $rc" "$out" "$err"; return; fi
	for re in "$@"; do
		if ! grep -qE -- "$re" <<<"$out"; then not_ok "$name" "no line matches /$re/" "$out"; return; fi
	done
	ok "$name"
}

says "locked: slave, since, phase" build longdesc \
	"^longdesc: locked by slave 'alpha' since 20[0-9-]+ [0-9:]+ UTC, in phase 'building' \(last heartbeat [0-9]+s ago\)$"
says "blocked: who, when, reason" build epochy \
	"^epochy: blocked by '[^']+' at 20[0-9-]+ [0-9:]+ UTC: needs upstream fix$" \
	"modify-package-state --unblock epochy"
says "broken: count, slave, last log" build splitbase \
	"^splitbase: broken 1 time, last on slave 'beta' \(straw 'plain'\) at .*; last log: $M/state/logs/splitbase\.extra\.[0-9]+\.plain\.log\.gz$" \
	"retried by itself"
log=$(sed -n 's/.*last log: //p' <<<"$out")
if [ -f "$log" ] && zcat "$log" | grep -q "A failure occurred"; then ok "the named log is the slave's log"; else not_ok "the named log is the slave's log" "$log"; fi
says "waits for a named dependency with its state" build app \
	"^app: waits for its dependency 'lib' \(built next\)$"
says "waits for a broken dependency" build tool \
	"^tool: waits for its dependency 'splitbase' \(broken 1 time\)$"
says "in a cycle with its named members" build cyca \
	"^cyca: in a dependency cycle with 'cyca', 'cycb'"
says "would be built next" build lib "^lib: would be built next$"
got=$("$BIN/get-assignment" 2>/dev/null)
if [ "${got%% *}" = lib ]; then ok "get-assignment's dry run agrees: lib"; else not_ok "get-assignment's dry run agrees: lib" "$got"; fi
says "built already: where" build plain "^plain: not on the build list: built; 'plain' 1.0-1 is in 'extra-staging' \(staging\)$"

says "stabilize: not built yet, with the build reasons" stabilize epochy \
	"^epochy: not built yet" "^epochy: blocked by"
says "stabilize: free to move" stabilize plain "^plain: in 'extra-staging' \(staging\): moves to 'extra-testing' at the next db-update$"
says "stabilize: held in staging by named packages" stabilize rich \
	"^rich: held in 'extra-staging' \(staging\) by 'bash' \(pending\)"
says "stabilize: not tested yet" stabilize anyone \
	"^anyone: in 'extra-testing' \(testing\) since .*, not tested yet: modify-package-state --tested anyone"
says "stabilize: tested" stabilize ghost "^ghost: in 'extra-testing' \(testing\), tested: moves to 'extra' at the next db-update$"
"$BIN/modify-package-state" --faulty ghost >/dev/null
says "stabilize: faulty" stabilize ghost "^ghost: in 'extra-testing' \(testing\), marked faulty"

says "delete: held by named dependents" delete zlib \
	"^zlib: held from deletion from 'extra' by its dependents 'rich', 'needz'$"
says "delete: free to go" delete oldpkg "^oldpkg: on the deletion list: leaves 'extra' at the next db-update$"
says "delete: still in a source" delete lib "^lib: not on the deletion list"

run "$BIN/why-dont-you" build nosuchpkg
if [ "$rc" -eq 2 ] && grep -q "^nosuchpkg: not on the build list, and in no repository" <<<"$out"; then ok "unknown package: exit 2, said so"; else not_ok "unknown package: exit 2, said so" "rc=$rc" "$out" "$err"; fi
run "$BIN/why-dont-you" build lib nosuchpkg
if [ "$rc" -eq 2 ] && grep -q "^lib: would be built next" <<<"$out"; then ok "known and unknown: both answered, exit 2"; else not_ok "known and unknown: both answered, exit 2" "rc=$rc" "$out"; fi
# hostile: a pkgbase that is a path, a question that is not one
run "$BIN/why-dont-you" build ../../etc/passwd
expect "a path as pkgbase: usage error" 64 "invalid pkgbase"
run "$BIN/why-dont-you" explode lib
expect "an unknown question: usage error" 64 "unknown question 'explode'"
before=$(digest)
"$BIN/why-dont-you" build lib app cyca >/dev/null 2>&1
if [ "$(digest)" = "$before" ]; then ok "why-dont-you changes nothing"; else not_ok "why-dont-you changes nothing"; fi

# --- the same answers on a build list that get-package-updates made from a
# real git repository: a dependency chain and a cycle, read from PKGBUILDs
. "$(dirname "$0")/updates-helpers.bash"
git_init "$T/src"
pkgbuild "$T/src/extra/zlib2" zlib2 1.0
pkgbuild "$T/src/extra/app2" app2 1.0 "" "zlib2"
pkgbuild "$T/src/extra/ca" ca 1.0 "cb"
pkgbuild "$T/src/extra/cb" cb 1.0 "" "ca"
commit "$T/src"
conf "[source upstream]" "url = $T/src" "branch = main" "layout = repo/pkgbase" "" "$(repo_section extra)"
gpu
if [ "$rc" -eq 0 ]; then ok "get-package-updates reads the git repository"; else not_ok "get-package-updates reads the git repository" "$err"; fi
run "$BIN/why-dont-you" -c "$CONF" build app2 zlib2 ca
if [ "$rc" -eq 0 ] && grep -q "^app2: waits for its dependency 'zlib2' (built next)$" <<<"$out" &&
	grep -q "^zlib2: would be built next$" <<<"$out" &&
	grep -qE "^ca: in a dependency cycle with '(ca', 'cb|cb', 'ca)'" <<<"$out"; then
	ok "from get-package-updates' list: a chain, what is next, a cycle"
else not_ok "from get-package-updates' list: a chain, what is next, a cycle" "rc=$rc" "$out" "$err"; fi
