# Helpers for the operating tools' tests (why-dont-you, build-master-status,
# sanity-check), sourced after lib.sh, repo-lib.bash and proto-lib.bash.
#
# farm_setup builds a master in every state the tools explain, through the
# real programs wherever one exists: get-assignment, ping, return-assignment
# (packages and ERROR) over slave-connect, and modify-package-state. The
# build list and build-meta are written by set_list (as in the protocol
# tests: a dependency chain and a cycle without a git source to read them
# from). Written by hand, because no program reaches them yet: the `testing`
# state (db-update does not exist yet), the deletion list and the stable
# repository's packages (both normally db-update's and get-package-updates'
# work over many runs).

# mkpkg DIR NAME BASE VERSION ARCH [DEPENDS...]: a small package made with
# hand_pkg (makepkg takes most of a minute per package on a busy machine;
# return-assignment reads only .PKGINFO, which is what makepkg writes).
mkpkg() {
	local dir=$1 n=$2 b=$3 v=$4 a=$5 info d
	shift 5
	info=$(printf 'pkgname = %s\npkgbase = %s\npkgver = %s\npkgdesc = %s for the tests\nbuilddate = 1700000000\npackager = Slipway Test <test@example.org>\nsize = 5\narch = %s' "$n" "$b" "$v" "$n" "$a")
	for d in "$@"; do info+=$'\n'"depend = $d"; done
	mkdir -p "$dir"
	hand_pkg "$dir" "$n-$v-$a.pkg.tar.zst" "$info"
}

# ret_pkgs SLAVE-KEYHOME FPR SLAVE "ID" FILE...: return-assignment of the
# fixture packages FILE... (from $T/pkgs) for ID, signed by the slave.
ret_pkgs() {
	local home=$1 fpr=$2 slave=$3 id=$4 d f
	shift 4
	d=$(mktemp -d "$T/up.XXXXXX")
	for f in "$@"; do
		cp "$T/pkgs/$f" "$d/"
		sign_file "$home" "$fpr" "$d/$f"
	done
	(cd "$d" && tar -cf "$d.tar" -- *)
	sc_in "$d.tar" "$slave" "return-assignment $id"
}

# ret_error SLAVE "ID": return-assignment ... ERROR with a build log.
ret_error() {
	local d
	d=$(mktemp -d "$T/log.XXXXXX")
	echo "==> ERROR: A failure occurred in build()." | gzip >"$d/plain.log.gz"
	(cd "$d" && tar -cf "$d.tar" plain.log.gz)
	sc_in "$d.tar" "$1" "return-assignment $2 ERROR"
}

# assign SLAVE WANT-PKGBASE: get-assignment must hand out WANT-PKGBASE.
assign() {
	local got
	got=$(sc "$1" get-assignment) || { echo "get-assignment for $1 failed" >&2; return 1; }
	[ "${got%% *}" = "$2" ] || { echo "$1 got '$got', expected $2" >&2; return 1; }
}

# publish REPO NAME...: $T/hand/NAME.pkg.tar.zst into pool/, signed with
# the repository key, linked from REPO and added to its database.
publish() {
	local repo=$1 d=$M/repos/$1/os/x86_64 n
	shift
	mkdir -p "$d" "$M/repos/pool"
	for n in "$@"; do
		cp "$T/hand/$n.pkg.tar.zst" "$M/repos/pool/"
		sign_file "$T/mk" "$FR" "$M/repos/pool/$n.pkg.tar.zst"
		ln -s "../../../pool/$n.pkg.tar.zst" "$d/"
		ln -s "../../../pool/$n.pkg.tar.zst.sig" "$d/"
		"$BIN/repo-db" add "$d/$repo.db.tar.gz" "$d/$n.pkg.tar.zst" >/dev/null || return 1
	done
}

# farm_setup: the master of proto-lib's master_setup, in this state:
#   longdesc   locked by alpha, phase 'building'
#   epochy     blocked by the test user
#   lib        pending, built next
#   app        waits for lib
#   cyca cycb  a dependency cycle
#   bash       pending (it holds rich in staging)
#   splitbase  broken once (beta's ERROR)
#   tool       waits for splitbase
#   plain      done: in extra-staging, free to move to testing
#   rich       done: in extra-staging, held there by bash
#   anyone     testing, not tested (hand-written state and database)
#   ghost      testing, marked tested with modify-package-state
#   zlib needz in extra (stable); zlib on the deletion list, needz needs it
#   oldpkg     in extra (stable) and on the deletion list, needed by nothing
farm_setup() {
	master_setup || return 1
	mkpkg "$T/pkgs" plain plain 1.0-1 x86_64
	mkpkg "$T/pkgs" rich rich 4.2.1-3 x86_64 glibc 'bash>=5.0' zlib
	mkpkg "$T/pkgs" anyone anyone 0.5-2 any
	set_list "plain extra 1.0-1 plain -" "rich extra 4.2.1-3 rich -" \
		"splitbase extra 7.0-1 split-a,split-b -" "longdesc extra 1-1 longdesc -" \
		"epochy extra 3:2.1-4 epochy -" "lib extra 1-1 lib -" \
		"app extra 1-1 app lib" "cyca extra 1-1 cyca cycb" \
		"cycb extra 1-1 cycb cyca" "bash extra 5-1 bash -" \
		"tool extra 1-1 tool splitbase"
	assign alpha plain || return 1
	ret_pkgs "$T/ka" "$FA" alpha "plain $C1 $C2 extra" \
		plain-1.0-1-x86_64.pkg.tar.zst || return 1
	assign alpha rich || return 1
	ret_pkgs "$T/ka" "$FA" alpha "rich $C1 $C2 extra" \
		rich-4.2.1-3-x86_64.pkg.tar.zst || return 1
	assign beta splitbase || return 1
	ret_error beta "splitbase $C1 $C2 extra" || return 1
	assign alpha longdesc || return 1
	sc alpha "ping longdesc $C1 $C2 extra building" || return 1
	"$BIN/modify-package-state" --block "needs upstream fix" epochy >/dev/null || return 1
	# testing and stable, by hand (db-update does not exist yet), laid
	# out as DESIGN.md §6 says: files in pool/, relative links beside the
	# databases
	local f
	mkpkg "$T/hand" anyone anyone 0.5-2 any
	mkpkg "$T/hand" ghost ghost 1-1 x86_64
	mkpkg "$T/hand" zlib zlib 1.3-1 x86_64
	mkpkg "$T/hand" needz needz 2-1 x86_64 'zlib>=1.2'
	mkpkg "$T/hand" oldpkg oldpkg 1-1 x86_64
	mkpkg "$T/hand" plain plain 0.9-1 x86_64
	publish extra-testing anyone-0.5-2-any ghost-1-1-x86_64 || return 1
	publish extra zlib-1.3-1-x86_64 needz-2-1-x86_64 oldpkg-1-1-x86_64 plain-0.9-1-x86_64 || return 1
	echo "anyone-0.5-2-any.pkg.tar.zst" >"$M/state/package-states/anyone.$C1.$C2.extra.testing"
	echo "ghost-1-1-x86_64.pkg.tar.zst" >"$M/state/package-states/ghost.$C1.$C2.extra.testing"
	"$BIN/modify-package-state" --tested ghost >/dev/null || return 1
	printf 'zlib extra\noldpkg extra\n' >"$M/state/deletion-list"
}
