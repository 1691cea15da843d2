# make install DESTDIR=... PREFIX=...: programs, man pages, examples,
# systemd units and the preset land under DESTDIR/PREFIX with PREFIX's
# paths in them, and every unit passes systemd-analyze verify (with the
# installed tree where PREFIX says, so that ExecStart= and the man pages
# of Documentation= are checked for real).
. "$(dirname "$0")/lib.sh"

dest=$T/dest
prefix=$T/prefix
if make -s -C "$TOP" install DESTDIR="$dest" PREFIX="$prefix" SYSCONFDIR=/etc >"$T/make.out" 2>&1; then ok "make install DESTDIR PREFIX"; else not_ok "make install DESTDIR PREFIX" "$(tail -20 "$T/make.out")"; exit 1; fi
root=$dest$prefix
if [ -e "$prefix" ]; then not_ok "nothing is installed outside DESTDIR"; else ok "nothing is installed outside DESTDIR"; fi

miss=""
for c in "$TOP"/src/cmd/*.c; do p=$(basename "$c" .c); [ -x "$root/bin/$p" ] || miss+=" bin/$p"; done
for m in "$TOP"/doc/*.scd; do n=$(basename "$m" .scd); [ -f "$root/share/man/man${n##*.}/$n" ] || miss+=" man/$n"; done
for f in master.conf.example slave.conf.example authorized_keys.example; do [ -f "$root/share/doc/slipway/examples/$f" ] || miss+=" $f"; done
for u in get-package-updates.service get-package-updates.timer build-master-status.service build-master-status.timer db-update.service db-update.timer 'build-packages@.service'; do
	[ -f "$root/lib/systemd/system/$u" ] || miss+=" $u"
done
[ -f "$root/lib/systemd/system-preset/80-slipway.preset" ] || miss+=" preset"
if [ -z "$miss" ]; then ok "programs, man pages, examples, units and preset are installed"; else not_ok "programs, man pages, examples, units and preset are installed" "missing:$miss"; fi

if grep -q "^command=\"$prefix/bin/slave-connect alpha\",restrict " "$root/share/doc/slipway/examples/authorized_keys.example"; then ok "authorized_keys example: the forced command under PREFIX, restrict"; else not_ok "authorized_keys example: the forced command under PREFIX, restrict" "$(cat "$root/share/doc/slipway/examples/authorized_keys.example")"; fi
if grep -q "^state_dir = /var/lib/slipway/state$" "$root/share/doc/slipway/examples/master.conf.example"; then ok "master.conf example: absolute state paths"; else not_ok "master.conf example: absolute state paths"; fi
if grep -rq "@BINDIR@\|@SYSCONFDIR@" "$root/lib/systemd"; then not_ok "units: every placeholder filled in"; else ok "units: every placeholder filled in"; fi
if grep -q "^ExecStart=$prefix/bin/build-packages -c /etc/slipway/slave-%i.conf --wait$" "$root/lib/systemd/system/build-packages@.service"; then ok "build-packages@.service: one slave config per instance, --wait"; else not_ok "build-packages@.service: one slave config per instance, --wait"; fi
if grep -q "^disable db-update.timer$" "$root/lib/systemd/system-preset/80-slipway.preset" && grep -q "^enable get-package-updates.timer$" "$root/lib/systemd/system-preset/80-slipway.preset"; then ok "preset: db-update.timer off by default, the others on"; else not_ok "preset: db-update.timer off by default, the others on"; fi

# verify with the tree where PREFIX points
ln -s "$root" "$prefix"
export MANPATH=$prefix/share/man
for u in "$prefix"/lib/systemd/system/*.service "$prefix"/lib/systemd/system/*.timer; do
	n=$(basename "$u")
	case $u in *.timer) svc=${u%.timer}.service ;; *) svc=$u ;; esac
	prog=$(sed -n 's|^ExecStart=\([^ ]*\).*|\1|p' "$svc")
	if [ ! -x "$prog" ]; then
		# db-update and build-packages are written on other branches
		echo "ok $((_n += 1)) - systemd-analyze verify $n # SKIP $(basename "$prog") is not built in this tree"
		continue
	fi
	if systemd-analyze verify "$u" >"$T/verify.out" 2>&1; then ok "systemd-analyze verify $n"; else not_ok "systemd-analyze verify $n" "$(cat "$T/verify.out")"; fi
done
# hostile: verify is not a rubber stamp
sed 's|^ExecStart=.*|ExecStart=relative/path|' "$prefix/lib/systemd/system/build-master-status.service" >"$T/broken.service"
if systemd-analyze verify "$T/broken.service" >/dev/null 2>&1; then not_ok "a unit with a relative ExecStart fails verify"; else ok "a unit with a relative ExecStart fails verify"; fi
