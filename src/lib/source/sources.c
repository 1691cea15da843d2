#include "source/sources.h"

#include <stdlib.h>
#include <string.h>

#include "queue/buildmeta.h"
#include "queue/bump.h"
#include "queue/lease.h"
#include "queue/statedir.h"
#include "source/gitsrc.h"
#include "source/introspect.h"
#include "source/tarout.h"

/* What build-meta says about the id, read under the lock. */
struct where {
	char source[SW_SLAVE_MAX + 1];
	char path[SW_FILENAME_MAX + 1];
	char custom[SW_FILENAME_MAX + 1];   /* "" none */
	unsigned bump;                      /* the farm's bump (bump.h), or 0 */
	char pkgrel[SW_VERSION_MAX + 1];    /* with the bump */
};

static enum sw_sources_result
locate(const struct sw_master_conf *c, const struct sw_id *id,
	const char *slave, int64_t now, struct where *w, struct sw_err *e)
{
	struct sw_statedir sd = { NULL, { -1, -1 } };
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_buf mp = SW_BUF_INIT;
	enum sw_sources_result ret = SW_SOURCES_ERROR;
	enum sw_lease_result lr;
	enum sw_lock_result k;
	char idstr[SW_ID_MAX + 1];
	long i;
	int r;

	sw_id_format(id, idstr, sizeof(idstr));
	if (sw_statedir_open(&sd, c->state_dir, e) < 0)
		goto out;
	k = sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, SW_SOURCES_LOCK_TIMEOUT_MS, e);
	if (k != SW_LOCK_OK) {
		ret = k == SW_LOCK_BUSY ? SW_SOURCES_BUSY : SW_SOURCES_ERROR;
		goto out;
	}
	if (slave != NULL) {
		lr = sw_lease_check(c, id, slave, now, NULL, e);
		if (lr != SW_LEASE_OK) {
			ret = lr == SW_LEASE_NOT_YOURS ? SW_SOURCES_NOT_YOURS :
				SW_SOURCES_ERROR;
			goto out;
		}
	} else {
		r = sw_lease_on_list(c->state_dir, id, e);
		if (r <= 0) {
			if (r == 0) {
				sw_err_set(e, "'%s' is not on the build list", idstr);
				ret = SW_SOURCES_NOT_YOURS;
			}
			goto out;
		}
	}
	if (sw_statedir_path(&sd, SW_PATH_BUILD_META, &mp, e) < 0 ||
	    sw_buildmeta_read(mp.data, &m, e) < 0)
		goto out;
	i = sw_buildmeta_find(&m, id->pkgbase, id->repo);
	if (i < 0) {
		sw_err_set(e, "'%s' has no line in '%s'", idstr, mp.data);
		goto out;
	}
	memcpy(w->source, m.v[i].source, sizeof(w->source));
	memcpy(w->path, m.v[i].path, sizeof(w->path));
	memcpy(w->custom, m.v[i].custom, sizeof(w->custom));
	w->bump = sw_id_bump(id);
	if (sw_bump_pkgrel(m.v[i].version, w->bump, w->pkgrel, sizeof(w->pkgrel),
	    e) < 0)
		goto out;
	ret = SW_SOURCES_OK;
out:
	sw_buildmeta_release(&m);
	sw_buf_release(&mp);
	sw_statedir_release(&sd);
	return ret;
}

static const struct sw_source_conf *
find_source(const struct sw_master_conf *c, const char *name)
{
	size_t k;

	for (k = 0; k < c->nsources; k++)
		if (strcmp(c->sources[k].sec.name, name) == 0)
			return &c->sources[k];
	return NULL;
}

/* Opens an existing mirror; a missing one is an error here. */
static int
open_mirror(const char *state_dir, const char *source, const char *pkgbase,
	struct sw_gitsrc **g, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	int r, ret = -1;

	if (sw_gitsrc_mirror_path(&p, state_dir, source, pkgbase, e) < 0)
		goto out;
	r = sw_gitsrc_open(g, p.data, false, e);
	if (r == 1)
		sw_err_set(e, "no git mirror at '%s'", p.data);
	if (r != 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

/*
 * What the master read of this directory, as a .SRCINFO, from the
 * introspection cache: 0 found (out filled), 1 not there, -1 error. The
 * cache only saves the slave work: one that cannot be read counts as not
 * there (get-package-updates reports it).
 */
/* The pkgrel the slave builds: the farm's bump, where there is one. */
static int
set_pkgrel(struct sw_srcinfo *si, const char *pkgrel, struct sw_err *e)
{
	size_t k;
	char *v;

	for (k = 0; k < si->base.n; k++) {
		if (strcmp(si->base.v[k].key, "pkgrel") != 0 ||
		    strcmp(si->base.v[k].value, pkgrel) == 0)
			continue;
		v = strdup(pkgrel);
		if (v == NULL)
			return sw_err_sys(e, "cannot bump '%s'", si->base.name);
		free(si->base.v[k].value);
		si->base.v[k].value = v;
	}
	return 0;
}

static int
master_srcinfo(const struct sw_master_conf *c, const struct sw_gitsrc_dir *up,
	const struct sw_gitsrc_dir *custom, const char *pkgrel, struct sw_buf *out,
	struct sw_err *e)
{
	char tree[SW_COMMIT_MAX + 1], ctree[SW_COMMIT_MAX + 1];
	char key[SW_CACHE_KEY_MAX + 1];
	struct sw_cache *cache = NULL;
	struct sw_srcinfo si;
	struct sw_err ce;
	enum sw_gitobj t = SW_GIT_NONE, ct = SW_GIT_NONE;
	int r = -1;

	sw_srcinfo_init(&si);
	if (sw_gitsrc_lookup(up->g, up->commit, up->path, &t, tree, e) < 0 ||
	    (custom != NULL && sw_gitsrc_lookup(custom->g, custom->commit,
	    custom->path, &ct, ctree, e) < 0))
		goto out;
	r = 1;
	if (t != SW_GIT_TREE || (custom != NULL && ct != SW_GIT_TREE))
		goto out;
	if (sw_introspect_cache_key(key, tree, custom != NULL ? ctree : NULL,
	    c->arch, &ce) < 0 ||
	    sw_introspect_cache_open(&cache, c->state_dir, &ce) < 0 ||
	    sw_introspect_cache_get(cache, key, &si, &ce) != 0)
		goto out;
	r = set_pkgrel(&si, pkgrel, e) < 0 || sw_srcinfo_print(&si, out, e) < 0 ?
		-1 : 0;
out:
	sw_introspect_cache_close(cache);
	sw_srcinfo_release(&si);
	return r;
}

struct put {
	struct sw_tarout *t;
	const struct where *w;
};

/* The PKGBUILD with the farm's bump: its last word on pkgrel. */
static int
put_bumped(struct put *p, const char *relpath, bool executable,
	const char *data, size_t len, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT;
	int ret = -1;

	if (sw_buf_add(&b, data, len) < 0 ||
	    sw_buf_addf(&b, "%s# slipway: the farm's bump %u of this version\n"
	    "pkgrel=%s\n", len > 0 && data[len - 1] != '\n' ? "\n" : "",
	    p->w->bump, p->w->pkgrel) < 0) {
		sw_err_sys(e, "cannot bump '%s'", relpath);
		goto out;
	}
	ret = sw_tarout_file(p->t, relpath, executable, b.data, b.len, e);
out:
	sw_buf_release(&b);
	return ret;
}

static int
put_entry(const char *relpath, enum sw_gitobj type, bool executable,
	const char *data, size_t len, void *arg, struct sw_err *e)
{
	struct put *p = arg;
	struct sw_tarout *t = p->t;
	char *target;
	int r;

	/* upstream's may be stale: only the master's own goes out */
	if (strcmp(relpath, SW_SOURCES_SRCINFO) == 0)
		return 0;
	switch (type) {
	case SW_GIT_TREE:
		return sw_tarout_dir(t, relpath, e);
	case SW_GIT_BLOB:
		if (p->w->bump > 0 && strcmp(relpath, "PKGBUILD") == 0)
			return put_bumped(p, relpath, executable, data, len, e);
		return sw_tarout_file(t, relpath, executable, data, len, e);
	case SW_GIT_LINK:
		target = strndup(data, len);
		if (target == NULL)
			return sw_err_sys(e, "cannot add '%s'", relpath);
		r = sw_tarout_symlink(t, relpath, target, e);
		free(target);
		return r;
	default:
		return 0;
	}
}

enum sw_sources_result
sw_sources_write(const struct sw_master_conf *c, const struct sw_id *id,
	const char *slave, int fd, int64_t now, struct sw_err *e)
{
	const struct sw_source_conf *sc;
	struct sw_gitsrc *src = NULL, *cust = NULL;
	struct sw_gitsrc_dir up, custom;
	struct sw_tarout t = { NULL, -1, 0, false };
	struct sw_buf si = SW_BUF_INIT;
	struct where w;
	struct put put;
	enum sw_sources_result ret;
	char modc[SW_COMMIT_MAX + 1];
	int r;

	memset(&w, 0, sizeof(w));
	ret = locate(c, id, slave, now, &w, e);
	if (ret != SW_SOURCES_OK)
		goto out;
	ret = SW_SOURCES_ERROR;
	sc = find_source(c, w.source);
	if (sc == NULL) {
		sw_err_set(e, "'%s' comes from source '%s', which has no [source %s] "
			"section in '%s'", id->pkgbase, w.source, w.source, c->path);
		goto out;
	}
	if (open_mirror(c->state_dir, w.source, sc->layout ==
	    SW_LAYOUT_PER_PACKAGE ? id->pkgbase : NULL, &src, e) < 0)
		goto out;
	if (w.custom[0] != '\0' &&
	    open_mirror(c->state_dir, NULL, NULL, &cust, e) < 0)
		goto out;
	up = (struct sw_gitsrc_dir){ src, id->src, w.path };
	sw_id_mod_commit(id, modc, sizeof(modc));
	custom = (struct sw_gitsrc_dir){ cust, modc, w.custom };
	r = master_srcinfo(c, &up, cust != NULL ? &custom : NULL, w.pkgrel, &si,
		e);
	put = (struct put){ &t, &w };
	if (r < 0 ||
	    sw_tarout_open(&t, fd, SW_SOURCES_MTIME, e) < 0 ||
	    sw_gitsrc_walk(&up, cust != NULL ? &custom : NULL, SW_SOURCES_MAX,
	    put_entry, &put, e) < 0 ||
	    (r == 0 && sw_tarout_file(&t, SW_SOURCES_SRCINFO, false, si.data,
	    si.len, e) < 0) ||
	    sw_tarout_close(&t, e) < 0)
		goto out;
	ret = SW_SOURCES_OK;
out:
	sw_tarout_release(&t);
	sw_buf_release(&si);
	if (src != NULL)
		sw_gitsrc_close(src);
	if (cust != NULL)
		sw_gitsrc_close(cust);
	return ret;
}
