/* promote: the checks before anything moves (promote.h). */
#include "repo/promote_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/vercmp.h"
#include "repo/sign.h"

/* Every file of a moving unit is in its source database (a debug package:
 * the debug one), and every package of its pkgbase there is one of its
 * files. */
static enum sw_promote_result
check_split(const struct pm_ctx *x, const struct pm_unit *u, struct sw_err *e)
{
	const struct pm_line *l = &x->lines[u->line];
	struct sw_strvec base = SW_STRVEC_INIT;
	enum sw_promote_result ret = SW_PROMOTE_SPLIT;
	size_t i, j;
	int off;

	for (i = 0; i < u->np; i++) {
		const struct pm_pkg *p = &u->p[i];
		const struct sw_repodb_entry *en = sw_repodb_find(
			&l->db[PM_FROM(u, p)], p->pkgname);

		if (en == NULL || strcmp(en->filename, p->file) != 0) {
			sw_err_set(e, "cannot move '%s': '%s' is not in '%s'",
				u->id.pkgbase, p->file, l->name[PM_FROM(u, p)]);
			goto out;
		}
	}
	for (off = 0; off < l->nrepos; off += PM_DBG) {
		const struct sw_repodb *db = &l->db[u->stage + off];

		sw_strvec_release(&base);
		if (pm_base_names(l, u->stage + off, u->id.pkgbase, &base) < 0) {
			sw_err_sys(e, "cannot check '%s'", u->id.pkgbase);
			ret = SW_PROMOTE_ERROR;
			goto out;
		}
		for (i = 0; i < base.n; i++) {
			const struct sw_repodb_entry *en = sw_repodb_find(db, base.v[i]);

			for (j = 0; en != NULL && j < u->np; j++)
				if (strcmp(u->p[j].file, en->filename) == 0)
					break;
			if (en != NULL && j == u->np) {
				sw_err_set(e, "cannot move '%s': its split package '%s' in "
					"'%s' is not one of its files", u->id.pkgbase,
					en->filename, l->name[u->stage + off]);
				goto out;
			}
		}
	}
	ret = SW_PROMOTE_OK;
out:
	sw_strvec_release(&base);
	return ret;
}

/* The file and its signature are in the pool, linked from the source,
 * and the signature is a good one by a slave's key. */
static enum sw_promote_result
check_file(const struct pm_ctx *x, const struct pm_unit *u,
	const struct pm_pkg *p, struct sw_sign *s, const struct sw_strvec *keys,
	struct sw_err *e)
{
	const char *file = p->file;
	struct sw_buf path = SW_BUF_INIT, sig = SW_BUF_INIT;
	char signer[SW_FPR_MAX + 1];
	enum sw_promote_result ret = SW_PROMOTE_MISSING;
	struct stat st;
	int r;

	if (sw_buf_addf(&path, "%s/%s/os/%s/%s", x->c->repo_dir,
	    x->lines[u->line].name[PM_FROM(u, p)], x->c->arch, file) < 0) {
		ret = SW_PROMOTE_ERROR;
		sw_err_sys(e, "cannot check '%s'", file);
		goto out;
	}
	if (stat(path.data, &st) < 0 || !S_ISREG(st.st_mode)) {
		sw_err_set(e, "cannot move '%s': '%s' is missing", u->id.pkgbase,
			path.data);
		goto out;
	}
	sw_buf_reset(&path);
	if (sw_buf_addf(&path, "%s/pool/%s", x->c->repo_dir, file) < 0) {
		ret = SW_PROMOTE_ERROR;
		sw_err_sys(e, "cannot check '%s'", file);
		goto out;
	}
	if (sw_buf_addstr(&path, ".sig") < 0 ||
	    (r = sw_sig_read(path.data, &sig, e)) < 0) {
		sw_err_prefix(e, "cannot move '%s'", u->id.pkgbase);
		goto out;
	}
	if (r == 1) {
		sw_err_set(e, "cannot move '%s': '%s' is missing", u->id.pkgbase,
			path.data);
		goto out;
	}
	path.data[path.len -= 4] = '\0';
	if (sw_sign_verify_file(s, path.data, sig.data, sig.len, signer, e) < 0 ||
	    sw_sign_expect(file, signer, keys, e) < 0) {
		sw_err_prefix(e, "cannot move '%s'", u->id.pkgbase);
		goto out;
	}
	ret = SW_PROMOTE_OK;
out:
	sw_buf_release(&path);
	sw_buf_release(&sig);
	return ret;
}

/*
 * Verifying is mostly hashing the files (sign.h checks the signatures of
 * Ed25519 keys in process, and starts a gpg per file only for others):
 * the files are shared out to a thread per CPU, at most VERIFY_THREADS,
 * each with its own gpgme context (made here, one after the other, before
 * any thread starts; each costs a few gpg runs). The first failure in
 * file order is the one reported.
 */
#define VERIFY_THREADS 6

struct verify_job {
	const struct pm_unit *u;
	const struct pm_pkg *p;
	enum sw_promote_result r;
	struct sw_err e;
};

struct verify_pool {
	const struct pm_ctx *x;
	const struct sw_strvec *keys;
	struct verify_job *jobs;
	size_t njobs, next;
	pthread_mutex_t mu;
};

struct verify_worker {
	struct verify_pool *pool;
	struct sw_sign s;
};

static void *
verify_thread(void *arg)
{
	struct verify_worker *w = arg;
	struct verify_pool *p = w->pool;

	for (;;) {
		struct verify_job *j;

		pthread_mutex_lock(&p->mu);
		j = p->next < p->njobs ? &p->jobs[p->next++] : NULL;
		pthread_mutex_unlock(&p->mu);
		if (j == NULL)
			return NULL;
		j->r = check_file(p->x, j->u, j->p, &w->s, p->keys, &j->e);
	}
}

static enum sw_promote_result
check_files(const struct pm_ctx *x, struct sw_err *e)
{
	struct sw_strvec keys = SW_STRVEC_INIT;
	struct verify_pool pool;
	struct verify_worker w[VERIFY_THREADS];
	pthread_t tid[VERIFY_THREADS];
	enum sw_promote_result ret = SW_PROMOTE_ERROR;
	size_t k, i, nw = 0, started = 0;
	long ncpu;

	memset(&pool, 0, sizeof(pool));
	pool.x = x;
	pool.keys = &keys;
	pthread_mutex_init(&pool.mu, NULL);
	for (k = 0; k < x->c->nslaves; k++)
		if (sw_strvec_push(&keys, x->c->slaves[k].key) < 0)
			goto nomem;
	for (k = 0; k < x->nu; k++)
		pool.njobs += x->u[k].moves ? x->u[k].np : 0;
	pool.jobs = calloc(pool.njobs ? pool.njobs : 1, sizeof(*pool.jobs));
	if (pool.jobs == NULL)
		goto nomem;
	for (k = 0, pool.njobs = 0; k < x->nu; k++)
		for (i = 0; x->u[k].moves && i < x->u[k].np; i++) {
			pool.jobs[pool.njobs].u = &x->u[k];
			pool.jobs[pool.njobs++].p = &x->u[k].p[i];
		}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	for (; nw < VERIFY_THREADS && nw < (size_t)ncpu && nw < pool.njobs; nw++) {
		w[nw].pool = &pool;
		if (sw_sign_init(&w[nw].s, x->c->gnupg_home, e) < 0)
			goto out;
	}
	for (; started < nw; started++)
		if (pthread_create(&tid[started], NULL, verify_thread,
		    &w[started]) != 0) {
			/* the started ones do the work: a thread is only speed */
			if (started == 0)
				verify_thread(&w[0]);
			break;
		}
	for (k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	ret = SW_PROMOTE_OK;
	for (k = 0; k < pool.njobs && ret == SW_PROMOTE_OK; k++)
		if (pool.jobs[k].r != SW_PROMOTE_OK) {
			ret = pool.jobs[k].r;
			memcpy(e, &pool.jobs[k].e, sizeof(*e));
		}
	goto out;
nomem:
	sw_err_sys(e, "cannot check the signatures");
out:
	for (k = 0; k < nw; k++)
		sw_sign_release(&w[k].s);
	free(pool.jobs);
	pthread_mutex_destroy(&pool.mu);
	sw_strvec_release(&keys);
	return ret;
}

/* The %SHA256SUM% of an entry into out ("" if it has none). */
static void
sum_of(const struct sw_repodb_entry *en, struct sw_buf *out)
{
	if (sw_repodb_field(en, "SHA256SUM", out) != 1)
		sw_buf_reset(out);
}

/* Same version elsewhere on the line with other contents; a newer version
 * in the destination; a pkgname that moves twice into one repository. */
static enum sw_promote_result
check_versions(const struct pm_ctx *x, const struct pm_unit *u,
	struct sw_err *e)
{
	const struct pm_line *l = &x->lines[u->line];
	struct sw_buf mine = SW_BUF_INIT, theirs = SW_BUF_INIT;
	enum sw_promote_result ret = SW_PROMOTE_OK;
	size_t i, k, j;
	int s;

	for (i = 0; i < u->np && ret == SW_PROMOTE_OK; i++) {
		const struct pm_pkg *p = &u->p[i];

		sum_of(sw_repodb_find(&l->db[PM_FROM(u, p)], p->pkgname), &mine);
		for (s = 0; s < PM_STAGES && ret == SW_PROMOTE_OK; s++) {
			const struct sw_repodb_entry *en;

			if (s == u->stage)
				continue;
			en = sw_repodb_find(&l->db[s + p->off], p->pkgname);
			if (en == NULL)
				continue;
			sum_of(en, &theirs);
			if (strcmp(en->version, p->version) == 0 &&
			    strcmp(mine.data, theirs.data) != 0) {
				sw_err_set(e, "cannot move '%s': '%s' %s is in '%s' "
					"with other contents", u->id.pkgbase, p->pkgname,
					p->version, l->name[s + p->off]);
				ret = SW_PROMOTE_DUPLICATE;
			} else if (s >= PM_DEST(u) &&
			    sw_vercmp(en->version, p->version) > 0) {
				sw_err_set(e, "cannot move '%s': '%s' %s would "
					"replace the newer %s in '%s'", u->id.pkgbase,
					p->pkgname, p->version, en->version,
					l->name[s + p->off]);
				ret = SW_PROMOTE_BACKWARDS;
			}
		}
		for (k = 0; k < x->nu && ret == SW_PROMOTE_OK; k++) {
			const struct pm_unit *v = &x->u[k];

			if (v == u || !v->moves || v->line != u->line ||
			    PM_DEST(v) != PM_DEST(u))
				continue;
			for (j = 0; j < v->np; j++)
				if (strcmp(v->p[j].pkgname, p->pkgname) == 0) {
					sw_err_set(e, "cannot move '%s' and '%s': both "
						"bring '%s' into '%s' (%s and %s)", u->id.pkgbase,
						v->id.pkgbase, p->pkgname, l->name[PM_TO(u, p)],
						p->version, v->p[j].version);
					ret = SW_PROMOTE_DUPLICATE;
					break;
				}
		}
	}
	sw_buf_release(&mine);
	sw_buf_release(&theirs);
	return ret;
}

enum sw_promote_result
pm_check(struct pm_ctx *x, struct sw_err *e)
{
	enum sw_promote_result r = SW_PROMOTE_OK;
	size_t k;

	for (k = 0; k < x->nu && r == SW_PROMOTE_OK; k++)
		if (x->u[k].moves)
			r = check_split(x, &x->u[k], e);
	if (r == SW_PROMOTE_OK)
		r = check_files(x, e);
	for (k = 0; k < x->nu && r == SW_PROMOTE_OK; k++)
		if (x->u[k].moves)
			r = check_versions(x, &x->u[k], e);
	return r;
}
