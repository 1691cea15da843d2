# Scheduled rebuilds: a customization directory's .slipway/schedule
# ("daily" or "weekly") makes get-package-updates queue the published
# build of a VCS package again, as the farm's next bump, once its last
# build was queued that long ago, even when no git head moved. The
# schedule's clock lives in state_dir/schedules (set back here by hand to
# stand for the days that pass); a bad schedule file is named and skipped;
# a package without one is never queued by it. Packages are returned by
# hand (no makepkg: what is inside does not matter here).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/updates-helpers.bash"
. "$(dirname "$0")/repo-lib.bash"

slave_key_alpha || { not_ok "gpg key"; exit 1; }

U=$T/upstream C=$T/custom
git_init "$U"
git_init "$C"
pkgbuild "$U/vcs-git" vcs-git 1
pkgbuild "$U/plain" plain 1
commit "$U" init
mkdir -p "$C/extra/vcs-git/.slipway" "$C/extra/ghost/.slipway"
printf '# rebuilt every day\ndaily\n' >"$C/extra/vcs-git/.slipway/schedule"
printf 'hourly\n' >"$C/extra/ghost/.slipway/schedule"
commit "$C" init
conf "gnupg_home = $T/mk

[source up]
url = $U
branch = main
layout = pkgbase
repository = extra" "[customizations]
url = $C
branch = main" "$(repo_section extra)" "[slave alpha]
key = $FA"
export SLIPWAY_CONFIG=$CONF

sched() { cat "$STATE/schedules" 2>/dev/null; }
# set_last SECONDS-AGO: the schedule of vcs-git was last queued that long ago
set_last() {
	local t=$(($(date +%s) - $1))
	sed -i "s/^extra vcs-git \([a-z]*\) [0-9]*\$/extra vcs-git \1 $t/" "$STATE/schedules"
}
last_age() { echo $(($(date +%s) - $(awk '$2 == "vcs-git" {print $4}' "$STATE/schedules"))); }

start=$(date +%s)
gpu
expect "the first run queues both, naming the bad schedule file" 0 \
	"extra/ghost/\\.slipway/schedule:1: expected 'daily' or 'weekly': skipped"
check_list "both are queued" "plain extra" "vcs-git extra"
check_eq "the schedule is recorded" "extra vcs-git daily" \
	"$(awk '{print $1, $2, $3}' "$STATE/schedules")"
check "its clock starts at the run" test "$(awk '{print $4}' "$STATE/schedules")" -ge "$start"
hand_return plain 1-1
hand_return vcs-git 1-1

gpu
expect "a run within the day" 0
check_eq "queues nothing" "" "$(bl)"

set_last $((25 * 3600))
before=$(sched)
gpu
expect "a day later, with no head moved, the run queues vcs-git" 0 \
	"1 scheduled rebuild\\(s\\) queued"
check_eq "only vcs-git" "vcs-git extra" "$(bl)"
check_eq "as the farm's bump 1 of its published build" "$(head_of "$C")+1" \
	"$(awk '$1 == "vcs-git" {print $3}' "$STATE/build-list")"
check_eq "with its reason" "rebuild: schedule daily" \
	"$(awk '$1 == "vcs-git" { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' \
	"$STATE/rebuilds")"
check "its clock starts again" test "$(last_age)" -lt 3600
run "$BIN/why-dont-you" build vcs-git
expect_out "why-dont-you gives the reason" 0 "rebuild: schedule daily"

set_last $((25 * 3600))
gpu
expect "a day on, while the rebuild is pending" 0
check_eq "nothing is queued twice" "vcs-git extra" "$(bl)"
check "the clock starts again all the same" test "$(last_age)" -lt 3600

hand_return vcs-git 1-1.1 1.1

# weekly: the same clock, a longer period
printf 'weekly\n' >"$C/extra/vcs-git/.slipway/schedule"
rm -r "$C/extra/ghost"
commit "$C" "vcs-git weekly"
gpu
expect "the schedule becomes weekly" 0
check_eq "recorded, and the bad one is gone" "extra vcs-git weekly" \
	"$(awk '{print $1, $2, $3}' "$STATE/schedules")"
# the customization change re-queued vcs-git (its directory changed)
check_eq "the changed customization queued vcs-git, as any change does" \
	"vcs-git extra" "$(bl)"
hand_return vcs-git 1-1.2 1.2
set_last $((3 * 86400))
gpu
expect "three days on" 0
check_eq "a weekly schedule queues nothing" "" "$(bl)"
set_last $((8 * 86400))
gpu
expect "eight days on" 0 "1 scheduled rebuild\\(s\\) queued"
check_eq "it queues vcs-git" "vcs-git extra" "$(bl)"
check_eq "with the weekly reason" "rebuild: schedule weekly" \
	"$(awk '$1 == "vcs-git" { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' \
	"$STATE/rebuilds")"

# a schedule taken out leaves the state
rm -r "$C/extra/vcs-git/.slipway"
commit "$C" "no schedule"
gpu
expect "the schedule file removed" 0
check_eq "schedules is empty" "" "$(sched)"

printf 'extra vcs-git monthly 1\n' >"$STATE/schedules"
gpu
expect "a malformed schedules file is an error naming file and line" 2 \
	"schedules:1: 'monthly' is not daily or weekly"
: >"$STATE/schedules"
run "$BIN/sanity-check"
expect "sanity-check finds nothing wrong" 0
