# slipway's own overhead per package on loopback: a master fed by a git
# source of N small packages, an OpenSSH sshd on 127.0.0.1 with the
# slave-connect forced command, and one build-packages (bwrap backend)
# building them all: get-assignment, get-sources, sandbox, signature,
# return-assignment, staging. Against what a packager would run instead:
# makepkg on each directory by hand. Prints the whole round trip, makepkg's
# own time, and their difference per package; the target of issue #9 is
# under 1 s per package. Exits 1 if it is missed.
# BENCH_PACKAGES=N changes the number of packages (default 8).
set -u
top=${SLIPWAY_TOP:?run through bench/run}
bin=${SLIPWAY_BIN:?run through bench/run}
n=${BENCH_PACKAGES:-8}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-build-packages.XXXXXX")
chmod 755 "$W"
sshd_pid=
cleanup() {
	[ -z "$sshd_pid" ] || kill "$sshd_pid" 2>/dev/null
	gpgconf --homedir "$W/keys" --kill all >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org
export GIT_CONFIG_NOSYSTEM=1

# makepkg refuses root: as root, in a user namespace as uid 1000
unpriv() {
	if [ "$(id -u)" -eq 0 ]; then
		bwrap --dev-bind / / --unshare-user --uid 1000 --gid 1000 \
			--setenv HOME "$W" -- "$@"
	else
		"$@"
	fi
}
now() { printf '%s' "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# the packages: each compiles a small C program
mkdir -p "$W/src"
git init -q -b main "$W/src"
for i in $(seq "$n"); do
	mkdir -p "$W/src/bench-$i"
	cat >"$W/src/bench-$i/PKGBUILD" <<EOF
pkgname=bench-$i
pkgver=1.$i
pkgrel=1
arch=(x86_64)
build() { printf 'int main(void) { return $i - $i; }\n' >m.c; gcc -O2 -o bench-$i m.c; }
package() { install -Dm755 bench-$i "\$pkgdir/usr/bin/bench-$i"; }
EOF
done
git -C "$W/src" add -A && git -C "$W/src" commit -qm bench

# what a packager would do instead: makepkg in each directory
cp -r "$W/src" "$W/by-hand"
chmod -R a+rwX "$W/by-hand"
t0=$(now)
for i in $(seq "$n"); do
	(cd "$W/by-hand/bench-$i" && unpriv makepkg --nocolor -f >/dev/null 2>&1) ||
		{ echo "makepkg failed on bench-$i" >&2; exit 1; }
done
t1=$(now)
t_makepkg=$(secs "$t0" "$t1")

# the master, its keys and sshd
mkdir -p -m 700 "$W/keys" "$W/ssh"
gpg --homedir "$W/keys" --batch --passphrase '' --quick-gen-key 'bench <bench@example.org>' \
	ed25519 sign never >/dev/null 2>&1
fpr=$(gpg --homedir "$W/keys" --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }')
mkdir -p "$W/state" "$W/repos"
cat >"$W/master.conf" <<EOF
[master]
state_dir = state
repo_dir = repos
arch = x86_64
gnupg_home = keys

[source bench]
url = $W/src
branch = main
layout = pkgbase
repository = extra

[repository extra]
staging = extra-staging
testing = extra-testing

[slave bench]
key = $fpr
EOF
"$bin/get-package-updates" -c "$W/master.conf" >/dev/null 2>&1 || { echo "get-package-updates failed" >&2; exit 1; }
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host"
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/slave"
echo "command=\"$bin/slave-connect -c $W/master.conf bench\",restrict $(cat "$W/ssh/slave.pub")" >"$W/ssh/authorized_keys"
port=$((20000 + RANDOM % 40000))
user=$(id -un)
cat >"$W/ssh/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $W/ssh/host
AuthorizedKeysFile $W/ssh/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin forced-commands-only
AllowUsers $user
EOF
[ "$(id -u)" -ne 0 ] || mkdir -p -m 755 /run/sshd
# as root, sshd runs without the account's ~/.bashrc (tools/sshd-plain)
"$top/tools/sshd-plain" -D -e -f "$W/ssh/sshd_config" 2>"$W/ssh/sshd.log" &
sshd_pid=$!
rc=$(getent passwd "$user" | cut -d: -f6)/.bashrc
[ "$(id -u)" -eq 0 ] || [ ! -s "$rc" ] || echo "note: every ssh call runs $rc: part of the figure below"
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$W/ssh/host.pub")" >"$W/ssh/known_hosts"
cat >"$W/slave.conf" <<EOF
[slave]
name = bench
master = $user@127.0.0.1:$port
identity = ssh/slave
known_hosts = ssh/known_hosts
work_dir = work
gpg_key = $fpr
gnupg_home = keys
backend = bwrap
straws = plain
EOF

t0=$(now)
"$bin/build-packages" -c "$W/slave.conf" -q || { echo "build-packages failed" >&2; exit 1; }
t1=$(now)
t_farm=$(secs "$t0" "$t1")
built=$(ls "$W/repos/pool" | grep -c '\.pkg\.tar\.[a-z0-9]*$')
[ "$built" -eq "$n" ] || { echo "only $built of $n packages reached staging" >&2; exit 1; }

awk -v n="$n" -v m="$t_makepkg" -v f="$t_farm" 'BEGIN {
	o = (f - m) / n
	printf "%d packages: makepkg by hand %.2f s (%.2f s each); build-packages over ssh, sandboxed, signed, in staging %.2f s\n", n, m, m / n, f
	printf "slipway overhead per package: %.2f s (%.1fx makepkg'"'"'s own time per package); target < 1 s: %s\n", o, o / (m / n), o < 1 ? "met" : "MISSED"
	exit !(o < 1)
}'
