# Helpers for the repo-db-*.sh tests, sourced after lib.sh: test keys,
# packages made by makepkg from tests/fixtures/repo, hand-made packages,
# signatures, and a scratch pacman.

# gpg_key NAME DIR: makes a passphrase-less signing key in a new GnuPG home
# DIR and prints its fingerprint. The home's agent is stopped at exit.
gpg_key() {
	local name=$1 home=$2
	mkdir -p -m 700 "$home"
	at_exit "gpgconf --homedir '$home' --kill all >/dev/null 2>&1"
	gpg --homedir "$home" --batch --pinentry-mode loopback --passphrase '' \
		--quick-gen-key "$name <$name@example.org>" ed25519 sign never \
		>/dev/null 2>&1 || return 1
	gpg --homedir "$home" --with-colons --list-secret-keys 2>/dev/null |
		awk -F: '/^fpr/ { print $10; exit }'
}

# sign_file HOME FPR FILE: a binary detached signature FILE.sig
sign_file() {
	gpg --homedir "$1" --batch --yes --pinentry-mode loopback --passphrase '' \
		-u "$2" --detach-sign --no-armor -o "$3.sig" "$3" 2>/dev/null
}

# build_fixtures OUT NAME...: makepkg (as an unprivileged uid) for each
# tests/fixtures/repo/NAME; the packages land in OUT.
build_fixtures() {
	local out=$1 n
	shift
	mkdir -p "$out"
	chmod 777 "$out"
	for n in "$@"; do
		mkdir -p "$T/build/$n"
		cp "$FIX/repo/$n/PKGBUILD" "$T/build/$n/"
		chmod -R 777 "$T/build"
		(cd "$T/build/$n" && unpriv env PKGEXT=.pkg.tar.zst PKGDEST="$out" \
			PACKAGER="Slipway Test <test@example.org>" \
			makepkg --nodeps --nocheck --noconfirm >"$T/build/$n.log" 2>&1) ||
			{ cat "$T/build/$n.log" >&2; return 1; }
	done
}

# hand_pkg OUT FILE PKGINFO-TEXT [COMPRESSOR]: a package made without
# makepkg: .PKGINFO as given (a final newline added if missing) plus
# usr/share/hand/file, compressed with
# COMPRESSOR (zstd by default; "cat" for none).
hand_pkg() {
	local out=$1 file=$2 info=$3 comp=${4:-zstd} d
	[[ $info == *$'\n' ]] || info+=$'\n'
	d=$(mktemp -d "$T/hand.XXXXXX")
	printf '%s' "$info" >"$d/.PKGINFO"
	mkdir -p "$d/usr/share/hand"
	echo hand >"$d/usr/share/hand/file"
	(cd "$d" && bsdtar -cf - .PKGINFO usr) | $comp >"$out/$file"
	rm -rf "$d"
}

# entries DB-ARCHIVE DIR: unpacks a database into DIR
entries() {
	mkdir -p "$2"
	bsdtar -xf "$1" -C "$2"
}

# pacman_setup DIR REPO SERVER-DIR FPR KEYHOME: a pacman.conf in DIR for a
# root in DIR/root that trusts FPR (exported from KEYHOME) and requires
# signed packages and databases from file://SERVER-DIR.
pacman_setup() {
	local d=$1 repo=$2 server=$3 fpr=$4 keyhome=$5
	mkdir -p "$d/root/var/lib/pacman" "$d/root/var/cache/pacman/pkg" "$d/gpg"
	at_exit "gpgconf --homedir '$d/gpg' --kill all >/dev/null 2>&1"
	pacman-key --gpgdir "$d/gpg" --init >/dev/null 2>&1 || return 1
	gpg --homedir "$keyhome" --export "$fpr" >"$d/key.gpg"
	pacman-key --gpgdir "$d/gpg" --add "$d/key.gpg" >/dev/null 2>&1 || return 1
	pacman-key --gpgdir "$d/gpg" --lsign-key "$fpr" >/dev/null 2>&1 || return 1
	cat >"$d/pacman.conf" <<-EOF
	[options]
	RootDir = $d/root
	DBPath = $d/root/var/lib/pacman/
	CacheDir = $d/root/var/cache/pacman/pkg/
	LogFile = $d/pacman.log
	GPGDir = $d/gpg/
	HookDir = $d/root/etc/pacman.d/hooks/
	Architecture = x86_64
	SigLevel = Required DatabaseRequired
	LocalFileSigLevel = Required
	DisableDownloadTimeout

	[$repo]
	Server = file://$server
	EOF
}

# scratch_pacman DIR ARGS...: pacman on the scratch root of pacman_setup
scratch_pacman() {
	local d=$1
	shift
	pacman --config "$d/pacman.conf" --root "$d/root" \
		--dbpath "$d/root/var/lib/pacman/" --gpgdir "$d/gpg/" --noconfirm "$@"
}
