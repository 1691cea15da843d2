#include "repo/returns.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/bump.h"
#include "core/fileio.h"
#include "queue/lease.h"
#include "core/log.h"
#include "repo/elfdeps.h"
#include "repo/pkgfile.h"
#include "queue/rebuilds.h"
#include "queue/sonames.h"
#include "queue/together.h"
#include "queue/triggers.h"
#include "queue/pkgstate.h"
#include "repo/pool.h"
#include "repo/repodb.h"
#include "repo/sign.h"
#include "queue/statedir.h"
#include "core/txn.h"
#include "repo/upload.h"

static enum sw_return_result
from_lease(enum sw_lease_result r)
{
	switch (r) {
	case SW_LEASE_OK: return SW_RETURN_OK;
	case SW_LEASE_BUSY: return SW_RETURN_BUSY;
	case SW_LEASE_NOT_YOURS: return SW_RETURN_NOT_YOURS;
	default: return SW_RETURN_ERROR;
	}
}

/* Takes build-list.lock (and package-db.lock) and checks the lease again. */
static enum sw_return_result
lock_and_check(const struct sw_master_conf *c, struct sw_statedir *sd,
	bool package_db, const struct sw_id *id, const char *slave, int64_t now,
	struct sw_err *e)
{
	enum sw_lock_result lr;

	if (sw_statedir_open(sd, c->state_dir, e) < 0)
		return SW_RETURN_ERROR;
	lr = sw_statedir_lock(sd, SW_LOCK_BUILD_LIST, SW_RETURN_LOCK_TIMEOUT_MS, e);
	if (lr == SW_LOCK_OK && package_db)
		lr = sw_statedir_lock(sd, SW_LOCK_PACKAGE_DB,
			SW_RETURN_LOCK_TIMEOUT_MS, e);
	if (lr != SW_LOCK_OK)
		return lr == SW_LOCK_BUSY ? SW_RETURN_BUSY : SW_RETURN_ERROR;
	return from_lease(sw_lease_check(c, id, slave, now, NULL, e));
}

/*
 * The entry leaves the build list and build-meta (or, with again, goes
 * last). Only its own lines are found and moved: the others are copied as
 * they are, so that a return does not parse a 20,000-entry list.
 */
static int
take_off_list(const struct sw_master_conf *c, const struct sw_id *id,
	bool again, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf lp = SW_BUF_INIT, mp = SW_BUF_INIT;
	int r, ret = -1;

	if (sw_statepath(&lp, c->state_dir, SW_PATH_BUILD_LIST, e) < 0 ||
	    sw_statepath(&mp, c->state_dir, SW_PATH_BUILD_META, e) < 0)
		goto out;
	r = sw_buildlist_move(lp.data, id->pkgbase, id->repo, again, t, e);
	if (r < 0)
		goto out;
	if (r == 1) {
		sw_err_set(e, "'%s' in '%s' is not on the build list", id->pkgbase,
			id->repo);
		goto out;
	}
	if (sw_buildmeta_move(mp.data, id->pkgbase, id->repo, again, t, e) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&lp);
	sw_buf_release(&mp);
	return ret;
}

/* ---- ERROR: a failed build ------------------------------------------- */

enum sw_return_result
sw_return_failure(const struct sw_master_conf *c, const struct sw_id *id,
	const char *slave, int fd, int64_t now, struct sw_err *e)
{
	struct sw_statedir sd = { NULL, { -1, -1 } };
	struct sw_upload up;
	struct sw_buf logs = SW_BUF_INIT, src = SW_BUF_INIT, dst = SW_BUF_INIT;
	struct sw_attempt a;
	struct sw_txn t;
	enum sw_return_result ret;
	enum sw_upload_result ur;
	char name[SW_FILENAME_MAX + 1], idstr[SW_ID_MAX + 1];
	size_t k;
	bool txn = false;

	sw_upload_init(&up);
	sw_id_format(id, idstr, sizeof(idstr));
	ret = from_lease(sw_lease_check(c, id, slave, now, NULL, e));
	if (ret != SW_RETURN_OK)
		goto out;
	ret = SW_RETURN_ERROR;
	if (sw_statepath(&logs, c->state_dir, SW_PATH_LOGS, e) < 0)
		goto out;
	ur = sw_upload_read(&up, fd, logs.data, SW_UPLOAD_LOGS, c->max_upload_size, e);
	if (ur != SW_UPLOAD_OK) {
		ret = ur == SW_UPLOAD_INVALID ? SW_RETURN_INVALID : SW_RETURN_ERROR;
		goto out;
	}
	ret = lock_and_check(c, &sd, false, id, slave, now, e);
	if (ret != SW_RETURN_OK)
		goto out;
	ret = SW_RETURN_ERROR;
	if (sw_statedir_txn_begin(&sd, SW_LOCK_BUILD_LIST, &t, e) < 0)
		goto out;
	txn = true;
	memset(&a, 0, sizeof(a));
	a.time = now;
	memcpy(a.slave, slave, strlen(slave) + 1);
	snprintf(a.straw, sizeof(a.straw), "none");
	snprintf(a.log, sizeof(a.log), "-");
	for (k = 0; k < up.files.n; k++) {
		const char *f = up.files.v[k];
		size_t stem = strlen(f) - strlen(SW_UPLOAD_LOG_SUFFIX);
		int64_t when = now;
		struct stat st;

		/* a free name: the same build failing twice in a second gets +1 s */
		do {
			snprintf(name, sizeof(name), "%s.%s.%lld.%.*s%s", id->pkgbase,
				id->repo, (long long)when++, (int)stem, f,
				SW_UPLOAD_LOG_SUFFIX);
			sw_buf_reset(&dst);
			if (sw_buf_addf(&dst, "%s/%s", logs.data, name) < 0) {
				sw_err_sys(e, "cannot store '%s'", f);
				goto out;
			}
		} while (lstat(dst.data, &st) == 0 && when < now + 100);
		if (sw_upload_path(&up, f, &src, e) < 0 ||
		    sw_txn_rename(&t, src.data, dst.data, e) < 0)
			goto out;
		snprintf(a.straw, sizeof(a.straw), "%.*s", (int)stem, f);
		snprintf(a.log, sizeof(a.log), "%s", name);
	}
	if (sw_pkgstate_add_broken(c->state_dir, id, &a, &t, e) < 0 ||
	    sw_pkgstate_remove(c->state_dir, id, SW_STATE_LOCKED, &t, e) < 0 ||
	    take_off_list(c, id, true, &t, e) < 0)
		goto out;
	txn = false;
	if (sw_txn_commit(&t, e) < 0)
		goto out;
	sw_info("'%s' failed on slave '%s' (straw %s, log %s): moved behind the "
		"others", idstr, slave, a.straw, a.log);
	ret = SW_RETURN_OK;
out:
	if (txn)
		sw_txn_abort(&t);
	sw_upload_release(&up);
	sw_statedir_release(&sd);
	sw_buf_release(&logs);
	sw_buf_release(&src);
	sw_buf_release(&dst);
	return ret;
}

/* ---- built packages --------------------------------------------------- */

struct pkg {
	char file[SW_FILENAME_MAX + 1];
	struct sw_pkgfile_name fn;
	struct sw_buf sig;
	bool debug;                 /* makepkg's <pkgbase>-debug, undeclared */
	struct sw_strvec provides, needs;    /* sonames (elfdeps.h) */
};

struct ret_ctx {
	const struct sw_master_conf *c;
	const struct sw_id *id;
	const char *slave;
	const struct sw_slave_entry_conf *sc;
	const struct sw_repo_conf *rc;
	const struct sw_buildmeta_entry *meta;
	struct sw_upload up;
	struct pkg *pk;
	size_t np;
	struct sw_sign sg;
	bool sign_open;
	struct sw_buf path;
};

/* Packages and signatures pair up; a stray signature is an invalid upload. */
static enum sw_return_result
pair_up(struct ret_ctx *x, struct sw_err *e)
{
	size_t k;

	x->pk = calloc(x->up.files.n, sizeof(*x->pk));
	if (x->pk == NULL) {
		sw_err_sys(e, "cannot check the upload");
		return SW_RETURN_ERROR;
	}
	for (k = 0; k < x->up.files.n; k++) {
		const char *f = x->up.files.v[k];
		struct pkg *p = &x->pk[x->np];

		if (sw_name_parse_pkgfile(f, &p->fn, e) < 0)
			return SW_RETURN_INVALID;
		if (p->fn.sig) {
			char base[SW_FILENAME_MAX + 1];

			snprintf(base, sizeof(base), "%.*s", (int)(strlen(f) - 4), f);
			if (!sw_strvec_contains(&x->up.files, base)) {
				sw_err_set(e, "refused upload: signature '%s' without its "
					"package", f);
				return SW_RETURN_INVALID;
			}
			continue;
		}
		snprintf(p->file, sizeof(p->file), "%s", f);
		sw_buf_init(&p->sig, 0);
		sw_strvec_init(&p->provides);
		sw_strvec_init(&p->needs);
		x->np++;
	}
	if (x->np == 0) {
		sw_err_set(e, "refused upload: no package in it");
		return SW_RETURN_INVALID;
	}
	return SW_RETURN_OK;
}

/* Trust before parsing: every package signed by this slave's key. */
static enum sw_return_result
verify_signatures(struct ret_ctx *x, struct sw_err *e)
{
	struct sw_strvec expected = SW_STRVEC_INIT;
	char signer[SW_FPR_MAX + 1];
	enum sw_return_result ret = SW_RETURN_ERROR;
	size_t k;
	int r;

	if (sw_strvec_push(&expected, x->sc->key) < 0) {
		sw_err_sys(e, "cannot verify the upload");
		goto out;
	}
	if (sw_sign_init(&x->sg, x->c->gnupg_home, e) < 0)
		goto out;
	x->sign_open = true;
	for (k = 0; k < x->np; k++) {
		struct pkg *p = &x->pk[k];

		if (sw_upload_path(&x->up, p->file, &x->path, e) < 0 ||
		    sw_buf_addstr(&x->path, ".sig") < 0)
			goto out;
		r = sw_sig_read(x->path.data, &p->sig, e);
		if (r == 1) {
			sw_err_set(e, "cannot verify '%s': no signature '%s.sig' in the "
				"upload", p->file, p->file);
			ret = SW_RETURN_SIGNATURE;
			goto out;
		}
		if (r < 0) {
			ret = SW_RETURN_SIGNATURE;
			goto out;
		}
		if (sw_upload_path(&x->up, p->file, &x->path, e) < 0)
			goto out;
		if (sw_sign_verify_file(&x->sg, x->path.data, p->sig.data, p->sig.len,
		    signer, e) < 0 ||
		    sw_sign_expect(p->file, signer, &expected, e) < 0) {
			ret = SW_RETURN_SIGNATURE;
			goto out;
		}
	}
	ret = SW_RETURN_OK;
out:
	sw_strvec_release(&expected);
	return ret;
}

/* Each package is what its name says, and all together what build-meta says. */
static enum sw_return_result
check_packages(struct ret_ctx *x, const struct sw_buildmeta_entry *m,
	struct sw_err *e)
{
	struct sw_strvec seen = SW_STRVEC_INIT;
	struct sw_pkgfile pf;
	enum sw_return_result ret = SW_RETURN_ERROR;
	char want[SW_VERSION_MAX + 1];
	size_t k;

	sw_pkgfile_init(&pf);
	if (sw_bump_version(m->version, sw_id_bump(x->id), want, sizeof(want),
	    e) < 0)
		goto out;
	for (k = 0; k < x->np; k++) {
		struct pkg *p = &x->pk[k];

		sw_pkgfile_release(&pf);
		sw_pkgfile_init(&pf);
		if (sw_upload_path(&x->up, p->file, &x->path, e) < 0)
			goto out;
		if (sw_pkgfile_read(x->path.data, &pf, e) < 0 ||
		    sw_pkgfile_check_name(&pf, p->file, e) < 0) {
			sw_err_prefix(e, "refused upload");
			ret = SW_RETURN_INVALID;
			goto out;
		}
		ret = SW_RETURN_PACKAGE_SET;
		if (pf.pkgbase != NULL && strcmp(pf.pkgbase, x->id->pkgbase) != 0) {
			sw_err_set(e, "'%s' belongs to pkgbase '%s', not '%s'", p->file,
				pf.pkgbase, x->id->pkgbase);
			goto out;
		}
		if (strcmp(pf.arch, x->c->arch) != 0 && strcmp(pf.arch, "any") != 0) {
			sw_err_set(e, "'%s' is for '%s', the master builds '%s'", p->file,
				pf.arch, x->c->arch);
			goto out;
		}
		if (strcmp(pf.version, want) != 0) {
			if (sw_id_bump(x->id) > 0)
				sw_err_set(e, "'%s' has version '%s', expected '%s': the "
					"farm's bump %u of '%s'", p->file, pf.version, want,
					sw_id_bump(x->id), m->version);
			else
				sw_err_set(e, "'%s' has version '%s', the PKGBUILD at the "
					"assigned commits declares '%s'", p->file, pf.version,
					m->version);
			goto out;
		}
		p->debug = !sw_strvec_contains(&m->pkgnames, pf.pkgname);
		if (p->debug && !sw_name_is_debug(pf.pkgname, x->id->pkgbase)) {
			sw_err_set(e, "'%s': the PKGBUILD does not build '%s' for %s",
				p->file, pf.pkgname, x->c->arch);
			goto out;
		}
		if (sw_strvec_contains(&seen, pf.pkgname)) {
			sw_err_set(e, "'%s' is in the upload twice", pf.pkgname);
			goto out;
		}
		if (sw_strvec_push(&seen, pf.pkgname) < 0) {
			sw_err_sys(e, "cannot check the upload");
			ret = SW_RETURN_ERROR;
			goto out;
		}
	}
	for (k = 0; k < m->pkgnames.n; k++)
		if (!sw_strvec_contains(&seen, m->pkgnames.v[k])) {
			sw_err_set(e, "'%s' is missing from the upload: the PKGBUILD "
				"builds it for %s", m->pkgnames.v[k], x->c->arch);
			ret = SW_RETURN_PACKAGE_SET;
			goto out;
		}
	ret = SW_RETURN_OK;
out:
	sw_pkgfile_release(&pf);
	sw_strvec_release(&seen);
	return ret;
}

/* Older revisions of the same pkgbase in the same repository. */
struct older {
	const struct sw_id *id;
	struct sw_id *v;
	enum sw_state *s;
	size_t n, alloc;
};

static int
collect_older(const struct sw_id *id, enum sw_state s, void *arg)
{
	struct older *o = arg;

	if (strcmp(id->pkgbase, o->id->pkgbase) != 0 ||
	    strcmp(id->repo, o->id->repo) != 0 ||
	    (strcmp(id->src, o->id->src) == 0 && strcmp(id->mod, o->id->mod) == 0))
		return 0;
	if (s != SW_STATE_DONE && s != SW_STATE_LOCKED && s != SW_STATE_BROKEN &&
	    s != SW_STATE_BLOCKED)
		return 0;   /* testing and tested: db-update's */
	if (o->n == o->alloc) {
		size_t a = o->alloc ? o->alloc * 2 : 8;
		struct sw_id *v = reallocarray(o->v, a, sizeof(*v));
		enum sw_state *st;

		if (v == NULL)
			return -1;
		o->v = v;
		st = reallocarray(o->s, a, sizeof(*st));
		if (st == NULL)
			return -1;
		o->s = st;
		o->alloc = a;
	}
	o->v[o->n] = *id;
	o->s[o->n++] = s;
	return 0;
}

/*
 * Drops the states of older revisions; their staged packages leave the
 * staging repository (a debug package: the debug staging repository, dbg,
 * NULL if the line has none; *dbg_changed set) unless this build replaced
 * them there (pkgnames: what it put into db, and into dbg). unlinked: the
 * files to prune from the pool afterwards.
 */
static int
drop_older(struct ret_ctx *x, struct sw_repodb *db, struct sw_repodb *dbg,
	bool *dbg_changed, const struct sw_strvec pkgnames[2], struct sw_txn *t,
	struct sw_strvec *unlinked, struct sw_err *e)
{
	struct older o = { x->id, NULL, NULL, 0, 0 };
	struct sw_strvec files = SW_STRVEC_INIT;
	size_t k, j;
	int ret = -1;

	if (sw_pkgstate_scan(x->c->state_dir, collect_older, &o, NULL, e) < 0)
		goto out;
	for (k = 0; k < o.n; k++) {
		if (o.s[k] == SW_STATE_DONE) {
			if (sw_pkgstate_read_files(x->c->state_dir, &o.v[k],
			    SW_STATE_DONE, &files, e) < 0)
				goto out;
			for (j = 0; j < files.n; j++) {
				struct sw_pkgfile_name fn;
				const struct sw_repodb_entry *en;
				struct sw_repodb *in = db;
				const char *repo = x->rc->staging;

				if (sw_name_parse_pkgfile(files.v[j], &fn, e) < 0)
					goto out;
				en = dbg != NULL && sw_name_is_debug(fn.pkgname,
					x->id->pkgbase) ? sw_repodb_find(dbg, fn.pkgname) : NULL;
				if (en != NULL && strcmp(en->filename, files.v[j]) == 0) {
					in = dbg;
					repo = x->rc->debug_repo[0];
					*dbg_changed = true;
				} else {
					en = sw_repodb_find(db, fn.pkgname);
				}
				if (en != NULL && strcmp(en->filename, files.v[j]) == 0 &&
				    !sw_strvec_contains(&pkgnames[in == dbg], fn.pkgname) &&
				    sw_repodb_remove(in, fn.pkgname, e) < 0)
					goto out;
				if (sw_pool_unlink(t, x->c->repo_dir, repo, x->c->arch,
				    files.v[j], e) < 0 ||
				    sw_strvec_push(unlinked, files.v[j]) < 0)
					goto out;
			}
			sw_strvec_release(&files);
		}
		if (sw_pkgstate_remove(x->c->state_dir, &o.v[k], o.s[k], t, e) < 0)
			goto out;
	}
	ret = 0;
out:
	sw_strvec_release(&files);
	free(o.v);
	free(o.s);
	return ret;
}

/* The database of a staging repository, its directory made. */
static int
load_staging(struct ret_ctx *x, const char *repo, struct sw_repodb *db,
	struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT, dbpath = SW_BUF_INIT;
	int ret = -1;

	if (sw_pool_repo_dir(&dir, x->c->repo_dir, repo, x->c->arch, e) < 0 ||
	    sw_mkdir_p(dir.data, 0755, e) < 0)
		goto out;
	if (sw_buf_addf(&dbpath, "%s/%s.db.tar.gz", dir.data, repo) < 0) {
		sw_err_sys(e, "cannot publish");
		goto out;
	}
	ret = sw_repodb_load(db, dbpath.data, true, e);
out:
	sw_buf_release(&dir);
	sw_buf_release(&dbpath);
	return ret;
}

/* What each package's ELF files provide and need, before any lock. */
static enum sw_return_result
read_sonames(struct ret_ctx *x, struct sw_err *e)
{
	size_t k;

	for (k = 0; k < x->np; k++) {
		if (x->pk[k].debug)     /* detached symbols: nothing to link */
			continue;
		if (sw_upload_path(&x->up, x->pk[k].file, &x->path, e) < 0)
			return SW_RETURN_ERROR;
		if (sw_elfdeps_pkg(x->path.data, &x->pk[k].provides,
		    &x->pk[k].needs, e) < 0) {
			sw_err_prefix(e, "refused upload");
			return SW_RETURN_INVALID;
		}
	}
	return SW_RETURN_OK;
}

/*
 * sonames (sonames.h): the lines of this pkgbase become the new build's;
 * br: what the new build breaks (to rebuild).
 */
static int
record_sonames(struct ret_ctx *x, struct sw_soname_breaks *br,
	struct sw_txn *t, struct sw_err *e)
{
	struct sw_sonames idx = { NULL, 0, 0 };
	struct sw_soname_ent *ents = NULL;
	struct sw_buf p = SW_BUF_INIT;
	size_t k, n = 0;
	int ret = -1;

	ents = calloc(x->np, sizeof(*ents));
	if (ents == NULL) {
		sw_err_sys(e, "cannot record the sonames");
		goto out;
	}
	for (k = 0; k < x->np; k++) {
		if (x->pk[k].debug)
			continue;
		snprintf(ents[n].pkgname, sizeof(ents[n].pkgname), "%s",
			x->pk[k].fn.pkgname);
		snprintf(ents[n].repo, sizeof(ents[n].repo), "%s", x->id->repo);
		snprintf(ents[n].pkgbase, sizeof(ents[n].pkgbase), "%s",
			x->id->pkgbase);
		ents[n].provides = x->pk[k].provides;
		ents[n].needs = x->pk[k].needs;
		sw_strvec_init(&x->pk[k].provides);
		sw_strvec_init(&x->pk[k].needs);
		n++;
	}
	if (sw_statepath(&p, x->c->state_dir, SW_PATH_SONAMES, e) < 0 ||
	    sw_sonames_read(p.data, &idx, e) < 0) {
		for (k = 0; k < n; k++) {
			sw_strvec_release(&ents[k].provides);
			sw_strvec_release(&ents[k].needs);
		}
		goto out;
	}
	if (sw_sonames_breaks(&idx, x->id->repo, x->id->pkgbase, ents, n, br,
	    e) < 0) {
		for (k = 0; k < n; k++) {
			sw_strvec_release(&ents[k].provides);
			sw_strvec_release(&ents[k].needs);
		}
		goto out;
	}
	if (sw_sonames_replace(&idx, x->id->repo, x->id->pkgbase, ents, n, e) < 0 ||
	    sw_sonames_write(p.data, &idx, t, e) < 0)
		goto out;
	ret = 0;
out:
	free(ents);
	sw_sonames_release(&idx);
	sw_buf_release(&p);
	return ret;
}

/*
 * The pkgbases that name a pkgname of this build as a rebuild trigger
 * (triggers.h), published in this line and not in br (a soname reason
 * comes first): pushed onto bases, each with its reason onto why.
 */
static int
triggered(struct ret_ctx *x, const struct sw_soname_breaks *br,
	const char *ver, struct sw_publist *pub, bool *pub_read,
	struct sw_strvec *bases, struct sw_strvec *why, struct sw_err *e)
{
	struct sw_triggers tr = { NULL, 0, 0 };
	struct sw_strvec hit = SW_STRVEC_INIT;
	struct sw_buf p = SW_BUF_INIT;
	size_t k, j, i;
	int ret = -1;

	if (sw_statepath(&p, x->c->state_dir, SW_PATH_REBUILD_TRIGGERS, e) < 0 ||
	    sw_triggers_read(p.data, &tr, e) < 0)
		goto out;
	for (k = 0; k < x->np && tr.n > 0; k++) {
		if (x->pk[k].debug)
			continue;
		sw_strvec_release(&hit);
		if (sw_triggers_match(&tr, x->pk[k].fn.pkgname, x->id->pkgbase, &hit,
		    e) < 0)
			goto out;
		for (j = 0; j < hit.n; j++) {
			bool dup = sw_strvec_contains(bases, hit.v[j]);

			for (i = 0; i < br->n && !dup; i++)
				dup = strcmp(br->v[i].pkgbase, hit.v[j]) == 0;
			if (dup)
				continue;
			if (!*pub_read) {
				if (sw_statepath(&p, x->c->state_dir, SW_PATH_PUBLISHED,
				    e) < 0 || sw_publist_read(p.data, pub, e) < 0)
					goto out;
				*pub_read = true;
			}
			if (sw_publist_find(pub, hit.v[j], x->id->repo) < 0)
				continue;   /* not built in this line: nothing to redo */
			if (sw_strvec_push(bases, hit.v[j]) < 0 ||
			    sw_strvec_pushf(why, SW_TRIGGER_REASON "%s %s",
			    x->pk[k].fn.pkgname, ver) < 0) {
				sw_err_sys(e, "cannot queue the rebuilds");
				goto out;
			}
		}
	}
	ret = 0;
out:
	sw_triggers_release(&tr);
	sw_strvec_release(&hit);
	sw_buf_release(&p);
	return ret;
}

/*
 * move-together (together.h): each package the build broke (br) and that
 * is published in the line, at the version that still links against the
 * old soname, so that db-update moves this library only beside its
 * rebuild.
 */
static int
record_together(struct ret_ctx *x, const struct sw_soname_breaks *br,
	const struct sw_publist *pub, struct sw_txn *t, struct sw_err *e)
{
	struct sw_together tg = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	char ver[SW_VERSION_MAX + 1];
	size_t k;
	long i;
	int ret = -1;

	if (sw_statepath(&p, x->c->state_dir, SW_PATH_MOVE_TOGETHER, e) < 0 ||
	    sw_together_read(p.data, &tg, e) < 0)
		goto out;
	for (k = 0; k < br->n; k++) {
		i = sw_publist_find(pub, br->v[k].pkgbase, x->id->repo);
		if (i < 0)
			continue;
		if (sw_bump_version(pub->v[i].meta.version,
		    sw_id_bump(&pub->v[i].id), ver, sizeof(ver), e) < 0 ||
		    sw_together_add(&tg, x->id->repo, x->id->pkgbase,
		    br->v[k].pkgbase, ver, e) < 0)
			goto out;
	}
	ret = sw_together_write(p.data, &tg, t, e);
out:
	sw_together_release(&tg);
	sw_buf_release(&p);
	return ret;
}

/*
 * The accepted entry leaves the build list and build-meta; every package
 * of the line that linked against a soname the build broke (br), or that
 * names one of its pkgnames as a rebuild trigger, comes onto it as the
 * farm's next bump of its published build, with its reason (rebuilds.h);
 * notes: one line each, for the log.
 */
static int
leave_list(struct ret_ctx *x, const struct sw_soname_breaks *br,
	struct sw_txn *t, struct sw_strvec *notes, struct sw_err *e)
{
	struct sw_build_list l = { NULL, 0, 0 };
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_deletion_list del = { NULL, 0, 0 };
	struct sw_publist pub = { NULL, 0, 0 };
	struct sw_rebuilds r = { NULL, 0, 0 };
	struct sw_rebuild_req *req = NULL;
	struct sw_strvec why = SW_STRVEC_INIT, tbases = SW_STRVEC_INIT;
	struct sw_strvec twhy = SW_STRVEC_INIT;
	struct sw_buf lp = SW_BUF_INIT, mp = SW_BUF_INIT, p = SW_BUF_INIT;
	char ver[SW_VERSION_MAX + 1];
	const char *own;
	bool pub_read = false;
	size_t k, nreq;
	long i;
	int ret = -1;

	if (sw_bump_version(x->meta->version, sw_id_bump(x->id), ver,
	    sizeof(ver), e) < 0 ||
	    sw_statepath(&p, x->c->state_dir, SW_PATH_REBUILDS, e) < 0 ||
	    sw_rebuilds_read(p.data, &r, e) < 0)
		goto out;
	/* a build a trigger queued fires none: triggers never chain or loop */
	own = sw_rebuilds_reason(&r, x->id);
	if ((own == NULL || strncmp(own, SW_TRIGGER_REASON,
	    strlen(SW_TRIGGER_REASON)) != 0) &&
	    triggered(x, br, ver, &pub, &pub_read, &tbases, &twhy, e) < 0)
		goto out;
	nreq = br->n + tbases.n;
	/* the common case: no rebuild to queue, no reason of its own to drop */
	if (nreq == 0 && own == NULL) {
		ret = take_off_list(x->c, x->id, false, t, e);
		goto out;
	}
	if (sw_statepath(&lp, x->c->state_dir, SW_PATH_BUILD_LIST, e) < 0 ||
	    sw_statepath(&mp, x->c->state_dir, SW_PATH_BUILD_META, e) < 0 ||
	    sw_buildlist_read(lp.data, &l, e) < 0 ||
	    sw_buildmeta_read(mp.data, &m, e) < 0)
		goto out;
	i = sw_buildlist_find(&l, x->id->pkgbase, x->id->repo);
	if (i < 0) {
		sw_err_set(e, "'%s' in '%s' is not on the build list", x->id->pkgbase,
			x->id->repo);
		goto out;
	}
	sw_buildlist_remove(&l, (size_t)i);
	i = sw_buildmeta_find(&m, x->id->pkgbase, x->id->repo);
	if (i >= 0)
		sw_buildmeta_remove(&m, (size_t)i);
	if (nreq > 0) {
		if (sw_statepath(&p, x->c->state_dir, SW_PATH_DELETION_LIST, e) < 0 ||
		    sw_deletionlist_read(p.data, &del, e) < 0)
			goto out;
		if (!pub_read && (sw_statepath(&p, x->c->state_dir,
		    SW_PATH_PUBLISHED, e) < 0 || sw_publist_read(p.data, &pub,
		    e) < 0))
			goto out;
		req = calloc(nreq, sizeof(*req));
		if (req == NULL)
			goto nomem;
		for (k = 0; k < br->n; k++) {
			const struct sw_soname_break *b = &br->v[k];

			if ((b->new[0] ? sw_strvec_pushf(&why, "rebuild: %s -> %s by "
			    "%s %s", b->old, b->new, x->id->pkgbase, ver) :
			    sw_strvec_pushf(&why, "rebuild: %s dropped by %s %s", b->old,
			    x->id->pkgbase, ver)) < 0)
				goto nomem;
			req[k].pkgbase = b->pkgbase;
			req[k].reason = why.v[k];
			req[k].deps = b->deps;
			req[k].ndeps = b->ndeps;
		}
		for (k = 0; k < tbases.n; k++) {
			req[br->n + k].pkgbase = tbases.v[k];
			req[br->n + k].reason = twhy.v[k];
		}
		if (sw_rebuilds_queue(x->id->repo, req, nreq, &pub, &del, &l, &m, &r,
		    notes, e) < 0 ||
		    (br->n > 0 && record_together(x, br, &pub, t, e) < 0))
			goto out;
	}
	if (sw_statepath(&p, x->c->state_dir, SW_PATH_REBUILDS, e) < 0 ||
	    sw_buildlist_write(lp.data, &l, t, e) < 0 ||
	    sw_buildmeta_write(mp.data, &m, t, e) < 0 ||
	    sw_rebuilds_write(p.data, &r, &l, t, e) < 0)
		goto out;
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot queue the rebuilds");
out:
	free(req);
	sw_strvec_release(&why);
	sw_strvec_release(&tbases);
	sw_strvec_release(&twhy);
	sw_buildlist_release(&l);
	sw_buildmeta_release(&m);
	sw_deletionlist_release(&del);
	sw_publist_release(&pub);
	sw_rebuilds_release(&r);
	sw_buf_release(&lp);
	sw_buf_release(&mp);
	sw_buf_release(&p);
	return ret;
}

/* published (bump.h): this build is now the last of its line. */
static int
record_published(struct ret_ctx *x, struct sw_txn *t, struct sw_err *e)
{
	struct sw_publist pub = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	int ret = -1;

	if (sw_statepath(&p, x->c->state_dir, SW_PATH_PUBLISHED, e) < 0 ||
	    sw_publist_read(p.data, &pub, e) < 0 ||
	    sw_publist_record(&pub, x->id, x->meta, e) < 0 ||
	    sw_publist_write(p.data, &pub, t, e) < 0)
		goto out;
	ret = 0;
out:
	sw_publist_release(&pub);
	sw_buf_release(&p);
	return ret;
}

/*
 * Under both locks: everything in one transaction. A debug package goes
 * into the line's debug staging repository, or, if the line has none, is
 * not published at all.
 */
static int
publish(struct ret_ctx *x, struct sw_statedir *sd, struct sw_strvec *unlinked,
	struct sw_strvec *notes, struct sw_err *e)
{
	struct sw_soname_breaks br = { NULL, 0 };
	struct sw_repodb db, dbg;
	struct sw_strvec done = SW_STRVEC_INIT;
	struct sw_strvec pkgnames[2] = { SW_STRVEC_INIT, SW_STRVEC_INIT };
	struct sw_txn t;
	bool txn = false, loaded = false, dloaded = false, dchanged = false;
	size_t k;
	int ret = -1;

	if (load_staging(x, x->rc->staging, &db, e) < 0)
		goto out;
	loaded = true;
	if (x->rc->debug) {
		if (load_staging(x, x->rc->debug_repo[0], &dbg, e) < 0)
			goto out;
		dloaded = true;
	}
	if (sw_statedir_txn_begin(sd, SW_LOCK_PACKAGE_DB, &t, e) < 0)
		goto out;
	txn = true;
	for (k = 0; k < x->np; k++) {
		struct pkg *p = &x->pk[k];

		if (p->debug && !dloaded)
			continue;
		dchanged |= p->debug;
		if (sw_upload_path(&x->up, p->file, &x->path, e) < 0 ||
		    sw_pool_publish(&t, x->c->repo_dir, x->path.data, e) < 0 ||
		    sw_pool_link(&t, x->c->repo_dir, p->debug ?
		    x->rc->debug_repo[0] : x->rc->staging, x->c->arch,
		    p->file, e) < 0 ||
		    sw_repodb_add(p->debug ? &dbg : &db, x->path.data, p->file,
		    &p->sig, e) < 0 ||
		    sw_strvec_push(&done, p->file) < 0 ||
		    sw_strvec_push(&pkgnames[p->debug], p->fn.pkgname) < 0)
			goto out;
	}
	if (drop_older(x, &db, dloaded ? &dbg : NULL, &dchanged, pkgnames, &t,
	    unlinked, e) < 0 ||
	    sw_repodb_stage(&db, &t, x->sign_open ? &x->sg : NULL, x->c->repo_key,
	    e) < 0 ||
	    (dchanged && sw_repodb_stage(&dbg, &t, x->sign_open ? &x->sg : NULL,
	    x->c->repo_key, e) < 0) ||
	    record_sonames(x, &br, &t, e) < 0 ||
	    leave_list(x, &br, &t, notes, e) < 0 ||
	    record_published(x, &t, e) < 0 ||
	    sw_pkgstate_write_files(x->c->state_dir, x->id, SW_STATE_DONE, &done,
	    &t, e) < 0 ||
	    sw_pkgstate_remove(x->c->state_dir, x->id, SW_STATE_LOCKED, &t, e) < 0 ||
	    sw_pkgstate_remove(x->c->state_dir, x->id, SW_STATE_BROKEN, &t, e) < 0 ||
	    sw_pkgstate_remove(x->c->state_dir, x->id, SW_STATE_BLOCKED, &t, e) < 0)
		goto out;
	txn = false;
	if (sw_txn_commit(&t, e) < 0)
		goto out;
	ret = 0;
out:
	if (txn)
		sw_txn_abort(&t);
	if (loaded)
		sw_repodb_release(&db);
	if (dloaded)
		sw_repodb_release(&dbg);
	sw_soname_breaks_release(&br);
	sw_strvec_release(&done);
	sw_strvec_release(&pkgnames[0]);
	sw_strvec_release(&pkgnames[1]);
	return ret;
}

/* A version is published once: a rebuild of the same version is refused. */
static enum sw_return_result
not_published(struct ret_ctx *x, struct sw_err *e)
{
	struct sw_buf pool = SW_BUF_INIT;
	enum sw_return_result ret = SW_RETURN_ERROR;
	struct stat st;
	size_t k;

	if (sw_buf_addf(&pool, "%s/pool", x->c->repo_dir) < 0) {
		sw_err_sys(e, "cannot check the pool");
		goto out;
	}
	for (k = 0; k < x->np; k++) {
		if (x->pk[k].debug && !x->rc->debug)
			continue;   /* dropped */
		if (sw_name_path(&x->path, pool.data, SW_NAME_PKGFILE, x->pk[k].file,
		    "", e) < 0)
			goto out;
		if (lstat(x->path.data, &st) == 0) {
			sw_err_set(e, "'%s' is published already: a new build needs a "
				"new pkgrel or a farm bump (modify-package-state --bump)",
				x->pk[k].file);
			ret = SW_RETURN_PACKAGE_SET;
			goto out;
		}
		if (errno != ENOENT) {
			sw_err_sys(e, "cannot check '%s'", x->path.data);
			goto out;
		}
	}
	ret = SW_RETURN_OK;
out:
	sw_buf_release(&pool);
	return ret;
}

/* Pool files of older revisions that no repository links to any more. */
static void
prune(struct ret_ctx *x, struct sw_statedir *sd, const struct sw_strvec *files)
{
	struct sw_txn t;
	struct sw_err e;
	size_t k;
	int pruned;

	if (files->n == 0 || sw_statedir_txn_begin(sd, SW_LOCK_PACKAGE_DB, &t,
	    &e) < 0)
		return;
	for (k = 0; k < files->n; k++)
		if (sw_pool_prune(&t, x->c->repo_dir, files->v[k], &pruned, &e) < 0) {
			sw_txn_abort(&t);
			sw_warn("cannot prune the pool: %s", e.msg);
			return;
		}
	if (sw_txn_commit(&t, &e) < 0)
		sw_warn("cannot prune the pool: %s", e.msg);
}

enum sw_return_result
sw_return_packages(const struct sw_master_conf *c, const struct sw_id *id,
	const char *slave, int fd, int64_t now, struct sw_err *e)
{
	struct ret_ctx x;
	struct sw_statedir sd = { NULL, { -1, -1 } };
	struct sw_buildmeta_entry meta;
	struct sw_strvec unlinked = SW_STRVEC_INIT, notes = SW_STRVEC_INIT;
	struct sw_buf mp = SW_BUF_INIT;
	enum sw_return_result ret;
	enum sw_upload_result ur;
	char idstr[SW_ID_MAX + 1];
	size_t k;
	int m;

	memset(&x, 0, sizeof(x));
	memset(&meta, 0, sizeof(meta));
	sw_strvec_init(&meta.pkgnames);
	sw_strvec_init(&meta.deps);
	x.c = c;
	x.id = id;
	x.slave = slave;
	sw_upload_init(&x.up);
	sw_buf_init(&x.path, 0);
	sw_id_format(id, idstr, sizeof(idstr));
	ret = from_lease(sw_lease_check(c, id, slave, now, NULL, e));
	if (ret != SW_RETURN_OK)
		goto out;
	ret = SW_RETURN_ERROR;
	x.sc = sw_master_conf_slave(c, slave);
	x.rc = sw_master_conf_repo(c, id->repo);
	if (x.sc == NULL || x.rc == NULL) {
		sw_err_set(e, x.sc == NULL ? "unknown slave '%s'" :
			"no [repository %s] section for '%s'", x.sc == NULL ? slave :
			id->repo, idstr);
		goto out;
	}
	if (sw_statepath(&mp, c->state_dir, SW_PATH_BUILD_META, e) < 0)
		goto out;
	m = sw_buildmeta_lookup(mp.data, id->pkgbase, id->repo, &meta, e);
	if (m < 0)
		goto out;
	if (m == 0) {
		sw_err_set(e, "'%s' has no line in '%s'", idstr, mp.data);
		goto out;
	}
	ur = sw_upload_read(&x.up, fd, c->repo_dir, SW_UPLOAD_PACKAGES,
		c->max_upload_size, e);
	if (ur != SW_UPLOAD_OK) {
		ret = ur == SW_UPLOAD_INVALID ? SW_RETURN_INVALID : SW_RETURN_ERROR;
		goto out;
	}
	x.meta = &meta;
	if ((ret = pair_up(&x, e)) != SW_RETURN_OK ||
	    (ret = verify_signatures(&x, e)) != SW_RETURN_OK ||
	    (ret = check_packages(&x, &meta, e)) != SW_RETURN_OK ||
	    (ret = read_sonames(&x, e)) != SW_RETURN_OK)
		goto out;
	ret = lock_and_check(c, &sd, true, id, slave, now, e);
	if (ret != SW_RETURN_OK)
		goto out;
	ret = not_published(&x, e);
	if (ret != SW_RETURN_OK)
		goto out;
	if (publish(&x, &sd, &unlinked, &notes, e) < 0) {
		ret = SW_RETURN_ERROR;
		goto out;
	}
	prune(&x, &sd, &unlinked);
	for (k = 0; k < x.np; k++)
		if (x.pk[k].debug && !x.rc->debug)
			sw_info("'%s' from slave '%s': '%s' dropped: [repository %s] "
				"has no debug repositories (debug = no)", idstr, slave,
				x.pk[k].file, x.rc->sec.name);
		else
			sw_info("'%s' from slave '%s': '%s' is in '%s'", idstr, slave,
				x.pk[k].file, x.pk[k].debug ? x.rc->debug_repo[0] :
				x.rc->staging);
	for (k = 0; k < notes.n; k++)
		sw_info("'%s' from slave '%s': %s", idstr, slave, notes.v[k]);
	ret = SW_RETURN_OK;
out:
	for (k = 0; x.pk != NULL && k < x.np; k++) {
		sw_buf_release(&x.pk[k].sig);
		sw_strvec_release(&x.pk[k].provides);
		sw_strvec_release(&x.pk[k].needs);
	}
	free(x.pk);
	if (x.sign_open)
		sw_sign_release(&x.sg);
	sw_upload_release(&x.up);
	sw_statedir_release(&sd);
	sw_buildmeta_entry_release(&meta);
	sw_strvec_release(&unlinked);
	sw_strvec_release(&notes);
	sw_buf_release(&mp);
	sw_buf_release(&x.path);
	return ret;
}
