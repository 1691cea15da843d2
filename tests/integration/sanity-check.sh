# sanity-check on the master of ops-lib.bash farm_setup: sane as made by
# the real programs; then each invariant broken on purpose is named, the
# master is marked not sane (get-assignment and return-assignment refuse,
# saying why and how to clear it), --repair fixes what is safe and never
# deletes a package file, and a clean run clears the mark. Breakages are
# made in batches: every run checks every database's signatures.
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

# has NAME PREFIX REGEX: the last run printed a line "PREFIX: REGEX"
has() {
	if grep -qE -- "^$2: $3" <<<"$out"; then ok "$1"; else not_ok "$1" "rc=$rc" "$out" "$err"; fi
}

# --- what --repair may fix ---
echo "alpha 1 1 assigned" >"$S/gone.$C1.$C2.extra.locked"
echo "ghost-1-1-x86_64.pkg.tar.zst" >"$S/anyone.$C3.$C2.extra.tested"
echo "nothere-1-1-x86_64.pkg.tar.zst" >"$S/nothere.$C1.$C2.extra.done"
echo "alpha 1 1 assigned" >"$S/lib.$C1.$C2.extra.locked.tmp.AbCdEf"
touch -d '2 hours ago' "$S/lib.$C1.$C2.extra.locked.tmp.AbCdEf"
echo fresh >"$M/state/build-list.tmp.XyZ123"
mkdir -p "$R/.upload-QwErTy"
cp "$R/pool/$PLAIN" "$R/.upload-QwErTy/"
touch -d '2 hours ago' "$R/.upload-QwErTy"
rm "$X/$PLAIN" "$X/$PLAIN.sig"
run "$BIN/sanity-check"
if [ "$rc" -eq 1 ]; then ok "violations: exit 1"; else not_ok "violations: exit 1" "rc=$rc" "$out" "$err"; fi
has "a lease of an id off the build list" violation "state file 'gone\.$C1\.$C2\.extra\.locked' names an id that is not on the build list"
has "tested without testing" violation "state file 'anyone\.$C3\.$C2\.extra\.tested' names an id that is not on the build list \(or, for tested/faulty, not in testing\)"
has "done naming a package not in staging" violation "state file 'nothere\.$C1\.$C2\.extra\.done' names 'nothere-1-1-x86_64\.pkg\.tar\.zst', which is not in 'extra-staging'"
has "a stale temp file" violation "'$S/lib\.$C1\.$C2\.extra\.locked\.tmp\.AbCdEf' is a temp file left by an interrupted write"
has "an upload directory a killed return-assignment left" violation "'$R/\.upload-QwErTy' is a temp file"
has "a link a database names is missing" violation "'extra-staging': .*$PLAIN"
if ! grep -q "build-list.tmp.XyZ123" <<<"$out"; then ok "a fresh temp file (a write in progress) is not a violation"; else not_ok "a fresh temp file (a write in progress) is not a violation" "$out"; fi
[ -e "$M/state/not-sane" ] && ok "the master is marked not sane" || not_ok "the master is marked not sane"
run "$BIN/sanity-check" --repair
if [ "$rc" -eq 0 ] && ! grep -q "^violation" <<<"$out" && [ ! -e "$M/state/not-sane" ]; then ok "--repair: all fixed, the mark cleared"; else not_ok "--repair: all fixed, the mark cleared" "rc=$rc" "$out" "$err"; fi
has "... the lease removed" repaired "removed the orphaned state file 'gone\.$C1\.$C2\.extra\.locked'"
has "... tested removed" repaired "removed the orphaned state file 'anyone\.$C3\.$C2\.extra\.tested'"
has "... done removed" repaired "removed the orphaned state file 'nothere\.$C1\.$C2\.extra\.done'"
has "... the temp file removed" repaired "removed '$S/lib\.$C1\.$C2\.extra\.locked\.tmp\.AbCdEf'"
has "... the upload directory removed" repaired "removed '$R/\.upload-QwErTy', left by an interrupted upload"
has "... the link made again" repaired "linked 'extra-staging/os/x86_64/$PLAIN' to the pool again"
if [ "$(readlink "$X/$PLAIN")" = "../../../pool/$PLAIN" ] && [ -L "$X/$PLAIN.sig" ]; then ok "... both package and signature"; else not_ok "... both package and signature" "$(ls -l "$X")"; fi
[ -e "$M/state/build-list.tmp.XyZ123" ] && ok "... and the fresh temp file is left alone" || not_ok "... and the fresh temp file is left alone"
rm -f "$M/state/build-list.tmp.XyZ123"

# --- what only the admin fixes; the gate while not sane ---
echo "stray extra upstream extra/stray - 1-1 stray -" >>"$M/state/build-meta"
sed -i "s/^alpha /intruder /" "$S/longdesc.$C1.$C2.extra.locked"
run "$BIN/sanity-check"
has "build-meta without a build-list entry" violation "build-meta has 'stray' in 'extra', which is not on the build list"
has "a lease held by an unknown slave" violation "'longdesc\.$C1\.$C2\.extra' is locked by slave 'intruder', which has no \[slave\] section"
run sc alpha get-assignment
expect "not sane: get-assignment refuses (exit 2), says why and how to clear it" 2 "marked not sane since .*(build-meta has 'stray'|locked by slave 'intruder').*\(and 1 more\).*run 'sanity-check'"
run sc_in /dev/null beta "return-assignment lib $C1 $C2 extra"
expect "not sane: return-assignment refuses (exit 1: the slave keeps its upload)" 1 "marked not sane since"
run "$BIN/why-dont-you" build lib
if grep -q "the master is marked not sane" <<<"$out"; then ok "why-dont-you says the master is not sane"; else not_ok "why-dont-you says the master is not sane" "$out"; fi
run "$BIN/build-master-status"
if grep -q "^NOT SANE since" <<<"$out"; then ok "build-master-status says so"; else not_ok "build-master-status says so" "$out"; fi
run "$BIN/sanity-check" --repair
if [ "$rc" -eq 1 ] && grep -q "stray" <<<"$out" && [ -e "$M/state/not-sane" ]; then ok "--repair leaves build-meta and leases alone; still not sane"; else not_ok "--repair leaves build-meta and leases alone; still not sane" "rc=$rc" "$out"; fi
sed -i '/^stray /d' "$M/state/build-meta"
sed -i "s/^intruder /alpha /" "$S/longdesc.$C1.$C2.extra.locked"
run "$BIN/sanity-check"
if [ "$rc" -eq 0 ] && [ ! -e "$M/state/not-sane" ]; then ok "fixed by hand: a clean run clears the mark"; else not_ok "fixed by hand: a clean run clears the mark" "rc=$rc" "$out"; fi
run sc beta get-assignment
expect "get-assignment hands out again" 0

# --- package files: named, never deleted ---
cp "$R/pool/$PLAIN" "$T/plain.keep"
cp "$R/pool/$PLAIN" "$X/plain-9-1-x86_64.pkg.tar.zst"
cp "$R/pool/$PLAIN" "$R/pool/lost-1-1-x86_64.pkg.tar.zst"
touch -d '15 days ago' "$R/pool/lost-1-1-x86_64.pkg.tar.zst"
# replaced 13 days ago: db-update keeps it for keep_days (14)
cp "$R/pool/$PLAIN" "$R/pool/kept-1-1-x86_64.pkg.tar.zst"
cp "$R/pool/$PLAIN.sig" "$R/pool/kept-1-1-x86_64.pkg.tar.zst.sig"
touch -d '13 days ago' "$R/pool/kept-1-1-x86_64.pkg.tar.zst"
printf 'x' >>"$R/pool/$PLAIN"
sig=$R/extra/os/x86_64/extra.db.tar.gz.sig
cp "$sig" "$T/sig.keep"
rm "$sig"
printf 'garbage' >"$sig"
run "$BIN/sanity-check" --repair
if [ "$rc" -eq 1 ]; then ok "package-file violations: --repair exits 1"; else not_ok "package-file violations: --repair exits 1" "rc=$rc" "$out" "$err"; fi
has "a package file no entry names" violation "'extra-staging': .*plain-9-1-x86_64\.pkg\.tar\.zst"
has "... and not a link into the pool" violation "'extra-staging': 'plain-9-1-x86_64\.pkg\.tar\.zst' is not a link into the pool"
has "a pool file without its signature" violation "pool file 'lost-1-1-x86_64\.pkg\.tar\.zst' has no signature"
has "a pool file in no repository" violation "pool file 'lost-1-1-x86_64\.pkg\.tar\.zst' is in no repository and older than keep_days \\(14\\)"
if ! grep -q "kept-1-1" <<<"$out$err"; then ok "a pool file in no repository for less than keep_days is no violation"; else not_ok "a pool file in no repository for less than keep_days is no violation" "$out" "$err"; fi
has "a package that differs from its entry" violation "'extra-staging': .*$PLAIN"
has "a database signature that does not verify" violation "'extra': .*extra\.db\.tar\.gz"
if [ -f "$X/plain-9-1-x86_64.pkg.tar.zst" ] && [ -f "$R/pool/lost-1-1-x86_64.pkg.tar.zst" ] && [ -f "$R/pool/$PLAIN" ]; then ok "--repair never deletes a package file"; else not_ok "--repair never deletes a package file" "$out"; fi
rm "$X/plain-9-1-x86_64.pkg.tar.zst" "$R/pool/lost-1-1-x86_64.pkg.tar.zst" "$sig" \
	"$R/pool/kept-1-1-x86_64.pkg.tar.zst" "$R/pool/kept-1-1-x86_64.pkg.tar.zst.sig"
cp "$T/plain.keep" "$R/pool/$PLAIN"
cp "$T/sig.keep" "$sig"

# --- hostile: a symbolic link named like a temp file is never followed or removed ---
ln -s "$R/pool/$PLAIN" "$M/state/evil.tmp.000000"
touch -h -d '2 hours ago' "$M/state/evil.tmp.000000"
run "$BIN/sanity-check" --repair
if [ -L "$M/state/evil.tmp.000000" ] && cmp -s "$R/pool/$PLAIN" "$T/plain.keep"; then ok "a temp-named symlink: left alone, its target untouched"; else not_ok "a temp-named symlink: left alone, its target untouched" "$out"; fi
rm -f "$M/state/evil.tmp.000000"

# --- the rebuild lists: a malformed line is named before a return trips on it ---
printf 'foo\n' >"$M/state/rebuild-triggers"
printf 'extra foo-git hourly 5\n' >"$M/state/schedules"
printf 'extra libfoo foo\n' >"$M/state/move-together"
run "$BIN/sanity-check"
if [ "$rc" -eq 1 ]; then ok "malformed rebuild lists: exit 1"; else not_ok "malformed rebuild lists: exit 1" "rc=$rc" "$out" "$err"; fi
for f in rebuild-triggers schedules move-together; do
	has "a malformed line of $f" violation ".*/$f:1: "
	rm "$M/state/$f"
done
printf 'foo bad id\n' >"$M/state/rebuilds"
run "$BIN/sanity-check"
if [ "$rc" -eq 10 ] && grep -q "/rebuilds:1: expected 5 fields" <<<"$err"; then ok "a malformed rebuilds: an error naming file and line"; else not_ok "a malformed rebuilds: an error naming file and line" "rc=$rc" "$out" "$err"; fi
rm "$M/state/rebuilds"
run "$BIN/sanity-check"
if [ "$rc" -eq 0 ] && [ ! -e "$M/state/not-sane" ]; then ok "sane again at the end"; else not_ok "sane again at the end" "rc=$rc" "$out" "$err"; fi
