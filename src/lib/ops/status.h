/*
 * status: the master at a glance (build-master-status), from a loaded farm
 * (farm.h): as text, as JSON, as one static HTML page, and as Prometheus
 * metrics.
 *
 * The text and JSON are appended to a caller's buffer. The HTML page is
 * <dir>/index.html, with the last log of every broken package decompressed
 * beside it as <dir>/logs/<log>.txt (at most SW_STATUS_LOG_MAX bytes, its
 * end kept) so that a browser shows it; the page loads nothing from
 * anywhere (inline style and script), and its filter box hides the rows of
 * every table that do not contain what is typed. Logs of packages no
 * longer broken are removed from <dir>/logs.
 *
 * Counters that must survive between runs (builds succeeded and failed,
 * the duration histogram, the last heartbeat of each slave, when each
 * entry was first seen) live in the memory file <state_dir>/status-memory,
 * written only by sw_status_metrics. A build is counted when a run first
 * sees its `done` state or a new `broken` attempt; its duration (return
 * time minus lease start) is known when a run saw its lease, so builds
 * shorter than the interval between two runs are counted but not timed.
 *
 * Every file is replaced atomically (fileio.h): a kill -9 leaves the old
 * file or the new one (and at worst a *.tmp.* file, which sanity-check
 * removes). Nothing here takes the master's locks: the farm was read under
 * them; the memory file is written only by build-master-status, one run at
 * a time (its systemd timer).
 */
#ifndef SW_STATUS_H
#define SW_STATUS_H

#include "core/buf.h"
#include "core/err.h"
#include "ops/farm.h"

#define SW_STATUS_LOG_MAX (4 * 1024 * 1024)

/* What earlier runs learned; see above. */
struct sw_status_memory;

int sw_status_memory_load(const struct sw_farm *f,
	struct sw_status_memory **m, struct sw_err *e);
void sw_status_memory_free(struct sw_status_memory *m);

/* m may be NULL (no memory: heartbeats and ages from this run only). */
int sw_status_text(const struct sw_farm *f, const struct sw_status_memory *m,
	struct sw_buf *out, struct sw_err *e);
int sw_status_json(const struct sw_farm *f, const struct sw_status_memory *m,
	struct sw_buf *out, struct sw_err *e);
int sw_status_html(const struct sw_farm *f, const struct sw_status_memory *m,
	const char *dir, struct sw_err *e);
/* Updates m with this run, writes it back, then writes the metrics to path. */
int sw_status_metrics(const struct sw_farm *f, struct sw_status_memory *m,
	const char *path, struct sw_err *e);

#endif
