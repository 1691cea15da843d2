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

timed() {
	local var=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$W/stderr" || { echo "failed: $*" >&2; cat "$W/stderr" >&2; exit 1; }
	t1=$EPOCHREALTIME
	printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
restore() { rm -f "$W"/db/small.db* "$W"/db/small.files*; cp -a "$1"/small.* "$W/db/"; }
status=0
report() { # report WHAT REPO-ADD-SECONDS REPO-DB-SECONDS TARGET
	local r ok
	r=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", a / b }')
	ok=$(awk -v r="$r" -v t="$4" 'BEGIN { print (r >= t) ? "ok" : "MISSED" }')
	[ "$ok" = ok ] || status=1
	printf '%-42s repo-add %8.3f s   repo-db %7.3f s   %6.1fx faster (target >= %dx: %s)\n' \
		"$1" "$2" "$3" "$r" "$4" "$ok"
}

echo "repo-db vs repo-add, small packages: $n entries, $(du -k "$W/saved/small.db.tar.gz" | cut -f1) KB database, $(nproc) CPUs"
runs=()
for i in 1 2 3; do
	restore "$W/saved"
	timed t repo-add -q "$W/db/small.db.tar.gz" "$W/db/$one"
	runs+=("$t")
done
ra=$(median "${runs[@]}")
cp -a "$W"/db/small.* "$W/saved-ra/"     # the database repo-add wrote
runs=()
for i in 1 2 3 4 5; do
	restore "$W/saved"
	timed t "$bin/repo-db" -q add "$W/db/small.db.tar.gz" "$W/db/$one"
	runs+=("$t")
done
rd=$(median "${runs[@]}")
runs=()
for i in 1 2 3 4 5; do
	restore "$W/saved-ra"
	timed t "$bin/repo-db" -q add "$W/db/small.db.tar.gz" "$W/db/$two"
	runs+=("$t")
done
rd_ra=$(median "${runs[@]}")
[ "$("$bin/repo-db" list "$W/db/small.db.tar.gz" | wc -l)" -eq $((n + 2)) ] || { echo "wrong entry count" >&2; status=1; }
report "add 1 to a $n-entry database (repo-db's)" "$ra" "$rd" 30
report "add 1 to a $n-entry database (repo-add's)" "$ra" "$rd_ra" 30
exit $status
