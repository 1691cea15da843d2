/*
 * build: one assignment (or one local PKGBUILD directory) built straw after
 * straw in a sandbox, its packages checked and signed.
 *
 * sw_build_run copies nothing into job->srcdir (read only). For each straw
 * in c->straws, in order (plain, clean, mirror, nocheck; a straw that
 * cannot apply, such as mirror without source_mirror, is skipped with a log
 * line), it runs c's backend:
 *   bwrap     makepkg in bubblewrap as an unprivileged uid, the host's /usr
 *             read-only (with the farm's build dependencies installed by
 *             pacman into a fresh root overlaid on it when pacman_conf is
 *             set), a fresh /build (BUILDDIR=/build); network only while
 *             sources download, a new network namespace for the build;
 *             CPU, wall time, memory and process-count limits.
 *   devtools  makechrootpkg -c -r <chroot> (Arch hosts).
 *   command   the configured template with the build and output
 *             directories filled in, run with execv (no shell).
 * Sources with checksums come from the slave's source cache in work_dir
 * (stored once under their sha256, hard-linked in); git+ sources are kept
 * there as bare mirrors. The first straw whose build gives exactly the
 * packages the PKGBUILD builds for our arch wins: each package is signed
 * (detached, binary, gpg_key in gnupg_home) and moved into job->outdir.
 * Every attempt's log is kept gzipped; the last build_logs of them are
 * also kept under <work_dir>/logs.
 *
 * The package's own settings, srcdir/.slipway (settings.h), are read
 * first: a bad one fails the build (SW_BUILD_FAILED, with its log). The
 * directory is kept out of makepkg's startdir and bound read-only at
 * /slipway. In each straw, in the bwrap sandbox whatever the backend:
 * patch (patch -p1, argv only; refused if it changes the PKGBUILD), then
 * prepare, then makepkg (--nocheck with nocheck; build_timeout times the
 * timeout factor per straw), then on-success or on-failure with the log at
 * /build.log and the build directories read-only.
 *
 * Ownership: job and c stay the caller's; sw_build_run keeps nothing after
 * it returns. Scratch space lives under <work_dir>/build and is removed
 * before return (a kill -9 leaves it behind; the next run clears it).
 * Locks: the caller holds the work directory's lock (one build per
 * work_dir at a time). Errors: SW_BUILD_ERROR with e set; a failing
 * PKGBUILD is SW_BUILD_FAILED, not an error (e then says why the last
 * straw failed).
 */
#ifndef SW_BUILD_H
#define SW_BUILD_H

#include "core/config.h"
#include "core/err.h"
#include "repo/sign.h"

/* phases reported to the master with ping */
#define SW_PHASE_PREPARING "preparing"
#define SW_PHASE_BUILDING  "building"
#define SW_PHASE_SIGNING   "signing"

struct sw_build_hooks {
	/*
	 * Called at each phase change and at least once a second while a child
	 * runs. Returns 0 to go on, 1 to abort at once: the build's processes
	 * are killed (the whole sandbox), nothing is written to outdir, and
	 * sw_build_run returns SW_BUILD_ABORTED. NULL: never aborts.
	 */
	int (*tick)(void *arg, const char *phase);
	void *arg;
};

struct sw_build_job {
	const char *srcdir;   /* the build directory (PKGBUILD and files); read only */
	const char *id;       /* for log lines and log file names: the assignment id, or the
	                         pkgbase for a local build */
	const char *outdir;   /* existing empty directory for the results */
	const char *srcinfo;  /* the master's .SRCINFO of srcdir, used instead of
	                         makepkg --printsrcinfo; NULL: read the PKGBUILD */
	struct sw_sign *sign; /* the caller's signing context, opened here on first
	                         use and kept for its next builds (gpgme starts 6
	                         programs to open one); NULL: one for this build */
};

enum sw_build_result {
	SW_BUILD_ERROR = -1,   /* the slave itself failed (gpg, disk, bad config): e says why */
	SW_BUILD_OK = 0,       /* outdir holds every package the PKGBUILD builds for our arch
	                          (and nothing else), each with its detached binary .sig */
	SW_BUILD_FAILED = 1,   /* every straw failed: outdir holds one <id>.<straw>.log.gz per
	                          attempt (a build making an extra or missing package is a failure) */
	SW_BUILD_ABORTED = 2,  /* hooks->tick asked to stop */
};

/* Builds job->srcdir straw after straw (c->straws) with c's backend. */
enum sw_build_result sw_build_run(const struct sw_slave_conf *c,
	const struct sw_build_job *job, const struct sw_build_hooks *hooks,
	struct sw_err *e);

#endif
