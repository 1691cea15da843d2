# get-package-updates reading hostile PKGBUILDs: a fork bomb, one that
# writes outside, one that tries the network, one that sleeps forever and
# one that prints megabytes. Each fails on its own with a clear error
# naming it, the others of its batch are read, and another program answers
# while the run goes on. A spy (aaspy, read first) in one source sees no package directory of
# another source.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"

# a listener on the host: the PKGBUILD that tries the network must not reach it
python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
open(sys.argv[1], "w").write("reached\n")
' "$T/reached" >"$T/port" &
listener=$!
at_exit "kill $listener 2>/dev/null"
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.2; done
port=$(cat "$T/port")
[ -n "$port" ] || { not_ok "a listener on the host"; exit 1; }

U=$T/upstream O=$T/other
git_init "$U"
git_init "$O"
pkgbuild "$U/good1" good1 1
pkgbuild "$U/good2" good2 1 good1
pkgbuild "$O/secret" secret 1
# the spy lists, as its depends, the pkgname of every PKGBUILD it can see
pkgbuild "$U/aaspy" aaspy 1 '' '' \
	'for _f in "$startdir"/../*/PKGBUILD; do
	[[ -r $_f ]] && _n=$(grep -m1 "^pkgname=" "$_f") && depends+=("${_n#pkgname=}")
done'
pkgbuild "$U/bomb" bomb 1 '' '' '_b() { _b | _b & }; _b'
pkgbuild "$U/writer" writer 1 '' '' \
	'touch "$startdir/planted" "$startdir/../good1/planted" || exit 1'
pkgbuild "$U/net" net 1 '' '' "exec 3<>/dev/tcp/127.0.0.1/$port || exit 1"
pkgbuild "$U/sleeper" sleeper 1 '' '' 'sleep infinity'
pkgbuild "$U/loud" loud 1 '' '' 'yes "megabytes of output" | head -c 100000000'
commit "$U" init
commit "$O" init
conf "[source up]
url = $U
branch = main
layout = pkgbase
repository = extra" "[source other]
url = $O
branch = main
layout = pkgbase
repository = core" "$(repo_section extra)" "$(repo_section core)"

# one lane (-j 1): every PKGBUILD of "up" is in one batch
mkdir -p "$T/tmp"
TMPDIR=$T/tmp "$BIN/get-package-updates" -c "$CONF" -j 1 -t 8 >"$T/gpu.out" 2>"$T/gpu.err" &
gpu_pid=$!
# while it reads: the work directory is there and the sleeper holds it
for _ in $(seq 100); do
	ls "$T"/tmp/slipway-updates.*/ >/dev/null 2>&1 && break
	sleep 0.1
done
run "$BIN/build-master-status" -c "$CONF"
if [ "$rc" -eq 0 ] && kill -0 "$gpu_pid" 2>/dev/null; then
	ok "build-master-status answers while get-package-updates reads"
else
	not_ok "build-master-status answers while get-package-updates reads" "exit $rc" "$err" \
		"get-package-updates running: $(kill -0 "$gpu_pid" 2>/dev/null && echo yes || echo no)"
fi
wait "$gpu_pid"
rc=$?
err=$(cat "$T/gpu.err")
out=
expect "bad PKGBUILDs make exit status 3" 3
check_list "the others of the batch are read" "good1 extra" "good2 extra" "aaspy extra" \
	"secret core"
check "the fork bomb fails on its own" grep -qE \
	"cannot read 'bomb'.*(exceeded the limit of 64 processes|left processes running)" <<<"$err"
check "the writer fails on its own" grep -q "cannot read 'writer'.*Read-only file system" <<<"$err"
check "the network one fails on its own" grep -qE \
	"cannot read 'net'.*(Connection refused|Network is unreachable)" <<<"$err"
check "the sleeper fails on its own" grep -q "cannot read 'sleeper'.*timed out after 8 s" <<<"$err"
check "the loud one fails on its own" grep -q \
	"cannot read 'loud'.*more than the limit of 16 MiB" <<<"$err"
check "nothing was planted" test -z "$(find "$T" -name planted)"
check "the listener was not reached" test ! -e "$T/reached"
spied=$(meta aaspy extra 8)

if [[ ,$spied, == *,good1,* && ,$spied, != *secret* ]]; then
	ok "the spy saw its own batch ($spied), not the other source"
else
	not_ok "the spy saw its own batch, not the other source" "it saw: $spied"
fi

echo "1..$_n"
