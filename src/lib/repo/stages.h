/*
 * stages: what each configured repository holds in its three stages
 * (staging, testing, stable; DESIGN.md §6), read from the databases, and
 * what keeps a package in staging. Shared by why-dont-you,
 * build-master-status and sanity-check; the promotion rule lives here so
 * that db-update can use the same one.
 *
 * sw_stages_load reads <repo_dir>/<name>/os/<arch>/<name>.db.tar.gz of
 * every stage of every [repository], and of its debug repositories when it
 * has them (a missing database is an empty stage), without the files
 * archives. Each database is replaced by rename, so each
 * is read whole and consistent; for one view of all of them together, hold
 * package-db.lock around the call. Release with sw_stages_release (also
 * after a failed load).
 *
 * The staging rule (staging -> testing is closed under run-time
 * dependencies with respect to what is still pending): a package in
 * staging is held while one of its %DEPENDS% names a pkgname that a
 * build-list entry is still to build, or names a package in the same
 * staging repository that is itself held. sw_stages_held lists the
 * pending pkgbases that hold it. Dependencies are matched by name with the
 * version constraint dropped, through %NAME% and %PROVIDES%.
 */
#ifndef SW_STAGES_H
#define SW_STAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"
#include "queue/buildmeta.h"

enum sw_stage {
	SW_STAGE_STAGING,
	SW_STAGE_TESTING,
	SW_STAGE_STABLE,
	SW_STAGE_COUNT,
};

struct sw_stage_pkg {
	char name[SW_PKGNAME_MAX + 1];
	char base[SW_PKGNAME_MAX + 1];      /* %BASE%, else the name */
	char version[SW_VERSION_MAX + 1];
	char filename[SW_FILENAME_MAX + 1];
	struct sw_strvec depends;           /* names, constraints dropped */
	struct sw_strvec provides;          /* names, versions dropped */
};

struct sw_stage_repo {
	const struct sw_repo_conf *rc;
	char name[SW_STAGE_COUNT][SW_REPO_MAX + 1]; /* "" when not configured */
	struct sw_stage_pkg *pkgs[SW_STAGE_COUNT];  /* sorted by name */
	size_t n[SW_STAGE_COUNT];
	/* the debug repository of each stage (debug = yes; "" otherwise) */
	char debug_name[SW_STAGE_COUNT][SW_REPO_MAX + 1];
	struct sw_stage_pkg *debug_pkgs[SW_STAGE_COUNT];
	size_t debug_n[SW_STAGE_COUNT];
};

struct sw_stages {
	struct sw_stage_repo *v;    /* in configuration order */
	size_t n;
};

const char *sw_stage_name(enum sw_stage s);

int sw_stages_load(const struct sw_master_conf *c, struct sw_stages *st,
	struct sw_err *e);
void sw_stages_release(struct sw_stages *st);

/* "<repo_dir>/<repo>/os/<arch>/<repo>.db.tar.gz" */
int sw_stages_db_path(const struct sw_master_conf *c, const char *repo,
	struct sw_buf *out, struct sw_err *e);

/*
 * The repository and stage whose name is repo (stable, staging or testing
 * name): 0, or -1 if no [repository] has it.
 */
int sw_stages_find_repo(const struct sw_stages *st, const char *repo,
	size_t *ri, enum sw_stage *stage);
/* The package pkgname in a stage (its debug repository), or NULL. */
const struct sw_stage_pkg *sw_stages_find(const struct sw_stage_repo *r,
	enum sw_stage s, const char *pkgname);
const struct sw_stage_pkg *sw_stages_find_debug(const struct sw_stage_repo *r,
	enum sw_stage s, const char *pkgname);

/* "bash>=5.0" -> "bash" (into out, which holds SW_PKGNAME_MAX + 1). */
void sw_stages_dep_name(const char *dep, char *out, size_t size);

/*
 * Which pending pkgbases hold staging package pkgname of r in staging:
 * pushes each once onto holders (none: it may go to testing). pending is
 * build-meta (the pkgnames each build-list entry builds).
 */
int sw_stages_held(const struct sw_stage_repo *r, const char *pkgname,
	const struct sw_buildmeta *pending, struct sw_strvec *holders,
	struct sw_err *e);

#endif
