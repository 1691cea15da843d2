/*
 * updaterun: which pkgbases a change concerns, and what a revision holds
 * for one (updaterun_stages.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/layout.h"
#include "source/updaterun_stages.h"

static int
load_list(struct run *r, int side, const char *file, enum sw_custom_kind kind,
	struct sw_custom_list *l, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT;
	struct sw_strvec warnings = SW_STRVEC_INIT;
	size_t i;
	int rr, ret = -1;

	memset(l, 0, sizeof(*l));
	if (r->cu.g == NULL || r->cu.rev[side][0] == '\0')
		return 0;
	rr = sw_gitsrc_read(r->cu.g, r->cu.rev[side], file, SW_CUSTOM_MAX_SIZE,
		&data, e);
	if (rr < 0)
		goto out;
	if (rr == 0 && sw_custom_parse(l, data.data, data.len, kind, file,
	    side == NEW ? &warnings : NULL, e) < 0)
		goto out;
	for (i = 0; i < warnings.n; i++)
		sw_ur_say(r, "customizations: %s", warnings.v[i]);
	ret = 0;
out:
	sw_buf_release(&data);
	sw_strvec_release(&warnings);
	return ret;
}

int
sw_ur_load_lists(struct run *r, struct sw_err *e)
{
	int side;

	for (side = OLD; side <= NEW; side++) {
		sw_custom_release(&r->cu.bl[side]);
		sw_custom_release(&r->cu.bm[side]);
		sw_custom_release(&r->cu.uo[side]);
		sw_custom_release(&r->cu.ov[side]);
		if (load_list(r, side, SW_CUSTOM_BLACKLIST, SW_CUSTOM_NAMES,
		    &r->cu.bl[side], e) < 0 ||
		    load_list(r, side, SW_CUSTOM_BUILD_MANUALLY, SW_CUSTOM_NAMES,
		    &r->cu.bm[side], e) < 0 ||
		    load_list(r, side, SW_CUSTOM_UPDATE_ONCE, SW_CUSTOM_NAMES,
		    &r->cu.uo[side], e) < 0 ||
		    load_list(r, side, SW_CUSTOM_OVERRIDES, SW_CUSTOM_REPOS,
		    &r->cu.ov[side], e) < 0)
			return -1;
	}
	sw_custom_release(&r->cu.tr);
	return load_list(r, NEW, SW_CUSTOM_TRIGGERS, SW_CUSTOM_PKGNAMES, &r->cu.tr,
		e);
}

/* ---- what is affected ---------------------------------------------------------- */

struct diffctx {
	struct sw_strvec *out;
	int layout;
};

static int
diff_fn(const char *path, void *arg)
{
	struct diffctx *d = arg;
	char pb[SW_PKGNAME_MAX + 1];

	if (sw_layout_pkgbase_of(d->layout, path, pb) != 0)
		return 0;
	return sw_strvec_push(d->out, pb);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and removes duplicates. */
void
sw_ur_uniq(struct sw_strvec *sv)
{
	size_t i, j;

	if (sv->n < 2)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	for (i = 1, j = 1; i < sv->n; i++) {
		if (strcmp(sv->v[i], sv->v[j - 1]) == 0)
			free(sv->v[i]);
		else
			sv->v[j++] = sv->v[i];
	}
	sv->n = j;
	sv->v[j] = NULL;
}

bool
sw_ur_sorted_has(const struct sw_strvec *sv, const char *s)
{
	return sv->n > 0 && bsearch(&s, sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

int
sw_ur_find_affected(struct run *r, struct sw_failures *fails, struct sw_err *e)
{
	struct diffctx d = { &r->affected, SW_LAYOUT_REPO_PKGBASE };
	size_t i, k;

	sw_strvec_release(&r->affected);
	sw_strvec_release(&r->forced);
	sw_strvec_release(&r->recheck);
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		if (s->conf->layout == SW_LAYOUT_PER_PACKAGE) {
			for (k = 0; k < s->npp; k++)
				if ((s->reconf ||
				    strcmp(s->pp[k].rev[OLD], s->pp[k].rev[NEW]) != 0) &&
				    sw_strvec_push(&r->affected, s->pp[k].pkgbase) < 0)
					return sw_err_sys(e, "cannot collect changes");
			continue;
		}
		if (s->reconf) {
			/* changed in place: every pkgbase it had and has */
			for (k = 0; k < 2; k++) {
				d.layout = s->layout[k];
				if (s->rev[k][0] && sw_gitsrc_diff(s->g, NULL, s->rev[k],
				    diff_fn, &d, e) < 0)
					return e->msg[0] ? -1 :
						sw_err_sys(e, "cannot collect changes");
			}
			continue;
		}
		if (strcmp(s->rev[OLD], s->rev[NEW]) == 0)
			continue;
		d.layout = s->conf->layout;
		if (sw_gitsrc_diff(s->g, s->rev[OLD][0] ? s->rev[OLD] : NULL,
		    s->rev[NEW], diff_fn, &d, e) < 0)
			return e->msg[0] ? -1 : sw_err_sys(e, "cannot collect changes");
	}
	if (strcmp(r->cu.rev[OLD], r->cu.rev[NEW]) != 0) {
		const char *a = r->cu.rev[OLD][0] ? r->cu.rev[OLD] : NULL;
		const char *b = r->cu.rev[NEW][0] ? r->cu.rev[NEW] : NULL;

		d.layout = SW_LAYOUT_REPO_PKGBASE;
		if (b == NULL) {
			b = a;
			a = NULL;
		}
		if (sw_gitsrc_diff(r->cu.g, a, b, diff_fn, &d, e) < 0 ||
		    sw_custom_changed(&r->cu.bl[OLD], &r->cu.bl[NEW], false,
		    &r->affected, e) < 0 ||
		    sw_custom_changed(&r->cu.ov[OLD], &r->cu.ov[NEW], false,
		    &r->affected, e) < 0 ||
		    sw_custom_changed(&r->cu.uo[OLD], &r->cu.uo[NEW], true,
		    &r->forced, e) < 0 ||
		    sw_custom_changed(&r->cu.bm[OLD], &r->cu.bm[NEW], false,
		    &r->recheck, e) < 0)
			return e->msg[0] ? -1 : sw_err_sys(e, "cannot collect changes");
	}
	if (sw_ur_gone_shadowed(r, e) < 0)
		return -1;
	for (i = 0; r->o->retry && i < fails->n; i++)
		if (sw_strvec_push(&r->forced, fails->v[i].pkgbase) < 0)
			return sw_err_sys(e, "cannot collect changes");
	for (i = 0; i < r->forced.n; i++)
		if (sw_strvec_push(&r->affected, r->forced.v[i]) < 0)
			return sw_err_sys(e, "cannot collect changes");
	sw_ur_uniq(&r->affected);
	sw_ur_uniq(&r->forced);
	sw_ur_uniq(&r->recheck);
	return 0;
}

/* ---- views: what a revision holds for a pkgbase ------------------------------------ */

static int
tops_fn(const char *name, enum sw_gitobj type, const char *id, void *arg)
{
	(void)id;
	if (type != SW_GIT_TREE || !sw_name_valid(SW_NAME_REPO, name))
		return 0;
	return sw_strvec_push(arg, name);
}

static int
has_pkgbuild(struct sw_gitsrc *g, const char *commit, const char *dir,
	char *tree, struct sw_err *e)
{
	char p[SW_FILENAME_MAX + 16];
	enum sw_gitobj t;

	if (sw_ur_subpath(p, sizeof(p), dir, "PKGBUILD") < 0)
		return 0;
	if (sw_gitsrc_lookup(g, commit, p, &t, NULL, e) < 0)
		return -1;
	if (t != SW_GIT_BLOB)
		return 0;
	if (sw_gitsrc_lookup(g, commit, dir, &t, tree, e) < 0)
		return -1;
	return t == SW_GIT_TREE;
}

/* Adds a candidate found in source src at dir, routed to our repository. */
static int
add_cand(struct run *r, struct cands *cs, const char *pkgbase, int side,
	size_t src, size_t pp, const char *up, const char *commit,
	const char *dir, const char *tree, struct sw_err *e)
{
	const char *repo = sw_route_pkg(r->routes[side], &r->cu.ov[side], pkgbase,
		up);
	struct cand *c = NULL;
	size_t i;

	if (repo == NULL)
		return 0;
	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].repo, repo) == 0) {
			/* a package of the repository's own name wins */
			if (strcmp(cs->v[i].up, repo) == 0 || strcmp(up, repo) != 0)
				return 0;
			c = &cs->v[i];
		}
	if (c == NULL) {
		if (cs->n == MAX_CANDS)
			return 0;
		c = &cs->v[cs->n++];
	}
	memset(c, 0, sizeof(*c));
	c->src = src;
	c->pp = pp;
	c->blacklisted = sw_custom_has(&r->cu.bl[side], pkgbase);
	snprintf(c->up, sizeof(c->up), "%s", up);
	snprintf(c->repo, sizeof(c->repo), "%s", repo);
	snprintf(c->commit, sizeof(c->commit), "%s", commit);
	snprintf(c->path, sizeof(c->path), "%s", dir);
	snprintf(c->tree, sizeof(c->tree), "%s", tree);
	snprintf(c->mod, sizeof(c->mod), "%s", r->cu.rev[side][0] ?
		r->cu.rev[side] : ZERO_COMMIT);
	(void)e;
	return 0;
}

struct svnctx {
	struct run *r;
	struct cands *cs;
	const char *pkgbase;
	int side;
	size_t src;
	struct sw_err *e;
};

static int
svn_fn(const char *name, enum sw_gitobj type, const char *id, void *arg)
{
	struct svnctx *x = arg;
	struct source *s = &x->r->src[x->src];
	char up[SW_REPO_MAX + 1], dir[SW_FILENAME_MAX + 1], tree[SW_COMMIT_MAX + 1];
	int h;

	(void)id;
	if (type != SW_GIT_TREE ||
	    sw_layout_svntogit_repo(name, x->r->c->arch, up) != 0 ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/repos/%s", x->pkgbase, name) >=
	    sizeof(dir))
		return 0;
	h = has_pkgbuild(s->g, s->rev[x->side], dir, tree, x->e);
	if (h <= 0)
		return h;
	return add_cand(x->r, x->cs, x->pkgbase, x->side, x->src, NO_PP, up,
		s->rev[x->side], dir, tree, x->e);
}

int
sw_ur_view(struct run *r, const char *pkgbase, int side, struct cands *cs,
	struct sw_err *e)
{
	char dir[SW_FILENAME_MAX + 1], tree[SW_COMMIT_MAX + 1];
	size_t i, k;
	int h;

	cs->n = 0;
	if (e != NULL)
		e->msg[0] = '\0';
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];
		const char *commit = s->rev[side];

		switch (s->layout[side]) {
		case SW_LAYOUT_REPO_PKGBASE:
			if (!commit[0])
				break;
			if (!s->tops_done[side]) {
				if (sw_gitsrc_list(s->g, commit, ".", tops_fn, &s->tops[side],
				    e) < 0)
					return e->msg[0] ? -1 : sw_err_sys(e, "cannot list");
				s->tops_done[side] = true;
			}
			for (k = 0; k < s->tops[side].n; k++) {
				snprintf(dir, sizeof(dir), "%s/%s", s->tops[side].v[k], pkgbase);
				if ((h = has_pkgbuild(s->g, commit, dir, tree, e)) < 0)
					return -1;
				if (h && add_cand(r, cs, pkgbase, side, i, NO_PP,
				    s->tops[side].v[k], commit, dir, tree, e) < 0)
					return -1;
			}
			break;
		case SW_LAYOUT_PKGBASE:
			if (!commit[0])
				break;
			if ((h = has_pkgbuild(s->g, commit, pkgbase, tree, e)) < 0)
				return -1;
			if (h && add_cand(r, cs, pkgbase, side, i, NO_PP,
			    s->repository[side], commit, pkgbase, tree, e) < 0)
				return -1;
			break;
		case SW_LAYOUT_SVNTOGIT: {
			struct svnctx x = { r, cs, pkgbase, side, i, e };

			if (!commit[0])
				break;
			snprintf(dir, sizeof(dir), "%s/repos", pkgbase);
			if (sw_gitsrc_list(s->g, commit, dir, svn_fn, &x, e) < 0)
				return -1;
			break;
		}
		case SW_LAYOUT_PER_PACKAGE:
			for (k = 0; k < s->npp; k++) {
				struct pp_repo *p = &s->pp[k];

				if (strcmp(p->pkgbase, pkgbase) != 0 || !p->rev[side][0] ||
				    p->g == NULL)
					continue;
				if ((h = has_pkgbuild(p->g, p->rev[side], ".", tree, e)) < 0)
					return -1;
				if (h && add_cand(r, cs, pkgbase, side, i, k,
				    s->repository[side], p->rev[side], ".", tree, e) < 0)
					return -1;
			}
			break;
		}
	}
	/* the customization directory of each */
	for (i = 0; i < cs->n && r->cu.rev[side][0]; i++) {
		struct cand *c = &cs->v[i];
		enum sw_gitobj t;

		snprintf(dir, sizeof(dir), "%s/%s", c->repo, pkgbase);
		if (sw_gitsrc_lookup(r->cu.g, r->cu.rev[side], dir, &t, tree, e) < 0)
			return -1;
		if (t == SW_GIT_TREE) {
			snprintf(c->custom, sizeof(c->custom), "%s", dir);
			snprintf(c->ctree, sizeof(c->ctree), "%s", tree);
		}
	}
	return 0;
}
