/*
 * updaterun: under build-list.lock, merge, order and write in one
 * transaction (updaterun_stages.h).
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/txn.h"
#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/triggers.h"
#include "source/updaterun_stages.h"

static int
write_revisions(struct run *r, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, b = SW_BUF_INIT;
	size_t i, k;
	int ret = -1;

	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		sw_buf_reset(&b);
		if (s->conf->layout == SW_LAYOUT_PER_PACKAGE) {
			for (k = 0; k < s->npp; k++)
				if (s->pp[k].rev[NEW][0] &&
				    sw_strvec_contains(&s->conf->packages, s->pp[k].pkgbase) &&
				    sw_buf_addf(&b, "%s %s\n", s->pp[k].pkgbase,
				    s->pp[k].rev[NEW]) < 0)
					goto nomem;
		} else if (s->rev[NEW][0] && sw_buf_addf(&b, "%s\n", s->rev[NEW]) < 0)
			goto nomem;
		if (sw_ur_rev_path(r, s->conf->sec.name, &path, e) < 0 ||
		    sw_txn_replace(t, path.data, b.data, b.len, 0644, e) < 0)
			goto out;
	}
	for (i = 0; i < r->gone_src.n; i++)
		if (sw_ur_rev_path(r, r->gone_src.v[i], &path, e) < 0 ||
		    sw_txn_remove(t, path.data, e) < 0)
			goto out;
	if (sw_ur_rev_path(r, SW_CUSTOMIZATIONS, &path, e) < 0)
		goto out;
	if (r->cu.rev[NEW][0]) {
		sw_buf_reset(&b);
		if (sw_buf_addf(&b, "%s\n", r->cu.rev[NEW]) < 0)
			goto nomem;
		if (sw_txn_replace(t, path.data, b.data, b.len, 0644, e) < 0)
			goto out;
	} else if (r->cu.rev[OLD][0] && sw_txn_remove(t, path.data, e) < 0)
		goto out;
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot write revisions");
out:
	sw_buf_release(&path);
	sw_buf_release(&b);
	return ret;
}

static int
write_loops(struct run *r, struct sw_updates *u, struct sw_upd_loops *loops,
	struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT, path = SW_BUF_INIT, text = SW_BUF_INIT;
	struct sw_strvec names = SW_STRVEC_INIT;
	char name[SW_ID_MAX + 1];
	struct dirent *de;
	DIR *d = NULL;
	size_t i;
	int ret = -1;

	if (sw_statedir_path(&r->sd, SW_PATH_LOOPS, &dir, e) < 0)
		goto out;
	for (i = 0; i < loops->n; i++) {
		sw_buf_reset(&text);
		if (sw_updates_loop_text(u, &loops->v[i], name, sizeof(name), &text,
		    e) < 0 ||
		    sw_name_path(&path, dir.data, SW_NAME_ID, name, "", e) < 0 ||
		    sw_txn_replace(t, path.data, text.data, text.len, 0644, e) < 0)
			goto out;
		if (sw_strvec_push(&names, name) < 0) {
			sw_err_sys(e, "cannot write loops");
			goto out;
		}
	}
	d = opendir(dir.data);
	if (d == NULL) {
		sw_err_sys(e, "cannot read '%s'", dir.data);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || sw_strvec_contains(&names, de->d_name) ||
		    !sw_name_valid(SW_NAME_ID, de->d_name))
			continue;
		if (sw_name_path(&path, dir.data, SW_NAME_ID, de->d_name, "", e) < 0 ||
		    sw_txn_remove(t, path.data, e) < 0)
			goto out;
	}
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&dir);
	sw_buf_release(&path);
	sw_buf_release(&text);
	sw_strvec_release(&names);
	return ret;
}

/* rebuild-triggers (triggers.h): what the customizations say now. */
static int
write_triggers(struct run *r, struct sw_txn *t, struct sw_err *e)
{
	struct sw_triggers tr = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < r->cu.tr.n; i++)
		if (sw_triggers_add(&tr, r->cu.tr.v[i].pkgbase, r->cu.tr.v[i].rest,
		    e) < 0)
			goto out;
	if (sw_statedir_path(&r->sd, SW_PATH_REBUILD_TRIGGERS, &p, e) < 0 ||
	    sw_triggers_write(p.data, &tr, t, e) < 0)
		goto out;
	ret = 0;
out:
	sw_triggers_release(&tr);
	sw_buf_release(&p);
	return ret;
}

/* An info from build-meta alone, for an entry whose PKGBUILD cannot be read now. */
static struct sw_pkginfo *
meta_info(struct run *r, const struct sw_buildmeta *m, const struct sw_id *id,
	struct sw_pkginfo *out)
{
	long mi = sw_buildmeta_find(m, id->pkgbase, id->repo);
	size_t k;

	sw_pkginfo_init(out);
	if (mi < 0)
		return NULL;
	snprintf(out->version, sizeof(out->version), "%s", m->v[mi].version);
	for (k = 0; k < m->v[mi].pkgnames.n; k++)
		if (sw_strvec_push(&out->pkgnames, m->v[mi].pkgnames.v[k]) < 0)
			return NULL;
	sw_ur_say(r, "'%s' in '%s': its PKGBUILD could not be read again; ordered "
		"without its dependencies", id->pkgbase, id->repo);
	return out;
}

/*
 * Under build-list.lock: merge, order, write. 0 done, 1 start again (the
 * list holds entries this run has not tried to learn yet).
 */
int
sw_ur_commit(struct run *r, struct sw_err *e)
{
	struct sw_build_list list = { NULL, 0, 0 };
	struct sw_deletion_list del = { NULL, 0, 0 };
	struct sw_buildmeta meta = { NULL, 0, 0 };
	struct sw_failures fails = { NULL, 0, 0 };
	struct sw_publist pub = { NULL, 0, 0 };
	struct sw_upd_loops loops = { NULL, 0 };
	struct sw_pkginfo **info = NULL, *fallback = NULL;
	struct sw_updates u;
	struct sw_txn t;
	struct sw_buf p = SW_BUF_INIT;
	struct sw_strvec whys = SW_STRVEC_INIT;
	bool txn = false;
	size_t i, nfb = 0, nacts = r->nacts, off = 0, ondel = 0;
	int ret = -1;

	sw_updates_init(&u);
	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_read(p.data, &list, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_DELETION_LIST, &p, e) < 0 ||
	    sw_deletionlist_read(p.data, &del, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_read(p.data, &meta, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_PKGBUILD_ERRORS, &p, e) < 0 ||
	    sw_failures_read(p.data, &fails, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_PUBLISHED, &p, e) < 0 ||
	    sw_publist_read(p.data, &pub, e) < 0)
		goto out;
	for (i = 0; i < list.n; i++) {
		char s[SW_ID_MAX + 1];

		sw_ur_id_key(&list.v[i], s, sizeof(s));
		if (!sw_ur_known_get(r, &list.v[i]) && !sw_ur_queued_info(r, &list.v[i]) &&
		    !sw_ur_tried(r, s)) {
			ret = 1;
			goto out;
		}
	}
	if (sw_ur_gone_actions(r, &list, &meta, &pub, &whys, e) < 0)
		goto out;
	for (i = nacts; i < r->nacts; i++)
		off += sw_buildlist_find(&list, r->acts[i].meta.pkgbase,
			r->acts[i].meta.repo) >= 0;
	if (sw_statedir_txn_begin(&r->sd, SW_LOCK_BUILD_LIST, &t, e) < 0)
		goto out;
	txn = true;
	u.state_dir = r->sd.dir;
	u.list = &list;
	u.del = &del;
	u.meta = &meta;
	u.failures = &fails;
	u.build_manually = &r->cu.bm[NEW];
	u.recheck = &r->recheck;
	u.published = &pub;
	u.now = (int64_t)time(NULL);
	u.txn = &t;
	if (sw_updates_merge(&u, r->acts, r->nacts, e) < 0)
		goto out;
	for (i = nacts; i < r->nacts; i++)
		ondel += sw_deletionlist_find(&del, r->acts[i].meta.pkgbase,
			r->acts[i].meta.repo) >= 0;
	info = calloc(list.n + 1, sizeof(*info));
	fallback = calloc(list.n + 1, sizeof(*fallback));
	if (info == NULL || fallback == NULL) {
		sw_err_sys(e, "cannot order the build list");
		goto out;
	}
	for (i = 0; i < list.n; i++) {
		info[i] = sw_ur_queued_info(r, &list.v[i]);
		if (info[i] == NULL)
			info[i] = sw_ur_known_get(r, &list.v[i]);
		if (info[i] == NULL)
			info[i] = meta_info(r, &meta, &list.v[i], &fallback[nfb++]);
	}
	if (sw_updates_order(&u, info, &loops, e) < 0)
		goto out;
	for (i = 0; i < u.warnings.n; i++)
		sw_ur_say(r, "%s", u.warnings.v[i]);
	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_write(p.data, &list, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_DELETION_LIST, &p, e) < 0 ||
	    sw_deletionlist_write(p.data, &del, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_write(p.data, &meta, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_PKGBUILD_ERRORS, &p, e) < 0 ||
	    sw_failures_write(p.data, &fails, &t, e) < 0 ||
	    write_loops(r, &u, &loops, &t, e) < 0 ||
	    write_revisions(r, &t, e) < 0 ||
	    sw_ur_write_configs(r, &t, e) < 0 ||
	    write_triggers(r, &t, e) < 0 ||
	    sw_ur_write_schedules(r, &list, u.now, &t, e) < 0 ||
	    sw_txn_commit(&t, e) < 0)
		goto out;
	if (whys.n > 0) {
		struct sw_buf b = SW_BUF_INIT;

		sw_ur_uniq(&whys);
		for (i = 0; i < whys.n; i++)
			if (sw_buf_addf(&b, "%s%s", i ? ", " : "", whys.v[i]) < 0)
				break;
		sw_ur_say(r, "no longer in the configuration: %s: %zu entr%s off "
			"the build list, %zu on the deletion list", b.data, off,
			off == 1 ? "y" : "ies", ondel);
		sw_buf_release(&b);
	}
	r->rep->queued = u.queued;
	r->rep->updated = u.updated;
	r->rep->removed = u.removed;
	r->rep->deleted = u.deleted;
	r->rep->failed = u.failed;
	r->rep->blocked = u.blocked;
	r->rep->unblocked = u.unblocked;
	r->rep->bumped = u.bumped;
	r->rep->loops = loops.n;
	r->rep->listed = list.n;
	ret = 0;
out:
	if (txn)
		sw_txn_abort(&t);
	/* the actions for removed sections are this attempt's alone */
	while (r->nacts > nacts) {
		r->nacts--;
		sw_upd_action_release(&r->acts[r->nacts]);
		sw_pkginfo_release(&r->act_info[r->nacts]);
	}
	sw_strvec_release(&whys);
	for (i = 0; i < nfb; i++)
		sw_pkginfo_release(&fallback[i]);
	free(fallback);
	free(info);
	sw_upd_loops_release(&loops);
	sw_updates_release(&u);
	sw_buildlist_release(&list);
	sw_deletionlist_release(&del);
	sw_buildmeta_release(&meta);
	sw_failures_release(&fails);
	sw_publist_release(&pub);
	sw_buf_release(&p);
	return ret;
}
