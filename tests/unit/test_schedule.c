/* schedule: the schedules state file, periods and what is due. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue/schedule.h"
#include "testutil.h"

static void
test_periods(void **state)
{
	struct sw_sched x = { "extra", "foo-git", SW_SCHEDULE_DAY, 1000 };

	(void)state;
	assert_int_equal(sw_schedule_period("daily"), SW_SCHEDULE_DAY);
	assert_int_equal(sw_schedule_period("weekly"), SW_SCHEDULE_WEEK);
	assert_int_equal(sw_schedule_period("hourly"), -1);
	assert_int_equal(sw_schedule_period("Daily"), -1);
	assert_string_equal(sw_schedule_name(SW_SCHEDULE_WEEK), "weekly");
	assert_false(sw_schedule_due(&x, 1000 + SW_SCHEDULE_DAY - 1));
	assert_true(sw_schedule_due(&x, 1000 + SW_SCHEDULE_DAY));
	x.period = SW_SCHEDULE_WEEK;
	assert_false(sw_schedule_due(&x, 1000 + 6 * SW_SCHEDULE_DAY));
}

static void
test_file(void **state)
{
	struct sw_schedules s = { NULL, 0, 0 }, u = { NULL, 0, 0 };
	char dir[] = "/tmp/sw-schedule.XXXXXX", path[64];
	struct sw_err e;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/schedules", dir);
	assert_int_equal(sw_schedules_read(path, &s, &e), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(sw_schedules_add(&s, "extra", "foo-git", SW_SCHEDULE_DAY,
		5, &e), 0);
	assert_int_equal(sw_schedules_add(&s, "extra", "bar-git", SW_SCHEDULE_WEEK,
		7, &e), 0);
	assert_int_equal(sw_schedules_add(&s, "extra", "foo-git", SW_SCHEDULE_DAY,
		5, &e), -1);
	assert_non_null(strstr(e.msg, "twice"));
	assert_int_equal(sw_schedules_add(&s, "../x", "foo", SW_SCHEDULE_DAY, 5,
		&e), -1);
	assert_int_equal(sw_schedules_add(&s, "extra", "baz", 3600, 5, &e), -1);
	assert_int_equal(sw_schedules_write(path, &s, NULL, &e), 0);
	assert_int_equal(sw_schedules_read(path, &u, &e), 0);
	assert_int_equal(u.n, 2);
	assert_int_equal(sw_schedules_find(&u, "extra", "bar-git"), 1);
	assert_int_equal(u.v[1].period, SW_SCHEDULE_WEEK);
	assert_int_equal(u.v[1].last, 7);
	sw_schedules_release(&u);
	/* hostile lines, each an error naming the line */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("extra foo-git daily 5\nextra bar-git daily -3\n", f);
	fclose(f);
	assert_int_equal(sw_schedules_read(path, &u, &e), -1);
	assert_non_null(strstr(e.msg, ":2:"));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("extra foo-git yearly 5\n", f);
	fclose(f);
	assert_int_equal(sw_schedules_read(path, &u, &e), -1);
	assert_non_null(strstr(e.msg, "'yearly' is not daily or weekly"));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("extra foo-git daily 5\nextra foo-git weekly 6\n", f);
	fclose(f);
	assert_int_equal(sw_schedules_read(path, &u, &e), -1);
	assert_non_null(strstr(e.msg, "twice"));
	assert_int_equal(u.n, 0);
	sw_schedules_release(&s);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
