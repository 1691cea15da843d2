/* sanitycheck: every invariant of the master checked; see sanitycheck.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "ops/sanitycheck.h"
#include "queue/bump.h"
#include "queue/sanity.h"
#include "queue/sonames.h"
#include "queue/statedir.h"
#include "queue/statepath.h"
#include "queue/schedule.h"
#include "queue/together.h"
#include "queue/triggers.h"
#include "repo/pool.h"
#include "repo/repocheck.h"
#include "repo/repodb.h"
#include "repo/sign.h"

struct ctx {
	const struct sw_master_conf *c;
	const struct sw_sanitycheck_opts *o;
	struct sw_statedir *sd;
	struct sw_strvec *problems, *repairs;
	struct sw_err *e;
};

#define PUSH(sv, ...) do { \
	if (sw_strvec_pushf((sv), __VA_ARGS__) < 0) { \
		sw_err_sys(x->e, "cannot list the violations"); \
		goto out; \
	} \
} while (0)

/* ---- stale temp files ---- */

/* Removes an upload directory: its files (no subdirectories), then it. */
static int
remove_upload(const char *path, struct sw_err *e)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL)
		return sw_err_sys(e, "cannot open '%s'", path);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
			sw_err_sys(e, "cannot remove '%s/%s'", path, de->d_name);
			closedir(d);
			return -1;
		}
	closedir(d);
	if (rmdir(path) < 0)
		return sw_err_sys(e, "cannot remove '%s'", path);
	return 0;
}

/* One entry of the walk: a stale temp file or upload directory? */
static int
stale_one(struct ctx *x, FTS *fts, FTSENT *ent, bool in_state)
{
	const char *name = ent->fts_name;
	bool upload = ent->fts_info == FTS_D && strncmp(name, ".upload-", 8) == 0;
	bool tmp = ent->fts_info == FTS_F && strstr(name, ".tmp.") != NULL;

	if (ent->fts_info == FTS_D && in_state && ent->fts_level == 1 &&
	    strcmp(name, sw_statepath_name(SW_PATH_GIT)) == 0) {
		fts_set(fts, ent, FTS_SKIP);  /* libgit2's own business */
		return 0;
	}
	if (!upload && !tmp)
		return 0;
	if (upload)
		fts_set(fts, ent, FTS_SKIP);
	if (x->o->now - (int64_t)ent->fts_statp->st_mtime < SW_SANITY_STALE)
		return 0;
	if (!x->o->repair)
		return sw_strvec_pushf(x->problems, "'%s' is a temp file left by an "
			"interrupted write", ent->fts_path) < 0 ?
			sw_err_sys(x->e, "cannot list the violations") : 0;
	if ((upload ? remove_upload(ent->fts_path, x->e) :
	    sw_file_remove(ent->fts_path, x->e)) < 0)
		return -1;
	if (sw_strvec_pushf(x->repairs, "removed '%s', left by an interrupted "
	    "%s", ent->fts_path, upload ? "upload" : "write") < 0)
		return sw_err_sys(x->e, "cannot list the repairs");
	return 0;
}

/* Symbolic links are never followed (FTS_PHYSICAL): a link is FTS_SL. */
static int
stale_files(struct ctx *x)
{
	char *roots[2] = { x->c->state_dir, x->c->repo_dir };
	FTSENT *ent;
	FTS *fts = NULL;
	int i, ret = -1;

	for (i = 0; i < 2; i++) {
		char *one[2] = { roots[i], NULL };

		if (access(roots[i], F_OK) < 0 && errno == ENOENT)
			continue;
		fts = fts_open(one, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
		if (fts == NULL) {
			sw_err_sys(x->e, "cannot walk '%s'", roots[i]);
			goto out;
		}
		errno = 0;
		while ((ent = fts_read(fts)) != NULL) {
			if (ent->fts_info == FTS_DNR || ent->fts_info == FTS_ERR) {
				errno = ent->fts_errno;
				sw_err_sys(x->e, "cannot read '%s'", ent->fts_path);
				goto out;
			}
			if (stale_one(x, fts, ent, i == 0) < 0)
				goto out;
		}
		if (errno != 0) {
			sw_err_sys(x->e, "cannot walk '%s'", roots[i]);
			goto out;
		}
		fts_close(fts);
		fts = NULL;
	}
	ret = 0;
out:
	if (fts != NULL)
		fts_close(fts);
	return ret;
}

/* ---- state files ---- */

static int
remove_state(struct ctx *x, const char *name)
{
	struct sw_buf p = SW_BUF_INIT;
	int ret = -1;

	if (sw_statepath(&p, x->c->state_dir, SW_PATH_PACKAGE_STATES, x->e) < 0)
		goto out;
	if (sw_buf_addf(&p, "/%s", name) < 0) {
		sw_err_sys(x->e, "cannot remove '%s'", name);
		goto out;
	}
	if (sw_file_remove(p.data, x->e) < 0)
		goto out;
	if (sw_strvec_pushf(x->repairs, "removed the orphaned state file '%s'",
	    name) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

static int
check_states(struct ctx *x, const struct sw_farm *f)
{
	char id[SW_ID_MAX + 1];
	size_t i, k, in_db;
	int ret = -1;

	for (i = 0; i < f->stray_states.n; i++) {
		if (x->o->repair) {
			if (remove_state(x, f->stray_states.v[i]) < 0)
				goto out;
			continue;
		}
		PUSH(x->problems, "state file '%s' names an id that is not on the "
			"build list (or, for tested/faulty, not in testing)",
			f->stray_states.v[i]);
	}
	for (i = 0; i < f->npubs; i++) {
		const struct sw_farm_pub *p = &f->pubs[i];
		enum sw_stage want = p->state == SW_STATE_DONE ? SW_STAGE_STAGING :
			SW_STAGE_TESTING, st;
		const struct sw_stage_repo *r;
		size_t ri;
		struct sw_strvec missing = SW_STRVEC_INIT;

		sw_id_format(&p->id, id, sizeof(id));
		if (sw_stages_find_repo(&f->stages, p->id.repo, &ri, &st) < 0 ||
		    st != SW_STAGE_STABLE) {
			PUSH(x->problems, "state file '%s.%s' names repository '%s', "
				"which no [repository] section has", id,
				sw_state_name(p->state), p->id.repo);
			continue;
		}
		r = &f->stages.v[ri];
		in_db = 0;
		for (k = 0; k < p->files.n; k++) {
			struct sw_pkgfile_name pf;
			const struct sw_stage_pkg *sp = NULL;

			/* a debug package is in the debug repository of the
			 * stage, or, published before the line had one, in it */
			if (sw_name_parse_pkgfile(p->files.v[k], &pf, NULL) == 0) {
				if (sw_name_is_debug(pf.pkgname, p->id.pkgbase))
					sp = sw_stages_find_debug(r, want, pf.pkgname);
				if (sp == NULL ||
				    strcmp(sp->filename, p->files.v[k]) != 0)
					sp = sw_stages_find(r, want, pf.pkgname);
			}
			if (sp != NULL && strcmp(sp->filename, p->files.v[k]) == 0)
				in_db++;
			else if (sw_strvec_push(&missing, p->files.v[k]) < 0) {
				sw_strvec_release(&missing);
				sw_err_sys(x->e, "cannot list the violations");
				goto out;
			}
		}
		if (in_db == 0 && x->o->repair) {
			char name[SW_ID_MAX + 16];

			snprintf(name, sizeof(name), "%s.%s", id, sw_state_name(p->state));
			sw_strvec_release(&missing);
			if (remove_state(x, name) < 0)
				goto out;
			if (p->tested || p->faulty) {
				snprintf(name, sizeof(name), "%s.%s", id,
					p->tested ? "tested" : "faulty");
				if (remove_state(x, name) < 0)
					goto out;
			}
			continue;
		}
		for (k = 0; k < missing.n; k++)
			if (sw_strvec_pushf(x->problems, "state file '%s.%s' names "
			    "'%s', which is not in '%s'", id, sw_state_name(p->state),
			    missing.v[k], r->name[want]) < 0) {
				sw_strvec_release(&missing);
				sw_err_sys(x->e, "cannot list the violations");
				goto out;
			}
		sw_strvec_release(&missing);
	}
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];

		sw_id_format(&en->id, id, sizeof(id));
		if (en->meta < 0)
			PUSH(x->problems, "build-list entry '%s' has no line in "
				"build-meta", id);
		if (en->locked && sw_master_conf_slave(x->c, en->lock.slave) == NULL)
			PUSH(x->problems, "'%s' is locked by slave '%s', which has no "
				"[slave] section", id, en->lock.slave);
	}
	for (i = 0; i < f->meta.n; i++)
		if (sw_buildlist_find(&f->list, f->meta.v[i].pkgbase,
		    f->meta.v[i].repo) < 0)
			PUSH(x->problems, "build-meta has '%s' in '%s', which is not on "
				"the build list", f->meta.v[i].pkgbase, f->meta.v[i].repo);
	ret = 0;
out:
	return ret;
}

/* ---- repositories and pool ---- */

/* Is path a symlink to ../../../pool/<file>? */
static bool
pool_link(const char *path, const char *file)
{
	char target[PATH_MAX];
	char want[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0)
		return false;
	target[n] = '\0';
	snprintf(want, sizeof(want), "../../../pool/%s", file);
	return strcmp(target, want) == 0;
}

static int
repair_links(struct ctx *x, const struct sw_repodb *db, const char *repo)
{
	struct sw_txn t = { NULL, SW_BUF_INIT, 0 };
	struct sw_buf p = SW_BUF_INIT, pool = SW_BUF_INIT;
	struct sw_strvec fixed = SW_STRVEC_INIT;
	struct stat st;
	size_t i;
	int ret = -1;
	bool begun = false;

	for (i = 0; i < db->n; i++) {
		const char *file = db->v[i]->filename;

		sw_buf_reset(&p);
		sw_buf_reset(&pool);
		if (sw_buf_addf(&p, "%s/%s", db->dir, file) < 0 ||
		    sw_buf_addf(&pool, "%s/pool/%s", x->c->repo_dir, file) < 0)
			goto nomem;
		if (lstat(p.data, &st) == 0 || errno != ENOENT ||
		    stat(pool.data, &st) < 0)
			continue;
		if (!begun) {
			if (sw_statedir_txn_begin(x->sd, SW_LOCK_PACKAGE_DB, &t, x->e) < 0)
				goto out;
			begun = true;
		}
		/* a lone .sig link would be left: take it out, then link both */
		if (sw_buf_addstr(&p, ".sig") < 0)
			goto nomem;
		if (lstat(p.data, &st) == 0 && sw_txn_remove(&t, p.data, x->e) < 0)
			goto out;
		if (sw_pool_link(&t, x->c->repo_dir, repo, x->c->arch, file, x->e) < 0 ||
		    sw_strvec_pushf(&fixed, "linked '%s/os/%s/%s' to the pool again",
		    repo, x->c->arch, file) < 0)
			goto out;
	}
	if (begun && sw_txn_commit(&t, x->e) < 0)
		goto out;
	for (i = 0; i < fixed.n; i++)
		if (sw_strvec_push(x->repairs, fixed.v[i]) < 0)
			goto nomem;
	ret = 0;
	goto out;
nomem:
	sw_err_sys(x->e, "cannot repair '%s'", repo);
out:
	if (begun && ret < 0)
		sw_txn_abort(&t);
	sw_buf_release(&p);
	sw_buf_release(&pool);
	sw_strvec_release(&fixed);
	return ret;
}

static int
check_repo(struct ctx *x, struct sw_sign *s, const char *repo,
	struct sw_strvec *linked)
{
	struct sw_repodb db;
	struct sw_buf path = SW_BUF_INIT, f = SW_BUF_INIT;
	struct sw_strvec probs = SW_STRVEC_INIT;
	struct dirent *de;
	DIR *d = NULL;
	size_t i;
	int ret = -1;

	memset(&db, 0, sizeof(db));
	if (sw_buf_addf(&path, "%s/%s/os/%s/%s.db.tar.gz", x->c->repo_dir, repo,
	    x->c->arch, repo) < 0)
		goto nomem;
	if (access(path.data, F_OK) < 0 && errno == ENOENT) {
		ret = 0;
		goto out;
	}
	if (sw_repodb_load(&db, path.data, true, x->e) < 0) {
		PUSH(x->problems, "'%s': %s", repo, x->e->msg);
		ret = 0;
		goto out;
	}
	if (x->o->repair && repair_links(x, &db, repo) < 0)
		goto out;
	if (sw_repocheck(&db, s, x->c->repo_key, true, &probs, x->e) < 0)
		goto out;
	for (i = 0; i < probs.n; i++)
		PUSH(x->problems, "'%s': %s", repo, probs.v[i]);
	d = opendir(db.dir);
	if (d == NULL) {
		sw_err_sys(x->e, "cannot open '%s'", db.dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		struct sw_pkgfile_name pf;

		if (sw_name_parse_pkgfile(de->d_name, &pf, NULL) < 0)
			continue;
		sw_buf_reset(&f);
		if (sw_buf_addf(&f, "%s/%s", db.dir, de->d_name) < 0)
			goto nomem;
		if (!pool_link(f.data, de->d_name))
			PUSH(x->problems, "'%s': '%s' is not a link into the pool",
				repo, de->d_name);
		if (sw_strvec_push(linked, de->d_name) < 0)
			goto nomem;
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(x->e, "cannot check '%s'", repo);
out:
	if (d != NULL)
		closedir(d);
	sw_repodb_release(&db);
	sw_buf_release(&path);
	sw_buf_release(&f);
	sw_strvec_release(&probs);
	return ret;
}

static int
check_pool(struct ctx *x, const struct sw_strvec *linked)
{
	struct sw_buf p = SW_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int ret = -1;

	if (sw_buf_addf(&p, "%s/pool", x->c->repo_dir) < 0) {
		sw_err_sys(x->e, "cannot check the pool");
		goto out;
	}
	d = opendir(p.data);
	if (d == NULL) {
		ret = errno == ENOENT ? 0 : sw_err_sys(x->e, "cannot open '%s'", p.data);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		struct sw_pkgfile_name pf;
		char sig[SW_FILENAME_MAX + 8];

		if (sw_name_parse_pkgfile(de->d_name, &pf, NULL) < 0 || pf.sig)
			continue;
		snprintf(sig, sizeof(sig), "%s.sig", de->d_name);
		if (fstatat(dirfd(d), sig, &st, AT_SYMLINK_NOFOLLOW) < 0)
			PUSH(x->problems, "pool file '%s' has no signature", de->d_name);
		/* db-update keeps a replaced file for keep_days, for clients
		 * with an older database; then --cleanup removes it */
		if (!sw_strvec_contains(linked, de->d_name) &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    x->o->now - (int64_t)st.st_mtime >=
		    (int64_t)x->c->keep_days * 86400)
			PUSH(x->problems, "pool file '%s' is in no repository and "
				"older than keep_days (%llu): db-update --cleanup "
				"removes it", de->d_name,
				(unsigned long long)x->c->keep_days);
	}
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&p);
	return ret;
}

static int
check_repos(struct ctx *x)
{
	struct sw_strvec linked = SW_STRVEC_INIT;
	struct sw_sign s = SW_SIGN_INIT;
	size_t i;
	int k, ret = -1;

	if (sw_sign_init(&s, x->c->gnupg_home, x->e) < 0)
		goto out;
	for (i = 0; i < x->c->nrepos; i++) {
		const struct sw_repo_conf *rc = &x->c->repos[i];
		const char *names[6] = { rc->staging, rc->testing, rc->sec.name,
			rc->debug_repo[0], rc->debug_repo[1], rc->debug_repo[2] };

		/* the debug repositories are "" when the line has none */
		for (k = 0; k < 6; k++)
			if (names[k][0] != '\0' &&
			    check_repo(x, &s, names[k], &linked) < 0)
				goto out;
	}
	if (check_pool(x, &linked) < 0)
		goto out;
	ret = 0;
out:
	sw_sign_release(&s);
	sw_strvec_release(&linked);
	return ret;
}

/* ---- published and the farm's bumps (bump.h) ---- */

/*
 * published and sonames read; a bumped entry of the build list (bump n) rebuilds a
 * published build of its version with a lower bump.
 */
static int
check_published(struct ctx *x, const struct sw_farm *f)
{
	struct sw_publist pub = { NULL, 0, 0 };
	struct sw_sonames idx = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	struct sw_err pe;
	char idstr[SW_ID_MAX + 1];
	size_t i;
	long k;
	int ret = -1;

	if (sw_statepath(&p, x->c->state_dir, SW_PATH_PUBLISHED, x->e) < 0)
		goto out;
	if (sw_publist_read(p.data, &pub, &pe) < 0) {
		PUSH(x->problems, "%s", pe.msg);
		ret = 0;
		goto out;
	}
	if (sw_statepath(&p, x->c->state_dir, SW_PATH_SONAMES, x->e) < 0)
		goto out;
	if (sw_sonames_read(p.data, &idx, &pe) < 0)
		PUSH(x->problems, "%s", pe.msg);
	if (sw_statepath(&p, x->c->state_dir, SW_PATH_PUBLISHED, x->e) < 0)
		goto out;
	for (i = 0; i < f->list.n; i++) {
		const struct sw_id *id = &f->list.v[i];
		const struct sw_farm_entry *en = &f->entries[i];

		if (sw_id_bump(id) == 0 || en->meta < 0)
			continue;
		k = sw_publist_find(&pub, id->pkgbase, id->repo);
		if (k >= 0 && strcmp(pub.v[k].meta.version,
		    f->meta.v[en->meta].version) == 0 &&
		    sw_id_bump(&pub.v[k].id) < sw_id_bump(id))
			continue;
		sw_id_format(id, idstr, sizeof(idstr));
		PUSH(x->problems, "'%s' is the farm's bump %u of %s, but '%s' "
			"has no build of that version with a lower bump",
			idstr, sw_id_bump(id), f->meta.v[en->meta].version, p.data);
	}
	ret = 0;
out:
	sw_publist_release(&pub);
	sw_sonames_release(&idx);
	sw_buf_release(&p);
	return ret;
}

/*
 * The lists the farm's rebuilds keep: return-assignment, db-update and
 * get-package-updates stop at a malformed one, so name it here first
 * (rebuilds: loading the farm fails on it already, naming it).
 */
static int
check_rebuild_lists(struct ctx *x)
{
	struct sw_triggers tr = { NULL, 0, 0 };
	struct sw_schedules sc = { NULL, 0, 0 };
	struct sw_together tg = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	struct sw_err pe;
	int ret = -1;

	if (sw_statepath(&p, x->c->state_dir, SW_PATH_REBUILD_TRIGGERS, x->e) < 0)
		goto out;
	if (sw_triggers_read(p.data, &tr, &pe) < 0)
		PUSH(x->problems, "%s", pe.msg);
	if (sw_statepath(&p, x->c->state_dir, SW_PATH_SCHEDULES, x->e) < 0)
		goto out;
	if (sw_schedules_read(p.data, &sc, &pe) < 0)
		PUSH(x->problems, "%s", pe.msg);
	if (sw_statepath(&p, x->c->state_dir, SW_PATH_MOVE_TOGETHER, x->e) < 0)
		goto out;
	if (sw_together_read(p.data, &tg, &pe) < 0)
		PUSH(x->problems, "%s", pe.msg);
	ret = 0;
out:
	sw_triggers_release(&tr);
	sw_schedules_release(&sc);
	sw_together_release(&tg);
	sw_buf_release(&p);
	return ret;
}

/* ---- the whole check ---- */

static int
check_all(struct ctx *x)
{
	struct sw_farm f;
	int ret = -1;

	sw_farm_init(&f);
	if (stale_files(x) < 0)
		goto out;
	/* repairs of links come before the state check reads the databases */
	if (x->o->repair && check_repos(x) < 0)
		goto out;
	if (sw_farm_load_locked(&f, x->c, x->o->now, x->e) < 0 ||
	    check_states(x, &f) < 0 || check_published(x, &f) < 0 ||
	    check_rebuild_lists(x) < 0)
		goto out;
	ret = 0;
out:
	sw_farm_release(&f);
	return ret;
}

enum sw_farm_result
sw_sanitycheck_run(const struct sw_master_conf *c,
	const struct sw_sanitycheck_opts *o, struct sw_strvec *problems,
	struct sw_strvec *repairs, struct sw_err *e)
{
	struct sw_statedir sd = { NULL, { -1, -1 } };
	struct sw_sanitycheck_opts check = *o;
	struct ctx x = { c, o, &sd, problems, repairs, e };
	enum sw_farm_result ret = SW_FARM_ERROR;
	enum sw_lock_result lr;
	int k;

	if (sw_statedir_open(&sd, c->state_dir, e) < 0)
		goto out;
	for (k = SW_LOCK_BUILD_LIST; k <= SW_LOCK_PACKAGE_DB; k++) {
		lr = sw_statedir_lock(&sd, (enum sw_master_lock)k,
			o->lock_timeout_ms, e);
		if (lr != SW_LOCK_OK) {
			ret = lr == SW_LOCK_BUSY ? SW_FARM_BUSY : SW_FARM_ERROR;
			goto out;
		}
	}
	if (o->repair) {
		struct sw_strvec ignored = SW_STRVEC_INIT;

		x.problems = &ignored;
		if (check_all(&x) < 0) {
			sw_strvec_release(&ignored);
			goto out;
		}
		sw_strvec_release(&ignored);
		x.problems = problems;
	}
	/* then a plain check of what is left */
	check.repair = false;
	x.o = &check;
	if (check_all(&x) < 0 || check_repos(&x) < 0)
		goto out;
	if ((problems->n ? sw_sanity_mark(c->state_dir, problems, o->now, e) :
	    sw_sanity_clear(c->state_dir, e)) < 0)
		goto out;
	ret = SW_FARM_OK;
out:
	sw_statedir_release(&sd);
	return ret;
}
