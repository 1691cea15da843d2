# build-master-status on a master in every state (ops-lib.bash farm_setup):
# text and JSON name every package where it is; the metrics pass promtool
# and their counters survive between runs; the HTML page, loaded in
# headless Chromium, holds the packages in its tables, its filter box
# filters them as one types, and a broken package's log opens in the
# browser. Screenshots go to the build's test-logs. Hostile: a block
# reason with markup is shown as text, never run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/ops-lib.bash"

art=${SLIPWAY_BUILD:-$T}/test-logs/build-master-status
rm -rf "$art"
mkdir -p "$art"
if farm_setup 2>"$T/setup.err"; then ok "a master in every state, made by the real programs"
else not_ok "a master in every state, made by the real programs" "$(cat "$T/setup.err")"; exit 1; fi
"$BIN/modify-package-state" --unblock epochy >/dev/null
"$BIN/modify-package-state" --block '<script>document.title="pwned"</script> & <b>bold</b>' epochy >/dev/null

# --- text ---
run "$BIN/build-master-status"
if [ "$rc" -eq 0 ] && grep -q "^queue: 9 pending, 1 building, 1 broken, 1 blocked, 1 cycles$" <<<"$out"; then ok "text: the counts"; else not_ok "text: the counts" "rc=$rc" "$out" "$err"; fi
miss=""
for p in longdesc epochy lib app cyca cycb bash tool splitbase; do grep -qE "^ +[0-9]+ $p " <<<"$out" || miss+=" $p"; done
if [ -z "$miss" ]; then ok "text: the build order holds every entry"; else not_ok "text: the build order holds every entry" "missing:$miss" "$out"; fi
if grep -q "^  staging  plain  *1.0-1  (newer than stable)$" <<<"$out" && grep -q "^  alpha .*building longdesc$" <<<"$out"; then ok "text: newer than stable, and who builds what"; else not_ok "text: newer than stable, and who builds what" "$out"; fi

# --- JSON ---
run "$BIN/build-master-status" --json
if [ "$rc" -eq 0 ] && python3 - "$T/.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
q = {e["pkgbase"]: e for e in d["queue"]}
assert [e["pkgbase"] for e in d["queue"]][:3] == ["longdesc", "epochy", "lib"], d["queue"]
assert q["longdesc"]["locked"]["slave"] == "alpha" and q["longdesc"]["locked"]["phase"] == "building"
assert q["splitbase"]["broken"]["failures"] == 1 and q["splitbase"]["waiting"] == 1
assert q["epochy"]["blocked"]["reason"].startswith("<script>")
assert q["lib"]["state"] == "next" and q["app"]["depends"] == ["lib"]
assert d["cycles"] == [["cyca", "cycb"]]
extra = [r for r in d["repositories"] if r["name"] == "extra"][0]
assert [p["name"] for p in extra["staging"]["packages"]] == ["plain", "rich"]
assert [p["newer_than_stable"] for p in extra["staging"]["packages"]] == [True, True]
assert sorted(p["name"] for p in extra["stable"]["packages"]) == ["needz", "oldpkg", "plain", "zlib"]
PY
then ok "json: parses, and holds queue, locks, breakage, blocks, cycles, stages"; else not_ok "json: parses, and holds queue, locks, breakage, blocks, cycles, stages" "$out"; fi

# --- metrics ---
run "$BIN/build-master-status" --metrics "$T/slipway.prom"
if [ "$rc" -eq 0 ] && promtool check metrics <"$T/slipway.prom" >"$T/promtool.out" 2>&1; then ok "metrics pass promtool check metrics"; else not_ok "metrics pass promtool check metrics" "rc=$rc $err" "$(cat "$T/promtool.out")"; fi
cp "$T/slipway.prom" "$art/first.prom"
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T/slipway.prom"; }
if [ "$(metric slipway_queue_length)" = 9 ] && [ "$(metric slipway_locked)" = 1 ] &&
	[ "$(metric slipway_broken)" = 1 ] && [ "$(metric slipway_blocked)" = 1 ] &&
	[ "$(metric 'slipway_packages{repository="extra",stage="staging"}')" = 2 ] &&
	[ "$(metric 'slipway_packages{repository="extra",stage="stable"}')" = 4 ] &&
	[ "$(metric slipway_builds_succeeded_total)" = 2 ] && [ "$(metric slipway_builds_failed_total)" = 1 ] &&
	[ -n "$(metric 'slipway_slave_heartbeat_age_seconds{slave="alpha"}')" ]; then
	ok "metrics: queue, locked, broken, blocked, per stage, counters, heartbeats"
else not_ok "metrics: queue, locked, broken, blocked, per stage, counters, heartbeats" "$(cat "$T/slipway.prom")"; fi
# counters across runs: lib is assigned (its lease seen by a run), then returned
assign beta lib
"$BIN/build-master-status" --metrics "$T/slipway.prom"
mkpkg "$T/pkgs" lib lib 1-1 x86_64
ret_pkgs "$T/kb" "$FB" beta "lib $C1 $C2 extra" lib-1-1-x86_64.pkg.tar.zst >/dev/null 2>&1
assign gamma app && ret_error gamma "app $C1 $C2 extra" >/dev/null 2>&1
"$BIN/build-master-status" --metrics "$T/slipway.prom"
"$BIN/build-master-status" --metrics "$T/slipway.prom"
if [ "$(metric slipway_builds_succeeded_total)" = 3 ] && [ "$(metric slipway_builds_failed_total)" = 2 ] &&
	[ "$(metric slipway_build_duration_seconds_count)" = 1 ] &&
	[ "$(metric 'slipway_build_duration_seconds_bucket{le="+Inf"}')" = 1 ] &&
	promtool check metrics <"$T/slipway.prom" >/dev/null 2>&1; then
	ok "metrics: counters grow across runs, each build counted once, its duration observed"
else not_ok "metrics: counters grow across runs, each build counted once, its duration observed" "$(cat "$T/slipway.prom")"; fi
cp "$T/slipway.prom" "$art/later.prom"
ls "$T"/slipway.prom.tmp.* >/dev/null 2>&1 && not_ok "no temp file left" || ok "no temp file left"

# --- HTML in a browser ---
www=$T/www
run "$BIN/build-master-status" --html "$www"
if [ "$rc" -eq 0 ] && [ -f "$www/index.html" ]; then ok "html: index.html written"; else not_ok "html: index.html written" "$err"; fi
if grep -qE "https?:|src=|<link" "$www/index.html"; then not_ok "html: no network resources" "$(grep -nE "https?:|src=|<link" "$www/index.html")"; else ok "html: no network resources"; fi
chromium=$(command -v chromium || command -v chromium-browser)
if [ -z "$chromium" ]; then not_ok "chromium is installed (tools/install-deps)"; exit 1; fi
prof=$T/chromium
mkdir -p "$prof"
(cd "$T" && timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$prof/a" \
	--window-size=1200,1600 --screenshot="$art/page.png" "file://$www/index.html" >/dev/null 2>&1)
if [ -s "$art/page.png" ]; then ok "chromium --screenshot of the page ($art/page.png)"; else not_ok "chromium --screenshot of the page"; fi
cat >"$T/script" <<'JS'
eval Array.from(document.querySelectorAll('#queue tbody tr td:nth-child(2)')).map(e=>e.textContent).join(' ')
eval Array.from(document.querySelectorAll('#locked tbody tr')).map(r=>r.cells[0].textContent+'/'+r.cells[1].textContent+'/'+r.cells[2].textContent).join(' ')
eval Array.from(document.querySelectorAll('#broken tbody tr')).map(r=>r.cells[0].textContent+'/'+r.cells[1].textContent+'/'+r.cells[4].textContent).join(' ')
eval document.querySelector('#broken a').getAttribute('href')
eval Array.from(document.querySelectorAll('#blocked tbody tr')).map(r=>r.cells[0].textContent+'/'+r.cells[3].textContent).join(' ')
eval document.title + '|' + document.querySelectorAll('script').length + '|' + document.querySelectorAll('#blocked b').length
eval Array.from(document.querySelectorAll('#cycles tbody tr')).map(r=>r.cells[1].textContent).join(' ')
eval Array.from(document.querySelectorAll('#repositories tbody tr')).map(r=>r.cells[0].textContent+':'+r.cells[2].textContent+'='+r.cells[3].textContent).join(' ')
eval Array.from(document.querySelectorAll('#slaves tbody tr')).map(r=>r.cells[0].textContent).join(' ')
focus #filter
type rich
eval Array.from(document.querySelectorAll('table tbody tr')).filter(r=>r.style.display!=='none').map(r=>r.closest('table').id+':'+Array.from(r.cells).map(c=>c.textContent).join(' ')).join('; ')
shot FILTERED
eval document.getElementById('filter').select()
type alpha
eval Array.from(document.querySelectorAll('table tbody tr')).filter(r=>r.style.display!=='none').map(r=>r.closest('table').id+':'+r.cells[0].textContent).join(' ')
JS
sed -i "s|FILTERED|$art/filtered.png|" "$T/script"
timeout 180 /usr/bin/python3 "$TOP/tests/integration/cdp.py" "$chromium" "$prof/b" "file://$www/index.html" "$T/script" >"$T/cdp.out" 2>"$T/cdp.err"
cdp_rc=$?
mapfile -t R <"$T/cdp.out"
if [ "$cdp_rc" -ne 0 ] || [ "${#R[@]}" -ne 12 ]; then not_ok "the page runs in headless chromium over DevTools" "rc=$cdp_rc" "$(cat "$T/cdp.out" "$T/cdp.err")"; exit 1; fi
ok "the page runs in headless chromium over DevTools"
# chk N NAME REGEX: answer N (0-based) matches
chk() { if grep -qE -- "$3" <<<"${R[$1]}"; then ok "$2"; else not_ok "$2" "${R[$1]}"; fi; }
chk 0 "queue table: every entry, in build order" '^"longdesc epochy cyca cycb bash tool splitbase app"$'
chk 1 "locked table: package, slave, phase" '^"longdesc/alpha/building"$'
chk 2 "broken table: failures and how many wait on it" '^"splitbase/1/1 app/1/0"$'
chk 3 "broken table: the last log is linked" '^"logs/splitbase\.extra\.[0-9]+\.plain\.log\.gz\.txt"$'
chk 4 "blocked table: the reason, as text" '^"epochy/<script>document.title=\\"pwned\\"</script> & <b>bold</b>"$'
chk 5 "hostile reason: no script ran, no markup made" '^"slipway build master\|1\|0"$'
chk 6 "cycles table" '^"cyca cycb"$'
chk 7 "repositories table: every stage with versions" '^"extra-staging:lib=1-1 extra-staging:plain=1.0-1 extra-staging:rich=4.2.1-3 extra-testing:anyone=0.5-2 extra-testing:ghost=1-1 extra:needz=2-1 extra:oldpkg=1-1 extra:plain=0.9-1 extra:zlib=1.3-1"$'
chk 8 "slaves table" '^"alpha beta gamma"$'
chk 9 "typing 'rich' leaves only rich's rows" '^"repositories:extra-staging staging rich 4.2.1-3 \(none\)"$'
chk 11 "typing 'alpha' leaves alpha's build and alpha" '^"locked:longdesc slaves:alpha"$'
[ -s "$art/filtered.png" ] && ok "screenshot after typing ($art/filtered.png)" || not_ok "screenshot after typing"
href=$(sed 's/^"//; s/"$//' <<<"${R[3]}")
(cd "$T" && timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$prof/c" \
	--dump-dom "file://$www/$href" >"$T/log.dom" 2>/dev/null)
if grep -q "A failure occurred in build()" "$T/log.dom"; then ok "the linked log reads in the browser"; else not_ok "the linked log reads in the browser" "$(head -5 "$T/log.dom")"; fi
# logs of packages no longer broken leave the page's directory
"$BIN/modify-package-state" --unbreak splitbase app >/dev/null
"$BIN/build-master-status" --html "$www"
if [ -z "$(ls "$www/logs")" ]; then ok "html: logs of packages no longer broken are removed"; else not_ok "html: logs of packages no longer broken are removed" "$(ls "$www/logs")"; fi
