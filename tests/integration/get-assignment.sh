# get-assignment through slave-connect: 20 slaves at once never get the same
# package, an expired lease is reclaimed (and the log says so), the same
# slave asking again gets the same assignment, limits, dependencies, busy,
# and a dry run that changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proto-lib.bash"

M=$T/master
mkdir -p "$M/state" "$M/repos"
{
	printf '[master]\nstate_dir = state\nrepo_dir = repos\narch = x86_64\n'
	printf 'lease_timeout = 600\n\n[repository extra]\nstaging = extra-staging\n'
	printf 'testing = extra-testing\n'
	for i in $(seq -w 1 20); do
		printf '\n[slave s%s]\nkey = %040d\n' "$i" "$i"
	done
	printf '\n[slave multi]\nkey = %040d\nmax_assignments = 3\n' 99
} >"$M/master.conf"
export SLIPWAY_CONFIG=$M/master.conf

# twenty NAME: 20 slaves call get-assignment at the same moment
twenty() {
	local i
	rm -rf "$T/par"
	mkdir -p "$T/par"
	for i in $(seq -w 1 20); do
		(SSH_ORIGINAL_COMMAND=get-assignment "$BIN/slave-connect" "s$i" \
			>"$T/par/$i.out" 2>"$T/par/$i.err"; echo $? >"$T/par/$i.rc") &
	done
	wait
}

entries=()
for i in $(seq -w 1 30); do entries+=("p$i extra 1-1 p$i -"); done
set_list "${entries[@]}"
twenty
ok_count=$(grep -lx 0 "$T"/par/*.rc | wc -l)
dupes=$(cat "$T"/par/*.out | sort | uniq -d)
if [ "$ok_count" -eq 20 ] && [ -z "$dupes" ] && [ "$(cat "$T"/par/*.out | sort -u | wc -l)" -eq 20 ]; then
	ok "20 slaves at once: 20 different assignments"
else
	not_ok "20 slaves at once: 20 different assignments" "ok=$ok_count" "dupes: $dupes" "$(cat "$T"/par/*.err)"
fi
check "20 leases, one per slave" test "$(cat "$M"/state/package-states/*.locked | cut -d' ' -f1 | sort -u | wc -l)" -eq 20
first=$(cat "$T/par/01.out")
check "they are the first 20 of the list" test "$(cat "$T"/par/*.out | cut -d' ' -f1 | sort | tr '\n' ' ')" = "$(seq -f 'p%02g' 1 20 | tr '\n' ' ')"
twenty
if [ "$(grep -lx 0 "$T"/par/*.rc | wc -l)" -eq 20 ] && [ "$(cat "$T/par/01.out")" = "$first" ] &&
	[ "$(cat "$T"/par/*.out | sort -u | wc -l)" -eq 20 ]; then
	ok "asking again, each slave gets its own assignment back"
else
	not_ok "asking again, each slave gets its own assignment back" "$(cat "$T"/par/*.out)"
fi

# fewer packages than slaves
set_list "q1 extra 1-1 q1 -" "q2 extra 1-1 q2 -" "q3 extra 1-1 q3 -" "q4 extra 1-1 q4 -" "q5 extra 1-1 q5 -"
rm -rf "$M/state/package-states" "$M/state/leases"
twenty
got=$(cat "$T"/par/*.out | sort)
if [ "$(grep -lx 0 "$T"/par/*.rc | wc -l)" -eq 5 ] && [ "$(grep -lx 3 "$T"/par/*.rc | wc -l)" -eq 15 ] &&
	[ "$(sort -u <<<"$got" | grep -c .)" -eq 5 ]; then
	ok "5 packages, 20 slaves: 5 assignments, 15 told nothing is pending (3)"
else
	not_ok "5 packages, 20 slaves: 5 assignments, 15 told nothing is pending (3)" "$got" "$(cat "$T"/par/*.rc | tr '\n' ' ')"
fi

# a lease that expires is reclaimed
set_list "a extra 1-1 a -" "b extra 1-1 b a"
rm -rf "$M/state/package-states" "$M/state/leases"
run sc s01 get-assignment
expect "s01 gets a" 0
run sc s02 get-assignment
expect "s02: b waits for a, which is being built" 2 "nothing is ready"
L=$(state_file "a.$C1.$C2.extra" locked)
old=$(($(date +%s) - 601))
echo "s01 $old $old building" >"$L"
touch -d "@$old" "$L"
run sc s02 get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "a $C1 $C2 extra" ] &&
	grep -q "reclaimed the lease of 'a.$C1.$C2.extra' from slave 's01'" <<<"$err"; then
	ok "a lease 601 s without heartbeat is reclaimed, logged, and handed out again"
else
	not_ok "a lease 601 s without heartbeat is reclaimed, logged, and handed out again" "rc=$rc" "$out" "$err"
fi
check "the lease is s02's now" grep -q "^s02 " "$L"
run sc s01 "ping a $C1 $C2 extra building"
expect "s01's ping: no longer yours" 2 "assigned to slave 's02'"
run sc s01 get-assignment
expect "s01 asks again: b still waits for a" 2
# not yet expired at exactly lease_timeout
old=$(($(date +%s) - 590))
echo "s02 $old $old building" >"$L"
touch -d "@$old" "$L"
run sc s03 get-assignment
expect "a lease 590 s old is not reclaimed" 2
check "and it stays s02's" grep -q "^s02 $old" "$L"

# limits
set_list "m1 extra 1-1 m1 -" "m2 extra 1-1 m2 -" "m3 extra 1-1 m3 -" "m4 extra 1-1 m4 -"
rm -rf "$M/state/package-states" "$M/state/leases"
for i in 1 2 3; do
	run sc multi get-assignment
	expect "multi (max_assignments 3) takes assignment $i" 0
done
run sc multi get-assignment
expect "and is at its limit with the fourth" 4 "its limit"

# blocked and broken entries, a dry run
set_list "x1 extra 1-1 x1 -" "x2 extra 1-1 x2 -" "x3 extra 1-1 x3 -"
rm -rf "$M/state/package-states" "$M/state/leases"
mkdir -p "$M/state/package-states"
echo "1 admin upstream is broken" >"$(state_file "x1.$C1.$C2.extra" blocked)"
echo "$(($(date +%s) - 100)) s09 plain -" >"$(state_file "x2.$C1.$C2.extra" broken)"
before=$(digest)
run env -u SLIPWAY_SLAVE "$BIN/get-assignment"
if [ "$rc" -eq 0 ] && [ "$out" = "x3 $C1 $C2 extra" ] && [ "$(digest)" = "$before" ]; then ok "a dry run (no SLIPWAY_SLAVE) says x3 and changes nothing"; else not_ok "a dry run (no SLIPWAY_SLAVE) says x3 and changes nothing" "rc=$rc" "$out" "$err"; fi
run sc s01 get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "x3 $C1 $C2 extra" ]; then ok "blocked and broken entries come after plain ones"; else not_ok "blocked and broken entries come after plain ones" "$out"; fi
run sc s02 get-assignment
expect "a broken one waits for its retry delay (3600 s)" 2 "nothing is ready"
echo "$(($(date +%s) - 3600)) s09 plain -" >"$(state_file "x2.$C1.$C2.extra" broken)"
run sc s02 get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "x2 $C1 $C2 extra" ]; then ok "then, after it, the broken one is handed out again"; else not_ok "then, after it, the broken one is handed out again" "rc=$rc" "$out" "$err"; fi
run sc s03 get-assignment
expect "a blocked one never: nothing pending" 3

# busy: another process holds build-list.lock
exec 9>"$M/state/locks/build-list.lock"
flock 9
start=$(date +%s)
run sc s04 get-assignment
took=$(($(date +%s) - start))
exec 9>&-
if [ "$rc" -eq 1 ] && [ "$took" -ge 9 ] && [ "$took" -le 20 ]; then ok "build-list.lock held elsewhere: busy (1) after about 10 s"; else not_ok "build-list.lock held elsewhere: busy (1) after about 10 s" "rc=$rc took=$took" "$err"; fi

# a corrupt build list is an error naming file and line, not a crash
printf 'ok %s %s extra\nbad line\n' "$C1" "$C2" >"$M/state/build-list"
run sc s05 get-assignment
expect "a malformed build list: failed (10), naming file and line" 10 "build-list:2"
