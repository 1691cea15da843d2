# Two build-packages slaves against a master over a real OpenSSH sshd on
# 127.0.0.1 (slave-connect forced commands, one key per slave), fed by a
# real git source: a dependency chain, a split package, an arch=any package
# with an epoch, a dependency met through provides, a two-package
# makedepends cycle, a package whose build fails, and a C library with a
# program linking it. Along the way: host keys, SIGTERM (the assignment is
# given back at once), SIGKILL (the lease runs out and the other slave
# builds it), sshd stopped during an upload (retried, lands once). At the
# end real pacman installs from staging with SigLevel = Required.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"

export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.org
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.org
export GIT_CONFIG_NOSYSTEM=1 HOME=$T
SSHD=/usr/sbin/sshd
for p in "$SSHD" /usr/bin/bwrap /usr/bin/makepkg /usr/bin/pacman /usr/bin/gcc; do
	[ -x "$p" ] || { not_ok "$p is installed"; exit 1; }
done
# lease SECONDS: the master's lease_timeout from now on
lease() { sed -i "s/^lease_timeout = .*/lease_timeout = $1/" "$M/master.conf"; }

# ---------------------------------------------------------------- the source
S=$T/src
mkdir -p "$S"
git init -q -b main "$S"
# pkg DIR: a PKGBUILD from stdin
pkg() { mkdir -p "$S/$1"; cat >"$S/$1/PKGBUILD"; }
pkg chain-a <<'EOF'
pkgname=chain-a
pkgver=1.0
pkgrel=1
arch=(x86_64)
package() { install -Dm644 /dev/null "$pkgdir/usr/share/chain/a"; }
EOF
pkg chain-b <<'EOF'
pkgname=chain-b
pkgver=1.0
pkgrel=1
arch=(x86_64)
depends=(chain-a)
makedepends=(chain-a)
build() { test -f /usr/share/chain/a; }
package() { install -Dm644 /dev/null "$pkgdir/usr/share/chain/b"; }
EOF
pkg splitty <<'EOF'
pkgbase=splitty
pkgname=(splitty-one splitty-two)
pkgver=3
pkgrel=2
arch=(x86_64)
package_splitty-one() { install -Dm644 /dev/null "$pkgdir/usr/share/splitty/one"; }
package_splitty-two() { install -Dm644 /dev/null "$pkgdir/usr/share/splitty/two"; }
EOF
pkg anydata <<'EOF'
pkgname=anydata
epoch=2
pkgver=0.5
pkgrel=1
arch=(any)
# data.txt comes through a symlink of the directory (get-sources sends it,
# the slave unpacks it as a link)
package() { install -Dm644 "$startdir/linked/data.txt" "$pkgdir/usr/share/anydata/data"; }
EOF
mkdir -p "$S/anydata/texts" "$S/anydata/linked"
echo "any data" >"$S/anydata/texts/data.txt"
ln -s ../texts/data.txt "$S/anydata/linked/data.txt"
pkg provider <<'EOF'
pkgname=provider
pkgver=1
pkgrel=1
arch=(x86_64)
provides=(virtual-thing)
package() { install -Dm644 /dev/null "$pkgdir/usr/share/virtual-thing"; }
EOF
pkg consumer <<'EOF'
pkgname=consumer
pkgver=1
pkgrel=1
arch=(x86_64)
depends=(virtual-thing)
makedepends=(virtual-thing)
package() { install -Dm644 /dev/null "$pkgdir/usr/share/consumer"; }
EOF
pkg cyc-one <<'EOF'
pkgname=cyc-one
pkgver=1
pkgrel=1
arch=(x86_64)
makedepends=(cyc-two)
package() { install -Dm644 /dev/null "$pkgdir/usr/share/cyc/one"; }
EOF
pkg cyc-two <<'EOF'
pkgname=cyc-two
pkgver=1
pkgrel=1
arch=(x86_64)
makedepends=(cyc-one)
package() { install -Dm644 /dev/null "$pkgdir/usr/share/cyc/two"; }
EOF
pkg failing <<'EOF'
pkgname=failing
pkgver=1
pkgrel=1
arch=(x86_64)
build() { echo "this build fails on purpose"; false; }
package() { :; }
EOF
pkg libhello <<'EOF'
pkgname=libhello
pkgver=1.2
pkgrel=1
arch=(x86_64)
build() {
	printf '#include <stdio.h>\nvoid hello(void) { puts("hello from the farm'"'"'s libhello"); }\n' >hello.c
	printf 'void hello(void);\n' >hello.h
	gcc -shared -fPIC -Wl,-soname,libhello.so.1 -o libhello.so.1 hello.c
}
package() {
	install -Dm755 libhello.so.1 "$pkgdir/usr/lib/libhello.so.1"
	ln -s libhello.so.1 "$pkgdir/usr/lib/libhello.so"
	install -Dm644 hello.h "$pkgdir/usr/include/hello.h"
}
EOF
pkg hello-prog <<'EOF'
pkgname=hello-prog
pkgver=1.0
pkgrel=1
arch=(x86_64)
depends=(libhello)
makedepends=(libhello)
build() {
	printf '#include <hello.h>\nint main(void) { hello(); return 0; }\n' >main.c
	gcc -o hello-prog main.c -lhello
}
package() { install -Dm755 hello-prog "$pkgdir/usr/bin/hello-prog"; }
EOF
# the network: a source from a local HTTP server downloads; build() is cut off
W=$T/www
mkdir -p "$W"
echo "payload from 127.0.0.1" >"$W/payload.txt"
hport=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then hport=$p; break; fi
done
python3 -m http.server --bind 127.0.0.1 --directory "$W" "$hport" >"$T/http.log" 2>&1 &
http_pid=$!
at_exit "kill $http_pid 2>/dev/null; wait $http_pid 2>/dev/null"
pkg net-fetch <<EOF
pkgname=net-fetch
pkgver=1
pkgrel=1
arch=(any)
source=("payload.txt::http://127.0.0.1:$hport/payload.txt")
sha256sums=($(sha256sum "$W/payload.txt" | cut -d' ' -f1))
package() { install -Dm644 payload.txt "\$pkgdir/usr/share/net-fetch/payload.txt"; }
EOF
pkg net-build <<EOF
pkgname=net-build
pkgver=1
pkgrel=1
arch=(x86_64)
build() { exec 3<>/dev/tcp/127.0.0.1/$hport && echo "build() reached the network"; }
package() { :; }
EOF
# slow ones, for the signals: they build for a while
for n in a-slow-one a-slow-two a-slow-three; do
	pkg $n <<EOF
pkgname=$n
pkgver=1
pkgrel=1
arch=(x86_64)
build() { sleep 8; }
package() { install -Dm644 /dev/null "\$pkgdir/usr/share/slow/$n"; }
EOF
done
git -C "$S" add -A && git -C "$S" commit -qm fixtures

# ---------------------------------------------------------------- the master
M=$T/master
mkdir -p "$M/state" "$M/repos"
FA=$(gpg_key alpha "$T/ka") && FB=$(gpg_key beta "$T/kb") && FR=$(gpg_key repo "$T/mk") ||
	{ not_ok "gpg keys"; exit 1; }
gpg --homedir "$T/ka" --export "$FA" | gpg --homedir "$T/mk" --batch --import 2>/dev/null
gpg --homedir "$T/kb" --export "$FB" | gpg --homedir "$T/mk" --batch --import 2>/dev/null
cat >"$M/master.conf" <<EOF
[master]
state_dir = state
repo_dir = repos
arch = x86_64
lease_timeout = 600
broken_retries = 0
max_upload_size = 64M
repo_key = $FR
gnupg_home = $T/mk

[source upstream]
url = $S
branch = main
layout = pkgbase
repository = extra

[repository extra]
staging = extra-staging
testing = extra-testing

[slave alpha]
key = $FA

[slave beta]
key = $FB
EOF
run "$BIN/get-package-updates" -c "$M/master.conf"
expect "get-package-updates puts the fixtures on the build list" 0
LIST=$(cut -d' ' -f1 "$M/state/build-list" | tr '\n' ' ')
echo "# build list: $LIST"

# ---------------------------------------------------------------- sshd
K=$T/ssh
mkdir -p -m 700 "$K"
ssh-keygen -q -t ed25519 -N '' -f "$K/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$K/other-host" -C other
for s in alpha beta; do
	ssh-keygen -q -t ed25519 -N '' -f "$K/$s" -C "$s@slave"
	echo "command=\"$BIN/slave-connect -c $M/master.conf $s\",restrict $(cat "$K/$s.pub")"
done >"$K/authorized_keys"
user=$(id -un)
[ "$(id -u)" -ne 0 ] || [ -d /run/sshd ] || mkdir -p -m 755 /run/sshd
port=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
cat >"$K/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $K/host
PidFile $K/sshd.pid
AuthorizedKeysFile $K/authorized_keys
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin forced-commands-only
AllowUsers $user
EOF
sshd_pid=
# sshd_start: as root, without the account's ~/.bashrc (tools/sshd-plain)
sshd_start() {
	"$TOP/tools/sshd-plain" -D -e -f "$K/sshd_config" 2>>"$K/sshd.log" &
	sshd_pid=$!
	local _
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# sshd_stop: the listener and every connection it serves
sshd_stop() {
	[ -n "$sshd_pid" ] || return 0
	pkill -KILL -P "$sshd_pid" 2>/dev/null
	kill "$sshd_pid" 2>/dev/null
	wait "$sshd_pid" 2>/dev/null
	sshd_pid=
}
at_exit sshd_stop
sshd_start || { not_ok "sshd listens on 127.0.0.1:$port" "$(cat "$K/sshd.log")"; exit 1; }
ok "sshd listens on 127.0.0.1:$port"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$K/host.pub")" >"$K/known_hosts"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$K/other-host.pub")" >"$K/wrong_hosts"

# ---------------------------------------------------------------- the slaves
# slave_conf NAME KEYHOME FPR [KNOWN-HOSTS]
slave_conf() {
	mkdir -p "$T/$1"
	cat >"$T/$1/slave.conf" <<EOF
[slave]
name = $1
master = $user@127.0.0.1:$port
identity = $K/$1
known_hosts = ${4:-$K/known_hosts}
work_dir = work
gpg_key = $3
gnupg_home = $2
backend = bwrap
straws = plain clean
pacman_conf = $T/farm-pacman.conf
EOF
}
# what the slaves install the farm's build dependencies from
cat >"$T/farm-pacman.conf" <<EOF
[options]
Architecture = auto
SigLevel = Never

[extra-staging]
Server = file://$M/repos/extra-staging/os/x86_64
EOF
slave_conf alpha "$T/ka" "$FA"
slave_conf beta "$T/kb" "$FB"

# stamp FILE: stderr lines with the time in front (for the order checks)
stamp() { while IFS= read -r l; do printf '%s %s\n' "$(date +%s.%N)" "$l"; done >>"$1"; }
# bp NAME ARGS...: build-packages for slave NAME, in the background; pid in $bp_pid
bp() {
	local n=$1
	shift
	( exec "$BIN/build-packages" -c "$T/$n/slave.conf" --ping-interval 5 --poll 2 \
		--max-backoff 2 "$@" 2> >(stamp "$T/$n.log") ) &
	bp_pid=$!
}
locked() { ls "$M/state/package-states/" 2>/dev/null | sed -n "s/^\(${1:-[^.]*}\)\..*\.locked\$/\1/p"; }
# wait_for SECONDS CMD...: polls CMD every 0.2 s
wait_for() {
	local n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done
	return 1
}
phase_of() { cut -d' ' -f4 "$M/state/package-states/$1".*.locked 2>/dev/null; }
building() { [ "$(phase_of "$1")" = building ]; }

# ---------------------------------------------------------------- host keys
slave_conf alpha-unknown "$T/ka" "$FA" "$K/none"
cp "$K/alpha" "$K/alpha-unknown"
sed -i "s|^identity = .*|identity = $K/alpha|; s|^name = .*|name = alpha|" "$T/alpha-unknown/slave.conf"
run "$BIN/build-packages" -c "$T/alpha-unknown/slave.conf" --once
expect "an unknown host key is refused (no trust on first use)" 10 "unknown host .*--accept-new-host-key"
slave_conf alpha-wrong "$T/ka" "$FA" "$K/wrong_hosts"
sed -i "s|^identity = .*|identity = $K/alpha|; s|^name = .*|name = alpha|" "$T/alpha-wrong/slave.conf"
before=$(tree_digest "$M/state")
run "$BIN/build-packages" -c "$T/alpha-wrong/slave.conf" --once --accept-new-host-key
expect "a changed host key is refused, even with --accept-new-host-key" 10 "host key of .* changed"
check "and nothing was asked of the master" test "$(tree_digest "$M/state")" = "$before"

# --accept-new-host-key: trusts an unknown master once, and builds
conns0=$(grep -c 'Accepted publickey' "$K/sshd.log")
bp alpha-unknown --once --accept-new-host-key
wait_for 600 eval '! kill -0 $bp_pid 2>/dev/null' || kill -KILL "$bp_pid"
wait "$bp_pid"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "ssh-ed25519 $(cut -d' ' -f2 "$K/host.pub")" "$K/none" 2>/dev/null; then ok "--accept-new-host-key adds the key to known_hosts and goes on"; else not_ok "--accept-new-host-key adds the key to known_hosts and goes on" "rc=$rc" "$(cat "$T/alpha-unknown.log")"; fi
check "--once built one package and returned it" test "$(grep -c 'returned' "$T/alpha-unknown.log")" -eq 1
check "it built from the master's reading of the PKGBUILD (no --printsrcinfo)" \
	grep -q "as the master read the PKGBUILD" "$T/alpha-unknown.log"
conns=$(($(grep -c 'Accepted publickey' "$K/sshd.log") - conns0))
# get-assignment, get-sources and return-assignment at least; a build that
# takes over a minute (SW_SSH_REUSE_S) uploads on a second connection
check "fewer SSH connections ($conns) than commands: they share one" test "$conns" -le 2

# ---------------------------------------------------------------- SIGTERM
bp alpha -n 0
apid=$bp_pid
slow_locked() { s=$(locked 'a-slow-[a-z]*') && [ -n "$s" ] && building "$s"; }
if wait_for 600 slow_locked; then
	victim=$s
	kill -TERM "$apid"
	t0=$(date +%s)
	wait "$apid"
	rc=$?
	t1=$(date +%s)
	if [ "$rc" -eq 0 ] && [ -z "$(locked "$victim")" ]; then ok "SIGTERM mid-build: exit 0, '$victim' given back at once (no lease wait)"; else not_ok "SIGTERM mid-build: exit 0, '$victim' given back at once" "rc=$rc" "$(tail -5 "$T/alpha.log")"; fi
	check "the slave said so" grep -q "'$victim.extra': given back" "$T/alpha.log"
	if [ $((t1 - t0)) -lt 60 ]; then ok "and stopped within seconds ($((t1 - t0)) s)"; else not_ok "and stopped within seconds" "$((t1 - t0)) s"; fi
else
	not_ok "alpha builds a slow package" "$(tail -20 "$T/alpha.log")"
	kill "$apid"
fi

# ---------------------------------------------------------------- both slaves
bp alpha -n 0
apid=$bp_pid
bp beta -n 0
bpid=$bp_pid
killed=
slow_by() { s=$(locked 'a-slow-[a-z]*' | while read -r x; do grep -q "^$1 " "$M/state/package-states/$x".*.locked && echo "$x"; done | head -1) && [ -n "$s" ] && building "$s"; }
if wait_for 600 slow_by alpha; then
	killed=$s
	kill -KILL "$apid"
	wait "$apid" 2>/dev/null
	ok "alpha killed (SIGKILL) while building '$killed'"
else
	not_ok "alpha builds a slow package" "$(tail -20 "$T/alpha.log")"
	kill -KILL "$apid"
fi
# beta builds a slow one: sshd goes away (with its connections) until
# beta has failed to upload it; the lease is long meanwhile, short after
upload_failed() { grep -q "return-assignment.*retrying" "$T/beta.log"; }
outage=
if wait_for 600 slow_by beta; then
	outage=$s
	sshd_stop
	wait_for 900 upload_failed || not_ok "beta tried to upload while sshd was away"
	sshd_start || not_ok "sshd comes back"
	wait_for 600 grep -q "'$outage.extra': return" "$T/beta.log"
else
	not_ok "beta builds a slow package" "$(tail -20 "$T/beta.log")"
fi
# alpha's lease runs out; once beta has its package, alpha comes back
lease 60
if [ -n "$killed" ] && wait_for 600 grep -q "'$killed.extra': assigned" "$T/beta.log"; then
	bp alpha -n 0
	apid=$bp_pid
fi
if wait_for 1200 eval '! kill -0 $bpid 2>/dev/null'; then
	wait "$bpid"
	rc=$?
	if [ "$rc" -eq 0 ]; then ok "beta ends when nothing is pending: 0"; else not_ok "beta ends when nothing is pending: 0" "rc=$rc" "$(tail -20 "$T/beta.log")"; fi
else
	not_ok "beta ends" "$(tail -20 "$T/beta.log")"
	kill "$bpid"
fi
wait_for 600 eval '! kill -0 $apid 2>/dev/null' || kill "$apid"
cat "$T"/alpha-unknown.log "$T"/alpha.log "$T"/beta.log | sort -n >"$T/all.log"
grep -E "assigned|returned|given|retrying|no longer|failed" "$T/all.log" | sed 's/^/# /' | cut -c1-160

if [ -n "$killed" ]; then
	check "the killed slave's '$killed' was reclaimed and built by beta" \
		grep -q "'$killed.extra': returned: in staging" "$T/beta.log"
fi
if [ -n "$outage" ]; then
	check "with sshd gone, beta retried" grep -q "retrying" "$T/beta.log"
	n=$(grep -c "'$outage.extra': returned: in staging" "$T/beta.log")
	p=$(ls "$M/repos/pool" | grep -c "^$outage-1-1-x86_64\.pkg\.tar\.[a-z0-9]*\$")
	if [ "$n" -eq 1 ] && [ "$p" -eq 1 ]; then ok "'$outage', built while sshd was away, landed once"; else not_ok "'$outage', built while sshd was away, landed once" "returned $n times, $p in the pool"; fi
fi

# ---------------------------------------------------------------- the results
expected="net-fetch chain-a chain-b splitty-one splitty-two anydata provider consumer cyc-one cyc-two libhello hello-prog a-slow-one a-slow-two a-slow-three"
db=$M/repos/extra-staging/os/x86_64/extra-staging.db.tar.gz
inrepo=$("$BIN/repo-db" list "$db" 2>/dev/null | cut -d' ' -f1 | sort | tr '\n' ' ')
want=$(tr ' ' '\n' <<<"$expected" | sort | tr '\n' ' ')
if [ "$inrepo" = "$want" ]; then ok "every buildable package is in extra-staging"; else not_ok "every buildable package is in extra-staging" "have: $inrepo" "want: $want"; fi
# the package files carry makepkg.conf's PKGEXT (.pkg.tar.gz on Debian, .zst on Arch)
staged() { ls "$M/repos/extra-staging/os/x86_64" | grep -q "^$1\.pkg\.tar\.[a-z0-9]*\$"; }
check "anydata kept its epoch and arch any" staged "anydata-2:0.5-1-any"
check "the build list holds only the failing packages" test "$(cut -d' ' -f1 "$M/state/build-list" | sort | tr '\n' ' ')" = "failing net-build "

# who built what: the slave whose log says it returned it; its key alone verifies it
bad=
for f in "$M"/repos/pool/*.pkg.tar.*; do
	case $f in *.sig) continue ;; esac
	b=$(bsdtar -xOf "$f" .PKGINFO | sed -n 's/^pkgbase = //p')
	who=$(grep -h "'$b.extra': returned: in staging" "$T"/alpha-unknown.log "$T"/alpha.log "$T"/beta.log | head -1)
	case $(grep -l "'$b.extra': returned: in staging" "$T"/alpha-unknown.log "$T"/alpha.log "$T"/beta.log | head -1) in
	*/beta.log) home=$T/kb ;;
	*) home=$T/ka ;;
	esac
	[ -n "$who" ] && gpg --homedir "$home" --verify "$f.sig" "$f" 2>/dev/null || bad="$bad $(basename "$f")"
done
if [ -z "$bad" ]; then ok "every package is signed by the slave that built it (gpg --verify with that slave's key)"; else not_ok "every package is signed by the slave that built it" "not:$bad"; fi

# dependency order: nothing was assigned before what it build-depends on was in staging
order_ok=yes
for pair in chain-a:chain-b provider:consumer libhello:hello-prog; do
	d=${pair%%:*} p=${pair#*:}
	td=$(grep "'$d.extra': returned: in staging" "$T/all.log" | head -1 | cut -d' ' -f1)
	tp=$(grep "'$p.extra': assigned" "$T/all.log" | tail -1 | cut -d' ' -f1)
	if [ -z "$td" ] || [ -z "$tp" ] || [ "$(echo "$tp > $td" | bc)" != 1 ]; then order_ok="no: $p assigned at $tp, $d in staging at $td"; fi
done
if [ "$order_ok" = yes ]; then ok "dependency order held (chain, provides, library)"; else not_ok "dependency order held" "$order_ok"; fi

# the failing package: broken on the master, with the log of every straw
fid=$(awk '$1 == "failing" { print $1 "." $2 "." $3 "." $4 }' "$M/state/build-list")
check "failing is broken on the master" test -s "$M/state/package-states/$fid.broken"
nlogs=$(ls "$M/state/logs" 2>/dev/null | grep -c '^failing\.extra\..*\.log\.gz$')
if [ "$nlogs" -eq 2 ]; then ok "with the logs of both straws (plain, clean)"; else not_ok "with the logs of both straws (plain, clean)" "$(ls "$M/state/logs")"; fi
if zcat "$M"/state/logs/failing.extra.*.log.gz | grep -q "this build fails on purpose"; then ok "the logs hold the build's output"; else not_ok "the logs hold the build's output"; fi

# the network
check "a source=() file from a local HTTP server was downloaded" staged "net-fetch-1-1-any"
nid=$(awk '$1 == "net-build" { print $1 "." $2 "." $3 "." $4 }' "$M/state/build-list")
if [ -s "$M/state/package-states/$nid.broken" ] && ! zcat "$M"/state/logs/net-build.extra.*.log.gz | grep -q "reached the network"; then ok "a build() that reaches for the network fails"; else not_ok "a build() that reaches for the network fails" "$(zcat "$M"/state/logs/net-build.extra.*.log.gz 2>&1 | tail -5)"; fi

# ---------------------------------------------------------------- pacman
P=$T/pacman
mkdir -p "$P/root/var/lib/pacman" "$P/cache" "$P/gpg"
at_exit "gpgconf --homedir '$P/gpg' --kill all >/dev/null 2>&1"
pacman-key --gpgdir "$P/gpg" --init >/dev/null 2>&1
for k in "$T/ka:$FA" "$T/kb:$FB" "$T/mk:$FR"; do
	gpg --homedir "${k%%:*}" --export "${k#*:}" >"$P/k.gpg"
	pacman-key --gpgdir "$P/gpg" --add "$P/k.gpg" >/dev/null 2>&1
	pacman-key --gpgdir "$P/gpg" --lsign-key "${k#*:}" >/dev/null 2>&1
done
cat >"$P/pacman.conf" <<EOF
[options]
RootDir = $P/root
DBPath = $P/root/var/lib/pacman/
CacheDir = $P/cache/
LogFile = $P/pacman.log
GPGDir = $P/gpg/
HookDir = $P/root/etc/pacman.d/hooks/
Architecture = x86_64
SigLevel = Required DatabaseRequired
LocalFileSigLevel = Required

[extra-staging]
Server = file://$M/repos/extra-staging/os/x86_64
EOF
run pacman --config "$P/pacman.conf" --noconfirm -Sy chain-b splitty-one splitty-two anydata consumer hello-prog cyc-one cyc-two
expect "pacman installs from staging with SigLevel = Required" 0
check "consumer brought its provider" test -f "$P/root/usr/share/virtual-thing"
check "chain-b brought chain-a" test -f "$P/root/usr/share/chain/a"
check "anydata's file came through the symlink of its directory" \
	grep -qx "any data" "$P/root/usr/share/anydata/data"
if readelf -d "$P/root/usr/bin/hello-prog" 2>/dev/null | grep -q 'NEEDED.*\[libhello.so.1\]'; then ok "hello-prog's DT_NEEDED names the farm's libhello.so.1"; else not_ok "hello-prog's DT_NEEDED names the farm's libhello.so.1" "$(readelf -d "$P/root/usr/bin/hello-prog" 2>&1 | head)"; fi
check "there is no libhello on the host: it linked against the farm's build" test ! -e /usr/lib/libhello.so
run env LD_LIBRARY_PATH="$P/root/usr/lib" "$P/root/usr/bin/hello-prog"
if [ "$rc" -eq 0 ] && [ "$out" = "hello from the farm's libhello" ]; then ok "hello-prog runs with the installed libhello"; else not_ok "hello-prog runs with the installed libhello" "rc=$rc" "$out" "$err"; fi
