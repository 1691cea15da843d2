# ping through slave-connect: the holder's heartbeat and phase are written;
# another slave, an expired or outdated lease, a returned one: exit 2.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proto-lib.bash"

M=$T/master
mkdir -p "$M/state" "$M/repos"
cat >"$M/master.conf" <<CONF
[master]
state_dir = state
repo_dir = repos
arch = x86_64
lease_timeout = 600

[repository extra]
staging = extra-staging
testing = extra-testing

[slave alpha]
key = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA

[slave beta]
key = BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB
CONF
export SLIPWAY_CONFIG=$M/master.conf
set_list "foo extra 1-1 foo -"
ID="foo $C1 $C2 extra"
L=$(state_file "foo.$C1.$C2.extra" locked)
run sc alpha get-assignment
expect "alpha gets foo" 0
start=$(cut -d' ' -f2 "$L")
old=$((start - 100))
echo "alpha $old $old assigned" >"$L"
run sc alpha "ping $ID building"
expect "alpha pings" 0
read -r s ls hb ph <"$L"
if [ "$s" = alpha ] && [ "$ls" = "$old" ] && [ "$hb" -ge "$start" ] && [ "$ph" = building ]; then ok "the heartbeat is now, the phase 'building', the lease start kept"; else not_ok "the heartbeat is now, the phase 'building', the lease start kept" "$(cat "$L")"; fi
before=$(digest)
run sc beta "ping $ID building"
expect "beta pings alpha's assignment: 2" 2 "assigned to slave 'alpha', not 'beta'"
check "and changes nothing" test "$(digest)" = "$before"
run sc alpha "ping foo $C3 $C2 extra building"
expect "a ping for another revision: 2" 2 "not on the build list"
run sc alpha "ping bar $C1 $C2 extra building"
expect "a ping for a package not on the list: 2" 2 "not on the build list"
run sc alpha "ping $ID Building"
expect "a phase that is not a name: refused by slave-connect" 42 "invalid phase"
run env SLIPWAY_SLAVE=alpha "$BIN/ping" foo "$C1" "$C2" extra
expect "ping by hand checks its arguments too" 64
run env SLIPWAY_SLAVE=alpha "$BIN/ping" foo "$C1" "$C2" extra 'x;y'
expect "and refuses a bad phase" 10 "invalid phase"
run env -u SLIPWAY_SLAVE "$BIN/ping" foo "$C1" "$C2" extra building
expect "without SLIPWAY_SLAVE there is no one to ping for" 10 "no SLIPWAY_SLAVE"
old=$(($(date +%s) - 601))
echo "alpha $old $old building" >"$L"
touch -d "@$old" "$L"
run sc alpha "ping $ID building"
expect "after lease_timeout without a ping the lease is gone: 2" 2 "expired"
check "an expired lease is not revived" grep -q "^alpha $old $old building\$" "$L"
rm -f "$L"
run sc alpha "ping $ID building"
expect "a lease no one holds: 2" 2 "not assigned to anyone"
now=$(date +%s)
echo "alpha $now $now building" >"$L"
run sc beta "ping $ID giveback"
expect "beta cannot give back alpha's assignment: 2" 2 "assigned to slave 'alpha'"
check "and alpha's lease stays" test -f "$L"
run sc alpha "ping $ID giveback"
expect "alpha gives its assignment back" 0
check "the lease is gone at once" test ! -e "$L"
run sc beta get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "$ID" ]; then ok "and beta gets it without waiting for lease_timeout"; else not_ok "and beta gets it without waiting for lease_timeout" "rc=$rc" "$out" "$err"; fi
