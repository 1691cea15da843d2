/*
 * sanity: the "not sane" mark of the master, and the gate that honours it.
 *
 * When sanity-check finds a violation of the invariants (DESIGN.md §3) it
 * marks the master not sane: <state_dir>/not-sane holds the time and one
 * line per violation. While the mark is there, the programs that change
 * the queue or the repositories (get-assignment, return-assignment,
 * db-update) call sw_sanity_gate first and refuse to run; read-only
 * programs (why-dont-you, build-master-status) show the mark. A run of
 * sanity-check that finds nothing (after --repair, or after the admin
 * fixed things by hand) removes it.
 *
 * Writes are atomic replaces (fileio.h); the mark is one file, so a kill -9
 * leaves it there or not. No lock is needed: the mark is advisory for the
 * programs that read it, and only sanity-check writes it.
 */
#ifndef SW_SANITY_H
#define SW_SANITY_H

#include <stdint.h>

#include "core/err.h"
#include "core/strvec.h"

#define SW_SANITY_MARK_MAX (1024 * 1024)

enum sw_sanity_result {
	SW_SANITY_ERROR = -1,
	SW_SANITY_OK = 0,       /* no mark */
	SW_SANITY_NOT_SANE = 1, /* marked: e says why and how to clear it */
};

/*
 * The gate: SW_SANITY_NOT_SANE with a message naming the first violation,
 * how many there are, since when, and "run 'sanity-check' (or
 * 'sanity-check --repair') to clear the mark".
 */
enum sw_sanity_result sw_sanity_gate(const char *state_dir, struct sw_err *e);

/* The mark's text (time line, then the violations) into *problems; 1 if none. */
int sw_sanity_read(const char *state_dir, int64_t *since,
	struct sw_strvec *problems, struct sw_err *e);
/* Marks the master not sane with these violations (at least one). */
int sw_sanity_mark(const char *state_dir, const struct sw_strvec *problems,
	int64_t now, struct sw_err *e);
/* Removes the mark (absent is fine). */
int sw_sanity_clear(const char *state_dir, struct sw_err *e);

#endif
