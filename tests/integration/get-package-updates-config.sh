# get-package-updates and master.conf: a [source] or [repository] taken
# out of the configuration takes its entries off the build list at the
# next run, even when no git head moved, with one summary line; what the
# removed source published goes onto the deletion list, once; its
# revisions/ file goes. A changed customization re-queues the entries it
# concerns and only those. Packages are returned by hand (no makepkg).
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

sections() {
	conf "gnupg_home = $T/mk" "[source up]
url = $U
branch = main
layout = pkgbase
repository = extra" "$@" "[customizations]
url = $C
branch = main" "$(repo_section extra)" "[slave alpha]
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
