# The README's demo, tools/demo, on the programs under test: git, sshd,
# get-package-updates, a slave over SSH, the staging repositories and
# pacman installing from them. Its slave is a shell loop standing in for
# build-packages, which does not exist yet.
. "$(dirname "$0")/lib.sh"

D=$T/demo
run env SLIPWAY_BIN="$BIN" DEMO_DIR="$D" "$TOP/tools/demo"
expect "tools/demo runs to the end" 0
check "get-package-updates ordered demo-lib before demo-app" \
	awk '$1 == "demo-lib" { l = NR } $1 == "demo-app" { a = NR } END { exit !(l && a && l < a) }' \
	<(grep -E '^  -> assigned: ' <<<"$out" | sed 's/^  -> assigned: //')
check "the build list is empty afterwards" test ! -s "$D/state/build-list"
check "every package went through the sshd forced command" \
	sh -c "[ \$(grep -c 'returned: accepted into staging' <<'X'
$out
X
) -eq 3 ]"
check "core-staging holds demo-lib" grep -q 'core-staging: demo-lib 1.0-1' <<<"$out"
check "extra-staging holds demo-app" grep -q 'extra-staging: demo-app 2.1-1' <<<"$out"
check "and demo-data" grep -q 'extra-staging: demo-data 0.3-2' <<<"$out"
installed=$(sed -n 's/^  -> installed: //p' <<<"$out")
if [ "$installed" = "demo-app 2.1-1 demo-lib 1.0-1 " ]; then ok "pacman installed demo-app with its dependency"; else not_ok "pacman installed demo-app with its dependency" "installed: $installed"; fi
check "and it runs" grep -q 'hello from demo-app' <<<"$out"
pid=$(sed -n 's/.*sshd listens on .*(pid \([0-9]*\))$/\1/p' <<<"$out")
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then ok "its sshd is gone"; else not_ok "its sshd is gone" "pid '$pid'"; fi
