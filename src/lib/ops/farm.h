/*
 * farm: one consistent picture of the master, for the tools that explain
 * and show it (why-dont-you, build-master-status, sanity-check).
 *
 * sw_farm_load reads, holding build-list.lock and package-db.lock
 * (statedir.h, taken in that order, each waited for at most
 * lock_timeout_ms):
 * the build list, build-meta and the deletion list (buildlist.h,
 * buildmeta.h), the reasons of the farm's own rebuilds (rebuilds.h), every package state (pkgstate.h), and then the databases
 * of every stage of every repository (stages.h). It changes nothing
 * (taking a lock finishes an interrupted transaction, as for every
 * holder). From these it works out, for each build-list entry, the
 * entries it waits for, the dependency cycle it is in (depgraph.h), how
 * many entries wait on it, and which entry get-assignment would hand out
 * next (assign.h, the same policy, computed on this picture).
 *
 * Ownership: everything belongs to the struct sw_farm; release it with
 * sw_farm_release, also after a failed load. The configuration must
 * outlive it.
 *
 * Errors: SW_FARM_BUSY when a lock is not had in time, SW_FARM_ERROR with
 * e for anything else (a malformed state file names file and line).
 */
#ifndef SW_FARM_H
#define SW_FARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"
#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/pkgstate.h"
#include "queue/rebuilds.h"
#include "repo/stages.h"

enum sw_farm_result {
	SW_FARM_ERROR = -1,
	SW_FARM_OK = 0,
	SW_FARM_BUSY = 1,
};

#define SW_FARM_LOCK_TIMEOUT_MS 10000

struct sw_farm_entry {
	struct sw_id id;
	long meta;                    /* index into farm->meta, -1: none */
	char version[SW_VERSION_MAX + 1]; /* built as: build-meta's with the
	                                     farm bump (bump.h); "?" unknown */
	const char *rebuild;          /* why the farm queued it (rebuilds.h), or NULL */
	bool locked, blocked;
	struct sw_locked lock;
	struct sw_blocked block;
	struct sw_attempt *attempts;  /* broken: oldest first */
	size_t nattempts;
	size_t *deps;                 /* entries it build-depends on */
	size_t ndeps;
	long cycle;                   /* its cycle (index into cycles), -1 */
	size_t waiting;               /* entries that wait on it, directly or not */
};

/* An id in a repository: done (staging) or testing, with its marks. */
struct sw_farm_pub {
	struct sw_id id;
	enum sw_state state;          /* SW_STATE_DONE or SW_STATE_TESTING */
	bool tested, faulty;
	struct sw_strvec files;
	int64_t since;                /* mtime of the state file */
};

struct sw_farm_slave {
	char name[SW_SLAVE_MAX + 1];
	bool configured;              /* has a [slave NAME] section */
	size_t leases;
	int64_t heartbeat;            /* newest heartbeat of its leases, 0: none */
};

/* A dependency cycle: the build-list entries in it, in build order. */
struct sw_farm_cycle {
	size_t *members;
	size_t n;
};

struct sw_farm {
	const struct sw_master_conf *c;
	int64_t now;
	struct sw_build_list list;
	struct sw_buildmeta meta;
	struct sw_deletion_list deletions;
	struct sw_rebuilds rebuilds;
	struct sw_farm_entry *entries;  /* list.n, in build order */
	struct sw_farm_cycle *cycles;
	size_t ncycles;
	bool have_next;
	size_t next;                    /* what get-assignment hands out next */
	struct sw_farm_pub *pubs;
	size_t npubs;
	/* states whose id is neither on the list nor done/testing: "<id>.<state>" */
	struct sw_strvec stray_states;
	struct sw_farm_slave *slaves;
	size_t nslaves;
	struct sw_stages stages;
	bool not_sane;                  /* the sanity mark (queue/sanity.h) */
	int64_t not_sane_since;
	struct sw_strvec not_sane_why;
};

void sw_farm_init(struct sw_farm *f);
enum sw_farm_result sw_farm_load(struct sw_farm *f,
	const struct sw_master_conf *c, int64_t now, int lock_timeout_ms,
	struct sw_err *e);
/*
 * What a command does first: the master's configuration from config_path
 * (NULL: where config.h looks for it) into c, then sw_farm_load with the
 * default lock timeout. The caller frees c (config.h) and f either way.
 */
enum sw_farm_result sw_farm_open(struct sw_farm *f, struct sw_master_conf *c,
	const char *config_path, int64_t now, struct sw_err *e);
/* The same, for a caller that holds both locks already (sanity-check). */
int sw_farm_load_locked(struct sw_farm *f, const struct sw_master_conf *c,
	int64_t now, struct sw_err *e);
void sw_farm_release(struct sw_farm *f);

/* The entry of pkgbase on the build list (first in build order), or -1. */
long sw_farm_find_entry(const struct sw_farm *f, const char *pkgbase);
/* The published id of pkgbase (done, else testing), or NULL. */
const struct sw_farm_pub *sw_farm_find_pub(const struct sw_farm *f,
	const char *pkgbase, enum sw_state state);
/* "<state_dir>/logs/<log>" of an attempt (log "-": none, empty out). */
int sw_farm_log_path(const struct sw_farm *f, const struct sw_attempt *a,
	struct sw_buf *out, struct sw_err *e);
/*
 * May a broken entry be retried by itself (failures within
 * broken_retries), and from when? 1 yes (at *when), 0 no: it waits for a
 * new revision or an unbreak.
 */
int sw_farm_retry(const struct sw_farm *f, const struct sw_farm_entry *en,
	int64_t *when);

#endif
