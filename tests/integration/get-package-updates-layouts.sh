# get-package-updates with the svntogit and per-package layouts, and a
# directory's .SRCINFO used instead of reading its PKGBUILD.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"

S=$T/svntogit A=$T/aur C=$T/custom
git_init "$S"
pkgbuild "$S/foo/repos/core-x86_64" foo 1
pkgbuild "$S/foo/trunk" foo 2
pkgbuild "$S/bar/repos/extra-any" bar 1 foo
pkgbuild "$S/old/repos/extra-i686" old 1
pkgbuild "$S/new/trunk" new 1
commit "$S" init

# per-package: each has a .SRCINFO that says more than its PKGBUILD
for p in aur-one aur-two; do
	git_init "$A/$p"
	pkgbuild "$A/$p" "$p" 1
	cat >"$A/$p/.SRCINFO" <<EOF
pkgbase = $p
	pkgver = 7
	pkgrel = 1
	arch = x86_64
	depends = bar

pkgname = $p
EOF
	commit "$A/$p" init
done
git_init "$C"
commit "$C" empty
conf "[source svn]
url = $S
branch = main
layout = svntogit" "[source aur]
url = $A/%s
branch = main
layout = per-package
repository = community
packages = aur-one aur-two" "[customizations]
url = $C
branch = main" "$(repo_section core)" "$(repo_section extra)" "$(repo_section community)"

gpu
expect "first run" 0
check_list "svntogit: released for our arch or any; per-package" "foo core" \
	"bar extra" "aur-one community" "aur-two community"
check_eq "svntogit path" foo/repos/core-x86_64 "$(meta foo core 4)"
check_eq "svntogit version is the released one" 1-1 "$(meta foo core 6)"
check_eq "per-package path" . "$(meta aur-one community 4)"
check_eq ".SRCINFO is used where there is one" 7-1 "$(meta aur-one community 6)"
check_order "dependencies across sources" foo bar aur-one
check "per-package revisions" grep -q "^aur-two $(head_of "$A/aur-two")$" \
	"$STATE/revisions/aur"

# svntogit: a release to another repository is a move
git -C "$S" mv foo/repos/core-x86_64 foo/repos/extra-x86_64
commit "$S" "foo to extra"
# per-package: a change in one repository
echo "# touched" >>"$A/aur-one/PKGBUILD"
commit "$A/aur-one" touch
# a customization that appends to a PKGBUILD makes its .SRCINFO stale:
# the assembled PKGBUILD is read instead
mkdir -p "$C/community/aur-two"
echo 'pkgrel=5' >"$C/community/aur-two/PKGBUILD"
commit "$C" "aur-two rebuild"
gpu
expect "second run" 0
check_list "foo moved" "foo extra" "bar extra" "aur-one community" "aur-two community"
check_dl "foo in core is deleted" "foo core"
check "aur-one has the new commit" grep -q "^aur-one $(head_of "$A/aur-one") " \
	"$STATE/build-list"
check_eq "aur-two: the customized PKGBUILD, not the .SRCINFO" 1-5 \
	"$(meta aur-two community 6)"

# a package no longer followed goes away
conf "[source svn]
url = $S
branch = main
layout = svntogit" "[source aur]
url = $A/%s
branch = main
layout = per-package
repository = community
packages = aur-two" "[customizations]
url = $C
branch = main" "$(repo_section core)" "$(repo_section extra)" "$(repo_section community)"
gpu
expect "unfollow aur-one" 0
check_dl "aur-one is deleted" "foo core" "aur-one community"
check "and no longer in the revisions" sh -c "! grep -q aur-one '$STATE/revisions/aur'"

echo "1..$_n"
