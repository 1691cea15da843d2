#include "source/updates.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/depgraph.h"
#include "core/keymap.h"
#include "core/lines.h"
#include "queue/bump.h"

#define FAILURES_MAX_SIZE (64 * 1024 * 1024)

/* ---- actions and the failure list ------------------------------------------ */

void
sw_upd_action_init(struct sw_upd_action *a, enum sw_upd_kind kind,
	const char *pkgbase, const char *repo)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	snprintf(a->meta.pkgbase, sizeof(a->meta.pkgbase), "%s", pkgbase);
	snprintf(a->meta.repo, sizeof(a->meta.repo), "%s", repo);
	sw_strvec_init(&a->meta.pkgnames);
	sw_strvec_init(&a->meta.deps);
}

void
sw_upd_action_release(struct sw_upd_action *a)
{
	sw_strvec_release(&a->meta.pkgnames);
	sw_strvec_release(&a->meta.deps);
}

void
sw_failures_release(struct sw_failures *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static long
failures_find(const struct sw_failures *f, const char *pkgbase,
	const char *repo)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].pkgbase, pkgbase) == 0 &&
		    strcmp(f->v[i].repo, repo) == 0)
			return (long)i;
	return -1;
}

static void
failures_remove(struct sw_failures *f, const char *pkgbase, const char *repo)
{
	long i = failures_find(f, pkgbase, repo);

	if (i < 0)
		return;
	memmove(&f->v[i], &f->v[i + 1], (f->n - (size_t)i - 1) * sizeof(*f->v));
	f->n--;
}

/* Control bytes become '?', so that a reason stays one line. */
static void
clean_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (unsigned char)src[i] < 32 || src[i] == 127 ? '?' : src[i];
	dst[i] = '\0';
}

static int
failures_set(struct sw_failures *f, const char *pkgbase, const char *repo,
	const char *message, struct sw_err *e)
{
	long i = failures_find(f, pkgbase, repo);
	struct sw_failure *x;

	if (i < 0) {
		if (f->n == f->alloc) {
			size_t a = f->alloc ? f->alloc * 2 : 16;
			struct sw_failure *p = reallocarray(f->v, a, sizeof(*p));

			if (p == NULL)
				return sw_err_sys(e, "cannot record a failure");
			f->v = p;
			f->alloc = a;
		}
		i = (long)f->n++;
	}
	x = &f->v[i];
	snprintf(x->pkgbase, sizeof(x->pkgbase), "%s", pkgbase);
	snprintf(x->repo, sizeof(x->repo), "%s", repo);
	clean_copy(x->message, sizeof(x->message), message[0] ? message : "?");
	return 0;
}

static int
failure_record(char **f, void *arg, struct sw_err *e)
{
	if (sw_name_check(SW_NAME_PKGBASE, f[0], e) < 0 ||
	    sw_name_check(SW_NAME_REPO, f[1], e) < 0)
		return -1;
	return failures_set(arg, f[0], f[1], f[2], e);
}

int
sw_failures_read(const char *path, struct sw_failures *f, struct sw_err *e)
{
	memset(f, 0, sizeof(*f));
	if (sw_lines_read_file(path, FAILURES_MAX_SIZE, 3, true, 4096,
	    failure_record, f, e) < 0) {
		sw_failures_release(f);
		return -1;
	}
	return 0;
}

static int
failure_line(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_failure *x = &((const struct sw_failures *)list)->v[i];

	return sw_buf_addf(out, "%s %s %s\n", x->pkgbase, x->repo, x->message);
}

int
sw_failures_write(const char *path, const struct sw_failures *f,
	struct sw_txn *t, struct sw_err *e)
{
	return sw_lines_write_file(path, f, f->n, failure_line, t, e);
}

/* ---- merging ------------------------------------------------------------------ */

void
sw_updates_init(struct sw_updates *u)
{
	memset(u, 0, sizeof(*u));
	sw_strvec_init(&u->warnings);
}

void
sw_updates_release(struct sw_updates *u)
{
	sw_strvec_release(&u->warnings);
}

struct merge {
	struct sw_updates *u;
	struct sw_keymap list_ix, meta_ix;
	bool *gone, *meta_gone, *touched;   /* per list / meta entry */
	size_t cap, cap2, meta_cap;
	struct sw_keymap built;                /* (pkgbase, repo) with repo states */
	bool scanned;
};

static int
grow_flags(bool **v, size_t *cap, size_t need)
{
	bool *p;
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	p = realloc(*v, c * sizeof(*p));
	if (p == NULL)
		return -1;
	memset(p + *cap, 0, (c - *cap) * sizeof(*p));
	*v = p;
	*cap = c;
	return 0;
}

static int
scan_fn(const struct sw_id *id, enum sw_state s, void *arg)
{
	struct merge *m = arg;

	if (s != SW_STATE_DONE && s != SW_STATE_TESTING && s != SW_STATE_TESTED)
		return 0;
	return sw_keymap_put(&m->built, id->pkgbase, id->repo, 1);
}

/* Was (pkgbase, repo) built: does any id of it have done/testing/tested? */
static int
was_built(struct merge *m, const char *pkgbase, const char *repo,
	struct sw_err *e)
{
	if (!m->scanned) {
		if (sw_keymap_init(&m->built, 256) < 0)
			return sw_err_sys(e, "cannot scan package states");
		if (sw_pkgstate_scan(m->u->state_dir, scan_fn, m, NULL, e) < 0)
			return -1;
		m->scanned = true;
	}
	return sw_keymap_get(&m->built, pkgbase, repo) >= 0;
}

static int
exists(struct merge *m, const struct sw_id *id, enum sw_state s,
	struct sw_err *e)
{
	return sw_pkgstate_exists(m->u->state_dir, id, s, e);
}

static bool
ours(const struct sw_blocked *b)
{
	return strcmp(b->who, SW_UPDATES_WHO) == 0 &&
		strcmp(b->reason, SW_UPDATES_REASON) == 0;
}

/*
 * The states of old that make no sense any more: locked and broken go; a
 * blocked state moves to new_id (if given) unless it is our build-manually
 * block. *carried tells whether a block was written for new_id.
 */
static int
drop_states(struct merge *m, const struct sw_id *old, const struct sw_id *new_id,
	bool *carried, struct sw_err *e)
{
	const char *sd = m->u->state_dir;
	struct sw_blocked b;
	int r;

	*carried = false;
	if ((r = exists(m, old, SW_STATE_LOCKED, e)) < 0 ||
	    (r && sw_pkgstate_remove(sd, old, SW_STATE_LOCKED, m->u->txn, e) < 0))
		return -1;
	if ((r = exists(m, old, SW_STATE_BROKEN, e)) < 0 ||
	    (r && sw_pkgstate_remove(sd, old, SW_STATE_BROKEN, m->u->txn, e) < 0))
		return -1;
	r = sw_pkgstate_read_blocked(sd, old, &b, e);
	if (r < 0)
		return -1;
	if (r == 1)
		return 0;
	if (sw_pkgstate_remove(sd, old, SW_STATE_BLOCKED, m->u->txn, e) < 0)
		return -1;
	if (new_id != NULL && !ours(&b)) {
		if (sw_pkgstate_write_blocked(sd, new_id, &b, m->u->txn, e) < 0)
			return -1;
		*carried = true;
	}
	return 0;
}

/* Blocks or unblocks id for build-manually. */
static int
build_manually(struct merge *m, const struct sw_id *id, bool carried,
	struct sw_err *e)
{
	struct sw_updates *u = m->u;
	bool listed = u->build_manually &&
		sw_custom_has(u->build_manually, id->pkgbase);
	struct sw_blocked b;
	int r;

	if (carried)
		return 0;
	r = sw_pkgstate_read_blocked(u->state_dir, id, &b, e);
	if (r < 0)
		return -1;
	if (listed && r == 1) {
		memset(&b, 0, sizeof(b));
		b.time = u->now;
		snprintf(b.who, sizeof(b.who), "%s", SW_UPDATES_WHO);
		snprintf(b.reason, sizeof(b.reason), "%s", SW_UPDATES_REASON);
		if (sw_pkgstate_write_blocked(u->state_dir, id, &b, u->txn, e) < 0)
			return -1;
		u->blocked++;
	} else if (!listed && r == 0 && ours(&b)) {
		if (sw_pkgstate_remove(u->state_dir, id, SW_STATE_BLOCKED, u->txn, e) < 0)
			return -1;
		u->unblocked++;
	}
	return 0;
}

static long
on_list(struct merge *m, const char *pkgbase, const char *repo)
{
	long i = sw_keymap_get(&m->list_ix, pkgbase, repo);

	return i >= 0 && !m->gone[i] ? i : -1;
}

static void
meta_remove(struct merge *m, const char *pkgbase, const char *repo)
{
	long i = sw_keymap_get(&m->meta_ix, pkgbase, repo);

	if (i >= 0)
		m->meta_gone[i] = true;
}

static int
apply_removal(struct merge *m, struct sw_upd_action *a, struct sw_err *e)
{
	struct sw_updates *u = m->u;
	const char *p = a->meta.pkgbase, *r = a->meta.repo;
	long i = on_list(m, p, r);
	bool carried;
	int built = 1;

	if (a->kind == SW_UPD_DROP && i >= 0 && (built = was_built(m, p, r, e)) < 0)
		return -1;
	if (i >= 0) {
		if (drop_states(m, &u->list->v[i], NULL, &carried, e) < 0)
			return -1;
		m->gone[i] = true;
		meta_remove(m, p, r);
		u->removed++;
	}
	if ((a->kind == SW_UPD_REMOVE || (a->kind == SW_UPD_DROP && built)) &&
	    sw_deletionlist_find(u->del, p, r) < 0) {
		if (sw_deletionlist_append(u->del, p, r, e) < 0)
			return -1;
		u->deleted++;
	}
	if (a->kind == SW_UPD_FAIL) {
		u->failed++;
		return failures_set(u->failures, p, r, a->message, e);
	}
	failures_remove(u->failures, p, r);
	return 0;
}

/* A version published already is queued as the farm's next bump of it. */
static int
set_bump(struct sw_updates *u, struct sw_id *id, const char *version,
	struct sw_err *e)
{
	struct sw_err be;
	unsigned bump = 0;

	if (u->published == NULL)
		return 0;
	if (sw_bump_next(u->published, id->pkgbase, id->repo, version, &bump,
	    &be) == 1 && sw_strvec_pushf(&u->warnings, "%s", be.msg) < 0)
		return sw_err_sys(e, "cannot queue '%s'", id->pkgbase);
	if (bump > 0)
		u->bumped++;
	return sw_id_set_bump(id, bump, e);
}

static int
apply_queue(struct merge *m, struct sw_upd_action *a, struct sw_err *e)
{
	struct sw_updates *u = m->u;
	const char *p = a->meta.pkgbase, *r = a->meta.repo;
	struct sw_id id;
	long i, d;
	bool carried = false;
	char old[SW_ID_MAX + 1], nid[SW_ID_MAX + 1];

	if (sw_id_from_fields(&id, p, a->src, a->mod, r, e) < 0 ||
	    set_bump(u, &id, a->meta.version, e) < 0)
		return -1;
	if ((d = sw_deletionlist_find(u->del, p, r)) >= 0)
		sw_deletionlist_remove(u->del, (size_t)d);
	failures_remove(u->failures, p, r);
	i = on_list(m, p, r);
	if (i >= 0) {
		sw_id_format(&u->list->v[i], old, sizeof(old));
		sw_id_format(&id, nid, sizeof(nid));
		if (strcmp(old, nid) != 0) {
			if (drop_states(m, &u->list->v[i], &id, &carried, e) < 0)
				return -1;
			u->list->v[i] = id;
			u->updated++;
		}
	} else {
		if (sw_buildlist_append(u->list, &id, e) < 0 ||
		    grow_flags(&m->gone, &m->cap, u->list->n) < 0 ||
		    grow_flags(&m->touched, &m->cap2, u->list->n) < 0 ||
		    sw_keymap_put(&m->list_ix, p, r, u->list->n - 1) < 0)
			return e->msg[0] ? -1 : sw_err_sys(e, "cannot queue '%s'", p);
		i = (long)u->list->n - 1;
		u->queued++;
	}
	m->touched[i] = true;
	/* build-meta: replace or add */
	d = sw_keymap_get(&m->meta_ix, p, r);
	if (d >= 0 && !m->meta_gone[d]) {
		struct sw_buildmeta_entry *x = &u->meta->v[d];

		sw_strvec_release(&x->pkgnames);
		sw_strvec_release(&x->deps);
		*x = a->meta;
		sw_strvec_init(&a->meta.pkgnames);
		sw_strvec_init(&a->meta.deps);
	} else {
		if (d >= 0)
			m->meta_gone[d] = true;
		if (sw_buildmeta_add(u->meta, &a->meta, e) < 0 ||
		    grow_flags(&m->meta_gone, &m->meta_cap, u->meta->n) < 0 ||
		    sw_keymap_put(&m->meta_ix, p, r, u->meta->n - 1) < 0)
			return e->msg[0] ? -1 : sw_err_sys(e, "cannot queue '%s'", p);
	}
	return build_manually(m, &id, carried, e);
}

static void
compact(struct merge *m)
{
	struct sw_updates *u = m->u;
	size_t i, j;

	for (i = j = 0; i < u->list->n; i++)
		if (!m->gone[i])
			u->list->v[j++] = u->list->v[i];
	u->list->n = j;
	for (i = u->meta->n; i-- > 0; )
		if (m->meta_gone[i])
			sw_buildmeta_remove(u->meta, i);
}

int
sw_updates_merge(struct sw_updates *u, struct sw_upd_action *acts, size_t n,
	struct sw_err *e)
{
	struct merge m;
	size_t i;
	int ret = -1;

	memset(&m, 0, sizeof(m));
	m.u = u;
	if (e != NULL)
		e->msg[0] = '\0';
	if (sw_keymap_init(&m.list_ix, u->list->n + n) < 0 ||
	    sw_keymap_init(&m.meta_ix, u->meta->n + n) < 0 ||
	    grow_flags(&m.gone, &m.cap, u->list->n + 1) < 0 ||
	    grow_flags(&m.touched, &m.cap2, u->list->n + 1) < 0 ||
	    grow_flags(&m.meta_gone, &m.meta_cap, u->meta->n + 1) < 0)
		goto nomem;
	for (i = 0; i < u->list->n; i++)
		if (sw_keymap_put(&m.list_ix, u->list->v[i].pkgbase, u->list->v[i].repo,
		    i) < 0)
			goto nomem;
	for (i = 0; i < u->meta->n; i++)
		if (sw_keymap_put(&m.meta_ix, u->meta->v[i].pkgbase, u->meta->v[i].repo,
		    i) < 0)
			goto nomem;
	for (i = 0; i < n; i++)
		if (acts[i].kind != SW_UPD_QUEUE && apply_removal(&m, &acts[i], e) < 0)
			goto out;
	for (i = 0; i < n; i++)
		if (acts[i].kind == SW_UPD_QUEUE && apply_queue(&m, &acts[i], e) < 0)
			goto out;
	for (i = 0; u->recheck != NULL && i < u->list->n; i++)
		if (!m.gone[i] && !m.touched[i] &&
		    sw_strvec_contains(u->recheck, u->list->v[i].pkgbase) &&
		    build_manually(&m, &u->list->v[i], false, e) < 0)
			goto out;
	compact(&m);
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot merge the changes");
out:
	sw_keymap_release(&m.list_ix);
	sw_keymap_release(&m.meta_ix);
	sw_keymap_release(&m.built);
	free(m.gone);
	free(m.touched);
	free(m.meta_gone);
	return ret;
}

/* ---- build order ----------------------------------------------------------------- */

void
sw_upd_loops_release(struct sw_upd_loops *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->v[i].n; j++)
			sw_strvec_release(&l->v[i].deps[j]);
		free(l->v[i].deps);
		free(l->v[i].members);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* name -> the nodes that have it; a node appears once per name. */
struct providers {
	struct sw_keymap ix;           /* "<name> -" -> slot in lists */
	size_t **lists;
	size_t *counts;
	size_t n, alloc;
};

static void
providers_release(struct providers *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->lists[i]);
	free(p->lists);
	free(p->counts);
	sw_keymap_release(&p->ix);
}

static int
providers_add(struct providers *p, const char *name, size_t node)
{
	long s = sw_keymap_get(&p->ix, name, "-");
	size_t *l;

	if (s < 0) {
		if (p->n == p->alloc) {
			size_t a = p->alloc ? p->alloc * 2 : 256;
			size_t **nl = reallocarray(p->lists, a, sizeof(*nl));
			size_t *nc;

			if (nl == NULL)
				return -1;
			p->lists = nl;
			nc = reallocarray(p->counts, a, sizeof(*nc));
			if (nc == NULL)
				return -1;
			p->counts = nc;
			p->alloc = a;
		}
		s = (long)p->n;
		p->lists[s] = NULL;
		p->counts[s] = 0;
		if (sw_keymap_put(&p->ix, name, "-", (size_t)s) < 0)
			return -1;
		p->n++;
	}
	if (p->counts[s] > 0 && p->lists[s][p->counts[s] - 1] == node)
		return 0;
	l = reallocarray(p->lists[s], p->counts[s] + 1, sizeof(*l));
	if (l == NULL)
		return -1;
	l[p->counts[s]++] = node;
	p->lists[s] = l;
	return 0;
}

static const size_t *
providers_get(const struct providers *p, const char *name, size_t *n)
{
	long s = sw_keymap_get(&p->ix, name, "-");

	*n = s < 0 ? 0 : p->counts[s];
	return s < 0 ? NULL : p->lists[s];
}

struct order {
	struct sw_updates *u;
	struct sw_pkginfo **info;
	struct providers byname, byprov, bygroup;
	struct sw_depgraph g;
	size_t *rank;       /* within a cycle: sort key data */
	size_t *indeg;
	size_t *fails;
};

/* The providers of dependency name: by pkgname, else provides, else groups. */
static const size_t *
resolve(const struct order *o, const char *name, size_t *n)
{
	const size_t *v = providers_get(&o->byname, name, n);

	if (*n == 0)
		v = providers_get(&o->byprov, name, n);
	if (*n == 0)
		v = providers_get(&o->bygroup, name, n);
	return v;
}

static const struct order *sort_ctx;

static int
cmp_in_cycle(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	const struct order *o = sort_ctx;

	if (o->indeg[a] != o->indeg[b])
		return o->indeg[a] > o->indeg[b] ? -1 : 1;
	if (o->fails[a] != o->fails[b])
		return o->fails[a] < o->fails[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int
count_failures(struct order *o, size_t node)
{
	struct sw_attempt *v = NULL;
	size_t n = 0;
	struct sw_err ignore;

	if (o->u->state_dir == NULL)
		return 0;
	if (sw_pkgstate_read_broken(o->u->state_dir, &o->u->list->v[node], &v, &n,
	    &ignore) == 0)
		o->fails[node] = n;
	free(v);
	return 0;
}

/* Drops list entries without info or build-meta; info follows. */
static int
drop_unknown(struct sw_updates *u, struct sw_pkginfo **info, long *meta_of,
	struct sw_err *e)
{
	size_t i, j;
	char id[SW_ID_MAX + 1];

	for (i = j = 0; i < u->list->n; i++) {
		if (info[i] == NULL || meta_of[i] < 0) {
			sw_id_format(&u->list->v[i], id, sizeof(id));
			if (sw_strvec_pushf(&u->warnings, "'%s' left the build list: %s",
			    id, info[i] == NULL ? "its PKGBUILD could not be read" :
			    "it has no build-meta entry") < 0)
				return sw_err_sys(e, "cannot order the build list");
			continue;
		}
		u->list->v[j] = u->list->v[i];
		info[j] = info[i];
		meta_of[j] = meta_of[i];
		j++;
	}
	u->list->n = j;
	return 0;
}

static int
loops_add(struct sw_upd_loops *l, const struct order *o, const size_t *members,
	size_t n, const size_t *pos)
{
	struct sw_upd_loop *lp, *nv;
	size_t i, k, c;

	nv = reallocarray(l->v, l->n + 1, sizeof(*nv));
	if (nv == NULL)
		return -1;
	l->v = nv;
	lp = &l->v[l->n];
	memset(lp, 0, sizeof(*lp));
	lp->members = calloc(n, sizeof(*lp->members));
	lp->deps = calloc(n, sizeof(*lp->deps));
	if (lp->members == NULL || lp->deps == NULL) {
		free(lp->members);
		free(lp->deps);
		return -1;
	}
	l->n++;
	lp->n = n;
	for (i = 0; i < n; i++)
		sw_strvec_init(&lp->deps[i]);
	for (i = 0; i < n; i++) {
		size_t node = members[i];
		const struct sw_strvec *deps = &o->info[node]->deps;

		lp->members[i] = pos[node];
		for (k = 0; k < deps->n; k++) {
			size_t np;
			const size_t *pv = resolve(o, deps->v[k], &np);

			for (c = 0; c < np; c++)
				if (pv[c] != node && o->g.comp[pv[c]] == o->g.comp[node] &&
				    !sw_strvec_contains(&lp->deps[i],
				    o->u->list->v[pv[c]].pkgbase) &&
				    sw_strvec_push(&lp->deps[i],
				    o->u->list->v[pv[c]].pkgbase) < 0)
					return -1;
		}
	}
	return 0;
}

int
sw_updates_order(struct sw_updates *u, struct sw_pkginfo **info,
	struct sw_upd_loops *loops, struct sw_err *e)
{
	struct order o;
	struct sw_build_list nl = { NULL, 0, 0 };
	struct sw_buildmeta nm = { NULL, 0, 0 };
	struct sw_pkginfo **ninfo = NULL;
	long *meta_of = NULL;
	size_t *order = NULL, *pos = NULL, i, k, c, n;
	int ret = -1;

	memset(&o, 0, sizeof(o));
	memset(loops, 0, sizeof(*loops));
	o.u = u;
	o.info = info;
	meta_of = calloc(u->list->n + 1, sizeof(*meta_of));
	if (meta_of == NULL)
		goto nomem;
	{
		struct sw_keymap mi;

		if (sw_keymap_init(&mi, u->meta->n) < 0)
			goto nomem;
		for (i = 0; i < u->meta->n; i++)
			if (sw_keymap_put(&mi, u->meta->v[i].pkgbase, u->meta->v[i].repo, i) < 0) {
				sw_keymap_release(&mi);
				goto nomem;
			}
		for (i = 0; i < u->list->n; i++)
			meta_of[i] = sw_keymap_get(&mi, u->list->v[i].pkgbase,
				u->list->v[i].repo);
		sw_keymap_release(&mi);
	}
	if (drop_unknown(u, info, meta_of, e) < 0)
		goto out;
	n = u->list->n;
	if (sw_keymap_init(&o.byname.ix, n) < 0 || sw_keymap_init(&o.byprov.ix, n) < 0 ||
	    sw_keymap_init(&o.bygroup.ix, 16) < 0)
		goto nomem;
	for (i = 0; i < n; i++) {
		for (k = 0; k < info[i]->pkgnames.n; k++)
			if (providers_add(&o.byname, info[i]->pkgnames.v[k], i) < 0)
				goto nomem;
		for (k = 0; k < info[i]->provides.n; k++)
			if (providers_add(&o.byprov, info[i]->provides.v[k], i) < 0)
				goto nomem;
		for (k = 0; k < info[i]->groups.n; k++)
			if (providers_add(&o.bygroup, info[i]->groups.v[k], i) < 0)
				goto nomem;
	}
	if (sw_depgraph_init(&o.g, n, e) < 0)
		goto out;
	o.indeg = calloc(n + 1, sizeof(*o.indeg));
	o.fails = calloc(n + 1, sizeof(*o.fails));
	order = calloc(n + 1, sizeof(*order));
	pos = calloc(n + 1, sizeof(*pos));
	ninfo = calloc(n + 1, sizeof(*ninfo));
	if (o.indeg == NULL || o.fails == NULL || order == NULL || pos == NULL ||
	    ninfo == NULL)
		goto nomem;
	for (i = 0; i < n; i++)
		for (k = 0; k < info[i]->deps.n; k++) {
			size_t np;
			const size_t *pv = resolve(&o, info[i]->deps.v[k], &np);

			for (c = 0; c < np; c++)
				if (pv[c] != i && sw_depgraph_add_edge(&o.g, i, pv[c], e) < 0)
					goto out;
		}
	if (sw_depgraph_solve(&o.g, e) < 0)
		goto out;
	/* in-cycle in-degrees and failures, then sort every cycle's block */
	for (i = 0; i < o.g.nedges; i++)
		if (o.g.comp[o.g.from[i]] == o.g.comp[o.g.to[i]])
			o.indeg[o.g.to[i]]++;
	memcpy(order, o.g.order, n * sizeof(*order));
	for (i = 0; i < n; ) {
		size_t size = o.g.comp_size[o.g.comp[order[i]]];

		if (size > 1) {
			for (k = i; k < i + size; k++)
				count_failures(&o, order[k]);
			sort_ctx = &o;
			qsort(order + i, size, sizeof(*order), cmp_in_cycle);
			sort_ctx = NULL;
		}
		i += size;
	}
	for (i = 0; i < n; i++)
		pos[order[i]] = i;
	/* the new list, build-meta (with deps) and info, in build order */
	for (i = 0; i < n; i++) {
		size_t node = order[i];
		struct sw_buildmeta_entry ent = u->meta->v[meta_of[node]];

		sw_strvec_init(&ent.pkgnames);
		sw_strvec_init(&ent.deps);
		for (k = 0; k < u->meta->v[meta_of[node]].pkgnames.n; k++)
			if (sw_strvec_push(&ent.pkgnames,
			    u->meta->v[meta_of[node]].pkgnames.v[k]) < 0)
				goto nomem_ent;
		for (k = 0; k < info[node]->deps.n; k++) {
			size_t np;
			const size_t *pv = resolve(&o, info[node]->deps.v[k], &np);

			for (c = 0; c < np; c++) {
				const char *pb = u->list->v[pv[c]].pkgbase;

				if (pv[c] != node && !sw_strvec_contains(&ent.deps, pb) &&
				    sw_strvec_push(&ent.deps, pb) < 0)
					goto nomem_ent;
			}
		}
		if (sw_buildlist_append(&nl, &u->list->v[node], e) < 0 ||
		    sw_buildmeta_add(&nm, &ent, e) < 0)
			goto out;
		ninfo[i] = info[node];
		continue;
nomem_ent:
		sw_strvec_release(&ent.pkgnames);
		sw_strvec_release(&ent.deps);
		goto nomem;
	}
	for (i = 0; i < n; ) {
		size_t size = o.g.comp_size[o.g.comp[order[i]]];

		if (size > 1 && loops_add(loops, &o, order + i, size, pos) < 0)
			goto nomem;
		i += size;
	}
	memcpy(info, ninfo, n * sizeof(*info));
	sw_buildlist_release(u->list);
	*u->list = nl;
	nl.v = NULL;
	nl.n = 0;
	sw_buildmeta_release(u->meta);
	*u->meta = nm;
	memset(&nm, 0, sizeof(nm));
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot order the build list");
out:
	if (ret < 0)
		sw_upd_loops_release(loops);
	sw_buildlist_release(&nl);
	sw_buildmeta_release(&nm);
	sw_depgraph_release(&o.g);
	providers_release(&o.byname);
	providers_release(&o.byprov);
	providers_release(&o.bygroup);
	free(o.indeg);
	free(o.fails);
	free(order);
	free(pos);
	free(ninfo);
	free(meta_of);
	return ret;
}

int
sw_updates_loop_text(const struct sw_updates *u, const struct sw_upd_loop *loop,
	char *name, size_t size, struct sw_buf *text, struct sw_err *e)
{
	char id[SW_ID_MAX + 1];
	size_t i, k;

	if (loop->n == 0)
		return sw_err_set(e, "empty loop");
	sw_id_format(&u->list->v[loop->members[0]], name, size);
	for (i = 0; i < loop->n; i++) {
		sw_id_format(&u->list->v[loop->members[i]], id, sizeof(id));
		if (sw_buf_addf(text, "%s ", id) < 0)
			return sw_err_sys(e, "cannot describe a loop");
		for (k = 0; k < loop->deps[i].n; k++)
			if ((k && sw_buf_addch(text, ',') < 0) ||
			    sw_buf_addstr(text, loop->deps[i].v[k]) < 0)
				return sw_err_sys(e, "cannot describe a loop");
		if (sw_buf_addstr(text, loop->deps[i].n ? "\n" : "-\n") < 0)
			return sw_err_sys(e, "cannot describe a loop");
	}
	return 0;
}
