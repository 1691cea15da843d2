/*
 * promote_int: what promote.c (loading, the run), promote_plan.c (the
 * closure), promote_check.c (the checks) and promote_apply.c (the
 * transaction) share. Private to them; the contract is promote.h's.
 * Everything here is in memory, under the locks sw_promote_run holds.
 */
#ifndef SW_PROMOTE_INT_H
#define SW_PROMOTE_INT_H

#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/statedir.h"
#include "queue/together.h"
#include "repo/promote.h"
#include "repo/repodb.h"

/*
 * A line's repositories: staging, testing, stable, then (with debug = yes)
 * their debug repositories at the same index plus PM_DBG.
 */
enum { PM_STAGING = 0, PM_TESTING = 1, PM_STABLE = 2, PM_STAGES = 3,
	PM_DBG = 3, PM_REPOS = 6 };

/* One package file of a unit, as its source database describes it. */
struct pm_pkg {
	char file[SW_FILENAME_MAX + 1];
	char pkgname[SW_PKGNAME_MAX + 1];
	char version[SW_VERSION_MAX + 1];
	bool debug;                 /* <pkgbase>-debug */
	int off;                    /* PM_DBG: it is in the debug repositories */
	struct sw_strvec depends;   /* names, constraints dropped */
	struct sw_strvec provides;  /* names, the pkgname first */
};

/* One pkgbase revision in a staging or testing repository. */
struct pm_unit {
	struct sw_id id;
	size_t line;                /* index into the lines */
	int stage;                  /* PM_STAGING or PM_TESTING: where it is */
	bool tested, faulty, named, moves;
	struct pm_pkg *p;
	size_t np;
	char why[384];              /* why it stays */
};

/* pkgname -> pkgbase of an entry as loaded, sorted by pkgbase then name. */
struct pm_base {
	char base[SW_PKGNAME_MAX + 1];
	char name[SW_PKGNAME_MAX + 1];
};

/* A [repository] section: its three repositories (six with debug ones)
 * and their databases. */
struct pm_line {
	const struct sw_repo_conf *rc;
	int nrepos;                 /* PM_STAGES, or PM_REPOS with debug = yes */
	const char *name[PM_REPOS];
	struct sw_repodb db[PM_REPOS];
	bool changed[PM_REPOS];
	struct pm_base *bases[PM_REPOS];    /* one per entry as loaded */
	size_t nbases[PM_REPOS];
};

/* A deletion-list entry and what it takes away. */
struct pm_del {
	size_t index;               /* in the deletion list */
	size_t line;
	bool held, dropped;
	struct sw_strvec files[PM_REPOS]; /* the files it unlinks */
	struct sw_strvec names[PM_REPOS]; /* the pkgnames it removes */
	char why[384];
};

struct pm_ctx {
	const struct sw_master_conf *c;
	const struct sw_promote_opts *o;
	struct sw_statedir sd;
	struct pm_line *lines;
	size_t nlines;
	struct pm_unit *u;
	size_t nu, ualloc;
	struct sw_build_list bl;
	struct sw_buildmeta meta;
	struct sw_deletion_list dl;
	struct sw_together tg;      /* libraries and their rebuilds */
	struct pm_del *del;
	size_t ndel;
	struct sw_promote_plan *plan;
};

/* The destination of a unit that moves: testing or stable. */
#define PM_DEST(u) ((u)->stage + 1)
/* The repository (index into a line's) of package p of unit u, and where
 * it goes. */
#define PM_FROM(u, p) ((u)->stage + (p)->off)
#define PM_TO(u, p) (PM_DEST(u) + (p)->off)

/* "foo>=1.0" -> "foo" appended to v; 0 or -1 (ENOMEM). */
int pm_dep_names(const struct sw_repodb_entry *en, const char *field,
	struct sw_strvec *v);

/*
 * The pkgnames of the entries of pkgbase in a database, as it was loaded
 * (%BASE%, or the pkgname when there is none), appended to out: 0 or -1.
 */
int pm_base_names(const struct pm_line *l, int stage, const char *pkgbase,
	struct sw_strvec *out);

/* promote_plan.c: decides u[].moves and the deletions; REFUSED for a named
 * move that cannot be made (e set). */
enum sw_promote_result pm_plan(struct pm_ctx *x, struct sw_err *e);
/* promote_check.c */
enum sw_promote_result pm_check(struct pm_ctx *x, struct sw_err *e);
/* promote_apply.c: one transaction, committed. */
int pm_apply(struct pm_ctx *x, struct sw_err *e);

#endif
