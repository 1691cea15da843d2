# A database through its life: created, grown, shrunk, signed and unsigned;
# the .db/.files links, the .old rotation, never a stale .sig; unchanged
# entries carried over byte for byte without reading their packages;
# check, list, zstd; concurrent writers serialize on the lock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"

fpr=$(gpg_key packager "$T/keys")
[ -n "$fpr" ] || { not_ok "make the test key"; exit 1; }
R=$T/repo
mkdir -p "$R"
mk() { # mk NAME VERSION [DIR]: a hand-made, signed package
	local f=$1-$2-x86_64.pkg.tar.zst
	hand_pkg "${3:-$R}" "$f" "pkgname = $1
pkgbase = $1
pkgver = $2
pkgdesc = package $1
builddate = 1700000000
packager = T <t@example.org>
size = 5
arch = x86_64
depend = glibc"
	sign_file "$T/keys" "$fpr" "${3:-$R}/$f"
}
db=$R/life.db.tar.gz
for p in alpha beta gamma; do mk $p 1-1; done

run "$BIN/repo-db" -q -k "$fpr" -g "$T/keys" add "$db" "$R"/alpha-1-1-x86_64.pkg.tar.zst "$R"/beta-1-1-x86_64.pkg.tar.zst
expect "create a signed database with two packages" 0
if [ "$(readlink "$R/life.db")" = life.db.tar.gz ] && [ "$(readlink "$R/life.files")" = life.files.tar.gz ] &&
	[ "$(readlink "$R/life.db.sig")" = life.db.tar.gz.sig ] && [ "$(readlink "$R/life.files.sig")" = life.files.tar.gz.sig ] &&
	[ ! -e "$R/life.db.tar.gz.old" ]; then
	ok "the .db and .files links and their .sig links are there, no .old yet"
else
	not_ok "the .db and .files links and their .sig links are there, no .old yet" "$(ls -l "$R")"
fi
if gpg --homedir "$T/keys" --verify "$R/life.db.sig" "$R/life.db" 2>/dev/null &&
	gpg --homedir "$T/keys" --verify "$R/life.files.sig" "$R/life.files" 2>/dev/null; then
	ok "gpg verifies both database signatures"
else
	not_ok "gpg verifies both database signatures"
fi
if [ "$(gzip -dc "$db" | head -c 512 | tail -c +258 | head -c 5)" = ustar ] && gzip -t "$db"; then ok "the database is a gzipped tar"; else not_ok "the database is a gzipped tar"; fi
run "$BIN/repo-db" list "$db"
if [ "$out" = "alpha 1-1
beta 1-1" ]; then ok "list prints name and version"; else not_ok "list prints name and version" "$out"; fi

cp "$db" "$T/db1"
cp "$R/life.db.tar.gz.sig" "$T/db1.sig"
entries "$R/life.files.tar.gz" "$T/x1"
# adding one package reads that package only: the others' files are gone
mv "$R"/alpha-1-1-x86_64.pkg.tar.zst "$R"/beta-1-1-x86_64.pkg.tar.zst "$T/"
run "$BIN/repo-db" -q add "$db" "$R"/gamma-1-1-x86_64.pkg.tar.zst
expect "add one package unsigned while the other package files are away" 0
mv "$T"/alpha-1-1-x86_64.pkg.tar.zst "$T"/beta-1-1-x86_64.pkg.tar.zst "$R/"
entries "$R/life.files.tar.gz" "$T/x2"
if cmp -s "$T/x1/alpha-1-1/desc" "$T/x2/alpha-1-1/desc" && cmp -s "$T/x1/alpha-1-1/files" "$T/x2/alpha-1-1/files" &&
	cmp -s "$T/x1/beta-1-1/desc" "$T/x2/beta-1-1/desc" && cmp -s "$T/x1/beta-1-1/files" "$T/x2/beta-1-1/files" &&
	[ -f "$T/x2/gamma-1-1/files" ]; then
	ok "unchanged entries are carried over byte for byte"
else
	not_ok "unchanged entries are carried over byte for byte"
fi
if [ ! -e "$R/life.db.tar.gz.sig" ] && [ ! -e "$R/life.db.sig" ] && [ ! -e "$R/life.files.tar.gz.sig" ] &&
	[ ! -e "$R/life.files.sig" ]; then
	ok "an unsigned write leaves no signature of the old database"
else
	not_ok "an unsigned write leaves no signature of the old database" "$(ls -l "$R")"
fi
if cmp -s "$T/db1" "$R/life.db.tar.gz.old" && cmp -s "$T/db1.sig" "$R/life.db.tar.gz.old.sig"; then
	ok "the old database and its signature are kept as .old and .old.sig"
else
	not_ok "the old database and its signature are kept as .old and .old.sig"
fi

mk alpha 2-1
run "$BIN/repo-db" -q add "$db" "$R"/alpha-2-1-x86_64.pkg.tar.zst
expect "a new version replaces the entry" 0
run "$BIN/repo-db" list "$db"
if [ "$out" = "alpha 2-1
beta 1-1
gamma 1-1" ]; then ok "the database holds the new version only"; else not_ok "the database holds the new version only" "$out"; fi
if [ ! -e "$R/life.db.tar.gz.old.sig" ]; then ok "a stale .old.sig goes too"; else not_ok "a stale .old.sig goes too"; fi

run "$BIN/repo-db" check "$db"
if [ "$rc" -eq 3 ] && [ "$(sort <<<"$out")" = "'alpha-1-1-x86_64.pkg.tar.zst' is beside the database but not in it
'alpha-1-1-x86_64.pkg.tar.zst.sig' is beside the database but not in it" ]; then
	ok "check names the package file no entry names"
else
	not_ok "check names the package file no entry names" "rc=$rc" "$out" "$err"
fi
rm "$R"/alpha-1-1-*
run "$BIN/repo-db" -s check "$db"
expect "check with sums finds nothing else" 0
cp "$R/beta-1-1-x86_64.pkg.tar.zst.sig" "$T/beta.sig"
cp "$R/gamma-1-1-x86_64.pkg.tar.zst.sig" "$R/beta-1-1-x86_64.pkg.tar.zst.sig"
mv "$R/gamma-1-1-x86_64.pkg.tar.zst" "$T/"
ln -sf life.db.tar.gz.old "$R/life.db"
run "$BIN/repo-db" check "$db"
if [ "$rc" -eq 3 ] && grep -q "'beta-1-1-x86_64.pkg.tar.zst.sig' differs from the %PGPSIG% of its entry" <<<"$out" &&
	grep -q "'gamma-1-1-x86_64.pkg.tar.zst' is missing" <<<"$out" &&
	grep -q "life.db' does not lead to '.*life.db.tar.gz'" <<<"$out"; then
	ok "check finds a changed signature, a missing package and a wrong link"
else
	not_ok "check finds a changed signature, a missing package and a wrong link" "rc=$rc" "$out"
fi
mv "$T/beta.sig" "$R/beta-1-1-x86_64.pkg.tar.zst.sig"
mv "$T/gamma-1-1-x86_64.pkg.tar.zst" "$R/"
ln -sf life.db.tar.gz "$R/life.db"

before=$(tree_digest "$R")
run "$BIN/repo-db" remove "$db" beta nosuch
expect "removing a name that is not there fails" 1 "cannot remove 'nosuch': not in 'life.db'"
if [ "$before" = "$(tree_digest "$R")" ]; then ok "and changes nothing, not even beta"; else not_ok "and changes nothing, not even beta"; fi
run "$BIN/repo-db" remove "$db" 'bad/name'
expect "a bad pkgname is refused" 1 "invalid pkgname"
run "$BIN/repo-db" -q remove "$db" beta gamma
expect "remove two entries" 0
run "$BIN/repo-db" list "$db"
if [ "$out" = "alpha 2-1" ]; then ok "one entry is left"; else not_ok "one entry is left" "$out"; fi
run "$BIN/repo-db" -q remove "$db" alpha
expect "remove the last entry" 0
run "$BIN/repo-db" list "$db"
if [ "$rc" -eq 0 ] && [ -z "$out" ] && [ "$(bsdtar -tf "$db" | wc -l)" -eq 0 ]; then
	ok "an empty database is an empty archive"
else
	not_ok "an empty database is an empty archive" "$out"
fi

# zstd by choice
mkdir -p "$T/z"
mk alpha 2-1 "$T/z"
run "$BIN/repo-db" -q add "$T/z/zz.db.tar.zst" "$T/z/alpha-2-1-x86_64.pkg.tar.zst"
expect "a .db.tar.zst database" 0
if [ "$(head -c 4 "$T/z/zz.db.tar.zst" | od -An -tx1 | tr -d ' ')" = 28b52ffd ] &&
	[ "$(readlink "$T/z/zz.db")" = zz.db.tar.zst ] && zstd -t -q "$T/z/zz.files.tar.zst"; then
	ok "is written with zstd and linked"
else
	not_ok "is written with zstd and linked" "$(ls -l "$T/z")"
fi
run "$BIN/repo-db" add "$T/z/zz.db.tar.lz4" "$T/z/alpha-2-1-x86_64.pkg.tar.zst"
expect "an unknown compression is refused" 1 "must end in"

# concurrent writers serialize: 3 x 8 adds at once, all end up in the database
mkdir -p "$T/c"
for i in $(seq 1 24); do mk "p$i" 1-1 "$T/c"; done
for w in 0 1 2; do
	(for i in $(seq $((w * 8 + 1)) $((w * 8 + 8))); do
		"$BIN/repo-db" -q add "$T/c/con.db.tar.gz" "$T/c/p$i-1-1-x86_64.pkg.tar.zst" || echo "fail $i"
	done) >"$T/c.$w.log" 2>&1 &
done
wait
n=$("$BIN/repo-db" list "$T/c/con.db.tar.gz" | wc -l)
if [ "$n" -eq 24 ] && ! grep -q . "$T"/c.?.log; then
	ok "24 concurrent adds from 3 writers are all in the database"
else
	not_ok "24 concurrent adds from 3 writers are all in the database" "entries: $n" "$(cat "$T"/c.?.log)"
fi
if ! ls "$T/c" | grep -q '\.tmp\.' && [ ! -e "$T/c/con.db.journal" ]; then
	ok "no temporary files or journal are left"
else
	not_ok "no temporary files or journal are left" "$(ls "$T/c")"
fi
run "$BIN/repo-db" check "$T/c/con.db.tar.gz"
expect "and the database checks clean" 0

# on a master: a database in repo_dir takes package-db.lock and signs with
# repo_key; packages lie in the pool, linked into <repo>/os/<arch>/
M=$T/master
mkdir -p "$M/state" "$M/repos/pool" "$M/repos/core/os/x86_64"
cat >"$M/master.conf" <<CONF
[master]
state_dir = state
repo_dir = repos
arch = x86_64
repo_key = $fpr
gnupg_home = $T/keys
CONF
mk pooled 1-1 "$M/repos/pool"
ln -s ../../../pool/pooled-1-1-x86_64.pkg.tar.zst "$M/repos/core/os/x86_64/"
ln -s ../../../pool/pooled-1-1-x86_64.pkg.tar.zst.sig "$M/repos/core/os/x86_64/"
run "$BIN/repo-db" -q -c "$M/master.conf" add "$M/repos/core/os/x86_64/core.db.tar.gz" \
	"$M/repos/core/os/x86_64/pooled-1-1-x86_64.pkg.tar.zst"
expect "a master's database takes a pool package through its link" 0
if [ -f "$M/state/locks/package-db.lock" ] && [ ! -e "$M/repos/core/os/x86_64/core.db.lock" ] &&
	gpg --homedir "$T/keys" --verify "$M/repos/core/os/x86_64/core.db.sig" \
		"$M/repos/core/os/x86_64/core.db" 2>/dev/null; then
	ok "it locks package-db.lock and signs with repo_key"
else
	not_ok "it locks package-db.lock and signs with repo_key" "$(ls -lR "$M")"
fi
run "$BIN/repo-db" -c "$M/master.conf" check "$M/repos/core/os/x86_64/core.db.tar.gz"
expect "and checks clean, links followed, signature by repo_key" 0
