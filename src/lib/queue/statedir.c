#include "queue/statedir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"

static const enum sw_statepath lock_paths[] = {
	SW_PATH_BUILD_LIST_LOCK, SW_PATH_PACKAGE_DB_LOCK,
};
static const enum sw_statepath journal_paths[] = {
	SW_PATH_BUILD_LIST_JOURNAL, SW_PATH_PACKAGE_DB_JOURNAL,
};
/* for messages: "build-list.lock" */
static const char *
lock_name(enum sw_master_lock which)
{
	return sw_statepath_name(lock_paths[which]) + sizeof("locks/") - 1;
}

int
sw_statedir_open(struct sw_statedir *sd, const char *state_dir,
	struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	int i, ret = -1;

	sd->fd[0] = sd->fd[1] = -1;
	sd->dir = strdup(state_dir);
	if (sd->dir == NULL)
		return sw_err_sys(e, "cannot open state directory '%s'", state_dir);
	for (i = 0; i < SW_PATH_COUNT; i++) {
		if (!sw_statepath_created((enum sw_statepath)i))
			continue;
		if (sw_statedir_path(sd, (enum sw_statepath)i, &p, e) < 0)
			goto out;
		/* one mkdir(2) when the layout is there, as on every call but the first */
		if (mkdir(p.data, 0755) == 0 || errno == EEXIST)
			continue;
		if (sw_mkdir_p(p.data, 0755, e) < 0)
			goto out;
	}
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

void
sw_statedir_release(struct sw_statedir *sd)
{
	sw_lock_release(&sd->fd[SW_LOCK_PACKAGE_DB]);
	sw_lock_release(&sd->fd[SW_LOCK_BUILD_LIST]);
	free(sd->dir);
	sd->dir = NULL;
}

int
sw_statedir_path(const struct sw_statedir *sd, enum sw_statepath p,
	struct sw_buf *out, struct sw_err *e)
{
	return sw_statepath(out, sd->dir, p, e);
}

static int
journal_path(const struct sw_statedir *sd, enum sw_master_lock which,
	struct sw_buf *out, struct sw_err *e)
{
	return sw_statepath(out, sd->dir, journal_paths[which], e);
}

enum sw_lock_result
sw_statedir_lock(struct sw_statedir *sd, enum sw_master_lock which,
	int timeout_ms, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	enum sw_lock_result r = SW_LOCK_ERROR;

	if (which == SW_LOCK_BUILD_LIST && sd->fd[SW_LOCK_PACKAGE_DB] >= 0) {
		sw_err_set(e, "lock order: build-list.lock is taken before "
			"package-db.lock, never after");
		return SW_LOCK_ERROR;
	}
	if (sd->fd[which] >= 0) {
		sw_err_set(e, "%s is already held", lock_name(which));
		return SW_LOCK_ERROR;
	}
	if (sw_statepath(&p, sd->dir, lock_paths[which], e) < 0)
		goto out;
	r = sw_lock_take(p.data, timeout_ms, &sd->fd[which], e);
	if (r != SW_LOCK_OK)
		goto out;
	if (journal_path(sd, which, &p, e) < 0 || sw_txn_recover(p.data, e) < 0) {
		sw_lock_release(&sd->fd[which]);
		r = SW_LOCK_ERROR;
		goto out;
	}
	/*
	 * A change of both the state and the repositories is journaled under
	 * package-db.lock by a holder of both; if one was cut short, finish it
	 * before anyone reads the state (taking package-db.lock in order).
	 */
	if (which == SW_LOCK_BUILD_LIST) {
		if (journal_path(sd, SW_LOCK_PACKAGE_DB, &p, e) < 0) {
			sw_lock_release(&sd->fd[which]);
			r = SW_LOCK_ERROR;
			goto out;
		}
		if (access(p.data, F_OK) == 0) {
			r = sw_statedir_lock(sd, SW_LOCK_PACKAGE_DB, timeout_ms, e);
			sw_statedir_unlock(sd, SW_LOCK_PACKAGE_DB);
			if (r != SW_LOCK_OK)
				sw_lock_release(&sd->fd[which]);
		}
	}
out:
	sw_buf_release(&p);
	return r;
}

void
sw_statedir_unlock(struct sw_statedir *sd, enum sw_master_lock which)
{
	sw_lock_release(&sd->fd[which]);
}

int
sw_statedir_txn_begin(const struct sw_statedir *sd, enum sw_master_lock which,
	struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	int r;

	if (sd->fd[which] < 0) {
		sw_buf_release(&p);
		return sw_err_set(e, "%s is not held", lock_name(which));
	}
	r = journal_path(sd, which, &p, e);
	if (r == 0)
		r = sw_txn_begin(t, p.data, e);
	sw_buf_release(&p);
	return r;
}
