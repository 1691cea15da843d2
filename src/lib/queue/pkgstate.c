#include "queue/pkgstate.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/lines.h"
#include "core/number.h"
#include "queue/statepath.h"

#define STATE_MAX_SIZE (4 * 1024 * 1024)
#define LINE_MAX_LEN 512

static const char *const state_names[SW_STATE_COUNT] = {
	"locked", "broken", "blocked", "done", "testing", "tested", "faulty",
};

const char *
sw_state_name(enum sw_state s)
{
	return state_names[s];
}

int
sw_state_parse(const char *s)
{
	int i;

	for (i = 0; i < SW_STATE_COUNT; i++)
		if (strcmp(state_names[i], s) == 0)
			return i;
	return -1;
}

int
sw_pkgstate_path(struct sw_buf *out, const char *state_dir,
	const struct sw_id *id, enum sw_state s, struct sw_err *e)
{
	char idstr[SW_ID_MAX + 1], suffix[16];
	struct sw_buf dir = SW_BUF_INIT;
	int ret;

	sw_id_format(id, idstr, sizeof(idstr));
	snprintf(suffix, sizeof(suffix), ".%s", state_names[s]);
	ret = sw_statepath(&dir, state_dir, SW_PATH_PACKAGE_STATES, e);
	if (ret == 0)
		ret = sw_name_path(out, dir.data, SW_NAME_ID, idstr, suffix, e);
	sw_buf_release(&dir);
	return ret;
}

int
sw_pkgstate_exists(const char *state_dir, const struct sw_id *id,
	enum sw_state s, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT;
	int ret = -1;

	if (sw_pkgstate_path(&path, state_dir, id, s, e) < 0)
		goto out;
	if (access(path.data, F_OK) == 0)
		ret = 1;
	else if (errno == ENOENT)
		ret = 0;
	else
		sw_err_sys(e, "cannot check '%s'", path.data);
out:
	sw_buf_release(&path);
	return ret;
}

int
sw_pkgstate_remove(const char *state_dir, const struct sw_id *id,
	enum sw_state s, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT;
	int ret = -1;

	if (sw_pkgstate_path(&path, state_dir, id, s, e) == 0)
		ret = t ? sw_txn_remove(t, path.data, e) : sw_file_remove(path.data, e);
	sw_buf_release(&path);
	return ret;
}

/*
 * Reads a state file and hands each line's n fields to fn.
 * Returns 0, 1 (absent) or -1.
 */
static int
read_state(const char *state_dir, const struct sw_id *id, enum sw_state s,
	size_t n, bool rest_last,
	int (*fn)(char **f, void *arg, struct sw_err *e), void *arg,
	struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, data = SW_BUF_INIT;
	struct sw_lines lines;
	struct sw_err fe;
	char *f[4];
	int r, ret = -1;

	if (sw_pkgstate_path(&path, state_dir, id, s, e) < 0)
		goto out;
	r = sw_file_read(path.data, STATE_MAX_SIZE, &data, e);
	if (r != 0) {
		ret = r;
		goto out;
	}
	sw_lines_init(&lines, path.data, &data);
	while ((r = sw_lines_next(&lines, f, n, rest_last, LINE_MAX_LEN, e)) == 1)
		if (fn(f, arg, &fe) < 0) {
			sw_err_set(e, "%s:%d: %s", path.data, lines.line, fe.msg);
			goto out;
		}
	if (r < 0)
		goto out;
	if (lines.line == 0) {
		sw_err_set(e, "%s: empty state file", path.data);
		goto out;
	}
	ret = 0;
out:
	sw_buf_release(&path);
	sw_buf_release(&data);
	return ret;
}

static int
write_state(const char *state_dir, const struct sw_id *id, enum sw_state s,
	const struct sw_buf *content, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT;
	int ret = -1;

	if (sw_pkgstate_path(&path, state_dir, id, s, e) == 0)
		ret = t ? sw_txn_replace(t, path.data, content->data, content->len,
			0644, e) :
			sw_file_replace(path.data, content->data, content->len, 0644, e);
	sw_buf_release(&path);
	return ret;
}

static int
copy_name(char *dst, size_t size, enum sw_name_kind kind, const char *s,
	struct sw_err *e)
{
	if (sw_name_check(kind, s, e) < 0)
		return -1;
	if (strlen(s) >= size)
		return sw_err_set(e, "'%s' is too long", s);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int
one_line_only(bool *seen, struct sw_err *e)
{
	if (*seen)
		return sw_err_set(e, "more than one line");
	*seen = true;
	return 0;
}

struct locked_ctx {
	struct sw_locked *l;
	bool seen;
};

static int
parse_locked(char **f, void *arg, struct sw_err *e)
{
	struct locked_ctx *c = arg;

	if (one_line_only(&c->seen, e) < 0 ||
	    copy_name(c->l->slave, sizeof(c->l->slave), SW_NAME_SLAVE, f[0], e) < 0 ||
	    sw_parse_time(f[1], &c->l->lease_start, e) < 0 ||
	    sw_parse_time(f[2], &c->l->heartbeat, e) < 0 ||
	    copy_name(c->l->phase, sizeof(c->l->phase), SW_NAME_PHASE, f[3], e) < 0)
		return -1;
	return 0;
}

int
sw_pkgstate_read_locked(const char *state_dir, const struct sw_id *id,
	struct sw_locked *out, struct sw_err *e)
{
	struct locked_ctx c = { out, false };

	memset(out, 0, sizeof(*out));
	return read_state(state_dir, id, SW_STATE_LOCKED, 4, false, parse_locked,
		&c, e);
}

int
sw_pkgstate_write_locked(const char *state_dir, const struct sw_id *id,
	const struct sw_locked *l, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT;
	int ret = -1;

	if (sw_name_check(SW_NAME_SLAVE, l->slave, e) < 0 ||
	    sw_name_check(SW_NAME_PHASE, l->phase, e) < 0)
		goto out;
	if (sw_buf_addf(&b, "%s %" PRId64 " %" PRId64 " %s\n", l->slave,
	    l->lease_start, l->heartbeat, l->phase) < 0) {
		sw_err_sys(e, "cannot write lock state");
		goto out;
	}
	ret = write_state(state_dir, id, SW_STATE_LOCKED, &b, t, e);
out:
	sw_buf_release(&b);
	return ret;
}

struct broken_ctx {
	struct sw_attempt *v;
	size_t n, alloc;
};

static int
check_log_name(const char *s, struct sw_err *e)
{
	size_t i;

	if (strcmp(s, "-") == 0)
		return 0;
	if (s[0] == '.' || strlen(s) > SW_FILENAME_MAX)
		return sw_err_set(e, "invalid log file name '%.64s'", s);
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("@._+-:", s[i])))
			return sw_err_set(e, "invalid log file name '%.64s'", s);
	return 0;
}

static int
parse_attempt(char **f, struct sw_attempt *a, struct sw_err *e)
{
	memset(a, 0, sizeof(*a));
	if (sw_parse_time(f[0], &a->time, e) < 0 ||
	    copy_name(a->slave, sizeof(a->slave), SW_NAME_SLAVE, f[1], e) < 0 ||
	    copy_name(a->straw, sizeof(a->straw), SW_NAME_PHASE, f[2], e) < 0 ||
	    check_log_name(f[3], e) < 0)
		return -1;
	memcpy(a->log, f[3], strlen(f[3]) + 1);
	return 0;
}

static int
collect_attempt(char **f, void *arg, struct sw_err *e)
{
	struct broken_ctx *c = arg;

	if (c->n == c->alloc) {
		size_t a = c->alloc ? c->alloc * 2 : 4;
		struct sw_attempt *p = reallocarray(c->v, a, sizeof(*p));

		if (p == NULL)
			return sw_err_sys(e, "cannot read attempts");
		c->v = p;
		c->alloc = a;
	}
	if (parse_attempt(f, &c->v[c->n], e) < 0)
		return -1;
	c->n++;
	return 0;
}

int
sw_pkgstate_read_broken(const char *state_dir, const struct sw_id *id,
	struct sw_attempt **v, size_t *n, struct sw_err *e)
{
	struct broken_ctx c = { NULL, 0, 0 };
	int r;

	r = read_state(state_dir, id, SW_STATE_BROKEN, 4, false, collect_attempt,
		&c, e);
	if (r != 0) {
		free(c.v);
		c.v = NULL;
		c.n = 0;
	}
	*v = c.v;
	*n = c.n;
	return r;
}

int
sw_pkgstate_add_broken(const char *state_dir, const struct sw_id *id,
	const struct sw_attempt *a, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_attempt *v = NULL;
	size_t n = 0, i;
	int ret = -1;

	if (sw_name_check(SW_NAME_SLAVE, a->slave, e) < 0 ||
	    sw_name_check(SW_NAME_PHASE, a->straw, e) < 0 ||
	    check_log_name(a->log, e) < 0 || a->time < 0)
		goto out;
	if (sw_pkgstate_read_broken(state_dir, id, &v, &n, e) < 0)
		goto out;
	for (i = 0; i <= n; i++) {
		const struct sw_attempt *x = i < n ? &v[i] : a;

		if (sw_buf_addf(&b, "%" PRId64 " %s %s %s\n", x->time, x->slave,
		    x->straw, x->log) < 0) {
			sw_err_sys(e, "cannot write broken state");
			goto out;
		}
	}
	ret = write_state(state_dir, id, SW_STATE_BROKEN, &b, t, e);
out:
	free(v);
	sw_buf_release(&b);
	return ret;
}

static int
check_reason(const char *s, struct sw_err *e)
{
	return sw_name_check_text("block reason", s, SW_REASON_MAX, e);
}

static int
check_who(const char *s, struct sw_err *e)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > SW_SLAVE_MAX)
		return sw_err_set(e, "invalid user name '%.64s'", s);
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("@._-", s[i])))
			return sw_err_set(e, "invalid user name '%.64s'", s);
	return 0;
}

struct blocked_ctx {
	struct sw_blocked *b;
	bool seen;
};

static int
parse_blocked(char **f, void *arg, struct sw_err *e)
{
	struct blocked_ctx *c = arg;

	if (one_line_only(&c->seen, e) < 0 ||
	    sw_parse_time(f[0], &c->b->time, e) < 0 || check_who(f[1], e) < 0 ||
	    check_reason(f[2], e) < 0)
		return -1;
	memcpy(c->b->who, f[1], strlen(f[1]) + 1);
	memcpy(c->b->reason, f[2], strlen(f[2]) + 1);
	return 0;
}

int
sw_pkgstate_read_blocked(const char *state_dir, const struct sw_id *id,
	struct sw_blocked *out, struct sw_err *e)
{
	struct blocked_ctx c = { out, false };

	memset(out, 0, sizeof(*out));
	return read_state(state_dir, id, SW_STATE_BLOCKED, 3, true, parse_blocked,
		&c, e);
}

int
sw_pkgstate_write_blocked(const char *state_dir, const struct sw_id *id,
	const struct sw_blocked *b, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf buf = SW_BUF_INIT;
	int ret = -1;

	if (b->time < 0 || check_who(b->who, e) < 0 || check_reason(b->reason, e) < 0)
		goto out;
	if (sw_buf_addf(&buf, "%" PRId64 " %s %s\n", b->time, b->who,
	    b->reason) < 0) {
		sw_err_sys(e, "cannot write block state");
		goto out;
	}
	ret = write_state(state_dir, id, SW_STATE_BLOCKED, &buf, t, e);
out:
	sw_buf_release(&buf);
	return ret;
}

static int
collect_file(char **f, void *arg, struct sw_err *e)
{
	if (sw_name_check(SW_NAME_PKGFILE, f[0], e) < 0)
		return -1;
	if (sw_strvec_contains(arg, f[0]))
		return sw_err_set(e, "'%s' is listed twice", f[0]);
	if (sw_strvec_push(arg, f[0]) < 0)
		return sw_err_sys(e, "cannot read file list");
	return 0;
}

static bool
is_file_state(enum sw_state s)
{
	return s == SW_STATE_DONE || s == SW_STATE_TESTING ||
		s == SW_STATE_TESTED || s == SW_STATE_FAULTY;
}

int
sw_pkgstate_read_files(const char *state_dir, const struct sw_id *id,
	enum sw_state s, struct sw_strvec *files, struct sw_err *e)
{
	int r;

	sw_strvec_init(files);
	if (!is_file_state(s))
		return sw_err_set(e, "state '%s' holds no file list", state_names[s]);
	r = read_state(state_dir, id, s, 1, false, collect_file, files, e);
	if (r != 0)
		sw_strvec_release(files);
	return r;
}

int
sw_pkgstate_write_files(const char *state_dir, const struct sw_id *id,
	enum sw_state s, const struct sw_strvec *files, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT;
	size_t i, j;
	int ret = -1;

	if (!is_file_state(s)) {
		sw_err_set(e, "state '%s' holds no file list", state_names[s]);
		goto out;
	}
	if (files->n == 0) {
		sw_err_set(e, "empty file list for state '%s'", state_names[s]);
		goto out;
	}
	for (i = 0; i < files->n; i++) {
		if (sw_name_check(SW_NAME_PKGFILE, files->v[i], e) < 0)
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(files->v[j], files->v[i]) == 0) {
				sw_err_set(e, "'%s' is listed twice", files->v[i]);
				goto out;
			}
		if (sw_buf_addf(&b, "%s\n", files->v[i]) < 0) {
			sw_err_sys(e, "cannot write file list");
			goto out;
		}
	}
	ret = write_state(state_dir, id, s, &b, t, e);
out:
	sw_buf_release(&b);
	return ret;
}

int
sw_pkgstate_scan(const char *state_dir,
	int (*fn)(const struct sw_id *id, enum sw_state s, void *arg), void *arg,
	size_t *skipped, struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT;
	struct dirent *d;
	DIR *dp = NULL;
	int ret = -1;

	if (skipped)
		*skipped = 0;
	if (sw_statepath(&dir, state_dir, SW_PATH_PACKAGE_STATES, e) < 0)
		goto out;
	dp = opendir(dir.data);
	if (dp == NULL) {
		if (errno == ENOENT)
			ret = 0;
		else
			sw_err_sys(e, "cannot open '%s'", dir.data);
		goto out;
	}
	while ((errno = 0, d = readdir(dp)) != NULL) {
		char name[SW_ID_MAX + 16];
		char *dot;
		struct sw_id id;
		int s;

		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		dot = strrchr(d->d_name, '.');
		if (dot == NULL || strlen(d->d_name) >= sizeof(name) ||
		    (s = sw_state_parse(dot + 1)) < 0)
			goto skip;
		memcpy(name, d->d_name, (size_t)(dot - d->d_name));
		name[dot - d->d_name] = '\0';
		if (sw_id_parse(name, &id, NULL) < 0)
			goto skip;
		if (fn(&id, (enum sw_state)s, arg) < 0)
			goto out;
		continue;
skip:
		if (skipped)
			(*skipped)++;
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", dir.data);
		goto out;
	}
	ret = 0;
out:
	if (dp != NULL)
		closedir(dp);
	sw_buf_release(&dir);
	return ret;
}
