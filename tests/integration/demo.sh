# The README's demo, tools/demo, on the programs under test: git, sshd,
# get-package-updates, a slave over SSH, the staging repositories and
# pacman installing from them. Its slave is build-packages.
. "$(dirname "$0")/lib.sh"

D=$T/demo
run env SLIPWAY_BIN="$BIN" DEMO_DIR="$D" "$TOP/tools/demo"
expect "tools/demo runs to the end" 0
check "get-package-updates ordered demo-lib before demo-app" \
	awk '$1 == "demo-lib" { l = NR } $1 == "demo-app" { a = NR } END { exit !(l && a && l < a) }' \
	<(sed -n "s/^  -> '[^']*': assigned //p" <<<"$out")
check "the build list is empty afterwards" test ! -s "$D/state/build-list"
n=$(grep -c "^  -> '[^']*': returned: in staging" <<<"$out")
if [ "$n" -eq 3 ]; then ok "build-packages returned every package through the sshd forced command"; else not_ok "build-packages returned every package through the sshd forced command" "$n returned" "$out"; fi
check "and then found nothing pending" grep -q "nothing is pending on the master" <<<"$out"
check "core-staging holds demo-lib" grep -q 'core-staging: demo-lib 1.0-1' <<<"$out"
check "extra-staging holds demo-app" grep -q 'extra-staging: demo-app 2.1-1' <<<"$out"
check "and demo-data" grep -q 'extra-staging: demo-data 0.3-2' <<<"$out"
installed=$(sed -n 's/^  -> installed: //p' <<<"$out")
if [ "$installed" = "demo-app 2.1-1 demo-lib 1.0-1 " ]; then ok "pacman installed demo-app with its dependency"; else not_ok "pacman installed demo-app with its dependency" "installed: $installed"; fi
check "and it runs" grep -q 'hello from demo-app' <<<"$out"
pid=$(sed -n 's/.*sshd listens on .*(pid \([0-9]*\))$/\1/p' <<<"$out")
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then ok "its sshd is gone"; else not_ok "its sshd is gone" "pid '$pid'"; fi
