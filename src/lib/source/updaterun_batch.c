/*
 * updaterun: reading package directories, from the cache, a .SRCINFO or
 * a sandbox batch (updaterun_stages.h).
 */

#include <stdio.h>
#include <stdlib.h>

#include "source/updaterun_stages.h"

static int
lookup_in(struct sw_gitsrc *g, const char *commit, const char *dir,
	const char *name, enum sw_gitobj *t, struct sw_err *e)
{
	char p[SW_FILENAME_MAX + 16];

	*t = SW_GIT_NONE;
	if (sw_ur_subpath(p, sizeof(p), dir, name) < 0)
		return 0;
	return sw_gitsrc_lookup(g, commit, p, t, NULL, e);
}

/*
 * A .SRCINFO in git: the customization's, or upstream's unless the
 * customization appends to the PKGBUILD. 0 used, 1 not applicable.
 */
static int
from_srcinfo_file(struct run *r, struct job *j, struct sw_err *e)
{
	struct sw_gitsrc *g = sw_ur_repo_of(r, j->src, j->pp), *from = g;
	struct sw_buf data = SW_BUF_INIT;
	enum sw_gitobj up_si, c_si = SW_GIT_NONE, c_pb = SW_GIT_NONE;
	const char *commit = j->commit, *dir = j->path;
	char p[SW_FILENAME_MAX + 16];
	int ret = -1;

	if (lookup_in(g, j->commit, j->path, ".SRCINFO", &up_si, e) < 0)
		return -1;
	if (j->custom[0] &&
	    (lookup_in(r->cu.g, j->mod, j->custom, ".SRCINFO", &c_si, e) < 0 ||
	    lookup_in(r->cu.g, j->mod, j->custom, "PKGBUILD", &c_pb, e) < 0))
		return -1;
	if (c_si == SW_GIT_BLOB) {
		from = r->cu.g;
		commit = j->mod;
		dir = j->custom;
	} else if (up_si != SW_GIT_BLOB || c_pb != SW_GIT_NONE)
		return 1;
	sw_ur_subpath(p, sizeof(p), dir, ".SRCINFO");
	if (sw_gitsrc_read(from, commit, p, SW_SRCINFO_MAX_SIZE, &data, e) != 0)
		goto out;
	if (sw_srcinfo_parse(&j->si, data.data, data.len, ".SRCINFO", e) < 0) {
		snprintf(j->error, sizeof(j->error), "%s", e->msg);
		j->state = -1;
	} else
		j->state = 1;
	ret = 0;
out:
	sw_buf_release(&data);
	return ret;
}

/* Reads the materialized jobs of one trust domain in the sandbox. */
static int
sandbox(struct run *r, struct job *jobs, const size_t *which, size_t m,
	struct sw_introspect_item *items, struct sw_err *e)
{
	char key[SW_CACHE_KEY_MAX + 1];
	struct sw_err ce;
	size_t k;

	for (k = 0; k < m; k++)
		items[k].dir = jobs[which[k]].dir;
	if (sw_introspect_run(&r->o->introspect, items, m, e) < 0)
		return -1;
	for (k = 0; k < m; k++) {
		struct job *j = &jobs[which[k]];

		r->rep->read++;
		if (!items[k].ok) {
			snprintf(j->error, sizeof(j->error), "%s", items[k].error);
			j->state = -1;
			continue;
		}
		sw_srcinfo_release(&j->si);
		j->si = items[k].srcinfo;
		sw_srcinfo_init(&items[k].srcinfo);
		j->state = 1;
		if (sw_introspect_cache_key(key, j->tree,
		    j->ctree[0] ? j->ctree : NULL, r->c->arch, e) < 0)
			return -1;
		if (sw_introspect_cache_put(r->cache, key, &j->si, &ce) < 0)
			sw_ur_say(r, "cannot cache: %s", ce.msg);
	}
	return 0;
}

#define CHUNK 1000

/*
 * Reads every job: the cache, a .SRCINFO, else the sandbox: CHUNK
 * directories at a time are written to the work directory and read, a
 * batch per trust domain (a source, or a package of a per-package source).
 */
int
sw_ur_read_jobs(struct run *r, struct job *jobs, size_t n, struct sw_err *e)
{
	struct sw_introspect_item *items = NULL;
	size_t *which = NULL, i, k, m, start, end;
	char key[SW_CACHE_KEY_MAX + 1];
	struct sw_err ce;
	int ret = -1;

	if (n == 0)
		return 0;
	items = calloc(n + 1, sizeof(*items));
	which = calloc(n + 1, sizeof(*which));
	if (items == NULL || which == NULL ||
	    (r->cache == NULL &&
	    sw_introspect_cache_open(&r->cache, r->sd.dir, e) < 0)) {
		if (e->msg[0] == '\0')
			sw_err_sys(e, "cannot read packages");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		int rr;

		j->state = 0;
		if (sw_introspect_cache_key(key, j->tree, j->ctree[0] ? j->ctree : NULL,
		    r->c->arch, e) < 0)
			goto out;
		rr = sw_introspect_cache_get(r->cache, key, &j->si, e);
		if (rr < 0)
			goto out;
		if (rr == 0) {
			j->state = 1;
			r->rep->cached++;
			continue;
		}
		rr = from_srcinfo_file(r, j, &ce);
		if (rr < 0) {
			snprintf(j->error, sizeof(j->error), "%s", ce.msg);
			j->state = -1;
		} else if (rr == 0 && j->state == 1 &&
		    sw_introspect_cache_put(r->cache, key, &j->si, &ce) < 0)
			sw_ur_say(r, "cannot cache: %s", ce.msg);
	}
	for (start = 0; start < n; start = end) {
		for (end = start, m = 0; end < n && m < CHUNK; end++) {
			if (jobs[end].state != 0)
				continue;
			if (sw_ur_materialize(r, &jobs[end], &ce) < 0) {
				snprintf(jobs[end].error, sizeof(jobs[end].error), "%s", ce.msg);
				jobs[end].state = -1;
				continue;
			}
			m++;
		}
		for (i = start; i < end; i++) {
			if (jobs[i].state != 0)
				continue;
			for (m = 0, k = i; k < end; k++)
				if (jobs[k].state == 0 && jobs[k].src == jobs[i].src &&
				    jobs[k].pp == jobs[i].pp)
					which[m++] = k;
			if (sandbox(r, jobs, which, m, items, e) < 0)
				goto out;
		}
		sw_ur_remove_workdir(r);
	}
	ret = 0;
out:
	for (i = 0; items != NULL && i < n; i++)
		sw_introspect_item_release(&items[i]);
	free(items);
	free(which);
	return ret;
}

void
sw_ur_jobs_release(struct job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sw_srcinfo_release(&jobs[i].si);
	free(jobs);
}
