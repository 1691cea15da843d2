/* sanity: the master's "not sane" mark; see sanity.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/number.h"
#include "queue/sanity.h"
#include "queue/statepath.h"

static int
mark_path(const char *state_dir, struct sw_buf *p, struct sw_err *e)
{
	return sw_statepath(p, state_dir, SW_PATH_NOT_SANE, e);
}

int
sw_sanity_read(const char *state_dir, int64_t *since,
	struct sw_strvec *problems, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, text = SW_BUF_INIT;
	char *p, *nl;
	int ret = -1, r;

	*since = 0;
	if (mark_path(state_dir, &path, e) < 0)
		goto out;
	r = sw_file_read(path.data, SW_SANITY_MARK_MAX, &text, e);
	if (r != 0) {
		ret = r;
		goto out;
	}
	for (p = text.data; *p != '\0'; p = nl) {
		nl = p + strcspn(p, "\n");
		if (*nl == '\n')
			*nl++ = '\0';
		if (p == text.data) {
			uint64_t t;

			if (sw_parse_u64(p, 0, INT64_MAX, &t, e) < 0) {
				sw_err_prefix(e, "'%s', line 1", path.data);
				goto out;
			}
			*since = (int64_t)t;
		} else if (*p != '\0' && sw_strvec_push(problems, p) < 0) {
			sw_err_sys(e, "cannot read '%s'", path.data);
			goto out;
		}
	}
	ret = 0;
out:
	sw_buf_release(&path);
	sw_buf_release(&text);
	return ret;
}

enum sw_sanity_result
sw_sanity_gate(const char *state_dir, struct sw_err *e)
{
	struct sw_strvec problems = SW_STRVEC_INIT;
	char when[32] = "?", more[48] = "";
	int64_t since;
	struct tm tm;
	time_t t;
	int r;
	enum sw_sanity_result ret = SW_SANITY_ERROR;

	r = sw_sanity_read(state_dir, &since, &problems, e);
	if (r < 0)
		goto out;
	if (r == 1) {
		ret = SW_SANITY_OK;
		goto out;
	}
	t = (time_t)since;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (problems.n > 1)
		snprintf(more, sizeof(more), " (and %zu more)", problems.n - 1);
	sw_err_set(e, "the master is marked not sane since %s: %s%s; fix it, "
		"then run 'sanity-check' (or 'sanity-check --repair') to clear "
		"the mark", when,
		problems.n ? problems.v[0] : "no violation recorded", more);
	ret = SW_SANITY_NOT_SANE;
out:
	sw_strvec_release(&problems);
	return ret;
}

int
sw_sanity_mark(const char *state_dir, const struct sw_strvec *problems,
	int64_t now, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, text = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	if (problems->n == 0) {
		sw_err_set(e, "no violation to mark the master not sane with");
		goto out;
	}
	if (mark_path(state_dir, &path, e) < 0)
		goto out;
	if (sw_buf_addf(&text, "%" PRId64 "\n", now) < 0)
		goto nomem;
	for (i = 0; i < problems->n; i++) {
		const char *p = problems->v[i];

		/* one violation per line: a newline inside one would split it */
		for (; *p != '\0'; p++)
			if (sw_buf_addch(&text, *p == '\n' ? ' ' : *p) < 0)
				goto nomem;
		if (sw_buf_addch(&text, '\n') < 0)
			goto nomem;
	}
	if (text.len > SW_SANITY_MARK_MAX)
		sw_buf_truncate(&text, SW_SANITY_MARK_MAX);
	ret = sw_file_replace(path.data, text.data, text.len, 0644, e);
	goto out;
nomem:
	sw_err_sys(e, "cannot write the sanity mark");
out:
	sw_buf_release(&path);
	sw_buf_release(&text);
	return ret;
}

int
sw_sanity_clear(const char *state_dir, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT;
	int ret = -1;

	if (mark_path(state_dir, &path, e) < 0)
		goto out;
	ret = sw_file_remove(path.data, e);
out:
	sw_buf_release(&path);
	return ret;
}
