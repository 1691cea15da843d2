/*
 * updaterun: scheduled rebuilds (queue/schedule.h, updaterun_stages.h).
 * The set is read from the customizations' <repo>/<pkgbase>/.slipway/
 * schedule files when the customizations change, and written with the
 * run's transaction; what is due is queued after the run, in a
 * transaction of its own.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lock.h"
#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/bump.h"
#include "queue/rebuilds.h"
#include "source/updaterun_stages.h"

#define SCHED_FILE ".slipway/schedule"
#define SCHED_FILE_MAX 4096

static int
tree_fn(const char *name, enum sw_gitobj type, const char *id, void *arg)
{
	(void)id;
	if (type != SW_GIT_TREE || !sw_name_valid(SW_NAME_PKGBASE, name))
		return 0;
	return sw_strvec_push(arg, name);
}

/*
 * The period a schedule file says: one word, daily or weekly ('#'
 * comments and blank lines aside); -1 with why set otherwise.
 */
static int64_t
parse_file(const char *text, size_t len, char *why, size_t size)
{
	char line[256], word[256], more[256];
	size_t i = 0, n;
	int64_t period = -1;
	int ln = 0, k;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);

		n = nl ? (size_t)(nl - (text + i)) : len - i;
		ln++;
		if (n >= sizeof(line) || memchr(text + i, '\0', n) != NULL) {
			snprintf(why, size, "%d: not a line of text", ln);
			return -1;
		}
		memcpy(line, text + i, n);
		line[n] = '\0';
		i += n + 1;
		if (strchr(line, '#') != NULL)
			*strchr(line, '#') = '\0';
		k = sscanf(line, "%255s %255s", word, more);
		if (k <= 0)
			continue;
		if (k > 1 || period >= 0 || sw_schedule_period(word) < 0) {
			snprintf(why, size, "%d: expected 'daily' or 'weekly'", ln);
			return -1;
		}
		period = sw_schedule_period(word);
	}
	if (period < 0)
		snprintf(why, size, "expected 'daily' or 'weekly'");
	return period;
}

int
sw_ur_scan_schedules(struct run *r, struct sw_err *e)
{
	struct sw_strvec repos = SW_STRVEC_INIT, bases = SW_STRVEC_INIT;
	struct sw_buf data = SW_BUF_INIT;
	const char *rev = r->cu.rev[NEW];
	char path[SW_REPO_MAX + SW_PKGNAME_MAX + 32], why[128];
	size_t i, k;
	int64_t period;
	int rr, ret = -1;

	sw_schedules_release(&r->sched_scan);
	r->sched_scanned = strcmp(r->cu.rev[OLD], rev) != 0;
	if (!r->sched_scanned || r->cu.g == NULL || rev[0] == '\0') {
		ret = 0;
		goto out;
	}
	if (sw_gitsrc_list(r->cu.g, rev, ".", tree_fn, &repos, e) < 0)
		goto fail;
	for (i = 0; i < repos.n; i++) {
		if (!sw_name_valid(SW_NAME_REPO, repos.v[i]) ||
		    sw_master_conf_repo(r->c, repos.v[i]) == NULL)
			continue;
		sw_strvec_release(&bases);
		if (sw_gitsrc_list(r->cu.g, rev, repos.v[i], tree_fn, &bases, e) < 0)
			goto fail;
		for (k = 0; k < bases.n; k++) {
			snprintf(path, sizeof(path), "%s/%s/%s", repos.v[i], bases.v[k],
				SCHED_FILE);
			sw_buf_reset(&data);
			rr = sw_gitsrc_read(r->cu.g, rev, path, SCHED_FILE_MAX, &data, e);
			if (rr < 0) {
				/* too large: say so, and go on without it */
				sw_ur_say(r, "customizations: %s: %s: skipped", path,
					e->msg);
				continue;
			}
			if (rr == 1)
				continue;
			period = parse_file(data.data, data.len, why, sizeof(why));
			if (period < 0) {
				sw_ur_say(r, "customizations: %s:%s: skipped", path, why);
				continue;
			}
			if (sw_schedules_add(&r->sched_scan, repos.v[i], bases.v[k],
			    period, 0, e) < 0)
				goto out;
		}
	}
	ret = 0;
	goto out;
fail:
	if (e->msg[0] == '\0')
		sw_err_sys(e, "cannot read the schedules of the customizations");
out:
	sw_strvec_release(&repos);
	sw_strvec_release(&bases);
	sw_buf_release(&data);
	return ret;
}

int
sw_ur_write_schedules(struct run *r, const struct sw_build_list *l,
	int64_t now, struct sw_txn *t, struct sw_err *e)
{
	struct sw_schedules old = { NULL, 0, 0 };
	struct sw_schedules *cur = &old;
	struct sw_buf p = SW_BUF_INIT;
	bool changed = r->sched_scanned;
	size_t i, k;
	long j;
	int ret = -1;

	if (sw_statedir_path(&r->sd, SW_PATH_SCHEDULES, &p, e) < 0 ||
	    sw_schedules_read(p.data, &old, e) < 0)
		goto out;
	if (r->sched_scanned) {
		for (i = 0; i < r->sched_scan.n; i++) {
			struct sw_sched *x = &r->sched_scan.v[i];

			j = sw_schedules_find(&old, x->repo, x->pkgbase);
			x->last = j >= 0 ? old.v[j].last : now;
		}
		cur = &r->sched_scan;
	}
	/* a build get-package-updates queued restarts its schedule */
	for (k = 0; k < r->nacts; k++) {
		const struct sw_upd_action *a = &r->acts[k];

		if (a->kind != SW_UPD_QUEUE ||
		    sw_buildlist_find(l, a->meta.pkgbase, a->meta.repo) < 0 ||
		    (j = sw_schedules_find(cur, a->meta.repo, a->meta.pkgbase)) < 0)
			continue;
		cur->v[j].last = now;
		changed = true;
	}
	if (changed && sw_schedules_write(p.data, cur, t, e) < 0)
		goto out;
	ret = 0;
out:
	sw_schedules_release(&old);
	sw_buf_release(&p);
	return ret;
}

/* Under build-list.lock: queues what is due; *n how many were queued. */
static int
queue_due(struct run *r, int64_t now, size_t *n, struct sw_err *e)
{
	struct sw_schedules s = { NULL, 0, 0 };
	struct sw_build_list l = { NULL, 0, 0 };
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_deletion_list del = { NULL, 0, 0 };
	struct sw_publist pub = { NULL, 0, 0 };
	struct sw_rebuilds rb = { NULL, 0, 0 };
	struct sw_strvec notes = SW_STRVEC_INIT, why = SW_STRVEC_INIT;
	struct sw_buf p = SW_BUF_INIT;
	struct sw_rebuild_req req;
	struct sw_txn t;
	bool txn = false, changed = false;
	size_t i;
	int ret = -1;

	*n = 0;
	if (sw_statedir_path(&r->sd, SW_PATH_SCHEDULES, &p, e) < 0 ||
	    sw_schedules_read(p.data, &s, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_read(p.data, &l, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_read(p.data, &m, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_DELETION_LIST, &p, e) < 0 ||
	    sw_deletionlist_read(p.data, &del, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_PUBLISHED, &p, e) < 0 ||
	    sw_publist_read(p.data, &pub, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_REBUILDS, &p, e) < 0 ||
	    sw_rebuilds_read(p.data, &rb, e) < 0)
		goto out;
	for (i = 0; i < s.n; i++) {
		struct sw_sched *x = &s.v[i];

		if (!sw_schedule_due(x, now) ||
		    sw_publist_find(&pub, x->pkgbase, x->repo) < 0)
			continue;   /* never built: it is built when it is queued */
		changed = true;
		if (sw_buildlist_find(&l, x->pkgbase, x->repo) >= 0) {
			x->last = now;  /* a build of it is pending */
			continue;
		}
		sw_strvec_release(&why);
		if (sw_strvec_pushf(&why, SW_SCHEDULE_REASON "%s",
		    sw_schedule_name(x->period)) < 0) {
			sw_err_sys(e, "cannot queue the scheduled rebuilds");
			goto out;
		}
		memset(&req, 0, sizeof(req));
		req.pkgbase = x->pkgbase;
		req.reason = why.v[0];
		if (sw_rebuilds_queue(x->repo, &req, 1, &pub, &del, &l, &m, &rb,
		    &notes, e) < 0)
			goto out;
		/* queued or refused (the note says why): asked again a period on */
		x->last = now;
		*n += sw_buildlist_find(&l, x->pkgbase, x->repo) >= 0;
	}
	for (i = 0; i < notes.n; i++)
		sw_ur_say(r, "%s", notes.v[i]);
	if (!changed) {
		ret = 0;
		goto out;
	}
	if (sw_statedir_txn_begin(&r->sd, SW_LOCK_BUILD_LIST, &t, e) < 0)
		goto out;
	txn = true;
	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_write(p.data, &l, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_write(p.data, &m, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_REBUILDS, &p, e) < 0 ||
	    sw_rebuilds_write(p.data, &rb, &l, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_SCHEDULES, &p, e) < 0 ||
	    sw_schedules_write(p.data, &s, &t, e) < 0)
		goto out;
	txn = false;
	if (sw_txn_commit(&t, e) < 0)
		goto out;
	ret = 0;
out:
	if (txn)
		sw_txn_abort(&t);
	sw_schedules_release(&s);
	sw_buildlist_release(&l);
	sw_buildmeta_release(&m);
	sw_deletionlist_release(&del);
	sw_publist_release(&pub);
	sw_rebuilds_release(&rb);
	sw_strvec_release(&notes);
	sw_strvec_release(&why);
	sw_buf_release(&p);
	return ret;
}

int
sw_ur_run_schedules(struct run *r, struct sw_err *e)
{
	struct sw_schedules s = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	enum sw_lock_result lr;
	int64_t now = (int64_t)time(NULL);
	bool due = false;
	size_t i;
	int ret = -1;

	/* the common case, without the lock: nothing is due */
	if (sw_statedir_path(&r->sd, SW_PATH_SCHEDULES, &p, e) < 0 ||
	    sw_schedules_read(p.data, &s, e) < 0)
		goto out;
	for (i = 0; i < s.n && !due; i++)
		due = sw_schedule_due(&s.v[i], now);
	if (!due) {
		ret = 0;
		goto out;
	}
	lr = sw_statedir_lock(&r->sd, SW_LOCK_BUILD_LIST,
		r->o->wait ? SW_LOCK_WAIT_FOREVER : 0, e);
	if (lr == SW_LOCK_BUSY) {
		sw_ur_say(r, "scheduled rebuilds wait for the next run: %s is held",
			sw_statepath_name(SW_PATH_BUILD_LIST_LOCK));
		ret = 0;
		goto out;
	}
	if (lr != SW_LOCK_OK)
		goto out;
	ret = queue_due(r, now, &r->rep->scheduled, e);
	sw_statedir_unlock(&r->sd, SW_LOCK_BUILD_LIST);
out:
	sw_schedules_release(&s);
	sw_buf_release(&p);
	return ret;
}
