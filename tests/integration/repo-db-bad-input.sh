# repo-db refuses bad packages and bad signatures with a clear message, and
# the database directory stays byte-identical: corrupt zstd, a truncated
# tar, no .PKGINFO, a broken .PKGINFO, a package that is not what its name
# says, a .sig by another key (known or unknown), an armored .sig and a
# 20 KiB .sig.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repo-lib.bash"

fpr=$(gpg_key packager "$T/keys")
other=$(gpg_key stranger "$T/other")
unknown=$(gpg_key unknown "$T/unknown")
if [ -z "$fpr" ] || [ -z "$other" ] || [ -z "$unknown" ]; then
	not_ok "make the test keys"
	exit 1
fi
# the packager's keyring knows the stranger's key, not the unknown one
gpg --homedir "$T/other" --export "$other" | gpg --homedir "$T/keys" --import 2>/dev/null

R=$T/repo
mkdir -p "$R"
info() { # info NAME VERSION
	printf 'pkgname = %s\npkgbase = %s\npkgver = %s\npkgdesc = test\nbuilddate = 1700000000\npackager = T <t@example.org>\nsize = 5\narch = x86_64\n' "$1" "$1" "$2"
}
hand_pkg "$R" good-1-1-x86_64.pkg.tar.zst "$(info good 1-1)"
sign_file "$T/keys" "$fpr" "$R/good-1-1-x86_64.pkg.tar.zst"
run "$BIN/repo-db" -q -k "$fpr" -g "$T/keys" -S "$fpr" add "$R/extra.db.tar.gz" \
	"$R/good-1-1-x86_64.pkg.tar.zst"
expect "a good signed package goes in" 0

# refused NAME FILE PATTERN: adding FILE fails with PATTERN, nothing changes
refused() {
	local name=$1 file=$2 pat=$3 before after
	before=$(tree_digest "$R")
	run "$BIN/repo-db" -k "$fpr" -g "$T/keys" -S "$fpr" add "$R/extra.db.tar.gz" "$R/$file"
	expect "$name is refused" 1 "$pat"
	after=$(tree_digest "$R")
	if [ "$before" = "$after" ]; then ok "$name: the repository is byte-identical"; else not_ok "$name: the repository is byte-identical"; fi
	rm -f "$R/$file" "$R/$file.sig"
}

# a package with 200 KiB of data, so that the damage falls into compressed data
big=$(mktemp -d "$T/big.XXXXXX")
info big 1-1 >"$big/.PKGINFO"
mkdir -p "$big/usr/share/big"
head -c 200000 /dev/urandom | base64 >"$big/usr/share/big/data"
(cd "$big" && bsdtar -cf - .PKGINFO usr) | zstd -q >"$R/big-1-1-x86_64.pkg.tar.zst"
printf 'garbage garbage garbage garbage' | dd of="$R/big-1-1-x86_64.pkg.tar.zst" bs=1 seek=40000 conv=notrunc 2>/dev/null
sign_file "$T/keys" "$fpr" "$R/big-1-1-x86_64.pkg.tar.zst"
refused "corrupt zstd" big-1-1-x86_64.pkg.tar.zst "cannot read '.*big-1-1-x86_64.pkg.tar.zst': corrupt or truncated archive"

(cd "$big" && bsdtar -cf - .PKGINFO usr) >"$T/whole.tar"
head -c $(( $(stat -c %s "$T/whole.tar") / 2 )) "$T/whole.tar" >"$R/cut-1-1-x86_64.pkg.tar"
sign_file "$T/keys" "$fpr" "$R/cut-1-1-x86_64.pkg.tar"
refused "a truncated tar" cut-1-1-x86_64.pkg.tar "cannot read '.*cut-1-1-x86_64.pkg.tar': corrupt or truncated archive: Truncated"

(cd "$big" && bsdtar -cf - usr) | zstd -q >"$R/noinfo-1-1-x86_64.pkg.tar.zst"
sign_file "$T/keys" "$fpr" "$R/noinfo-1-1-x86_64.pkg.tar.zst"
refused "a package without .PKGINFO" noinfo-1-1-x86_64.pkg.tar.zst "no .PKGINFO"

hand_pkg "$R" nokey-1-1-x86_64.pkg.tar.zst "$(info nokey 1-1; echo pkgdesc)"
sign_file "$T/keys" "$fpr" "$R/nokey-1-1-x86_64.pkg.tar.zst"
refused "a .PKGINFO key without a value" nokey-1-1-x86_64.pkg.tar.zst "key without a value"

d=$(mktemp -d "$T/nul.XXXXXX")
{ info nul 1-1; printf 'url = a\0b\n'; } >"$d/.PKGINFO"
(cd "$d" && bsdtar -cf - .PKGINFO) | zstd -q >"$R/nul-1-1-x86_64.pkg.tar.zst"
sign_file "$T/keys" "$fpr" "$R/nul-1-1-x86_64.pkg.tar.zst"
refused "a NUL byte in .PKGINFO" nul-1-1-x86_64.pkg.tar.zst "NUL byte"

hand_pkg "$R" long-1-1-x86_64.pkg.tar.zst "$(info long 1-1; printf 'url = %070000d\n' 0)"
sign_file "$T/keys" "$fpr" "$R/long-1-1-x86_64.pkg.tar.zst"
refused "an overlong .PKGINFO line" long-1-1-x86_64.pkg.tar.zst "longer than"

hand_pkg "$R" liar-1-1-x86_64.pkg.tar.zst "$(info good 2-1)"
sign_file "$T/keys" "$fpr" "$R/liar-1-1-x86_64.pkg.tar.zst"
refused "a package that is not what its file name says" liar-1-1-x86_64.pkg.tar.zst "holds good 2-1"

hand_pkg "$R" good-2-1-x86_64.pkg.tar.zst "$(info good 2-1)"
sign_file "$T/other" "$other" "$R/good-2-1-x86_64.pkg.tar.zst"
refused "a .sig by another known key" good-2-1-x86_64.pkg.tar.zst "signed by '$other', expected '$fpr'"

hand_pkg "$R" good-2-1-x86_64.pkg.tar.zst "$(info good 2-1)"
sign_file "$T/unknown" "$unknown" "$R/good-2-1-x86_64.pkg.tar.zst"
refused "a .sig by an unknown key" good-2-1-x86_64.pkg.tar.zst "signed by unknown key '$unknown'"

hand_pkg "$R" good-2-1-x86_64.pkg.tar.zst "$(info good 2-1)"
refused "a package without a .sig when a signer is required" good-2-1-x86_64.pkg.tar.zst "sig' is missing"

hand_pkg "$R" good-2-1-x86_64.pkg.tar.zst "$(info good 2-1)"
gpg --homedir "$T/keys" --batch --pinentry-mode loopback --passphrase '' -u "$fpr" \
	--detach-sign --armor -o "$R/good-2-1-x86_64.pkg.tar.zst.sig" "$R/good-2-1-x86_64.pkg.tar.zst" 2>/dev/null
refused "an armored .sig" good-2-1-x86_64.pkg.tar.zst "armored"

hand_pkg "$R" good-2-1-x86_64.pkg.tar.zst "$(info good 2-1)"
{ printf '\211'; head -c 20479 /dev/urandom; } >"$R/good-2-1-x86_64.pkg.tar.zst.sig"
refused "a 20 KiB .sig" good-2-1-x86_64.pkg.tar.zst "larger than 16384 bytes"

# without -S, as repo-add: the format of a .sig is still checked
hand_pkg "$R" good-2-1-x86_64.pkg.tar.zst "$(info good 2-1)"
echo '-----BEGIN PGP SIGNATURE-----' >"$R/good-2-1-x86_64.pkg.tar.zst.sig"
before=$(tree_digest "$R")
run "$BIN/repo-db" add "$R/extra.db.tar.gz" "$R/good-2-1-x86_64.pkg.tar.zst"
expect "an armored .sig is refused without -S too" 1 "armored"
if [ "$before" = "$(tree_digest "$R")" ]; then ok "and the repository is byte-identical"; else not_ok "and the repository is byte-identical"; fi
rm -f "$R"/good-2-1-*

# a package outside the database's directory, and a symlinked database
mkdir -p "$T/elsewhere"
hand_pkg "$T/elsewhere" far-1-1-x86_64.pkg.tar.zst "$(info far 1-1)"
run "$BIN/repo-db" add "$R/extra.db.tar.gz" "$T/elsewhere/far-1-1-x86_64.pkg.tar.zst"
expect "a package outside the database's directory is refused" 1 "not the directory of the database"
mv "$R/extra.db.tar.gz" "$T/real.db.tar.gz"
ln -s "$T/real.db.tar.gz" "$R/extra.db.tar.gz"
run "$BIN/repo-db" remove "$R/extra.db.tar.gz" good
expect "a database that is a symlink is refused" 1 "cannot open '.*extra.db.tar.gz'"
rm "$R/extra.db.tar.gz"
mv "$T/real.db.tar.gz" "$R/extra.db.tar.gz"

run "$BIN/repo-db" -g "$T/keys" check "$R/extra.db.tar.gz"
expect "after all that the database still checks clean" 0
