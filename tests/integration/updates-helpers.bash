# Helpers for the get-package-updates and print-srcinfo scenarios; sourced
# after lib.sh. Sources are real git repositories made here, in $T.
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.org
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.org
export GIT_CONFIG_NOSYSTEM=1 HOME=$T
STATE=$T/state
CONF=$T/master.conf

# git_init DIR: a repository with a main branch
git_init() {
	git init -q -b main "$1"
}

# commit DIR [MESSAGE]: commits everything in DIR, prints nothing
commit() {
	git -C "$1" add -A >/dev/null &&
		git -C "$1" commit -q --allow-empty -m "${2:-change}" >/dev/null
}

head_of() {
	git -C "$1" rev-parse HEAD
}

# pkgbuild DIR NAME VERSION [DEPENDS] [MAKEDEPENDS] [EXTRA LINES]
pkgbuild() {
	local dir=$1 name=$2 ver=$3 deps=${4:-} mdeps=${5:-} extra=${6:-}
	mkdir -p "$dir"
	cat >"$dir/PKGBUILD" <<EOF
pkgname=$name
pkgver=$ver
pkgrel=1
pkgdesc="test package $name"
arch=(x86_64)
depends=($deps)
makedepends=($mdeps)
$extra
package() { :; }
EOF
}

# conf SECTIONS...: master.conf with the [master] section and the given text
conf() {
	{
		printf '[master]\nstate_dir = %s\nrepo_dir = %s/repos\narch = x86_64\n\n' \
			"$STATE" "$T"
		printf '%s\n' "$@"
	} >"$CONF"
}

repo_section() {
	printf '[repository %s]\nstaging = %s-staging\ntesting = %s-testing\n%s\n' \
		"$1" "$1" "$1" "${2:-}"
}

gpu() {
	run "$BIN/get-package-updates" -c "$CONF" "$@"
}

# The build list as "pkgbase repo" lines, in order.
bl() {
	[ -f "$STATE/build-list" ] && awk '{print $1" "$4}' "$STATE/build-list"
}

dl() {
	[ -f "$STATE/deletion-list" ] && cat "$STATE/deletion-list"
}

# check_list NAME "pkgbase repo" ...: the build list holds exactly these, in any order
check_list() {
	local name=$1 want got
	shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(bl | sort)
	if [ "$want" = "$got" ]; then ok "$name"; else
		not_ok "$name" "want: $(echo $want)" "got:  $(echo $got)" "stderr: $err"; fi
}

check_dl() {
	local name=$1 want got
	shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(dl | sort)
	if [ "$want" = "$got" ]; then ok "$name"; else
		not_ok "$name" "want: $(echo $want)" "got:  $(echo $got)"; fi
}

# check_order NAME A B ...: each pkgbase comes before the next on the build list
check_order() {
	local name=$1 prev= p n pn=0
	shift
	for p in "$@"; do
		n=$(awk -v p="$p" '$1 == p {print NR; exit}' "$STATE/build-list")
		if [ -z "$n" ] || [ "$n" -le "$pn" ]; then
			not_ok "$name" "'$p' is not after '$prev'" "$(bl)"
			return
		fi
		prev=$p pn=$n
	done
	ok "$name"
}

# meta PKGBASE REPO FIELD(1-8) from build-meta
meta() {
	awk -v p="$1" -v r="$2" -v f="$3" '$1 == p && $2 == r {print $f}' \
		"$STATE/build-meta"
}

# id_of PKGBASE REPO: the id on the build list
id_of() {
	awk -v p="$1" -v r="$2" '$1 == p && $4 == r {print $1"."$2"."$3"."$4}' \
		"$STATE/build-list"
}

# check_eq NAME WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want: $2" "got:  $3"; fi
}

# meta_consistent NAME: one build-meta line per build-list entry, same order
meta_consistent() {
	local a b
	a=$(awk '{print $1" "$4}' "$STATE/build-list")
	b=$(awk '{print $1" "$2}' "$STATE/build-meta")
	check_eq "$1" "$a" "$b"
}

# guarded_digest: a digest of what build-list.lock guards (not git/ or cache/,
# which a run fills before it takes the lock)
guarded_digest() {
	(cd "$STATE" && cat build-list deletion-list build-meta pkgbuild-errors \
		2>/dev/null; ls -la revisions package-states loops 2>/dev/null;
		cat revisions/* 2>/dev/null) | sha256sum
}

# slave_build CONF SRCDIR ID OUTDIR: what a slave's session does with an
# assignment it got the sources of (get-sources into SRCDIR): sw_build_run
# (tests/helpers/build-one), real makepkg in bubblewrap, from the master's
# .SRCINFO that get-sources sent. build-packages -l would have makepkg
# --printsrcinfo read the PKGBUILD again, as CPU-hungry as the build itself
# (return-assignment-trigger goes that way). Sets rc, out and err.
slave_build() {
	local one=$SLIPWAY_BUILD/tests/helpers/build-one
	if [ ! -x "$one" ] || [ ! -s "$2/.SRCINFO" ]; then
		rc=99 out= err="no $one, or get-sources sent no .SRCINFO"
		return
	fi
	rm -rf "$4" && mkdir -p "$4"
	BUILD_ONE_SRCINFO=$2/.SRCINFO run "$one" "$1" "$2" "$3" "$4"
}
