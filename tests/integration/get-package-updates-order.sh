# get-package-updates: build order through depends, makedepends and
# checkdepends resolved by pkgname, provides and groups; split packages;
# a 3-package cycle in state/loops/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"

U=$T/upstream
git_init "$U"
# a chain, listed in reverse so that the order has to be computed
pkgbuild "$U/chain-d" chain-d 1 "" chain-c
pkgbuild "$U/chain-c" chain-c 1 chain-b
pkgbuild "$U/chain-b" chain-b 1 "" "" "checkdepends=(chain-a)"
pkgbuild "$U/chain-a" chain-a 1
# provides: "needs-sh" depends on "sh", which "dash" provides
pkgbuild "$U/dash" dash 0.5 "" "" "provides=('sh=1.0')"
pkgbuild "$U/needs-sh" needs-sh 1 "'sh>=1'"
# groups: "devel-user" makedepends on the group "devel"
pkgbuild "$U/make" make 4 "" "" "groups=(devel)"
pkgbuild "$U/devel-user" devel-user 1 "" devel
# a split package: the pkgbase "splitbase" builds split-lib and split-tools;
# per-package depends do not count for building, global ones do
mkdir -p "$U/splitbase"
cat >"$U/splitbase/PKGBUILD" <<'EOF'
pkgbase=splitbase
pkgname=(split-lib split-tools split-i686)
pkgver=2
pkgrel=1
arch=(x86_64 i686)
makedepends=(make)
package_split-lib() { depends=(dash); }
package_split-tools() { depends=(split-lib cycle-a); provides=(splittool); }
package_split-i686() { arch=(i686); }
EOF
pkgbuild "$U/uses-split" uses-split 1 "split-tools splittool"
# a 3-package cycle
pkgbuild "$U/cycle-a" cycle-a 1 cycle-b
pkgbuild "$U/cycle-b" cycle-b 1 "" cycle-c
pkgbuild "$U/cycle-c" cycle-c 1 "" "" "checkdepends=(cycle-a)"
pkgbuild "$U/after-cycle" after-cycle 1 cycle-a
commit "$U" init
conf "[source up]
url = $U
branch = main
layout = pkgbase
repository = extra" "$(repo_section extra)"

gpu
expect "first run" 0
check_order "chain: depends, makedepends, checkdepends" chain-a chain-b chain-c chain-d
check_order "a provides-satisfied dependency" dash needs-sh
check_eq "deps through provides" dash "$(meta needs-sh extra 8)"
check_order "a group dependency" make devel-user
check_eq "deps through groups" make "$(meta devel-user extra 8)"
check_eq "split: pkgnames for x86_64 only" split-lib,split-tools "$(meta splitbase extra 7)"
check_eq "split: only global depends count for building" make "$(meta splitbase extra 8)"
check_order "a split package's pkgnames resolve to its pkgbase" splitbase uses-split
check_eq "deps of uses-split (pkgname and provides)" splitbase "$(meta uses-split extra 8)"
check_order "the cycle comes before what depends on it" cycle-b after-cycle
loops=$(ls "$STATE/loops")
check_eq "one loop file" 1 "$(echo "$loops" | grep -c .)"
lf=$STATE/loops/$loops
check_eq "the loop holds the three" "cycle-a cycle-b cycle-c" \
	"$(cut -d. -f1 "$lf" | sort | tr '\n' ' ' | sed 's/ $//')"
check "each line names what it needs inside the loop" \
	grep -q "^cycle-c\..* cycle-a$" "$lf"
check_eq "the loop file is named by its first member" \
	"$(head -n1 "$lf" | cut -d' ' -f1)" "$loops"
n=$(grep -n '^cycle-' "$STATE/build-list" | cut -d: -f1 | tr '\n' ' ')
check_eq "the cycle stays together" "$(seq -s' ' "${n%% *}" $((${n%% *} + 2))) " "$n"
meta_consistent "build-meta in build order"

# breaking the cycle removes the loop file
pkgbuild "$U/cycle-c" cycle-c 2
commit "$U" "break the cycle"
gpu
expect "cycle broken" 0
check_eq "no loop any more" "" "$(ls "$STATE/loops")"
check_order "and a plain order" cycle-c cycle-b cycle-a after-cycle

# an unchanged list keeps its order on the next change
before=$(awk '{print $1}' "$STATE/build-list" | grep -v chain-d)
pkgbuild "$U/chain-d" chain-d 2 "" chain-c
commit "$U" "chain-d 2"
gpu
expect "small change" 0
check_eq "the order of the others is stable" "$before" \
	"$(awk '{print $1}' "$STATE/build-list" | grep -v chain-d)"

echo "1..$_n"
