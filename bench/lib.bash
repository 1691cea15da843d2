# bench/lib.bash: the timing that the benchmark scripts share. Sourced, not
# run (bench/run runs bench/*.sh only), after the script has made its
# scratch directory W:
#   timed VAR CMD...             VAR = seconds CMD took; its output is
#                                discarded, a failure prints its stderr
#                                and exits 1
#   median X...                  the median of the numbers
#   median_of VAR N PREP CMD...  N times: PREP (untimed: puts back what CMD
#                                changes; : for nothing), then CMD timed;
#                                VAR = the median
#   ratio WHAT THEM THEIR-S US OUR-S TARGET
#                                one line: their time / ours, against the
#                                target (at least TARGET times faster);
#                                status becomes 1 if it is missed
# The script ends with `exit $status`.
status=0

timed() {
	local var=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$W/stderr" || { echo "failed: $*" >&2; cat "$W/stderr" >&2; exit 1; }
	t1=$EPOCHREALTIME
	printf -v "$var" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

median_of() {
	local var=$1 n=$2 prep=$3 i t runs=()
	shift 3
	for ((i = 0; i < n; i++)); do
		$prep
		timed t "$@"
		runs+=("$t")
	done
	printf -v "$var" '%s' "$(median "${runs[@]}")"
}

ratio() {
	local r ok
	r=$(awk -v a="$3" -v b="$5" 'BEGIN { printf "%.1f", a / b }')
	ok=$(awk -v r="$r" -v t="$6" 'BEGIN { print (r >= t) ? "ok" : "MISSED" }')
	[ "$ok" = ok ] || status=1
	printf '%-44s %s %8.3f s   %s %7.3f s   %6.1fx faster (target >= %sx: %s)\n' \
		"$1" "$2" "$3" "$4" "$5" "$r" "$6" "$ok"
}
