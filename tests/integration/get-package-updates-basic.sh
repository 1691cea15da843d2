# get-package-updates: add, change, no change, delete, move between
# repositories, come back; the revisions, ids, build-meta and state files
# that go with it; the lock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"

U=$T/upstream
git_init "$U"
pkgbuild "$U/core/glibc" glibc 2.38
pkgbuild "$U/core/zlib" zlib 1.3 glibc
pkgbuild "$U/extra/curl" curl 8.4 "zlib glibc"
pkgbuild "$U/extra/app" app 1.0 curl
echo "patch" >"$U/extra/app/fix.patch"
pkgbuild "$U/unfollowed/ghost" ghost 1
commit "$U" init
conf "[source up]
url = $U
branch = main
layout = repo/pkgbase" "$(repo_section core)" "$(repo_section extra)"

gpu
expect "first run succeeds" 0
check_list "first run: everything followed is new" "glibc core" "zlib core" \
	"curl extra" "app extra"
check_order "first run: dependencies first" glibc zlib curl app
check_eq "revision recorded" "$(head_of "$U")" "$(cat "$STATE/revisions/up")"
meta_consistent "build-meta has one entry per build-list entry"
check_eq "build-meta of curl" "curl extra up extra/curl - 8.4-1 curl zlib,glibc" \
	"$(grep '^curl ' "$STATE/build-meta")"
check_eq "mod commit without customizations is zeros" \
	0000000000000000000000000000000000000000 "$(awk 'NR==1{print $3}' "$STATE/build-list")"

before=$(tree_digest "$STATE")
gpu
expect "no-change run succeeds" 0
check_eq "no-change run changes nothing" "$before" "$(tree_digest "$STATE")"

# a change anywhere in the directory counts, not only in the PKGBUILD
old_app=$(id_of app extra)
echo "patch v2" >"$U/extra/app/fix.patch"
commit "$U" "patch only"
gpu
expect "change of a patch" 0
new_app=$(id_of app extra)
check_eq "app gets the new revision" "app.$(head_of "$U").0000000000000000000000000000000000000000.extra" "$new_app"
check_eq "an unchanged package keeps its id" \
	"glibc.$(git -C "$U" rev-parse HEAD~1).0000000000000000000000000000000000000000.core" \
	"$(id_of glibc core)"

# stale states of the old id go, a block moves to the new id
mkdir -p "$STATE/package-states"
printf 'alpha 100 100 build\n' >"$STATE/package-states/$new_app.locked"
printf '100 alpha plain -\n' >"$STATE/package-states/$new_app.broken"
printf '100 admin waiting for upstream\n' >"$STATE/package-states/$new_app.blocked"
printf 'app-1.0-1-x86_64.pkg.tar.zst\n' >"$STATE/package-states/$new_app.done"
pkgbuild "$U/extra/app" app 1.1 curl
commit "$U" "app 1.1"
gpu
expect "version bump" 0
newer=$(id_of app extra)
check "locked and broken of the old revision are gone" \
	test ! -e "$STATE/package-states/$new_app.locked" -a ! -e "$STATE/package-states/$new_app.broken"
check "the block moved to the new revision" grep -q "admin waiting for upstream" \
	"$STATE/package-states/$newer.blocked"
check "done of the old revision stays (it describes a repository)" \
	test -e "$STATE/package-states/$new_app.done"
check_eq "build-meta has the new version" 1.1-1 "$(meta app extra 6)"

# delete
git -C "$U" rm -q -r extra/curl
commit "$U" "drop curl"
gpu
expect "delete" 0
check_list "curl left the build list" "glibc core" "zlib core" "app extra"
check_dl "curl is on the deletion list" "curl extra"
meta_consistent "build-meta follows"

# move between repositories: a delete plus an add
git -C "$U" mv core/zlib extra/zlib
commit "$U" "move zlib"
gpu
expect "move" 0
check_list "zlib moved to extra" "glibc core" "zlib extra" "app extra"
check_dl "zlib in core is on the deletion list" "curl extra" "zlib core"

# come back
pkgbuild "$U/extra/curl" curl 8.5 "zlib glibc"
commit "$U" "curl is back"
gpu
expect "come back" 0
check_dl "curl left the deletion list" "zlib core"
check_list "curl is queued again" "glibc core" "zlib extra" "app extra" "curl extra"
check_order "and built before app" curl app

# a package for another architecture is not queued; one that was built for
# ours and leaves it is to be deleted
pkgbuild "$U/extra/armonly" armonly 1.0 "" "" "arch=(aarch64)"
pkgbuild "$U/extra/leaver" leaver 1.0
commit "$U" "armonly and leaver"
gpu
expect "a package for another architecture" 0
check_list "armonly is not queued" "glibc core" "zlib extra" "app extra" "curl extra" "leaver extra"
printf 'leaver-1.0-1-x86_64.pkg.tar.zst\n' >"$STATE/package-states/$(id_of leaver extra).done"
sed -i '/^leaver /d' "$STATE/build-list" "$STATE/build-meta"   # as return-assignment does
pkgbuild "$U/extra/leaver" leaver 1.1 "" "" "arch=(aarch64)"
commit "$U" "leaver leaves x86_64"
gpu
expect "a built package leaves our architecture" 0
check_dl "it is to be deleted" "zlib core" "leaver extra"

# the lock: busy means exit 1, -b waits
exec 9>>"$STATE/locks/build-list.lock"
flock 9
pkgbuild "$U/extra/app" app 1.2 curl
commit "$U" "app 1.2"
before=$(guarded_digest)
gpu
expect "busy build list: exit 1" 1 "busy"
check_eq "nothing written while busy" "$before" "$(guarded_digest)"
(sleep 2; flock -u 9) &
gpu -b
expect "-b waits for the lock" 0
check_eq "and then applies the change" 1.2-1 "$(meta app extra 6)"
exec 9>&-

# one run at a time, from its fetch to its write: a run that fetched an
# older head must never write after one that fetched a newer one. Run A
# fetches, then waits (-b) for the build list; run B meanwhile is refused.
exec 9>>"$STATE/locks/build-list.lock"
flock 9
pkgbuild "$U/extra/app" app 1.25 curl
commit "$U" "app 1.25"
before=$(guarded_digest)
"$BIN/get-package-updates" -c "$CONF" -b >"$T/run-a.out" 2>&1 &
a=$!
for _ in $(seq 100); do
	flock -n "$STATE/locks/git-fetch.lock" true || break
	sleep 0.1
done
pkgbuild "$U/extra/app" app 1.26 curl
commit "$U" "app 1.26"
gpu
expect "a run while another runs: exit 1" 1 "another get-package-updates is running"
check_eq "and nothing written" "$before" "$(guarded_digest)"
flock -u 9
exec 9>&-
wait "$a"
check_eq "the first run writes what it fetched" 1.25-1 "$(meta app extra 6)"
gpu
expect "the next run" 0
check_eq "brings the newer one" 1.26-1 "$(meta app extra 6)"

# a source that cannot be fetched: the others go on, exit 3
conf "[source up]
url = $U
branch = main
layout = repo/pkgbase" "[source gone]
url = $T/does-not-exist
layout = pkgbase
repository = extra" "$(repo_section core)" "$(repo_section extra)"
pkgbuild "$U/extra/app" app 1.3 curl
commit "$U" "app 1.3"
gpu
expect "an unreachable source is reported" 3 "source 'gone'"
check_eq "the reachable one is processed" 1.3-1 "$(meta app extra 6)"

echo "1..$_n"
