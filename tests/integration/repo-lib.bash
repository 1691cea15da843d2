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

# slave_key_alpha: slave alpha's signing key in $T/ka ($FA), its public
# key imported into the master's keyring $T/mk. 1 on failure.
slave_key_alpha() {
	FA=$(gpg_key alpha "$T/ka") || return 1
	mkdir -p -m 700 "$T/mk"
	at_exit "gpgconf --homedir '$T/mk' --kill all >/dev/null 2>&1"
	gpg --homedir "$T/ka" --export "$FA" | gpg --homedir "$T/mk" --batch --import 2>/dev/null
}

# hand_return PKGBASE VERSION [PKGREL]: slave alpha ($FA in $T/ka) takes
# the next assignment, which must be PKGBASE, and returns a package made
# by hand (hand_pkg: no makepkg, for tests where what is inside does not
# matter); with PKGREL, get-sources must hand out pkgrel=PKGREL. Needs
# updates-helpers.bash (check_eq). Sets $ID.
hand_return() {
	local f=$1-$2-x86_64.pkg.tar.zst
	run sc alpha get-assignment
	expect "get-assignment hands out $1" 0 && ID=$out
	[ "${ID%% *}" = "$1" ] || { not_ok "the assignment is $1" "got: $ID"; return 1; }
	if [ -n "${3:-}" ]; then
		sc alpha get-sources $ID | tar -xOf - PKGBUILD | tail -1 >"$T/last"
		check_eq "get-sources hands $1 out with pkgrel=$3" "pkgrel=$3" \
			"$(cat "$T/last")"
	fi
	hand_pkg "$T" "$f" "pkgname = $1
pkgbase = $1
pkgver = $2
arch = x86_64"
	sign_file "$T/ka" "$FA" "$T/$f"
	(cd "$T" && tar -cf "$T/up.tar" "$f" "$f.sig")
	run sc alpha return-assignment $ID <"$T/up.tar"
	expect "return-assignment accepts $1 $2" 0
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
