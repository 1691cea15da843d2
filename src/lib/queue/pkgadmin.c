#include "queue/pkgadmin.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/bump.h"
#include "core/names.h"
#include "queue/pkgstate.h"
#include "queue/statedir.h"
#include "core/txn.h"

static const char *const verbs[] = {
	[SW_ADMIN_BLOCK] = "blocked",
	[SW_ADMIN_UNBLOCK] = "unblocked",
	[SW_ADMIN_UNBREAK] = "unbroke",
	[SW_ADMIN_TESTED] = "marked tested",
	[SW_ADMIN_FAULTY] = "marked faulty",
	[SW_ADMIN_BUMP] = "queued",
};

static bool
on_list_action(enum sw_admin_action a)
{
	return a == SW_ADMIN_BLOCK || a == SW_ADMIN_UNBLOCK ||
		a == SW_ADMIN_UNBREAK || a == SW_ADMIN_BUMP;
}

/* Ids in a testing repository (a `testing` state). */
struct testing {
	struct sw_id *v;
	size_t n, alloc;
};

static int
collect_testing(const struct sw_id *id, enum sw_state s, void *arg)
{
	struct testing *t = arg;

	if (s != SW_STATE_TESTING)
		return 0;
	if (t->n == t->alloc) {
		size_t a = t->alloc ? t->alloc * 2 : 16;
		struct sw_id *v = reallocarray(t->v, a, sizeof(*v));

		if (v == NULL)
			return -1;
		t->v = v;
		t->alloc = a;
	}
	t->v[t->n++] = *id;
	return 0;
}

static bool
same_id(const struct sw_id *a, const struct sw_id *b)
{
	return strcmp(a->pkgbase, b->pkgbase) == 0 && strcmp(a->src, b->src) == 0 &&
		strcmp(a->mod, b->mod) == 0 && strcmp(a->repo, b->repo) == 0;
}

/*
 * The one id a target names among cand[0..n): an id given in full must be
 * there, a pkgbase must name exactly one. 0, or -1 (refused, e says why).
 */
static int
resolve(const char *target, const struct sw_id *cand, size_t n,
	const char *where, struct sw_id *out, struct sw_err *e)
{
	struct sw_id id;
	size_t k, hits = 0;

	if (sw_id_parse(target, &id, NULL) == 0) {
		for (k = 0; k < n; k++)
			if (same_id(&cand[k], &id)) {
				*out = id;
				return 0;
			}
		return sw_err_set(e, "'%s' is not %s", target, where);
	}
	if (sw_name_check(SW_NAME_PKGBASE, target, e) < 0)
		return sw_err_prefix(e, "neither a pkgbase nor an id");
	for (k = 0; k < n; k++)
		if (strcmp(cand[k].pkgbase, target) == 0) {
			*out = cand[k];
			hits++;
		}
	if (hits == 0)
		return sw_err_set(e, "'%s' is not %s", target, where);
	if (hits > 1)
		return sw_err_set(e, "'%s' is %s %zu times: give the full id",
			target, where, hits);
	return 0;
}

/*
 * Does the action apply to id? Stages its change and describes it.
 * 0 staged, 1 does not apply (e says why), -1 error.
 */
static int
apply_one(const struct sw_master_conf *c, enum sw_admin_action a,
	const struct sw_id *id, const char *reason, const char *who, int64_t now,
	struct sw_txn *t, struct sw_strvec *changes, struct sw_err *e)
{
	struct sw_strvec files = SW_STRVEC_INIT;
	struct sw_blocked b;
	char idstr[SW_ID_MAX + 1];
	enum sw_state mark, other;
	int r, ret = -1;

	sw_id_format(id, idstr, sizeof(idstr));
	switch (a) {
	case SW_ADMIN_BLOCK:
		r = sw_pkgstate_exists(c->state_dir, id, SW_STATE_BLOCKED, e);
		if (r > 0) {
			sw_err_set(e, "'%s' is blocked already", idstr);
			ret = 1;
		}
		if (r != 0)
			goto out;
		memset(&b, 0, sizeof(b));
		b.time = now;
		snprintf(b.who, sizeof(b.who), "%s", who);
		snprintf(b.reason, sizeof(b.reason), "%s", reason);
		if (sw_pkgstate_write_blocked(c->state_dir, id, &b, t, e) < 0 ||
		    sw_strvec_pushf(changes, "blocked '%s': %s", idstr, reason) < 0)
			goto out;
		break;
	case SW_ADMIN_UNBLOCK:
	case SW_ADMIN_UNBREAK:
		mark = a == SW_ADMIN_UNBLOCK ? SW_STATE_BLOCKED : SW_STATE_BROKEN;
		r = sw_pkgstate_exists(c->state_dir, id, mark, e);
		if (r == 0) {
			sw_err_set(e, "'%s' is not %s", idstr, sw_state_name(mark));
			ret = 1;
		}
		if (r != 1)
			goto out;
		if (sw_pkgstate_remove(c->state_dir, id, mark, t, e) < 0 ||
		    sw_strvec_pushf(changes, "%s '%s'", verbs[a], idstr) < 0)
			goto out;
		break;
	case SW_ADMIN_TESTED:
	case SW_ADMIN_FAULTY:
		mark = a == SW_ADMIN_TESTED ? SW_STATE_TESTED : SW_STATE_FAULTY;
		other = a == SW_ADMIN_TESTED ? SW_STATE_FAULTY : SW_STATE_TESTED;
		r = sw_pkgstate_exists(c->state_dir, id, mark, e);
		if (r > 0) {
			sw_err_set(e, "'%s' is %s already", idstr, sw_state_name(mark));
			ret = 1;
		}
		if (r != 0)
			goto out;
		if (sw_pkgstate_read_files(c->state_dir, id, SW_STATE_TESTING, &files,
		    e) != 0 ||
		    sw_pkgstate_write_files(c->state_dir, id, mark, &files, t, e) < 0 ||
		    sw_pkgstate_remove(c->state_dir, id, other, t, e) < 0 ||
		    sw_strvec_pushf(changes, "%s '%s'", verbs[a], idstr) < 0)
			goto out;
		break;
	case SW_ADMIN_BUMP:     /* bump_all's */
		sw_err_set(e, "'%s': a bump is no state change", idstr);
		goto out;
	}
	ret = 0;
out:
	sw_strvec_release(&files);
	return ret;
}

/*
 * --bump: each published build back onto the build list (last), as the
 * farm's next bump of its version. 0 staged, 1 refused (e says why), -1.
 */
static int
bump_all(struct sw_statedir *sd,
	const struct sw_publist *pub, const struct sw_id *ids, size_t n,
	struct sw_txn *t, struct sw_strvec *changes, struct sw_err *e)
{
	struct sw_build_list l = { NULL, 0, 0 };
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_buf lp = SW_BUF_INIT, mp = SW_BUF_INIT;
	char idstr[SW_ID_MAX + 1], ver[SW_VERSION_MAX + 1];
	size_t k;
	int ret = -1;

	if (sw_statedir_path(sd, SW_PATH_BUILD_LIST, &lp, e) < 0 ||
	    sw_buildlist_read(lp.data, &l, e) < 0 ||
	    sw_statedir_path(sd, SW_PATH_BUILD_META, &mp, e) < 0 ||
	    sw_buildmeta_read(mp.data, &m, e) < 0)
		goto out;
	for (k = 0; k < n; k++) {
		struct sw_id id;
		long p = sw_publist_find(pub, ids[k].pkgbase, ids[k].repo);
		int r = sw_bump_queue(pub, ids[k].pkgbase, ids[k].repo, &l, &m, &id,
			ver, sizeof(ver), e);

		if (r != 0) {
			ret = r;
			goto out;
		}
		sw_id_format(&id, idstr, sizeof(idstr));
		if (sw_strvec_pushf(changes, "queued '%s': the farm's bump of %s, "
		    "built as %s", idstr, pub->v[p].meta.version, ver) < 0) {
			sw_err_sys(e, "cannot queue '%s'", idstr);
			goto out;
		}
	}
	if (sw_buildlist_write(lp.data, &l, t, e) < 0 ||
	    sw_buildmeta_write(mp.data, &m, t, e) < 0)
		goto out;
	ret = 0;
out:
	sw_buildlist_release(&l);
	sw_buildmeta_release(&m);
	sw_buf_release(&lp);
	sw_buf_release(&mp);
	return ret;
}

enum sw_admin_result
sw_admin_apply(const struct sw_master_conf *c, enum sw_admin_action action,
	const char *reason, const char *who, char *const *targets, size_t n,
	int64_t now, struct sw_strvec *changes, struct sw_err *e)
{
	struct sw_statedir sd = { NULL, { -1, -1 } };
	struct sw_build_list l = { NULL, 0, 0 };
	struct testing tst = { NULL, 0, 0 };
	struct sw_buf lp = SW_BUF_INIT;
	struct sw_id *ids = NULL, *pids = NULL;
	struct sw_publist pub = { NULL, 0, 0 };
	const struct sw_id *cand;
	const char *where;
	struct sw_txn t;
	enum sw_admin_result ret = SW_ADMIN_ERROR;
	enum sw_lock_result lr;
	size_t k, j, ncand, nids = 0;
	bool txn = false;

	if (n == 0) {
		sw_err_set(e, "no package given");
		return SW_ADMIN_REFUSED;
	}
	ids = calloc(n, sizeof(*ids));
	if (ids == NULL || sw_statedir_open(&sd, c->state_dir, e) < 0) {
		if (ids == NULL)
			sw_err_sys(e, "cannot change package states");
		goto out;
	}
	lr = sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, SW_ADMIN_LOCK_TIMEOUT_MS, e);
	if (lr == SW_LOCK_OK && !on_list_action(action))
		lr = sw_statedir_lock(&sd, SW_LOCK_PACKAGE_DB,
			SW_ADMIN_LOCK_TIMEOUT_MS, e);
	if (lr != SW_LOCK_OK) {
		ret = lr == SW_LOCK_BUSY ? SW_ADMIN_BUSY : SW_ADMIN_ERROR;
		goto out;
	}
	if (action == SW_ADMIN_BUMP) {
		if (sw_statedir_path(&sd, SW_PATH_PUBLISHED, &lp, e) < 0 ||
		    sw_publist_read(lp.data, &pub, e) < 0)
			goto out;
		pids = calloc(pub.n + 1, sizeof(*pids));
		if (pids == NULL) {
			sw_err_sys(e, "cannot queue a rebuild");
			goto out;
		}
		for (k = 0; k < pub.n; k++)
			pids[k] = pub.v[k].id;
		cand = pids;
		ncand = pub.n;
		where = "published (return-assignment accepted no build of it)";
	} else if (on_list_action(action)) {
		if (sw_statedir_path(&sd, SW_PATH_BUILD_LIST, &lp, e) < 0 ||
		    sw_buildlist_read(lp.data, &l, e) < 0)
			goto out;
		cand = l.v;
		ncand = l.n;
		where = "on the build list";
	} else {
		if (sw_pkgstate_scan(c->state_dir, collect_testing, &tst, NULL, e) < 0)
			goto out;
		cand = tst.v;
		ncand = tst.n;
		where = "in a testing repository";
	}
	/* every target first: one that does not apply changes nothing */
	for (k = 0; k < n; k++) {
		struct sw_id id;

		if (resolve(targets[k], cand, ncand, where, &id, e) < 0) {
			ret = SW_ADMIN_REFUSED;
			goto out;
		}
		for (j = 0; j < nids && !same_id(&ids[j], &id); j++)
			;
		if (j == nids)
			ids[nids++] = id;
	}
	if (sw_statedir_txn_begin(&sd, on_list_action(action) ?
	    SW_LOCK_BUILD_LIST : SW_LOCK_PACKAGE_DB, &t, e) < 0)
		goto out;
	txn = true;
	if (action == SW_ADMIN_BUMP) {
		int r = bump_all(&sd, &pub, ids, nids, &t, changes, e);

		if (r != 0) {
			ret = r > 0 ? SW_ADMIN_REFUSED : SW_ADMIN_ERROR;
			goto out;
		}
	}
	for (k = 0; action != SW_ADMIN_BUMP && k < nids; k++) {
		int r = apply_one(c, action, &ids[k], reason, who, now, &t, changes, e);

		if (r != 0) {
			ret = r > 0 ? SW_ADMIN_REFUSED : SW_ADMIN_ERROR;
			goto out;
		}
	}
	txn = false;
	if (sw_txn_commit(&t, e) < 0)
		goto out;
	ret = SW_ADMIN_OK;
out:
	if (txn)
		sw_txn_abort(&t);
	if (ret != SW_ADMIN_OK)
		sw_strvec_release(changes);
	sw_statedir_release(&sd);
	sw_buildlist_release(&l);
	sw_buf_release(&lp);
	free(tst.v);
	free(ids);
	free(pids);
	sw_publist_release(&pub);
	return ret;
}
