# Sourced by every tests/integration/*.sh. Each script runs in a fresh
# scratch directory $T (removed at exit), with the programs under test in
# $SLIPWAY_BIN (the sanitized build when run by `make check`), and prints
# TAP: "ok N - what" or "not ok N - what" with '#' lines of evidence.
set -u
: "${SLIPWAY_TOP:?run through tests/run}"
: "${SLIPWAY_BIN:?run through tests/run}"
TOP=$SLIPWAY_TOP
BIN=$SLIPWAY_BIN
FIX=$TOP/tests/fixtures
T=$(mktemp -d /tmp/slipway-test.XXXXXX)
chmod 755 "$T"
trap 'cleanup_hooks; rm -rf "$T"' EXIT
_hooks=()
cleanup_hooks() { local h; for h in "${_hooks[@]+"${_hooks[@]}"}"; do eval "$h"; done; }
at_exit() { _hooks+=("$1"); }
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
not_ok() {
	_n=$((_n + 1))
	echo "not ok $_n - $1"
	shift
	local l
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}

# run CMD...: sets $rc, $out (stdout) and $err (stderr)
run() {
	"$@" >"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

# expect NAME WANT-RC [GREP-STDERR]: checks the last run
expect() {
	local name=$1 want=$2 pat=${3:-}
	if [ "$rc" -ne "$want" ]; then
		not_ok "$name" "exit status $rc, expected $want" "stdout: $out" "stderr: $err"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$err"; then
		not_ok "$name" "stderr does not match /$pat/" "stderr: $err"
	else
		ok "$name"
	fi
}

# expect_out NAME WANT-RC PATTERN: as expect, with PATTERN in stdout
expect_out() {
	if [ "$rc" -eq "$2" ] && grep -qE -- "$3" <<<"$out"; then ok "$1"; else
		not_ok "$1" "exit status $rc (expected $2), stdout not /$3/?" \
			"stdout: $out" "stderr: $err"; fi
}

# sc SLAVE COMMAND: slave-connect for SLAVE with SSH_ORIGINAL_COMMAND, as
# sshd runs it for a slave's key
sc() {
	local slave=$1
	shift
	SSH_ORIGINAL_COMMAND="$*" "$BIN/slave-connect" "$slave"
}

# check NAME CMD...: ok if CMD succeeds
check() {
	local name=$1
	shift
	if "$@" >"$T/.check" 2>&1; then ok "$name"; else not_ok "$name" "failed: $*" "$(cat "$T/.check")"; fi
}

# unpriv CMD...: runs CMD as an unprivileged uid (makepkg refuses root).
# As root this is a user namespace with uid 1000; otherwise CMD runs as is.
unpriv() {
	if [ "$(id -u)" -eq 0 ]; then
		bwrap --dev-bind / / --unshare-user --uid 1000 --gid 1000 \
			--setenv HOME "${UNPRIV_HOME:-$T}" -- "$@"
	else
		"$@"
	fi
}

# tree_digest DIR: a digest of every path, type, mode, size and content under DIR,
# to show that a refused operation left state byte-identical.
tree_digest() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum
}
