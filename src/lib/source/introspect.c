#include "source/introspect.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/number.h"
#include "source/pkgdump.h"
#include "core/run.h"

/*
 * The reader: bash, started once per batch. Arguments: CARCH (may be
 * empty), CPU seconds, memory KiB, a scratch directory, the process limit,
 * the output limit in KiB. Input on stdin,
 * NUL-terminated: a nonce, then one directory per PKGBUILD. Output on
 * stdout, per directory: "B nonce seq", the record of pkgdump.h written by
 * the PKGBUILD's own subshell, "W nonce text" with the first 2 KiB of what
 * it printed (stdout and stderr), "E nonce seq status". The PKGBUILD runs
 * with stdout and stderr going to a scratch file and without the pipe to
 * us; only the reader's last printf writes the record. The reader runs
 * it in the background and watches the number of processes in the sandbox
 * (its own /proc): near the limit (RLIMIT_NPROC, which the kernel counts
 * per user namespace, so per sandbox) it kills every other process and
 * ends the PKGBUILD with status 95; processes a PKGBUILD leaves behind are
 * killed and it ends with 93; a PKGBUILD that prints up to the output
 * limit ends with 94 (or dies of SIGXFSZ). It mirrors
 * makepkg 6.0.2 (libmakepkg/srcinfo.sh, util/pkgbuild.sh): the PKGBUILD is
 * sourced inside a function with extglob off; package functions are read
 * from `declare -f` text, line by line, matching "  name=" / "  name+=",
 * and each matching line is evaluated with the pkgbase value as start,
 * with pkgname set to the package, as makepkg does.
 */
static const char script[] =
	"shopt -s extglob\n"
	"__sw_carch=$1 __sw_cpu=$2 __sw_mem=$3 __sw_tmp=$4 __sw_nproc=$5 __sw_fsize=$6\n"
	"if [[ -r /etc/makepkg.conf ]]; then\n"
	"\tsource /etc/makepkg.conf </dev/null >/dev/null 2>&1\n"
	"fi\n"
	"[[ -n $__sw_carch ]] && CARCH=$__sw_carch\n"
	"ulimit -v \"$__sw_mem\" 2>/dev/null\n"
	"ulimit -u \"$__sw_nproc\" 2>/dev/null\n"
	"declare -r makepkg_version=6.0.2 confdir=/etc BUILDSCRIPT=PKGBUILD\n"
	"declare -ra known_hash_algos=(ck md5 sha1 sha224 sha256 sha384 sha512 b2)\n"
	"declare -ra pkgbuild_schema_arrays=(arch backup checkdepends conflicts depends\n"
	"\tgroups license makedepends noextract optdepends options provides replaces\n"
	"\tsource validpgpkeys cksums md5sums sha1sums sha224sums sha256sums sha384sums\n"
	"\tsha512sums b2sums)\n"
	"declare -ra pkgbuild_schema_strings=(changelog epoch install pkgbase pkgdesc\n"
	"\tpkgrel pkgver url)\n"
	"declare -ra pkgbuild_schema_arch_arrays=(checkdepends conflicts depends\n"
	"\tmakedepends optdepends provides replaces source cksums md5sums sha1sums\n"
	"\tsha224sums sha256sums sha384sums sha512sums b2sums)\n"
	"declare -ra pkgbuild_schema_package_overrides=(pkgdesc arch url license groups\n"
	"\tdepends optdepends provides conflicts replaces backup options install\n"
	"\tchangelog)\n"
	"__sw_re='^[[:space:]]* (([[:alnum:]_]+)\\+?=(.).*)$'\n"
	"__sw_arch_attrs=(source provides conflicts depends replaces optdepends\n"
	"\tmakedepends checkdepends cksums md5sums sha1sums sha224sums sha256sums\n"
	"\tsha384sums sha512sums b2sums)\n"
	"\n"
	"__sw_var() {\n"
	"\tlocal -n __sw_r=$1\n"
	"\tlocal __sw_t=s\n"
	"\tcase ${__sw_r@a} in *A*) __sw_t=A ;; *a*) __sw_t=a ;; esac\n"
	"\t__sw_o+=(V \"$1\" \"$__sw_t\" \"${#__sw_r[@]}\" \"${__sw_r[@]}\")\n"
	"}\n"
	"\n"
	"__sw_source() {\n"
	"\tshopt -u extglob\n"
	"\tsource \"$1\"\n"
	"}\n"
	"\n"
	"__sw_file() {\n"
	"\t[[ -n $2 && ! -f $2 ]] && __sw_o+=(M \"$1\" \"$2\")\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"__sw_ov() {\n"
	"\tlocal attr=$1 isarray=$2 __sw_i __sw_hit=0\n"
	"\tif (( isarray )); then\n"
	"\t\t__sw_val=()\n"
	"\t\tif [[ -v $attr || ${!attr@a} ]]; then\n"
	"\t\t\tlocal -n __sw_g=$attr\n"
	"\t\t\t(( ${#__sw_g[@]} )) && __sw_val=(\"${__sw_g[@]}\")\n"
	"\t\tfi\n"
	"\telse\n"
	"\t\t__sw_val=${!attr}\n"
	"\tfi\n"
	"\tfor __sw_i in ${__sw_ix[$attr]}; do\n"
	"\t\tif (( isarray )); then\n"
	"\t\t\t[[ ${__sw_af[__sw_i]} == '(' ]] || continue\n"
	"\t\telse\n"
	"\t\t\t[[ ${__sw_af[__sw_i]} != '(' ]] || continue\n"
	"\t\tfi\n"
	"\t\teval \"__sw_val${__sw_ad[__sw_i]#\"$attr\"}\"\n"
	"\t\t__sw_hit=1\n"
	"\tdone\n"
	"\treturn $(( !__sw_hit ))\n"
	"}\n"
	"\n"
	"__sw_emit() {\n"
	"\t__sw_ov \"$1\" \"$2\" || return 0\n"
	"\t__sw_o+=(O \"$1\" \"${#__sw_val[@]}\" \"${__sw_val[@]}\")\n"
	"\tif [[ $1 == install || $1 == changelog ]]; then\n"
	"\t\t__sw_file \"$1\" \"$__sw_val\"\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"__sw_package() {\n"
	"\tlocal pkgname=$1 pkg=$1 attr a __sw_l __sw_val __sw_names=' '\n"
	"\tlocal -a __sw_af=() __sw_ad=() __sw_lines=() __sw_parch=()\n"
	"\tlocal -A __sw_ix=()\n"
	"\t__sw_o+=(P \"$1\")\n"
	"\t{ declare -f \"package_$1\" || declare -f package; } >\"$__sw_tmp/f\" 2>/dev/null\n"
	"\tmapfile -t __sw_lines <\"$__sw_tmp/f\"\n"
	"\tfor __sw_l in \"${__sw_lines[@]}\"; do\n"
	"\t\t[[ $__sw_l == *=* && $__sw_l =~ $__sw_re ]] || continue\n"
	"\t\t__sw_ix[${BASH_REMATCH[2]}]+=\" ${#__sw_af[@]}\"\n"
	"\t\t__sw_af+=(\"${BASH_REMATCH[3]}\")\n"
	"\t\t__sw_ad+=(\"${BASH_REMATCH[1]}\")\n"
	"\t\t__sw_names+=\"${BASH_REMATCH[2]} \"\n"
	"\t\t__sw_o+=(F \"${BASH_REMATCH[2]}\" \"${BASH_REMATCH[3]}\")\n"
	"\tdone\n"
	"\t[[ $__sw_names == ' ' ]] && return 0\n"
	"\tfor attr in pkgdesc url install changelog; do\n"
	"\t\t[[ $__sw_names == *\" $attr \"* ]] && __sw_emit \"$attr\" 0\n"
	"\tdone\n"
	"\tfor attr in arch groups license checkdepends depends optdepends provides \\\n"
	"\t    conflicts replaces options backup; do\n"
	"\t\t[[ $__sw_names == *\" $attr \"* ]] && __sw_emit \"$attr\" 1\n"
	"\tdone\n"
	"\t__sw_parch=(\"${arch[@]}\")\n"
	"\tif [[ $__sw_names == *\" arch \"* ]] && __sw_ov arch 1; then\n"
	"\t\t__sw_parch=(\"${__sw_val[@]}\")\n"
	"\tfi\n"
	"\tfor a in \"${__sw_parch[@]}\"; do\n"
	"\t\t[[ $a == any || $__sw_names != *_\"$a \"* ]] && continue\n"
	"\t\tfor attr in \"${__sw_arch_attrs[@]}\"; do\n"
	"\t\t\t[[ $__sw_names == *\" ${attr}_$a \"* ]] && __sw_emit \"${attr}_$a\" 1\n"
	"\t\tdone\n"
	"\tdone\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"__sw_child() {\n"
	"\tunset __sw_nonce\n"
	"\texec 3>&1 >\"$__sw_tmp/err\" 2>&1 </dev/null\n"
	"\t[[ -z $__sw_sfd ]] || exec {__sw_sfd}>&-\n"
	"\tulimit -f \"$__sw_fsize\" 2>/dev/null\n"
	/* SIGXCPU first (reported), then a hard limit it cannot lift */
	"\tulimit -S -t \"$__sw_cpu\" 2>/dev/null\n"
	"\tulimit -H -t $((__sw_cpu + 1)) 2>/dev/null\n"
	"\tcd -P -- \"$1\" || exit 96\n"
	"\tdeclare -r startdir=$PWD\n"
	"\tBUILDFILE=$startdir/PKGBUILD\n"
	"\tif [[ ! -f $BUILDFILE ]]; then\n"
	"\t\techo \"PKGBUILD does not exist.\"\n"
	"\t\texit 96\n"
	"\tfi\n"
	"\tlocal __sw_c=\n"
	"\tIFS= read -r -d '' __sw_c <\"$BUILDFILE\"\n"
	"\tif [[ $__sw_c == *$'\\r'* ]]; then\n"
	"\t\techo \"PKGBUILD contains CRLF characters and cannot be sourced.\"\n"
	"\t\texit 96\n"
	"\tfi\n"
	"\tunset __sw_c\n"
	"\tif ! __sw_source \"$BUILDFILE\" 3>&-; then\n"
	"\t\techo \"Failed to source PKGBUILD\"\n"
	"\t\texit 97\n"
	"\tfi\n"
	"\tset +euo pipefail\n"
	"\tshopt -s extglob\n"
	"\tpkgbase=${pkgbase:-${pkgname[0]}}\n"
	"\tlocal -a __sw_o=()\n"
	"\tlocal __sw_n __sw_v\n"
	"\tlocal -A __sw_seen=()\n"
	"\tfor __sw_n in pkgname \"${pkgbuild_schema_strings[@]}\" \\\n"
	"\t    \"${pkgbuild_schema_arrays[@]}\"; do\n"
	"\t\t[[ -v $__sw_n || ${!__sw_n@a} ]] && __sw_var \"$__sw_n\"\n"
	"\tdone\n"
	"\tfor __sw_v in \"${arch[@]}\"; do\n"
	"\t\t[[ $__sw_v == +([[:alnum:]_]) && -z ${__sw_seen[$__sw_v]} ]] || continue\n"
	"\t\t__sw_seen[$__sw_v]=1\n"
	"\t\tfor __sw_n in \"${pkgbuild_schema_strings[@]/%/_$__sw_v}\" \\\n"
	"\t\t    \"${pkgbuild_schema_arrays[@]/%/_$__sw_v}\"; do\n"
	"\t\t\t[[ -v $__sw_n || ${!__sw_n@a} ]] && __sw_var \"$__sw_n\"\n"
	"\t\tdone\n"
	"\tdone\n"
	"\t__sw_file install \"$install\"\n"
	"\t__sw_file changelog \"$changelog\"\n"
	"\tfor __sw_n in package build \"${pkgname[@]/#/package_}\"; do\n"
	"\t\tdeclare -F -- \"$__sw_n\" >/dev/null && __sw_o+=(H \"$__sw_n\")\n"
	"\tdone\n"
	"\tBUILDDIR=${BUILDDIR:-$startdir}\n"
	"\tsrcdir=$BUILDDIR/src pkgdirbase=$BUILDDIR/pkg\n"
	"\tpkgdir=$pkgdirbase/$pkgbase\n"
	"\tif (( epoch > 0 )); then\n"
	"\t\tbasever=$epoch:$pkgver-$pkgrel\n"
	"\telse\n"
	"\t\tbasever=$pkgver-$pkgrel\n"
	"\tfi\n"
	"\tSPLITPKG=0\n"
	"\tif (( ${#pkgname[@]} > 1 )) || declare -F -- \"package_$pkgname\" >/dev/null; then\n"
	"\t\tSPLITPKG=1\n"
	"\tfi\n"
	"\tfor __sw_n in \"${pkgname[@]}\"; do\n"
	"\t\t__sw_package \"$__sw_n\" 3>&-\n"
	"\tdone\n"
	"\t__sw_o+=(D)\n"
	"\tbuiltin printf '%s\\0' \"${__sw_o[@]}\" >&3\n"
	"\texit 0\n"
	"}\n"
	"\n"
	"# worker mode: one PKGBUILD, read at the top level of a fresh bash\n"
	"if [[ -n $7 ]]; then\n"
	"\t__sw_child \"$7\"\n"
	"fi\n"
	"\n"
	"# a descriptor that never has data: read -t on it sleeps without a fork\n"
	"mkfifo -- \"$__sw_tmp/sleep\" && exec {__sw_sfd}<>\"$__sw_tmp/sleep\" || exit 2\n"
	"\n"
	"# kills every process of the sandbox but pid 1 and ours, and waits\n"
	"# until they are gone (reaped by pid 1)\n"
	"__sw_reap() {\n"
	"\tlocal -a __sw_p=(/proc/[0-9]*)\n"
	"\tlocal __sw_k=0\n"
	"\twhile (( ${#__sw_p[@]} > 2 && __sw_k++ < 5000 )); do\n"
	"\t\tkill -9 -1 2>/dev/null\n"
	"\t\tread -r -t 0.001 -u \"$__sw_sfd\"\n"
	"\t\t__sw_p=(/proc/[0-9]*)\n"
	"\tdone\n"
	"}\n"
	"\n"
	"# runs \"$@\" in the background and waits for it, watching the number of\n"
	"# processes: near the limit, 95; processes left behind when it ends, 93.\n"
	"# Either way every other process of the sandbox is killed.\n"
	"__sw_watch() {\n"
	"\tlocal __sw_pid __sw_s __sw_i=0 __sw_st\n"
	"\tlocal -a __sw_p __sw_ts=(0.001 0.002 0.004 0.008 0.016 0.032 0.05)\n"
	"\t\"$@\" &\n"
	"\t__sw_pid=$!\n"
	"\twhile IFS= read -r __sw_s 2>/dev/null <\"/proc/$__sw_pid/stat\" &&\n"
	"\t    [[ $__sw_s != *') Z '* ]]; do\n"
	"\t\t__sw_p=(/proc/[0-9]*)\n"
	"\t\tif (( ${#__sw_p[@]} >= __sw_nproc - 4 )); then\n"
	"\t\t\t__sw_reap\n"
	"\t\t\twait \"$__sw_pid\"\n"
	"\t\t\treturn 95\n"
	"\t\tfi\n"
	"\t\tread -r -t \"${__sw_ts[__sw_i]}\" -u \"$__sw_sfd\"\n"
	"\t\t(( __sw_i < 6 && __sw_i++ ))\n"
	"\tdone\n"
	"\twait \"$__sw_pid\"\n"
	"\t__sw_st=$?\n"
	"\t__sw_p=(/proc/[0-9]*)\n"
	"\t(( ${#__sw_p[@]} > 2 )) || return $__sw_st\n"
	"\t__sw_reap\n"
	"\t(( ${#__sw_p[@]} >= __sw_nproc - 4 )) && return 95\n"
	"\treturn 93\n"
	"}\n"
	"\n"
	"IFS= read -r -d '' __sw_nonce || exit 2\n"
	"__sw_seq=0\n"
	"while IFS= read -r -d '' __sw_dir; do\n"
	"\tbuiltin printf 'B\\0%s\\0%s\\0' \"$__sw_nonce\" \"$__sw_seq\"\n"
	"\t__sw_watch __sw_child \"$__sw_dir\"\n"
	"\t__sw_st=$?\n"
	"\t# A subshell dies of errors that the top level of makepkg survives\n"
	"\t# (a bad substitution, a readonly assignment): read it again there.\n"
	"\tif (( __sw_st != 0 && __sw_st < 93 || __sw_st > 97 && __sw_st < 128 )); then\n"
	"\t\t__sw_watch \"$BASH\" --noprofile --norc -c \"$BASH_EXECUTION_STRING\" \\\n"
	"\t\t\t\"$0\" \"$__sw_carch\" \"$__sw_cpu\" \"$__sw_mem\" \"$__sw_tmp\" \\\n"
	"\t\t\t\"$__sw_nproc\" \"$__sw_fsize\" \"$__sw_dir\"\n"
	"\t\t__sw_st=$?\n"
	"\tfi\n"
	"\tif [[ -s $__sw_tmp/err ]]; then\n"
	"\t\t__sw_s=$(wc -c <\"$__sw_tmp/err\")\n"
	"\t\t(( __sw_s >= __sw_fsize * 1024 && __sw_st != 95 )) && __sw_st=94\n"
	"\t\tIFS= read -r -d '' -N 2048 __sw_m <\"$__sw_tmp/err\"\n"
	"\t\tbuiltin printf 'W\\0%s\\0%s\\0' \"$__sw_nonce\" \"$__sw_m\"\n"
	"\tfi\n"
	"\t: >\"$__sw_tmp/err\"\n"
	"\tbuiltin printf 'E\\0%s\\0%s\\0%s\\0' \"$__sw_nonce\" \"$__sw_seq\" \"$__sw_st\"\n"
	"\t(( __sw_seq++ ))\n"
	"done\n"
	"exit 0\n";

#define NONCE_LEN 32
#define ERR_CAP 8192
#define OUT_MAX (SW_PKGDUMP_MAX_SIZE + 65536)
#define MAX_JOBS 16
#define SCRATCH "/run/slipway"
#define NOBODY 65534
#define ST_LEFT 93         /* the reader's: processes left running */
#define ST_OUTPUT 94       /* the reader's: printed up to the output limit */
#define ST_PROCESSES 95    /* the reader's: came near the process limit */

struct sandbox {
	struct sw_child c;
	bool running;
	int in, out, err;           /* our ends of the pipes, -1 when closed */
	size_t *idx, nidx;          /* the items of this sandbox, in order */
	size_t first;               /* idx[first + k] is seq k of the running instance */
	size_t end;                 /* the running instance reads idx[first..end) */
	size_t done;                /* records finished by the running instance */
	size_t got;                 /* bytes read from the running instance */
	struct sw_buf input;
	size_t sent;
	struct sw_buf output;
	struct sw_buf errout;
	long deadline;
};

struct run {
	const struct sw_introspect_opts *o;
	const char *bwrap, *bash;
	struct sw_introspect_item *items;
	char nonce[NONCE_LEN + 1];
	struct sw_strvec sysargs;   /* bwrap arguments for the system directories */
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
find_program(const char *const *candidates)
{
	for (; *candidates; candidates++)
		if (access(*candidates, X_OK) == 0)
			return *candidates;
	return NULL;
}

/* --ro-bind or --symlink for /bin, /lib*, ... as they are on the host. */
static int
system_args(struct sw_strvec *a, struct sw_err *e)
{
	static const char *const dirs[] = { "/bin", "/sbin", "/lib", "/lib32",
		"/lib64", "/libx32", NULL };
	const char *const *d;
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (sw_strvec_push(a, "--ro-bind") < 0 || sw_strvec_push(a, "/usr") < 0 ||
	    sw_strvec_push(a, "/usr") < 0)
		return sw_err_sys(e, "cannot build the sandbox");
	for (d = dirs; *d; d++) {
		if (lstat(*d, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(*d, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (sw_strvec_push(a, "--symlink") < 0 ||
			    sw_strvec_push(a, target) < 0 || sw_strvec_push(a, *d) < 0)
				return sw_err_sys(e, "cannot build the sandbox");
		} else if (S_ISDIR(st.st_mode)) {
			if (sw_strvec_push(a, "--ro-bind") < 0 ||
			    sw_strvec_push(a, *d) < 0 || sw_strvec_push(a, *d) < 0)
				return sw_err_sys(e, "cannot build the sandbox");
		}
	}
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int
start(struct run *r, struct sandbox *sb, struct sw_err *e)
{
	static const char *const env_keep[] = { "TZ", NULL };
	char cpu[16], mem[24], nproc[16], fsize[24], tsize[24], ssize[24];
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct sw_strvec *a = &sb->c.argv;
	size_t i;
	int ret = -1;

	sw_child_init(&sb->c, r->bwrap);
	sw_buf_reset(&sb->input);
	sw_buf_reset(&sb->output);
	sw_buf_reset(&sb->errout);
	sb->sent = sb->done = sb->got = 0;
	sb->end = sb->nidx - sb->first > SW_INTROSPECT_BATCH_MAX ?
		sb->first + SW_INTROSPECT_BATCH_MAX : sb->nidx;
	if (sw_buf_add(&sb->input, r->nonce, NONCE_LEN + 1) < 0)
		goto nomem;
	for (i = sb->first; i < sb->end; i++)
		if (sw_buf_add(&sb->input, r->items[sb->idx[i]].dir,
		    strlen(r->items[sb->idx[i]].dir) + 1) < 0)
			goto nomem;
	snprintf(cpu, sizeof(cpu), "%u", r->o->cpu_s);
	snprintf(mem, sizeof(mem), "%lu", (unsigned long)r->o->mem_mb * 1024);
	snprintf(nproc, sizeof(nproc), "%u", r->o->nproc);
	snprintf(fsize, sizeof(fsize), "%lu", (unsigned long)r->o->out_mb * 1024);
	/* /tmp holds what the PKGBUILD writes; the scratch, its output too */
	snprintf(tsize, sizeof(tsize), "%lu", (unsigned long)r->o->out_mb << 20);
	snprintf(ssize, sizeof(ssize), "%lu", ((unsigned long)r->o->out_mb + 1) << 20);
	if (sw_strvec_push(a, r->bwrap) < 0 ||
	    sw_strvec_push(a, "--unshare-all") < 0 ||
	    sw_strvec_push(a, "--unshare-user") < 0 ||
	    sw_strvec_push(a, "--uid") < 0 || sw_strvec_push(a, "65534") < 0 ||
	    sw_strvec_push(a, "--gid") < 0 || sw_strvec_push(a, "65534") < 0 ||
	    sw_strvec_push(a, "--cap-drop") < 0 || sw_strvec_push(a, "ALL") < 0 ||
	    sw_strvec_push(a, "--die-with-parent") < 0 ||
	    sw_strvec_push(a, "--new-session") < 0)
		goto nomem;
	for (i = 0; i < r->sysargs.n; i++)
		if (sw_strvec_push(a, r->sysargs.v[i]) < 0)
			goto nomem;
	if (sw_strvec_push(a, "--ro-bind-try") < 0 ||
	    sw_strvec_push(a, "/etc/makepkg.conf") < 0 ||
	    sw_strvec_push(a, "/etc/makepkg.conf") < 0 ||
	    sw_strvec_push(a, "--dev") < 0 || sw_strvec_push(a, "/dev") < 0 ||
	    sw_strvec_push(a, "--proc") < 0 || sw_strvec_push(a, "/proc") < 0 ||
	    sw_strvec_push(a, "--size") < 0 || sw_strvec_push(a, tsize) < 0 ||
	    sw_strvec_push(a, "--tmpfs") < 0 || sw_strvec_push(a, "/tmp") < 0 ||
	    sw_strvec_push(a, "--size") < 0 || sw_strvec_push(a, ssize) < 0 ||
	    sw_strvec_push(a, "--tmpfs") < 0 || sw_strvec_push(a, SCRATCH) < 0)
		goto nomem;
	/* the batch sees its own directories, no others */
	for (i = sb->first; i < sb->end; i++)
		if (sw_strvec_push(a, "--ro-bind") < 0 ||
		    sw_strvec_push(a, r->items[sb->idx[i]].dir) < 0 ||
		    sw_strvec_push(a, r->items[sb->idx[i]].dir) < 0)
			goto nomem;
	if (sw_strvec_push(a, "--chdir") < 0 || sw_strvec_push(a, "/") < 0 ||
	    sw_strvec_push(a, r->bash) < 0 ||
	    sw_strvec_push(a, "--noprofile") < 0 ||
	    sw_strvec_push(a, "--norc") < 0 || sw_strvec_push(a, "-c") < 0 ||
	    sw_strvec_push(a, script) < 0 ||
	    sw_strvec_push(a, "slipway-pkgdump") < 0 ||
	    sw_strvec_push(a, r->o->arch ? r->o->arch : "") < 0 ||
	    sw_strvec_push(a, cpu) < 0 || sw_strvec_push(a, mem) < 0 ||
	    sw_strvec_push(a, SCRATCH) < 0 || sw_strvec_push(a, nproc) < 0 ||
	    sw_strvec_push(a, fsize) < 0 ||
	    sw_strvec_push(&sb->c.env,
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
	    sw_strvec_push(&sb->c.env, "LC_ALL=C") < 0 ||
	    sw_strvec_push(&sb->c.env, "HOME=/nonexistent") < 0 ||
	    sw_env_allow(&sb->c.env, env_keep) < 0)
		goto nomem;
	if (pipe2(inp, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0 || set_nonblock(inp[1]) < 0 ||
	    set_nonblock(outp[0]) < 0 || set_nonblock(errp[0]) < 0) {
		sw_err_sys(e, "cannot start the PKGBUILD sandbox");
		goto out;
	}
	sb->c.in = inp[0];
	sb->c.out = outp[1];
	sb->c.err = errp[1];
	/* as root, the sandbox is nobody outside too: RLIMIT_NPROC binds it */
	sb->c.uid = NOBODY;
	sb->c.gid = NOBODY;
	if (sw_child_start(&sb->c, e) < 0)
		goto out;
	sb->in = inp[1];
	sb->out = outp[0];
	sb->err = errp[0];
	inp[1] = outp[0] = errp[0] = -1;
	sb->running = true;
	sb->deadline = now_ms() + (long)r->o->timeout_s * 1000;
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot start the PKGBUILD sandbox");
out:
	for (i = 0; i < 2; i++) {
		close_fd(&inp[i]);
		close_fd(&outp[i]);
		close_fd(&errp[i]);
	}
	if (ret < 0)
		sw_child_release(&sb->c);
	return ret;
}

/* Ends the running instance (killing it if asked), reaps it. */
static int
stop(struct sandbox *sb, bool kill_it, int *status)
{
	struct sw_err ignore;
	int st = -1;

	close_fd(&sb->in);
	close_fd(&sb->out);
	close_fd(&sb->err);
	if (kill_it)
		sw_child_kill(&sb->c);
	else
		sb->c.timeout_ms = 5000;
	if (sw_child_wait(&sb->c, &st, &ignore) < 0)
		st = -1;
	sw_child_release(&sb->c);
	sb->running = false;
	if (status != NULL)
		*status = st;
	return 0;
}

static void
fail(struct sw_introspect_item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct sw_introspect_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->error, sizeof(it->error), fmt, ap);
	va_end(ap);
	it->ok = 0;
}

/*
 * The line of what the PKGBUILD printed that says most: bash's own
 * "PKGBUILD: line N: ..." if there is one, else the first line. The
 * directory is cut out and control bytes escaped.
 */
static void
diagnostic(const char *w, const char *dir, char *out, size_t size)
{
	const char *line = w, *p, *best = NULL;
	size_t dl = strlen(dir), len;
	char buf[512];

	out[0] = '\0';
	if (w == NULL)
		return;
	for (p = w; *p; ) {
		const char *nl = strchr(p, '\n');

		len = nl ? (size_t)(nl - p) : strlen(p);
		if (best == NULL && memmem(p, len, "PKGBUILD: line ", 15) != NULL)
			best = p;
		p += len + (nl != NULL);
	}
	if (best != NULL)
		line = best;
	len = strcspn(line, "\n");
	if (len > dl + 1 && strncmp(line, dir, dl) == 0 && line[dl] == '/') {
		line += dl + 1;
		len -= dl + 1;
	}
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	sw_name_quote(buf, len, out, size);
}

static void
complete(struct run *r, struct sw_introspect_item *it, const char *rec,
	size_t len, int status, const char *w)
{
	struct sw_pkgdump d;
	struct sw_err e;
	char diag[600];

	diagnostic(w, it->dir, diag, sizeof(diag));
	if (status == 128 + 24 || status == 128 + 9) {
		fail(it, "exceeded the CPU time limit of %u s", r->o->cpu_s);
		return;
	}
	if (status == ST_PROCESSES) {
		fail(it, "exceeded the limit of %u processes", r->o->nproc);
		return;
	}
	if (status == ST_LEFT) {
		fail(it, "left processes running (killed)");
		return;
	}
	if (status == ST_OUTPUT || status == 128 + 25) {
		fail(it, "printed or wrote more than the limit of %u MiB",
			r->o->out_mb);
		return;
	}
	if (w != NULL && (strstr(w, "cannot allocate") || strstr(w, "xmalloc"))) {
		fail(it, "exceeded the memory limit of %u MiB", r->o->mem_mb);
		return;
	}
	if (status == 96) {
		fail(it, "%s", diag[0] ? diag : "cannot read PKGBUILD");
		return;
	}
	if (status == 97) {
		if (strncmp(diag, "PKGBUILD: ", 10) == 0)
			fail(it, "cannot source %s", diag);
		else
			fail(it, "cannot source PKGBUILD%s%s", diag[0] ? ": " : "", diag);
		return;
	}
	if (status != 0) {
		fail(it, "PKGBUILD failed with status %d%s%s", status,
			diag[0] ? ": " : "", diag);
		return;
	}
	if (sw_pkgdump_parse(&d, rec, len, &e) < 0) {
		fail(it, "unreadable PKGBUILD data: %s", e.msg);
		return;
	}
	if (!d.done)
		fail(it, "PKGBUILD exited before it could be read");
	else if (sw_pkgdump_lint(&d, &e) < 0)
		fail(it, "%s", e.msg);
	else if (sw_pkgdump_srcinfo(&d, &it->srcinfo, &e) < 0)
		fail(it, "%s", e.msg);
	else
		it->ok = 1;
	sw_pkgdump_release(&d);
}

/* The first NUL at or after p in [p, end), or NULL. */
static const char *
nul_after(const char *p, const char *end)
{
	return p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
}

/*
 * Takes every complete record off the front of sb->output.
 * Returns 0, or -1 when the output is garbled (the instance must die).
 */
static int
records(struct run *r, struct sandbox *sb)
{
	char marker[NONCE_LEN + 8];
	size_t mlen;

	for (;;) {
		const char *buf = sb->output.data, *end = buf + sb->output.len;
		const char *hdr_end, *seq_end, *e_at, *st_end, *w_at, *w_text = NULL;
		size_t hlen = 2 + NONCE_LEN + 1, consumed, rec_end;
		struct sw_introspect_item *it;
		uint64_t seq, st;

		if (sb->output.len < hlen)
			return 0;
		if (memcmp(buf, "B", 2) != 0 || memcmp(buf + 2, r->nonce, NONCE_LEN + 1))
			return -1;
		seq_end = nul_after(buf + hlen, end);
		if (seq_end == NULL)
			return sb->output.len > hlen + 24 ? -1 : 0;
		if (sw_parse_u64(buf + hlen, 0, SIZE_MAX, &seq, NULL) < 0 ||
		    seq != sb->done || sb->first + sb->done >= sb->end)
			return -1;
		hdr_end = seq_end + 1;
		mlen = (size_t)snprintf(marker, sizeof(marker), "%cE%c%s%c", 0, 0,
			r->nonce, 0);
		e_at = memmem(hdr_end - 1, (size_t)(end - hdr_end + 1), marker, mlen);
		if (e_at == NULL)
			return sb->output.len > OUT_MAX ? -1 : 0;
		seq_end = nul_after(e_at + mlen, end);
		st_end = seq_end ? nul_after(seq_end + 1, end) : NULL;
		if (st_end == NULL)
			return 0;
		if (sw_parse_u64(seq_end + 1, 0, 255, &st, NULL) < 0)
			return -1;
		mlen = (size_t)snprintf(marker, sizeof(marker), "%cW%c%s%c", 0, 0,
			r->nonce, 0);
		w_at = memmem(hdr_end - 1, (size_t)(e_at - hdr_end + 1), marker, mlen);
		if (w_at != NULL)
			w_text = w_at + mlen;
		rec_end = (size_t)((w_at ? w_at : e_at) - buf) + 1;
		it = &r->items[sb->idx[sb->first + sb->done]];
		complete(r, it, hdr_end, rec_end > (size_t)(hdr_end - buf) ?
			rec_end - (size_t)(hdr_end - buf) : 0, (int)st, w_text);
		sb->done++;
		sb->deadline = now_ms() + (long)r->o->timeout_s * 1000;
		consumed = (size_t)(st_end + 1 - buf);
		memmove(sb->output.data, buf + consumed, sb->output.len - consumed);
		sw_buf_truncate(&sb->output, sb->output.len - consumed);
	}
}

/* The current item failed; the instance is over; the rest goes on later. */
static void
give_up_current(struct run *r, struct sandbox *sb, const char *fmt, unsigned v)
{
	size_t k = sb->first + sb->done;

	if (k < sb->end) {
		if (fmt != NULL)
			fail(&r->items[sb->idx[k]], fmt, v);
		sb->first = k + 1;
	}
}

static int
on_exit_of(struct run *r, struct sandbox *sb, struct sw_err *e)
{
	int status;
	size_t k;

	stop(sb, false, &status);
	k = sb->first + sb->done;
	if (k >= sb->end) {
		sb->first = k;
		return 0;
	}
	if (sb->got == 0 && status != 0) {
		char q[600];

		sw_name_quote(sb->errout.data, strcspn(sb->errout.data, "\n"), q,
			sizeof(q));
		return sw_err_set(e, "cannot run the PKGBUILD sandbox (status %d)%s%s",
			status, q[0] ? ": " : "", q);
	}
	give_up_current(r, sb, "the PKGBUILD reader stopped (status %u)",
		(unsigned)status);
	return 0;
}

static void
read_some(int *fd, struct sw_buf *b, size_t cap, size_t *got, bool *eof)
{
	char chunk[65536];
	ssize_t n;

	*eof = false;
	for (;;) {
		n = read(*fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (n == 0) {
			*eof = true;
			return;
		}
		if (got != NULL)
			*got += (size_t)n;
		if (b->len < cap)
			sw_buf_add(b, chunk, (size_t)n < cap - b->len ? (size_t)n :
				cap - b->len);
	}
}

static int
loop(struct run *r, struct sandbox *sbs, size_t k, struct sw_err *e)
{
	struct pollfd *p = NULL;
	int ret = -1;

	p = calloc(3 * k, sizeof(*p));
	if (p == NULL)
		return sw_err_sys(e, "cannot watch the PKGBUILD sandboxes");
	for (;;) {
		long now = now_ms(), wait = -1;
		size_t i, np = 0, active = 0;
		int n;

		for (i = 0; i < k; i++) {
			struct sandbox *sb = &sbs[i];

			if (!sb->running && sb->first < sb->nidx &&
			    start(r, sb, e) < 0)
				goto out;
			if (!sb->running)
				continue;
			active++;
			if (sb->deadline - now < wait || wait < 0)
				wait = sb->deadline - now > 0 ? sb->deadline - now : 0;
		}
		if (active == 0)
			break;
		for (i = 0; i < k; i++) {
			struct sandbox *sb = &sbs[i];

			p[3 * i].fd = sb->running && sb->sent < sb->input.len ? sb->in : -1;
			p[3 * i].events = POLLOUT;
			p[3 * i + 1].fd = sb->running ? sb->out : -1;
			p[3 * i + 1].events = POLLIN;
			p[3 * i + 2].fd = sb->running ? sb->err : -1;
			p[3 * i + 2].events = POLLIN;
			p[3 * i].revents = p[3 * i + 1].revents = p[3 * i + 2].revents = 0;
			np = 3 * (i + 1);
		}
		n = poll(p, (nfds_t)np, (int)wait);
		if (n < 0 && errno != EINTR) {
			sw_err_sys(e, "cannot watch the PKGBUILD sandboxes");
			goto out;
		}
		now = now_ms();
		for (i = 0; i < k; i++) {
			struct sandbox *sb = &sbs[i];
			bool eof = false;

			if (!sb->running)
				continue;
			if (p[3 * i].revents) {
				ssize_t w = write(sb->in, sb->input.data + sb->sent,
					sb->input.len - sb->sent);

				if (w > 0)
					sb->sent += (size_t)w;
				if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
				    sb->sent == sb->input.len)
					close_fd(&sb->in);
			}
			if (p[3 * i + 2].revents) {
				bool eeof;

				read_some(&sb->err, &sb->errout, ERR_CAP, NULL, &eeof);
				if (eeof)
					close_fd(&sb->err);
			}
			if (p[3 * i + 1].revents) {
				read_some(&sb->out, &sb->output, OUT_MAX + 1, &sb->got, &eof);
				if (records(r, sb) < 0) {
					stop(sb, true, NULL);
					give_up_current(r, sb, "the PKGBUILD wrote garbled or "
						"too much data (more than %u bytes)", OUT_MAX);
					continue;
				}
			}
			if (eof) {
				if (on_exit_of(r, sb, e) < 0)
					goto out;
				continue;
			}
			if (now >= sb->deadline) {
				stop(sb, true, NULL);
				give_up_current(r, sb, "timed out after %u s",
					r->o->timeout_s);
			}
		}
	}
	ret = 0;
out:
	free(p);
	return ret;
}

int
sw_introspect_run(const struct sw_introspect_opts *o,
	struct sw_introspect_item *items, size_t n, struct sw_err *e)
{
	static const char *const bwraps[] = { "/usr/bin/bwrap", "/bin/bwrap",
		"/usr/local/bin/bwrap", NULL };
	static const char *const bashes[] = { "/usr/bin/bash", "/bin/bash", NULL };
	struct sandbox *sbs = NULL;
	struct run r;
	unsigned char rnd[NONCE_LEN / 2];
	size_t i, k = 0;
	long cpus;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	sw_strvec_init(&r.sysargs);
	r.o = o;
	r.items = items;
	for (i = 0; i < n; i++) {
		items[i].ok = 0;
		items[i].error[0] = '\0';
		sw_srcinfo_init(&items[i].srcinfo);
	}
	if (n == 0)
		return 0;
	if ((r.bwrap = find_program(bwraps)) == NULL) {
		sw_err_set(e, "cannot find bwrap (bubblewrap) in /usr/bin or /bin");
		goto out;
	}
	if ((r.bash = find_program(bashes)) == NULL) {
		sw_err_set(e, "cannot find bash in /usr/bin or /bin");
		goto out;
	}
	if (o->arch != NULL && o->arch[0] != '\0' &&
	    sw_name_check(SW_NAME_ARCH, o->arch, e) < 0)
		goto out;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		sw_err_sys(e, "cannot make a nonce");
		goto out;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(r.nonce + 2 * i, 3, "%02x", rnd[i]);
	if (system_args(&r.sysargs, e) < 0)
		goto out;
	cpus = o->jobs ? (long)o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	k = cpus < 1 ? 1 : (size_t)cpus;
	if (k > MAX_JOBS)
		k = MAX_JOBS;
	if (k > (n + 3) / 4)
		k = (n + 3) / 4;
	sbs = calloc(k, sizeof(*sbs));
	if (sbs == NULL) {
		sw_err_sys(e, "cannot start the PKGBUILD sandboxes");
		goto out;
	}
	for (i = 0; i < k; i++) {
		sbs[i].in = sbs[i].out = sbs[i].err = -1;
		sw_buf_init(&sbs[i].input, 0);
		sw_buf_init(&sbs[i].output, 0);
		sw_buf_init(&sbs[i].errout, 0);
		sbs[i].idx = calloc(n / k + 1, sizeof(size_t));
		if (sbs[i].idx == NULL) {
			sw_err_sys(e, "cannot start the PKGBUILD sandboxes");
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		sbs[i % k].idx[sbs[i % k].nidx++] = i;
	ret = loop(&r, sbs, k, e);
out:
	for (i = 0; sbs != NULL && i < k; i++) {
		if (sbs[i].running)
			stop(&sbs[i], true, NULL);
		free(sbs[i].idx);
		sw_buf_release(&sbs[i].input);
		sw_buf_release(&sbs[i].output);
		sw_buf_release(&sbs[i].errout);
	}
	free(sbs);
	sw_strvec_release(&r.sysargs);
	return ret;
}

void
sw_introspect_item_release(struct sw_introspect_item *it)
{
	sw_srcinfo_release(&it->srcinfo);
}
