# The README's `make demo` (tools/demo) on the programs under test: a git
# source of eleven PKGBUILDs (a chain, a split package, arch=any ones, a
# two-package cycle, one that fails), an OpenSSH sshd with slave-connect
# forced commands, two build-packages slaves at once, db-update to testing,
# a tested mark, db-update to stable, pacman installing from stable with
# SigLevel = Required, and the status page. Then `tools/demo --clean`
# (make demo-clean), also after a run that was killed.
. "$(dirname "$0")/lib.sh"

D=$T/demo
run env SLIPWAY_BIN="$BIN" DEMO_DIR="$D" "$TOP/tools/demo"
expect "tools/demo runs to the end" 0
demo=$out
order=$(sed -n 's/^==> \[ *[0-9]*s\] get-package-updates: .* in build order: //p' <<<"$demo")
if awk '{ for (i = 1; i <= NF; i++) at[$i] = i } END { exit !(at["libgreet"] && at["libgreet"] < at["greet"] && at["greet"] < at["greet-motd"]) }' <<<"$order"; then ok "get-package-updates put the chain in order"; else not_ok "get-package-updates put the chain in order" "$order"; fi
check "the slaves said how far they got" grep -qE '^    \[ *[0-9]+s\] built 10 of 11, 1 failed$' <<<"$demo"
n_alpha=$(grep -c ": returned: in staging" "$D/slave-alpha/build-packages.log")
n_beta=$(grep -c ": returned: in staging" "$D/slave-beta/build-packages.log")
if [ "$n_alpha" -gt 0 ] && [ "$n_beta" -gt 0 ] && [ $((n_alpha + n_beta)) -eq 10 ]; then ok "both slaves built ($n_alpha and $n_beta), each package once"; else not_ok "both slaves built, each package once" "alpha $n_alpha, beta $n_beta"; fi
check "demo-broken is broken" sh -c "ls '$D/state/package-states/' | grep -q '^demo-broken\..*\.broken\$'"
run "$BIN/why-dont-you" -c "$D/master.conf" build demo-broken
check "why-dont-you says so, with its log" grep -q "broken.*log" <<<"$out"
stable=$( { "$BIN/repo-db" list "$D/repos/core/os/$(uname -m)/core.db.tar.gz" &&
	"$BIN/repo-db" list "$D/repos/extra/os/$(uname -m)/extra.db.tar.gz"; } | cut -d' ' -f1 | sort | tr '\n' ' ')
want="cyc-egg cyc-hen demo-config demo-docs-html demo-docs-man demo-meta demo-tools demo-wallpapers greet greet-motd libgreet "
if [ "$stable" = "$want" ]; then ok "everything else reached stable, the split package's two halves too"; else not_ok "everything else reached stable" "stable: $stable" "want:   $want"; fi
for r in core-staging core-testing extra-staging extra-testing; do
	[ -z "$("$BIN/repo-db" list "$D/repos/$r/os/$(uname -m)/$r.db.tar.gz")" ] || not_ok "$r is empty afterwards"
done
R=$D/pacman/root
installed=$(pacman --config "$D/pacman/pacman.conf" -Qq 2>/dev/null | tr '\n' ' ')
if [ "$installed" = "${want/demo-docs-man /}" ]; then ok "pacman installed demo-meta and its dependencies from stable"; else not_ok "pacman installed demo-meta and its dependencies from stable" "installed: $installed"; fi
check "greet runs, linked against the farm's libgreet" grep -q "greet demo: hello, demo, from the farm's libgreet" <<<"$demo"
cyc=$(cat "$R/usr/share/cyc/hen" "$R/usr/share/cyc/egg" 2>/dev/null | sort | tr '\n' '|')
if [[ "$cyc" == "bootstrap: built without cyc-"*"|built with cyc-"*"|" ]]; then ok "the cycle was bootstrapped: one half built without the other, then the other with it"; else not_ok "the cycle was bootstrapped" "$cyc"; fi
check "the summary names the status page" grep -q "status page: *file://$D/www/index.html" <<<"$demo"
check "the status page is there" test -s "$D/www/index.html"
check "and shows the broken package with its log" sh -c "grep -q 'demo-broken' '$D/www/index.html' && ls '$D/www/logs/' | grep -q ."
run "$BIN/sanity-check" -c "$D/master.conf"
expect "sanity-check finds the demo's master sane" 0
left=$(grep -lF "$D/" /proc/[0-9]*/cmdline 2>/dev/null)
if [ -z "$left" ]; then ok "nothing the demo started is still running"; else not_ok "nothing the demo started is still running" "$left"; fi

# a run that was killed left its sshd (here a stand-in) running, and a
# pid file that now names someone else's process: --clean ends the first,
# spares the second, and removes everything
sh -c 'sleep 300' "$D/ssh/sshd_config" &
ours=$!
sleep 300 &
theirs=$!
echo "$ours" >"$D/run/sshd.pid"
echo "$theirs" >"$D/run/slave-alpha.pid"
run env DEMO_DIR="$D" "$TOP/tools/demo" --clean
expect "tools/demo --clean" 0
wait "$ours" 2>/dev/null
check "ends what the demo left running" sh -c "! kill -0 $ours 2>/dev/null"
if kill -0 "$theirs" 2>/dev/null; then ok "and leaves alone a process that is not the demo's"; else not_ok "and leaves alone a process that is not the demo's"; fi
kill "$theirs" 2>/dev/null
wait "$theirs" 2>/dev/null
check "the demo directory is gone" test ! -e "$D"
