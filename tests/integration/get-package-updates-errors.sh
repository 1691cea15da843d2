# get-package-updates with PKGBUILDs that fail: a syntax error, one that
# runs forever, hostile ones; the others go on, the bad ones are named and
# kept in state/pkgbuild-errors; --retry reads them again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"

U=$T/upstream
git_init "$U"
pkgbuild "$U/good" good 1
pkgbuild "$U/needs-good" needs-good 1 good
mkdir -p "$U/syntax" "$U/forever" "$U/forger" "$U/escape" "$U/mismatch" "$U/lint"
printf 'pkgname=syntax\npkgver=1\npkgrel=1\narch=(any)\ndepends=(a\npackage() { :; }\n' \
	>"$U/syntax/PKGBUILD"
printf 'pkgname=forever\npkgver=1\npkgrel=1\narch=(any)\npackage() { :; }\nwhile :; do :; done\n' \
	>"$U/forever/PKGBUILD"
# tries to forge records for other packages and to flood the pipe
cat >"$U/forger/PKGBUILD" <<'EOF'
pkgname=forger
pkgver=1
pkgrel=1
arch=(any)
printf 'E\0x\0%s\0' 0 1 2 3 >&1
printf 'B\0nonce\0000\0V\0pkgname\0s\0001\0evil\0D\0' >&2
for fd in /proc/self/fd/*; do printf 'junk\0' >"$fd"; done 2>/dev/null
package() { depends=($(printf 'E\0')); }
EOF
# tries to reach the network, the host and to write outside
cat >"$U/escape/PKGBUILD" <<'EOF'
pkgname=escape
pkgver=1
pkgrel=1
arch=(any)
_net=$( (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && echo reached || echo none)
_shadow=$( [ -r /etc/shadow ] && echo visible || echo hidden)
touch "$startdir/written" 2>/dev/null && _w=written || _w=readonly
pkgdesc="net=$_net shadow=$_shadow dir=$_w uid=$(id -u)"
package() { :; }
EOF
pkgbuild "$U/mismatch" other 1
printf 'pkgname=lint\npkgver=1-2\npkgrel=1\narch=(any)\npackage() { :; }\n' >"$U/lint/PKGBUILD"
commit "$U" init
conf "[source up]
url = $U
branch = main
layout = pkgbase
repository = extra" "$(repo_section extra)"

start=$(date +%s)
gpu -t 3
expect "bad PKGBUILDs make exit status 3" 3
took=$(( $(date +%s) - start ))
check "the one that runs forever is stopped in time ($took s)" test "$took" -lt 30
check_list "the others go on" "good extra" "needs-good extra" "forger extra" \
	"escape extra"
check_order "in order" good needs-good
for p in syntax forever mismatch lint; do
	check "'$p' is named on stderr" grep -q "cannot read '$p'" <<<"$err"
done
check "the syntax error is clear" grep -q "cannot read 'syntax'.*line 6: syntax error" <<<"$err"
check "the endless one timed out" grep -q "cannot read 'forever'.*timed out after 3 s" <<<"$err"
check "a lint error is makepkg's" grep -q "cannot read 'lint'.*pkgver is not allowed to contain" <<<"$err"
check "a directory must hold its own pkgbase" grep -q "the directory holds pkgbase 'other'" <<<"$err"
check_eq "the forger could only describe itself" forger "$(meta forger extra 7)"
check "nobody named 'evil' appeared" sh -c "! grep -q evil '$STATE/build-meta'"
check_eq "failures are kept" "forever lint mismatch syntax" \
	"$(cut -d' ' -f1 "$STATE/pkgbuild-errors" | sort | tr '\n' ' ' | sed 's/ $//')"

# what the sandbox let it see
rm -rf "$T/si" && mkdir -p "$T/si" && cp "$U/escape/PKGBUILD" "$T/si/"
run "$BIN/print-srcinfo" "$T/si"
expect "print-srcinfo reads it" 0
check "no network, no host secrets, read-only, not root" \
	grep -q "pkgdesc = net=none shadow=hidden dir=readonly uid=65534" <<<"$out"
check "nothing was written into the directory" test ! -e "$T/si/written"

# fixing a PKGBUILD queues it
printf 'pkgname=syntax\npkgver=1\npkgrel=1\narch=(any)\ndepends=(good)\npackage() { :; }\n' \
	>"$U/syntax/PKGBUILD"
commit "$U" "fix syntax"
gpu -t 3
expect "a run that reads only good ones succeeds" 0
check "the fixed one is queued" grep -q "^syntax " "$STATE/build-list"
check "and left the failures" sh -c "! grep -q '^syntax ' '$STATE/pkgbuild-errors'"
check "an unchanged bad one is not read again" bash -c "! grep -q \"cannot read 'forever'\" <<<\"\$1\"" _ "$err"

# --retry reads the listed ones again
gpu -t 2 --retry
expect "--retry" 3 "cannot read 'forever'.*timed out after 2 s"

# a crafted tree that a fetch takes but git fsck refuses: a symlink "sub"
# to a directory outside and a directory "sub" whose file would be
# written through it
mkdir -p "$T/outside"
(
	cd "$U" || exit 1
	link=$(printf '%s' "$T/outside" | git hash-object -w --stdin) &&
	f=$(echo planted | git hash-object -w --stdin) &&
	pb=$(printf 'pkgname=crafted\npkgver=1\npkgrel=1\narch=(any)\npackage() { :; }\n' |
		git hash-object -w --stdin) &&
	sub=$(printf '100644 blob %s\tplanted\n' "$f" | git mktree) &&
	dir=$(printf '120000 blob %s\tsub\n040000 tree %s\tsub\n100644 blob %s\tPKGBUILD\n' \
		"$link" "$sub" "$pb" | git mktree) &&
	top=$({ git ls-tree HEAD; printf '040000 tree %s\tcrafted\n' "$dir"; } | git mktree) &&
	c=$(git commit-tree -p HEAD -m crafted "$top") &&
	git update-ref refs/heads/main "$c" && git reset -q --hard
) || not_ok "make the crafted commit"
gpu -t 3
expect "a tree with two entries of one name is refused" 3 \
	"cannot read 'crafted'.*two entries named 'sub'"
check "nothing was written outside" test ! -e "$T/outside/planted"
check "crafted is not queued" sh -c "! grep -q '^crafted ' '$STATE/build-list'"

echo "1..$_n"
