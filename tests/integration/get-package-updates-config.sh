# get-package-updates and master.conf: a [source] or [repository] taken
# out of the configuration takes its entries off the build list at the
# next run, even when no git head moved, with one summary line; what the
# removed source published goes onto the deletion list, once; its
# revisions/ file goes. A changed customization re-queues the entries it
# concerns and only those. A [source] changed in place (its repository,
# then its branch) is walked whole at the next run and only what the
# change concerns moves. Packages are returned by hand (no makepkg).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"
. "$(dirname "$0")/repo-lib.bash"

slave_key_alpha || { not_ok "gpg key"; exit 1; }

U=$T/upstream S=$T/side O=$T/oldsrc C=$T/custom
for d in "$U" "$S" "$O" "$C"; do git_init "$d"; done
pkgbuild "$U/up1" up1 1
pkgbuild "$U/up2" up2 1
commit "$U" init
pkgbuild "$S/aa-s1" aa-s1 1
pkgbuild "$S/aa-s2" aa-s2 1
commit "$S" init
pkgbuild "$O/ol1" ol1 1
commit "$O" init
echo "# customizations" >"$C/README"
commit "$C" init

up_repo=extra up_branch=main pre= extra_from=
sections() {
	conf "gnupg_home = $T/mk" "$pre" "[source up]
url = $U
branch = $up_branch
layout = pkgbase
repository = $up_repo" "$@" "[customizations]
url = $C
branch = main" "$(repo_section extra "$extra_from")" "[slave alpha]
key = $FA"
}
side="[source side]
url = $S
branch = main
layout = pkgbase
repository = extra"
old="[source oldsrc]
url = $O
branch = main
layout = pkgbase
repository = old"
sections "$side" "$old" "$(repo_section old)"
export SLIPWAY_CONFIG=$CONF

gpu
expect "the first run queues all five" 0
check_list "in both repositories" "aa-s1 extra" "aa-s2 extra" "ol1 old" \
	"up1 extra" "up2 extra"

# aa-s1 is published
hand_return aa-s1 1-1

# ---------------------------------------------------------------- removed sections
sections
gpu
expect "the next run, with no head moved, takes them off, in one line" 0 \
	"no longer in the configuration: \\[repository old\\], \\[source oldsrc\\], \\[source side\\]: 2 entries off the build list, 1 on the deletion list"
check_eq "one summary line" 1 "$(grep -c 'no longer in the configuration' <<<"$err")"
check_list "the build list keeps up1 and up2" "up1 extra" "up2 extra"
check_eq "aa-s1, published by the removed source, is to be deleted" "aa-s1 extra" "$(dl)"
check_eq "build-meta follows" "up1 up2" "$(awk '{print $1}' "$STATE/build-meta" | sort | tr '\n' ' ' | sed 's/ $//')"
check "the removed sources' revisions go" test ! -e "$STATE/revisions/side" -a \
	! -e "$STATE/revisions/oldsrc" -a -e "$STATE/revisions/up"
gpu
expect "the run after" 0
check_eq "and takes nothing off again" "" "$(grep 'no longer in the configuration' <<<"$err")"
check_eq "the deletion list is unchanged" "aa-s1 extra" "$(dl)"
run "$BIN/sanity-check"
expect "sanity-check finds nothing wrong" 0

# ---------------------------------------------------------------- only what a change concerns
up2_before=$(id_of up2 extra)
mkdir -p "$C/extra/up1"
printf 'pkgdesc="up1, customized"\n' >"$C/extra/up1/PKGBUILD"
commit "$C" "customize up1"
gpu
expect "a customization of up1" 0
check_eq "re-queues up1 at the new mod commit" "$(head_of "$C")" \
	"$(awk '$1 == "up1" {print $3}' "$STATE/build-list")"
check_eq "and leaves up2 as it was" "$up2_before" "$(id_of up2 extra)"

# ---------------------------------------------------------------- changed in place
check_eq "source-configs records each [source] as the run saw it" \
	"up pkgbase extra main $U" "$(cat "$STATE/source-configs")"
# up1 is published in extra; up2 waits
run "$BIN/modify-package-state" --block "waits" up2
expect "up2 blocked" 0
hand_return up1 1-1
up2_before=$(id_of up2 extra)
up_repo=community
sections "$(repo_section community)"
gpu
expect "[source up] now feeds community, no head moved" 0
check_list "its entries move from extra to community" "up1 community" "up2 community"
check_eq "at the same source commit" "$(cut -d. -f2 <<<"$up2_before")" \
	"$(id_of up2 community | cut -d. -f2)"
# as for a package removed upstream: db-update drops the never-built up2
check_eq "and goes onto extra's deletion list" "aa-s1 extra
up1 extra
up2 extra" "$(dl | sort)"
check_eq "source-configs follows" "up pkgbase community main $U" "$(cat "$STATE/source-configs")"
gpu
expect "the run after" 0
check_list "moves nothing again" "up1 community" "up2 community"

git -C "$U" checkout -q -b next
pkgbuild "$U/up2" up2 2
commit "$U" "up2 2 on next"
git -C "$U" checkout -q main
up1_before=$(id_of up1 community)
up_branch=next
sections "$(repo_section community)"
gpu
expect "[source up] now follows branch next" 0
check_eq "up2 is queued at next's head" "$(git -C "$U" rev-parse next)" \
	"$(awk '$1 == "up2" {print $2}' "$STATE/build-list")"
check_eq "at version 2-1" "2-1" "$(meta up2 community 6)"
check_eq "up1, the same on both branches, is left alone" "$up1_before" "$(id_of up1 community)"
run "$BIN/sanity-check"
expect "sanity-check finds nothing wrong" 0

# ---------------------------------------------------------------- shadowed
F=$T/first
git_init "$F"
pkgbuild "$F/up2" up2 9
commit "$F" init
pre="[source first]
url = $F
branch = main
layout = pkgbase
repository = community"
sections "$(repo_section community)"
gpu
expect "a new first source has up2 too" 0
check_eq "its up2 9-1 shadows up's" "first 9-1" "$(meta up2 community 3) $(meta up2 community 6)"
pre=
sections "$(repo_section community)"
gpu
expect "the first source removed, no head moved" 0 "no longer in the configuration: \\[source first\\]"
check_eq "up2 comes back from up, at 2-1" "up 2-1" "$(meta up2 community 3) $(meta up2 community 6)"
check_eq "at next's head" "$(git -C "$U" rev-parse next)" \
	"$(awk '$1 == "up2" {print $2}' "$STATE/build-list")"
check_eq "up1 is left alone" "$up1_before" "$(id_of up1 community)"

# ---------------------------------------------------------------- routes
check_eq "repository-routes records each [repository]'s from =" \
	"community - extra -" "$(echo $(cat "$STATE/repository-routes"))"
extra_from="from = community"
sections "$(repo_section community)"
gpu
expect "[repository extra] now takes upstream's community, no head moved" 0
check_list "up's entries move to extra" "up1 extra" "up2 extra"
check_eq "repository-routes follows" "community - extra community" \
	"$(echo $(cat "$STATE/repository-routes"))"
gpu
expect "the run after" 0
check_list "moves nothing again" "up1 extra" "up2 extra"

printf 'up perpackage - - %s\n' "$U" >"$STATE/source-configs"
gpu
expect "a malformed source-configs line is an error" 2
check "naming the file and the line" grep -q "source-configs:1: 'perpackage' is not a layout" <<<"$err"
