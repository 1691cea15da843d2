# repo-db against repo-add on the same machine, in one run: create a
# 2,000-entry database, add 1 package to it, remove 1 entry from it.
# Prints each figure as a ratio (repo-add's time / repo-db's time) next to
# the target of issues #4 and #10; exits 1 if a target is missed.
# The add is timed twice for repo-db: into its own database, and into the
# one repo-add wrote.
# BENCH_PACKAGES=N changes the size (for a quick look).
set -u
top=${SLIPWAY_TOP:?run through bench/run}
bin=${SLIPWAY_BIN:?run through bench/run}
n=${BENCH_PACKAGES:-2000}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-repo-db.XXXXXX")
trap 'rm -rf "$W"' EXIT

# the packages: 1..n in two halves at once, n+1 kept aside for the add
half=$((n / 2))
"$top/bench/gen-packages" "$W/pkgs" 1 "$half" &
"$top/bench/gen-packages" "$W/pkgs" $((half + 1)) "$n" &
"$top/bench/gen-packages" "$W/extra" $((n + 1)) $((n + 1)) &
wait
mkdir "$W/ra" "$W/rd"
cp -l "$W"/pkgs/* "$W/ra/"
cp -l "$W"/pkgs/* "$W/rd/"
newpkg=$(cd "$W/extra" && ls ./*.pkg.tar.zst)
newpkg=${newpkg#./}
victim=bench-pkg-$((n / 2))

# timed VAR CMD...: runs CMD (output discarded), VAR = seconds taken
timed() {
	local var=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$W/stderr" || { echo "failed: $*" >&2; cat "$W/stderr" >&2; exit 1; }
	t1=$EPOCHREALTIME
	printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
}
# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# restore DIR: the databases as they were right after creation
restore() {
	rm -f "$1"/bench.db* "$1"/bench.files*
	cp -a "$W/saved-$(basename "$1")"/bench.* "$1/"
}
rm_db() { rm -f "$1"/bench.db* "$1"/bench.files*; }

status=0
report() { # report WHAT REPO-ADD-SECONDS REPO-DB-SECONDS TARGET
	local r ok
	r=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", a / b }')
	ok=$(awk -v r="$r" -v t="$4" 'BEGIN { print (r >= t) ? "ok" : "MISSED" }')
	[ "$ok" = ok ] || status=1
	printf '%-36s repo-add %8.3f s   repo-db %7.3f s   %6.1fx faster (target >= %dx: %s)\n' \
		"$1" "$2" "$3" "$r" "$4" "$ok"
}

echo "repo-db vs repo-add: $n packages, $(nproc) CPUs, $(repo-add --version 2>/dev/null | head -1)"

# create
timed ra_create bash -c "cd '$W/ra' && repo-add -q bench.db.tar.gz ./*.pkg.tar.zst"
runs=()
for i in 1 2 3; do
	rm_db "$W/rd"
	timed t "$bin/repo-db" -q add "$W/rd/bench.db.tar.gz" "$W"/rd/*.pkg.tar.zst
	runs+=("$t")
done
rd_create=$(median "${runs[@]}")
mkdir "$W/saved-ra" "$W/saved-rd"
cp -a "$W"/ra/bench.* "$W/saved-ra/"
cp -a "$W"/rd/bench.* "$W/saved-rd/"
# the same entries, field for field (a sample)
mkdir "$W/xa" "$W/xd"
bsdtar -xf "$W/ra/bench.files.tar.gz" -C "$W/xa" "bench-pkg-1-1.1-1/*" "$victim-*"
bsdtar -xf "$W/rd/bench.files.tar.gz" -C "$W/xd" "bench-pkg-1-1.1-1/*" "$victim-*"
if ! diff -r "$W/xa" "$W/xd" >&2; then
	echo "repo-db's entries differ from repo-add's" >&2
	status=1
fi
report "create a $n-entry database" "$ra_create" "$rd_create" 20

# add one package
ln "$W/extra/$newpkg" "$W/extra/$newpkg.sig" "$W/ra/"
ln "$W/extra/$newpkg" "$W/extra/$newpkg.sig" "$W/rd/"
runs=()
for i in 1 2 3; do
	restore "$W/ra"
	timed t repo-add -q "$W/ra/bench.db.tar.gz" "$W/ra/$newpkg"
	runs+=("$t")
done
ra_add=$(median "${runs[@]}")
# the same add into the database repo-add wrote (no gzseg table yet)
runs=()
for i in 1 2 3; do
	restore "$W/ra"
	timed t "$bin/repo-db" -q add "$W/ra/bench.db.tar.gz" "$W/ra/$newpkg"
	runs+=("$t")
done
rd_add_ra=$(median "${runs[@]}")
runs=()
for i in 1 2 3 4 5; do
	restore "$W/rd"
	timed t "$bin/repo-db" -q add "$W/rd/bench.db.tar.gz" "$W/rd/$newpkg"
	runs+=("$t")
done
rd_add=$(median "${runs[@]}")
[ "$("$bin/repo-db" list "$W/rd/bench.db.tar.gz" | wc -l)" -eq $((n + 1)) ] || { echo "add: wrong entry count" >&2; status=1; }
report "add 1 to a $n-entry database" "$ra_add" "$rd_add" 30
report "add 1 to repo-add's $n-entry database" "$ra_add" "$rd_add_ra" 30

# remove one entry
runs=()
for i in 1 2 3; do
	restore "$W/ra"
	timed t repo-remove -q "$W/ra/bench.db.tar.gz" "$victim"
	runs+=("$t")
done
ra_rm=$(median "${runs[@]}")
runs=()
for i in 1 2 3 4 5; do
	restore "$W/rd"
	timed t "$bin/repo-db" -q remove "$W/rd/bench.db.tar.gz" "$victim"
	runs+=("$t")
done
rd_rm=$(median "${runs[@]}")
[ "$("$bin/repo-db" list "$W/rd/bench.db.tar.gz" | wc -l)" -eq $((n - 1)) ] || { echo "remove: wrong entry count" >&2; status=1; }
report "remove 1 from a $n-entry database" "$ra_rm" "$rd_rm" 30
exit $status
