/*
 * pkgstate: the per-package state files of DESIGN.md §3,
 * <state_dir>/package-states/<id>.<state>, one file per state:
 *
 *   locked   "<slave> <lease-start> <heartbeat> <phase>"      one line
 *   broken   "<time> <slave> <straw> <log-file>"               a line per attempt
 *   blocked  "<time> <who> <reason ...>"                       one line
 *   done, testing, tested   "<package file>"                   a line per file, each once
 *
 * Times are seconds since the epoch. Writers and sw_pkgstate_remove take a
 * transaction (txn.h) to stage the change in, or NULL for an atomic replace
 * of that one file now; adding an attempt rewrites the file with one more line. The
 * caller holds build-list.lock for locked/broken/blocked and package-db.lock
 * as well for done/testing/tested/faulty. Reads return 1 when the file is absent.
 * A malformed file is an error naming file and line.
 */
#ifndef SW_PKGSTATE_H
#define SW_PKGSTATE_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"
#include "core/txn.h"

enum sw_state {
	SW_STATE_LOCKED,
	SW_STATE_BROKEN,
	SW_STATE_BLOCKED,
	SW_STATE_DONE,
	SW_STATE_TESTING,
	SW_STATE_TESTED,
	SW_STATE_FAULTY,
	SW_STATE_COUNT,
};

#define SW_REASON_MAX 200

struct sw_locked {
	char slave[SW_SLAVE_MAX + 1];
	int64_t lease_start;
	int64_t heartbeat;
	char phase[33];
};

struct sw_attempt {
	int64_t time;
	char slave[SW_SLAVE_MAX + 1];
	char straw[33];
	char log[SW_FILENAME_MAX + 1]; /* "-" when there is none */
};

struct sw_blocked {
	int64_t time;
	char who[SW_SLAVE_MAX + 1];
	char reason[SW_REASON_MAX + 1];
};

const char *sw_state_name(enum sw_state s);
/* "locked" -> SW_STATE_LOCKED; -1 if unknown. */
int sw_state_parse(const char *s);

/* <state_dir>/package-states/<id>.<state> */
int sw_pkgstate_path(struct sw_buf *out, const char *state_dir,
	const struct sw_id *id, enum sw_state s, struct sw_err *e);
/* 1 present, 0 absent, -1 error */
int sw_pkgstate_exists(const char *state_dir, const struct sw_id *id,
	enum sw_state s, struct sw_err *e);
int sw_pkgstate_remove(const char *state_dir, const struct sw_id *id,
	enum sw_state s, struct sw_txn *t, struct sw_err *e);

int sw_pkgstate_read_locked(const char *state_dir, const struct sw_id *id,
	struct sw_locked *out, struct sw_err *e);
int sw_pkgstate_write_locked(const char *state_dir, const struct sw_id *id,
	const struct sw_locked *l, struct sw_txn *t, struct sw_err *e);

/* *v is malloc'ed (free it); *n attempts, oldest first. */
int sw_pkgstate_read_broken(const char *state_dir, const struct sw_id *id,
	struct sw_attempt **v, size_t *n, struct sw_err *e);
int sw_pkgstate_add_broken(const char *state_dir, const struct sw_id *id,
	const struct sw_attempt *a, struct sw_txn *t, struct sw_err *e);

int sw_pkgstate_read_blocked(const char *state_dir, const struct sw_id *id,
	struct sw_blocked *out, struct sw_err *e);
/* Refuses a reason with control bytes or longer than SW_REASON_MAX. */
int sw_pkgstate_write_blocked(const char *state_dir, const struct sw_id *id,
	const struct sw_blocked *b, struct sw_txn *t, struct sw_err *e);

/* done, testing, tested, faulty: the package file names. */
int sw_pkgstate_read_files(const char *state_dir, const struct sw_id *id,
	enum sw_state s, struct sw_strvec *files, struct sw_err *e);
int sw_pkgstate_write_files(const char *state_dir, const struct sw_id *id,
	enum sw_state s, const struct sw_strvec *files, struct sw_txn *t, struct sw_err *e);

/*
 * Calls fn for every state file, in no particular order. Files whose name
 * is not "<id>.<state>" (temp files of an interrupted write) are skipped
 * and counted in *skipped if non-NULL. fn returns 0 to go on, -1 to stop
 * with its error.
 */
int sw_pkgstate_scan(const char *state_dir,
	int (*fn)(const struct sw_id *id, enum sw_state s, void *arg), void *arg,
	size_t *skipped, struct sw_err *e);

#endif
