/*
 * updaterun: the actions, old against new for every affected pkgbase
 * (updaterun_stages.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/updaterun_stages.h"

struct sw_upd_action *
sw_ur_new_action(struct run *r, enum sw_upd_kind kind, const char *pkgbase,
	const char *repo)
{
	struct sw_upd_action *a;

	if (r->nacts == r->aacts) {
		size_t na = r->aacts ? r->aacts * 2 : 64;
		struct sw_upd_action *p = reallocarray(r->acts, na, sizeof(*p));
		struct sw_pkginfo *q;

		if (p == NULL)
			return NULL;
		r->acts = p;
		q = reallocarray(r->act_info, na, sizeof(*q));
		if (q == NULL)
			return NULL;
		r->act_info = q;
		r->aacts = na;
	}
	a = &r->acts[r->nacts];
	sw_upd_action_init(a, kind, pkgbase, repo);
	sw_pkginfo_init(&r->act_info[r->nacts]);
	r->nacts++;
	return a;
}

void
sw_ur_actions_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nacts; i++) {
		sw_upd_action_release(&r->acts[i]);
		sw_pkginfo_release(&r->act_info[i]);
	}
	r->nacts = 0;
}

static void
job_from_cand(struct job *j, const char *pkgbase, const struct cand *c)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->pkgbase, sizeof(j->pkgbase), "%s", pkgbase);
	j->src = c->src;
	j->pp = c->pp;
	memcpy(j->commit, c->commit, sizeof(j->commit));
	memcpy(j->path, c->path, sizeof(j->path));
	memcpy(j->mod, c->mod, sizeof(j->mod));
	memcpy(j->custom, c->custom, sizeof(j->custom));
	memcpy(j->tree, c->tree, sizeof(j->tree));
	memcpy(j->ctree, c->ctree, sizeof(j->ctree));
	sw_srcinfo_init(&j->si);
}

static const char *
where(const struct run *r, const struct job *j, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", r->src[j->src].conf->sec.name,
		sw_ur_is_root(j->path) ? "" : ":", sw_ur_is_root(j->path) ? "" : j->path);
	return buf;
}

/* What plan decided to read for one (pkgbase, repository). */
struct want {
	char repo[SW_REPO_MAX + 1];
	bool was;                       /* present at the old revisions */
};

/* The action for a read job: QUEUE, DROP (nothing for our arch) or FAIL. */
static int
job_action(struct run *r, struct job *j, const struct want *w, struct sw_err *e)
{
	struct sw_upd_action *a;
	struct sw_pkginfo info;
	struct sw_err ie;
	char at[SW_FILENAME_MAX + SW_SLAVE_MAX + 4];
	size_t k;

	sw_pkginfo_init(&info);
	if (j->state == 1 && strcmp(j->si.base.name, j->pkgbase) != 0) {
		char q[SW_PKGNAME_MAX * 4 + 1];

		sw_name_quote(j->si.base.name, strlen(j->si.base.name), q, sizeof(q));
		snprintf(j->error, sizeof(j->error), "the directory holds pkgbase '%s'",
			q);
		j->state = -1;
	}
	if (j->state == 1 && sw_srcinfo_info(&j->si, r->c->arch, &info, &ie) < 0) {
		snprintf(j->error, sizeof(j->error), "%s", ie.msg);
		j->state = -1;
	}
	if (j->state != 1) {
		sw_ur_say(r, "cannot read '%s' (%s): %s", j->pkgbase,
			where(r, j, at, sizeof(at)), j->error);
		r->rep->partial = true;
		if ((a = sw_ur_new_action(r, SW_UPD_FAIL, j->pkgbase, w->repo)) == NULL)
			return sw_err_sys(e, "cannot collect changes");
		sw_ur_copy(a->message, sizeof(a->message), j->error);
		return 0;
	}
	if (info.pkgnames.n == 0) {
		sw_ur_say(r, "'%s' (%s) builds nothing for %s: not on the build list",
			j->pkgbase, where(r, j, at, sizeof(at)), r->c->arch);
		sw_pkginfo_release(&info);
		if (!w->was)
			return 0;
		return sw_ur_new_action(r, SW_UPD_DROP, j->pkgbase, w->repo) ? 0 :
			sw_err_sys(e, "cannot collect changes");
	}
	if ((a = sw_ur_new_action(r, SW_UPD_QUEUE, j->pkgbase, w->repo)) == NULL) {
		sw_pkginfo_release(&info);
		return sw_err_sys(e, "cannot collect changes");
	}
	snprintf(a->meta.source, sizeof(a->meta.source), "%s",
		r->src[j->src].conf->sec.name);
	snprintf(a->meta.path, sizeof(a->meta.path), "%s", j->path);
	snprintf(a->meta.custom, sizeof(a->meta.custom), "%s", j->custom);
	snprintf(a->meta.version, sizeof(a->meta.version), "%s", info.version);
	memcpy(a->src, j->commit, sizeof(a->src));
	memcpy(a->mod, j->mod, sizeof(a->mod));
	r->act_info[r->nacts - 1] = info;
	for (k = 0; k < info.pkgnames.n; k++)
		if (sw_strvec_push(&a->meta.pkgnames, info.pkgnames.v[k]) < 0)
			return sw_err_sys(e, "cannot collect changes");
	return 0;
}

static const struct cand *
cand_for(const struct cands *cs, const char *repo)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].repo, repo) == 0)
			return &cs->v[i];
	return NULL;
}

static bool
same(const struct cand *a, const struct cand *b)
{
	return a->src == b->src && a->pp == b->pp && strcmp(a->path, b->path) == 0 &&
		strcmp(a->tree, b->tree) == 0 && strcmp(a->ctree, b->ctree) == 0;
}

static int
cmp_str_prefix_id(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strcspn(x, " "), ly = strcspn(y, " ");
	int c = strncmp(x, y, lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

/* The index of the QUEUE action for id, or -1. */
static long
queued_index(const struct run *r, const char *id)
{
	char *const *f;
	const char *key = id;

	if (r->queued.n == 0)
		return -1;
	f = bsearch(&key, r->queued.v, r->queued.n, sizeof(*r->queued.v),
		cmp_str_prefix_id);
	return f ? strtol(strchr(*f, ' ') + 1, NULL, 10) : -1;
}

struct sw_pkginfo *
sw_ur_queued_info(struct run *r, const struct sw_id *id)
{
	char s[SW_ID_MAX + 1];
	long i;

	sw_ur_id_key(id, s, sizeof(s));
	i = queued_index(r, s);
	return i < 0 ? NULL : &r->act_info[i];
}

int
sw_ur_index_queued(struct run *r, struct sw_err *e)
{
	struct sw_id id;
	char s[SW_ID_MAX + 1];
	size_t i;

	sw_strvec_release(&r->queued);
	for (i = 0; i < r->nacts; i++) {
		const struct sw_upd_action *a = &r->acts[i];

		if (a->kind != SW_UPD_QUEUE)
			continue;
		if (sw_id_from_fields(&id, a->meta.pkgbase, a->src, a->mod,
		    a->meta.repo, e) < 0)
			return -1;
		sw_id_format(&id, s, sizeof(s));
		if (sw_strvec_pushf(&r->queued, "%s %zu", s, i) < 0)
			return sw_err_sys(e, "cannot collect changes");
	}
	if (r->queued.n > 1)
		qsort(r->queued.v, r->queued.n, sizeof(*r->queued.v),
			cmp_str_prefix_id);
	return 0;
}

/* Did a source removed since the last run have (pkgbase, repo)? */
static bool
shadowed(const struct run *r, const char *pkgbase, const char *repo)
{
	char key[SW_PKGNAME_MAX + SW_REPO_MAX + 2];

	snprintf(key, sizeof(key), "%s %s", pkgbase, repo);
	return sw_ur_sorted_has(&r->shadowed, key);
}

/* Compares old and new for every affected pkgbase; reads what is queued. */
int
sw_ur_plan(struct run *r, struct sw_err *e)
{
	struct cands *old = NULL, *cur = NULL;
	struct job *jobs = NULL;
	struct want *wants = NULL;
	size_t njobs = 0, ajobs = 0, i, k;
	int ret = -1;

	sw_ur_actions_release(r);
	old = malloc(sizeof(*old));
	cur = malloc(sizeof(*cur));
	if (old == NULL || cur == NULL)
		goto nomem;
	for (i = 0; i < r->affected.n; i++) {
		const char *pb = r->affected.v[i];
		bool forced = sw_ur_sorted_has(&r->forced, pb);

		if (sw_ur_view(r, pb, OLD, old, e) < 0 || sw_ur_view(r, pb, NEW, cur, e) < 0)
			goto out;
		for (k = 0; k < cur->n; k++) {
			const struct cand *n = &cur->v[k], *o = cand_for(old, n->repo);
			bool was = o != NULL && !o->blacklisted;

			if (n->blacklisted) {
				if (was && !sw_ur_new_action(r, SW_UPD_DROP, pb, n->repo))
					goto nomem;
				continue;
			}
			if (was && same(o, n) && !forced &&
			    !shadowed(r, pb, n->repo))
				continue;
			if (njobs == ajobs) {
				size_t na = ajobs ? ajobs * 2 : 64;
				struct job *jp = reallocarray(jobs, na, sizeof(*jp));
				struct want *wp;

				if (jp == NULL)
					goto nomem;
				jobs = jp;
				wp = reallocarray(wants, na, sizeof(*wp));
				if (wp == NULL)
					goto nomem;
				wants = wp;
				ajobs = na;
			}
			job_from_cand(&jobs[njobs], pb, n);
			snprintf(wants[njobs].repo, sizeof(wants[njobs].repo), "%s",
				n->repo);
			wants[njobs].was = was;
			njobs++;
		}
		for (k = 0; k < old->n; k++) {
			const struct cand *o = &old->v[k];

			if (!o->blacklisted && cand_for(cur, o->repo) == NULL &&
			    !sw_ur_new_action(r, SW_UPD_REMOVE, pb, o->repo))
				goto nomem;
		}
	}
	if (sw_ur_read_jobs(r, jobs, njobs, e) < 0)
		goto out;
	for (i = 0; i < njobs; i++)
		if (job_action(r, &jobs[i], &wants[i], e) < 0)
			goto out;
	ret = sw_ur_index_queued(r, e);
	goto out;
nomem:
	sw_err_sys(e, "cannot collect changes");
out:
	free(old);
	free(cur);
	free(wants);
	if (jobs != NULL)
		sw_ur_jobs_release(jobs, njobs);
	return ret;
}
