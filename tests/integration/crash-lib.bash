# Helpers for the crash-*.sh tests, sourced after lib.sh, repo-lib.bash,
# proto-lib.bash and db-update-lib.bash: a master with a real git source,
# packages accepted through the real protocol programs, and crash_every,
# which kills a program with SIGKILL at each kill point of its commits in
# turn (the test build's SLIPWAY_TEST_KILL_POINT, core/txn.h) and checks
# what the issue asks after each kill. The packages are made once, by hand
# (no makepkg), so that a step costs only the programs themselves.

export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.org
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.org
export GIT_CONFIG_NOSYSTEM=1
U=$T/upstream

# up_pkg NAME VERSION [DEPENDS]: extra/NAME/PKGBUILD in the upstream source
up_pkg() {
	mkdir -p "$U/extra/$1"
	printf 'pkgname=%s\npkgver=%s\npkgrel=1\narch=(x86_64)\ndepends=(%s)\npackage() { :; }\n' \
		"$1" "$2" "${3:-}" >"$U/extra/$1/PKGBUILD"
}

# up_commit: commits everything in the upstream source
up_commit() {
	git -C "$U" add -A >/dev/null && git -C "$U" commit -q -m change >/dev/null
}

# upload NAME VERSION: $T/up/NAME-VERSION.tar, a package of NAME made by
# hand and signed by alpha, ready for return-assignment
upload() {
	local d=$T/up/$1-$2 f=$1-$2-1-x86_64.pkg.tar.zst
	mkdir -p "$d"
	hand_pkg "$d" "$f" "$(printf 'pkgname = %s\npkgbase = %s\npkgver = %s-1\npkgdesc = crash test\nbuilddate = 1700000000\npackager = T <t@example.org>\nsize = 5\narch = x86_64' "$1" "$1" "$2")" &&
		sign_file "$T/ka" "$FA" "$d/$f" &&
		(cd "$d" && tar -cf "$d.tar" -- *)
}

# take SLAVE: SLAVE's get-assignment; prints the id ("pkgbase src mod repo")
take() {
	sc "$1" get-assignment 2>/dev/null
}

# give SLAVE ID: SLAVE returns the package of ID (version 1.0) and it is
# accepted: "pkgname version" goes to $T/accepted
give() {
	local b=${2%% *}
	sc_in "$T/up/$b-1.0.tar" "$1" "return-assignment $2" &&
		echo "$b 1.0-1" >>"$T/accepted"
}

# crash_setup: the master of proto-lib with a source "upstream" (aa, bb
# depending on aa, cc, dd), read by get-package-updates; two packages
# accepted by alpha, db-update run once (what it moves is in testing), and
# then alpha holds $HELD and $FREE is on the list, held by no one. The
# master as it is then is the base every step starts from (crash_save).
crash_setup() {
	master_setup || return 1
	git init -q -b main "$U" || return 1
	up_pkg aa 1.0 && up_pkg bb 1.0 aa && up_pkg cc 1.0 && up_pkg dd 1.0 &&
		up_commit || return 1
	printf '\n[source upstream]\nurl = %s\nbranch = main\nlayout = repo/pkgbase\n' \
		"$U" >>"$M/master.conf"
	"$BIN/get-package-updates" >/dev/null 2>"$T/.err" || { cat "$T/.err" >&2; return 1; }
	: >"$T/accepted"
	local p id
	for p in aa bb cc dd; do upload "$p" 1.0 || return 1; done
	for p in 1 2; do
		id=$(take alpha) && give alpha "$id" || return 1
	done
	"$BIN/db-update" >/dev/null || return 1
	HELD=$(take alpha) || return 1
	FREE=$(sed -n 1p "$M/state/build-list" | cut -d' ' -f1-4)
	[ "$FREE" != "$HELD" ] || FREE=$(sed -n 2p "$M/state/build-list" | cut -d' ' -f1-4)
	pm_init "$T/pm" || return 1
	crash_save
}

# crash_save / crash_restore: the base every step starts from
crash_save() { rm -rf "$T/base"; cp -a "$M" "$T/base"; }
crash_restore() { rm -rf "$M"; cp -a "$T/base" "$M"; }

# line_names: "pkgname version" of every entry of each database of the
# line, read with bsdtar as pacman would (not with our own reader)
line_names() {
	local r db
	for r in extra-staging extra-testing extra; do
		db=$M/repos/$r/os/x86_64/$r.db.tar.gz
		[ -e "$db" ] || continue
		bsdtar -xOf "$db" '*/desc' | awk -v r="$r" '
			/^%NAME%$/ { getline; n = $0 }
			/^%VERSION%$/ { getline; print r, n, $0 }'
	done
}

# accepted_once [MAYBE]: every accepted package is in exactly one database
# of the line, and no database lists a pkgname twice; MAYBE ("pkgname
# version", a package being accepted when the kill came) is there at most once
accepted_once() {
	local all a n
	all=$(line_names)
	n=$(cut -d' ' -f1,2 <<<"$all" | sort | uniq -d)
	[ -z "$n" ] || { echo "listed twice: $n"; return 1; }
	while read -r a; do
		n=$(cut -d' ' -f2- <<<"$all" | grep -cxF "$a")
		[ "$n" -eq 1 ] || { echo "'$a' is in $n databases"; echo "$all"; return 1; }
	done <"$T/accepted"
	if [ -n "${1:-}" ]; then
		n=$(cut -d' ' -f2- <<<"$all" | grep -cxF "$1")
		[ "$n" -le 1 ] || { echo "'$1' is in $n databases"; return 1; }
	fi
}

# list_once: no id is twice on the build list
list_once() {
	local d
	d=$(sort "$M/state/build-list" | uniq -d)
	[ -z "$d" ] || { echo "twice on the build list: $d"; return 1; }
}

no_journal() {
	! ls "$M"/state/locks/*.journal 2>/dev/null
}

# the programs that may run next, in turn, each with the exit codes it may
# give here: each takes build-list.lock, package-db.lock or both
NEXT=("sc beta get-assignment:0|2|3|4" "$BIN/modify-package-state --unblock no-such-package:2"
	"$BIN/db-update:0" "$BIN/build-master-status:0" "$BIN/sanity-check:0")

# after_kill WHAT MAYBE: the next program (in turn) finishes or rolls back
# the journal; sanity-check passes; pacman reads every database; no accepted
# package is lost or listed twice
after_kill() {
	local what=$1 maybe=$2 nx=${NEXT[$((_kills % ${#NEXT[@]}))]} cmd label
	_kills=$((_kills + 1))
	cmd=${nx%:*}
	label=${cmd#"$BIN/"}
	label=${label#sc beta }
	run $cmd
	if [[ $rc =~ ^(${nx##*:})$ ]] && no_journal >/dev/null; then
		ok "$what: '$label' runs next and leaves no journal"
	else
		not_ok "$what: '$label' runs next and leaves no journal" "exit $rc" "$err" \
			"$(ls "$M/state/locks")"
	fi
	check "$what: sanity-check passes" "$BIN/sanity-check"
	check "$what: pacman reads every database" pm_reads "$T/pm"
	check "$what: no accepted package is lost or listed twice" accepted_once "$maybe"
	check "$what: no id is twice on the build list" list_once
}

# crash_every NAME WANT-RC RERUN-RCS MAYBE CMD...: for N = 1, 2, ... the
# base, CMD killed at kill point N, the checks of after_kill, then CMD again
# (its exit code one of RERUN-RCS, "0|2"), and the checks again with MAYBE
# now accepted too, until CMD ends by itself at N: that run exits WANT-RC.
# CMD reads $CRASH_STDIN (a file; /dev/null if unset). slave-connect passes
# no test variable on, so CMD is the program itself with SLIPWAY_SLAVE set,
# as slave-connect would run it.
crash_every() {
	local name=$1 want=$2 rerun=$3 maybe=$4 k start
	shift 4
	_kills=0
	start=$(date +%s)
	for ((k = 1; ; k++)); do
		crash_restore
		SLIPWAY_TEST_KILL_POINT=$k "$@" <"${CRASH_STDIN:-/dev/null}" >"$T/.out" 2>"$T/.err"
		rc=$?
		[ "$rc" -eq 137 ] || break
		after_kill "$name killed at point $k" "$maybe"
		run "$@" <"${CRASH_STDIN:-/dev/null}"
		if [[ $rc =~ ^($rerun)$ ]]; then ok "$name after the kill at $k: a re-run exits $rc"; else
			not_ok "$name after the kill at $k: a re-run exits $rerun" "exit $rc" "$err"; fi
		[ -z "$maybe" ] || grep -qxF "$maybe" "$T/accepted" || echo "$maybe" >>"$T/accepted"
		check "$name after the kill at $k and a re-run: no accepted package is lost or listed twice" accepted_once
		[ -z "$maybe" ] || sed -i "/^$maybe\$/d" "$T/accepted"
	done
	if [ "$rc" -eq "$want" ]; then ok "$name ends by itself after $((k - 1)) kill points, exit $want"; else
		not_ok "$name ends by itself, exit $want" "exit $rc" "$(cat "$T/.err")"; fi
	# a build without the hook never dies: this fails rather than pass empty
	if [ "$k" -gt 2 ]; then ok "$name was killed at $((k - 1)) points"; else
		not_ok "$name was killed at $((k - 1)) points (a build without SW_TEST_HOOKS?)"; fi
	echo "# $name: $((k - 1)) kill points in $(($(date +%s) - start)) s"
}
