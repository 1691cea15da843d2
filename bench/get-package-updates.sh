# get-package-updates on a generated source of 5,000 PKGBUILDs (issue #3):
# the first full run, a no-change run and a 50-change run; and print-srcinfo
# against makepkg --printsrcinfo on the same 200 packages, as a ratio.
# Targets on a 2-core machine: full < 15 s, no change < 0.2 s, >= 100x.
# BENCH_PKGBUILDS=N changes the size (for a quick look); exits 1 if a
# target is missed.
set -u
top=${SLIPWAY_TOP:?run through bench/run}
bin=${SLIPWAY_BIN:?run through bench/run}
n=${BENCH_PKGBUILDS:-5000}
sample=${BENCH_SAMPLE:-200}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-gpu.XXXXXX")
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org
export GIT_CONFIG_NOSYSTEM=1

. "$top/bench/lib.bash"
target() { # target WHAT SECONDS MAX
	local ok
	ok=$(awk -v s="$2" -v m="$3" 'BEGIN { print (s < m) ? "ok" : "MISSED" }')
	[ "$ok" = ok ] || status=1
	printf '%-34s %8.3f s   (target < %s s: %s)\n' "$1" "$2" "$3" "$ok"
}

# ---- the source: core, extra, community; chains, splits, provides, groups
S=$W/src
git init -q -b main "$S"
repo_of() { if (($1 <= n / 10)); then echo core; elif (($1 <= n * 7 / 10)); then echo extra; else echo community; fi; }
for ((i = 1; i <= n; i++)); do
	r=$(repo_of "$i")
	d=$S/$r/pkg$i
	mkdir -p "$d"
	deps="glibc"
	((i > 1)) && deps+=" pkg$((i - 1))"
	((i > 2)) && deps+=" pkg$((i / 2))"
	extra=
	((i % 50 == 0)) && extra+="provides=('virt$((i % 7))=1.0')"$'\n'
	((i % 50 == 25)) && deps+=" virt$((i % 7))"
	((i % 100 == 0)) && extra+="groups=(bench-group)"$'\n'
	if ((i % 10 == 0)); then
		printf '%s\n' "pkgbase=pkg$i" "pkgname=(pkg$i pkg$i-docs)" >"$d/PKGBUILD"
	else
		printf '%s\n' "pkgname=pkg$i" >"$d/PKGBUILD"
	fi
	printf '%s' "pkgver=1.$i
pkgrel=1
pkgdesc=\"Benchmark package number $i, with a description of ordinary length\"
arch=(x86_64)
url=\"https://example.org/pkg$i\"
license=('GPL-3.0-or-later')
depends=($deps)
makedepends=(cmake ninja)
checkdepends=(python-pytest)
${extra}source=(\"https://example.org/pkg$i-\$pkgver.tar.gz\" fix-build.patch)
sha256sums=('SKIP' 'SKIP')

prepare() {
  cd pkg$i-\$pkgver
  patch -p1 -i ../fix-build.patch
}

build() {
  cmake -B build -S pkg$i-\$pkgver -G Ninja -DCMAKE_INSTALL_PREFIX=/usr
  cmake --build build
}
" >>"$d/PKGBUILD"
	if ((i % 10 == 0)); then
		printf '%s\n' "package_pkg$i() {" "  DESTDIR=\"\$pkgdir\" cmake --install build" "}" \
			"package_pkg$i-docs() {" "  pkgdesc=\"Documentation for pkg$i\"" \
			"  arch=(any)" "  depends=()" "}" >>"$d/PKGBUILD"
	else
		printf '%s\n' "package() {" "  DESTDIR=\"\$pkgdir\" cmake --install build" \
			"  install -Dm644 LICENSE \"\$pkgdir/usr/share/licenses/\$pkgname/LICENSE\"" \
			"}" >>"$d/PKGBUILD"
	fi
	printf 'fix\n' >"$d/fix-build.patch"
done
git -C "$S" add -A && git -C "$S" commit -qm "$n packages"
cat >"$W/master.conf" <<EOF
[master]
state_dir = $W/state
repo_dir = $W/repos
arch = x86_64
[source bench]
url = $S
branch = main
layout = repo/pkgbase
[repository core]
staging = core-staging
testing = core-testing
[repository extra]
staging = extra-staging
testing = extra-testing
[repository community]
staging = community-staging
testing = community-testing
EOF
gpu() { "$bin/get-package-updates" -c "$W/master.conf" -q; }

echo "get-package-updates: $n PKGBUILDs in one git source, $(nproc) CPUs"
timed full gpu
listed=$(wc -l <"$W/state/build-list")
[ "$listed" -eq "$n" ] || { echo "build list has $listed entries, not $n" >&2; status=1; }
target "first full run ($listed queued)" "$full" 15
runs=()
for k in 1 2 3 4 5; do
	timed t gpu
	runs+=("$t")
done
target "no-change run (median of 5)" "$(median "${runs[@]}")" 0.2
for ((k = 1; k <= 50; k++)); do
	i=$((k * (n / 50)))
	sed -i 's/^pkgrel=1$/pkgrel=2/' "$S/$(repo_of "$i")/pkg$i/PKGBUILD"
done
git -C "$S" commit -qam "50 changes"
timed fifty gpu
changed=$(grep -c "$(git -C "$S" rev-parse HEAD)" "$W/state/build-list")
[ "$changed" -eq 50 ] || { echo "$changed entries have the new revision, not 50" >&2; status=1; }
target "50-change run" "$fifty" 15

# ---- print-srcinfo against makepkg --printsrcinfo, same packages, same CPUs
dirs=()
for ((i = 1; i <= sample; i++)); do dirs+=("$S/$(repo_of "$i")/pkg$i"); done
mkdir -p "$W/mk" "$W/home"
chmod 777 "$W/mk" "$W/home"
mk_all() {
	local cmd=(xargs -0 -P "$(nproc)" -n 1 bash -c \
		'cd "$1" && makepkg --printsrcinfo >"$0/$(basename "$1")"' "$W/mk")
	if [ "$(id -u)" -eq 0 ]; then
		printf '%s\0' "${dirs[@]}" | bwrap --dev-bind / / --unshare-user --uid 1000 \
			--gid 1000 --setenv HOME "$W/home" -- "${cmd[@]}"
	else
		printf '%s\0' "${dirs[@]}" | "${cmd[@]}"
	fi
}
echo "print-srcinfo vs makepkg --printsrcinfo $(makepkg --version | head -1 | awk '{print $3}'): $sample packages, both on $(nproc) CPUs"
timed mk mk_all
timed ps "$bin/print-srcinfo" "${dirs[@]}"
"$bin/print-srcinfo" "${dirs[@]}" >"$W/ours" 2>/dev/null
for d in "${dirs[@]}"; do cat "$W/mk/$(basename "$d")"; done >"$W/theirs"
if ! cmp -s "$W/ours" "$W/theirs"; then
	echo "print-srcinfo's output differs from makepkg's:" >&2
	diff "$W/theirs" "$W/ours" | head -20 >&2
	status=1
fi
ratio=$(awk -v a="$mk" -v b="$ps" 'BEGIN { printf "%.0f", a / b }')
ok=$(awk -v r="$ratio" 'BEGIN { print (r >= 100) ? "ok" : "MISSED" }')
[ "$ok" = ok ] || status=1
printf '%-34s makepkg %8.3f s   print-srcinfo %6.3f s   %5sx faster (target >= 100x: %s)\n' \
	"$sample PKGBUILDs, same output" "$mk" "$ps" "$ratio" "$ok"
exit $status
