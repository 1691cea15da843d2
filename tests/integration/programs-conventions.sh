# Every program: -h and -V exit 0 on stdout, an unknown option exits
# non-zero with a message naming it, and a man page is built for it.
. "$(dirname "$0")/lib.sh"

progs=$(ls "$TOP"/src/cmd/*.c 2>/dev/null | sed 's|.*/||; s|\.c$||')
built=$(find "$BIN" -maxdepth 1 -type f -perm -u+x -printf '%f\n' 2>/dev/null | sort)
if [ -n "$progs" ]; then ok "src/cmd has programs"; else not_ok "src/cmd has programs" "none in $TOP/src/cmd"; fi
if [ -n "$built" ] && [ "$built" = "$(printf '%s\n' $progs | sort)" ]; then
	ok "$BIN holds exactly the programs of src/cmd"
else
	not_ok "$BIN holds exactly the programs of src/cmd" "built: $(echo $built)" "src/cmd: $(echo $progs)"
fi
for p in $progs; do
	run "$BIN/$p" -h
	if [ "$rc" -eq 0 ] && grep -q "^[Uu]sage: $p" <<<"$out"; then ok "$p -h prints its usage"; else not_ok "$p -h prints its usage" "rc=$rc" "$out" "$err"; fi
	run "$BIN/$p" --help
	expect "$p --help exits 0" 0
	run "$BIN/$p" -V
	if [ "$rc" -eq 0 ] && grep -qE "^$p \(slipway\) [0-9]" <<<"$out"; then ok "$p -V prints its version"; else not_ok "$p -V prints its version" "rc=$rc" "$out"; fi
	run "$BIN/$p" --no-such-option
	if [ "$rc" -ne 0 ] && grep -q -- "--no-such-option" <<<"$err"; then ok "$p refuses an unknown option by name"; else not_ok "$p refuses an unknown option by name" "rc=$rc" "$err"; fi
	if ls "$TOP"/doc/"$p".[18].scd >/dev/null 2>&1; then ok "$p has a man page"; else not_ok "$p has a man page"; fi
done
