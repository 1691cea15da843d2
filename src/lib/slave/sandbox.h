/*
 * sandbox: the command lines of the three build backends, and waiting for
 * one of them with a wall-clock deadline and the caller's tick hook.
 *
 * sw_sandbox_bwrap appends the bubblewrap argv that runs cmd (an absolute
 * program and its arguments) as uid 1000 in new user, PID, IPC, UTS,
 * cgroup and mount namespaces, and a new network namespace unless net is
 * set (only the download step sets it). The sandbox sees /usr read-only
 * (with the farm root's usr merged over it when d->farm_usr is set: see
 * sw_sandbox_usr_merge), the /bin and /lib links, the few files of /etc
 * that compilers, the dynamic linker, TLS and name lookups read, the
 * makepkg.conf to use at /etc/makepkg.conf, a private /dev, /proc and
 * /tmp, and the build's directories at /startdir, /build, /srcdest and
 * /pkgdest (makepkg wants all of them writable, unless d->readonly; the
 * source cache notices a write through its hard links, see srccache.h),
 * and, when set, the package's settings at /slipway and a straw's log at
 * /build.log, both read-only. cmd runs under prlimit: CPU seconds, address
 * space and process count, hard limits a PKGBUILD cannot lift.
 *
 * sw_sandbox_usr_merge appends the bwrap arguments that make dest look
 * like host with farm laid over it, made of bind mounts (bubblewrap 0.8
 * has no overlayfs): a directory only the host has is one bind; one that
 * both have becomes a directory of binds, entry by entry; the farm wins a
 * name both have. Only directories the farm touches cost more than one
 * mount.
 *
 * sw_sandbox_devtools and sw_sandbox_command append the argv of the other
 * two backends (see build.h); the command template is split on blanks and
 * each word has {builddir} (the PKGBUILD directory), {outdir} (where the
 * packages must end up), {srcdest} and {makepkg_conf}
 * replaced; a word that is exactly {nocheck} becomes --nocheck for the
 * nocheck straw and is dropped otherwise. The first word must be an
 * absolute path: it is run with execve, never through a shell.
 *
 * sw_sandbox_wait waits for a started child: 0 when it exited (status as
 * in run.h), 1 when the deadline passed, 2 when hooks->tick asked to stop
 * (in both cases its process group, and with it the whole sandbox, was
 * killed and reaped), -1 on error (the child killed and reaped too).
 */
#ifndef SW_SANDBOX_H
#define SW_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/run.h"
#include "core/strvec.h"
#include "slave/build.h"

#define SW_SANDBOX_UID "1000"
/* Where the package's settings (settings.h) and a straw's log are seen. */
#define SW_SANDBOX_SETTINGS "/slipway"
#define SW_SANDBOX_LOG "/build.log"

struct sw_sandbox {
	const char *startdir;     /* host paths of the build's directories */
	const char *builddir;
	const char *srcdest;
	const char *pkgdest;
	bool readonly;            /* ... bound read-only (the after-build hooks) */
	const char *settings;     /* NULL, or bound read-only at /slipway */
	const char *log;          /* NULL, or bound read-only at /build.log */
	const char *farm_usr;     /* NULL: the host's /usr alone */
	const char *makepkg_conf; /* NULL: the host's /etc/makepkg.conf */
	uint64_t cpu_s, mem_bytes, nproc;
};

/* The environment of makepkg in the sandbox: PATH, HOME, the *DEST dirs. */
int sw_sandbox_env(struct sw_strvec *env);

int sw_sandbox_bwrap(struct sw_strvec *argv, const char *bwrap,
	const struct sw_sandbox *d, bool net, const char *const *cmd,
	struct sw_err *e);

int sw_sandbox_usr_merge(struct sw_strvec *argv, const char *host,
	const char *farm, const char *dest, struct sw_err *e);

/* makechrootpkg -c -r chroot -- --noconfirm --holdver [--nocheck] */
int sw_sandbox_devtools(struct sw_strvec *argv, const char *makechrootpkg,
	const char *chroot, bool nocheck, struct sw_err *e);

int sw_sandbox_command(struct sw_strvec *argv, const char *tmpl,
	const struct sw_sandbox *d, bool nocheck, struct sw_err *e);

int sw_sandbox_wait(struct sw_child *c, int64_t deadline_ms,
	const struct sw_build_hooks *hooks, const char *phase, int *status,
	struct sw_err *e);

/* CLOCK_MONOTONIC in milliseconds, for deadlines. */
int64_t sw_sandbox_now_ms(void);

#endif
