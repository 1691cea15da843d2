# get-package-updates with a customization repository: PKGBUILD appended,
# files replaced, blacklist, build-manually, update-once, routing with
# `from =` and repository-overrides.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"

U=$T/upstream C=$T/custom
git_init "$U"
git_init "$C"
pkgbuild "$U/core/base" base 1
pkgbuild "$U/core/tool" tool 1 base
echo upstream >"$U/core/tool/tool.conf"
pkgbuild "$U/extra/editor" editor 2 base
pkgbuild "$U/extra/game" game 3
pkgbuild "$U/multilib/lib32-base" lib32-base 1 base
pkgbuild "$U/multilib/wine" wine 8 lib32-base
commit "$U" init
# customizations: tool's PKGBUILD gets more depends, its tool.conf is replaced
mkdir -p "$C/core/tool"
printf 'depends+=(editor)\npkgrel=2\n' >"$C/core/tool/PKGBUILD"
echo custom >"$C/core/tool/tool.conf"
printf '# never\ngame\n' >"$C/blacklist"
printf 'editor\n' >"$C/build-manually"
commit "$C" init
conf "[source up]
url = $U
branch = main
layout = repo/pkgbase" "[customizations]
url = $C
branch = main" "$(repo_section core)" "$(repo_section extra "from = multilib")"

gpu
expect "first run with customizations" 0
check_list "multilib goes to extra, game is blacklisted" "base core" "tool core" \
	"editor extra" "lib32-base extra" "wine extra"
check_eq "the appended PKGBUILD counts" 1-2 "$(meta tool core 6)"
check_eq "tool now depends on editor" "base,editor" "$(meta tool core 8)"
check_order "so editor comes first" base editor tool
check_eq "custom dir in build-meta" core/tool "$(meta tool core 5)"
check_eq "mod commit is the customizations' head" "$(head_of "$C")" \
	"$(awk '$1 == "tool" {print $3}' "$STATE/build-list")"
check "build-manually is blocked" grep -q "get-package-updates build-manually" \
	"$STATE/package-states/$(id_of editor extra).blocked"
check_dl "nothing to delete on a first run" ""

# a change in the customization directory re-queues the package
old=$(id_of tool core)
echo "custom v2" >"$C/core/tool/tool.conf"
commit "$C" "tool.conf v2"
gpu
expect "customization change" 0
check "tool has a new id" test "$old" != "$(id_of tool core)"
check_eq "tool's new mod commit" "$(head_of "$C")" \
	"$(awk '$1 == "tool" {print $3}' "$STATE/build-list")"
check_eq "base keeps its id (customizations did not touch it)" \
	"$(git -C "$C" rev-parse HEAD~1)" "$(awk '$1 == "base" {print $3}' "$STATE/build-list")"

# blacklisting something that is on the build list: off the list; it was
# never built, so not on the deletion list
printf 'game\nwine\n' >"$C/blacklist"
commit "$C" "blacklist wine"
gpu
expect "blacklist" 0
check_list "wine left the list" "base core" "tool core" "editor extra" "lib32-base extra"
check_dl "never built: nothing to delete" ""
# un-blacklist: it comes back
printf 'game\n' >"$C/blacklist"
commit "$C" "unblacklist wine"
gpu
expect "unblacklist" 0
check_list "wine is back" "base core" "tool core" "editor extra" "lib32-base extra" \
	"wine extra"
# blacklisting something built (not on the list any more): deletion list
sed -i '/^lib32-base /d' "$STATE/build-list"
sed -i '/^lib32-base /d' "$STATE/build-meta"
printf 'game\nlib32-base\n' >"$C/blacklist"
commit "$C" "blacklist lib32-base"
gpu
expect "blacklist a built package" 0
check_dl "a built package goes on the deletion list" "lib32-base extra"

# build-manually removed: the block is lifted; another block stays
ed=$(id_of editor extra)
printf '\n' >"$C/build-manually"
commit "$C" "build editor automatically"
gpu
expect "build-manually lifted" 0
check "our block is gone" test ! -e "$STATE/package-states/$ed.blocked"

# update-once: queued although nothing changed, once
sed -i '/^base /d' "$STATE/build-list"
sed -i '/^base /d' "$STATE/build-meta"
printf 'base 2024-01-01\n' >"$C/update-once"
commit "$C" "rebuild base"
gpu
expect "update-once" 0
check "base is queued again" grep -q "^base " "$STATE/build-list"
sed -i '/^base /d' "$STATE/build-list"
sed -i '/^base /d' "$STATE/build-meta"
echo "# unrelated" >>"$C/blacklist"
commit "$C" "unrelated"
gpu
expect "update-once is used once" 0
check "base is not queued a second time" sh -c "! grep -q '^base ' '$STATE/build-list'"

# repository-overrides: one package to another repository (delete + add)
printf 'tool extra\n' >"$C/repository-overrides"
mkdir -p "$C/extra/tool"
cp "$C/core/tool/PKGBUILD" "$C/extra/tool/PKGBUILD"
commit "$C" "tool goes to extra"
gpu
expect "repository override" 0
check "tool is built for extra" grep -q "^tool .* extra$" "$STATE/build-list"
check "and no longer for core" sh -c "! grep -q '^tool .* core$' '$STATE/build-list'"
check "tool in core is to be deleted" grep -q "^tool core$" "$STATE/deletion-list"

# a bad line in a list is skipped with a warning
printf 'game\nNot-A-Pkgbase!\n' >"$C/blacklist"
commit "$C" "bad line"
gpu
expect "a bad list line is a warning" 0 "blacklist:2: skipped: invalid pkgbase"
meta_consistent "build-meta stays consistent"

echo "1..$_n"
