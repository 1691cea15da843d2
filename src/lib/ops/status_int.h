/*
 * status internals shared by status.c (memory, text, JSON, metrics) and
 * status_html.c (the HTML page). Not for use outside ops/status*.
 */
#ifndef SW_STATUS_INT_H
#define SW_STATUS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ops/farm.h"
#include "ops/status.h"
#include "repo/stages.h"

/* Entries with a broken attempt; entries locked (or, !locked, blocked). */
size_t sw_status_count_broken(const struct sw_farm *f);
size_t sw_status_count_flag(const struct sw_farm *f, bool locked);
/* The slave's last heartbeat: now or remembered; 0 if never seen. */
int64_t sw_status_heartbeat(const struct sw_farm_slave *s,
	const struct sw_status_memory *m);
/* What entry i is doing, in a word or two; its version or "?". */
const char *sw_status_state_word(const struct sw_farm *f, size_t i);
const char *sw_status_version(const struct sw_farm *f, size_t i);
/* p of stage s of r: 0 not newer than stable, 1 newer, 2 not in stable. */
int sw_status_newer(const struct sw_stage_repo *r, enum sw_stage s,
	const struct sw_stage_pkg *p);

#endif
