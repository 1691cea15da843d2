# A full round trip through a real OpenSSH sshd on 127.0.0.1: the slave's key
# is forced to slave-connect in authorized_keys (command="...",restrict);
# get-assignment, ping and return-assignment (the upload on the SSH
# channel's stdin) go through it, and so does an injection attempt, which
# runs nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"

SSHD=/usr/sbin/sshd
if [ ! -x "$SSHD" ] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
	not_ok "OpenSSH server and client are installed"
	exit 1
fi
if ! master_setup; then
	not_ok "make the master and the slaves' keys"
	exit 1
fi
set_list "hello extra 1.0-1 hello -"
ID="hello $C1 $C2 extra"

S=$T/ssh
mkdir -p "$S"
chmod 700 "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$S/alpha" -C alpha@slave
ssh-keygen -q -t ed25519 -N '' -f "$S/stranger" -C stranger
echo "command=\"$BIN/slave-connect -c $M/master.conf alpha\",restrict $(cat "$S/alpha.pub")" >"$S/authorized_keys"
user=$(id -un)
# sshd wants its privilege separation directory (the service makes it at start)
[ "$(id -u)" -ne 0 ] || [ -d /run/sshd ] || mkdir -p -m 755 /run/sshd

# a free port: try a few random high ones
port=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
cat >"$S/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $S/host
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $user
LogLevel VERBOSE
CONF
# as root, without the account's ~/.bashrc (tools/sshd-plain)
"$TOP/tools/sshd-plain" -D -e -f "$S/sshd_config" 2>"$S/sshd.log" &
sshd_pid=$!
at_exit "kill $sshd_pid 2>/dev/null; wait $sshd_pid 2>/dev/null"
up=no
for _ in $(seq 50); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=yes; break; fi
	sleep 0.1
done
if [ "$up" = yes ]; then ok "sshd listens on 127.0.0.1:$port"; else not_ok "sshd listens on 127.0.0.1:$port" "$(cat "$S/sshd.log")"; exit 1; fi
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$S/host.pub")" >"$S/known_hosts"

# slave KEY COMMAND...: the OpenSSH client, as a slave would call
slave() {
	local key=$1
	shift
	ssh -F /dev/null -i "$S/$key" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o UserKnownHostsFile="$S/known_hosts" -o StrictHostKeyChecking=yes \
		-o ConnectTimeout=10 -p "$port" "$user@127.0.0.1" "$@"
}

run slave alpha get-assignment </dev/null
if [ "$rc" -eq 0 ] && [ "$out" = "$ID" ]; then ok "get-assignment over ssh"; else not_ok "get-assignment over ssh" "rc=$rc" "$out" "$err" "$(tail -5 "$S/sshd.log")"; fi
check "the lease is alpha's" grep -q "^alpha " "$(state_file "hello.$C1.$C2.extra" locked)"
run slave alpha ping $ID building </dev/null
expect "ping over ssh" 0
check "the phase is recorded" grep -q " building\$" "$(state_file "hello.$C1.$C2.extra" locked)"

before=$(digest)
rm -f "$T/pwned"
run slave alpha "get-assignment; touch $T/pwned" </dev/null
if [ "$rc" -eq 42 ] && [ ! -e "$T/pwned" ] && [ "$(digest)" = "$before" ]; then ok "an injection over ssh is refused (42) and runs nothing"; else not_ok "an injection over ssh is refused (42) and runs nothing" "rc=$rc" "$err"; fi
run slave alpha 'get-sources $(touch '"$T/pwned"') '"$C1 $C2"' extra' </dev/null
if [ "$rc" -eq 42 ] && [ ! -e "$T/pwned" ]; then ok "\$(...) over ssh is refused"; else not_ok "\$(...) over ssh is refused" "rc=$rc" "$err"; fi
run slave alpha </dev/null
expect "a login without a command gets no shell" 42 "no command"
run slave alpha -tt "touch $T/pwned" </dev/null
if [ "$rc" -ne 0 ] && [ ! -e "$T/pwned" ]; then ok "a pty request gets no pty (restrict) and runs nothing"; else not_ok "a pty request gets no pty (restrict) and runs nothing" "rc=$rc" "$out" "$err"; fi
run slave stranger get-assignment </dev/null
if [ "$rc" -eq 255 ] && [ "$(digest)" = "$before" ]; then ok "a key not in authorized_keys is not let in"; else not_ok "a key not in authorized_keys is not let in" "rc=$rc" "$err"; fi

mkdir -p "$T/up"
hand_pkg "$T/up" hello-1.0-1-x86_64.pkg.tar.zst "pkgname = hello
pkgbase = hello
pkgver = 1.0-1
pkgdesc = Hello over ssh
builddate = 1700000000
packager = Slave Alpha <alpha@example.org>
size = 5
arch = x86_64"
sign_file "$T/ka" "$FA" "$T/up/hello-1.0-1-x86_64.pkg.tar.zst"
(cd "$T/up" && tar -cf "$T/up.tar" hello-1.0-1-x86_64.pkg.tar.zst hello-1.0-1-x86_64.pkg.tar.zst.sig)
run slave alpha return-assignment $ID <"$T/up.tar"
expect "return-assignment over ssh, the tar on stdin" 0
check "the package is in extra-staging" test -L "$M/repos/extra-staging/os/x86_64/hello-1.0-1-x86_64.pkg.tar.zst"
check "hello is done" test -f "$(state_file "hello.$C1.$C2.extra" done)"
run slave alpha get-assignment </dev/null
expect "and then nothing is pending" 3
