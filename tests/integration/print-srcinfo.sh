# print-srcinfo: equals `makepkg --printsrcinfo` on every fixture of
# tests/fixtures/srcinfo/ (split packages with per-package depends,
# arch-specific arrays, epoch, functions that set nothing, ...), and fails
# where makepkg fails.
. "$(dirname "$0")/lib.sh"

F=$FIX/srcinfo
# both_read NAME: makepkg's and our reading of fixture NAME, into $T/NAME.*
# (makepkg forks a grep per attribute and arch: seconds of CPU per fixture,
# so the fixtures are read side by side, one per CPU, and compared after)
both_read() {
	local d=$F/$1 r=$T/$1
	(cd "$d" && unpriv makepkg --printsrcinfo) >"$r.want" 2>"$r.want.err"
	echo $? >"$r.mk"
	"$BIN/print-srcinfo" "$d" >"$r.out" 2>"$r.err"
	echo $? >"$r.rc"
}
names=()
for d in "$F"/*/; do
	d=${d%/}
	names+=("$(basename "$d")")
done
cpus=$(nproc)
for name in "${names[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$cpus" ]; do wait -n; done
	both_read "$name" &
done
wait
for name in "${names[@]}"; do
	d=$F/$name
	r=$T/$name
	mk=$(cat "$r.mk")
	rc=$(cat "$r.rc")
	out=$(cat "$r.out")
	err=$(cat "$r.err")
	if [ "$mk" -eq 0 ]; then
		if [ "$rc" -eq 0 ] && cmp -s "$r.want" <(printf '%s\n' "$out"); then
			ok "$name: same as makepkg --printsrcinfo"
		else
			not_ok "$name: same as makepkg --printsrcinfo" "exit $rc: $err" \
				"$(diff "$r.want" <(printf '%s\n' "$out"))"
		fi
	elif [ "$rc" -eq 1 ] && grep -q "cannot read '$d/PKGBUILD'" <<<"$err"; then
		ok "$name: fails as makepkg fails ($mk)"
	else
		not_ok "$name: fails as makepkg fails ($mk)" "exit $rc" "stderr: $err" \
			"makepkg: $(cat "$r.want.err")"
	fi
done

# several directories: printed in order; one bad one does not stop the rest
run "$BIN/print-srcinfo" "$F/single" "$F/bad-syntax" "$F/epoch"
expect "a bad directory among good ones: exit 1" 1 "bad-syntax/PKGBUILD'.*line 6: syntax error"
check "the good ones are printed, in order" test "$(grep -c '^pkgbase = ' <<<"$out")" = 2 \
	-a "$(grep '^pkgbase' <<<"$out" | tr '\n' ' ')" = "pkgbase = single pkgbase = epochal "

# CARCH is the configured architecture
mkdir -p "$T/carch"
printf 'pkgname=c\npkgver=1\npkgrel=1\narch=(x86_64 i686)\n[[ $CARCH == i686 ]] && depends=(only-i686)\npackage() { :; }\n' \
	>"$T/carch/PKGBUILD"
run "$BIN/print-srcinfo" -a i686 "$T/carch"
expect "-a sets CARCH" 0
check "CARCH=i686 seen" grep -q "depends = only-i686" <<<"$out"

run "$BIN/print-srcinfo" "$T/nonexistent"
expect "a missing directory is a usage error" 2 "is not a directory"
mkdir -p "$T/nopkgbuild"
run "$BIN/print-srcinfo" "$T/nopkgbuild"
expect "a directory without PKGBUILD" 1 "PKGBUILD does not exist"
run "$BIN/print-srcinfo" -a 'x86 64' "$T/carch"
expect "an invalid arch is refused" 2 "invalid arch"
run "$BIN/print-srcinfo" -V
expect "-V" 0
run "$BIN/print-srcinfo" -h
expect "-h" 0
check "usage names the options" grep -q -- "--timeout" <<<"$out"
check "and --cpu" grep -q -- "--cpu" <<<"$out"

# a PKGBUILD that lifts its CPU limit and ignores SIGXCPU is still stopped
# by the hard CPU limit (--cpu 2, hard 3 s), not by the wall clock (60 s):
# the message says which limit ended it (no timing here: a loaded machine
# gives the hog less than a core). 2 s, not the default 20: the same path,
# without 20 s of a core taken from the other tests
mkdir -p "$T/cpuhog"
printf '%s\n' pkgname=cpuhog pkgver=1 pkgrel=1 'arch=(any)' \
	'ulimit -S -t unlimited 2>/dev/null' "trap '' XCPU" 'while :; do :; done' \
	'package() { :; }' >"$T/cpuhog/PKGBUILD"
run "$BIN/print-srcinfo" -t 60 --cpu 2 "$T/cpuhog"
expect "a CPU hog that lifts its soft limit is stopped by the CPU limit" 1 \
	"exceeded the CPU time limit of 2 s"

echo "1..$_n"
