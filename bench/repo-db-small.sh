# repo-db against repo-add on a database of small packages (one file
# each, as most of a distribution's): add one package to a 2,000-entry
# database, once into the database repo-db wrote and once into the one
# repo-add wrote. Prints the ratios (repo-add's time / repo-db's) next to
# the target of issue #10; exits 1 if one is missed.
# BENCH_PACKAGES=N changes the size (for a quick look).
set -u
top=${SLIPWAY_TOP:?run through bench/run}
bin=${SLIPWAY_BIN:?run through bench/run}
n=${BENCH_PACKAGES:-2000}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-repo-db-small.XXXXXX")
trap 'rm -rf "$W"' EXIT
. "$top/bench/lib.bash"

"$top/bench/gen-small-packages" "$W/p" small 1 $((n + 2))
one=small-$((n + 1))-1.$((n + 1))-1-x86_64.pkg.tar.gz
two=small-$((n + 2))-1.$((n + 2))-1-x86_64.pkg.tar.gz
mkdir "$W/db"
for f in "$W"/p/small-*.pkg.tar.gz; do
	case ${f##*/} in "$one"|"$two") ;; *) ln "$f" "$f.sig" "$W/db/" ;; esac
done
"$bin/repo-db" -q add "$W/db/small.db.tar.gz" "$W"/db/*.pkg.tar.gz
ln "$W/p/$one" "$W/p/$one.sig" "$W/p/$two" "$W/p/$two.sig" "$W/db/"
mkdir "$W/saved" "$W/saved-ra"
cp -a "$W"/db/small.db* "$W"/db/small.files* "$W/saved/"

restore() { rm -f "$W"/db/small.db* "$W"/db/small.files*; cp -a "$1"/small.* "$W/db/"; }
from_ours() { restore "$W/saved"; }
from_theirs() { restore "$W/saved-ra"; }

echo "repo-db vs repo-add, small packages: $n entries, $(du -k "$W/saved/small.db.tar.gz" | cut -f1) KB database, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
median_of ra 3 from_ours repo-add -q "$W/db/small.db.tar.gz" "$W/db/$one"
cp -a "$W"/db/small.* "$W/saved-ra/"     # the database repo-add wrote
median_of rd 5 from_ours "$bin/repo-db" -q add "$W/db/small.db.tar.gz" "$W/db/$one"
median_of rd_ra 5 from_theirs "$bin/repo-db" -q add "$W/db/small.db.tar.gz" "$W/db/$two"
[ "$("$bin/repo-db" list "$W/db/small.db.tar.gz" | wc -l)" -eq $((n + 2)) ] || { echo "wrong entry count" >&2; status=1; }
ratio "add 1 to a $n-entry database (repo-db's)" repo-add "$ra" repo-db "$rd" 30
ratio "add 1 to a $n-entry database (repo-add's)" repo-add "$ra" repo-db "$rd_ra" 30
exit $status
