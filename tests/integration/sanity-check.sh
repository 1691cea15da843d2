# sanity-check on the master of ops-lib.bash farm_setup: sane as made by
# the real programs; then each invariant broken on purpose is named, the
# master is marked not sane (get-assignment and return-assignment refuse,
# saying why and how to clear it), --repair fixes what is safe and never
# deletes a package file, and a clean run clears the mark.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"
. "$(dirname "$0")/proto-lib.bash"
. "$(dirname "$0")/ops-lib.bash"

if farm_setup 2>"$T/setup.err"; then ok "a master in every state, made by the real programs"
else not_ok "a master in every state, made by the real programs" "$(cat "$T/setup.err")"; exit 1; fi
S=$M/state/package-states
R=$M/repos
X=$R/extra-staging/os/x86_64
PLAIN=plain-1.0-1-x86_64.pkg.tar.zst

run "$BIN/sanity-check"
if [ "$rc" -eq 0 ] && [ -z "$out" ] && [ ! -e "$M/state/not-sane" ]; then ok "a master made by the programs is sane"; else not_ok "a master made by the programs is sane" "rc=$rc" "$out" "$err"; fi

# violates NAME REGEX: sanity-check exits 1 and prints a violation matching REGEX
violates() {
	run "$BIN/sanity-check"
	if [ "$rc" -eq 1 ] && grep -qE -- "^violation: $2" <<<"$out"; then ok "$1"; else not_ok "$1" "rc=$rc" "$out" "$err"; fi
}
# repaired NAME REGEX: --repair says it fixed REGEX and leaves the master sane
repaired() {
	run "$BIN/sanity-check" --repair
	if [ "$rc" -eq 0 ] && grep -qE -- "^repaired: $2" <<<"$out" && ! grep -q "^violation" <<<"$out"; then ok "$1"; else not_ok "$1" "rc=$rc" "$out" "$err"; fi
}

# --- state files that name ids elsewhere ---
echo "alpha 1 1 assigned" >"$S/gone.$C1.$C2.extra.locked"
violates "a lease of an id off the build list" "state file 'gone\.$C1\.$C2\.extra\.locked' names an id that is not on the build list"
repaired "... is removed by --repair" "removed the orphaned state file 'gone\.$C1\.$C2\.extra\.locked'"
echo "ghost-1-1-x86_64.pkg.tar.zst" >"$S/anyone.$C3.$C2.extra.tested"
violates "tested without testing" "state file 'anyone\.$C3\.$C2\.extra\.tested' names an id that is not on the build list \(or, for tested/faulty, not in testing\)"
repaired "... is removed by --repair" "removed the orphaned state file 'anyone\.$C3\.$C2\.extra\.tested'"
echo "nothere-1-1-x86_64.pkg.tar.zst" >"$S/nothere.$C1.$C2.extra.done"
violates "done naming a package not in staging" "state file 'nothere\.$C1\.$C2\.extra\.done' names 'nothere-1-1-x86_64\.pkg\.tar\.zst', which is not in 'extra-staging'"
repaired "... is removed by --repair" "removed the orphaned state file 'nothere\.$C1\.$C2\.extra\.done'"
echo "alpha 1 1 assigned" >"$S/lib.$C1.$C2.extra.locked.tmp.AbCdEf"
touch -d '2 hours ago' "$S/lib.$C1.$C2.extra.locked.tmp.AbCdEf"
echo fresh >"$M/state/build-list.tmp.XyZ123"
violates "a stale temp file" "'$S/lib\.$C1\.$C2\.extra\.locked\.tmp\.AbCdEf' is a temp file left by an interrupted write"
if ! grep -q "build-list.tmp.XyZ123" <<<"$out"; then ok "a fresh temp file (a write in progress) is not a violation"; else not_ok "a fresh temp file (a write in progress) is not a violation" "$out"; fi
repaired "... is removed by --repair" "removed '$S/lib\.$C1\.$C2\.extra\.locked\.tmp\.AbCdEf'"
[ -e "$M/state/build-list.tmp.XyZ123" ] && ok "... and the fresh one is left alone" || not_ok "... and the fresh one is left alone"
rm -f "$M/state/build-list.tmp.XyZ123"
mkdir -p "$R/.upload-QwErTy"
cp "$T/pkgs/$PLAIN" "$R/.upload-QwErTy/"
touch -d '2 hours ago' "$R/.upload-QwErTy"
violates "an upload directory a killed return-assignment left" "'$R/\.upload-QwErTy' is a temp file"
repaired "... is removed by --repair" "removed '$R/\.upload-QwErTy', left by an interrupted upload"

# --- the build list and build-meta ---
echo "stray extra upstream extra/stray - 1-1 stray -" >>"$M/state/build-meta"
violates "build-meta without a build-list entry" "build-meta has 'stray' in 'extra', which is not on the build list"
[ -e "$M/state/not-sane" ] && ok "the master is marked not sane" || not_ok "the master is marked not sane"
run sc alpha get-assignment
expect "not sane: get-assignment refuses (exit 2), says why and how to clear it" 2 "marked not sane since .*build-meta has 'stray'.*run 'sanity-check'"
run sc_in /dev/null alpha "return-assignment longdesc $C1 $C2 extra"
expect "not sane: return-assignment refuses (exit 1: the slave keeps its upload)" 1 "marked not sane since"
run "$BIN/why-dont-you" build lib
if grep -q "the master is marked not sane" <<<"$out"; then ok "why-dont-you says the master is not sane"; else not_ok "why-dont-you says the master is not sane" "$out"; fi
run "$BIN/build-master-status"
if grep -q "^NOT SANE since" <<<"$out"; then ok "build-master-status says so"; else not_ok "build-master-status says so" "$out"; fi
run "$BIN/sanity-check" --repair
if [ "$rc" -eq 1 ] && [ -e "$M/state/not-sane" ]; then ok "--repair does not touch build-meta; still not sane"; else not_ok "--repair does not touch build-meta; still not sane" "rc=$rc" "$out"; fi
sed -i '/^stray /d' "$M/state/build-meta"
run "$BIN/sanity-check"
if [ "$rc" -eq 0 ] && [ ! -e "$M/state/not-sane" ]; then ok "fixed by hand: a clean run clears the mark"; else not_ok "fixed by hand: a clean run clears the mark" "rc=$rc" "$out"; fi
run sc alpha get-assignment
expect "get-assignment hands out again" 0

# --- repositories and the pool ---
rm "$X/$PLAIN" "$X/$PLAIN.sig"
violates "a link a database names is missing" "'extra-staging': .*$PLAIN"
repaired "... is linked again by --repair" "linked 'extra-staging/os/x86_64/$PLAIN' to the pool again"
if [ "$(readlink "$X/$PLAIN")" = "../../../pool/$PLAIN" ] && [ -L "$X/$PLAIN.sig" ]; then ok "... both package and signature"; else not_ok "... both package and signature" "$(ls -l "$X")"; fi
cp "$R/pool/$PLAIN" "$X/plain-9-1-x86_64.pkg.tar.zst"
violates "a package file no entry names" "'extra-staging': .*plain-9-1-x86_64\.pkg\.tar\.zst"
violates "... and not a link into the pool" "'extra-staging': 'plain-9-1-x86_64\.pkg\.tar\.zst' is not a link into the pool"
run "$BIN/sanity-check" --repair
if [ "$rc" -eq 1 ] && [ -f "$X/plain-9-1-x86_64.pkg.tar.zst" ]; then ok "--repair never deletes a package file"; else not_ok "--repair never deletes a package file" "rc=$rc" "$out"; fi
rm "$X/plain-9-1-x86_64.pkg.tar.zst"
cp "$R/pool/$PLAIN" "$R/pool/lost-1-1-x86_64.pkg.tar.zst"
violates "a pool file without its signature" "pool file 'lost-1-1-x86_64\.pkg\.tar\.zst' has no signature"
violates "a pool file in no repository" "pool file 'lost-1-1-x86_64\.pkg\.tar\.zst' is in no repository"
rm "$R/pool/lost-1-1-x86_64.pkg.tar.zst"
cp "$R/pool/$PLAIN" "$T/plain.keep"
printf 'x' >>"$R/pool/$PLAIN"
violates "a package that differs from its entry" "'extra-staging': .*$PLAIN"
run "$BIN/sanity-check" --repair
if [ "$rc" -eq 1 ] && [ -f "$R/pool/$PLAIN" ] && grep -q "$PLAIN" <<<"$out"; then ok "--repair keeps a corrupt package a database names (for the admin)"; else not_ok "--repair keeps a corrupt package a database names (for the admin)" "rc=$rc" "$out"; fi
cp "$T/plain.keep" "$R/pool/$PLAIN"
sig=$(ls "$R/extra/os/x86_64/extra.db.tar.gz.sig" 2>/dev/null)
if [ -n "$sig" ]; then
	cp "$sig" "$T/sig.keep"
	printf 'garbage' >"$T/garbage.sig"
	rm "$sig"; cp "$T/garbage.sig" "$sig"
	violates "a database signature that does not verify" "'extra': "
	rm "$sig"; cp "$T/sig.keep" "$sig"
else not_ok "the stable database is signed"; fi

# --- leases ---
sed -i "s/^alpha /intruder /" "$S/longdesc.$C1.$C2.extra.locked"
violates "a lease held by an unknown slave" "'longdesc\.$C1\.$C2\.extra' is locked by slave 'intruder', which has no \[slave\] section"
sed -i "s/^intruder /alpha /" "$S/longdesc.$C1.$C2.extra.locked"

# --- hostile: a symbolic link named like a temp file is never followed or removed ---
ln -s "$R/pool/$PLAIN" "$M/state/evil.tmp.000000"
touch -h -d '2 hours ago' "$M/state/evil.tmp.000000"
run "$BIN/sanity-check" --repair
if [ -f "$R/pool/$PLAIN" ] && cmp -s "$R/pool/$PLAIN" "$T/plain.keep"; then ok "a temp-named symlink: its target is untouched"; else not_ok "a temp-named symlink: its target is untouched" "$out"; fi
rm -f "$M/state/evil.tmp.000000"
run "$BIN/sanity-check"
if [ "$rc" -eq 0 ] && [ ! -e "$M/state/not-sane" ]; then ok "sane again at the end"; else not_ok "sane again at the end" "rc=$rc" "$out" "$err"; fi
