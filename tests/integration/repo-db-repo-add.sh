# repo-db writes what repo-add writes: real packages from makepkg, signed
# with a test key, go into one database with repo-add and into another with
# repo-db; every desc and files entry must be equal field by field. Then a
# real pacman installs from the repo-db database over file:// with
# SigLevel = Required, and refuses the database once its signature is gone
# or made by a key it does not trust.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"

fpr=$(gpg_key packager "$T/keys")
other=$(gpg_key stranger "$T/other")
if [ -z "$fpr" ] || [ -z "$other" ]; then
	not_ok "make the test keys"
	exit 1
fi
if build_fixtures "$T/pkgs" plain epochy anyone splitbase rich longdesc; then
	ok "makepkg builds the fixture packages"
else
	not_ok "makepkg builds the fixture packages"
	exit 1
fi
# makepkg squeezes pkgdesc itself; this one keeps raw blanks for repo-add to squeeze
hand_pkg "$T/pkgs" blanks-1-1-x86_64.pkg.tar.zst "pkgname = blanks
pkgbase = blanks
pkgver = 1-1
pkgdesc =   runs   of	blanks,  tabs		and trailing  
url = https://example.org/
builddate = 1700000000
packager = Hand <hand@example.org>
size = 5
arch = x86_64
license = MIT
optdepend = a:   b	c
"
for f in "$T"/pkgs/*.pkg.tar.*; do
	sign_file "$T/keys" "$fpr" "$f"
done
mkdir "$T/ra" "$T/rd"
cp "$T"/pkgs/* "$T/ra/"
cp "$T"/pkgs/* "$T/rd/"

(cd "$T/ra" && repo-add -q test.db.tar.gz ./*.pkg.tar.zst) >"$T/repo-add.log" 2>&1
check "repo-add builds the reference database" test -s "$T/ra/test.files.tar.gz"
run "$BIN/repo-db" -q -k "$fpr" -g "$T/keys" add "$T/rd/test.db.tar.gz" "$T"/rd/*.pkg.tar.zst
expect "repo-db adds the same packages and signs the databases" 0

# fields FILE: one line per %FIELD%: "FIELD: v1 | v2 ...", for a readable diff
fields() {
	awk '/^%.*%$/ { if (f) print f ": " v; f = $0; v = ""; next }
		/^$/ { next }
		{ v = v (v == "" ? "" : " | ") $0 }
		END { if (f) print f ": " v }' "$1"
}

entries "$T/ra/test.db.tar.gz" "$T/xa/db"
entries "$T/rd/test.db.tar.gz" "$T/xd/db"
entries "$T/ra/test.files.tar.gz" "$T/xa/files"
entries "$T/rd/test.files.tar.gz" "$T/xd/files"
want="anyone-0.5-2 blanks-1-1 epochy-3:2.1-4 longdesc-1-1 plain-1.0-1 rich-4.2.1-3 split-a-7.0-1 split-b-7.0-1"
got=$(cd "$T/xd/db" && echo *)
if [ "$got" = "$want" ]; then ok "repo-db's database holds all 8 entries"; else not_ok "repo-db's database holds all 8 entries" "got: $got"; fi
if (cd "$T/xa" && find . | sort) | cmp -s - <(cd "$T/xd" && find . | sort); then
	ok "both databases hold the same directories and files"
else
	not_ok "both databases hold the same directories and files" \
		"$(diff <(cd "$T/xa" && find . | sort) <(cd "$T/xd" && find . | sort))"
fi
for e in $want; do
	for k in db/$e/desc files/$e/desc files/$e/files; do
		if cmp -s "$T/xa/$k" "$T/xd/$k"; then
			ok "$k equals repo-add's"
		else
			not_ok "$k equals repo-add's" "$(diff <(fields "$T/xa/$k") <(fields "$T/xd/$k"))"
		fi
	done
done
if grep -qx 'runs of blanks, tabs and trailing' "$T/xd/db/blanks-1-1/desc" &&
	grep -q '^%PGPSIG%$' "$T/xd/db/rich-4.2.1-3/desc"; then
	ok "blanks are squeezed and signatures embedded as repo-add does"
else
	not_ok "blanks are squeezed and signatures embedded as repo-add does" "$(cat "$T/xd/db/blanks-1-1/desc")"
fi

# a real pacman on a scratch root, trusting only the packager key
if pacman_setup "$T/pac" test "$T/rd" "$fpr" "$T/keys"; then ok "scratch pacman set up"; else not_ok "scratch pacman set up"; exit 1; fi
run scratch_pacman "$T/pac" -Sy
expect "pacman -Sy accepts the signed database" 0
run scratch_pacman "$T/pac" -Sl test
want_sl="test anyone 0.5-2
test blanks 1-1
test epochy 3:2.1-4
test longdesc 1-1
test plain 1.0-1
test rich 4.2.1-3
test split-a 7.0-1
test split-b 7.0-1"
if [ "$rc" -eq 0 ] && [ "$(sort <<<"$out")" = "$want_sl" ]; then ok "pacman -Sl lists every package"; else not_ok "pacman -Sl lists every package" "$out" "$err"; fi
run scratch_pacman "$T/pac" -Si rich
if [ "$rc" -eq 0 ] && grep -q 'Depends On *: glibc  bash>=5.0  zlib' <<<"$out" &&
	grep -q 'python: for the python bindings' <<<"$out" &&
	grep -q 'Provides *: librich.so=1-64  rich-api=4' <<<"$out" &&
	grep -q 'Replaces *: rich-old' <<<"$out" &&
	grep -q 'Conflicts With *: rich-git  poor<2' <<<"$out" &&
	grep -q 'Groups *: rich-group  base-rich' <<<"$out" &&
	grep -q 'Validated By *: MD5 Sum  SHA-256 Sum  Signature' <<<"$out"; then
	ok "pacman -Si shows the relations and what validates the package"
else
	not_ok "pacman -Si shows the relations and what validates the package" "$out" "$err"
fi
run scratch_pacman "$T/pac" -S plain epochy anyone split-a split-b longdesc blanks
expect "pacman -S installs signed packages from the database" 0
run scratch_pacman "$T/pac" -Sdd rich
expect "pacman -S installs the package with every relation" 0
if [ -x "$T/pac/root/usr/bin/plain" ] && [ -f "$T/pac/root/usr/lib/split/b" ] &&
	[ -f "$T/pac/root/usr/share/longdesc/file with spaces" ] &&
	[ -L "$T/pac/root/usr/bin/rich-link" ] &&
	scratch_pacman "$T/pac" -Qi epochy | grep -q 'Version *: 3:2.1-4'; then
	ok "the installed files are there"
else
	not_ok "the installed files are there" "$(cd "$T/pac/root" && find . | head -40)"
fi

# the database signature is checked: unsigned, then signed by a stranger
run "$BIN/repo-db" -q remove "$T/rd/test.db.tar.gz" blanks
expect "repo-db rewrites the database unsigned" 0
if [ ! -e "$T/rd/test.db.tar.gz.sig" ] && [ ! -e "$T/rd/test.db.sig" ] &&
	[ ! -e "$T/rd/test.files.tar.gz.sig" ] && [ ! -e "$T/rd/test.files.sig" ]; then
	ok "no signature of the old database is left beside the new one"
else
	not_ok "no signature of the old database is left beside the new one" "$(ls -l "$T/rd")"
fi
run scratch_pacman "$T/pac" -Syy
expect "pacman refuses the unsigned database" 1
run "$BIN/repo-db" -q -k "$other" -g "$T/other" remove "$T/rd/test.db.tar.gz" longdesc
expect "repo-db signs with another key" 0
run scratch_pacman "$T/pac" -Syy
expect "pacman refuses a database signed by an untrusted key" 1 "signature|key"
run "$BIN/repo-db" -q -k "$fpr" -g "$T/keys" remove "$T/rd/test.db.tar.gz" anyone
expect "repo-db signs with the packager key again" 0
run scratch_pacman "$T/pac" -Syy
expect "pacman accepts the database again" 0
run scratch_pacman "$T/pac" -Sl test
if ! grep -qE 'anyone|longdesc|blanks' <<<"$out" && grep -q 'test rich' <<<"$out"; then ok "pacman sees the removals"; else not_ok "pacman sees the removals" "$out"; fi
