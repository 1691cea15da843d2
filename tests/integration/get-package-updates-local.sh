# get-package-updates from a source on a local path: the first fetch links
# the source's objects as `git clone --local` does (packs and loose
# objects), later fetches are ordinary ones; file:// works the same; a
# damaged source fails with the missing object named and the other sources
# go on; a planted symlink in the source's pack directory is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"

U=$T/upstream
git_init "$U"
pkgbuild "$U/core/a" a 1
pkgbuild "$U/core/b" b 1 a
commit "$U" first
git -C "$U" repack -a -d -q
pkgbuild "$U/core/c" c 1      # a loose commit on top of the pack
commit "$U" second
O=$T/other
git_init "$O"
pkgbuild "$O/extra/x" x 1
commit "$O" x

conf "$(printf '[source upstream]\nurl = %s\nbranch = main\nlayout = repo/pkgbase\n' "$U")" \
	"$(printf '[source other]\nurl = file://%s\nbranch = main\nlayout = repo/pkgbase\n' "$O")" \
	"$(repo_section core)" "$(repo_section extra)"
gpu
expect "first run from local paths" 0
check_list "all three of upstream and the file:// source queued" \
	"a core" "b core" "c core" "x extra"
M=$STATE/git/upstream.git
name="the mirror's head is the source's branch"
if [ "$(git -C "$M" rev-parse refs/slipway/head)" = "$(head_of "$U")" ]; then ok "$name"
else not_ok "$name" "$(git -C "$M" rev-parse refs/slipway/head) != $(head_of "$U")"; fi
name="packs and loose objects are hard links into the source"
p=$(ls "$M"/objects/pack/*.pack 2>/dev/null | head -1)
l=$(find "$M/objects" -path '*/objects/[0-9a-f][0-9a-f]/*' -type f | head -1)
if [ -n "$p" ] && [ "$(stat -c %h "$p")" -ge 2 ] && [ -n "$l" ] &&
	[ "$(stat -c %h "$l")" -ge 2 ]; then ok "$name"
else not_ok "$name" "pack: $p" "loose: $l" "$(ls -lR "$M/objects" | head -20)"; fi
name="git fsck finds the mirror complete"
check "$name" git -C "$M" fsck --connectivity-only --no-dangling

# later runs fetch as usual, from what is there
pkgbuild "$U/core/a" a 2
commit "$U" a2
gpu
expect "a second run fetches the new commit" 0
name="the new commit is fetched"
if [ "$(git -C "$M" rev-parse refs/slipway/head)" = "$(head_of "$U")" ]; then ok "$name"
else not_ok "$name" "$err"; fi

# a damaged source: the blob of a new PKGBUILD is missing from the source
D=$T/damaged
git_init "$D"
pkgbuild "$D/core/d" d 1
commit "$D" d
blob=$(git -C "$D" rev-parse HEAD:core/d/PKGBUILD)
rm -f "$D/.git/objects/${blob:0:2}/${blob:2}"
pkgbuild "$O/extra/y" y 1
commit "$O" y
conf "$(printf '[source upstream]\nurl = %s\nbranch = main\nlayout = repo/pkgbase\n' "$U")" \
	"$(printf '[source other]\nurl = file://%s\nbranch = main\nlayout = repo/pkgbase\n' "$O")" \
	"$(printf '[source damaged]\nurl = %s\nbranch = main\nlayout = repo/pkgbase\n' "$D")" \
	"$(repo_section core)" "$(repo_section extra)"
gpu
expect "a damaged source is an error of that source (exit 3)" 3
name="the message names the missing object"
if grep -q "$blob" <<<"$err"; then ok "$name"; else not_ok "$name" "$err"; fi
check_list "the other sources go on" "a core" "b core" "c core" "x extra" "y extra"

# a symlink planted in the source's pack directory is never linked
P=$T/planted
git_init "$P"
pkgbuild "$P/core/p" p 1
commit "$P" p
git -C "$P" repack -a -d -q
ln -s /etc/passwd "$P/.git/objects/pack/pack-$(printf '%040d' 0).pack"
conf "$(printf '[source planted]\nurl = %s\nbranch = main\nlayout = repo/pkgbase\n' "$P")" \
	"$(repo_section core)"
rm -rf "$STATE"
gpu
expect "a source with a symlinked pack is refused (exit 3)" 3
name="the refusal names the link and nothing links to it"
if grep -q "not a regular file" <<<"$err" &&
	[ -z "$(find "$STATE/git" -type l 2>/dev/null)" ]; then ok "$name"
else not_ok "$name" "$err" "$(find "$STATE/git" -type l)"; fi
