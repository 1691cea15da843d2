#include "source/updaterun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lock.h"
#include "source/updaterun_stages.h"

void
sw_updaterun_report_init(struct sw_updaterun_report *r)
{
	memset(r, 0, sizeof(*r));
	sw_strvec_init(&r->messages);
}

void
sw_updaterun_report_release(struct sw_updaterun_report *r)
{
	sw_strvec_release(&r->messages);
}

void
sw_ur_say(struct run *r, const char *fmt, ...)
{
	char msg[SW_ERR_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sw_strvec_push(&r->rep->messages, msg);
}

/* Copies src into dst, cut to size - 1 bytes. */
void
sw_ur_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool
sw_ur_is_root(const char *path)
{
	return strcmp(path, ".") == 0;
}

/* "<dir>/<name>", or name when dir is "." */
int
sw_ur_subpath(char *out, size_t size, const char *dir, const char *name)
{
	size_t n = sw_ur_is_root(dir) ? (size_t)snprintf(out, size, "%s", name) :
		(size_t)snprintf(out, size, "%s/%s", dir, name);

	return n >= size ? -1 : 0;
}

struct sw_gitsrc *
sw_ur_repo_of(struct run *r, size_t src, size_t pp)
{
	return pp == NO_PP ? r->src[src].g : r->src[src].pp[pp].g;
}

/* ---- the run ---------------------------------------------------------------------------- */

static void
run_release(struct run *r)
{
	size_t i, k;

	sw_ur_actions_release(r);
	free(r->acts);
	free(r->act_info);
	for (i = 0; i < r->nknown; i++)
		sw_pkginfo_release(&r->known[i].info);
	free(r->known);
	sw_strvec_release(&r->queued);
	sw_strvec_release(&r->tried);
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		sw_gitsrc_close(s->g);
		for (k = 0; k < s->npp; k++)
			sw_gitsrc_close(s->pp[k].g);
		free(s->pp);
		sw_strvec_release(&s->tops[OLD]);
		sw_strvec_release(&s->tops[NEW]);
	}
	free(r->src);
	sw_gitsrc_close(r->cu.g);
	for (i = 0; i < 2; i++) {
		sw_custom_release(&r->cu.bl[i]);
		sw_custom_release(&r->cu.bm[i]);
		sw_custom_release(&r->cu.uo[i]);
		sw_custom_release(&r->cu.ov[i]);
	}
	sw_custom_release(&r->cu.tr);
	sw_strvec_release(&r->affected);
	sw_strvec_release(&r->forced);
	sw_strvec_release(&r->recheck);
	sw_strvec_release(&r->gone_src);
	sw_strvec_release(&r->shadowed);
	sw_ur_routes_release(r);
	sw_schedules_release(&r->sched_scan);
	sw_ur_remove_workdir(r);
	sw_introspect_cache_close(r->cache);
	if (r->sd_open)
		sw_statedir_release(&r->sd);
	sw_lock_release(&r->run_lock);
}

/* Compares the old revisions with the new ones and plans what to do. */
static int
replan(struct run *r, struct sw_buf *digest, bool *nothing, struct sw_err *e)
{
	struct sw_failures fails = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	size_t i;
	bool gone;
	int ret = -1;

	*nothing = false;
	if (sw_ur_find_gone(r, &gone, e) < 0)
		goto out;
	if (!sw_ur_anything_new(r) && !r->o->retry && !gone) {
		*nothing = true;
		ret = 0;
		goto out;
	}
	if (sw_statedir_path(&r->sd, SW_PATH_PKGBUILD_ERRORS, &p, e) < 0 ||
	    sw_failures_read(p.data, &fails, e) < 0)
		goto out;
	for (i = 0; i < r->nsrc; i++) {
		sw_strvec_release(&r->src[i].tops[OLD]);
		r->src[i].tops_done[OLD] = false;
	}
	if (sw_ur_load_lists(r, e) < 0 || sw_ur_find_affected(r, &fails, e) < 0 ||
	    sw_ur_plan(r, e) < 0 || sw_ur_scan_schedules(r, e) < 0)
		goto out;
	if (sw_ur_revs_digest(r, digest) < 0) {
		sw_err_sys(e, "cannot compare revisions");
		goto out;
	}
	ret = 0;
out:
	sw_failures_release(&fails);
	sw_buf_release(&p);
	return ret;
}

enum sw_updaterun_result
sw_updaterun(const struct sw_master_conf *c, const struct sw_updaterun_opts *o,
	struct sw_updaterun_report *rep, struct sw_err *e)
{
	struct run r;
	struct sw_buf planned = SW_BUF_INIT, now = SW_BUF_INIT;
	enum sw_updaterun_result ret = SW_RUN_ERROR;
	enum sw_lock_result lr;
	bool nothing;
	int attempt, f, cr;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.run_lock = -1;
	r.c = c;
	r.o = o;
	r.rep = rep;
	sw_strvec_init(&r.affected);
	sw_strvec_init(&r.forced);
	sw_strvec_init(&r.recheck);
	sw_strvec_init(&r.gone_src);
	sw_strvec_init(&r.shadowed);
	sw_strvec_init(&r.queued);
	sw_strvec_init(&r.tried);
	if (sw_statedir_open(&r.sd, c->state_dir, e) < 0)
		goto out;
	r.sd_open = true;
	r.nsrc = c->nsources;
	r.src = calloc(r.nsrc + 1, sizeof(*r.src));
	if (r.src == NULL) {
		sw_err_sys(e, "cannot start");
		goto out;
	}
	for (i = 0; i < r.nsrc; i++) {
		r.src[i].conf = &c->sources[i];
		sw_strvec_init(&r.src[i].tops[OLD]);
		sw_strvec_init(&r.src[i].tops[NEW]);
	}
	if (sw_ur_load_old(&r, e) < 0)
		goto out;
	f = sw_ur_fetch_all(&r, e);
	if (f != 0) {
		ret = f > 0 ? SW_RUN_BUSY : SW_RUN_ERROR;
		goto out;
	}
	if (replan(&r, &planned, &nothing, e) < 0)
		goto out;
	if (nothing) {
		rep->nothing_new = true;
		ret = sw_ur_run_schedules(&r, e) < 0 ? SW_RUN_ERROR : SW_RUN_OK;
		goto out;
	}
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		if (sw_ur_learn_list(&r, e) < 0)
			goto out;
		lr = sw_statedir_lock(&r.sd, SW_LOCK_BUILD_LIST,
			o->wait ? SW_LOCK_WAIT_FOREVER : 0, e);
		if (lr == SW_LOCK_BUSY) {
			sw_err_set(e, "the build list is busy (%s is held); try again "
				"later, or wait with -b",
				sw_statepath_name(SW_PATH_BUILD_LIST_LOCK));
			ret = SW_RUN_BUSY;
			goto out;
		}
		if (lr != SW_LOCK_OK)
			goto out;
		if (sw_ur_load_old(&r, e) < 0 || sw_ur_revs_digest(&r, &now) < 0) {
			sw_statedir_unlock(&r.sd, SW_LOCK_BUILD_LIST);
			if (e->msg[0] == '\0')
				sw_err_sys(e, "cannot compare revisions");
			goto out;
		}
		if (strcmp(now.data, planned.data) != 0) {
			/* a crashed run's journal was just finished: plan again from it */
			sw_statedir_unlock(&r.sd, SW_LOCK_BUILD_LIST);
			if (replan(&r, &planned, &nothing, e) < 0)
				goto out;
			if (nothing) {
				rep->nothing_new = true;
				ret = sw_ur_run_schedules(&r, e) < 0 ? SW_RUN_ERROR :
					SW_RUN_OK;
				goto out;
			}
			continue;
		}
		cr = sw_ur_commit(&r, e);
		sw_statedir_unlock(&r.sd, SW_LOCK_BUILD_LIST);
		if (cr < 0)
			goto out;
		if (cr == 0) {
			ret = sw_ur_run_schedules(&r, e) < 0 ? SW_RUN_ERROR : SW_RUN_OK;
			goto out;
		}
	}
	sw_err_set(e, "the state kept changing under this run; try again");
out:
	sw_buf_release(&planned);
	sw_buf_release(&now);
	run_release(&r);
	return ret;
}
