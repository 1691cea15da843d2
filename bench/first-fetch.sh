# The first get-package-updates against a big history (issue #13): a
# generated source of BENCH_COMMITS (200,000) commits, fetched once from a
# local path and once over git:// from a `git daemon` on 127.0.0.1, each
# against `git clone --mirror` of the same URL, as a ratio. The source's
# packages sit in a repository the master does not build, so the run is the
# fetch (and one tree diff), not PKGBUILD reading. Target: at most 2x.
# Exits 1 if a target is missed.
set -u
top=${SLIPWAY_TOP:?run through bench/run}
bin=${SLIPWAY_BIN:?run through bench/run}
n=${BENCH_COMMITS:-200000}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-fetch.XXXXXX")
trap 'kill $daemon 2>/dev/null; rm -rf "$W"' EXIT
daemon=
export GIT_CONFIG_NOSYSTEM=1 HOME=$W

secs() { # secs VAR CMD...: seconds CMD took (output discarded)
	local var=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$W/stderr"
	local rc=$?
	t1=$EPOCHREALTIME
	if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then echo "failed ($rc): $*" >&2; cat "$W/stderr" >&2; exit 1; fi
	printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
}

# 200 packages in 10 repository directories, one PKGBUILD changed per commit
t0=$EPOCHREALTIME
git init -q --bare "$W/src.git"
awk -v n="$n" 'BEGIN {
	for (i = 1; i <= n; i++) {
		k = i % 200
		body = sprintf("pkgname=p%d\npkgver=%d\npkgrel=1\narch=(any)\npackage() { :; }\n", k, int(i / 200) + 1)
		printf "commit refs/heads/main\ncommitter b <b@example.org> %d +0000\ndata 2\nc\n", 1600000000 + i
		printf "M 100644 inline r%d/p%d/PKGBUILD\ndata %d\n%s\n", k % 10, k, length(body), body
	}
}' | git -C "$W/src.git" fast-import --quiet || exit 1
gen=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "generated $n commits in ${gen}s ($(du -sh "$W/src.git" | cut -f1))"

port=
for p in 19418 29418 39418 49418; do
	git daemon --base-path="$W" --export-all --reuseaddr --listen=127.0.0.1 \
		--port=$p "$W" >/dev/null 2>&1 &
	daemon=$!
	sleep 1
	if kill -0 $daemon 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no port for git daemon" >&2; exit 1; }

status=0
one() { # one LABEL URL
	local label=$1 url=$2 ours theirs ratio ok
	rm -rf "$W/state" "$W/mirror.git"
	mkdir -p "$W/state"
	printf '[master]\nstate_dir = %s/state\nrepo_dir = %s/repos\narch = x86_64\n\n[source big]\nurl = %s\nbranch = main\nlayout = repo/pkgbase\n\n[repository core]\nstaging = core-staging\ntesting = core-testing\n' \
		"$W" "$W" "$url" >"$W/master.conf"
	secs theirs git clone -q --mirror "$url" "$W/mirror.git"
	secs ours "$bin/get-package-updates" -q -c "$W/master.conf"
	ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')
	ok=$(awk -v r="$ratio" 'BEGIN { print (r <= 2) ? "ok" : "MISSED" }')
	[ "$ok" = ok ] || status=1
	printf '%-24s git clone --mirror %7.3f s   get-package-updates %7.3f s   %5sx (target <= 2x: %s)\n' \
		"$label" "$theirs" "$ours" "$ratio" "$ok"
}
one "local path" "$W/src.git"
one "git:// on 127.0.0.1" "git://127.0.0.1:$port/src.git"
exit $status
