# Helpers for the db-update-*.sh tests, sourced after lib.sh, repo-lib.bash
# and proto-lib.bash: PKGBUILDs of our own, packages shipped through the
# real get-assignment and return-assignment, checks of every database, and
# a scratch pacman that reads them.

# pkgbuild DIR NAME VERSION REL [DEPENDS [ARCH [CONTENT]]]: a one-package PKGBUILD
pkgbuild() {
	local dir=$1 name=$2 ver=$3 rel=$4 deps=${5:-} arch=${6:-x86_64} content=${7:-$2}
	mkdir -p "$dir"
	cat >"$dir/PKGBUILD" <<-EOF
	pkgname=$name
	pkgver=$ver
	pkgrel=$rel
	pkgdesc="db-update test package $name"
	arch=($arch)
	license=(MIT)
	depends=($deps)

	package() {
		install -d "\$pkgdir/usr/share/$name"
		echo "$content" >"\$pkgdir/usr/share/$name/data"
	}
	EOF
}

# makepkg_in OUT DIR [PKGEXT]: makepkg (as an unprivileged uid) in DIR
makepkg_in() {
	local out=$1 dir=$2 ext=${3:-.pkg.tar.zst}
	mkdir -p "$out"
	chmod 777 "$out" "$dir"
	(cd "$dir" && unpriv env PKGEXT="$ext" PKGDEST="$out" \
		PACKAGER="Slipway Test <test@example.org>" \
		makepkg --nodeps --nocheck --noconfirm >"$dir/makepkg.log" 2>&1) ||
		{ cat "$dir/makepkg.log" >&2; return 1; }
}

# ship PKGBASE VERSION PKGNAMES FILE...: PKGBASE goes on top of the build
# list (and build-meta), slave alpha takes it with get-assignment and hands
# FILE... (from $T/pkgs, signed with alpha's key) back with
# return-assignment. $M and $SLIPWAY_CONFIG say which master.
ship() {
	local b=$1 v=$2 names=$3 f d
	shift 3
	d=$(mktemp -d "$T/ship.XXXXXX")
	touch "$M/state/build-list" "$M/state/build-meta"
	sed -i "1i $b $C1 $C2 extra" "$M/state/build-list"
	sed -i "1i $b extra upstream extra/$b - $v $names -" "$M/state/build-meta"
	[ -s "$M/state/build-list" ] || echo "$b $C1 $C2 extra" >"$M/state/build-list"
	[ -s "$M/state/build-meta" ] || echo "$b extra upstream extra/$b - $v $names -" >"$M/state/build-meta"
	out=$(sc alpha get-assignment 2>&1)
	[ "$out" = "$b $C1 $C2 extra" ] || { echo "get-assignment: $out" >&2; return 1; }
	for f in "$@"; do
		cp "$T/pkgs/$f" "$d/"
		sign_file "$T/ka" "$FA" "$d/$f"
	done
	(cd "$d" && tar -cf "$d.tar" -- *) &&
		sc_in "$d.tar" alpha "return-assignment $b $C1 $C2 extra"
}

# dbs_ok: every database of the line agrees with the files beside it
dbs_ok() {
	local r
	for r in extra-staging extra-testing extra; do
		[ -e "$M/repos/$r/os/x86_64/$r.db.tar.gz" ] || continue
		"$BIN/repo-db" check "$M/repos/$r/os/x86_64/$r.db.tar.gz" || return 1
	done
}

# names REPO: "pkgname version" of each entry of REPO's database
names() {
	local db=$M/repos/$1/os/x86_64/$1.db.tar.gz
	[ -e "$db" ] || return 0
	"$BIN/repo-db" list "$db"
}

# linked REPO FILE: the link and its .sig are there and lead to the pool
linked() {
	local d=$M/repos/$1/os/x86_64
	[ -L "$d/$2" ] && [ -f "$d/$2" ] && [ -L "$d/$2.sig" ] && [ -f "$d/$2.sig" ]
}

# pm_init DIR: a scratch pacman root in DIR that trusts alpha's key and the
# repository key, with SigLevel = Required DatabaseRequired
pm_init() {
	local d=$1
	pacman_setup "$d" extra "$M/repos/extra/os/x86_64" "$FA" "$T/ka" &&
		gpg --homedir "$T/mk" --export "$FR" >"$d/repo.gpg" &&
		pacman-key --gpgdir "$d/gpg" --add "$d/repo.gpg" >/dev/null 2>&1 &&
		pacman-key --gpgdir "$d/gpg" --lsign-key "$FR" >/dev/null 2>&1
}

# pm_repos DIR REPO...: pacman.conf of DIR lists these repositories of $M
pm_repos() {
	local d=$1 r
	shift
	sed -i '/^\[extra/,$d' "$d/pacman.conf"
	for r in "$@"; do
		printf '[%s]\nServer = file://%s\n\n' "$r" "$M/repos/$r/os/x86_64" >>"$d/pacman.conf"
	done
}

# pm_reads DIR: pacman -Sy reads every database of the line that exists
pm_reads() {
	local d=$1 r repos=()
	for r in extra-staging extra-testing extra; do
		[ -e "$M/repos/$r/os/x86_64/$r.db" ] && repos+=("$r")
	done
	pm_repos "$d" "${repos[@]}"
	scratch_pacman "$d" -Syy >/dev/null
}
