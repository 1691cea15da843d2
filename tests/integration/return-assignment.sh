# return-assignment through slave-connect: every crafted upload is refused
# with its exit code and leaves state and repositories byte-identical; a
# good one lands in the staging repository, and a real pacman installs from
# it with SigLevel = Required against our keys. ERROR uploads make a
# broken attempt.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"

if ! master_setup; then
	not_ok "make the master and the slaves' keys"
	exit 1
fi
if build_fixtures "$T/pkgs" splitbase plain; then
	ok "makepkg builds the fixture packages"
else
	not_ok "makepkg builds the fixture packages"
	exit 1
fi
set_list "splitbase extra 7.0-1 split-a,split-b -" "plain extra 1.0-1 plain -"
IDS="splitbase $C1 $C2 extra"
IDP="plain $C1 $C2 extra"
SA=split-a-7.0-1-x86_64.pkg.tar.zst
SB=split-b-7.0-1-x86_64.pkg.tar.zst

run sc alpha get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "$IDS" ]; then ok "alpha gets splitbase"; else not_ok "alpha gets splitbase" "rc=$rc" "$out" "$err"; exit 1; fi
run sc beta get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "$IDP" ]; then ok "beta gets plain"; else not_ok "beta gets plain" "rc=$rc" "$out" "$err"; exit 1; fi

# u DIR: a fresh upload directory with copies of the split packages signed by alpha
u() {
	rm -rf "$1"
	mkdir -p "$1"
	cp "$T/pkgs/$SA" "$T/pkgs/$SB" "$1/"
	sign_file "$T/ka" "$FA" "$1/$SA"
	sign_file "$T/ka" "$FA" "$1/$SB"
}
# mktar TAR DIR [NAMES...]: a plain tar of NAMES (default: all) in DIR
mktar() {
	local tarf=$1 dir=$2
	shift 2
	if [ $# -eq 0 ]; then
		(cd "$dir" && tar -cf "$tarf" -- *)
	else
		(cd "$dir" && tar -cf "$tarf" -- "$@")
	fi
}

before=$(digest)
# refused NAME WANT-RC PATTERN TAR [SLAVE [ID]]: a refusal that changes nothing
refused() {
	local name=$1 want=$2 pat=$3 tarf=$4 slave=${5:-alpha} id=${6:-$IDS}
	run sc_in "$tarf" "$slave" "return-assignment $id"
	expect "$name: exit $want" "$want" "$pat"
	local now
	now=$(digest)
	if [ "$now" = "$before" ]; then ok "$name: state and repositories unchanged"; else not_ok "$name: state and repositories unchanged" "$(cd "$M" && find . -newer "$tarf" | head)"; fi
}

u "$T/u"
# --- the tar itself ---
(cd "$T/u" && tar -P --transform 's,^,../,' -cf "$T/dots.tar" "$SA" "$SA.sig" "$SB" "$SB.sig") 2>/dev/null
refused "member ../x" 5 "has a path" "$T/dots.tar"
tar -P -cf "$T/abs.tar" "$T/u/$SA" "$T/u/$SA.sig" "$T/u/$SB" "$T/u/$SB.sig" 2>/dev/null
refused "absolute member" 5 "has a path" "$T/abs.tar"
u "$T/sl"
rm "$T/sl/$SB"
ln -s /etc/passwd "$T/sl/$SB"
mktar "$T/sl.tar" "$T/sl"
refused "symbolic link" 5 "symbolic link" "$T/sl.tar"
u "$T/hl"
mktar "$T/hl.tar" "$T/hl" "$SA" "$SA.sig" "$SB" "$SB.sig"
ln "$T/hl/$SA" "$T/hl/split-c-7.0-1-x86_64.pkg.tar.zst"
mktar "$T/hl.tar" "$T/hl" "$SA" "split-c-7.0-1-x86_64.pkg.tar.zst"
refused "hard link" 5 "hard link" "$T/hl.tar"
printf '#mtree\n%s type=char mode=0644 device=native,1,3\n' "$SA" >"$T/dev.spec"
(cd "$T" && bsdtar -cf "$T/dev.tar" @dev.spec)
refused "character device" 5 "character device" "$T/dev.tar"
printf '#mtree\n%s type=fifo mode=0644\n' "$SA" >"$T/fifo.spec"
(cd "$T" && bsdtar -cf "$T/fifo.tar" @fifo.spec)
refused "FIFO" 5 "FIFO" "$T/fifo.tar"
mkdir -p "$T/dir/$SA"
mktar "$T/dir.tar" "$T/dir"
refused "directory" 5 "directory" "$T/dir.tar"
u "$T/big"
head -c 1100000 /dev/urandom >"$T/big/big-1-1-x86_64.pkg.tar.zst"
mktar "$T/big.tar" "$T/big" "big-1-1-x86_64.pkg.tar.zst" "$SA" "$SA.sig"
refused "oversized member" 5 "past 1048576 bytes" "$T/big.tar"
head -c 3000000 /dev/zero >"$T/zeros.tar"
refused "endless stream" 5 "refused upload" "$T/zeros.tar"
head -c 20000 /dev/urandom >"$T/noise.tar"
refused "not a tar" 5 "refused upload" "$T/noise.tar"
mktar "$T/good.tar" "$T/u"
gzip -c "$T/good.tar" >"$T/good.tar.gz"
refused "compressed tar" 5 "refused upload" "$T/good.tar.gz"
: >"$T/empty.tar"
refused "empty upload" 5 "refused upload" "$T/empty.tar"
u "$T/nm"
cp "$T/nm/$SA" "$T/nm/README"
mktar "$T/nm.tar" "$T/nm"
refused "a member not named as a package" 5 "invalid package file name 'README'" "$T/nm.tar"
u "$T/stray"
cp "$T/stray/$SA.sig" "$T/stray/split-c-7.0-1-x86_64.pkg.tar.zst.sig"
mktar "$T/stray.tar" "$T/stray"
refused "signature without its package" 5 "without its package" "$T/stray.tar"

# --- signatures ---
u "$T/nosig"
rm "$T/nosig/$SB.sig"
mktar "$T/nosig.tar" "$T/nosig"
refused "package without a signature" 3 "no signature" "$T/nosig.tar"
u "$T/other"
sign_file "$T/kb" "$FB" "$T/other/$SB"
mktar "$T/other.tar" "$T/other"
refused "signed by another slave's key" 3 "signed by '$FB', expected '$FA'" "$T/other.tar"
u "$T/corrupt"
printf 'X' | dd of="$T/corrupt/$SB" bs=1 seek=100 conv=notrunc 2>/dev/null
mktar "$T/corrupt.tar" "$T/corrupt"
refused "corrupted body" 3 "bad signature" "$T/corrupt.tar"
u "$T/armored"
gpg --homedir "$T/ka" --batch --yes --pinentry-mode loopback --passphrase '' \
	-u "$FA" --detach-sign --armor -o "$T/armored/$SB.sig" "$T/armored/$SB" 2>/dev/null
mktar "$T/armored.tar" "$T/armored"
refused "armored signature" 3 "armored" "$T/armored.tar"

# --- the package set ---
u "$T/missing"
mktar "$T/missing.tar" "$T/missing" "$SA" "$SA.sig"
refused "missing split package" 4 "'split-b' is missing" "$T/missing.tar"
u "$T/extra"
cp "$T/pkgs/plain-1.0-1-x86_64.pkg.tar.zst" "$T/extra/"
sign_file "$T/ka" "$FA" "$T/extra/plain-1.0-1-x86_64.pkg.tar.zst"
mktar "$T/extra.tar" "$T/extra"
refused "a package of another pkgbase" 4 "belongs to pkgbase 'plain'" "$T/extra.tar"
u "$T/extra2"
hand_pkg "$T/extra2" "split-c-7.0-1-x86_64.pkg.tar.zst" "pkgname = split-c
pkgbase = splitbase
pkgver = 7.0-1
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = x86_64"
sign_file "$T/ka" "$FA" "$T/extra2/split-c-7.0-1-x86_64.pkg.tar.zst"
mktar "$T/extra2.tar" "$T/extra2"
refused "an extra package" 4 "does not build 'split-c'" "$T/extra2.tar"
mkdir -p "$T/ver"
for n in split-a split-b; do
	hand_pkg "$T/ver" "$n-7.0-2-x86_64.pkg.tar.zst" "pkgname = $n
pkgbase = splitbase
pkgver = 7.0-2
pkgdesc = wrong version
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = x86_64"
	sign_file "$T/ka" "$FA" "$T/ver/$n-7.0-2-x86_64.pkg.tar.zst"
done
mktar "$T/ver.tar" "$T/ver"
refused "wrong version" 4 "has version '7.0-2'.*declares '7.0-1'" "$T/ver.tar"
mkdir -p "$T/arch"
for n in split-a split-b; do
	hand_pkg "$T/arch" "$n-7.0-1-aarch64.pkg.tar.zst" "pkgname = $n
pkgbase = splitbase
pkgver = 7.0-1
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = aarch64"
	sign_file "$T/ka" "$FA" "$T/arch/$n-7.0-1-aarch64.pkg.tar.zst"
done
mktar "$T/arch.tar" "$T/arch"
refused "wrong architecture" 4 "is for 'aarch64'" "$T/arch.tar"

# --- the packages themselves ---
u "$T/trunc"
head -c 300 "$T/pkgs/$SB" >"$T/trunc/$SB"
sign_file "$T/ka" "$FA" "$T/trunc/$SB"
mktar "$T/trunc.tar" "$T/trunc"
refused "truncated zstd stream" 5 "refused upload" "$T/trunc.tar"
u "$T/liar"
rm "$T/liar/$SB" "$T/liar/$SB.sig"
hand_pkg "$T/liar" "$SB" "pkgname = split-c
pkgbase = splitbase
pkgver = 7.0-1
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = x86_64"
sign_file "$T/ka" "$FA" "$T/liar/$SB"
mktar "$T/liar.tar" "$T/liar"
refused ".PKGINFO disagrees with the file name" 5 "holds split-c" "$T/liar.tar"

# --- who returns what ---
u "$T/beta"
sign_file "$T/kb" "$FB" "$T/beta/$SA"
sign_file "$T/kb" "$FB" "$T/beta/$SB"
mktar "$T/beta.tar" "$T/beta"
refused "a return by the wrong slave" 2 "assigned to slave 'alpha', not 'beta'" "$T/beta.tar" beta
mktar "$T/good.tar" "$T/u"
refused "an outdated id" 2 "not on the build list" "$T/good.tar" alpha "splitbase $C3 $C2 extra"
refused "an id never assigned" 2 "not on the build list" "$T/good.tar" alpha "nosuch $C1 $C2 extra"
run sc_in "$T/good.tar" gamma "return-assignment $IDS ERROR"
expect "ERROR by the wrong slave: exit 2" 2 "assigned to slave 'alpha'"

# --- a good upload, with a debug package (dropped: debug = no) ---
hand_pkg "$T/u" "splitbase-debug-7.0-1-x86_64.pkg.tar.zst" "pkgname = splitbase-debug
pkgbase = splitbase
pkgver = 7.0-1
pkgdesc = Detached debugging symbols for splitbase
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = x86_64"
sign_file "$T/ka" "$FA" "$T/u/splitbase-debug-7.0-1-x86_64.pkg.tar.zst"
mktar "$T/good.tar" "$T/u"
run sc_in "$T/good.tar" alpha "return-assignment $IDS"
expect "a good upload is accepted" 0
R=$M/repos
S=$R/extra-staging/os/x86_64
check "the packages are in the pool" test -f "$R/pool/$SA" -a -f "$R/pool/$SB.sig"
check "and linked into extra-staging" test -L "$S/$SA" -a -L "$S/$SB.sig"
check "the link leads into the pool" test "$(readlink "$S/$SA")" = "../../../pool/$SA"
check "the staging database is signed by the repository key" \
	gpg --homedir "$T/mk" --verify "$S/extra-staging.db.tar.gz.sig" "$S/extra-staging.db.tar.gz"
got=$(bsdtar -tf "$S/extra-staging.db.tar.gz" | grep '/$' | sort | tr '\n' ' ')
if [ "$got" = "split-a-7.0-1/ split-b-7.0-1/ " ]; then ok "the database lists the two packages"; else not_ok "the database lists the two packages" "$got"; fi
check "the debug package is dropped: extra has no debug repositories" sh -c "test ! -e '$R/pool/splitbase-debug-7.0-1-x86_64.pkg.tar.zst' && ! grep -q debug '$(state_file "splitbase.$C1.$C2.extra" done)' && grep -q 'splitbase-debug.*dropped.*debug = no' '$T/.err'"
run "$BIN/repo-db" check "$S/extra-staging.db.tar.gz"
expect "repo-db check finds the staging repository consistent" 0
check "splitbase left the build list" sh -c "! grep -q '^splitbase ' '$M/state/build-list'"
check "and build-meta" sh -c "! grep -q '^splitbase ' '$M/state/build-meta'"
check "plain is still on both" grep -q '^plain ' "$M/state/build-list" "$M/state/build-meta"
check "done lists the package files" grep -qx "$SB" "$(state_file "splitbase.$C1.$C2.extra" done)"
check "the lease is gone" test ! -e "$(state_file "splitbase.$C1.$C2.extra" locked)"
check "no staging directory is left" sh -c "! ls -a '$R' '$M/state/logs' | grep -q upload"
run sc_in "$T/good.tar" alpha "return-assignment $IDS"
expect "returning it twice: outdated" 2 "not on the build list"

# --- pacman installs it from the staging repository ---
if pacman_setup "$T/pm" extra-staging "$S" "$FA" "$T/ka" &&
	gpg --homedir "$T/mk" --export "$FR" >"$T/pm/repo.gpg" &&
	pacman-key --gpgdir "$T/pm/gpg" --add "$T/pm/repo.gpg" >/dev/null 2>&1 &&
	pacman-key --gpgdir "$T/pm/gpg" --lsign-key "$FR" >/dev/null 2>&1; then
	run scratch_pacman "$T/pm" -Sy split-b
	expect "pacman -Sy split-b from extra-staging with SigLevel = Required" 0
	run scratch_pacman "$T/pm" -Q split-a split-b
	if [ "$rc" -eq 0 ] && [ "$out" = $'split-a 7.0-1\nsplit-b 7.0-1' ]; then ok "split-b and its dependency split-a are installed"; else not_ok "split-b and its dependency split-a are installed" "$out" "$err"; fi
	check "with their files" test -f "$T/pm/root/usr/lib/split/b"
else
	not_ok "set up a scratch pacman trusting our keys"
fi

# --- a new revision replaces the old one in staging ---
# splitbase 7.0-2 at new commits builds split-a only: the old revision's
# split-a, split-b and debug package leave extra-staging and the pool
echo "splitbase $C3 $C2 extra" >>"$M/state/build-list"
echo "splitbase extra upstream extra/splitbase - 7.0-2 split-a -" >>"$M/state/build-meta"
mkdir -p "$M/state/package-states"
echo "$(date +%s) admin stale" >"$(state_file "splitbase.$C1.$C3.extra" blocked)"
run sc gamma get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "splitbase $C3 $C2 extra" ]; then ok "the new revision of splitbase is handed out"; else not_ok "the new revision of splitbase is handed out" "rc=$rc" "$out" "$err"; fi
mkdir -p "$T/v2"
hand_pkg "$T/v2" split-a-7.0-2-x86_64.pkg.tar.zst "pkgname = split-a
pkgbase = splitbase
pkgver = 7.0-2
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = x86_64"
sign_file "$T/kb" "$FB" "$T/v2/split-a-7.0-2-x86_64.pkg.tar.zst"
mktar "$T/v2.tar" "$T/v2"
run sc_in "$T/v2.tar" gamma "return-assignment splitbase $C3 $C2 extra"
expect "gamma (beta's key) returns it" 0
got=$(bsdtar -tf "$S/extra-staging.db.tar.gz" | grep '/$' | sort | tr '\n' ' ')
if [ "$got" = "split-a-7.0-2/ " ]; then ok "the staging database holds only split-a 7.0-2"; else not_ok "the staging database holds only split-a 7.0-2" "$got"; fi
check "the old packages left extra-staging" sh -c "! ls '$S' | grep -q -- '-7.0-1-'"
check "and the pool" sh -c "! ls '$R/pool' | grep -q -- '-7.0-1-'"
check "the old revision's states are gone" sh -c "! ls '$M/state/package-states' | grep -q 'splitbase.$C1.$C2'"
check "a stale state of another old revision too" test ! -e "$(state_file "splitbase.$C1.$C3.extra" blocked)"
check "the new one is done" grep -qx split-a-7.0-2-x86_64.pkg.tar.zst "$(state_file "splitbase.$C3.$C2.extra" done)"
run "$BIN/repo-db" check "$S/extra-staging.db.tar.gz"
expect "repo-db check: consistent after the replacement" 0

# --- ERROR: a failed build ---
mkdir -p "$T/logs"
echo "==> ERROR: A failure occurred in build()." | gzip >"$T/logs/plain.log.gz"
echo "==> ERROR: again, from scratch." | gzip >"$T/logs/clean.log.gz"
(cd "$T/logs" && tar -cf "$T/logs.tar" plain.log.gz clean.log.gz)
before=$(digest)
echo "not gzip" >"$T/logs/bad.log.gz"
(cd "$T/logs" && tar -cf "$T/badlog.tar" bad.log.gz)
refused "ERROR with a log that is not gzip" 5 "not gzip" "$T/badlog.tar" beta "$IDP ERROR"
(cd "$T/pkgs" && tar -cf "$T/pkglog.tar" plain-1.0-1-x86_64.pkg.tar.zst)
refused "ERROR with a package instead of logs" 5 "log" "$T/pkglog.tar" beta "$IDP ERROR"
(cd "$T/logs" && tar -P --transform 's,^,../,' -cf "$T/dotlog.tar" plain.log.gz) 2>/dev/null
refused "ERROR with a log named ../x" 5 "has a path" "$T/dotlog.tar" beta "$IDP ERROR"
refused "ERROR by a slave that does not hold it" 2 "assigned to slave 'beta'" "$T/logs.tar" alpha "$IDP ERROR"
run sc_in "$T/logs.tar" beta "return-assignment $IDP ERROR"
expect "beta returns plain with ERROR" 0
br=$(state_file "plain.$C1.$C2.extra" broken)
if [ -f "$br" ] && grep -qE "^[0-9]+ beta clean plain\.extra\.[0-9]+\.clean\.log\.gz$" "$br"; then ok "an attempt is in broken"; else not_ok "an attempt is in broken" "$(cat "$br" 2>&1)"; fi
check "both logs are kept under logs/" sh -c "ls '$M/state/logs' | grep -q 'plain.extra.*.plain.log.gz' && ls '$M/state/logs' | grep -q 'plain.extra.*.clean.log.gz'"
log=$(ls "$M/state/logs"/plain.extra.*.plain.log.gz | head -1)
check "the log is stored as sent" sh -c "gzip -dc '$log' | grep -q 'failure occurred'"
check "the lease is released" test ! -e "$(state_file "plain.$C1.$C2.extra" locked)"
check "plain stays on the build list" grep -q "^plain $C1 $C2 extra\$" "$M/state/build-list"
# retries: broken_retry_delay is 0 here
run sc alpha get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "$IDP" ]; then ok "a broken package with retries left is handed out again"; else not_ok "a broken package with retries left is handed out again" "rc=$rc" "$out" "$err"; fi
run sc_in "$T/logs.tar" alpha "return-assignment $IDP ERROR"
expect "it fails a second time" 0
run sc_in "$T/logs.tar" beta "return-assignment $IDP ERROR"
expect "ERROR for an assignment no longer held" 2
run sc beta get-assignment
expect "and a third time, by its last retry" 0
run sc_in "$T/logs.tar" beta "return-assignment $IDP ERROR"
expect "it fails a third time" 0
run sc alpha get-assignment
expect "out of retries: nothing pending" 3 "nothing is pending"
run "$BIN/modify-package-state" --unbreak plain
expect "modify-package-state --unbreak plain" 0
check "says what it changed" grep -q "unbroke 'plain.$C1.$C2.extra'" "$T/.out"
run sc alpha get-assignment
if [ "$rc" -eq 0 ] && [ "$out" = "$IDP" ]; then ok "after unbreak it is handed out again"; else not_ok "after unbreak it is handed out again" "rc=$rc" "$out" "$err"; fi
