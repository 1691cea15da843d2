/* promote: loading the state and the databases, and the run (promote.h). */
#include "repo/promote_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fileio.h"
#include "queue/pkgstate.h"
#include "repo/pool.h"

void
sw_promote_plan_init(struct sw_promote_plan *p)
{
	memset(p, 0, sizeof(*p));
}

void
sw_promote_plan_release(struct sw_promote_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		sw_strvec_release(&p->v[i].files);
	free(p->v);
	sw_promote_plan_init(p);
}

int
pm_dep_names(const struct sw_repodb_entry *en, const char *field,
	struct sw_strvec *v)
{
	struct sw_buf b = SW_BUF_INIT;
	char *p, *line;
	int r, ret = 0;

	r = sw_repodb_field(en, field, &b);
	if (r < 0)
		ret = -1;
	for (line = r == 1 ? b.data : NULL; ret == 0 && line != NULL; line = p) {
		size_t n = strcspn(line, "<>=\n");

		p = strchr(line, '\n');
		if (p != NULL)
			*p++ = '\0';
		line[n] = '\0';
		if (line[0] != '\0' && !sw_strvec_contains(v, line))
			ret = sw_strvec_push(v, line);
	}
	sw_buf_release(&b);
	return ret;
}

/* ---- loading ---- */

static int
base_cmp(const void *a, const void *b)
{
	const struct pm_base *x = a, *y = b;
	int c = strcmp(x->base, y->base);

	return c ? c : strcmp(x->name, y->name);
}

/* The pkgbase index of one database (struct pm_base). */
static int
index_bases(struct pm_line *l, int s)
{
	const struct sw_repodb *db = &l->db[s];
	struct sw_buf b = SW_BUF_INIT;
	size_t i;

	l->bases[s] = calloc(db->n ? db->n : 1, sizeof(*l->bases[s]));
	if (l->bases[s] == NULL)
		return -1;
	for (i = 0; i < db->n; i++) {
		struct pm_base *pb = &l->bases[s][i];

		snprintf(pb->base, sizeof(pb->base), "%s",
			sw_repodb_field(db->v[i], "BASE", &b) == 1 ? b.data :
			db->v[i]->name);
		memcpy(pb->name, db->v[i]->name, sizeof(pb->name));
	}
	qsort(l->bases[s], db->n, sizeof(*l->bases[s]), base_cmp);
	l->nbases[s] = db->n;
	sw_buf_release(&b);
	return 0;
}

int
pm_base_names(const struct pm_line *l, int stage, const char *pkgbase,
	struct sw_strvec *out)
{
	const struct pm_base *v = l->bases[stage];
	size_t lo = 0, hi = l->nbases[stage];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].base, pkgbase) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; v != NULL && lo < l->nbases[stage] &&
	    strcmp(v[lo].base, pkgbase) == 0; lo++)
		if (sw_strvec_push(out, v[lo].name) < 0)
			return -1;
	return 0;
}

static int
load_line(struct pm_ctx *x, struct pm_line *l, struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT, path = SW_BUF_INIT;
	struct stat st;
	int s, ret = -1;

	l->name[PM_STAGING] = l->rc->staging;
	l->name[PM_TESTING] = l->rc->testing;
	l->name[PM_STABLE] = l->rc->sec.name;
	l->nrepos = l->rc->debug ? PM_REPOS : PM_STAGES;
	for (s = 0; s < PM_STAGES && l->rc->debug; s++)
		l->name[PM_DBG + s] = l->rc->debug_repo[s];
	for (s = 0; s < l->nrepos; s++) {
		if (sw_pool_repo_dir(&dir, x->c->repo_dir, l->name[s], x->c->arch,
		    e) < 0)
			goto out;
		/* a repository without a directory yet is empty; the directory
		 * is made when its database is written (promote_apply.c), and
		 * it is written even empty, so that pacman can sync it */
		if (stat(dir.data, &st) < 0 && errno == ENOENT) {
			struct sw_repodb *db = &l->db[s];

			l->changed[s] = true;
			memset(db, 0, sizeof(*db));
			db->dir = sw_buf_detach(&dir, NULL);
			db->with_files = true;
			memcpy(db->comp, ".gz", 4);
			snprintf(db->name, sizeof(db->name), "%s", l->name[s]);
			if (index_bases(l, s) < 0) {
				sw_err_sys(e, "cannot load '%s'", l->name[s]);
				goto out;
			}
			continue;
		}
		sw_buf_reset(&path);
		if (sw_buf_addf(&path, "%s/%s.db.tar.gz", dir.data, l->name[s]) < 0)
			goto nomem;
		if (lstat(path.data, &st) < 0 && errno == ENOENT)
			l->changed[s] = true;
		if (sw_repodb_load(&l->db[s], path.data, true, e) < 0)
			goto out;
		if (index_bases(l, s) < 0) {
			sw_err_sys(e, "cannot load '%s'", l->name[s]);
			goto out;
		}
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot load '%s'", l->name[s]);
out:
	sw_buf_release(&dir);
	sw_buf_release(&path);
	return ret;
}

static struct pm_unit *
unit_for(struct pm_ctx *x, const struct sw_id *id)
{
	size_t i;

	for (i = 0; i < x->nu; i++)
		if (memcmp(&x->u[i].id, id, sizeof(*id)) == 0)
			return &x->u[i];
	if (x->nu == x->ualloc) {
		size_t n = x->ualloc ? x->ualloc * 2 : 16;
		struct pm_unit *v = reallocarray(x->u, n, sizeof(*v));

		if (v == NULL)
			return NULL;
		x->u = v;
		x->ualloc = n;
	}
	memset(&x->u[x->nu], 0, sizeof(x->u[0]));
	x->u[x->nu].id = *id;
	x->u[x->nu].stage = -1;
	return &x->u[x->nu++];
}

static int
collect(const struct sw_id *id, enum sw_state s, void *arg)
{
	struct pm_ctx *x = arg;
	struct pm_unit *u;

	if (s != SW_STATE_DONE && s != SW_STATE_TESTING && s != SW_STATE_TESTED &&
	    s != SW_STATE_FAULTY)
		return 0;
	u = unit_for(x, id);
	if (u == NULL)
		return -1;
	if (s == SW_STATE_TESTED)
		u->tested = true;
	else if (s == SW_STATE_FAULTY)
		u->faulty = true;
	else if (u->stage >= 0)
		u->stage = 99;   /* both done and testing: refused below */
	else
		u->stage = s == SW_STATE_DONE ? PM_STAGING : PM_TESTING;
	return 0;
}

/* The packages of a unit, described by its source database. */
static int
load_unit(struct pm_ctx *x, struct pm_unit *u, struct sw_err *e)
{
	struct sw_strvec files = SW_STRVEC_INIT;
	char idstr[SW_ID_MAX + 1];
	const struct sw_repo_conf *rc;
	size_t i;
	int ret = -1;

	sw_id_format(&u->id, idstr, sizeof(idstr));
	if (u->stage != PM_STAGING && u->stage != PM_TESTING) {
		sw_err_set(e, "'%s' is %s", idstr, u->stage < 0 ?
			"marked tested or faulty but not in testing" :
			"both done and in testing");
		goto out;
	}
	rc = sw_master_conf_repo(x->c, u->id.repo);
	for (i = 0; rc != NULL && i < x->nlines; i++)
		if (x->lines[i].rc == rc)
			break;
	if (rc == NULL || i == x->nlines) {
		sw_err_set(e, "'%s': no [repository %s] section", idstr, u->id.repo);
		goto out;
	}
	u->line = i;
	if (sw_pkgstate_read_files(x->c->state_dir, &u->id, u->stage == PM_STAGING ?
	    SW_STATE_DONE : SW_STATE_TESTING, &files, e) < 0)
		goto out;
	u->p = calloc(files.n ? files.n : 1, sizeof(*u->p));
	if (u->p == NULL) {
		sw_err_sys(e, "cannot load '%s'", idstr);
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		struct pm_pkg *p = &u->p[u->np++];
		struct sw_pkgfile_name fn;
		const struct sw_repodb_entry *en;

		sw_strvec_init(&p->depends);
		sw_strvec_init(&p->provides);
		if (sw_name_parse_pkgfile(files.v[i], &fn, e) < 0)
			goto out;
		memcpy(p->file, files.v[i], strlen(files.v[i]) + 1);
		memcpy(p->pkgname, fn.pkgname, sizeof(p->pkgname));
		memcpy(p->version, fn.version, sizeof(p->version));
		p->debug = sw_name_is_debug(fn.pkgname, u->id.pkgbase);
		if (sw_strvec_push(&p->provides, p->pkgname) < 0) {
			sw_err_sys(e, "cannot load '%s'", idstr);
			goto out;
		}
		/* a debug package is in the debug repository of its stage; one
		 * published before the line had debug repositories is where
		 * return-assignment put it then, and stays on the main line */
		en = sw_repodb_find(&x->lines[u->line].db[u->stage], fn.pkgname);
		if (p->debug && x->lines[u->line].nrepos > PM_STAGES &&
		    (en == NULL || strcmp(en->filename, p->file) != 0)) {
			p->off = PM_DBG;
			en = sw_repodb_find(&x->lines[u->line].db[PM_FROM(u, p)],
				fn.pkgname);
		}
		if (en == NULL || strcmp(en->filename, p->file) != 0)
			continue;   /* the split check refuses it */
		if (pm_dep_names(en, "DEPENDS", &p->depends) < 0 ||
		    pm_dep_names(en, "PROVIDES", &p->provides) < 0) {
			sw_err_sys(e, "cannot load '%s'", idstr);
			goto out;
		}
	}
	ret = 0;
out:
	sw_strvec_release(&files);
	return ret;
}

static void
unit_release(struct pm_unit *u)
{
	size_t i;

	for (i = 0; i < u->np; i++) {
		sw_strvec_release(&u->p[i].depends);
		sw_strvec_release(&u->p[i].provides);
	}
	free(u->p);
}

static int
load(struct pm_ctx *x, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	x->lines = calloc(x->c->nrepos ? x->c->nrepos : 1, sizeof(*x->lines));
	if (x->lines == NULL) {
		sw_err_sys(e, "cannot load the repositories");
		goto out;
	}
	for (i = 0; i < x->c->nrepos; i++) {
		x->lines[i].rc = &x->c->repos[i];
		x->nlines++;
		if (load_line(x, &x->lines[i], e) < 0)
			goto out;
	}
	if (sw_statedir_path(&x->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_read(p.data, &x->bl, e) < 0 ||
	    sw_statedir_path(&x->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_read(p.data, &x->meta, e) < 0 ||
	    sw_statedir_path(&x->sd, SW_PATH_DELETION_LIST, &p, e) < 0 ||
	    sw_deletionlist_read(p.data, &x->dl, e) < 0 ||
	    sw_statedir_path(&x->sd, SW_PATH_MOVE_TOGETHER, &p, e) < 0 ||
	    sw_together_read(p.data, &x->tg, e) < 0 ||
	    sw_pkgstate_scan(x->c->state_dir, collect, x, NULL, e) < 0)
		goto out;
	for (i = 0; i < x->nu; i++)
		if (load_unit(x, &x->u[i], e) < 0)
			goto out;
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

static void
ctx_release(struct pm_ctx *x)
{
	size_t i;
	int s;

	for (i = 0; i < x->nlines; i++)
		for (s = 0; s < x->lines[i].nrepos; s++) {
			sw_repodb_release(&x->lines[i].db[s]);
			free(x->lines[i].bases[s]);
		}
	free(x->lines);
	for (i = 0; i < x->nu; i++)
		unit_release(&x->u[i]);
	free(x->u);
	for (i = 0; i < x->ndel; i++)
		for (s = 0; s < PM_REPOS; s++) {
			sw_strvec_release(&x->del[i].files[s]);
			sw_strvec_release(&x->del[i].names[s]);
		}
	free(x->del);
	sw_buildlist_release(&x->bl);
	sw_buildmeta_release(&x->meta);
	sw_deletionlist_release(&x->dl);
	sw_together_release(&x->tg);
	sw_statedir_release(&x->sd);
}

/* Both locks, in the documented order. */
static enum sw_promote_result
lock_both(struct pm_ctx *x, bool wait, struct sw_err *e)
{
	int timeout = wait ? SW_LOCK_WAIT_FOREVER : 0;
	enum sw_lock_result r;

	if (sw_statedir_open(&x->sd, x->c->state_dir, e) < 0)
		return SW_PROMOTE_ERROR;
	r = sw_statedir_lock(&x->sd, SW_LOCK_BUILD_LIST, timeout, e);
	if (r == SW_LOCK_OK)
		r = sw_statedir_lock(&x->sd, SW_LOCK_PACKAGE_DB, timeout, e);
	if (r == SW_LOCK_OK)
		return SW_PROMOTE_OK;
	return r == SW_LOCK_BUSY ? SW_PROMOTE_BUSY : SW_PROMOTE_ERROR;
}

/* Does the plan change anything? */
static bool
changes(const struct pm_ctx *x)
{
	size_t i;
	int s;

	for (i = 0; i < x->nu; i++)
		if (x->u[i].moves)
			return true;
	for (i = 0; i < x->ndel; i++)
		if (!x->del[i].held)
			return true;
	for (i = 0; i < x->nlines; i++)
		for (s = 0; s < x->lines[i].nrepos; s++)
			if (x->lines[i].changed[s])   /* a database to publish */
				return true;
	return false;
}

enum sw_promote_result
sw_promote_run(const struct sw_master_conf *c, const struct sw_promote_opts *o,
	int64_t now, struct sw_promote_plan *plan, struct sw_err *e)
{
	struct pm_ctx x;
	enum sw_promote_result ret;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	x.plan = plan;
	x.sd.fd[0] = x.sd.fd[1] = -1;
	plan->now = now;
	ret = lock_both(&x, o->wait, e);
	if (ret != SW_PROMOTE_OK)
		goto out;
	ret = SW_PROMOTE_ERROR;
	if (load(&x, e) < 0)
		goto out;
	ret = pm_plan(&x, e);
	if (ret != SW_PROMOTE_OK)
		goto out;
	ret = pm_check(&x, e);
	if (ret != SW_PROMOTE_OK || o->dry_run || !changes(&x))
		goto out;
	if (pm_apply(&x, e) < 0) {
		ret = SW_PROMOTE_ERROR;
		goto out;
	}
	plan->applied = true;
out:
	ctx_release(&x);
	return ret;
}

/* ---- cleanup ---- */

static int
cleanup_pool(const struct sw_master_conf *c, struct sw_txn *t, int64_t now, struct sw_strvec *removed, struct sw_err *e)
{
	struct sw_buf pool = SW_BUF_INIT, path = SW_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int pruned, ret = -1;

	if (sw_buf_addf(&pool, "%s/pool", c->repo_dir) < 0) {
		sw_err_sys(e, "cannot clean up the pool");
		goto out;
	}
	d = opendir(pool.data);
	if (d == NULL) {
		ret = errno == ENOENT ? 0 : sw_err_sys(e, "cannot read '%s'",
			pool.data);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		struct sw_pkgfile_name fn;

		if (sw_name_parse_pkgfile(de->d_name, &fn, NULL) < 0 || fn.sig)
			continue;
		if (sw_name_path(&path, pool.data, SW_NAME_PKGFILE, de->d_name, "",
		    e) < 0)
			goto out;
		if (lstat(path.data, &st) < 0 || !S_ISREG(st.st_mode) ||
		    now - (int64_t)st.st_mtime < (int64_t)c->keep_days * 86400)
			continue;
		/* prune stages the removal only if no repository links to it */
		if (sw_pool_prune(t, c->repo_dir, de->d_name, &pruned, e) < 0)
			goto out;
		if (pruned && sw_strvec_push(removed, de->d_name) < 0) {
			sw_err_sys(e, "cannot clean up the pool");
			goto out;
		}
	}
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&pool);
	sw_buf_release(&path);
	return ret;
}

enum sw_promote_result
sw_promote_cleanup(const struct sw_master_conf *c, bool wait, bool dry_run,
	int64_t now, struct sw_strvec *removed, struct sw_err *e)
{
	struct sw_statedir sd = { NULL, { -1, -1 } };
	struct sw_txn t;
	enum sw_lock_result r;
	enum sw_promote_result ret = SW_PROMOTE_ERROR;
	bool txn = false;

	if (sw_statedir_open(&sd, c->state_dir, e) < 0)
		goto out;
	r = sw_statedir_lock(&sd, SW_LOCK_PACKAGE_DB, wait ?
		SW_LOCK_WAIT_FOREVER : 0, e);
	if (r != SW_LOCK_OK) {
		ret = r == SW_LOCK_BUSY ? SW_PROMOTE_BUSY : SW_PROMOTE_ERROR;
		goto out;
	}
	if (sw_statedir_txn_begin(&sd, SW_LOCK_PACKAGE_DB, &t, e) < 0)
		goto out;
	txn = true;
	if (cleanup_pool(c, &t, now, removed, e) < 0)
		goto out;
	if (!dry_run) {
		txn = false;
		if (sw_txn_commit(&t, e) < 0)
			goto out;
	}
	ret = SW_PROMOTE_OK;
out:
	if (txn)
		sw_txn_abort(&t);
	sw_statedir_release(&sd);
	return ret;
}
