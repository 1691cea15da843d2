# Helpers for the slave protocol tests, sourced after lib.sh and
# repo-lib.bash: a master with slaves alpha and beta and their keys, build
# lists, slave-connect calls, uploads, and digests of the whole master.

C1=1111111111111111111111111111111111111111
C2=2222222222222222222222222222222222222222
C3=3333333333333333333333333333333333333333

# master_setup [EXTRA-MASTER-KEYS]: $M/master.conf with state $M/state and
# repositories $M/repos; slaves alpha (key $FA in $T/ka) and beta ($FB in
# $T/kb); the master's keyring $T/mk holds both public keys and the
# repository key $FR. SLIPWAY_CONFIG points at it.
master_setup() {
	M=$T/master
	mkdir -p "$M/state" "$M/repos"
	FA=$(gpg_key alpha "$T/ka") || return 1
	FB=$(gpg_key beta "$T/kb") || return 1
	FR=$(gpg_key repo "$T/mk") || return 1
	[ -n "$FA" ] && [ -n "$FB" ] && [ -n "$FR" ] || return 1
	gpg --homedir "$T/ka" --export "$FA" | gpg --homedir "$T/mk" --batch --import 2>/dev/null
	gpg --homedir "$T/kb" --export "$FB" | gpg --homedir "$T/mk" --batch --import 2>/dev/null
	cat >"$M/master.conf" <<-EOF
	[master]
	state_dir = state
	repo_dir = repos
	arch = x86_64
	lease_timeout = 600
	broken_retries = 2
	broken_retry_delay = 0
	max_upload_size = 1M
	repo_key = $FR
	gnupg_home = $T/mk
	${1:-}

	[repository core]
	staging = core-staging
	testing = core-testing

	[repository extra]
	staging = extra-staging
	testing = extra-testing

	[slave alpha]
	key = $FA

	[slave beta]
	key = $FB

	[slave gamma]
	key = $FB
	max_assignments = 2
	EOF
	export SLIPWAY_CONFIG=$M/master.conf
}

# set_list "PKGBASE REPO VERSION PKGNAMES DEPS" ...: the build list (commits
# C1 C2) and build-meta, in this order.
set_list() {
	local e b r v n d
	: >"$M/state/build-list"
	: >"$M/state/build-meta"
	for e in "$@"; do
		read -r b r v n d <<<"$e"
		echo "$b $C1 $C2 $r" >>"$M/state/build-list"
		echo "$b $r upstream $r/$b - $v $n ${d:--}" >>"$M/state/build-meta"
	done
}

# sc_in FILE SLAVE COMMAND: the same, with FILE on standard input.
sc_in() {
	local in=$1
	shift
	sc "$@" <"$in"
}

# digest: state and repositories, byte for byte
digest() {
	echo "$(tree_digest "$M/state") $(tree_digest "$M/repos")"
}

# state_file ID STATE: the path of a package state file
state_file() {
	echo "$M/state/package-states/$1.$2"
}
