# slave-connect: injection attempts through SSH_ORIGINAL_COMMAND run nothing
# (exit 42, one line on stderr, nothing changed), unknown slaves are
# refused, and an accepted command is exec'd beside slave-connect with
# exactly "-c CONFIG -- ARGS" and an allowlisted environment.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proto-lib.bash"

M=$T/master
mkdir -p "$M/state" "$M/repos"
cat >"$M/master.conf" <<EOF
[master]
state_dir = state
repo_dir = repos
arch = x86_64

[repository extra]
staging = extra-staging
testing = extra-testing

[slave alpha]
key = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
EOF
export SLIPWAY_CONFIG=$M/master.conf
set_list "foo extra 1-1 foo -"
run sc alpha get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "foo $C1 $C2 extra" ]; then ok "get-assignment runs through slave-connect"; else not_ok "get-assignment runs through slave-connect" "rc=$rc" "$out" "$err"; fi

P=$T/pwned
before=$(digest)
long=$(printf 'a%.0s' $(seq 300))
longer=$(printf 'get-sources %s' "$(printf 'b%.0s' $(seq 2000))")
n=0
# refused NAME COMMAND: exit 42, one line on stderr, nothing ran or changed
refused() {
	local name=$1 cmd=$2 lines
	n=$((n + 1))
	rm -f "$P"
	run sc alpha "$cmd"
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ "$rc" -eq 42 ] && [ "$lines" -eq 1 ] && [ ! -e "$P" ] &&
		[ "$(digest)" = "$before" ] && grep -q "refused" <<<"$err"; then
		ok "refused: $name"
	else
		not_ok "refused: $name" "rc=$rc lines=$lines pwned=$([ -e "$P" ] && echo yes || echo no)" "stderr: $err"
	fi
}
refused "';' after the command" "get-assignment;touch $P"
refused "'; ' and a second command" "get-assignment; touch $P"
refused "'&&'" "get-assignment && touch $P"
refused "'|'" "get-assignment | touch $P"
refused "'\$(...)' as an argument" "get-assignment \$(touch $P)"
refused "'\$(...)' as a pkgbase" "get-sources \$(touch $P) $C1 $C2 extra"
refused "backticks" "get-sources \`touch $P\` $C1 $C2 extra"
refused "backticks in the command" "get-assignment\`touch $P\`"
refused "a newline and a second command" "get-assignment
touch $P"
refused "a newline inside an argument" "ping foo $C1 $C2 extra build
touch $P"
refused "a carriage return" "get-assignment"$'\r'
refused "a tab instead of a space" "get-sources"$'\t'"foo $C1 $C2 extra"
refused "'../' as a pkgbase" "get-sources ../../etc $C1 $C2 extra"
refused "'../' as a repository" "get-sources foo $C1 $C2 ../extra"
refused "'../' as a phase" "ping foo $C1 $C2 extra ../x"
refused "a path as a pkgbase" "get-sources /etc/passwd $C1 $C2 extra"
refused "a glob" "get-sources * $C1 $C2 extra"
refused "a redirection" "get-sources foo $C1 $C2 extra>$P"
refused "an overlong argument" "get-sources $long $C1 $C2 extra"
refused "an overlong command" "$longer"
refused "an extra argument to get-assignment" "get-assignment extra"
refused "an extra argument to get-sources" "get-sources foo $C1 $C2 extra more"
refused "an extra argument to ping" "ping foo $C1 $C2 extra building more"
refused "an extra argument after ERROR" "return-assignment foo $C1 $C2 extra ERROR more"
refused "a missing argument" "ping foo $C1 $C2 extra"
refused "a word other than ERROR" "return-assignment foo $C1 $C2 extra error"
refused "a shell" "sh -c 'touch $P'"
refused "an absolute program" "/bin/touch $P"
refused "scp" "scp -t /tmp"
refused "rsync" "rsync --server -e.LsfxC . /tmp"
refused "an unknown command" "sanity-check --repair"
refused "an empty command (a login)" ""
refused "two spaces" "get-sources  foo $C1 $C2 extra"
refused "a leading space" " get-assignment"
refused "a trailing space" "get-assignment "
refused "upper case" "GET-ASSIGNMENT"
refused "a short commit" "get-sources foo 1234 $C2 extra"
refused "an upper case commit" "get-sources foo ${C1^^}A $C2 extra"

run env SSH_ORIGINAL_COMMAND=get-assignment "$BIN/slave-connect" nobody
if [ "$rc" -eq 42 ] && grep -q "no \[slave nobody\] section" <<<"$err"; then ok "a slave without a [slave NAME] section is refused"; else not_ok "a slave without a [slave NAME] section is refused" "rc=$rc" "$err"; fi
run env SSH_ORIGINAL_COMMAND=get-assignment "$BIN/slave-connect" "../alpha"
expect "an invalid slave name is refused" 42 "invalid slave name"
run env SSH_ORIGINAL_COMMAND=get-assignment "$BIN/slave-connect" alpha beta
expect "two slave names: usage" 64
run env -u SSH_ORIGINAL_COMMAND "$BIN/slave-connect" alpha
expect "no SSH_ORIGINAL_COMMAND (an interactive login) is refused" 42 "no command"
run env SSH_ORIGINAL_COMMAND=get-assignment "$BIN/slave-connect" -c "$T/nope.conf" alpha
expect "an unreadable configuration: 43" 43 "cannot serve slave 'alpha'"

# the exec contract, with stand-ins for the programs beside slave-connect
F=$T/fakebin
mkdir -p "$F"
cp "$BIN/slave-connect" "$F/"
for p in get-assignment get-sources ping return-assignment; do
	cat >"$F/$p" <<EOF
#!/bin/sh
{ echo "argv: \$0 \$*"; env | LC_ALL=C sort; } >"$T/called"
cat >"$T/stdin"
exit 7
EOF
	chmod 755 "$F/$p"
done
echo "upload" >"$T/upload"
env -i PATH=/usr/bin:/bin HOME=/root LD_PRELOAD=/nonexistent.so FOO=bar \
	BASH_ENV=/etc/passwd SSH_ORIGINAL_COMMAND="ping foo $C1 $C2 extra building" \
	"$F/slave-connect" -c "$M/master.conf" alpha <"$T/upload" >/dev/null 2>"$T/err"
rc=$?
if [ "$rc" -eq 7 ]; then ok "the program's exit status comes back"; else not_ok "the program's exit status comes back" "rc=$rc" "$(cat "$T/err")"; fi
check "it is the program beside slave-connect, with -c CONFIG -- ARGS" \
	grep -qx "argv: $F/ping -c $M/master.conf -- foo $C1 $C2 extra building" "$T/called"
check "SLIPWAY_SLAVE is set" grep -qx "SLIPWAY_SLAVE=alpha" "$T/called"
check "nothing outside the allowlist is passed on" sh -c "! grep -qE '^(LD_PRELOAD|FOO|BASH_ENV|SSH_ORIGINAL_COMMAND)=' '$T/called'"
check "HOME and PATH are" grep -qx "HOME=/root" "$T/called"
check "standard input reaches the program" grep -qx upload "$T/stdin"
rm -f "$T/called"
env -i PATH=/usr/bin:/bin SSH_ORIGINAL_COMMAND="return-assignment foo $C1 $C2 extra ERROR" \
	"$F/slave-connect" -c "$M/master.conf" alpha </dev/null >/dev/null 2>&1
check "return-assignment with ERROR gets all five arguments" \
	grep -qx "argv: $F/return-assignment -c $M/master.conf -- foo $C1 $C2 extra ERROR" "$T/called"
rm -f "$F/get-sources"
run env SSH_ORIGINAL_COMMAND="get-sources foo $C1 $C2 extra" "$F/slave-connect" -c "$M/master.conf" alpha
expect "a program that cannot be executed: 43, no PATH search" 43 "cannot execute '$F/get-sources'"
