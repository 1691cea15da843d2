#include "slave/build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/names.h"
#include "core/run.h"
#include "repo/sign.h"
#include "slave/buildlog.h"
#include "slave/deproot.h"
#include "slave/fsutil.h"
#include "slave/pkgset.h"
#include "slave/sandbox.h"
#include "slave/settings.h"
#include "slave/srccache.h"
#include "source/custom.h"
#include "source/srcinfo.h"

#define BWRAP "/usr/bin/bwrap"
#define PKG_MAX ((size_t)1 << 40)
#define PKGBUILD_MAX ((size_t)16 << 20)
#define PATCH_FILE SW_CUSTOM_SETTINGS "/" SW_SETTINGS_PATCH

enum attempt { ATTEMPT_ERROR = -1, ATTEMPT_OK, ATTEMPT_FAILED, ATTEMPT_ABORTED };

struct ctx {
	const struct sw_slave_conf *c;
	const struct sw_build_job *job;
	const struct sw_build_hooks *hooks;
	char arch[SW_ARCH_MAX + 1];
	bool as_root;                   /* sandboxes then run as c->build_uid */
	struct sw_strvec prefix;        /* setpriv ... when as_root */
	struct sw_buf scratch, start, builddir, srcdest, pkgdest, root, usr,
		pkgcache, logs, log, settings;
	struct sw_settings set;         /* the package's own (settings.h) */
	uint64_t timeout_s;             /* build_timeout times set's factor */
	bool in_hook;                   /* the sandbox of on-success/-failure */
	struct sw_srcinfo si;
	struct sw_pkginfo pi;
	struct sw_srccache cache;
	bool deps_done;                 /* root holds the farm's dependencies */
	bool root_ready;                /* ... and has a usr to merge */
	int logfd;
	int64_t deadline;
	const char *straw;
};

static int
tick(struct ctx *x, const char *phase)
{
	return x->hooks != NULL && x->hooks->tick != NULL &&
		x->hooks->tick(x->hooks->arg, phase) != 0;
}

/* One line of ours in the straw's log, among makepkg's. */
static void __attribute__((format(printf, 2, 3)))
note(struct ctx *x, const char *fmt, ...)
{
	struct sw_buf line = SW_BUF_INIT;
	va_list ap;

	if (x->logfd < 0)
		return;
	va_start(ap, fmt);
	if (sw_buf_addstr(&line, "==> slipway: ") == 0 &&
	    sw_buf_vaddf(&line, fmt, ap) == 0 && sw_buf_addch(&line, '\n') == 0)
		sw_write_all(x->logfd, line.data, line.len);
	va_end(ap);
	sw_buf_release(&line);
}

static bool
safe_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 200 || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("@._+-", s[i])))
			return false;
	return true;
}

static uid_t chown_uid;

static int
chown_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, chown_uid, chown_uid);
}

/* As root, the sandbox's uid must own what the build writes. */
static int
give(struct ctx *x, const char *path, struct sw_err *e)
{
	if (!x->as_root)
		return 0;
	chown_uid = (uid_t)x->c->build_uid;
	if (nftw(path, chown_fn, 16, FTW_PHYS) < 0)
		return sw_err_sys(e, "cannot hand '%s' to uid %llu", path,
			(unsigned long long)x->c->build_uid);
	return 0;
}

static int
fresh_dir(struct ctx *x, const char *path, struct sw_err *e)
{
	if (sw_fs_remove_tree(path, e) < 0)
		return -1;
	if (mkdir(path, 0755) < 0)
		return sw_err_sys(e, "cannot create '%s'", path);
	return give(x, path, e);
}

/* The straw's log, gzipped into <scratch>/logs and <work_dir>/logs. */
static int
finish_log(struct ctx *x, struct sw_err *e)
{
	struct sw_buf gz = SW_BUF_INIT;
	int ret = -1;

	if (sw_buf_addf(&gz, "%s/%s.%s.log.gz", x->logs.data, x->job->id,
	    x->straw) < 0) {
		sw_err_sys(e, "cannot write the build log");
		goto out;
	}
	if (sw_buildlog_gzip(x->logfd, gz.data, e) < 0 ||
	    sw_buildlog_keep(x->c->work_dir, gz.data, x->job->id, x->straw,
	    x->c->build_logs, e) < 0)
		goto out;
	ret = 0;
out:
	close(x->logfd);
	x->logfd = -1;
	sw_buf_release(&gz);
	return ret;
}

static void
sandbox_of(struct ctx *x, struct sw_sandbox *sb)
{
	memset(sb, 0, sizeof(*sb));
	sb->startdir = x->start.data;
	sb->builddir = x->builddir.data;
	sb->srcdest = x->srcdest.data;
	sb->pkgdest = x->pkgdest.data;
	sb->readonly = x->in_hook;
	sb->settings = x->set.present ? x->settings.data : NULL;
	sb->log = x->in_hook ? x->log.data : NULL;
	sb->farm_usr = x->root_ready ? x->usr.data : NULL;
	sb->makepkg_conf = x->c->makepkg_conf;
	sb->cpu_s = x->c->build_cpu;
	sb->mem_bytes = x->c->build_memory;
	sb->nproc = x->c->build_processes;
}

/*
 * Runs argv (argv[0] is the program) in dir with env, its stderr (and its
 * stdout, unless outfd >= 0) into the log. ATTEMPT_OK when it exits 0.
 */
static enum attempt
run_step(struct ctx *x, const char *what, const struct sw_strvec *argv,
	const struct sw_strvec *env, const char *dir, const char *phase,
	int outfd, struct sw_err *e)
{
	struct sw_child ch;
	enum attempt ret = ATTEMPT_ERROR;
	size_t i;
	int status, r;

	sw_child_init(&ch, argv->v[0]);
	for (i = 0; i < argv->n; i++)
		if (sw_strvec_push(&ch.argv, argv->v[i]) < 0)
			goto nomem;
	for (i = 0; i < env->n; i++)
		if (sw_strvec_push(&ch.env, env->v[i]) < 0)
			goto nomem;
	ch.dir = dir;
	ch.out = outfd >= 0 ? outfd : x->logfd;
	ch.err = x->logfd;
	note(x, "%s", what);
	if (sw_child_start(&ch, e) < 0)
		goto out;
	r = sw_sandbox_wait(&ch, x->deadline, x->hooks, phase, &status, e);
	if (r < 0)
		goto out;
	if (r == 2) {
		ret = ATTEMPT_ABORTED;
		goto out;
	}
	if (r == 1) {
		note(x, "%s: killed after %llu s (build_timeout %llu times %llu)",
			what, (unsigned long long)x->timeout_s,
			(unsigned long long)x->c->build_timeout,
			(unsigned long long)x->set.timeout_factor);
		sw_err_set(e, "%s: killed after %llu s", what,
			(unsigned long long)x->timeout_s);
		ret = ATTEMPT_FAILED;
		goto out;
	}
	if (status != 0) {
		note(x, "%s: failed with status %d", what, status);
		sw_err_set(e, "%s: failed with status %d", what, status);
		ret = ATTEMPT_FAILED;
		goto out;
	}
	ret = ATTEMPT_OK;
	goto out;
nomem:
	sw_err_sys(e, "cannot run %s", what);
out:
	sw_child_release(&ch);
	return ret;
}

/* bwrap (after setpriv when root) running cmd in the build sandbox. */
static enum attempt
run_bwrap(struct ctx *x, const char *what, bool net, const char *const *cmd,
	const char *phase, int outfd, struct sw_err *e)
{
	struct sw_strvec argv = SW_STRVEC_INIT, env = SW_STRVEC_INIT;
	struct sw_sandbox sb;
	enum attempt ret = ATTEMPT_ERROR;
	size_t i;

	sandbox_of(x, &sb);
	for (i = 0; i < x->prefix.n; i++)
		if (sw_strvec_push(&argv, x->prefix.v[i]) < 0)
			goto nomem;
	if (sw_sandbox_bwrap(&argv, BWRAP, &sb, net, cmd, e) < 0)
		goto out;
	if (sw_sandbox_env(&env) < 0)
		goto nomem;
	ret = run_step(x, what, &argv, &env, NULL, phase, outfd, e);
	goto out;
nomem:
	sw_err_sys(e, "cannot run %s", what);
out:
	sw_strvec_release(&argv);
	sw_strvec_release(&env);
	return ret;
}

/* The mirror straw: every source with a sha256 again from <mirror>/<sha256>. */
static enum attempt
fetch_mirror(struct ctx *x, struct sw_err *e)
{
	struct sw_strvec cmd = SW_STRVEC_INIT;
	enum attempt ret = ATTEMPT_ERROR;
	const char *m = x->c->source_mirror;
	size_t i, len = strlen(m);

	while (len > 0 && m[len - 1] == '/')
		len--;
	if (sw_strvec_push(&cmd, "/usr/bin/curl") < 0 ||
	    sw_strvec_push(&cmd, "-fsSL") < 0 ||
	    sw_strvec_push(&cmd, "--proto") < 0 ||
	    sw_strvec_push(&cmd, "=http,https,ftp,file") < 0)
		goto nomem;
	for (i = 0; i < x->cache.n; i++) {
		const struct sw_srcent *s = &x->cache.v[i];

		if (s->git || s->sums[SW_SUM_SHA256] == NULL)
			continue;
		if (sw_strvec_push(&cmd, "-o") < 0 ||
		    sw_strvec_pushf(&cmd, "/srcdest/%s", s->name) < 0 ||
		    sw_strvec_pushf(&cmd, "%.*s/%s", (int)len, m,
		    s->sums[SW_SUM_SHA256]) < 0)
			goto nomem;
	}
	if (cmd.n == 4) {
		note(x, "no source has a sha256 checksum: nothing to fetch from "
			"the mirror");
		ret = ATTEMPT_OK;
		goto out;
	}
	ret = run_bwrap(x, "fetching the sources from the mirror", true,
		(const char *const *)cmd.v, SW_PHASE_PREPARING, -1, e);
	goto out;
nomem:
	sw_err_sys(e, "cannot fetch from the mirror");
out:
	sw_strvec_release(&cmd);
	return ret;
}

static enum attempt
deps_root(struct ctx *x, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	struct sw_deproot o;
	enum attempt ret = ATTEMPT_ERROR;
	int r;

	if (x->deps_done || x->c->pacman_conf == NULL || x->pi.deps.n == 0)
		return ATTEMPT_OK;
	if (fresh_dir(x, x->root.data, e) < 0 ||
	    fresh_dir(x, x->pkgcache.data, e) < 0)
		goto out;
	if (sw_buf_addf(&p, "%s/var/lib/pacman", x->root.data) < 0)
		goto nomem;
	if (sw_mkdir_p(p.data, 0755, e) < 0)
		goto out;
	sw_buf_reset(&p);
	if (sw_buf_addf(&p, "%s/var/log", x->root.data) < 0)
		goto nomem;
	if (sw_mkdir_p(p.data, 0755, e) < 0 || give(x, x->root.data, e) < 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.pacman_conf = x->c->pacman_conf;
	o.root = x->root.data;
	o.cachedir = x->pkgcache.data;
	o.bwrap = BWRAP;
	o.prefix = &x->prefix;
	o.logfd = x->logfd;
	o.hooks = x->hooks;
	o.deadline_ms = x->deadline;
	r = sw_deproot_install(&o, &x->pi.deps, e);
	if (r == 0) {
		/* the farm root's usr, merged over the host's, or nothing */
		x->root_ready = access(x->usr.data, F_OK) == 0;
		x->deps_done = true;
		ret = ATTEMPT_OK;
	} else if (r == 1) {
		note(x, "%s", e->msg);
		ret = ATTEMPT_FAILED;
	} else if (r == 2) {
		ret = ATTEMPT_ABORTED;
	}
	goto out;
nomem:
	sw_err_sys(e, "cannot prepare the build dependencies");
out:
	sw_buf_release(&p);
	return ret;
}

/* Does any source=() entry for our arch name a URL ("proto://...")? */
static bool
remote_sources(const struct ctx *x)
{
	char key[sizeof("source_") + SW_ARCH_MAX];
	const struct sw_srcinfo_section *b = &x->si.base;
	size_t i;

	snprintf(key, sizeof(key), "source_%s", x->arch);
	for (i = 0; i < b->n; i++)
		if ((strcmp(b->v[i].key, "source") == 0 ||
		    strcmp(b->v[i].key, key) == 0) &&
		    strstr(b->v[i].value, "://") != NULL)
			return true;
	return false;
}

/*
 * Why patch failed, from its output: every "Hunk #N FAILED" with the file
 * it was patching, else the last of what it said (a missing file, a
 * garbled patch), on one line.
 */
static void
patch_failure(struct sw_buf *out, struct sw_err *e)
{
	struct sw_buf why = SW_BUF_INIT, rest = SW_BUF_INIT;
	const char *file = "?", *line;
	char *p, *nl;
	size_t len;
	bool bad = false;

	if (sw_buf_addch(out, '\0') < 0) {
		sw_err_set(e, "'%s' does not apply", PATCH_FILE);
		return;
	}
	for (p = out->data; *p; p = nl != NULL ? nl + 1 : p + len) {
		line = p;
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		len = strlen(p);
		if (strncmp(line, "patching file ", 14) == 0)
			file = line + 14;
		else if (strncmp(line, "Hunk #", 6) == 0 && strstr(line, "FAILED"))
			bad |= sw_buf_addf(&why, "%s%s: %s", why.len ? "; " : "",
				file, line) < 0;
		else if (len > 0 && line[0] != '|' && line[0] != '-' &&
		    strncmp(line, "==> ", 4) != 0)
			bad |= sw_buf_addf(&rest, "%s%s", rest.len ? " " : "",
				line) < 0;
	}
	if (bad)
		sw_err_set(e, "'%s' does not apply", PATCH_FILE);
	else if (why.len > 0)
		sw_err_set(e, "'%s' does not apply: %s", PATCH_FILE, why.data);
	else
		sw_err_set(e, "'%s' does not apply: %s", PATCH_FILE,
			rest.len > 300 ? rest.data + rest.len - 300 : rest.data);
	sw_buf_release(&why);
	sw_buf_release(&rest);
}

/* Does the PKGBUILD in the build tree still read as the one we were given? */
static int
pkgbuild_kept(struct ctx *x, struct sw_err *e)
{
	struct sw_buf a = SW_BUF_INIT, b = SW_BUF_INIT, pa = SW_BUF_INIT,
		pb = SW_BUF_INIT;
	int ra, rb, ret = -1;

	if (sw_buf_addf(&pa, "%s/PKGBUILD", x->job->srcdir) < 0 ||
	    sw_buf_addf(&pb, "%s/PKGBUILD", x->start.data) < 0) {
		sw_err_sys(e, "cannot read the PKGBUILD");
		goto out;
	}
	ra = sw_file_read(pa.data, PKGBUILD_MAX, &a, e);
	rb = ra < 0 ? -1 : sw_file_read(pb.data, PKGBUILD_MAX, &b, e);
	if (ra < 0 || rb < 0)
		goto out;
	ret = ra == rb && a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
out:
	sw_buf_release(&a);
	sw_buf_release(&b);
	sw_buf_release(&pa);
	sw_buf_release(&pb);
	return ret;
}

/*
 * .slipway/patch, applied by patch(1) in the sandbox (no network, only the
 * build's directories writable): its output goes to the log, and when it
 * fails, what it said of the failed hunks goes into e.
 */
static enum attempt
apply_patch(struct ctx *x, struct sw_err *e)
{
	static const char *const cmd[] = { "/usr/bin/patch", "--batch",
		"--forward", "-p1", "--no-backup-if-mismatch", "--reject-file=-",
		"-i", SW_SANDBOX_SETTINGS "/" SW_SETTINGS_PATCH, "-d", "/startdir",
		NULL };
	struct sw_buf out = SW_BUF_INIT;
	enum attempt ret = ATTEMPT_ERROR;
	int logfd = x->logfd, k;

	x->logfd = memfd_create("patch", MFD_CLOEXEC);
	if (x->logfd < 0) {
		x->logfd = logfd;
		sw_err_sys(e, "cannot apply '%s'", PATCH_FILE);
		goto out;
	}
	ret = run_bwrap(x, "applying " PATCH_FILE, false, cmd,
		SW_PHASE_PREPARING, -1, e);
	if (lseek(x->logfd, 0, SEEK_SET) < 0 || sw_buf_read_fd(&out, x->logfd) < 0) {
		sw_err_sys(e, "cannot read what patch said");
		ret = ATTEMPT_ERROR;
	}
	close(x->logfd);
	x->logfd = logfd;
	if (logfd >= 0)
		sw_write_all(logfd, out.data, out.len);
	if (ret != ATTEMPT_FAILED)
		goto out;
	patch_failure(&out, e);
	note(x, "%s", e->msg);
out:
	if (ret == ATTEMPT_OK) {
		k = pkgbuild_kept(x, e);
		if (k <= 0)
			ret = ATTEMPT_ERROR;
		if (k == 0) {
			sw_err_set(e, "'%s' changes the PKGBUILD, which the master "
				"reads as it is: put changes to the PKGBUILD in the "
				"customization's PKGBUILD or in %s/%s", PATCH_FILE,
				SW_CUSTOM_SETTINGS, SW_CUSTOM_PREPEND);
			note(x, "%s", e->msg);
			ret = ATTEMPT_FAILED;
		}
	}
	sw_buf_release(&out);
	return ret;
}

/* What the package's settings do before makepkg: the patch, then prepare. */
static enum attempt
before_makepkg(struct ctx *x, struct sw_err *e)
{
	static const char *const prepare[] = {
		SW_SANDBOX_SETTINGS "/" SW_SETTINGS_PREPARE, NULL };
	enum attempt r;

	if (x->set.patch && (r = apply_patch(x, e)) != ATTEMPT_OK)
		return r;
	if (!x->set.prepare)
		return ATTEMPT_OK;
	return run_bwrap(x, "running " SW_CUSTOM_SETTINGS "/" SW_SETTINGS_PREPARE
		" (network off)", false, prepare, SW_PHASE_PREPARING, -1, e);
}

/*
 * on-success or on-failure after a straw that built or failed (r), in the
 * sandbox with every build directory read-only and the log at /build.log,
 * under a time limit of its own. Its failure is logged and changes
 * nothing; r comes back unless the slave itself failed or was stopped.
 */
static enum attempt
after_straw(struct ctx *x, enum attempt r, struct sw_err *e)
{
	const char *ok[] = { SW_SANDBOX_SETTINGS "/" SW_SETTINGS_ON_SUCCESS,
		SW_SANDBOX_LOG, NULL };
	const char *failed[] = { SW_SANDBOX_SETTINGS "/" SW_SETTINGS_ON_FAILURE,
		SW_SANDBOX_LOG, NULL };
	const char *const *cmd = r == ATTEMPT_OK ? ok : failed;
	struct sw_err he;
	enum attempt h;
	int64_t deadline = x->deadline;

	if ((r != ATTEMPT_OK || !x->set.on_success) &&
	    (r != ATTEMPT_FAILED || !x->set.on_failure))
		return r;
	x->in_hook = true;
	x->deadline = sw_sandbox_now_ms() + (int64_t)x->timeout_s * 1000;
	h = run_bwrap(x, r == ATTEMPT_OK ? "running " SW_CUSTOM_SETTINGS "/"
		SW_SETTINGS_ON_SUCCESS : "running " SW_CUSTOM_SETTINGS "/"
		SW_SETTINGS_ON_FAILURE, false, cmd, SW_PHASE_BUILDING, -1, &he);
	x->in_hook = false;
	x->deadline = deadline;
	if (h == ATTEMPT_FAILED)
		sw_warn("%s: %s (the straw's result stands)", x->job->id, he.msg);
	if (h == ATTEMPT_ERROR || h == ATTEMPT_ABORTED) {
		*e = he;
		return h;
	}
	return r;
}

static enum attempt
build_bwrap(struct ctx *x, bool nocheck, struct sw_err *e)
{
	static const char *const download[] = { "/usr/bin/makepkg",
		"--verifysource", "--nodeps", "--noconfirm", "--noprogressbar",
		NULL };
	const char *build[] = { "/usr/bin/makepkg", "--nodeps", "--noconfirm",
		"--noprogressbar", "--holdver", nocheck ? "--nocheck" : NULL, NULL };
	enum attempt r;

	if ((r = deps_root(x, e)) != ATTEMPT_OK ||
	    (r = before_makepkg(x, e)) != ATTEMPT_OK)
		return r;
	if (strcmp(x->straw, "mirror") == 0 &&
	    (r = fetch_mirror(x, e)) != ATTEMPT_OK)
		return r;
	if (!remote_sources(x)) {
		note(x, "no source needs the network: no download step");
	} else {
		r = run_bwrap(x, "downloading the sources (network on)", true,
			download, SW_PHASE_PREPARING, -1, e);
		if (r != ATTEMPT_OK)
			return r;
	}
	if (tick(x, SW_PHASE_BUILDING))
		return ATTEMPT_ABORTED;
	return run_bwrap(x, "building (network off)", false, build,
		SW_PHASE_BUILDING, -1, e);
}

static int
host_env(struct ctx *x, struct sw_strvec *env)
{
	static const char *const keep[] = { "HOME", "USER", "LOGNAME", "TZ",
		"LANG", NULL };

	return sw_strvec_push(env, "PATH=/usr/local/sbin:/usr/local/bin:"
		"/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
		sw_strvec_pushf(env, "SRCDEST=%s", x->srcdest.data) < 0 ||
		sw_strvec_pushf(env, "PKGDEST=%s", x->pkgdest.data) < 0 ||
		sw_strvec_pushf(env, "BUILDDIR=%s", x->builddir.data) < 0 ||
		sw_env_allow(env, keep) < 0 ? -1 : 0;
}

static enum attempt
build_other(struct ctx *x, bool nocheck, struct sw_err *e)
{
	struct sw_strvec argv = SW_STRVEC_INIT, env = SW_STRVEC_INIT;
	struct sw_sandbox sb;
	enum attempt ret = ATTEMPT_ERROR;

	sandbox_of(x, &sb);
	if (x->c->backend == SW_BACKEND_DEVTOOLS) {
		if (sw_sandbox_devtools(&argv, x->c->makechrootpkg,
		    x->c->devtools_chroot, nocheck, e) < 0)
			goto out;
	} else if (sw_sandbox_command(&argv, x->c->command, &sb, nocheck, e) < 0) {
		goto out;
	}
	if (host_env(x, &env) < 0) {
		sw_err_sys(e, "cannot run the build");
		goto out;
	}
	if ((ret = before_makepkg(x, e)) != ATTEMPT_OK)
		goto out;
	ret = ATTEMPT_ERROR;
	if (tick(x, SW_PHASE_BUILDING)) {
		ret = ATTEMPT_ABORTED;
		goto out;
	}
	ret = run_step(x, x->c->backend == SW_BACKEND_DEVTOOLS ?
		"building with makechrootpkg" : "building with the command",
		&argv, &env, x->start.data, SW_PHASE_BUILDING, -1, e);
out:
	sw_strvec_release(&argv);
	sw_strvec_release(&env);
	return ret;
}

/*
 * A fresh copy of the PKGBUILD directory and empty build directories. The
 * package's .slipway goes beside it (bound at /slipway), not into makepkg's
 * startdir.
 */
static int
fresh_tree(struct ctx *x, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	int ret = -1;

	if (sw_fs_remove_tree(x->start.data, e) < 0 ||
	    sw_fs_remove_tree(x->settings.data, e) < 0 ||
	    sw_fs_copy_tree(x->job->srcdir, x->start.data, e) < 0 ||
	    give(x, x->start.data, e) < 0)
		goto out;
	if (sw_buf_addf(&p, "%s/%s", x->start.data, SW_CUSTOM_SETTINGS) < 0) {
		sw_err_sys(e, "cannot prepare the build");
		goto out;
	}
	if (x->set.present ? rename(p.data, x->settings.data) < 0 :
	    sw_fs_remove_tree(p.data, e) < 0) {
		if (x->set.present)
			sw_err_sys(e, "cannot move '%s' aside", p.data);
		goto out;
	}
	if (fresh_dir(x, x->builddir.data, e) < 0 ||
	    fresh_dir(x, x->srcdest.data, e) < 0 ||
	    fresh_dir(x, x->pkgdest.data, e) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

/* Can this straw apply at all? A reason to skip it, or NULL. */
static const char *
skip_reason(struct ctx *x)
{
	if (strcmp(x->straw, "mirror") == 0 && x->c->source_mirror == NULL)
		return "no source_mirror is configured";
	if (strcmp(x->straw, "nocheck") == 0 &&
	    x->c->backend == SW_BACKEND_COMMAND &&
	    strstr(x->c->command, "{nocheck}") == NULL)
		return "the command template has no {nocheck}";
	return NULL;
}

static enum attempt
attempt(struct ctx *x, struct sw_strvec *files, struct sw_err *e)
{
	bool clean = strcmp(x->straw, "clean") == 0;
	bool nocheck = strcmp(x->straw, "nocheck") == 0 || x->set.nocheck;
	bool cached = !clean && strcmp(x->straw, "mirror") != 0;
	struct sw_err se;
	enum attempt r;
	int k;

	x->deadline = sw_sandbox_now_ms() + (int64_t)x->timeout_s * 1000;
	if (fresh_tree(x, e) < 0)
		return ATTEMPT_ERROR;
	if (clean)
		x->root_ready = x->deps_done = false;
	note(x, "%s: straw '%s', backend %s, arch %s", x->job->id, x->straw,
		x->c->backend == SW_BACKEND_BWRAP ? "bwrap" :
		x->c->backend == SW_BACKEND_DEVTOOLS ? "devtools" : "command",
		x->arch);
	if (x->set.nocheck)
		note(x, "%s/%s: makepkg --nocheck%s", SW_CUSTOM_SETTINGS,
			SW_SETTINGS_NOCHECK, x->c->backend == SW_BACKEND_COMMAND &&
			strstr(x->c->command, "{nocheck}") == NULL ? ", but the "
			"command template has no {nocheck}" : "");
	if (x->set.timeout_factor > 1)
		note(x, "%s/%s: a time limit of %llu s", SW_CUSTOM_SETTINGS,
			SW_SETTINGS_TIMEOUT, (unsigned long long)x->timeout_s);
	if (sw_srccache_link(&x->cache, x->srcdest.data, cached, e) < 0)
		return ATTEMPT_ERROR;
	if (x->c->backend == SW_BACKEND_BWRAP)
		r = build_bwrap(x, nocheck, e);
	else
		r = build_other(x, nocheck, e);
	/* whatever happened, keep what was downloaded and verified */
	if (sw_srccache_store(&x->cache, x->srcdest.data, &se) < 0) {
		note(x, "%s", se.msg);
		if (r == ATTEMPT_OK) {
			*e = se;
			return ATTEMPT_ERROR;
		}
	}
	if (r != ATTEMPT_OK)
		return after_straw(x, r, e);
	k = sw_pkgset_check(x->pkgdest.data, x->si.base.name, &x->pi, x->arch,
		files, e);
	if (k < 0)
		return ATTEMPT_ERROR;
	if (k > 0) {
		note(x, "refused: %s", e->msg);
		return after_straw(x, ATTEMPT_FAILED, e);
	}
	note(x, "built %zu package(s)", files->n);
	return after_straw(x, ATTEMPT_OK, e);
}

/* Signs every package, then moves packages and signatures into outdir. */
static enum sw_build_result
sign_and_deliver(struct ctx *x, const struct sw_strvec *files, struct sw_err *e)
{
	struct sw_sign own = SW_SIGN_INIT, *s = x->job->sign ? x->job->sign : &own;
	struct sw_buf sig = SW_BUF_INIT, from = SW_BUF_INIT, to = SW_BUF_INIT;
	struct sw_map m = SW_MAP_INIT;
	enum sw_build_result ret = SW_BUILD_ERROR;
	size_t i;
	int pass;

	if (s->ctx == NULL && sw_sign_init(s, x->c->gnupg_home, e) < 0)
		goto out;
	for (i = 0; i < files->n; i++) {
		if (tick(x, SW_PHASE_SIGNING)) {
			ret = SW_BUILD_ABORTED;
			goto out;
		}
		sw_buf_reset(&from);
		sw_buf_reset(&sig);
		if (sw_buf_addf(&from, "%s/%s", x->pkgdest.data, files->v[i]) < 0)
			goto nomem;
		if (sw_file_map(from.data, PKG_MAX, true, &m, e) != 0)
			goto out;
		if (sw_sign_detached(s, x->c->gpg_key, m.data, m.len, &sig, e) < 0) {
			sw_err_prefix(e, "cannot sign '%s'", files->v[i]);
			goto out;
		}
		sw_file_unmap(&m);
		if (sw_buf_addstr(&from, ".sig") < 0)
			goto nomem;
		if (sw_file_replace(from.data, sig.data, sig.len, 0644, e) < 0)
			goto out;
	}
	/* packages first, then signatures: a reader never sees a lone .sig */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < files->n; i++) {
			const char *ext = pass ? ".sig" : "";

			sw_buf_reset(&from);
			sw_buf_reset(&to);
			if (sw_buf_addf(&from, "%s/%s%s", x->pkgdest.data,
			    files->v[i], ext) < 0 ||
			    sw_buf_addf(&to, "%s/%s%s", x->job->outdir, files->v[i],
			    ext) < 0)
				goto nomem;
			if (sw_fs_move(from.data, to.data, e) < 0)
				goto out;
			if (x->as_root && lchown(to.data, geteuid(), getegid()) < 0) {
				sw_err_sys(e, "cannot take '%s'", to.data);
				goto out;
			}
		}
	ret = SW_BUILD_OK;
	goto out;
nomem:
	sw_err_sys(e, "cannot sign the packages");
out:
	sw_file_unmap(&m);
	sw_sign_release(&own);
	sw_buf_release(&sig);
	sw_buf_release(&from);
	sw_buf_release(&to);
	return ret;
}

/* The tail of text (a failed command's stderr) on one line, into e. */
static void
tail_into(struct sw_err *e, const char *prefix, struct sw_buf *text)
{
	size_t len = text->len, start;
	char *p;

	while (len > 0 && (text->data[len - 1] == '\n' || text->data[len - 1] == ' '))
		len--;
	start = len > 300 ? len - 300 : 0;
	sw_buf_truncate(text, len);
	for (p = text->data + start; *p; p++)
		if (*p == '\n' || (unsigned char)*p < 0x20)
			*p = ' ';
	sw_err_set(e, "%s: %s", prefix, text->data + start);
}

/* What a .SRCINFO says we build for our arch, into x->si and x->pi. */
static enum attempt
learn_srcinfo(struct ctx *x, const struct sw_buf *text, struct sw_err *e)
{
	if (sw_srcinfo_parse(&x->si, text->data, text->len, ".SRCINFO", e) < 0 ||
	    sw_srcinfo_info(&x->si, x->arch, &x->pi, e) < 0) {
		sw_err_prefix(e, "cannot read the PKGBUILD");
		return ATTEMPT_FAILED;
	}
	if (x->pi.pkgnames.n == 0) {
		sw_err_set(e, "the PKGBUILD builds nothing for %s", x->arch);
		return ATTEMPT_FAILED;
	}
	return ATTEMPT_OK;
}

/* The package's .slipway (settings.h): its time limit, what to run. */
static enum attempt
load_settings(struct ctx *x, struct sw_err *e)
{
	struct sw_strvec warnings = SW_STRVEC_INIT;
	struct sw_buf p = SW_BUF_INIT;
	enum attempt ret = ATTEMPT_ERROR;
	size_t i;
	int r;

	x->timeout_s = x->c->build_timeout;
	r = sw_settings_read(&x->set, x->job->srcdir, &warnings, e);
	for (i = 0; i < warnings.n; i++)
		sw_warn("%s: %s", x->job->id, warnings.v[i]);
	if (r != 0) {
		ret = r > 0 ? ATTEMPT_FAILED : ATTEMPT_ERROR;
		goto out;
	}
	x->timeout_s = x->c->build_timeout * x->set.timeout_factor;
	/* get-sources has put it into the PKGBUILD; a local tree has not */
	if (sw_buf_addf(&p, "%s/%s/%s", x->job->srcdir, SW_CUSTOM_SETTINGS,
	    SW_CUSTOM_PREPEND) < 0) {
		sw_err_sys(e, "cannot read the package's settings");
		goto out;
	}
	if (access(p.data, F_OK) == 0)
		sw_warn("%s: '%s/%s' is ignored: the master's get-sources puts it "
			"into the PKGBUILD", x->job->id, SW_CUSTOM_SETTINGS,
			SW_CUSTOM_PREPEND);
	ret = ATTEMPT_OK;
out:
	sw_strvec_release(&warnings);
	sw_buf_release(&p);
	return ret;
}

/*
 * The PKGBUILD: the master's .SRCINFO when it sent one (it read the same
 * directory in its own sandbox), else makepkg --printsrcinfo in the build
 * sandbox (no network, the same limits, the tick hook): what it builds for
 * our arch, its build dependencies and its sources.
 */
static enum attempt
read_pkgbuild(struct ctx *x, struct sw_err *e)
{
	static const char *const cmd[] = { "/usr/bin/makepkg", "--printsrcinfo",
		NULL };
	struct sw_buf out = SW_BUF_INIT, err = SW_BUF_INIT;
	enum attempt ret = ATTEMPT_ERROR, r;
	int outfd = -1;

	out.cap = SW_SRCINFO_MAX_SIZE;
	err.cap = 1024 * 1024;
	if (x->job->srcinfo != NULL) {
		int fr = sw_file_read(x->job->srcinfo, SW_SRCINFO_MAX_SIZE, &out, e);

		if (fr != 0) {
			if (fr == 1)
				sw_err_set(e, "'%s' is missing", x->job->srcinfo);
			goto out;
		}
		ret = learn_srcinfo(x, &out, e);
		goto out;
	}
	x->deadline = sw_sandbox_now_ms() + (int64_t)x->timeout_s * 1000;
	if (fresh_tree(x, e) < 0)
		goto out;
	outfd = memfd_create("srcinfo", MFD_CLOEXEC);
	x->logfd = memfd_create("srcinfo-stderr", MFD_CLOEXEC);
	if (outfd < 0 || x->logfd < 0) {
		sw_err_sys(e, "cannot read the PKGBUILD");
		goto out;
	}
	r = run_bwrap(x, "reading the PKGBUILD", false, cmd, SW_PHASE_PREPARING,
		outfd, e);
	if (r == ATTEMPT_ERROR || r == ATTEMPT_ABORTED) {
		ret = r;
		goto out;
	}
	if (r == ATTEMPT_FAILED) {
		if (lseek(x->logfd, 0, SEEK_SET) == 0 &&
		    sw_buf_read_fd(&err, x->logfd) == 0)
			tail_into(e, "cannot read the PKGBUILD", &err);
		ret = ATTEMPT_FAILED;
		goto out;
	}
	if (lseek(outfd, 0, SEEK_SET) < 0 || sw_buf_read_fd(&out, outfd) < 0) {
		sw_err_sys(e, "cannot read the PKGBUILD's .SRCINFO");
		ret = ATTEMPT_FAILED;
		goto out;
	}
	ret = learn_srcinfo(x, &out, e);
out:
	if (outfd >= 0)
		close(outfd);
	if (x->logfd >= 0)
		close(x->logfd);
	x->logfd = -1;
	sw_buf_release(&out);
	sw_buf_release(&err);
	return ret;
}

static int
open_log(struct ctx *x, struct sw_err *e)
{
	x->logfd = open(x->log.data, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (x->logfd < 0)
		return sw_err_sys(e, "cannot write '%s'", x->log.data);
	return 0;
}

/* Every straw failed: their logs go to outdir. */
static int
deliver_logs(struct ctx *x, struct sw_err *e)
{
	struct sw_buf from = SW_BUF_INIT, to = SW_BUF_INIT;
	struct dirent *de;
	DIR *d;
	int ret = -1;

	if ((d = opendir(x->logs.data)) == NULL)
		return sw_err_sys(e, "cannot read '%s'", x->logs.data);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sw_buf_reset(&from);
		sw_buf_reset(&to);
		if (sw_buf_addf(&from, "%s/%s", x->logs.data, de->d_name) < 0 ||
		    sw_buf_addf(&to, "%s/%s", x->job->outdir, de->d_name) < 0) {
			sw_err_sys(e, "cannot deliver the logs");
			goto out;
		}
		if (sw_fs_move(from.data, to.data, e) < 0)
			goto out;
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", x->logs.data);
		goto out;
	}
	ret = 0;
out:
	closedir(d);
	sw_buf_release(&from);
	sw_buf_release(&to);
	return ret;
}

static int
setup(struct ctx *x, struct sw_err *e)
{
	struct utsname u;
	struct stat st;
	const char *w = x->c->work_dir;

	if (!safe_id(x->job->id))
		return sw_err_set(e, "cannot build '%s': not a usable id", x->job->id);
	if (stat(x->job->outdir, &st) < 0 || !S_ISDIR(st.st_mode))
		return sw_err_set(e, "cannot build '%s': '%s' is not a directory",
			x->job->id, x->job->outdir);
	if (x->c->arch != NULL) {
		snprintf(x->arch, sizeof(x->arch), "%s", x->c->arch);
	} else {
		if (uname(&u) < 0 || !sw_name_valid(SW_NAME_ARCH, u.machine) ||
		    strlen(u.machine) >= sizeof(x->arch))
			return sw_err_set(e, "cannot tell this machine's arch: set "
				"'arch' in slave.conf");
		memcpy(x->arch, u.machine, strlen(u.machine) + 1);
	}
	x->as_root = geteuid() == 0;
	if (x->as_root && (sw_strvec_push(&x->prefix, "/usr/bin/setpriv") < 0 ||
	    sw_strvec_pushf(&x->prefix, "--reuid=%llu",
	    (unsigned long long)x->c->build_uid) < 0 ||
	    sw_strvec_pushf(&x->prefix, "--regid=%llu",
	    (unsigned long long)x->c->build_uid) < 0 ||
	    sw_strvec_push(&x->prefix, "--clear-groups") < 0 ||
	    sw_strvec_push(&x->prefix, "--") < 0))
		return sw_err_sys(e, "cannot prepare the build");
	if (sw_buf_addf(&x->scratch, "%s/build", w) < 0 ||
	    sw_buf_addf(&x->start, "%s/build/start", w) < 0 ||
	    sw_buf_addf(&x->builddir, "%s/build/build", w) < 0 ||
	    sw_buf_addf(&x->srcdest, "%s/build/srcdest", w) < 0 ||
	    sw_buf_addf(&x->pkgdest, "%s/build/pkgdest", w) < 0 ||
	    sw_buf_addf(&x->root, "%s/build/root", w) < 0 ||
	    sw_buf_addf(&x->usr, "%s/build/root/usr", w) < 0 ||
	    sw_buf_addf(&x->pkgcache, "%s/build/pkgcache", w) < 0 ||
	    sw_buf_addf(&x->logs, "%s/build/logs", w) < 0 ||
	    sw_buf_addf(&x->log, "%s/build/straw.log", w) < 0 ||
	    sw_buf_addf(&x->settings, "%s/build/settings", w) < 0)
		return sw_err_sys(e, "cannot prepare the build");
	if (sw_mkdir_p(w, 0755, e) < 0 ||
	    sw_fs_remove_tree(x->scratch.data, e) < 0 ||
	    sw_mkdir_p(x->logs.data, 0755, e) < 0)
		return -1;
	if (sw_srccache_init(&x->cache, w, e) < 0 ||
	    sw_srccache_trim(&x->cache, (unsigned)x->c->source_cache_days, e) < 0)
		return -1;
	return 0;
}

enum sw_build_result
sw_build_run(const struct sw_slave_conf *c, const struct sw_build_job *job,
	const struct sw_build_hooks *hooks, struct sw_err *e)
{
	struct sw_strvec files = SW_STRVEC_INIT;
	struct sw_err ignore;
	struct ctx x;
	enum sw_build_result ret = SW_BUILD_ERROR;
	enum attempt r;
	const char *why;
	size_t i;
	bool tried = false;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.job = job;
	x.hooks = hooks;
	x.logfd = -1;
	sw_strvec_init(&x.prefix);
	sw_buf_init(&x.scratch, 0);
	sw_buf_init(&x.start, 0);
	sw_buf_init(&x.builddir, 0);
	sw_buf_init(&x.srcdest, 0);
	sw_buf_init(&x.pkgdest, 0);
	sw_buf_init(&x.root, 0);
	sw_buf_init(&x.usr, 0);
	sw_buf_init(&x.pkgcache, 0);
	sw_buf_init(&x.logs, 0);
	sw_buf_init(&x.log, 0);
	sw_buf_init(&x.settings, 0);
	sw_srcinfo_init(&x.si);
	sw_pkginfo_init(&x.pi);
	if (setup(&x, e) < 0)
		goto out;
	if (tick(&x, SW_PHASE_PREPARING)) {
		ret = SW_BUILD_ABORTED;
		goto out;
	}
	r = load_settings(&x, e);
	if (r == ATTEMPT_OK)
		r = read_pkgbuild(&x, e);
	if (r == ATTEMPT_ERROR)
		goto out;
	if (r == ATTEMPT_ABORTED) {
		ret = SW_BUILD_ABORTED;
		goto out;
	}
	if (r == ATTEMPT_FAILED) {
		/* one log says why, under the first straw's name */
		x.straw = c->straws.v[0];
		if (open_log(&x, &ignore) == 0) {
			note(&x, "%s: %s", job->id, e->msg);
			if (finish_log(&x, &ignore) == 0)
				deliver_logs(&x, &ignore);
		}
		sw_info("%s: %s", job->id, e->msg);
		ret = SW_BUILD_FAILED;
		goto out;
	}
	sw_info("%s: builds %zu package(s), as %s", job->id, x.pi.pkgnames.n,
		job->srcinfo != NULL ? "the master read the PKGBUILD" :
		"makepkg --printsrcinfo read the PKGBUILD");
	if (sw_srccache_sources(&x.cache, &x.si, x.arch, e) < 0)
		goto out;
	for (i = 0; i < c->straws.n; i++) {
		x.straw = c->straws.v[i];
		if ((why = skip_reason(&x)) != NULL) {
			sw_info("%s: straw '%s' skipped: %s", job->id, x.straw, why);
			continue;
		}
		sw_info("%s: straw '%s': building", job->id, x.straw);
		if (open_log(&x, e) < 0)
			goto out;
		tried = true;
		sw_strvec_release(&files);
		r = attempt(&x, &files, e);
		if (r == ATTEMPT_ERROR || r == ATTEMPT_ABORTED) {
			ret = r == ATTEMPT_ERROR ? SW_BUILD_ERROR : SW_BUILD_ABORTED;
			goto out;
		}
		if (finish_log(&x, r == ATTEMPT_OK ? e : &ignore) < 0) {
			if (r == ATTEMPT_OK)
				goto out;
		}
		if (r == ATTEMPT_OK) {
			sw_info("%s: straw '%s': built %zu package(s)", job->id,
				x.straw, files.n);
			if (tick(&x, SW_PHASE_SIGNING)) {
				ret = SW_BUILD_ABORTED;
				goto out;
			}
			ret = sign_and_deliver(&x, &files, e);
			goto out;
		}
		sw_info("%s: straw '%s' failed: %s", job->id, x.straw, e->msg);
	}
	if (!tried) {
		sw_err_set(e, "cannot build '%s': no straw applies", job->id);
		goto out;
	}
	if (deliver_logs(&x, e) < 0)
		goto out;
	ret = SW_BUILD_FAILED;
out:
	if (x.logfd >= 0)
		close(x.logfd);
	if (x.scratch.len > 0)
		sw_fs_remove_tree(x.scratch.data, &ignore);
	sw_strvec_release(&files);
	sw_strvec_release(&x.prefix);
	sw_buf_release(&x.scratch);
	sw_buf_release(&x.start);
	sw_buf_release(&x.builddir);
	sw_buf_release(&x.srcdest);
	sw_buf_release(&x.pkgdest);
	sw_buf_release(&x.root);
	sw_buf_release(&x.usr);
	sw_buf_release(&x.pkgcache);
	sw_buf_release(&x.logs);
	sw_buf_release(&x.log);
	sw_buf_release(&x.settings);
	sw_srcinfo_release(&x.si);
	sw_pkginfo_release(&x.pi);
	sw_srccache_release(&x.cache);
	return ret;
}
