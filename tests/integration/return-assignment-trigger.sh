# Name-based rebuild triggers (the customizations' rebuild-triggers), end
# to end with real makepkg in bubblewrap: tpl-plugin names tpl-host as its
# trigger. Both are built and published; a new upstream version of
# tpl-host, when return-assignment accepts it, queues tpl-plugin as the
# farm's bump 1 of its published build, with the reason "rebuild: trigger
# tpl-host 2-1" in the rebuilds file, why-dont-you and build-master-status;
# tpl-other, which names no trigger, stays as it is; tpl-x, which names
# tpl-plugin, is not rebuilt when the triggered tpl-plugin is accepted
# (triggers do not chain). A trigger line that names an invalid pkgname is
# skipped with a warning naming file and line; a trigger whose pkgbase has
# no published build in the line queues nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"
. "$(dirname "$0")/repo-lib.bash"

for p in /usr/bin/bwrap /usr/bin/makepkg; do
	[ -x "$p" ] || { not_ok "$p is installed"; exit 1; }
done
FA=$(gpg_key alpha "$T/ka") && FR=$(gpg_key repo "$T/mk") || { not_ok "gpg keys"; exit 1; }
gpg --homedir "$T/ka" --export "$FA" | gpg --homedir "$T/mk" --batch --import 2>/dev/null

U=$T/upstream C=$T/custom
git_init "$U"
git_init "$C"
pkgbuild "$U/tpl-host" tpl-host 1
pkgbuild "$U/tpl-plugin" tpl-plugin 1
pkgbuild "$U/tpl-other" tpl-other 1
pkgbuild "$U/tpl-x" tpl-x 1
commit "$U" init
cat >"$C/rebuild-triggers" <<'EOF'
# pkgbase      trigger pkgnames
tpl-plugin     tpl-host
tpl-other      Bad!Name
tpl-nowhere    tpl-host
tpl-x          tpl-plugin
EOF
commit "$C" init
conf "gnupg_home = $T/mk
repo_key = $FR

[source up]
url = $U
branch = main
layout = pkgbase
repository = extra" "[customizations]
url = $C
branch = main" "$(repo_section extra)" "[slave alpha]
key = $FA"
export SLIPWAY_CONFIG=$CONF

mkdir -p "$T/work"
chmod 755 "$T/work"
cat >"$T/slave.conf" <<EOF
[slave]
name = alpha
master = slipway@127.0.0.1
work_dir = $T/work
gpg_key = $FA
gnupg_home = $T/ka
build_uid = $((61000 + $$ % 3000))
EOF

rev_of() { awk -v b="$1" '$1 == b {print $3}' "$STATE/build-list"; }

# build_return WHAT: get-assignment, get-sources, makepkg (build-packages
# -l), return-assignment; $ID the assignment
build_return() {
	local b=$T/b pb
	run sc alpha get-assignment
	expect "get-assignment hands out $1" 0
	ID=$out
	pb=${ID%% *}
	rm -rf "$b" && mkdir -p "$b/$pb"
	sc alpha get-sources $ID >"$T/src.tar" && tar -C "$b/$pb" -xf "$T/src.tar" ||
		{ not_ok "get-sources ($1)"; return 1; }
	run "$BIN/build-packages" -c "$T/slave.conf" -l "$b/$pb"
	expect "makepkg builds $1" 0
	(cd "$b/$pb" && tar -cf "$T/up.tar" "$pb"-*.pkg.tar.*)
	run sc alpha return-assignment $ID <"$T/up.tar"
	expect "return-assignment accepts $1" 0
}


gpu
expect "get-package-updates queues the four, warning of the bad trigger" 0 \
	"rebuild-triggers:3: skipped: invalid pkgname 'Bad!Name'"
check_eq "the triggers are recorded as the customizations say" \
	"tpl-nowhere tpl-host
tpl-plugin tpl-host
tpl-x tpl-plugin" "$(sort "$STATE/rebuild-triggers")"
# in build order: no dependencies, so by name
hand_return tpl-host 1-1
hand_return tpl-other 1-1
hand_return tpl-plugin 1-1
hand_return tpl-x 1-1
check_eq "the build list is empty, nothing was triggered by the first builds" \
	"" "$(bl)"

# ---------------------------------------------------------------- the trigger
sed -i 's/^pkgver=1$/pkgver=2/' "$U/tpl-host/PKGBUILD"
commit "$U" "tpl-host 2"
gpu
expect "get-package-updates queues tpl-host 2" 0
check_eq "only tpl-host is queued" "tpl-host extra" "$(bl)"
build_return "tpl-host 2-1"
check_eq "tpl-plugin comes onto the list, alone" "tpl-plugin extra" "$(bl)"
check_eq "as the farm's bump 1 of its published build" "$(head_of "$C")+1" \
	"$(rev_of tpl-plugin)"
check_eq "the rebuilds file names the trigger" "rebuild: trigger tpl-host 2-1" \
	"$(awk '$1 == "tpl-plugin" { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' \
	"$STATE/rebuilds")"
grep -q "queued 'tpl-plugin\..*built as 1-1\.1: rebuild: trigger tpl-host 2-1" <<<"$err" &&
	ok "return-assignment logs the queued rebuild" ||
	not_ok "return-assignment logs the queued rebuild" "stderr: $err"
run "$BIN/why-dont-you" build tpl-plugin
expect_out "why-dont-you gives the reason" 0 "rebuild: trigger tpl-host 2-1"
run "$BIN/build-master-status" --json
expect_out "the status page gives the reason" 0 "rebuild: trigger tpl-host 2-1"
hand_return tpl-plugin 1-1.1 1.1
check_eq "the rebuild leaves the list, its reason with it, and tpl-x is not queued" "|" \
	"$(bl)|$(cat "$STATE/rebuilds")"

# ---------------------------------------------------------------- triggers change
printf 'tpl-other tpl-host\n' >"$C/rebuild-triggers"
commit "$C" "tpl-other follows tpl-host now"
gpu
expect "a changed rebuild-triggers" 0
check_eq "is recorded at the next run" "tpl-other tpl-host" \
	"$(cat "$STATE/rebuild-triggers")"
check_eq "and queues nothing by itself" "" "$(bl)"
run "$BIN/sanity-check"
expect "sanity-check finds nothing wrong" 0
