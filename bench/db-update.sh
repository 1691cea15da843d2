# db-update against repo-add/repo-remove on the same machine, in one run:
# 500 tested packages (new versions, really signed by a slave's key) move
# from a testing repository into a 5,000-package stable one. The user's
# way is repo-add of the 500 into stable and repo-remove of them from
# testing. Prints the ratio (their time / db-update's) next to the target
# of issue #10; exits 1 if it is missed.
# BENCH_PACKAGES=N and BENCH_MOVE=M change the sizes (for a quick look).
set -u
top=${SLIPWAY_TOP:?run through bench/run}
bin=${SLIPWAY_BIN:?run through bench/run}
n=${BENCH_PACKAGES:-5000}
m=${BENCH_MOVE:-500}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-db-update.XXXXXX")
trap 'gpgconf --homedir "$W/gpg" --kill all >/dev/null 2>&1; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$W"' EXIT
C1=1111111111111111111111111111111111111111
C2=2222222222222222222222222222222222222222

. "$top/bench/lib.bash"

# the packages: version 1 of all n in stable, version 2 of the first m in testing
"$top/bench/gen-small-packages" "$W/v1" bench 1 "$n" 1
"$top/bench/gen-small-packages" "$W/v2" bench 1 "$m" 2
mkdir -p -m 700 "$W/gpg"
gpg --homedir "$W/gpg" --batch --pinentry-mode loopback --passphrase '' \
	--quick-gen-key "bench <bench@example.org>" ed25519 sign never >/dev/null 2>&1
key=$(gpg --homedir "$W/gpg" --with-colons --list-secret-keys | awk -F: '/^fpr/ { print $10; exit }')
# one gpg per file, a few at a time (a gpg is mostly waiting for its agent)
printf '%s\0' "$W"/v2/*.pkg.tar.gz | xargs -0 -P 4 -I{} gpg --homedir "$W/gpg" \
	--batch --yes -u "$key" --detach-sign --no-armor -o {}.sig {}

# the master: pool, links, databases, states
M=$W/m
R=$M/repos
S=$R/extra/os/x86_64
T=$R/extra-testing/os/x86_64
mkdir -p "$M/state/package-states" "$R/pool" "$S" "$T"
cat >"$M/master.conf" <<EOF
[master]
state_dir = state
repo_dir = repos
arch = x86_64
gnupg_home = $W/gpg

[repository extra]
staging = extra-staging
testing = extra-testing

[slave bench]
key = $key
EOF
cp "$W"/v1/* "$W"/v2/* "$R/pool/"
# the links, as return-assignment and db-update make them (one ln for all)
(cd "$R/pool" && printf '../../../pool/%s\0' bench-*-1-x86_64.pkg.tar.gz* | xargs -0 ln -s -t "$S")
(cd "$R/pool" && printf '../../../pool/%s\0' bench-*-2-x86_64.pkg.tar.gz* | xargs -0 ln -s -t "$T")
"$bin/repo-db" -q add "$S/extra.db.tar.gz" "$S"/*.pkg.tar.gz
"$bin/repo-db" -q add "$T/extra-testing.db.tar.gz" "$T"/*.pkg.tar.gz
for f in "$W"/v2/*.pkg.tar.gz; do
	f=${f##*/}
	id=${f%%-1.*}.$C1.$C2.extra
	echo "$f" >"$M/state/package-states/$id.testing"
	echo "$f" >"$M/state/package-states/$id.tested"
done
# repo-add's copy of the two databases, with the package files beside them
mkdir -p "$W/ra/extra" "$W/ra/testing"
cp -a "$S"/extra.db* "$S"/extra.files* "$W/ra/extra/"
cp -a "$T"/extra-testing.db* "$T"/extra-testing.files* "$W/ra/testing/"
cp -l "$W"/v2/* "$W/ra/extra/"
names=$(cd "$W/v2" && ls ./*.pkg.tar.gz | sed 's|^\./||; s|-1\.[0-9]*-2-x86_64.pkg.tar.gz$||')

echo "db-update vs repo-add/repo-remove: promote $m of $n, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
timed ra bash -c "cd '$W/ra/extra' && repo-add -q extra.db.tar.gz ./*-2-x86_64.pkg.tar.gz &&
	cd '$W/ra/testing' && repo-remove -q extra-testing.db.tar.gz $(echo $names)"
timed du env SLIPWAY_CONFIG="$M/master.conf" "$bin/db-update" -q

[ "$("$bin/repo-db" list "$S/extra.db.tar.gz" | grep -c ' 1\.[0-9]*-2$')" -eq "$m" ] ||
	{ echo "db-update: stable does not hold the $m new versions" >&2; status=1; }
[ "$("$bin/repo-db" list "$T/extra-testing.db.tar.gz" | wc -l)" -eq 0 ] ||
	{ echo "db-update: testing is not empty" >&2; status=1; }
ratio "promote $m of $n" repo-add+remove "$ra" db-update "$du" 20
exit $status
