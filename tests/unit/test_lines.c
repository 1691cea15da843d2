/* lines: exactly n fields per line, every defect an error at "file:line". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/fileio.h"
#include "core/lines.h"
#include "testutil.h"

struct fixture {
	struct sw_buf data;
	struct sw_lines l;
	struct sw_err e;
	char *f[4];
};

static void
load(struct fixture *x, const char *s, size_t len)
{
	sw_buf_init(&x->data, 0);
	assert_int_equal(sw_buf_add(&x->data, s, len), 0);
	sw_lines_init(&x->l, "dir/list", &x->data);
}

#define LOAD(x, lit) load(x, lit, sizeof(lit) - 1)

static int
next(struct fixture *x, size_t n, bool rest_last, size_t max)
{
	memset(x->f, 0, sizeof(x->f));
	return sw_lines_next(&x->l, x->f, n, rest_last, max, &x->e);
}

/* The data must fail at its first line with this message. */
static void
refuse(const char *s, size_t len, size_t n, bool rest_last, size_t max,
	const char *msg)
{
	struct fixture x;

	load(&x, s, len);
	if (next(&x, n, rest_last, max) != -1)
		fail_msg("accepted: '%s'", s);
	assert_string_equal(x.e.msg, msg);
	sw_buf_release(&x.data);
}

#define REFUSE(lit, n, rest, max, msg) refuse(lit, sizeof(lit) - 1, n, rest, max, msg)

static void
test_round_trip(void **state)
{
	struct fixture x;

	(void)state;
	LOAD(&x, "foo abc core\nbar.baz def extra-testing\n");
	assert_int_equal(next(&x, 3, false, 100), 1);
	assert_string_equal(x.f[0], "foo");
	assert_string_equal(x.f[1], "abc");
	assert_string_equal(x.f[2], "core");
	assert_int_equal(x.l.line, 1);
	assert_int_equal(next(&x, 3, false, 100), 1);
	assert_string_equal(x.f[0], "bar.baz");
	assert_string_equal(x.f[2], "extra-testing");
	assert_int_equal(next(&x, 3, false, 100), 0);
	assert_int_equal(next(&x, 3, false, 100), 0); /* stays at the end */
	assert_int_equal(x.l.line, 2);
	sw_buf_release(&x.data);
}

static void
test_empty(void **state)
{
	struct fixture x;

	(void)state;
	sw_buf_init(&x.data, 0);
	sw_lines_init(&x.l, "dir/list", &x.data);
	assert_int_equal(next(&x, 2, false, 100), 0);
	assert_int_equal(x.l.line, 0);
}

static void
test_rest_last(void **state)
{
	struct fixture x;

	(void)state;
	LOAD(&x, "1700000000 alice waits for  upstream: see #12\n1 bob x\n");
	assert_int_equal(next(&x, 3, true, 100), 1);
	assert_string_equal(x.f[0], "1700000000");
	assert_string_equal(x.f[1], "alice");
	assert_string_equal(x.f[2], "waits for  upstream: see #12");
	assert_int_equal(next(&x, 3, true, 100), 1);
	assert_string_equal(x.f[2], "x");
	assert_int_equal(next(&x, 3, true, 100), 0);
	sw_buf_release(&x.data);

	REFUSE("1 alice\n", 3, true, 100, "dir/list:1: expected 3 fields, found 2");
	REFUSE("1 alice \n", 3, true, 100, "dir/list:1: empty field 3");
}

static void
test_truncated(void **state)
{
	struct fixture x;

	(void)state;
	LOAD(&x, "a b\nc d");
	assert_int_equal(next(&x, 2, false, 100), 1);
	assert_int_equal(next(&x, 2, false, 100), -1);
	assert_string_equal(x.e.msg,
		"dir/list:2: truncated line (no newline at the end)");
	sw_buf_release(&x.data);
	REFUSE("a", 1, false, 100, "dir/list:1: truncated line (no newline at the end)");
}

static void
test_field_count(void **state)
{
	(void)state;
	REFUSE("a b\n", 3, false, 100, "dir/list:1: expected 3 fields, found 2");
	REFUSE("a\n", 3, false, 100, "dir/list:1: expected 3 fields, found 1");
	REFUSE("a b c d\n", 3, false, 100, "dir/list:1: more than 3 fields");
	REFUSE("a b c \n", 3, false, 100, "dir/list:1: more than 3 fields");
	REFUSE("a b\n", 1, false, 100, "dir/list:1: more than 1 fields");
}

static void
test_empty_field(void **state)
{
	(void)state;
	REFUSE("\n", 1, false, 100, "dir/list:1: empty field 1");
	REFUSE("a  b\n", 3, false, 100, "dir/list:1: empty field 2");
	REFUSE(" a b\n", 3, false, 100, "dir/list:1: empty field 1");
	REFUSE("a b \n", 3, false, 100, "dir/list:1: empty field 3");
	REFUSE("\n", 2, false, 100, "dir/list:1: expected 2 fields, found 1");
}

static void
test_nul_byte(void **state)
{
	(void)state;
	REFUSE("a\0b c\n", 2, false, 100, "dir/list:1: NUL byte in line");
	REFUSE("a b\0\n", 2, false, 100, "dir/list:1: NUL byte in line");
	REFUSE("\0\n", 1, false, 100, "dir/list:1: NUL byte in line");
}

static void
test_overlong(void **state)
{
	struct fixture x;

	(void)state;
	LOAD(&x, "0123456789\n01234567890\n");
	assert_int_equal(next(&x, 1, false, 10), 1); /* exactly max */
	assert_string_equal(x.f[0], "0123456789");
	assert_int_equal(next(&x, 1, false, 10), -1);
	assert_string_equal(x.e.msg, "dir/list:2: line longer than 10 bytes");
	sw_buf_release(&x.data);
}

static void
test_error_line_number(void **state)
{
	struct fixture x;

	(void)state;
	LOAD(&x, "a b\nc d\ne\nf g\n");
	assert_int_equal(next(&x, 2, false, 100), 1);
	assert_int_equal(next(&x, 2, false, 100), 1);
	assert_int_equal(next(&x, 2, false, 100), -1);
	assert_string_equal(x.e.msg, "dir/list:3: expected 2 fields, found 1");
	sw_buf_release(&x.data);
}

static void
test_only_spaces_split(void **state)
{
	struct fixture x;

	(void)state;
	/* tabs and CRs are bytes of a field; names.c judges them later */
	LOAD(&x, "a\tb c\r\n");
	assert_int_equal(next(&x, 2, false, 100), 1);
	assert_string_equal(x.f[0], "a\tb");
	assert_string_equal(x.f[1], "c\r");
	sw_buf_release(&x.data);
}

/* the file reader: records in order, an absent file is empty, a refusal names file:line */
struct rec {
	char seen[8][16];
	int n, refuse_at;
};

static int
record(char **f, void *arg, struct sw_err *e)
{
	struct rec *r = arg;

	if (r->n + 1 == r->refuse_at)
		return sw_err_set(e, "'%s' is not wanted", f[0]);
	snprintf(r->seen[r->n++], sizeof(r->seen[0]), "%s+%s", f[0], f[1]);
	return 0;
}

static int
format(struct sw_buf *out, const void *list, size_t i)
{
	return sw_buf_addf(out, "%s x\n", ((const char *const *)list)[i]);
}

static void
test_file_round_trip(void **state)
{
	const char *dir = *state, *names[] = { "a", "b", "c" };
	struct rec r = { .refuse_at = 0 };
	struct sw_err e;
	char path[4096];

	snprintf(path, sizeof(path), "%s/list", dir);
	assert_int_equal(sw_lines_read_file(path, 1024, 2, false, 64, record, &r,
		&e), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(sw_lines_write_file(path, names, 3, format, NULL, &e), 0);
	assert_int_equal(sw_lines_read_file(path, 1024, 2, false, 64, record, &r,
		&e), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.seen[0], "a+x");
	assert_string_equal(r.seen[2], "c+x");
	memset(&r, 0, sizeof(r));
	r.refuse_at = 2;
	assert_int_equal(sw_lines_read_file(path, 1024, 2, false, 64, record, &r,
		&e), -1);
	assert_non_null(strstr(e.msg, "/list:2: 'b' is not wanted"));
	/* a defect of the format itself is the line reader's error */
	memset(&r, 0, sizeof(r));
	assert_int_equal(sw_lines_read_file(path, 1024, 3, false, 64, record, &r,
		&e), -1);
	assert_non_null(strstr(e.msg, "/list:1"));
	assert_int_equal(r.n, 0);
	/* and a file over the cap is refused, not read in part */
	assert_int_equal(sw_lines_read_file(path, 4, 2, false, 64, record, &r,
		&e), -1);
	assert_int_equal(r.n, 0);
}

/* one record found by its key, no other line parsed or changed */
static void
test_find_keyed(void **state)
{
	static const char d[] = "ab x core\na x extra\na x core\nbad line\n"
		"a y\n";
	size_t off = 99, n = 99;

	(void)state;
	/* "ab" is not "a"; the key is whole fields */
	assert_int_equal(sw_lines_find_keyed(d, sizeof(d) - 1, 2, "a", "core",
		&off, &n), 1);
	assert_int_equal(off, 20);
	assert_int_equal(n, 9);
	assert_int_equal(sw_lines_find_keyed(d, sizeof(d) - 1, 2, "a", "cor",
		&off, &n), 0);
	assert_int_equal(sw_lines_find_keyed(d, sizeof(d) - 1, 1, "a", "x",
		&off, &n), 1);
	assert_int_equal(off, 10);
	/* a field the line does not have */
	assert_int_equal(sw_lines_find_keyed(d, sizeof(d) - 1, 3, "a", "core",
		&off, &n), 0);
	/* a last line without its newline */
	assert_int_equal(sw_lines_find_keyed(d, sizeof(d) - 2, 1, "a", "y",
		&off, &n), 1);
	assert_int_equal(n, 3);
}

static void
put_file(const char *path, const char *s)
{
	struct sw_err e;

	assert_int_equal(sw_file_replace(path, s, strlen(s), 0644, &e), 0);
}

static void
assert_file(const char *path, const char *want)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	assert_int_equal(sw_file_read(path, 1024, &b, &e), 0);
	assert_string_equal(b.data, want);
	sw_buf_release(&b);
}

static void
test_move_keyed(void **state)
{
	const char *dir = *state;
	struct sw_err e;
	char path[4096];

	snprintf(path, sizeof(path), "%s/list", dir);
	/* absent file: nothing listed, nothing written */
	assert_int_equal(sw_lines_move_keyed(path, 1024, 1, "a", "core", false,
		NULL, &e), 1);
	put_file(path, "a core 1\nb core 2\na extra 3\nodd\n");
	assert_int_equal(sw_lines_move_keyed(path, 1024, 1, "a", "core", true,
		NULL, &e), 0);
	assert_file(path, "b core 2\na extra 3\nodd\na core 1\n");
	assert_int_equal(sw_lines_move_keyed(path, 1024, 1, "a", "extra", false,
		NULL, &e), 0);
	assert_file(path, "b core 2\nodd\na core 1\n");
	assert_int_equal(sw_lines_move_keyed(path, 1024, 1, "c", "core", false,
		NULL, &e), 1);
	assert_file(path, "b core 2\nodd\na core 1\n");
	/* a key listed twice, a truncated file: errors at file:line */
	put_file(path, "a core 1\nb core 2\na core 3\n");
	assert_int_equal(sw_lines_move_keyed(path, 1024, 1, "a", "core", false,
		NULL, &e), -1);
	assert_non_null(strstr(e.msg, "/list:3: 'a' in 'core' is listed twice"));
	put_file(path, "a core 1\nb core 2");
	assert_int_equal(sw_lines_move_keyed(path, 1024, 1, "a", "core", false,
		NULL, &e), -1);
	assert_non_null(strstr(e.msg, "/list:2: truncated line"));
	assert_file(path, "a core 1\nb core 2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rest_last),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_field_count),
		cmocka_unit_test(test_empty_field),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_error_line_number),
		cmocka_unit_test(test_only_spaces_split),
		cmocka_unit_test_setup_teardown(test_file_round_trip,
			tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test(test_find_keyed),
		cmocka_unit_test_setup_teardown(test_move_keyed,
			tu_setup_tmpdir, tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests_name("lines", tests, NULL, NULL);
}
