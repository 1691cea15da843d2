#include "core/txn.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"

#define JOURNAL_MAX (64 * 1024 * 1024)

int
sw_txn_begin(struct sw_txn *t, const char *journal, struct sw_err *e)
{
	sw_buf_init(&t->ops, 0);
	t->count = 0;
	t->journal = strdup(journal);
	if (t->journal == NULL)
		return sw_err_sys(e, "cannot start a transaction");
	return 0;
}

static int
add_op(struct sw_txn *t, char op, const char *from, const char *to,
	struct sw_err *e)
{
	size_t keep = t->ops.len;

	if (sw_buf_addch(&t->ops, op) < 0 || sw_buf_addch(&t->ops, '\0') < 0 ||
	    sw_buf_add(&t->ops, from, strlen(from) + 1) < 0 ||
	    sw_buf_add(&t->ops, to, strlen(to) + 1) < 0) {
		sw_buf_truncate(&t->ops, keep);
		return sw_err_sys(e, "cannot record a change of '%s'", to);
	}
	t->count++;
	return 0;
}

/* A temp name beside path: "<path>.tmp.XXXXXX", created by mk. */
static char *
temp_name(const char *path)
{
	char *tmp;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return NULL;
	return tmp;
}

int
sw_txn_replace(struct sw_txn *t, const char *path, const void *data,
	size_t len, mode_t mode, struct sw_err *e)
{
	char *tmp = temp_name(path);
	int fd = -1, ret = -1;
	bool made = false;

	if (tmp == NULL)
		return sw_err_sys(e, "cannot stage '%s'", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		sw_err_sys(e, "cannot create a temporary file for '%s'", path);
		goto out;
	}
	made = true;
	if (fchmod(fd, mode) < 0 || sw_write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		sw_err_sys(e, "cannot write '%s'", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		sw_err_sys(e, "cannot write '%s'", tmp);
		goto out;
	}
	fd = -1;
	ret = add_op(t, 'R', tmp, path, e);
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0 && made)
		unlink(tmp);
	free(tmp);
	return ret;
}

/* Makes path's temp twin with mk(target, tmp) under a fresh random name. */
static int
stage_link(struct sw_txn *t, const char *target, const char *path,
	int (*mk)(const char *, const char *), struct sw_err *e)
{
	char *tmp = temp_name(path);
	int tries, ret = -1;

	if (tmp == NULL)
		return sw_err_sys(e, "cannot stage link '%s'", path);
	/* mkstemp-like: a random name, retried on collision */
	for (tries = 0; tries < 100; tries++) {
		size_t n = strlen(tmp);

		snprintf(tmp + n - 6, 7, "%06lx",
			((unsigned long)random() ^ ((unsigned long)getpid() << 8)) & 0xffffff);
		if (mk(target, tmp) == 0)
			break;
		if (errno != EEXIST) {
			sw_err_sys(e, "cannot create link '%s'", tmp);
			goto out;
		}
	}
	if (tries == 100) {
		sw_err_set(e, "cannot create link beside '%s'", path);
		goto out;
	}
	ret = add_op(t, 'R', tmp, path, e);
	if (ret < 0)
		unlink(tmp);
out:
	free(tmp);
	return ret;
}

int
sw_txn_symlink(struct sw_txn *t, const char *target, const char *path,
	struct sw_err *e)
{
	return stage_link(t, target, path, symlink, e);
}

int
sw_txn_hardlink(struct sw_txn *t, const char *existing, const char *path,
	struct sw_err *e)
{
	return stage_link(t, existing, path, link, e);
}

int
sw_txn_rename(struct sw_txn *t, const char *from, const char *path,
	struct sw_err *e)
{
	return add_op(t, 'R', from, path, e);
}

int
sw_txn_remove(struct sw_txn *t, const char *path, struct sw_err *e)
{
	return add_op(t, 'D', "", path, e);
}

int
sw_txn_step(struct sw_txn *t, const char *name, struct sw_err *e)
{
	if (add_op(t, 'S', name, "/", e) < 0)
		return -1;
	t->count--;   /* a mark, not a change */
	return 0;
}

#ifdef SW_TEST_HOOKS
/*
 * The kill points of this process's commits, counted from 1 across all of
 * them: SIGKILL at the one $SLIPWAY_TEST_KILL_POINT names (txn.h).
 */
static void
kill_point(void)
{
	static unsigned long n;
	const char *at = getenv("SLIPWAY_TEST_KILL_POINT");
	char s[32];

	if (at == NULL)
		return;
	snprintf(s, sizeof(s), "%lu", ++n);
	if (strcmp(s, at) == 0)
		raise(SIGKILL);
}
#else
static void
kill_point(void)
{
}
#endif

/* Calls fn(op, from, to) for each record in ops[0..len). */
static int
each_op(const char *ops, size_t len,
	int (*fn)(char op, const char *from, const char *to, void *arg,
	struct sw_err *e), void *arg, struct sw_err *e)
{
	const char *p = ops, *end = ops + len;

	while (p < end) {
		const char *from, *to, *z;

		if (end - p < 2 || (p[0] != 'R' && p[0] != 'D' && p[0] != 'S') ||
		    p[1] != '\0')
			return sw_err_set(e, "corrupt transaction record");
		from = p + 2;
		z = memchr(from, '\0', (size_t)(end - from));
		if (z == NULL)
			return sw_err_set(e, "corrupt transaction record");
		to = z + 1;
		z = to < end ? memchr(to, '\0', (size_t)(end - to)) : NULL;
		if (z == NULL || to[0] != '/' || (p[0] == 'R' && from[0] != '/'))
			return sw_err_set(e, "corrupt transaction record");
		if (fn(p[0], from, to, arg, e) < 0)
			return -1;
		p = z + 1;
	}
	return 0;
}

/* Idempotent: a rename whose source is gone was done before the crash. */
static int
apply_op(char op, const char *from, const char *to, void *arg, struct sw_err *e)
{
	(void)arg;
	if (op == 'S') {
#ifdef SW_TEST_HOOKS
		const char *kill_at = getenv("SLIPWAY_TEST_KILL_STEP");

		if (kill_at != NULL && strcmp(kill_at, from) == 0)
			raise(SIGKILL);
#endif
		return 0;
	}
	if (op == 'R') {
		if (rename(from, to) < 0 && errno != ENOENT)
			return sw_err_sys(e, "cannot rename '%s' to '%s'", from, to);
	} else if (unlink(to) < 0 && errno != ENOENT)
		return sw_err_sys(e, "cannot remove '%s'", to);
	return 0;
}

/* fsyncs the directory of each target once per run of the same directory */
static int
sync_op(char op, const char *from, const char *to, void *arg, struct sw_err *e)
{
	struct sw_buf *last = arg;
	const char *slash = strrchr(to, '/');
	size_t dirlen = (size_t)(slash - to);

	(void)from;
	if (op == 'S')
		return 0;
	if (last->len == dirlen && memcmp(last->data, to, dirlen) == 0)
		return 0;
	sw_buf_reset(last);
	if (sw_buf_add(last, to, dirlen) < 0)
		return sw_err_sys(e, "cannot sync '%s'", to);
	return sw_fsync_parent(to, e);
}

/* apply_op in a commit (not a recovery): each change is a kill point. */
static int
commit_op(char op, const char *from, const char *to, void *arg,
	struct sw_err *e)
{
	if (op != 'S')
		kill_point();
	return apply_op(op, from, to, arg, e);
}

static int
drop_op(char op, const char *from, const char *to, void *arg, struct sw_err *e)
{
	(void)to;
	(void)arg;
	(void)e;
	if (op == 'R' && strstr(from, ".tmp.") != NULL)
		unlink(from);
	return 0;
}

static int
apply_all(const char *journal, const char *ops, size_t len, bool commit,
	struct sw_err *e)
{
	struct sw_buf last = SW_BUF_INIT;
	int r;

	if (each_op(ops, len, commit ? commit_op : apply_op, NULL, e) < 0)
		return -1;
	r = each_op(ops, len, sync_op, &last, e);
	sw_buf_release(&last);
	if (r < 0)
		return -1;
	if (commit)
		kill_point();
	return sw_file_remove(journal, e);
}

int
sw_txn_commit(struct sw_txn *t, struct sw_err *e)
{
	int ret = -1;

	if (t->count == 0) {
		ret = 0;
		goto out;
	}
	if (t->count == 1) {
		/* one rename or removal is atomic by itself: no journal needed */
		struct sw_buf last = SW_BUF_INIT;

		ret = each_op(t->ops.data, t->ops.len, commit_op, NULL, e);
		if (ret < 0)
			each_op(t->ops.data, t->ops.len, drop_op, NULL, NULL);
		else if ((ret = each_op(t->ops.data, t->ops.len, sync_op, &last,
		    e)) == 0)
			kill_point();
		sw_buf_release(&last);
		goto out;
	}
	kill_point();   /* staged, no journal yet */
	if (sw_file_replace(t->journal, t->ops.data, t->ops.len, 0644, e) < 0) {
		sw_txn_abort(t);
		return -1;
	}
	ret = apply_all(t->journal, t->ops.data, t->ops.len, true, e);
out:
	free(t->journal);
	t->journal = NULL;
	sw_buf_release(&t->ops);
	t->count = 0;
	return ret;
}

void
sw_txn_abort(struct sw_txn *t)
{
	each_op(t->ops.data, t->ops.len, drop_op, NULL, NULL);
	free(t->journal);
	t->journal = NULL;
	sw_buf_release(&t->ops);
	t->count = 0;
}

int
sw_txn_recover(const char *journal, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT;
	int r, ret = -1;

	r = sw_file_read(journal, JOURNAL_MAX, &data, e);
	if (r != 0) {
		ret = r == 1 ? 0 : -1;
		goto out;
	}
	if (apply_all(journal, data.data, data.len, false, e) < 0) {
		sw_err_prefix(e, "cannot finish the transaction in '%s'", journal);
		goto out;
	}
	ret = 0;
out:
	sw_buf_release(&data);
	return ret;
}
