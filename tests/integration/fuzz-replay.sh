# Every fuzz target (tests/fuzz) runs once over each input of its corpus in
# tests/fuzz/corpus/: the seeds and every input that once crashed it. No
# new inputs are made here; `make fuzz` does that.
. "$(dirname "$0")/lib.sh"

F=$SLIPWAY_TOP/build/fuzz/fuzz
n=0
for t in "$F"/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	c=$SLIPWAY_TOP/tests/fuzz/corpus/${name#fuzz_}
	n=$((n + 1))
	if [ ! -d "$c" ] || [ -z "$(ls -A "$c")" ]; then
		not_ok "$name: has a corpus" "no inputs in $c"
		continue
	fi
	if out=$(ASAN_OPTIONS=detect_leaks=1 "$t" "$c"/* 2>&1); then
		ok "$name: replays $(ls "$c" | wc -l) inputs"
	else
		not_ok "$name: replays its corpus" "$(tail -30 <<<"$out")"
	fi
done
if [ $n -lt 8 ]; then
	not_ok "fuzz targets are built" "found $n in $F; make check builds them with FUZZ=1"
fi
