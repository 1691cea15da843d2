/* updaterun: revisions/ and fetching the mirrors (updaterun_stages.h). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/lines.h"
#include "core/lock.h"
#include "source/updaterun_stages.h"

int
sw_ur_rev_path(struct run *r, const char *name, struct sw_buf *out, struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT;
	int ret;

	if (sw_statedir_path(&r->sd, SW_PATH_REVISIONS, &dir, e) < 0) {
		sw_buf_release(&dir);
		return -1;
	}
	if (strcmp(name, SW_CUSTOMIZATIONS) == 0) {
		sw_buf_reset(out);
		ret = sw_buf_addf(out, "%s/%s", dir.data, name) < 0 ?
			sw_err_sys(e, "cannot build a path") : 0;
	} else
		ret = sw_name_path(out, dir.data, SW_NAME_SOURCE, name, "", e);
	sw_buf_release(&dir);
	return ret;
}

/*
 * Reads revisions/<name>: one "<commit>" line, or "<pkgbase> <commit>"
 * lines (per-package). fn(pkgbase or NULL, commit, arg) for each.
 */
static int
read_revisions(struct run *r, const char *name, bool per_package,
	int (*fn)(struct run *r, const char *pkgbase, const char *commit, void *arg),
	void *arg, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, data = SW_BUF_INIT;
	struct sw_lines lines;
	struct sw_err fe;
	char *f[2];
	int rr, ret = -1;

	if (sw_ur_rev_path(r, name, &path, e) < 0)
		goto out;
	rr = sw_file_read(path.data, REV_MAX_SIZE, &data, e);
	if (rr < 0)
		goto out;
	sw_lines_init(&lines, path.data, &data);
	while ((rr = sw_lines_next(&lines, f, per_package ? 2 : 1, false, 512,
	    e)) == 1) {
		const char *pb = per_package ? f[0] : NULL;
		const char *commit = per_package ? f[1] : f[0];

		if ((pb != NULL && sw_name_check(SW_NAME_PKGBASE, pb, &fe) < 0) ||
		    sw_name_check(SW_NAME_COMMIT, commit, &fe) < 0 ||
		    (!per_package && lines.line > 1 &&
		    sw_err_set(&fe, "more than one line") < 0)) {
			sw_err_set(e, "%s:%d: %s", path.data, lines.line, fe.msg);
			goto out;
		}
		if (fn(r, pb, commit, arg) < 0) {
			sw_err_sys(e, "cannot read '%s'", path.data);
			goto out;
		}
	}
	if (rr < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&path);
	sw_buf_release(&data);
	return ret;
}

static int
set_commit(struct run *r, const char *pkgbase, const char *commit, void *arg)
{
	(void)r;
	(void)pkgbase;
	snprintf(arg, SW_COMMIT_MAX + 1, "%s", commit);
	return 0;
}

struct pp_repo *
sw_ur_pp_find(struct source *s, const char *pkgbase)
{
	size_t i;

	for (i = 0; i < s->npp; i++)
		if (strcmp(s->pp[i].pkgbase, pkgbase) == 0)
			return &s->pp[i];
	return NULL;
}

static struct pp_repo *
pp_add(struct source *s, const char *pkgbase)
{
	struct pp_repo *p = reallocarray(s->pp, s->npp + 1, sizeof(*p));

	if (p == NULL)
		return NULL;
	s->pp = p;
	p = &s->pp[s->npp++];
	memset(p, 0, sizeof(*p));
	snprintf(p->pkgbase, sizeof(p->pkgbase), "%s", pkgbase);
	return p;
}

static int
set_pp_commit(struct run *r, const char *pkgbase, const char *commit, void *arg)
{
	struct source *s = arg;
	struct pp_repo *p = sw_ur_pp_find(s, pkgbase);

	(void)r;
	if (p == NULL && (p = pp_add(s, pkgbase)) == NULL)
		return -1;
	snprintf(p->rev[OLD], sizeof(p->rev[OLD]), "%s", commit);
	return 0;
}

/* The old revisions of every source and of the customizations. */
/*
 * ---- source-configs: each [source] as the last run saw it ----
 *
 * <source> <layout> <repository|-> <branch|-> <url>, one line each. A
 * section changed in place (url, branch, layout, repository) is walked
 * whole at the next run, its old revision read the way it was configured,
 * so that the plan compares like with like and queues or removes only what
 * the change concerns.
 */
#define CONFIGS_MAX_SIZE (4 * 1024 * 1024)
#define CONFIGS_LINE_MAX 8192

static const char *
or_dash(const char *s)
{
	return s != NULL && s[0] ? s : "-";
}

static int
config_record(char **f, void *arg, struct sw_err *e)
{
	struct run *r = arg;
	struct source *s = NULL;
	int layout = sw_layout_parse(f[1]);
	size_t i;

	if (sw_name_check(SW_NAME_SOURCE, f[0], e) < 0)
		return -1;
	if (layout < 0)
		return sw_err_set(e, "'%s' is not a layout", f[1]);
	if (strcmp(f[2], "-") != 0 && sw_name_check(SW_NAME_REPO, f[2], e) < 0)
		return -1;
	for (i = 0; i < r->nsrc && s == NULL; i++)
		if (strcmp(r->src[i].conf->sec.name, f[0]) == 0)
			s = &r->src[i];
	if (s == NULL)
		return 0;       /* removed: updaterun_gone.c */
	if ((layout == SW_LAYOUT_PER_PACKAGE) !=
	    (s->layout[NEW] == SW_LAYOUT_PER_PACKAGE))
		return sw_err_set(e, "[source %s] changed its layout from %s to %s, "
			"which keeps other revisions: take the section out for one "
			"run, then add it back", f[0], f[1], sw_layout_name(s->layout[NEW]));
	s->layout[OLD] = layout;
	snprintf(s->repository[OLD], sizeof(s->repository[OLD]), "%s",
		strcmp(f[2], "-") != 0 ? f[2] : "");
	s->unrecorded = false;
	s->reconf = layout != s->layout[NEW] ||
		strcmp(s->repository[OLD], s->repository[NEW]) != 0 ||
		strcmp(f[3], or_dash(s->conf->branch)) != 0 ||
		strcmp(f[4], s->conf->url) != 0;
	return 0;
}

/*
 * repository-routes: <repository> <from,...|->, one line per [repository]
 * in order, what routes upstream repositories (sw_route). When it differs
 * from the configuration, every source is walked whole and its old side
 * routed as recorded.
 */
void
sw_ur_routes_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->routes_old.nrepos; i++)
		sw_strvec_release(&r->routes_old.repos[i].from);
	free(r->routes_old.repos);
	memset(&r->routes_old, 0, sizeof(r->routes_old));
}

static int
route_record(char **f, void *arg, struct sw_err *e)
{
	struct sw_master_conf *o = arg;
	struct sw_repo_conf *rc, *v;
	char *name, *save = NULL;

	if (sw_name_check(SW_NAME_REPO, f[0], e) < 0)
		return -1;
	v = reallocarray(o->repos, o->nrepos + 1, sizeof(*v));
	if (v == NULL)
		return sw_err_sys(e, "cannot read the routes");
	o->repos = v;
	rc = &v[o->nrepos++];
	memset(rc, 0, sizeof(*rc));
	sw_strvec_init(&rc->from);
	snprintf(rc->sec.name, sizeof(rc->sec.name), "%s", f[0]);
	if (strcmp(f[1], "-") == 0)
		return 0;
	for (name = strtok_r(f[1], ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save))
		if (sw_name_check(SW_NAME_REPO, name, e) < 0 ||
		    (sw_strvec_push(&rc->from, name) < 0 &&
		    sw_err_sys(e, "cannot read the routes") < 0))
			return -1;
	return 0;
}

static bool
same_routes(const struct sw_master_conf *a, const struct sw_master_conf *b)
{
	size_t i, k;

	if (a->nrepos != b->nrepos)
		return false;
	for (i = 0; i < a->nrepos; i++) {
		const struct sw_repo_conf *x = &a->repos[i], *y = &b->repos[i];

		if (strcmp(x->sec.name, y->sec.name) != 0 || x->from.n != y->from.n)
			return false;
		for (k = 0; k < x->from.n; k++)
			if (strcmp(x->from.v[k], y->from.v[k]) != 0)
				return false;
	}
	return true;
}

static int
load_routes(struct run *r, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	bool exists;
	int ret = -1;
	size_t i;

	sw_ur_routes_release(r);
	r->routes[OLD] = r->routes[NEW] = r->c;
	if (sw_statedir_path(&r->sd, SW_PATH_REPOSITORY_ROUTES, &p, e) < 0)
		goto out;
	exists = access(p.data, F_OK) == 0;
	if (sw_lines_read_file(p.data, CONFIGS_MAX_SIZE, 2, false,
	    CONFIGS_LINE_MAX, route_record, &r->routes_old, e) < 0)
		goto out;
	r->routes_unrecorded = !exists;
	if (exists && !same_routes(&r->routes_old, r->c)) {
		r->routes[OLD] = &r->routes_old;
		for (i = 0; i < r->nsrc; i++)
			r->src[i].reconf = true;
	}
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

static int
format_route(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_repo_conf *rc = &((const struct sw_repo_conf *)list)[i];
	size_t k;

	if (sw_buf_addstr(out, rc->sec.name) < 0)
		return -1;
	for (k = 0; k < rc->from.n; k++)
		if (sw_buf_addf(out, "%c%s", k ? ',' : ' ', rc->from.v[k]) < 0)
			return -1;
	return sw_buf_addstr(out, rc->from.n ? "\n" : " -\n");
}

static int
load_configs(struct run *r, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		s->layout[NEW] = s->layout[OLD] = s->conf->layout;
		snprintf(s->repository[NEW], sizeof(s->repository[NEW]), "%s",
			s->conf->repository != NULL ? s->conf->repository : "");
		memcpy(s->repository[OLD], s->repository[NEW],
			sizeof(s->repository[OLD]));
		s->reconf = false;
		s->unrecorded = true;
	}
	ret = sw_statedir_path(&r->sd, SW_PATH_SOURCE_CONFIGS, &p, e) < 0 ? -1 :
		sw_lines_read_file(p.data, CONFIGS_MAX_SIZE, 5, true,
		CONFIGS_LINE_MAX, config_record, r, e);
	sw_buf_release(&p);
	return ret < 0 ? -1 : load_routes(r, e);
}

static int
format_config(struct sw_buf *out, const void *list, size_t i)
{
	const struct source *s = &((const struct source *)list)[i];

	return sw_buf_addf(out, "%s %s %s %s %s\n", s->conf->sec.name,
		sw_layout_name(s->layout[NEW]), or_dash(s->repository[NEW]),
		or_dash(s->conf->branch), s->conf->url);
}

int
sw_ur_write_configs(struct run *r, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	int ret;

	ret = sw_statedir_path(&r->sd, SW_PATH_SOURCE_CONFIGS, &p, e) < 0 ||
		sw_lines_write_file(p.data, r->src, r->nsrc, format_config, t,
		e) < 0 ||
		sw_statedir_path(&r->sd, SW_PATH_REPOSITORY_ROUTES, &p, e) < 0 ||
		sw_lines_write_file(p.data, r->c->repos, r->c->nrepos, format_route,
		t, e) < 0 ? -1 : 0;
	sw_buf_release(&p);
	return ret;
}

int
sw_ur_load_old(struct run *r, struct sw_err *e)
{
	size_t i, k;

	if (load_configs(r, e) < 0)
		return -1;
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		s->rev[OLD][0] = '\0';
		for (k = 0; k < s->npp; k++)
			s->pp[k].rev[OLD][0] = '\0';
		if (s->conf->layout == SW_LAYOUT_PER_PACKAGE) {
			if (read_revisions(r, s->conf->sec.name, true, set_pp_commit, s,
			    e) < 0)
				return -1;
		} else if (read_revisions(r, s->conf->sec.name, false, set_commit,
		    s->rev[OLD], e) < 0)
			return -1;
	}
	r->cu.rev[OLD][0] = '\0';
	if (read_revisions(r, SW_CUSTOMIZATIONS, false, set_commit, r->cu.rev[OLD],
	    e) < 0)
		return -1;
	/* what could not be fetched stays where it is */
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		if (s->failed)
			memcpy(s->rev[NEW], s->rev[OLD], sizeof(s->rev[NEW]));
		for (k = 0; k < s->npp; k++)
			if (s->pp[k].failed)
				memcpy(s->pp[k].rev[NEW], s->pp[k].rev[OLD],
					sizeof(s->pp[k].rev[NEW]));
	}
	if (r->cu.failed)
		memcpy(r->cu.rev[NEW], r->cu.rev[OLD], sizeof(r->cu.rev[NEW]));
	return 0;
}

/* All recorded revisions in one string, to see whether another run moved them. */
int
sw_ur_revs_digest(const struct run *r, struct sw_buf *out)
{
	size_t i, k;

	sw_buf_reset(out);
	for (i = 0; i < r->nsrc; i++) {
		if (sw_buf_addf(out, "%s,%d,%s,%d,%d;", r->src[i].rev[OLD],
		    r->src[i].layout[OLD], r->src[i].repository[OLD],
		    r->src[i].reconf, r->src[i].unrecorded) < 0)
			return -1;
		for (k = 0; k < r->src[i].npp; k++)
			if (sw_buf_addf(out, "%s=%s;", r->src[i].pp[k].pkgbase,
			    r->src[i].pp[k].rev[OLD]) < 0)
				return -1;
	}
	return sw_buf_addf(out, "%s;%d,%d", r->cu.rev[OLD],
		r->routes[OLD] != r->routes[NEW], r->routes_unrecorded);
}

bool
sw_ur_anything_new(const struct run *r)
{
	size_t i, k;

	for (i = 0; i < r->nsrc; i++) {
		const struct source *s = &r->src[i];

		if (strcmp(s->rev[OLD], s->rev[NEW]) != 0 || s->reconf ||
		    s->unrecorded || r->routes_unrecorded)
			return true;
		for (k = 0; k < s->npp; k++)
			if (strcmp(s->pp[k].rev[OLD], s->pp[k].rev[NEW]) != 0)
				return true;
	}
	return strcmp(r->cu.rev[OLD], r->cu.rev[NEW]) != 0;
}

/* ---- fetching -------------------------------------------------------------------- */

static int
open_mirror(struct run *r, const char *source, const char *pkgbase,
	bool create, struct sw_gitsrc **g, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT;
	int ret;

	ret = sw_gitsrc_mirror_path(&path, r->sd.dir, source, pkgbase, e);
	if (ret == 0)
		ret = sw_gitsrc_open(g, path.data, create, e);
	sw_buf_release(&path);
	return ret;
}

struct progress {
	const struct sw_updaterun_opts *o;
	const char *what;
};

static void
progress(void *arg, size_t received, size_t total)
{
	struct progress *p = arg;

	p->o->progress(p->o->progress_arg, p->what, received, total);
}

static int
fetch_one(struct run *r, struct sw_gitsrc *g, const char *url,
	const char *branch, char *commit, const char *what)
{
	struct progress pr = { r->o, what };
	struct sw_err fe;
	int rc;

	if (r->o->progress != NULL)
		sw_gitsrc_set_progress(g, progress, &pr);
	rc = sw_gitsrc_fetch(g, url, branch, commit, &fe);
	sw_gitsrc_set_progress(g, NULL, NULL);
	if (rc < 0) {
		sw_ur_say(r, "%s: %s", what, fe.msg);
		r->rep->partial = true;
		return -1;
	}
	r->rep->fetched++;
	return 0;
}

int
sw_ur_fetch_all(struct run *r, struct sw_err *e)
{
	struct sw_buf lockp = SW_BUF_INIT, url = SW_BUF_INIT;
	enum sw_lock_result lr;
	int ret = -1;
	size_t i, k;

	if (sw_statedir_path(&r->sd, SW_PATH_GIT_FETCH_LOCK, &lockp, e) < 0)
		goto out;
	lr = sw_lock_take(lockp.data, r->o->wait ? SW_LOCK_WAIT_FOREVER : 0,
		&r->run_lock, e);
	if (lr != SW_LOCK_OK) {
		ret = lr == SW_LOCK_BUSY ? 1 : -1;
		if (lr == SW_LOCK_BUSY)
			sw_err_set(e, "another get-package-updates is running "
				"(%s is held); try again later, or wait with -b",
				sw_statepath_name(SW_PATH_GIT_FETCH_LOCK));
		goto out;
	}
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];
		char what[256];

		snprintf(what, sizeof(what), "source '%s'", s->conf->sec.name);
		if (s->conf->layout != SW_LAYOUT_PER_PACKAGE) {
			if (open_mirror(r, s->conf->sec.name, NULL, true, &s->g, e) < 0)
				goto out;
			if (fetch_one(r, s->g, s->conf->url, s->conf->branch, s->rev[NEW],
			    what) < 0) {
				s->failed = true;
				memcpy(s->rev[NEW], s->rev[OLD], sizeof(s->rev[NEW]));
			}
			continue;
		}
		for (k = 0; k < s->conf->packages.n; k++) {
			const char *pb = s->conf->packages.v[k];
			struct pp_repo *p = sw_ur_pp_find(s, pb);

			if (p == NULL && (p = pp_add(s, pb)) == NULL) {
				sw_err_sys(e, "cannot fetch");
				goto out;
			}
		}
		for (k = 0; k < s->npp; k++) {
			struct pp_repo *p = &s->pp[k];
			const char *pct;
			bool wanted = sw_strvec_contains(&s->conf->packages, p->pkgbase);

			if (open_mirror(r, s->conf->sec.name, p->pkgbase, wanted, &p->g,
			    e) < 0)
				goto out;
			if (!wanted)
				continue;   /* no longer followed: it goes away */
			pct = strstr(s->conf->url, "%s");
			sw_buf_reset(&url);
			if (sw_buf_add(&url, s->conf->url, (size_t)(pct - s->conf->url)) < 0 ||
			    sw_buf_addstr(&url, p->pkgbase) < 0 ||
			    sw_buf_addstr(&url, pct + 2) < 0) {
				sw_err_sys(e, "cannot fetch");
				goto out;
			}
			snprintf(what, sizeof(what), "source '%s', package '%s'",
				s->conf->sec.name, p->pkgbase);
			if (fetch_one(r, p->g, url.data, s->conf->branch, p->rev[NEW],
			    what) < 0) {
				p->failed = true;
				memcpy(p->rev[NEW], p->rev[OLD], sizeof(p->rev[NEW]));
			}
		}
	}
	if (r->c->customizations != NULL || r->cu.rev[OLD][0]) {
		bool configured = r->c->customizations != NULL;
		int o = open_mirror(r, NULL, NULL, configured, &r->cu.g, e);

		if (o < 0)
			goto out;
		if (configured && fetch_one(r, r->cu.g, r->c->customizations->url,
		    r->c->customizations->branch, r->cu.rev[NEW],
		    "the customizations") < 0) {
			r->cu.failed = true;
			memcpy(r->cu.rev[NEW], r->cu.rev[OLD], sizeof(r->cu.rev[NEW]));
		}
	}
	ret = 0;
out:
	sw_buf_release(&lockp);
	sw_buf_release(&url);
	return ret;
}
