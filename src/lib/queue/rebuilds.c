#include "queue/rebuilds.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/lines.h"

#define REBUILDS_MAX_SIZE (64 * 1024 * 1024)
#define REBUILDS_LINE_MAX (SW_ID_MAX + SW_REBUILD_REASON_MAX + 8)

void
sw_rebuilds_release(struct sw_rebuilds *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static long
find_key(const struct sw_rebuilds *r, const char *pkgbase, const char *repo)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].id.pkgbase, pkgbase) == 0 &&
		    strcmp(r->v[i].id.repo, repo) == 0)
			return (long)i;
	return -1;
}

int
sw_rebuilds_set(struct sw_rebuilds *r, const struct sw_id *id,
	const char *reason, struct sw_err *e)
{
	long i;

	if (sw_name_check_text("rebuild reason", reason,
	    SW_REBUILD_REASON_MAX, e) < 0)
		return -1;
	i = find_key(r, id->pkgbase, id->repo);
	if (i < 0) {
		if (r->n == r->alloc) {
			size_t a = r->alloc ? r->alloc * 2 : 16;
			struct sw_rebuild *v = reallocarray(r->v, a, sizeof(*v));

			if (v == NULL)
				return sw_err_sys(e, "cannot keep the rebuilds");
			r->v = v;
			r->alloc = a;
		}
		i = (long)r->n++;
	}
	r->v[i].id = *id;
	snprintf(r->v[i].reason, sizeof(r->v[i].reason), "%s", reason);
	return 0;
}

static int
record(char **f, void *arg, struct sw_err *e)
{
	struct sw_rebuilds *r = arg;
	struct sw_id id;

	if (sw_id_from_fields(&id, f[0], f[1], f[2], f[3], e) < 0)
		return -1;
	if (find_key(r, id.pkgbase, id.repo) >= 0)
		return sw_err_set(e, "'%s' in '%s' is listed twice", id.pkgbase,
			id.repo);
	return sw_rebuilds_set(r, &id, f[4], e);
}

int
sw_rebuilds_read(const char *path, struct sw_rebuilds *r, struct sw_err *e)
{
	memset(r, 0, sizeof(*r));
	if (sw_lines_read_file(path, REBUILDS_MAX_SIZE, 5, true,
	    REBUILDS_LINE_MAX, record, r, e) < 0) {
		sw_rebuilds_release(r);
		return -1;
	}
	return 0;
}

static bool
same_id(const struct sw_id *a, const struct sw_id *b)
{
	return strcmp(a->pkgbase, b->pkgbase) == 0 &&
		strcmp(a->src, b->src) == 0 && strcmp(a->mod, b->mod) == 0 &&
		strcmp(a->repo, b->repo) == 0;
}

static bool
on_list(const struct sw_build_list *l, const struct sw_id *id)
{
	long i = sw_buildlist_find(l, id->pkgbase, id->repo);

	return i >= 0 && same_id(&l->v[i], id);
}

struct live {
	const struct sw_rebuilds *r;
	size_t *keep;
};

static int
format_one(struct sw_buf *out, const void *list, size_t i)
{
	const struct live *lv = list;
	const struct sw_rebuild *x = &lv->r->v[lv->keep[i]];

	return sw_buf_addf(out, "%s %s %s %s %s\n", x->id.pkgbase, x->id.src,
		x->id.mod, x->id.repo, x->reason);
}

int
sw_rebuilds_write(const char *path, const struct sw_rebuilds *r,
	const struct sw_build_list *l, struct sw_txn *t, struct sw_err *e)
{
	struct live lv = { r, NULL };
	size_t i, n = 0;
	int ret;

	lv.keep = calloc(r->n + 1, sizeof(*lv.keep));
	if (lv.keep == NULL)
		return sw_err_sys(e, "cannot write the rebuilds");
	for (i = 0; i < r->n; i++)
		if (on_list(l, &r->v[i].id))
			lv.keep[n++] = i;
	ret = sw_lines_write_file(path, &lv, n, format_one, t, e);
	free(lv.keep);
	return ret;
}

const char *
sw_rebuilds_reason(const struct sw_rebuilds *r, const struct sw_id *id)
{
	long i = find_key(r, id->pkgbase, id->repo);

	return i >= 0 && same_id(&r->v[i].id, id) ? r->v[i].reason : NULL;
}

/* Is pkgbase on l, in any repository (as build-meta deps name it)? */
static bool
base_on_list(const struct sw_build_list *l, const char *pkgbase)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].pkgbase, pkgbase) == 0)
			return true;
	return false;
}

/*
 * The deps of the queued entry ent: its published ones and the requests
 * it waits for, those on l.
 */
static int
set_deps(struct sw_buildmeta_entry *ent, const struct sw_rebuild_req *req,
	const struct sw_rebuild_req *all, const struct sw_build_list *l,
	struct sw_err *e)
{
	struct sw_strvec d = SW_STRVEC_INIT;
	size_t k;

	for (k = 0; k < ent->deps.n; k++)
		if (base_on_list(l, ent->deps.v[k]) &&
		    sw_strvec_push(&d, ent->deps.v[k]) < 0)
			goto nomem;
	for (k = 0; k < req->ndeps; k++) {
		const char *b = all[req->deps[k]].pkgbase;

		if (base_on_list(l, b) && !sw_strvec_contains(&d, b) &&
		    sw_strvec_push(&d, b) < 0)
			goto nomem;
	}
	sw_strvec_release(&ent->deps);
	ent->deps = d;
	return 0;
nomem:
	sw_strvec_release(&d);
	return sw_err_sys(e, "cannot queue a rebuild of '%s'", ent->pkgbase);
}

int
sw_rebuilds_queue(const char *repo, const struct sw_rebuild_req *req,
	size_t n, const struct sw_publist *pub,
	const struct sw_deletion_list *del, struct sw_build_list *l,
	struct sw_buildmeta *m, struct sw_rebuilds *r, struct sw_strvec *notes,
	struct sw_err *e)
{
	char idstr[SW_ID_MAX + 1], ver[SW_VERSION_MAX + 1];
	struct sw_err why;
	struct sw_id id;
	size_t k;
	int q;

	for (k = 0; k < n; k++) {
		const char *b = req[k].pkgbase;

		if (sw_deletionlist_find(del, b, repo) >= 0) {
			if (sw_strvec_pushf(notes, "'%s' in '%s' is not rebuilt (%s): "
			    "it is on the deletion list", b, repo, req[k].reason) < 0)
				goto nomem;
			continue;
		}
		q = sw_bump_queue(pub, b, repo, l, m, &id, ver, sizeof(ver), &why);
		if (q < 0) {
			*e = why;
			return -1;
		}
		if (q > 0) {
			if (sw_strvec_pushf(notes, "'%s' in '%s' is not queued again "
			    "(%s): %s", b, repo, req[k].reason, why.msg) < 0)
				goto nomem;
			continue;
		}
		sw_id_format(&id, idstr, sizeof(idstr));
		if (set_deps(&m->v[m->n - 1], &req[k], req, l, e) < 0 ||
		    sw_rebuilds_set(r, &id, req[k].reason, e) < 0)
			return -1;
		if (sw_strvec_pushf(notes, "queued '%s', built as %s: %s", idstr,
		    ver, req[k].reason) < 0)
			goto nomem;
	}
	return 0;
nomem:
	return sw_err_sys(e, "cannot queue the rebuilds");
}
