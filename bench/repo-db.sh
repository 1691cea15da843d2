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

. "$top/bench/lib.bash"
# restore DIR: the databases as they were right after creation
restore() {
	rm -f "$1"/bench.db* "$1"/bench.files*
	cp -a "$W/saved-$(basename "$1")"/bench.* "$1/"
}
rm_db() { rm -f "$1"/bench.db* "$1"/bench.files*; }
rd_fresh() { rm_db "$W/rd"; }
ra_saved() { restore "$W/ra"; }
rd_saved() { restore "$W/rd"; }

echo "repo-db vs repo-add: $n packages, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(repo-add --version 2>/dev/null | head -1)"

# create
timed ra_create bash -c "cd '$W/ra' && repo-add -q bench.db.tar.gz ./*.pkg.tar.zst"
median_of rd_create 3 rd_fresh "$bin/repo-db" -q add "$W/rd/bench.db.tar.gz" "$W"/rd/*.pkg.tar.zst
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
ratio "create a $n-entry database" repo-add "$ra_create" repo-db "$rd_create" 20

# add one package
ln "$W/extra/$newpkg" "$W/extra/$newpkg.sig" "$W/ra/"
ln "$W/extra/$newpkg" "$W/extra/$newpkg.sig" "$W/rd/"
median_of ra_add 3 ra_saved repo-add -q "$W/ra/bench.db.tar.gz" "$W/ra/$newpkg"
# the same add into the database repo-add wrote (no gzseg table yet)
median_of rd_add_ra 3 ra_saved "$bin/repo-db" -q add "$W/ra/bench.db.tar.gz" "$W/ra/$newpkg"
median_of rd_add 5 rd_saved "$bin/repo-db" -q add "$W/rd/bench.db.tar.gz" "$W/rd/$newpkg"
[ "$("$bin/repo-db" list "$W/rd/bench.db.tar.gz" | wc -l)" -eq $((n + 1)) ] || { echo "add: wrong entry count" >&2; status=1; }
ratio "add 1 to a $n-entry database" repo-add "$ra_add" repo-db "$rd_add" 30
ratio "add 1 to repo-add's $n-entry database" repo-add "$ra_add" repo-db "$rd_add_ra" 30

# remove one entry
median_of ra_rm 3 ra_saved repo-remove -q "$W/ra/bench.db.tar.gz" "$victim"
median_of rd_rm 5 rd_saved "$bin/repo-db" -q remove "$W/rd/bench.db.tar.gz" "$victim"
[ "$("$bin/repo-db" list "$W/rd/bench.db.tar.gz" | wc -l)" -eq $((n - 1)) ] || { echo "remove: wrong entry count" >&2; status=1; }
ratio "remove 1 from a $n-entry database" repo-remove "$ra_rm" repo-db "$rd_rm" 30
exit $status
