/*
 * schedule: scheduled rebuilds of VCS packages (-git, ...), whose
 * PKGBUILD does not change when upstream does. A package directory of the
 * customizations with a file .slipway/schedule saying "daily" or "weekly"
 * is queued again, as the farm's next bump of its published build
 * (rebuilds.h, reason "rebuild: schedule daily"), once its last build was
 * queued that long ago.
 *
 *   <state_dir>/schedules, one line per scheduled (repository, pkgbase):
 *   <repository> <pkgbase> <daily|weekly> <last>
 *
 * last: when it was last queued (Unix seconds), by the schedule or by
 * get-package-updates. get-package-updates writes the set when the
 * customizations change (keeping last; a new line starts at the time it
 * was first seen), and queues what is due; both in a transaction under
 * build-list.lock. Read whole, written whole, missing file = empty, a
 * malformed line (bad name, period or time, a key twice) = an error
 * naming file and line.
 */
#ifndef SW_SCHEDULE_H
#define SW_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/names.h"
#include "core/txn.h"

#define SW_SCHEDULE_DAY 86400
#define SW_SCHEDULE_WEEK (7 * SW_SCHEDULE_DAY)
#define SW_SCHEDULE_REASON "rebuild: schedule "

struct sw_sched {
	char repo[SW_REPO_MAX + 1];
	char pkgbase[SW_PKGNAME_MAX + 1];
	int64_t period;             /* SW_SCHEDULE_DAY or SW_SCHEDULE_WEEK */
	int64_t last;
};

struct sw_schedules {
	struct sw_sched *v;
	size_t n, alloc;
};

int sw_schedules_read(const char *path, struct sw_schedules *s,
	struct sw_err *e);
int sw_schedules_write(const char *path, const struct sw_schedules *s,
	struct sw_txn *t, struct sw_err *e);
void sw_schedules_release(struct sw_schedules *s);
long sw_schedules_find(const struct sw_schedules *s, const char *repo,
	const char *pkgbase);
/* Adds (repo, pkgbase) (checked, not there yet) with period and last. */
int sw_schedules_add(struct sw_schedules *s, const char *repo,
	const char *pkgbase, int64_t period, int64_t last, struct sw_err *e);
/* "daily" -> SW_SCHEDULE_DAY, "weekly" -> SW_SCHEDULE_WEEK; else -1. */
int64_t sw_schedule_period(const char *word);
/* "daily" or "weekly". */
const char *sw_schedule_name(int64_t period);
/* Is x due at now? */
bool sw_schedule_due(const struct sw_sched *x, int64_t now);

#endif
