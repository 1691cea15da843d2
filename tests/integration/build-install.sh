# `make install` puts programs, man pages and example configs under DESTDIR.
. "$(dirname "$0")/lib.sh"

run make -s -C "$TOP" install PREFIX=/usr DESTDIR="$T/root" O=build/release BINDIR=bin
expect "make install succeeds" 0
for p in $(ls "$TOP"/src/cmd/*.c 2>/dev/null | sed 's|.*/||; s|\.c$||'); do
	check "bin/$p installed and executable" test -x "$T/root/usr/bin/$p"
	check "man page of $p installed" test -f "$T/root/usr/share/man/man1/$p.1"
done
check "slipway.conf(5) installed" test -f "$T/root/usr/share/man/man5/slipway.conf.5"
check "slipway(7) installed" test -f "$T/root/usr/share/man/man7/slipway.7"
check "example master.conf installed" test -f "$T/root/usr/share/doc/slipway/examples/master.conf.example"
check "example slave.conf installed" test -f "$T/root/usr/share/doc/slipway/examples/slave.conf.example"
check "authorized_keys example installed" test -f "$T/root/usr/share/doc/slipway/examples/authorized_keys.example"
