/*
 * deproot: the build dependencies the farm publishes, installed by real
 * pacman into a fresh root whose usr the bwrap backend lays over the
 * host's /usr (sandbox.h), so that a package linking against a library
 * the farm built links against that build.
 *
 * sw_deproot_install runs pacman as root of a user namespace (bubblewrap,
 * the host read-only, only root and cachedir writable, without install
 * scriptlets) with the caller's pacman.conf, which lists the farm's
 * repositories, staging included: -Sy, then -S of every dependency. A
 * dependency none of them has is taken as one the farm builds but has not
 * published yet (the master hands out such a package only to break a
 * dependency cycle): it is dropped with a log line and the rest installed.
 * Any other failure, such as a dependency of a farm package that no
 * repository satisfies, fails the build: 1, with e naming what pacman
 * could not find. pacman's output goes to o->logfd once it has ended.
 * -1: pacman could not run at all (e says why). The caller owns root (fresh, holding nothing but
 * empty var/lib/pacman and var/log, writable by the build uid) and holds
 * the work directory's lock; a kill -9 leaves a partial root that the
 * next build removes.
 */
#ifndef SW_DEPROOT_H
#define SW_DEPROOT_H

#include <stdint.h>

#include "core/err.h"
#include "core/strvec.h"
#include "slave/build.h"

struct sw_deproot {
	const char *pacman_conf;
	const char *root;               /* see above */
	const char *cachedir;           /* existing */
	const char *bwrap;
	const struct sw_strvec *prefix; /* argv run before bwrap (setpriv), or empty */
	int logfd;
	const struct sw_build_hooks *hooks;
	int64_t deadline_ms;
};

/* 0: installed (or nothing to install), 1: a dependency is missing, 2: aborted by the tick hook, -1: error. */
int sw_deproot_install(const struct sw_deproot *o, const struct sw_strvec *deps,
	struct sw_err *e);

/*
 * From pacman's stderr: appends the names of "error: target not found:
 * NAME" lines to missing; into other (NUL-terminated, cut to size) the
 * first ":: unable to satisfy dependency ..." line, else the first other
 * "error: " line, without the prefix. Exposed for tests.
 */
int sw_deproot_parse_errors(const char *text, struct sw_strvec *missing,
	char *other, size_t size);

#endif
