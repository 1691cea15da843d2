# modify-package-state: block, unblock, unbreak on build-list entries,
# tested and faulty on packages in testing; it says what it changed, and a
# package the action cannot apply to changes nothing at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proto-lib.bash"

M=$T/master
mkdir -p "$M/state/package-states" "$M/repos"
cat >"$M/master.conf" <<CONF
[master]
state_dir = state
repo_dir = repos
arch = x86_64

[repository core]
staging = core-staging
testing = core-testing

[repository extra]
staging = extra-staging
testing = extra-testing

[slave alpha]
key = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
CONF
export SLIPWAY_CONFIG=$M/master.conf
set_list "foo extra 1-1 foo -" "bar extra 1-1 bar -" "dup core 1-1 dup -" "dup extra 1-1 dup -"
MPS=$BIN/modify-package-state

run env SUDO_USER=carol "$MPS" --block "waits for upstream 2.0" foo
expect "--block foo" 0
check "says what it changed" grep -qx "blocked 'foo.$C1.$C2.extra': waits for upstream 2.0" "$T/.out"
check "the blocked state has time, who and reason" grep -qE "^[0-9]+ carol waits for upstream 2.0$" "$(state_file "foo.$C1.$C2.extra" blocked)"
run env SLIPWAY_SLAVE=alpha "$BIN/get-assignment"
if [ "$rc" -eq 0 ] && [ "$out" = "bar $C1 $C2 extra" ]; then ok "a blocked entry is not handed out"; else not_ok "a blocked entry is not handed out" "$out"; fi

# lock files are made on first use and never go: not part of the comparison
touch "$M/state/locks/build-list.lock" "$M/state/locks/package-db.lock"
before=$(digest)
run "$MPS" --block again foo
expect "blocking it again: does not apply (2)" 2 "blocked already"
run "$MPS" --unblock foo bar
expect "--unblock of one blocked and one not: 2" 2 "'bar.$C1.$C2.extra' is not blocked"
run "$MPS" --block x nosuch
expect "a pkgbase not on the list: 2" 2 "'nosuch' is not on the build list"
run "$MPS" --block x dup
expect "a pkgbase in two repositories: give the id" 2 "give the full id"
run "$MPS" --block x "foo.$C3.$C2.extra"
expect "an id of another revision: 2" 2 "is not on the build list"
run "$MPS" --block x "../etc"
expect "a name that is neither pkgbase nor id: 2" 2 "neither a pkgbase nor an id"
run "$MPS" --unbreak foo
expect "--unbreak of an entry that is not broken: 2" 2 "is not broken"
run "$MPS" --tested foo
expect "--tested of a package not in testing: 2" 2 "not in a testing repository"
run "$MPS" --block "$(printf 'two\nlines')" bar
expect "a reason with a newline is refused" 10 "control character"
check "none of these changed anything" test "$(digest)" = "$before"

run "$MPS" --unblock foo
expect "--unblock foo" 0
check "the blocked state is gone" test ! -e "$(state_file "foo.$C1.$C2.extra" blocked)"
run "$MPS" --block "two at once" "dup.$C1.$C2.core" bar
expect "--block two, one by id" 0
check "both are blocked" test -e "$(state_file "dup.$C1.$C2.core" blocked)" -a -e "$(state_file "bar.$C1.$C2.extra" blocked)"
check "two lines say so" test "$(grep -c '^blocked ' "$T/.out")" -eq 2

echo "1700000000 alpha plain -" >"$(state_file "foo.$C1.$C2.extra" broken)"
run "$MPS" --unbreak foo
expect "--unbreak foo" 0
check "its failures are gone" test ! -e "$(state_file "foo.$C1.$C2.extra" broken)"

# packages in testing
echo "foo-1-1-x86_64.pkg.tar.zst" >"$(state_file "foo.$C3.$C3.extra" testing)"
echo "old-1-1-x86_64.pkg.tar.zst" >"$(state_file "old.$C3.$C3.core" testing)"
run "$MPS" --tested foo
expect "--tested foo (in testing)" 0
check "tested lists its package files" grep -qx "foo-1-1-x86_64.pkg.tar.zst" "$(state_file "foo.$C3.$C3.extra" tested)"
before=$(digest)
run "$MPS" --tested old foo
expect "--tested of one not yet and one already tested: 2" 2 "tested already"
check "and changes nothing" test "$(digest)" = "$before"
run "$MPS" --faulty foo
expect "--faulty foo" 0
check "faulty replaces tested" test -e "$(state_file "foo.$C3.$C3.extra" faulty)" -a ! -e "$(state_file "foo.$C3.$C3.extra" tested)"
run "$MPS" --tested "foo.$C3.$C3.extra"
expect "--tested by id" 0
check "tested replaces faulty" test -e "$(state_file "foo.$C3.$C3.extra" tested)" -a ! -e "$(state_file "foo.$C3.$C3.extra" faulty)"
run "$MPS" -q --faulty foo
expect "-q --faulty foo" 0
check "-q prints nothing when all went well" test -z "$out$err"
check "and the change is made" test -e "$(state_file "foo.$C3.$C3.extra" faulty)"
run "$MPS" --quiet --faulty foo
expect "-q still says what went wrong" 2 "faulty already"
check "on stderr only" test -z "$out"

run "$MPS" --block
expect "--block without a reason: usage" 64
run "$MPS" --unblock
expect "no package: usage" 64
run "$MPS" --tested --faulty foo
expect "two actions: usage" 64
run "$MPS" foo
expect "no action: usage" 64
