/*
 * updaterun: what the PKGBUILDs of untouched build-list entries say
 * (updaterun_stages.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "source/updaterun_stages.h"

static int
cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct known *)a)->id, ((const struct known *)b)->id);
}

void
sw_ur_id_key(const struct sw_id *id, char *out, size_t size)
{
	struct sw_id base = *id;

	/* never fails: bump 0 always fits */
	(void)sw_id_set_bump(&base, 0, NULL);
	sw_id_format(&base, out, size);
}

struct sw_pkginfo *
sw_ur_known_get(struct run *r, const struct sw_id *id)
{
	struct known k, *f;

	sw_ur_id_key(id, k.id, sizeof(k.id));
	f = r->nknown ? bsearch(&k, r->known, r->nknown, sizeof(k), cmp_known) : NULL;
	return f ? &f->info : NULL;
}

static long
source_index(const struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nsrc; i++)
		if (strcmp(r->src[i].conf->sec.name, name) == 0)
			return (long)i;
	return -1;
}

bool
sw_ur_tried(const struct run *r, const char *id)
{
	return sw_ur_sorted_has(&r->tried, id);
}

/* Sets up j to read the entry id (with its build-meta m); 0 ok, 1 impossible. */
static int
job_for_entry(struct run *r, struct job *j, const struct sw_id *id,
	const struct sw_buildmeta_entry *m)
{
	long si = source_index(r, m->source);
	struct sw_err je;
	enum sw_gitobj t;
	struct pp_repo *pp;

	memset(j, 0, sizeof(*j));
	sw_srcinfo_init(&j->si);
	if (si < 0)
		return 1;
	sw_ur_id_key(id, j->id, sizeof(j->id));
	snprintf(j->pkgbase, sizeof(j->pkgbase), "%s", id->pkgbase);
	j->src = (size_t)si;
	j->pp = NO_PP;
	if (r->src[si].conf->layout == SW_LAYOUT_PER_PACKAGE) {
		pp = sw_ur_pp_find(&r->src[si], id->pkgbase);
		if (pp == NULL)
			return 1;
		j->pp = (size_t)(pp - r->src[si].pp);
	}
	snprintf(j->commit, sizeof(j->commit), "%s", id->src);
	snprintf(j->path, sizeof(j->path), "%s", m->path);
	sw_id_mod_commit(id, j->mod, sizeof(j->mod));
	snprintf(j->custom, sizeof(j->custom), "%s", m->custom);
	if (sw_ur_repo_of(r, j->src, j->pp) == NULL ||
	    sw_gitsrc_lookup(sw_ur_repo_of(r, j->src, j->pp), j->commit, j->path, &t,
	    j->tree, &je) < 0 || t != SW_GIT_TREE)
		return 1;
	if (j->custom[0] && (r->cu.g == NULL ||
	    sw_gitsrc_lookup(r->cu.g, j->mod, j->custom, &t, j->ctree, &je) < 0 ||
	    t != SW_GIT_TREE))
		return 1;
	return 0;
}

/*
 * Learns what the PKGBUILD of every build-list entry says that this run
 * does not queue (read without the lock; normally all from the cache).
 */
int
sw_ur_learn_list(struct run *r, struct sw_err *e)
{
	struct sw_build_list l = { NULL, 0, 0 };
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	struct job *jobs = NULL;
	struct sw_err je;
	size_t nj = 0, i;
	int ret = -1;

	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_read(p.data, &l, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_read(p.data, &m, e) < 0)
		goto out;
	jobs = calloc(l.n + 1, sizeof(*jobs));
	if (jobs == NULL)
		goto nomem;
	for (i = 0; i < l.n; i++) {
		const struct sw_id *id = &l.v[i];
		long mi;
		char s[SW_ID_MAX + 1];

		sw_ur_id_key(id, s, sizeof(s));
		if (sw_ur_known_get(r, id) || sw_ur_queued_info(r, id) || sw_ur_tried(r, s))
			continue;
		if (sw_strvec_push(&r->tried, s) < 0)
			goto nomem;
		mi = sw_buildmeta_find(&m, id->pkgbase, id->repo);
		if (mi >= 0 && job_for_entry(r, &jobs[nj], id, &m.v[mi]) == 0)
			nj++;
	}
	sw_ur_uniq(&r->tried);
	if (sw_ur_read_jobs(r, jobs, nj, e) < 0)
		goto out;
	for (i = 0; i < nj; i++) {
		struct known *kn;

		if (r->nknown == r->aknown) {
			size_t na = r->aknown ? r->aknown * 2 : 256;
			struct known *np = reallocarray(r->known, na, sizeof(*np));

			if (np == NULL)
				goto nomem;
			r->known = np;
			r->aknown = na;
		}
		kn = &r->known[r->nknown];
		sw_pkginfo_init(&kn->info);
		if (jobs[i].state != 1 ||
		    sw_srcinfo_info(&jobs[i].si, r->c->arch, &kn->info, &je) < 0)
			continue;
		memcpy(kn->id, jobs[i].id, sizeof(kn->id));
		r->nknown++;
	}
	if (r->nknown > 1)
		qsort(r->known, r->nknown, sizeof(*r->known), cmp_known);
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot read the build list");
out:
	if (jobs != NULL)
		sw_ur_jobs_release(jobs, nj);
	sw_buildlist_release(&l);
	sw_buildmeta_release(&m);
	sw_buf_release(&p);
	return ret;
}
