/* promote: applying the plan in one transaction (promote.h). */
#include "repo/promote_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "queue/pkgstate.h"
#include "queue/sonames.h"
#include "repo/pool.h"
#include "repo/sign.h"

/* Files to unlink at the "unlink" step: (repository, file). */
struct unlinks {
	struct sw_strvec repo, file;
};

static int
unlink_later(struct unlinks *ul, const char *repo, const char *file)
{
	return sw_strvec_push(&ul->repo, repo) < 0 ||
		sw_strvec_push(&ul->file, file) < 0 ? -1 : 0;
}

static bool
unit_has_file(const struct pm_unit *u, const char *file)
{
	size_t i;

	for (i = 0; u != NULL && i < u->np; i++)
		if (strcmp(u->p[i].file, file) == 0)
			return true;
	return false;
}

/*
 * u's entries go from its stage's database to the next; the entries they
 * replace there (and its split packages it no longer builds) go. off: the
 * main repositories (0) or the debug ones (PM_DBG): a debug package moves
 * between those, and an older debug package of the pkgbase goes from the
 * destination's debug repository even if the new build made none.
 */
static int
move_entries(struct pm_ctx *x, struct pm_unit *u, int off, struct unlinks *ul,
	struct sw_err *e)
{
	struct pm_line *l = &x->lines[u->line];
	int from = u->stage + off, to = PM_DEST(u) + off;
	struct sw_repodb *src = &l->db[from], *dst = &l->db[to];
	struct sw_strvec old = SW_STRVEC_INIT;
	size_t i, j;
	int ret = -1;

	/* the entries of u's pkgbase there, and those of its pkgnames */
	if (pm_base_names(l, to, u->id.pkgbase, &old) < 0)
		goto fail;
	for (j = 0; j < u->np; j++)
		if (u->p[j].off == off && !sw_strvec_contains(&old, u->p[j].pkgname) &&
		    sw_strvec_push(&old, u->p[j].pkgname) < 0)
			goto fail;
	for (i = 0; i < old.n; i++) {
		const struct sw_repodb_entry *en = sw_repodb_find(dst, old.v[i]);

		if (en == NULL || unit_has_file(u, en->filename))
			continue;
		if (unlink_later(ul, l->name[to], en->filename) < 0)
			goto fail;
		for (j = 0; j < u->np && (u->p[j].off != off ||
		    strcmp(u->p[j].pkgname, en->name) != 0); j++)
			;
		/* a split package it no longer builds goes; the others are
		 * replaced below */
		if (j == u->np && sw_repodb_remove(dst, old.v[i], e) < 0)
			goto out;
		l->changed[to] = true;
	}
	for (i = 0; i < u->np; i++) {
		if (u->p[i].off != off)
			continue;
		if (sw_repodb_copy_entry(dst, src, u->p[i].pkgname, e) < 0 ||
		    sw_repodb_remove(src, u->p[i].pkgname, e) < 0 ||
		    unlink_later(ul, l->name[from], u->p[i].file) < 0)
			goto out;
		l->changed[from] = l->changed[to] = true;
	}
	ret = 0;
	goto out;
fail:
	sw_err_sys(e, "cannot move '%s'", u->id.pkgbase);
out:
	sw_strvec_release(&old);
	return ret;
}

/*
 * The states of u go, but keep (a state written anew in this transaction:
 * a path is in one change of a transaction only, or recovery would remove
 * it again after the rename).
 */
static int
remove_states(const struct pm_ctx *x, const struct pm_unit *u, int keep,
	struct sw_txn *t, struct sw_err *e)
{
	static const enum sw_state gone[] = { SW_STATE_DONE, SW_STATE_TESTING,
		SW_STATE_TESTED, SW_STATE_FAULTY };
	size_t i;

	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if ((int)gone[i] != keep &&
		    sw_pkgstate_remove(x->c->state_dir, &u->id, gone[i], t, e) < 0)
			return -1;
	return 0;
}

/* An older revision in testing that u replaces: it leaves testing. */
static const struct pm_unit *
superseded(const struct pm_ctx *x, const struct pm_unit *u, size_t *from)
{
	for (; *from < x->nu; (*from)++) {
		const struct pm_unit *w = &x->u[*from];

		if (w != u && w->stage == PM_TESTING && !w->moves &&
		    u->stage == PM_STAGING && w->line == u->line &&
		    strcmp(w->id.pkgbase, u->id.pkgbase) == 0) {
			(*from)++;
			return w;
		}
	}
	return NULL;
}

static int
stage_links(struct pm_ctx *x, struct sw_txn *t, struct sw_err *e)
{
	size_t k, i;

	for (k = 0; k < x->nu; k++) {
		const struct pm_unit *u = &x->u[k];

		for (i = 0; u->moves && i < u->np; i++)
			if (sw_pool_link(t, x->c->repo_dir,
			    x->lines[u->line].name[PM_TO(u, &u->p[i])], x->c->arch,
			    u->p[i].file, e) < 0)
				return -1;
	}
	return 0;
}

/* The directory of a database of a repository that had none (promote.c). */
static int
made_dir(struct sw_repodb *db, struct sw_err *e)
{
	char *real;

	if (sw_mkdir_p(db->dir, 0755, e) < 0)
		return -1;
	real = realpath(db->dir, NULL);
	if (real == NULL)
		return sw_err_sys(e, "cannot resolve '%s'", db->dir);
	free(db->dir);
	db->dir = real;
	return 0;
}

/* Every database change in memory, then each changed database staged once. */
static int
stage_databases(struct pm_ctx *x, struct sw_txn *t, struct unlinks *ul,
	struct sw_err *e)
{
	struct sw_sign s;
	bool sign = x->c->repo_key != NULL, open = false;
	size_t k, i;
	int st, ret = -1;

	/* testing -> stable first: a unit leaving testing takes its own
	 * entries, before one coming from staging replaces them there */
	for (st = PM_TESTING; st >= PM_STAGING; st--)
		for (k = 0; k < x->nu; k++) {
			struct pm_unit *u = &x->u[k];

			if (!u->moves || u->stage != st)
				continue;
			/* an older revision in testing is replaced here too */
			if (move_entries(x, u, 0, ul, e) < 0 ||
			    (x->lines[u->line].nrepos > PM_STAGES &&
			    move_entries(x, u, PM_DBG, ul, e) < 0))
				goto out;
		}
	for (k = 0; k < x->ndel; k++) {
		const struct pm_del *d = &x->del[k];
		struct pm_line *l = &x->lines[d->line];

		if (d->held || d->dropped)
			continue;
		for (st = 0; st < l->nrepos; st++)
			for (i = 0; i < d->names[st].n; i++) {
				if (sw_repodb_remove(&l->db[st], d->names[st].v[i], e) < 0)
					goto out;
				if (unlink_later(ul, l->name[st], d->files[st].v[i]) < 0)
					goto fail;
				l->changed[st] = true;
			}
	}
	if (sign) {
		if (sw_sign_init(&s, x->c->gnupg_home, e) < 0)
			goto out;
		open = true;
	}
	for (k = 0; k < x->nlines; k++)
		for (st = 0; st < x->lines[k].nrepos; st++)
			if (x->lines[k].changed[st] && (made_dir(&x->lines[k].db[st], e) < 0 ||
			    sw_repodb_stage(&x->lines[k].db[st], t, open ? &s : NULL,
			    x->c->repo_key, e) < 0))
				goto out;
	ret = 0;
	goto out;
fail:
	sw_err_sys(e, "cannot plan the changes");
out:
	if (open)
		sw_sign_release(&s);
	return ret;
}

static int
stage_states(struct pm_ctx *x, struct sw_txn *t, struct sw_err *e)
{
	struct sw_sonames idx = { NULL, 0, 0 };
	bool idx_read = false;
	struct sw_strvec files = SW_STRVEC_INIT;
	struct sw_buf p = SW_BUF_INIT;
	char now[32];
	size_t k, i, from;
	int ret = -1;

	for (k = 0; k < x->nu; k++) {
		const struct pm_unit *u = &x->u[k], *w;

		if (!u->moves)
			continue;
		if (remove_states(x, u, u->stage == PM_STAGING ? SW_STATE_TESTING :
		    -1, t, e) < 0)
			goto out;
		if (u->stage == PM_STAGING) {
			sw_strvec_release(&files);
			for (i = 0; i < u->np; i++)
				if (sw_strvec_push(&files, u->p[i].file) < 0)
					goto fail;
			if (sw_pkgstate_write_files(x->c->state_dir, &u->id,
			    SW_STATE_TESTING, &files, t, e) < 0)
				goto out;
		}
		for (from = 0; (w = superseded(x, u, &from)) != NULL; )
			if (remove_states(x, w, -1, t, e) < 0)
				goto out;
		/* in stable, with its rebuilds: nothing left to wait for */
		if (PM_DEST(u) == PM_STABLE)
			sw_together_drop(&x->tg, u->id.repo, u->id.pkgbase);
	}
	/* deletions done or dropped leave the list (and `sonames`, so that no
	 * library change rebuilds them); held ones stay */
	for (k = x->ndel; k-- > 0; ) {
		const struct pm_del *d = &x->del[k];

		if (d->held)
			continue;
		if (!idx_read) {
			if (sw_statedir_path(&x->sd, SW_PATH_SONAMES, &p, e) < 0 ||
			    sw_sonames_read(p.data, &idx, e) < 0)
				goto out;
			idx_read = true;
		}
		if (sw_sonames_replace(&idx, x->dl.v[d->index].repo,
		    x->dl.v[d->index].pkgbase, NULL, 0, e) < 0)
			goto out;
		sw_together_drop(&x->tg, x->dl.v[d->index].repo,
			x->dl.v[d->index].pkgbase);
		for (i = 0; !d->dropped && i < x->nu; i++)
			if (strcmp(x->u[i].id.pkgbase, x->dl.v[d->index].pkgbase) == 0 &&
			    x->u[i].line == d->line &&
			    remove_states(x, &x->u[i], -1, t, e) < 0)
				goto out;
		sw_deletionlist_remove(&x->dl, d->index);
	}
	snprintf(now, sizeof(now), "%lld\n", (long long)x->plan->now);
	if (sw_statedir_path(&x->sd, SW_PATH_DELETION_LIST, &p, e) < 0 ||
	    sw_deletionlist_write(p.data, &x->dl, t, e) < 0 ||
	    sw_statedir_path(&x->sd, SW_PATH_MOVE_TOGETHER, &p, e) < 0 ||
	    sw_together_write(p.data, &x->tg, t, e) < 0 ||
	    (idx_read && (sw_statedir_path(&x->sd, SW_PATH_SONAMES, &p, e) < 0 ||
	    sw_sonames_write(p.data, &idx, t, e) < 0)) ||
	    sw_statedir_path(&x->sd, SW_PATH_LASTUPDATE, &p, e) < 0 ||
	    sw_txn_replace(t, p.data, now, strlen(now), 0644, e) < 0)
		goto out;
	ret = 0;
	goto out;
fail:
	sw_err_sys(e, "cannot plan the states");
out:
	sw_strvec_release(&files);
	sw_sonames_release(&idx);
	sw_buf_release(&p);
	return ret;
}

int
pm_apply(struct pm_ctx *x, struct sw_err *e)
{
	struct unlinks ul = { SW_STRVEC_INIT, SW_STRVEC_INIT };
	struct sw_txn t;
	bool txn = false;
	size_t i;
	int ret = -1;

	if (sw_statedir_txn_begin(&x->sd, SW_LOCK_PACKAGE_DB, &t, e) < 0)
		goto out;
	txn = true;
	if (sw_txn_step(&t, "link", e) < 0 || stage_links(x, &t, e) < 0 ||
	    sw_txn_step(&t, "write", e) < 0 || stage_databases(x, &t, &ul, e) < 0 ||
	    sw_txn_step(&t, "unlink", e) < 0)
		goto out;
	for (i = 0; i < ul.file.n; i++)
		if (sw_pool_unlink(&t, x->c->repo_dir, ul.repo.v[i], x->c->arch,
		    ul.file.v[i], e) < 0)
			goto out;
	if (sw_txn_step(&t, "state", e) < 0 || stage_states(x, &t, e) < 0 ||
	    sw_txn_step(&t, "end", e) < 0)
		goto out;
	txn = false;
	ret = sw_txn_commit(&t, e);
out:
	if (txn)
		sw_txn_abort(&t);
	sw_strvec_release(&ul.repo);
	sw_strvec_release(&ul.file);
	return ret;
}
