/* triggers: the rebuild-triggers state file and matching a build's pkgnames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/triggers.h"
#include "testutil.h"

static void
test_add_match(void **state)
{
	struct sw_triggers t = { NULL, 0, 0 };
	struct sw_strvec out = SW_STRVEC_INIT;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_triggers_add(&t, "vlc", "ffmpeg x264", &e), 0);
	assert_int_equal(sw_triggers_add(&t, "vlc", "x264 libplacebo", &e), 0);
	assert_int_equal(sw_triggers_add(&t, "mpv", "ffmpeg mpv", &e), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.v[0].names.n, 3);        /* x264 once */
	assert_int_equal(sw_triggers_add(&t, "mpv", "ok Bad!", &e), -1);
	assert_non_null(strstr(e.msg, "Bad!"));
	assert_int_equal(sw_triggers_add(&t, "mpv", " ", &e), -1);
	assert_int_equal(sw_triggers_add(&t, "-no", "ffmpeg", &e), -1);
	assert_int_equal(t.n, 2);
	assert_int_equal(sw_triggers_match(&t, "ffmpeg", "ffmpeg", &out, &e), 0);
	assert_int_equal(out.n, 2);
	/* a pkgbase never triggers itself; each pkgbase comes back once */
	assert_int_equal(sw_triggers_match(&t, "mpv", "mpv", &out, &e), 0);
	assert_int_equal(sw_triggers_match(&t, "x264", "x264", &out, &e), 0);
	assert_int_equal(out.n, 2);
	sw_strvec_release(&out);
	assert_int_equal(sw_triggers_match(&t, "nothing", "nothing", &out, &e), 0);
	assert_int_equal(out.n, 0);
	sw_triggers_release(&t);
}

static void
test_file(void **state)
{
	struct sw_triggers t = { NULL, 0, 0 }, u = { NULL, 0, 0 };
	char dir[] = "/tmp/sw-triggers.XXXXXX", path[64];
	struct sw_err e;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rebuild-triggers", dir);
	assert_int_equal(sw_triggers_read(path, &t, &e), 0);     /* absent: empty */
	assert_int_equal(t.n, 0);
	assert_int_equal(sw_triggers_add(&t, "vlc", "ffmpeg x264", &e), 0);
	assert_int_equal(sw_triggers_add(&t, "mpv", "ffmpeg", &e), 0);
	assert_int_equal(sw_triggers_write(path, &t, NULL, &e), 0);
	assert_int_equal(sw_triggers_read(path, &u, &e), 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.v[0].pkgbase, "vlc");
	assert_string_equal(u.v[0].names.v[1], "x264");
	sw_triggers_release(&u);
	/* hostile files: a pkgbase twice, a bad name, no pkgname */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("vlc ffmpeg\nvlc x264\n", f);
	fclose(f);
	assert_int_equal(sw_triggers_read(path, &u, &e), -1);
	assert_non_null(strstr(e.msg, ":2:"));
	assert_non_null(strstr(e.msg, "listed twice"));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("vlc ffmpeg ../x\n", f);
	fclose(f);
	assert_int_equal(sw_triggers_read(path, &u, &e), -1);
	assert_non_null(strstr(e.msg, ":1:"));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("vlc\n", f);
	fclose(f);
	assert_int_equal(sw_triggers_read(path, &u, &e), -1);
	assert_int_equal(u.n, 0);
	sw_triggers_release(&t);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_match),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
