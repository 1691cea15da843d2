#include "queue/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/lines.h"
#include "core/number.h"

#define SCHED_MAX_SIZE (16 * 1024 * 1024)
#define SCHED_LINE_MAX 512

void
sw_schedules_release(struct sw_schedules *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

long
sw_schedules_find(const struct sw_schedules *s, const char *repo,
	const char *pkgbase)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].repo, repo) == 0 &&
		    strcmp(s->v[i].pkgbase, pkgbase) == 0)
			return (long)i;
	return -1;
}

int64_t
sw_schedule_period(const char *word)
{
	if (strcmp(word, "daily") == 0)
		return SW_SCHEDULE_DAY;
	if (strcmp(word, "weekly") == 0)
		return SW_SCHEDULE_WEEK;
	return -1;
}

const char *
sw_schedule_name(int64_t period)
{
	return period == SW_SCHEDULE_WEEK ? "weekly" : "daily";
}

bool
sw_schedule_due(const struct sw_sched *x, int64_t now)
{
	return now - x->last >= x->period;
}

int
sw_schedules_add(struct sw_schedules *s, const char *repo,
	const char *pkgbase, int64_t period, int64_t last, struct sw_err *e)
{
	struct sw_sched *x;

	if (sw_name_check(SW_NAME_REPO, repo, e) < 0 ||
	    sw_name_check(SW_NAME_PKGBASE, pkgbase, e) < 0)
		return -1;
	if (period != SW_SCHEDULE_DAY && period != SW_SCHEDULE_WEEK)
		return sw_err_set(e, "a schedule is daily or weekly");
	if (sw_schedules_find(s, repo, pkgbase) >= 0)
		return sw_err_set(e, "'%s' in '%s' is listed twice", pkgbase, repo);
	if (s->n == s->alloc) {
		size_t a = s->alloc ? s->alloc * 2 : 16;
		struct sw_sched *v = reallocarray(s->v, a, sizeof(*v));

		if (v == NULL)
			return sw_err_sys(e, "cannot keep the schedules");
		s->v = v;
		s->alloc = a;
	}
	x = &s->v[s->n++];
	snprintf(x->repo, sizeof(x->repo), "%s", repo);
	snprintf(x->pkgbase, sizeof(x->pkgbase), "%s", pkgbase);
	x->period = period;
	x->last = last;
	return 0;
}

static int
record(char **f, void *arg, struct sw_err *e)
{
	int64_t period = sw_schedule_period(f[2]), last;

	if (period < 0)
		return sw_err_set(e, "'%s' is not daily or weekly", f[2]);
	if (sw_parse_time(f[3], &last, e) < 0)
		return -1;
	return sw_schedules_add(arg, f[0], f[1], period, last, e);
}

int
sw_schedules_read(const char *path, struct sw_schedules *s, struct sw_err *e)
{
	memset(s, 0, sizeof(*s));
	if (sw_lines_read_file(path, SCHED_MAX_SIZE, 4, false, SCHED_LINE_MAX,
	    record, s, e) < 0) {
		sw_schedules_release(s);
		return -1;
	}
	return 0;
}

static int
format_one(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_sched *x = &((const struct sw_schedules *)list)->v[i];

	return sw_buf_addf(out, "%s %s %s %lld\n", x->repo, x->pkgbase,
		sw_schedule_name(x->period), (long long)x->last);
}

int
sw_schedules_write(const char *path, const struct sw_schedules *s,
	struct sw_txn *t, struct sw_err *e)
{
	return sw_lines_write_file(path, s, s->n, format_one, t, e);
}
