/* promote: the plan, fixed points over the units (promote.h). */
#include "repo/promote_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vercmp.h"

static bool
unit_provides(const struct pm_unit *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->np; i++)
		if (sw_strvec_contains(&u->p[i].provides, name))
			return true;
	return false;
}

/* The build-list entry (other than u's own pkgbase) that builds name. */
static const char *
on_build_list(const struct pm_ctx *x, const struct pm_unit *u, const char *name)
{
	size_t i;

	for (i = 0; i < x->bl.n; i++) {
		const struct sw_id *b = &x->bl.v[i];
		long m;

		if (strcmp(b->pkgbase, u->id.pkgbase) == 0 &&
		    strcmp(b->repo, u->id.repo) == 0)
			continue;
		if (strcmp(b->pkgbase, name) == 0)
			return b->pkgbase;
		m = sw_buildmeta_find(&x->meta, b->pkgbase, b->repo);
		if (m >= 0 && sw_strvec_contains(&x->meta.v[m].pkgnames, name))
			return b->pkgbase;
	}
	return NULL;
}

/*
 * Why u cannot move now, given the others' moves: a dependency that
 * something staying behind provides. 1 and u->why set, or 0.
 */
static int
held_by_pending(const struct pm_ctx *x, struct pm_unit *u)
{
	size_t i, j, k;

	for (i = 0; i < u->np; i++) {
		const struct pm_pkg *p = &u->p[i];

		if (p->debug)
			continue;
		for (j = 0; j < p->depends.n; j++) {
			const char *d = p->depends.v[j], *b;

			if (unit_provides(u, d))
				continue;
			b = on_build_list(x, u, d);
			if (b != NULL) {
				snprintf(u->why, sizeof(u->why), "'%s' needs '%s', which "
					"'%s' on the build list builds", p->pkgname, d, b);
				return 1;
			}
			for (k = 0; k < x->nu; k++) {
				const struct pm_unit *v = &x->u[k];

				/* behind u: in staging (from testing, anything in
				 * staging), or in u's stage and not moving */
				if (v == u || !(v->stage < u->stage ||
				    (v->stage == u->stage && !v->moves)) ||
				    !unit_provides(v, d))
					continue;
				snprintf(u->why, sizeof(u->why), "'%s' needs '%s' from "
					"'%s', which stays in %s", p->pkgname, d,
					v->id.pkgbase, x->lines[v->line].name[v->stage]);
				return 1;
			}
		}
	}
	return 0;
}

static bool
entry_of_base(const struct sw_repodb_entry *en, const char *pkgbase,
	struct sw_buf *tmp)
{
	int r = sw_repodb_field(en, "BASE", tmp);

	return r == 1 ? strcmp(tmp->data, pkgbase) == 0 :
		strcmp(en->name, pkgbase) == 0;
}

/*
 * Is name provided by an entry of a stable database that stays? 1, 0, or
 * -1 when memory ran out.
 */
static int
stable_provides(const struct pm_ctx *x, const char *name, const char *skip_base,
	size_t skip_line, struct sw_buf *tmp)
{
	struct sw_strvec prov = SW_STRVEC_INIT;
	size_t l, i;
	int found = 0;

	for (l = 0; l < x->nlines && found == 0; l++) {
		const struct sw_repodb *db = &x->lines[l].db[PM_STABLE];

		for (i = 0; i < db->n && found == 0; i++) {
			if (l == skip_line && entry_of_base(db->v[i], skip_base, tmp))
				continue;
			sw_strvec_release(&prov);
			if (strcmp(db->v[i]->name, name) == 0)
				found = 1;
			else if (pm_dep_names(db->v[i], "PROVIDES", &prov) < 0)
				found = -1;
			else
				found = sw_strvec_contains(&prov, name) ? 1 : 0;
		}
	}
	sw_strvec_release(&prov);
	return found;
}

/*
 * Would moving u to stable take from a package left in stable the last
 * provider of one of its dependencies? 1 and u->why set, 0, or -1 when
 * memory ran out.
 */
static int
stable_loses(const struct pm_ctx *x, struct pm_unit *u)
{
	const struct sw_repodb *dst = &x->lines[u->line].db[PM_STABLE];
	struct sw_strvec gone = SW_STRVEC_INIT, deps = SW_STRVEC_INIT;
	struct sw_buf tmp = SW_BUF_INIT;
	size_t i, j, l;
	int r, ret = -1;

	/* what the entries u replaces provided that u does not */
	if (pm_base_names(&x->lines[u->line], PM_STABLE, u->id.pkgbase,
	    &deps) < 0)
		goto out;
	for (i = 0; i < deps.n; i++) {
		const struct sw_repodb_entry *en = sw_repodb_find(dst, deps.v[i]);

		if (en != NULL && (sw_strvec_push(&gone, en->name) < 0 ||
		    pm_dep_names(en, "PROVIDES", &gone) < 0))
			goto out;
	}
	ret = 0;
	sw_strvec_release(&deps);
	for (j = 0; j < gone.n && ret == 0; j++) {
		const char *n = gone.v[j];

		if (unit_provides(u, n))
			continue;
		r = stable_provides(x, n, u->id.pkgbase, u->line, &tmp);
		if (r < 0) {
			ret = -1;
			goto out;
		}
		if (r == 1)
			continue;
		for (l = 0; l < x->nlines && ret == 0; l++) {
			const struct sw_repodb *db = &x->lines[l].db[PM_STABLE];

			for (i = 0; i < db->n && ret == 0; i++) {
				if (l == u->line && entry_of_base(db->v[i], u->id.pkgbase,
				    &tmp))
					continue;
				sw_strvec_release(&deps);
				if (pm_dep_names(db->v[i], "DEPENDS", &deps) < 0) {
					ret = -1;
					goto out;
				}
				if (sw_strvec_contains(&deps, n)) {
					snprintf(u->why, sizeof(u->why), "'%s' in '%s' needs "
						"'%s', which the new '%s' no longer provides",
						db->v[i]->name, x->lines[l].name[PM_STABLE], n,
						u->id.pkgbase);
					ret = 1;
				}
			}
		}
	}
out:
	sw_strvec_release(&gone);
	sw_strvec_release(&deps);
	sw_buf_release(&tmp);
	return ret;
}

/*
 * Where pkgbase b of u's line is after this run, for together.h: *present
 * when anything of it is (a repository, a unit, the build list); 1 when
 * a build newer than version is in u's destination or above, else 0; -1
 * when memory ran out (not "not beside": that would hold u for a wrong
 * reason).
 */
static int
rebuild_beside(const struct pm_ctx *x, const struct pm_unit *u,
	const char *b, const char *version, bool *present)
{
	const struct pm_line *l = &x->lines[u->line];
	struct sw_strvec names = SW_STRVEC_INIT;
	bool beside = false;
	size_t k, i;
	int s, ret = -1;

	*present = sw_buildlist_find(&x->bl, b, u->id.repo) >= 0;
	for (k = 0; k < x->nu && !beside; k++) {
		const struct pm_unit *v = &x->u[k];

		if (v->line != u->line || strcmp(v->id.pkgbase, b) != 0 ||
		    v->np == 0)
			continue;
		*present = true;
		beside = (v->moves ? PM_DEST(v) : v->stage) >= PM_DEST(u) &&
			sw_vercmp(v->p[0].version, version) > 0;
	}
	for (s = PM_STAGING; s < PM_STAGES && !beside; s++) {
		sw_strvec_release(&names);
		if (pm_base_names(l, s, b, &names) < 0)
			goto out;
		for (i = 0; i < names.n && !beside; i++) {
			const struct sw_repodb_entry *en = sw_repodb_find(&l->db[s],
				names.v[i]);

			if (en == NULL)
				continue;
			*present = true;
			beside = s >= PM_DEST(u) && sw_vercmp(en->version, version) > 0;
		}
	}
	ret = beside ? 1 : 0;
out:
	sw_strvec_release(&names);
	return ret;
}

/*
 * Would library u reach its destination without the rebuild of a package
 * its soname change queued (together.h) beside it? 1 and u->why set, 0,
 * or -1 when memory ran out. A package the line no longer has needs none.
 */
static int
waits_for_rebuild(const struct pm_ctx *x, struct pm_unit *u)
{
	size_t i;
	bool present;
	int r;

	for (i = 0; i < x->tg.n; i++) {
		const struct sw_together_ent *t = &x->tg.v[i];

		if (strcmp(t->repo, u->id.repo) != 0 ||
		    strcmp(t->lib, u->id.pkgbase) != 0)
			continue;
		r = rebuild_beside(x, u, t->pkgbase, t->version, &present);
		if (r < 0)
			return -1;
		if (r == 1 || !present)
			continue;
		snprintf(u->why, sizeof(u->why), "its soname change needs a "
			"rebuild of '%s' (newer than %s) in %s beside it", t->pkgbase,
			t->version, x->lines[u->line].name[PM_DEST(u)]);
		return 1;
	}
	return 0;
}

/* Names: a pkgbase or an id, of a unit in the given stage. */
static enum sw_promote_result
mark_named(struct pm_ctx *x, const struct sw_strvec *names, int stage,
	struct sw_err *e)
{
	char idstr[SW_ID_MAX + 1];
	size_t i, k;

	for (i = 0; i < names->n; i++) {
		struct pm_unit *hit = NULL, *other = NULL;

		for (k = 0; k < x->nu; k++) {
			sw_id_format(&x->u[k].id, idstr, sizeof(idstr));
			if (strcmp(x->u[k].id.pkgbase, names->v[i]) != 0 &&
			    strcmp(idstr, names->v[i]) != 0)
				continue;
			if (x->u[k].stage == stage)
				hit = &x->u[k];
			else
				other = &x->u[k];
		}
		if (hit == NULL) {
			sw_err_set(e, other != NULL && stage == PM_TESTING ?
				"cannot stabilize '%s': it is still in staging, and no "
				"package skips testing" : "cannot move '%s': it is not in %s",
				names->v[i], stage == PM_STAGING ? "staging" : "testing");
			return SW_PROMOTE_REFUSED;
		}
		if (hit->faulty) {
			sw_err_set(e, "cannot stabilize '%s': it is marked faulty",
				names->v[i]);
			return SW_PROMOTE_REFUSED;
		}
		hit->named = true;
	}
	return SW_PROMOTE_OK;
}

/*
 * The fixed point of one stage: candidates drop out until none does. 0, or
 * -1 with e set when memory ran out.
 */
static int
closure(struct pm_ctx *x, int stage, struct sw_err *e)
{
	bool changed = true;
	size_t k;
	int r;

	while (changed) {
		changed = false;
		for (k = 0; k < x->nu; k++) {
			struct pm_unit *u = &x->u[k];

			if (u->stage != stage || !u->moves)
				continue;
			r = held_by_pending(x, u);
			if (r == 0)
				r = waits_for_rebuild(x, u);
			if (r == 0 && stage == PM_TESTING)
				r = stable_loses(x, u);
			if (r < 0)
				return sw_err_sys(e, "cannot plan the move of '%s'",
					u->id.pkgbase);
			if (r == 1) {
				u->moves = false;
				changed = true;
			}
		}
	}
	return 0;
}

static int
plan_add(struct sw_promote_plan *p, enum sw_promote_kind kind,
	const struct sw_id *id, const char *from, const char *to, const char *why)
{
	struct sw_promote_item *it;

	if (p->n == p->alloc) {
		size_t n = p->alloc ? p->alloc * 2 : 16;
		struct sw_promote_item *v = reallocarray(p->v, n, sizeof(*v));

		if (v == NULL)
			return -1;
		p->v = v;
		p->alloc = n;
	}
	it = &p->v[p->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->id = *id;
	snprintf(it->from, sizeof(it->from), "%s", from ? from : "");
	snprintf(it->to, sizeof(it->to), "%s", to ? to : "");
	snprintf(it->why, sizeof(it->why), "%s", why ? why : "");
	sw_strvec_init(&it->files);
	return 0;
}

/* ---- deletions ---- */

/* Is name needed by an entry that stays, and provided by nothing else? */
static const char *
needed_after(const struct pm_ctx *x, const struct pm_del *d, const char *name,
	char *who, size_t size)
{
	struct sw_strvec deps = SW_STRVEC_INIT, prov = SW_STRVEC_INIT;
	const char *need = NULL;
	bool provided = false;
	size_t l, i;
	int s;

	for (l = 0; l < x->nlines; l++)
		for (s = 0; s < PM_STAGES; s++) {
			const struct sw_repodb *db = &x->lines[l].db[s];

			for (i = 0; i < db->n; i++) {
				if (l == d->line && sw_strvec_contains(&d->names[s],
				    db->v[i]->name))
					continue;
				sw_strvec_release(&deps);
				sw_strvec_release(&prov);
				if (strcmp(db->v[i]->name, name) == 0 ||
				    (pm_dep_names(db->v[i], "PROVIDES", &prov) == 0 &&
				    sw_strvec_contains(&prov, name)))
					provided = true;
				if (need == NULL && pm_dep_names(db->v[i], "DEPENDS",
				    &deps) == 0 && sw_strvec_contains(&deps, name)) {
					snprintf(who, size, "'%s' in '%s'", db->v[i]->name,
						x->lines[l].name[s]);
					need = who;
				}
			}
		}
	sw_strvec_release(&deps);
	sw_strvec_release(&prov);
	return provided ? NULL : need;
}

static int
plan_deletion(struct pm_ctx *x, size_t index, struct pm_del *d,
	struct sw_err *e)
{
	const struct sw_deletion *dl = &x->dl.v[index];
	const struct sw_repo_conf *rc = sw_master_conf_repo(x->c, dl->repo);
	struct sw_strvec prov = SW_STRVEC_INIT;
	struct sw_buf tmp = SW_BUF_INIT;
	char who[160];
	size_t i, k;
	bool any = false;
	int s, ret = -1;

	d->index = index;
	for (s = 0; s < PM_REPOS; s++) {
		sw_strvec_init(&d->files[s]);
		sw_strvec_init(&d->names[s]);
	}
	for (d->line = 0; rc != NULL && d->line < x->nlines; d->line++)
		if (x->lines[d->line].rc == rc)
			break;
	if (rc == NULL || d->line == x->nlines) {
		d->dropped = true;
		snprintf(d->why, sizeof(d->why), "no [repository] section has '%s'",
			dl->repo);
		ret = 0;
		goto out;
	}
	/* every repository of the line, its debug ones too */
	for (s = 0; s < x->lines[d->line].nrepos; s++) {
		const struct sw_repodb *db = &x->lines[d->line].db[s];

		for (i = 0; i < db->n; i++)
			if (entry_of_base(db->v[i], dl->pkgbase, &tmp)) {
				any = true;
				if (sw_strvec_push(&d->names[s], db->v[i]->name) < 0 ||
				    sw_strvec_push(&d->files[s], db->v[i]->filename) < 0)
					goto fail;
			}
	}
	for (k = 0; k < x->nu; k++)
		if (strcmp(x->u[k].id.pkgbase, dl->pkgbase) == 0 &&
		    x->u[k].line == d->line) {
			any = true;
			x->u[k].moves = false;
			snprintf(x->u[k].why, sizeof(x->u[k].why),
				"it is on the deletion list");
		}
	if (!any) {
		d->dropped = true;
		snprintf(d->why, sizeof(d->why), "'%s' was never built for this "
			"architecture", dl->pkgbase);
		ret = 0;
		goto out;
	}
	/* what the main repositories lose (nothing needs a debug package) */
	for (s = 0; s < PM_STAGES && !d->held; s++)
		for (i = 0; i < d->names[s].n && !d->held; i++) {
			const struct sw_repodb_entry *en = sw_repodb_find(
				&x->lines[d->line].db[s], d->names[s].v[i]);

			sw_strvec_release(&prov);
			if (sw_strvec_push(&prov, en->name) < 0 ||
			    pm_dep_names(en, "PROVIDES", &prov) < 0)
				goto fail;
			for (k = 0; k < prov.n && !d->held; k++)
				if (needed_after(x, d, prov.v[k], who, sizeof(who))) {
					d->held = true;
					snprintf(d->why, sizeof(d->why), "%s needs '%s'", who,
						prov.v[k]);
				}
		}
	ret = 0;
	goto out;
fail:
	sw_err_sys(e, "cannot plan the deletion of '%s'", dl->pkgbase);
out:
	sw_strvec_release(&prov);
	sw_buf_release(&tmp);
	return ret;
}

/* ---- the plan ---- */

static int
record(struct pm_ctx *x, struct sw_err *e)
{
	struct sw_id did;
	size_t k, i;
	int s;

	for (k = 0; k < x->nu; k++) {
		struct pm_unit *u = &x->u[k];
		const struct pm_line *l = &x->lines[u->line];

		if (u->moves) {
			if (plan_add(x->plan, SW_PROMOTE_MOVE, &u->id,
			    l->name[u->stage], l->name[PM_DEST(u)], NULL) < 0)
				goto fail;
			for (i = 0; i < u->np; i++)
				if (sw_strvec_push(&x->plan->v[x->plan->n - 1].files,
				    u->p[i].file) < 0)
					goto fail;
		} else if (plan_add(x->plan, SW_PROMOTE_HOLD, &u->id,
		    l->name[u->stage], NULL, u->why) < 0)
			goto fail;
	}
	for (k = 0; k < x->ndel; k++) {
		const struct pm_del *d = &x->del[k];

		memset(&did, 0, sizeof(did));
		memcpy(did.pkgbase, x->dl.v[d->index].pkgbase, sizeof(did.pkgbase));
		memcpy(did.repo, x->dl.v[d->index].repo, sizeof(did.repo));
		if (plan_add(x->plan, d->dropped ? SW_PROMOTE_DROP : d->held ?
		    SW_PROMOTE_HOLD : SW_PROMOTE_DELETE, &did, did.repo, NULL,
		    d->why) < 0)
			goto fail;
		for (s = 0; s < PM_REPOS; s++)
			for (i = 0; i < d->files[s].n; i++)
				if (sw_strvec_push(&x->plan->v[x->plan->n - 1].files,
				    d->files[s].v[i]) < 0)
					goto fail;
	}
	return 0;
fail:
	return sw_err_sys(e, "cannot make the plan");
}

enum sw_promote_result
pm_plan(struct pm_ctx *x, struct sw_err *e)
{
	enum sw_promote_result r;
	size_t k;

	if ((r = mark_named(x, &x->o->unstage, PM_STAGING, e)) != SW_PROMOTE_OK ||
	    (r = mark_named(x, &x->o->stabilize, PM_TESTING, e)) != SW_PROMOTE_OK)
		return r;
	for (k = 0; k < x->nu; k++) {
		struct pm_unit *u = &x->u[k];

		u->moves = u->stage == PM_STAGING ||
			(!u->faulty && (u->tested || u->named));
		if (!u->moves)
			snprintf(u->why, sizeof(u->why), "%s", u->faulty ?
				"it is marked faulty" : "it is not marked tested");
	}
	x->del = calloc(x->dl.n ? x->dl.n : 1, sizeof(*x->del));
	if (x->del == NULL)
		return sw_err_sys(e, "cannot plan the deletions");
	for (k = 0; k < x->dl.n; k++, x->ndel++)
		if (plan_deletion(x, k, &x->del[k], e) < 0)
			return SW_PROMOTE_ERROR;
	if (closure(x, PM_STAGING, e) < 0 || closure(x, PM_TESTING, e) < 0)
		return SW_PROMOTE_ERROR;
	for (k = 0; k < x->nu; k++) {
		struct pm_unit *u = &x->u[k];
		char idstr[SW_ID_MAX + 1];

		if (!u->named || u->moves)
			continue;
		if (!x->o->force) {
			sw_id_format(&u->id, idstr, sizeof(idstr));
			sw_err_set(e, "cannot move '%s': %s (--force moves it anyway)",
				idstr, u->why);
			return SW_PROMOTE_REFUSED;
		}
		u->moves = true;
	}
	return record(x, e) < 0 ? SW_PROMOTE_ERROR : SW_PROMOTE_OK;
}
