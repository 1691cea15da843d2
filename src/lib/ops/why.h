/*
 * why: why a package is not built, not promoted or not deleted
 * (why-dont-you), as sentences read off a loaded farm (farm.h).
 *
 * sw_why appends one or two lines per reason to lines, each starting with
 * the pkgbase:
 *   build      locked (slave, since, phase, heartbeat; an expired lease),
 *              blocked (who, when, reason), broken (how often, the last
 *              log, when it is retried), waiting for named dependencies
 *              with their own state, in a cycle with its named members,
 *              "would be built next", or not on the build list at all;
 *   stabilize  not built yet, held in staging by named pending packages,
 *              moved at the next db-update, not tested yet, faulty,
 *              already in stable;
 *   delete     not on the deletion list, held from deletion by named
 *              dependents, removed at the next db-update.
 * Pure: reads f only. Returns 0, 1 when the farm knows nothing of pkgbase
 * (one line says so), -1 with e when memory runs out.
 */
#ifndef SW_WHY_H
#define SW_WHY_H

#include "core/err.h"
#include "core/strvec.h"
#include "ops/farm.h"

enum sw_why_what {
	SW_WHY_BUILD,
	SW_WHY_STABILIZE,
	SW_WHY_DELETE,
};

int sw_why(const struct sw_farm *f, enum sw_why_what what, const char *pkgbase,
	struct sw_strvec *lines, struct sw_err *e);

/* "2026-12-04 15:20:03 UTC" into out (>= 32 bytes). */
void sw_why_time(int64_t t, char *out, size_t size);
/* "3h 2m", "45s" into out (>= 32 bytes). */
void sw_why_duration(int64_t secs, char *out, size_t size);

#endif
