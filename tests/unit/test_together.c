/* together: the move-together state file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue/together.h"
#include "testutil.h"

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
test_file(void **state)
{
	struct sw_together t = { NULL, 0, 0 }, u = { NULL, 0, 0 };
	char dir[] = "/tmp/sw-together.XXXXXX", path[64];
	struct sw_err e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/move-together", dir);
	assert_int_equal(sw_together_read(path, &t, &e), 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(sw_together_add(&t, "extra", "libhc", "hc-one", "1-1",
		&e), 0);
	assert_int_equal(sw_together_add(&t, "extra", "libhc", "hc-two",
		"1:2.0-1.3", &e), 0);
	assert_int_equal(sw_together_add(&t, "core", "libhc", "hc-one", "1-1",
		&e), 0);
	/* the oldest build still counts: a second add keeps the first version */
	assert_int_equal(sw_together_add(&t, "extra", "libhc", "hc-one", "1-1.1",
		&e), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0].version, "1-1");
	assert_int_equal(sw_together_add(&t, "extra", "../x", "hc", "1-1", &e), -1);
	assert_int_equal(sw_together_add(&t, "extra", "libhc", "hc", "1 1", &e),
		-1);
	assert_int_equal(sw_together_write(path, &t, NULL, &e), 0);
	assert_int_equal(sw_together_read(path, &u, &e), 0);
	assert_int_equal(u.n, 3);
	assert_string_equal(u.v[1].pkgbase, "hc-two");
	assert_string_equal(u.v[1].version, "1:2.0-1.3");
	/* a library that reached stable drops its lines, in its line only */
	sw_together_drop(&u, "extra", "libhc");
	assert_int_equal(u.n, 1);
	assert_string_equal(u.v[0].repo, "core");
	sw_together_release(&u);
	sw_together_release(&t);

	write_file(path, "extra libhc hc-one 1-1\nextra libhc hc-one 1-2\n");
	assert_int_equal(sw_together_read(path, &u, &e), -1);
	assert_non_null(strstr(e.msg, ":2:"));
	assert_non_null(strstr(e.msg, "twice"));
	assert_int_equal(u.n, 0);
	write_file(path, "extra libhc hc-one\n");
	assert_int_equal(sw_together_read(path, &u, &e), -1);
	assert_non_null(strstr(e.msg, ":1:"));
	write_file(path, "extra libhc hc/one 1-1\n");
	assert_int_equal(sw_together_read(path, &u, &e), -1);
	write_file(path, "extra libhc hc-one 1-1");
	assert_int_equal(sw_together_read(path, &u, &e), -1);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
