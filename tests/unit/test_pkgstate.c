/* pkgstate: per-package state files; round trips, malformed files, scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "queue/pkgstate.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define ID_FOO "foo." C1 "." C2 ".core"
#define ID_BAR "bar.baz." C2 "." C1 ".extra"
#define PKG1 "foo-1.0-1-x86_64.pkg.tar.zst"
#define PKG2 "foo-docs-1:1.0-1-any.pkg.tar.xz"

struct fx {
	char *dir;    /* state_dir */
	char *states; /* <state_dir>/package-states */
	struct sw_id foo, bar;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	x->dir = tu_tmpdir();
	x->states = tu_path(x->dir, "package-states");
	assert_int_equal(mkdir(x->states, 0755), 0);
	assert_int_equal(sw_id_parse(ID_FOO, &x->foo, NULL), 0);
	assert_int_equal(sw_id_parse(ID_BAR, &x->bar, NULL), 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	tu_rmrf(x->dir);
	free(x->dir);
	free(x->states);
	free(x);
	return 0;
}

/* <states>/<name>, malloc'ed */
static char *
state_file(const struct fx *x, const char *name)
{
	return tu_path(x->states, name);
}

static void
put(const struct fx *x, const char *name, const char *content, size_t len)
{
	char *p = state_file(x, name);

	tu_write(p, content, len);
	free(p);
}

#define PUT(x, name, lit) put(x, name, lit, sizeof(lit) - 1)

static void
expect_file(const struct fx *x, const char *name, const char *want)
{
	char *p = state_file(x, name), *s = tu_read(p);

	if (s == NULL)
		fail_msg("'%s' is missing", name);
	assert_string_equal(s, want);
	free(s);
	free(p);
}

/* e.msg must be "<states>/<name>:<rest>" */
static void
expect_msg(const struct fx *x, const struct sw_err *e, const char *name,
	const char *rest)
{
	char want[SW_ERR_MAX];

	snprintf(want, sizeof(want), "%s/%s:%s", x->states, name, rest);
	assert_string_equal(e->msg, want);
}

static void
test_state_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < SW_STATE_COUNT; i++)
		assert_int_equal(sw_state_parse(sw_state_name((enum sw_state)i)), i);
	assert_string_equal(sw_state_name(SW_STATE_BLOCKED), "blocked");
	assert_int_equal(sw_state_parse("lock"), -1);
	assert_int_equal(sw_state_parse(""), -1);
	assert_int_equal(sw_state_parse("Locked"), -1);
	assert_int_equal(sw_state_parse("locked.tmp"), -1);
}

static void
test_path_and_exists(void **state)
{
	struct fx *x = *state;
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;
	char want[4096];

	assert_int_equal(sw_pkgstate_path(&b, x->dir, &x->foo, SW_STATE_TESTING,
		&e), 0);
	snprintf(want, sizeof(want), "%s/" ID_FOO ".testing", x->states);
	assert_string_equal(b.data, want);
	sw_buf_release(&b);

	assert_int_equal(sw_pkgstate_exists(x->dir, &x->foo, SW_STATE_DONE, &e), 0);
	PUT(x, ID_FOO ".done", PKG1 "\n");
	assert_int_equal(sw_pkgstate_exists(x->dir, &x->foo, SW_STATE_DONE, &e), 1);
	assert_int_equal(sw_pkgstate_exists(x->dir, &x->bar, SW_STATE_DONE, &e), 0);
	assert_int_equal(sw_pkgstate_remove(x->dir, &x->foo, SW_STATE_DONE, NULL, &e), 0);
	assert_int_equal(sw_pkgstate_exists(x->dir, &x->foo, SW_STATE_DONE, &e), 0);
	assert_int_equal(sw_pkgstate_remove(x->dir, &x->foo, SW_STATE_DONE, NULL, &e), 0);
}

static void
test_forged_id_refused(void **state)
{
	struct fx *x = *state;
	struct sw_id bad = x->foo;
	struct sw_locked l = { "alpha", 1, 2, "build" };
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	/* an id that did not come through sw_id_parse is checked again */
	memcpy(bad.pkgbase, "../../x", 8);
	assert_int_equal(sw_pkgstate_path(&b, x->dir, &bad, SW_STATE_LOCKED, &e), -1);
	tu_assert_contains(e.msg, "invalid package id '../../x.");
	assert_int_equal(sw_pkgstate_write_locked(x->dir, &bad, &l, NULL, &e), -1);
	assert_int_equal(sw_pkgstate_exists(x->dir, &bad, SW_STATE_LOCKED, &e), -1);
	assert_int_equal(tu_count_entries(x->states), 0);
	assert_int_equal(tu_count_entries(x->dir), 1);
	sw_buf_release(&b);
}

static void
test_locked_round_trip(void **state)
{
	struct fx *x = *state;
	struct sw_locked l = { "alpha", 1700000000, 1700000042, "build" }, r;
	struct sw_err e;

	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), 1);
	assert_int_equal(sw_pkgstate_write_locked(x->dir, &x->foo, &l, NULL, &e), 0);
	expect_file(x, ID_FOO ".locked", "alpha 1700000000 1700000042 build\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), 0);
	assert_string_equal(r.slave, "alpha");
	assert_int_equal(r.lease_start, 1700000000);
	assert_int_equal(r.heartbeat, 1700000042);
	assert_string_equal(r.phase, "build");
	/* rewriting replaces */
	l.heartbeat = 1700000100;
	memcpy(l.phase, "sign", 5);
	assert_int_equal(sw_pkgstate_write_locked(x->dir, &x->foo, &l, NULL, &e), 0);
	expect_file(x, ID_FOO ".locked", "alpha 1700000000 1700000100 sign\n");
	assert_int_equal(tu_count_entries(x->states), 1);
}

static void
test_locked_write_refuses(void **state)
{
	struct fx *x = *state;
	struct sw_locked l = { "Alpha", 1, 2, "build" };
	struct sw_err e;

	assert_int_equal(sw_pkgstate_write_locked(x->dir, &x->foo, &l, NULL, &e), -1);
	assert_string_equal(e.msg, "invalid slave name 'Alpha'");
	memcpy(l.slave, "alpha", 6);
	memcpy(l.phase, "a b", 4);
	assert_int_equal(sw_pkgstate_write_locked(x->dir, &x->foo, &l, NULL, &e), -1);
	assert_string_equal(e.msg, "invalid phase 'a b'");
	memcpy(l.phase, "x\n", 3);
	assert_int_equal(sw_pkgstate_write_locked(x->dir, &x->foo, &l, NULL, &e), -1);
	assert_int_equal(tu_count_entries(x->states), 0);
}

static void
test_locked_malformed(void **state)
{
	struct fx *x = *state;
	const char *f = ID_FOO ".locked";
	struct sw_locked r;
	struct sw_err e;

	PUT(x, f, "alpha 1 2 build\nbeta 1 2 build\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "2: more than one line");

	PUT(x, f, "alpha 1 2 build");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: truncated line (no newline at the end)");

	PUT(x, f, "alpha 1 2\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: expected 4 fields, found 3");

	PUT(x, f, "alpha 1 2 build extra\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: more than 4 fields");

	PUT(x, f, "alpha -1 2 build\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: invalid number '-1': expected digits only");

	PUT(x, f, "alpha 1 99999999999999999999 build\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);

	PUT(x, f, "../alpha 1 2 build\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: invalid slave name '../alpha'");

	/* overlong fields */
	PUT(x, f, "s1234567890123456789012345678901234567890123456789012345678901234"
		" 1 2 build\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	tu_assert_contains(e.msg, ".locked:1: invalid slave name 's123");
	PUT(x, f, "alpha 1 2 p12345678901234567890123456789012\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: invalid phase 'p12345678901234567890123456789012'");

	PUT(x, f, "alpha 1 2 bu\0ild\n");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: NUL byte in line");

	PUT(x, f, "");
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	tu_assert_contains(e.msg, ".locked: empty state file");
}

static void
test_state_file_symlink(void **state)
{
	struct fx *x = *state;
	char *p = state_file(x, ID_FOO ".locked"), *t = tu_path(x->dir, "target");
	struct sw_locked l = { "alpha", 1, 2, "build" }, r;
	struct sw_err e;
	char *s;

	tu_write_str(t, "evil 1 2 build\n");
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), -1);
	tu_assert_contains(e.msg, "cannot open '");
	/* a write replaces the link, it does not write through it */
	assert_int_equal(sw_pkgstate_write_locked(x->dir, &x->foo, &l, NULL, &e), 0);
	s = tu_read(t);
	assert_string_equal(s, "evil 1 2 build\n");
	free(s);
	assert_int_equal(sw_pkgstate_read_locked(x->dir, &x->foo, &r, &e), 0);
	assert_string_equal(r.slave, "alpha");
	free(p);
	free(t);
}

static void
test_broken_round_trip(void **state)
{
	struct fx *x = *state;
	struct sw_attempt a = { 1700000000, "alpha", "plain",
		"foo.1700000000.log.gz" };
	struct sw_attempt *v = (struct sw_attempt *)1;
	struct sw_err e;
	size_t n = 99;

	assert_int_equal(sw_pkgstate_read_broken(x->dir, &x->foo, &v, &n, &e), 1);
	assert_null(v);
	assert_int_equal(n, 0);

	assert_int_equal(sw_pkgstate_add_broken(x->dir, &x->foo, &a, NULL, &e), 0);
	a.time = 1700000100;
	memcpy(a.slave, "beta", 5);
	memcpy(a.straw, "clean", 6);
	memcpy(a.log, "-", 2);
	assert_int_equal(sw_pkgstate_add_broken(x->dir, &x->foo, &a, NULL, &e), 0);
	expect_file(x, ID_FOO ".broken",
		"1700000000 alpha plain foo.1700000000.log.gz\n"
		"1700000100 beta clean -\n");
	assert_int_equal(sw_pkgstate_read_broken(x->dir, &x->foo, &v, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].time, 1700000000);
	assert_string_equal(v[0].slave, "alpha");
	assert_string_equal(v[0].straw, "plain");
	assert_string_equal(v[0].log, "foo.1700000000.log.gz");
	assert_string_equal(v[1].slave, "beta");
	assert_string_equal(v[1].log, "-");
	free(v);
	assert_int_equal(tu_count_entries(x->states), 1);
}

static void
test_broken_refuses(void **state)
{
	struct fx *x = *state;
	const char *f = ID_FOO ".broken";
	struct sw_attempt a = { 1, "alpha", "plain", "../../etc/passwd" };
	struct sw_attempt *v;
	struct sw_err e;
	size_t n;

	assert_int_equal(sw_pkgstate_add_broken(x->dir, &x->foo, &a, NULL, &e), -1);
	assert_string_equal(e.msg, "invalid log file name '../../etc/passwd'");
	memcpy(a.log, "logs/x.gz", 10);
	assert_int_equal(sw_pkgstate_add_broken(x->dir, &x->foo, &a, NULL, &e), -1);
	memcpy(a.log, "x y", 4);
	assert_int_equal(sw_pkgstate_add_broken(x->dir, &x->foo, &a, NULL, &e), -1);
	memcpy(a.log, "-", 2);
	a.time = -1;
	assert_int_equal(sw_pkgstate_add_broken(x->dir, &x->foo, &a, NULL, &e), -1);
	a.time = 1;
	memcpy(a.straw, "", 1);
	assert_int_equal(sw_pkgstate_add_broken(x->dir, &x->foo, &a, NULL, &e), -1);
	assert_int_equal(tu_count_entries(x->states), 0);

	/* a bad line in the file stops the read and the add */
	PUT(x, f, "1 alpha plain -\n2 beta clean .hidden\n");
	assert_int_equal(sw_pkgstate_read_broken(x->dir, &x->foo, &v, &n, &e), -1);
	expect_msg(x, &e, f, "2: invalid log file name '.hidden'");
	assert_null(v);
	assert_int_equal(n, 0);
	memcpy(a.straw, "plain", 6);
	assert_int_equal(sw_pkgstate_add_broken(x->dir, &x->foo, &a, NULL, &e), -1);
	expect_file(x, f, "1 alpha plain -\n2 beta clean .hidden\n");

	PUT(x, f, "1 alpha plain -\nx alpha plain -\n");
	assert_int_equal(sw_pkgstate_read_broken(x->dir, &x->foo, &v, &n, &e), -1);
	expect_msg(x, &e, f, "2: invalid number 'x': expected digits only");
	PUT(x, f, "1 alpha plain -\n2 alpha plain");
	assert_int_equal(sw_pkgstate_read_broken(x->dir, &x->foo, &v, &n, &e), -1);
	expect_msg(x, &e, f, "2: truncated line (no newline at the end)");
}

static void
test_blocked_round_trip(void **state)
{
	struct fx *x = *state;
	struct sw_blocked b = { 1700000000, "Admin.One",
		"waits for upstream: see https://example.org/x#1" }, r;
	struct sw_err e;

	assert_int_equal(sw_pkgstate_read_blocked(x->dir, &x->foo, &r, &e), 1);
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), 0);
	expect_file(x, ID_FOO ".blocked", "1700000000 Admin.One waits for upstream: "
		"see https://example.org/x#1\n");
	assert_int_equal(sw_pkgstate_read_blocked(x->dir, &x->foo, &r, &e), 0);
	assert_int_equal(r.time, 1700000000);
	assert_string_equal(r.who, "Admin.One");
	assert_string_equal(r.reason, b.reason);
}

static void
test_blocked_refuses(void **state)
{
	struct fx *x = *state;
	const char *f = ID_FOO ".blocked";
	struct sw_blocked b = { 1, "admin", "two\nlines" }, r;
	struct sw_err e;

	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), -1);
	assert_string_equal(e.msg, "block reason holds a control character");
	memcpy(b.reason, "tab\there", 9);
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), -1);
	memcpy(b.reason, "esc\x1b[2J", 8);
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), -1);
	memcpy(b.reason, "", 1);
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), -1);
	assert_string_equal(e.msg, "empty block reason");
	memcpy(b.reason, " lead", 6);
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), -1);
	memset(b.reason, 'r', SW_REASON_MAX);
	b.reason[SW_REASON_MAX] = '\0';
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), 0);
	memcpy(b.who, "a b", 4);
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), -1);
	assert_string_equal(e.msg, "invalid user name 'a b'");
	memcpy(b.who, "", 1);
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), -1);
	memcpy(b.who, "admin", 6);
	b.time = -5;
	assert_int_equal(sw_pkgstate_write_blocked(x->dir, &x->foo, &b, NULL, &e), -1);

	PUT(x, f, "1 admin first\n2 admin second\n");
	assert_int_equal(sw_pkgstate_read_blocked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "2: more than one line");
	PUT(x, f, "1 admin reason\twith tab\n");
	assert_int_equal(sw_pkgstate_read_blocked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: block reason holds a control character");
	PUT(x, f, "1 admin\n");
	assert_int_equal(sw_pkgstate_read_blocked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: expected 3 fields, found 2");
	PUT(x, f, "1 $(id) reason\n");
	assert_int_equal(sw_pkgstate_read_blocked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, f, "1: invalid user name '$(id)'");
}

static void
test_blocked_overlong_line(void **state)
{
	struct fx *x = *state;
	struct sw_blocked r;
	struct sw_err e;
	char line[700];

	memset(line, 'x', sizeof(line));
	memcpy(line, "1 admin ", 8);
	line[sizeof(line) - 1] = '\n';
	put(x, ID_FOO ".blocked", line, sizeof(line));
	assert_int_equal(sw_pkgstate_read_blocked(x->dir, &x->foo, &r, &e), -1);
	expect_msg(x, &e, ID_FOO ".blocked", "1: line longer than 512 bytes");
}

static void
test_files_round_trip(void **state)
{
	struct fx *x = *state;
	struct sw_strvec w = SW_STRVEC_INIT, r;
	struct sw_err e;
	int s;

	assert_int_equal(sw_strvec_push(&w, PKG1), 0);
	assert_int_equal(sw_strvec_push(&w, PKG2), 0);
	for (s = SW_STATE_DONE; s <= SW_STATE_TESTED; s++) {
		assert_int_equal(sw_pkgstate_read_files(x->dir, &x->bar,
			(enum sw_state)s, &r, &e), 1);
		assert_int_equal(r.n, 0);
		assert_int_equal(sw_pkgstate_write_files(x->dir, &x->bar,
			(enum sw_state)s, &w, NULL, &e), 0);
		assert_int_equal(sw_pkgstate_read_files(x->dir, &x->bar,
			(enum sw_state)s, &r, &e), 0);
		assert_int_equal(r.n, 2);
		assert_string_equal(r.v[0], PKG1);
		assert_string_equal(r.v[1], PKG2);
		assert_null(r.v[2]);
		sw_strvec_release(&r);
	}
	expect_file(x, ID_BAR ".testing", PKG1 "\n" PKG2 "\n");
	sw_strvec_release(&w);
}

static void
test_files_refuses(void **state)
{
	struct fx *x = *state;
	const char *f = ID_FOO ".done";
	struct sw_strvec w = SW_STRVEC_INIT, r;
	struct sw_err e;

	/* only the file states hold file lists */
	assert_int_equal(sw_pkgstate_write_files(x->dir, &x->foo, SW_STATE_LOCKED,
		&w, NULL, &e), -1);
	assert_string_equal(e.msg, "state 'locked' holds no file list");
	assert_int_equal(sw_pkgstate_read_files(x->dir, &x->foo, SW_STATE_BROKEN,
		&r, &e), -1);
	assert_int_equal(sw_pkgstate_write_files(x->dir, &x->foo, SW_STATE_DONE,
		&w, NULL, &e), -1);
	assert_string_equal(e.msg, "empty file list for state 'done'");
	assert_int_equal(sw_strvec_push(&w, PKG1), 0);
	assert_int_equal(sw_strvec_push(&w, "../" PKG2), 0);
	assert_int_equal(sw_pkgstate_write_files(x->dir, &x->foo, SW_STATE_DONE,
		&w, NULL, &e), -1);
	assert_string_equal(e.msg, "invalid package file name '../" PKG2 "'");
	sw_strvec_release(&w);
	/* the same file twice */
	assert_int_equal(sw_strvec_push(&w, PKG1), 0);
	assert_int_equal(sw_strvec_push(&w, PKG1), 0);
	assert_int_equal(sw_pkgstate_write_files(x->dir, &x->foo, SW_STATE_DONE,
		&w, NULL, &e), -1);
	assert_string_equal(e.msg, "'" PKG1 "' is listed twice");
	sw_strvec_release(&w);
	assert_int_equal(tu_count_entries(x->states), 0);

	PUT(x, f, PKG1 "\n" PKG2 ".sig\n");
	assert_int_equal(sw_pkgstate_read_files(x->dir, &x->foo, SW_STATE_DONE,
		&r, &e), 0); /* a signature is a package file name too */
	sw_strvec_release(&r);
	PUT(x, f, PKG1 "\nfoo-1.0-x86_64.pkg.tar.zst\n");
	assert_int_equal(sw_pkgstate_read_files(x->dir, &x->foo, SW_STATE_DONE,
		&r, &e), -1);
	expect_msg(x, &e, f, "2: invalid package file name 'foo-1.0-x86_64.pkg.tar.zst'");
	assert_int_equal(r.n, 0);
	assert_null(r.v[0]);
	PUT(x, f, PKG1 "\n" PKG2 "\n" PKG1 "\n");
	assert_int_equal(sw_pkgstate_read_files(x->dir, &x->foo, SW_STATE_DONE,
		&r, &e), -1);
	expect_msg(x, &e, f, "3: '" PKG1 "' is listed twice");
	PUT(x, f, PKG1 " " PKG2 "\n");
	assert_int_equal(sw_pkgstate_read_files(x->dir, &x->foo, SW_STATE_DONE,
		&r, &e), -1);
	expect_msg(x, &e, f, "1: more than 1 fields");
	PUT(x, f, "");
	assert_int_equal(sw_pkgstate_read_files(x->dir, &x->foo, SW_STATE_DONE,
		&r, &e), -1);
	assert_int_equal(r.n, 0);
}

struct seen {
	char ids[8][SW_ID_MAX + 1];
	int states[8];
	size_t n;
	size_t stop_after; /* 0: never */
	struct sw_err *e;
};

static int
record(const struct sw_id *id, enum sw_state s, void *arg)
{
	struct seen *sn = arg;

	assert_true(sn->n < 8);
	sw_id_format(id, sn->ids[sn->n], sizeof(sn->ids[0]));
	sn->states[sn->n++] = (int)s;
	if (sn->stop_after && sn->n == sn->stop_after)
		return sw_err_set(sn->e, "stop");
	return 0;
}

static bool
has(const struct seen *sn, const char *id, enum sw_state s)
{
	size_t i;

	for (i = 0; i < sn->n; i++)
		if (strcmp(sn->ids[i], id) == 0 && sn->states[i] == (int)s)
			return true;
	return false;
}

static void
test_scan(void **state)
{
	struct fx *x = *state;
	struct seen sn = { .n = 0 };
	struct sw_err e;
	size_t skipped = 99;

	PUT(x, ID_FOO ".locked", "alpha 1 2 build\n");
	PUT(x, ID_FOO ".broken", "1 alpha plain -\n");
	PUT(x, ID_BAR ".done", PKG1 "\n");
	/* not "<id>.<state>": skipped and counted */
	PUT(x, ID_FOO ".locked.tmp.Ab12Cd", "alpha 1 2 build\n"); /* interrupted write */
	PUT(x, ID_FOO ".unknown", "x\n");
	PUT(x, "foo." C1 ".locked", "x\n");
	PUT(x, "x." C1 "." C2 ".core.locked", "x\n"); /* an id: reported */
	PUT(x, "README", "x\n");
	PUT(x, ".hidden", "x\n");
	assert_int_equal(sw_pkgstate_scan(x->dir, record, &sn, &skipped, &e), 0);
	assert_int_equal(sn.n, 4);
	assert_true(has(&sn, ID_FOO, SW_STATE_LOCKED));
	assert_true(has(&sn, ID_FOO, SW_STATE_BROKEN));
	assert_true(has(&sn, ID_BAR, SW_STATE_DONE));
	assert_true(has(&sn, "x." C1 "." C2 ".core", SW_STATE_LOCKED));
	assert_int_equal(skipped, 5);

	/* NULL for skipped is fine */
	sn.n = 0;
	assert_int_equal(sw_pkgstate_scan(x->dir, record, &sn, NULL, &e), 0);
	assert_int_equal(sn.n, 4);
}

static void
test_scan_stop_and_absent(void **state)
{
	struct fx *x = *state;
	struct seen sn = { .n = 0 };
	struct sw_err e;
	size_t skipped = 99;
	char *none = tu_path(x->dir, "none");

	PUT(x, ID_FOO ".locked", "alpha 1 2 build\n");
	PUT(x, ID_BAR ".done", PKG1 "\n");
	sn.stop_after = 1;
	sn.e = &e;
	assert_int_equal(sw_pkgstate_scan(x->dir, record, &sn, &skipped, &e), -1);
	assert_string_equal(e.msg, "stop");
	assert_int_equal(sn.n, 1);

	/* no package-states directory yet: nothing to scan */
	sn.n = 0;
	assert_int_equal(sw_pkgstate_scan(none, record, &sn, &skipped, &e), 0);
	assert_int_equal(sn.n, 0);
	assert_int_equal(skipped, 0);
	free(none);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		T(test_path_and_exists),
		T(test_forged_id_refused),
		T(test_locked_round_trip),
		T(test_locked_write_refuses),
		T(test_locked_malformed),
		T(test_state_file_symlink),
		T(test_broken_round_trip),
		T(test_broken_refuses),
		T(test_blocked_round_trip),
		T(test_blocked_refuses),
		T(test_blocked_overlong_line),
		T(test_files_round_trip),
		T(test_files_refuses),
		T(test_scan),
		T(test_scan_stop_and_absent),
	};

	return cmocka_run_group_tests_name("pkgstate", tests, NULL, NULL);
}
