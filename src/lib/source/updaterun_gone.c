/*
 * updaterun: sections taken out of master.conf (updaterun_stages.h). A
 * [source] whose revisions/ file is still there was removed since the
 * last run; a build-list entry of a repository without a [repository]
 * section, or of a source that is not configured, has nothing to be built
 * for. Both leave the build list at the next run, in its transaction, and
 * what was published of a removed source goes onto the deletion list.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/bump.h"
#include "source/updaterun_stages.h"

static bool
configured_source(const struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nsrc; i++)
		if (strcmp(r->src[i].conf->sec.name, name) == 0)
			return true;
	return false;
}

int
sw_ur_find_gone(struct run *r, bool *any, struct sw_err *e)
{
	struct sw_build_list l = { NULL, 0, 0 };
	struct sw_buf dir = SW_BUF_INIT, p = SW_BUF_INIT;
	struct dirent *de;
	DIR *d = NULL;
	size_t i;
	int ret = -1;

	*any = false;
	sw_strvec_release(&r->gone_src);
	if (sw_statedir_path(&r->sd, SW_PATH_REVISIONS, &dir, e) < 0)
		goto out;
	d = opendir(dir.data);
	if (d == NULL) {
		sw_err_sys(e, "cannot read '%s'", dir.data);
		goto out;
	}
	while ((de = readdir(d)) != NULL)
		if (sw_name_valid(SW_NAME_SOURCE, de->d_name) &&
		    !configured_source(r, de->d_name) &&
		    sw_strvec_push(&r->gone_src, de->d_name) < 0) {
			sw_err_sys(e, "cannot read '%s'", dir.data);
			goto out;
		}
	sw_ur_uniq(&r->gone_src);
	if (r->gone_src.n > 0) {
		*any = true;
		ret = 0;
		goto out;
	}
	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_read(p.data, &l, e) < 0)
		goto out;
	for (i = 0; i < l.n && !*any; i++)
		*any = sw_master_conf_repo(r->c, l.v[i].repo) == NULL;
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buildlist_release(&l);
	sw_buf_release(&dir);
	sw_buf_release(&p);
	return ret;
}

int
sw_ur_gone_shadowed(struct run *r, struct sw_err *e)
{
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_publist pub = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	const struct sw_buildmeta_entry *x;
	size_t i;
	int ret = -1;

	sw_strvec_release(&r->shadowed);
	if (r->gone_src.n == 0)
		return 0;
	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_read(p.data, &m, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_PUBLISHED, &p, e) < 0 ||
	    sw_publist_read(p.data, &pub, e) < 0)
		goto out;
	for (i = 0; i < m.n + pub.n; i++) {
		x = i < m.n ? &m.v[i] : &pub.v[i - m.n].meta;
		if (!sw_ur_sorted_has(&r->gone_src, x->source))
			continue;
		if (sw_strvec_pushf(&r->shadowed, "%s %s", x->pkgbase, x->repo) < 0 ||
		    sw_strvec_push(&r->affected, x->pkgbase) < 0) {
			sw_err_sys(e, "cannot look at the removed sources");
			goto out;
		}
	}
	sw_ur_uniq(&r->shadowed);
	ret = 0;
out:
	sw_buildmeta_release(&m);
	sw_publist_release(&pub);
	sw_buf_release(&p);
	return ret;
}

static bool
has_action(const struct run *r, const char *pkgbase, const char *repo)
{
	size_t i;

	for (i = 0; i < r->nacts; i++)
		if (strcmp(r->acts[i].meta.pkgbase, pkgbase) == 0 &&
		    strcmp(r->acts[i].meta.repo, repo) == 0)
			return true;
	return false;
}

/* One action for (pkgbase, repo), unless the run has one; why: the section. */
static int
add(struct run *r, enum sw_upd_kind kind, const char *pkgbase,
	const char *repo, const char *why, struct sw_strvec *whys,
	struct sw_err *e)
{
	if (has_action(r, pkgbase, repo))
		return 0;
	if (sw_ur_new_action(r, kind, pkgbase, repo) == NULL ||
	    (!sw_strvec_contains(whys, why) && sw_strvec_push(whys, why) < 0))
		return sw_err_sys(e, "cannot take removed sections off the list");
	return 0;
}

int
sw_ur_gone_actions(struct run *r, const struct sw_build_list *l,
	const struct sw_buildmeta *m, const struct sw_publist *pub,
	struct sw_strvec *whys, struct sw_err *e)
{
	char why[SW_REPO_MAX + SW_FILENAME_MAX + 32];
	size_t i;
	long mi;

	for (i = 0; i < r->gone_src.n; i++)
		if (sw_strvec_pushf(whys, "[source %s]", r->gone_src.v[i]) < 0)
			return sw_err_sys(e, "cannot take removed sections off the list");
	for (i = 0; i < l->n; i++) {
		const struct sw_id *id = &l->v[i];
		const char *src;

		if (sw_master_conf_repo(r->c, id->repo) == NULL) {
			snprintf(why, sizeof(why), "[repository %s]", id->repo);
			if (add(r, SW_UPD_DROP, id->pkgbase, id->repo, why, whys, e) < 0)
				return -1;
			continue;
		}
		mi = sw_buildmeta_find(m, id->pkgbase, id->repo);
		src = mi >= 0 ? m->v[mi].source : NULL;
		if (src == NULL || configured_source(r, src))
			continue;
		snprintf(why, sizeof(why), "[source %s]", src);
		if (add(r, sw_publist_find(pub, id->pkgbase, id->repo) >= 0 ?
		    SW_UPD_REMOVE : SW_UPD_DROP, id->pkgbase, id->repo, why, whys,
		    e) < 0)
			return -1;
	}
	/* what a source removed since the last run published */
	for (i = 0; i < pub->n; i++) {
		const struct sw_buildmeta_entry *pm = &pub->v[i].meta;

		if (!sw_ur_sorted_has(&r->gone_src, pm->source) ||
		    sw_master_conf_repo(r->c, pub->v[i].id.repo) == NULL ||
		    sw_buildlist_find(l, pub->v[i].id.pkgbase, pub->v[i].id.repo) >= 0)
			continue;   /* db-update cannot; on the list: from a source */
		snprintf(why, sizeof(why), "[source %s]", pm->source);
		if (add(r, SW_UPD_REMOVE, pub->v[i].id.pkgbase, pub->v[i].id.repo,
		    why, whys, e) < 0)
			return -1;
	}
	return 0;
}
