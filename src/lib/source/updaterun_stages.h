/*
 * updaterun_stages: the stages of one get-package-updates run (updaterun.h
 * says what a run does as a whole), each in its own file, all working on
 * one struct run that updaterun.c sets up and releases. Private to
 * updaterun*.c; nothing else includes it.
 *
 *   updaterun.c           the run: set-up, replan, the commit loop, release
 *   updaterun_fetch.c     revisions/ read and compared; fetching the mirrors
 *                         under locks/git-fetch.lock
 *   updaterun_affected.c  the customization lists; which pkgbases a change
 *                         concerns; what a revision holds for a pkgbase
 *   updaterun_workdir.c   the work directory: assembled package directories
 *   updaterun_batch.c     reading jobs: cache, .SRCINFO, else one sandbox
 *                         batch per trust domain
 *   updaterun_plan.c      old against new for every affected pkgbase: the
 *                         actions (queue, update, remove, ...)
 *   updaterun_learn.c     what the PKGBUILDs of untouched list entries say
 *   updaterun_gone.c      sections taken out of master.conf
 *   updaterun_schedule.c  scheduled rebuilds (.slipway/schedule)
 *   updaterun_commit.c    under build-list.lock: merge, order, write all in
 *                         one transaction
 *
 * Every function returns 0 or -1 with e set unless it says otherwise;
 * messages for the report (warnings, a failed package) go through
 * sw_ur_say. Only sw_ur_fetch_all and sw_ur_commit take locks.
 */
#ifndef SW_UPDATERUN_STAGES_H
#define SW_UPDATERUN_STAGES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strvec.h"
#include "queue/schedule.h"
#include "queue/statedir.h"
#include "source/custom.h"
#include "source/gitsrc.h"
#include "source/introspect.h"
#include "source/srcinfo.h"
#include "source/updaterun.h"
#include "source/updates.h"

#define ZERO_COMMIT "0000000000000000000000000000000000000000"
#define REV_MAX_SIZE (16 * 1024 * 1024)
#define DIR_CAP ((size_t)256 * 1024 * 1024)
#define ATTEMPTS 3
#define NO_PP SIZE_MAX
#define OLD 0
#define NEW 1

struct pp_repo {
	char pkgbase[SW_PKGNAME_MAX + 1];
	struct sw_gitsrc *g;            /* NULL: no mirror */
	char rev[2][SW_COMMIT_MAX + 1]; /* "" none */
	bool failed;                    /* not fetched: stays at its revision */
};

struct source {
	const struct sw_source_conf *conf;
	struct sw_gitsrc *g;            /* all but per-package */
	char rev[2][SW_COMMIT_MAX + 1];
	struct pp_repo *pp;
	size_t npp;
	struct sw_strvec tops[2];       /* repo/pkgbase: the upstream repositories */
	bool tops_done[2];
	bool failed;                    /* not fetched: nothing changes in it */
	/* [NEW] as configured, [OLD] as the last run saw it (source-configs) */
	int layout[2];
	char repository[2][SW_REPO_MAX + 1];    /* "" none */
	bool reconf;                    /* the section changed since: walk it whole */
	bool unrecorded;                /* source-configs has no line for it yet */
};

struct customs {
	bool failed;
	struct sw_gitsrc *g;
	char rev[2][SW_COMMIT_MAX + 1];
	struct sw_custom_list bl[2], bm[2], uo[2], ov[2];
	struct sw_custom_list tr;       /* rebuild-triggers, at NEW */
};

/* A package directory at one revision, as a candidate for (pkgbase, repo). */
struct cand {
	bool blacklisted;
	size_t src, pp;
	char up[SW_REPO_MAX + 1];
	char repo[SW_REPO_MAX + 1];
	char commit[SW_COMMIT_MAX + 1];
	char path[SW_FILENAME_MAX + 1];
	char tree[SW_COMMIT_MAX + 1];
	char mod[SW_COMMIT_MAX + 1];
	char custom[SW_FILENAME_MAX + 1];   /* "" none */
	char ctree[SW_COMMIT_MAX + 1];
};

#define MAX_CANDS 64

/* Reading one package directory: a .SRCINFO from somewhere. */
struct job {
	char pkgbase[SW_PKGNAME_MAX + 1];
	char id[SW_ID_MAX + 1];         /* sw_ur_learn_list: the build-list id */
	size_t src, pp;
	char commit[SW_COMMIT_MAX + 1], path[SW_FILENAME_MAX + 1];
	char mod[SW_COMMIT_MAX + 1], custom[SW_FILENAME_MAX + 1];
	char tree[SW_COMMIT_MAX + 1], ctree[SW_COMMIT_MAX + 1];
	int state;                      /* 0 to read in the sandbox, 1 ok, -1 failed */
	struct sw_srcinfo si;
	char dir[PATH_MAX];
	char error[SW_ERR_MAX];
};

/* An id and what its PKGBUILD says. */
struct known {
	char id[SW_ID_MAX + 1];
	struct sw_pkginfo info;
};

struct run {
	const struct sw_master_conf *c;
	const struct sw_updaterun_opts *o;
	struct sw_updaterun_report *rep;
	struct sw_statedir sd;
	bool sd_open;
	struct source *src;
	size_t nsrc;
	struct customs cu;
	struct sw_strvec affected, forced, recheck;
	struct sw_strvec gone_src;      /* revisions/ of sources not configured */
	struct sw_strvec shadowed;      /* "pkgbase repo" of gone sources, sorted */
	/* routing of upstream repositories ([repository] from =) at [OLD]
	 * and [NEW]: [OLD] as the last run saw it when that differs */
	const struct sw_master_conf *routes[2];
	struct sw_master_conf routes_old;
	bool routes_unrecorded;
	struct sw_schedules sched_scan; /* .slipway/schedule files at NEW */
	bool sched_scanned;             /* the customizations moved: rescanned */
	struct sw_upd_action *acts;
	struct sw_pkginfo *act_info;    /* per action (QUEUE only) */
	size_t nacts, aacts;
	struct known *known;            /* infos of list entries, sorted by id */
	size_t nknown, aknown;
	struct sw_strvec queued;        /* "<id> <action index>", sorted */
	struct sw_strvec tried;         /* ids sw_ur_learn_list tried, sorted */
	struct sw_cache *cache;
	char workdir[PATH_MAX];
	unsigned nwork;
	/*
	 * locks/git-fetch.lock, held from the fetch to the end: a run that
	 * fetched an older head must never write after one that fetched a
	 * newer one, or the state would go back in time.
	 */
	int run_lock;
};
struct cands {
	struct cand v[MAX_CANDS];
	size_t n;
};

/* ---- updaterun.c: helpers of every stage ---- */

/* Adds one sentence to the run's report. */
void sw_ur_say(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Copies src into dst, cut to size - 1 bytes. */
void sw_ur_copy(char *dst, size_t size, const char *src);
/* Is path the top of a repository (".")? */
bool sw_ur_is_root(const char *path);
/* "<dir>/<name>", or name when dir is "."; -1 when it does not fit. */
int sw_ur_subpath(char *out, size_t size, const char *dir, const char *name);
/* The mirror of source src (pp: a package of a per-package source, or NO_PP). */
struct sw_gitsrc *sw_ur_repo_of(struct run *r, size_t src, size_t pp);

/* ---- updaterun_fetch.c: revisions and fetching ---- */

/* revisions/<name> */
int sw_ur_rev_path(struct run *r, const char *name, struct sw_buf *out,
	struct sw_err *e);
/* The package pkgbase of per-package source s, or NULL. */
struct pp_repo *sw_ur_pp_find(struct source *s, const char *pkgbase);
/* Reads revisions/ into rev[OLD] of every source and the customizations. */
int sw_ur_load_old(struct run *r, struct sw_err *e);
/* One string of every old revision: equal digests, equal revisions. -1: memory. */
int sw_ur_revs_digest(const struct run *r, struct sw_buf *out);
/* Frees what load_routes kept of repository-routes. */
void sw_ur_routes_release(struct run *r);
/* source-configs and repository-routes, as this run sees them, in t. */
int sw_ur_write_configs(struct run *r, struct sw_txn *t, struct sw_err *e);
/* Did any fetched head move from its recorded revision? */
bool sw_ur_anything_new(const struct run *r);
/*
 * Takes locks/git-fetch.lock (kept until the run ends) and fetches every
 * mirror into rev[NEW]. 0, 1 when another run holds the lock, -1. A source
 * that cannot be fetched is marked failed and said, not an error.
 */
int sw_ur_fetch_all(struct run *r, struct sw_err *e);

/* ---- updaterun_affected.c: what a change concerns ---- */

/* Reads the customization lists (blacklist, ...) of both revisions. */
int sw_ur_load_lists(struct run *r, struct sw_err *e);
/* Sorts sv and drops repeated strings. */
void sw_ur_uniq(struct sw_strvec *sv);
/* Is s in the sorted sv? */
bool sw_ur_sorted_has(const struct sw_strvec *sv, const char *s);
/* Fills r->affected (and forced, recheck) from diffs, lists and fails. */
int sw_ur_find_affected(struct run *r, struct sw_failures *fails,
	struct sw_err *e);
/* What revision side (OLD, NEW) holds for pkgbase: its candidates in cs. */
int sw_ur_view(struct run *r, const char *pkgbase, int side, struct cands *cs,
	struct sw_err *e);

/* ---- updaterun_workdir.c: the work directory ---- */

/* Removes the work directory and all in it, if one was made. */
void sw_ur_remove_workdir(struct run *r);
/* Writes the assembled directory of j (customizations applied) to j->dir. */
int sw_ur_materialize(struct run *r, struct job *j, struct sw_err *e);

/* ---- updaterun_batch.c: reading package directories ---- */

/*
 * Reads every job: the cache, a .SRCINFO, else the sandbox: CHUNK
 * directories at a time, a batch per trust domain (a source, or a package
 * of a per-package source). A job that cannot be read gets state -1 and
 * its error; only a failure of ours is -1.
 */
int sw_ur_read_jobs(struct run *r, struct job *jobs, size_t n,
	struct sw_err *e);
void sw_ur_jobs_release(struct job *jobs, size_t n);

/* ---- updaterun_plan.c: the actions ---- */

/* A new action of the run (empty strvecs), or NULL when memory runs out. */
struct sw_upd_action *sw_ur_new_action(struct run *r, enum sw_upd_kind kind,
	const char *pkgbase, const char *repo);

void sw_ur_actions_release(struct run *r);
/* Indexes the QUEUE actions by id, for sw_ur_queued_info (plan does). */
int sw_ur_index_queued(struct run *r, struct sw_err *e);
/* What the queued action for id read, or NULL. */
struct sw_pkginfo *sw_ur_queued_info(struct run *r, const struct sw_id *id);
/* Compares old and new for every affected pkgbase; reads what is queued. */
int sw_ur_plan(struct run *r, struct sw_err *e);

/* ---- updaterun_learn.c: the build list's PKGBUILDs ---- */

/* What the PKGBUILD of list entry id says, or NULL when not learnt. */
struct sw_pkginfo *sw_ur_known_get(struct run *r, const struct sw_id *id);
/*
 * The key of id in the run's indexes: its id without a farm bump (what a
 * PKGBUILD says depends on the commits only).
 */
void sw_ur_id_key(const struct sw_id *id, char *out, size_t size);
/* Did sw_ur_learn_list try to read id? */
bool sw_ur_tried(const struct run *r, const char *id);
/*
 * Learns what the PKGBUILD of every build-list entry says that this run
 * does not queue (read without the lock; normally all from the cache).
 */
int sw_ur_learn_list(struct run *r, struct sw_err *e);

/* ---- updaterun_gone.c: sections taken out of master.conf ---- */

/*
 * Fills r->gone_src (sorted: revisions/ files of sources not configured)
 * and sets *any when there is one, or a build-list entry of a repository
 * without a section: then the run has work even if no head moved.
 */
int sw_ur_find_gone(struct run *r, bool *any, struct sw_err *e);
/*
 * Fills r->shadowed with the keys of build-meta and published entries of
 * the sources in r->gone_src, and adds their pkgbases to r->affected: a
 * source still configured that has one of them (shadowed so far) queues
 * it at this run even though its directory did not change.
 */
int sw_ur_gone_shadowed(struct run *r, struct sw_err *e);
/*
 * Under build-list.lock: an action for every entry of l whose repository
 * has no section (DROP) or whose source is not configured (REMOVE when
 * published, else DROP), and REMOVE for every published build of a
 * source in r->gone_src not on l (whose repository has a section); none
 * for a key the run has an action for. whys: the sections (every source
 * in r->gone_src among them), once each.
 */
int sw_ur_gone_actions(struct run *r, const struct sw_build_list *l,
	const struct sw_buildmeta *m, const struct sw_publist *pub,
	struct sw_strvec *whys, struct sw_err *e);

/* ---- updaterun_schedule.c: scheduled rebuilds ---- */

/*
 * When the customizations moved: reads every <repo>/<pkgbase>/.slipway/
 * schedule of a configured repository at NEW into r->sched_scan (a bad
 * file is said and skipped) and sets r->sched_scanned.
 */
int sw_ur_scan_schedules(struct run *r, struct sw_err *e);
/*
 * In the run's transaction t (under build-list.lock, l the list as it is
 * written): the scanned set replaces `schedules` (keeping each line's
 * last; a new line starts at now), and a pkgbase the run queued starts
 * its period again at now.
 */
int sw_ur_write_schedules(struct run *r, const struct sw_build_list *l,
	int64_t now, struct sw_txn *t, struct sw_err *e);
/*
 * After the run: queues every published scheduled pkgbase that is due as
 * the farm's next bump (rebuilds.h), under build-list.lock in a
 * transaction of its own; counts them in r->rep->scheduled. The lock
 * busy (without -b) is said, and waits for the next run.
 */
int sw_ur_run_schedules(struct run *r, struct sw_err *e);

/* ---- updaterun_commit.c: writing ---- */

/*
 * Under build-list.lock (the caller holds it): merge, order, write. 0 done,
 * 1 start again (the list holds entries this run has not tried to learn).
 */
int sw_ur_commit(struct run *r, struct sw_err *e);

#endif
