/*
 * assign: the choice of get-assignment (order, dependencies, broken
 * retries, cycles, "not ready" versus "nothing"), and sw_assign_get on a
 * real state directory (leases, the same slave again, the limit, reclaim).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "queue/assign.h"
#include "queue/pkgstate.h"

/* ---- the policy over a hand-made view -------------------------------- */

#define MAXN 16

struct tv {
	size_t n;
	uint8_t flags[MAXN];
	size_t deps[MAXN][MAXN];
	size_t nd[MAXN];
	uint64_t fail[MAXN];
	int64_t last[MAXN];
	bool unknown[MAXN];
	size_t broken_calls;
};

static int
tv_deps(void *ctx, size_t i, const size_t **v, size_t *n, struct sw_err *e)
{
	struct tv *t = ctx;

	(void)e;
	*v = t->deps[i];
	*n = t->nd[i];
	return t->unknown[i] ? 1 : 0;
}

static int
tv_flags(void *ctx, size_t i, unsigned *f, struct sw_err *e)
{
	struct tv *t = ctx;

	(void)e;
	*f = t->flags[i];
	return 0;
}

static int
tv_broken(void *ctx, size_t i, uint64_t *failures, int64_t *last,
	struct sw_err *e)
{
	struct tv *t = ctx;

	(void)e;
	t->broken_calls++;
	*failures = t->fail[i];
	*last = t->last[i];
	return 0;
}

static void
dep(struct tv *t, size_t a, size_t b)
{
	t->deps[a][t->nd[a]++] = b;
}

static void
broken(struct tv *t, size_t i, uint64_t failures, int64_t last)
{
	t->flags[i] |= SW_AF_BROKEN;
	t->fail[i] = failures;
	t->last[i] = last;
}

static const struct sw_assign_policy pol = { 100000, 2, 100 };

static enum sw_assign_result
choose(struct tv *t, size_t *pick)
{
	struct sw_assign_view v = { t->n, t, tv_flags, NULL, tv_deps, tv_broken };
	struct sw_err e;
	enum sw_assign_result r;

	*pick = SIZE_MAX;
	r = sw_assign_choose(&v, &pol, pick, &e);
	assert_int_not_equal(r, SW_ASSIGN_ERROR);
	return r;
}

static void
expect_pick(struct tv *t, size_t want)
{
	size_t pick;

	assert_int_equal(choose(t, &pick), SW_ASSIGN_OK);
	assert_int_equal(pick, want);
}

static void
expect_none(struct tv *t, enum sw_assign_result want)
{
	size_t pick;

	assert_int_equal(choose(t, &pick), want);
}

static void
test_order(void **state)
{
	struct tv t = { .n = 4 };

	(void)state;
	expect_pick(&t, 0);
	t.flags[0] = SW_AF_LOCKED;
	expect_pick(&t, 1);
	t.flags[1] = SW_AF_BLOCKED;
	expect_pick(&t, 2);
	t.flags[2] = SW_AF_BROKEN;
	t.fail[2] = 5;
	expect_pick(&t, 3);
}

static void
test_dependencies(void **state)
{
	struct tv t = { .n = 4 };

	(void)state;
	dep(&t, 1, 0);          /* 1 needs 0 */
	dep(&t, 2, 1);
	dep(&t, 3, 0);
	t.flags[0] = SW_AF_LOCKED;
	/* 0 is being built: everything else waits for it */
	expect_none(&t, SW_ASSIGN_NOT_READY);
	t.flags[0] = 0;
	expect_pick(&t, 0);
}

static void
test_dependency_on_blocked_is_nothing(void **state)
{
	struct tv t = { .n = 3 };

	(void)state;
	t.flags[0] = SW_AF_BLOCKED;
	dep(&t, 1, 0);
	dep(&t, 2, 1);
	expect_none(&t, SW_ASSIGN_NOTHING);
	/* a locked entry alone is nothing pending either */
	struct tv u = { .n = 1 };

	u.flags[0] = SW_AF_LOCKED;
	expect_none(&u, SW_ASSIGN_NOTHING);
	struct tv empty = { .n = 0 };

	expect_none(&empty, SW_ASSIGN_NOTHING);
}

static void
test_broken_second_pass(void **state)
{
	struct tv t = { .n = 4 };

	(void)state;
	broken(&t, 0, 2, 0);    /* two failures, long ago */
	broken(&t, 1, 1, 0);    /* one failure, long ago */
	t.flags[2] = SW_AF_LOCKED;
	t.flags[3] = SW_AF_BLOCKED;
	/* fewest failures first, even though 0 comes earlier */
	expect_pick(&t, 1);
	t.flags[1] |= SW_AF_LOCKED;
	expect_pick(&t, 0);
}

static void
test_broken_plain_first(void **state)
{
	struct tv t = { .n = 2 };

	(void)state;
	broken(&t, 0, 1, 0);
	expect_pick(&t, 1);
	/* the broken files are read only when no plain entry is ready */
	assert_int_equal(t.broken_calls, 0);
}

static void
test_broken_delay_doubles(void **state)
{
	struct sw_assign_policy p = { 1000, 3, 100 };

	(void)state;
	assert_true(sw_assign_retry_ready(&p, 0, 1000));
	assert_true(sw_assign_retry_ready(&p, 1, 900));
	assert_false(sw_assign_retry_ready(&p, 1, 901));
	assert_true(sw_assign_retry_ready(&p, 2, 800));
	assert_false(sw_assign_retry_ready(&p, 2, 801));
	assert_true(sw_assign_retry_ready(&p, 3, 600));
	assert_false(sw_assign_retry_ready(&p, 3, 601));
	/* out of retries: never again by itself */
	assert_false(sw_assign_retry_ready(&p, 4, 0));
	/* a clock that went backwards does not count as waiting */
	assert_false(sw_assign_retry_ready(&p, 1, 2000));
	/* huge delays do not overflow */
	p.broken_retries = 1000;
	p.broken_retry_delay = UINT64_MAX / 2;
	assert_false(sw_assign_retry_ready(&p, 900, 0));
}

static void
test_broken_waiting_or_exhausted(void **state)
{
	struct tv t = { .n = 1 };

	(void)state;
	broken(&t, 0, 1, pol.now - 10);    /* retry due in 90 s */
	expect_none(&t, SW_ASSIGN_NOT_READY);
	broken(&t, 0, 3, 0);               /* out of retries (2) */
	expect_none(&t, SW_ASSIGN_NOTHING);
	/* its dependents are stuck with it */
	struct tv u = { .n = 2 };

	broken(&u, 0, 3, 0);
	dep(&u, 1, 0);
	expect_none(&u, SW_ASSIGN_NOTHING);
}

static void
test_cycle(void **state)
{
	struct tv t = { .n = 5 };

	(void)state;
	/* 0 <-> 1 <-> 2 and 2 -> 0: everyone needs 1, 3 needs the cycle */
	dep(&t, 0, 1);
	dep(&t, 1, 0);
	dep(&t, 1, 2);
	dep(&t, 2, 1);
	dep(&t, 2, 0);
	dep(&t, 3, 2);
	dep(&t, 4, 3);
	/* 1 is depended on by 0 and 2; 0 by 1 and 2: a tie, list order */
	expect_pick(&t, 0);
	/* failed least wins a tie */
	broken(&t, 0, 1, 0);
	expect_pick(&t, 1);
	/* a locked member: the cycle is being broken already, wait */
	t.flags[2] = SW_AF_LOCKED;
	expect_none(&t, SW_ASSIGN_NOT_READY);
}

static void
test_cycle_most_depended_on(void **state)
{
	struct tv t = { .n = 3 };

	(void)state;
	dep(&t, 0, 2);
	dep(&t, 1, 2);
	dep(&t, 2, 0);
	dep(&t, 2, 1);
	expect_pick(&t, 2);
	/* a blocked member is skipped; another member still breaks the cycle */
	t.flags[2] = SW_AF_BLOCKED;
	expect_pick(&t, 0);
	t.flags[0] = t.flags[1] = SW_AF_BLOCKED;
	expect_none(&t, SW_ASSIGN_NOTHING);
}

static void
test_cycle_waits_outside(void **state)
{
	struct tv t = { .n = 3 };

	(void)state;
	dep(&t, 1, 2);
	dep(&t, 2, 1);
	dep(&t, 1, 0);       /* 1 also needs 0, which is locked */
	t.flags[0] = SW_AF_LOCKED;
	expect_pick(&t, 2);  /* 2 needs only members of its cycle */
	dep(&t, 2, 0);
	expect_none(&t, SW_ASSIGN_NOT_READY);
}

static void
test_unknown_deps(void **state)
{
	struct tv t = { .n = 2 };

	(void)state;
	t.unknown[0] = true;
	expect_pick(&t, 1);
	t.flags[1] = SW_AF_BLOCKED;
	expect_none(&t, SW_ASSIGN_NOTHING);
}

/* ---- sw_assign_get on a state directory ------------------------------ */

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333"

struct fx {
	char *dir;
	struct sw_master_conf c;
	struct sw_slave_entry_conf slaves[3];
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	static char path[] = "master.conf";
	static char arch[] = "x86_64";

	assert_non_null(x);
	x->dir = tu_tmpdir();
	x->c.path = path;
	x->c.state_dir = x->dir;
	x->c.arch = arch;
	x->c.lease_timeout = 600;
	x->c.broken_retries = 2;
	x->c.broken_retry_delay = 100;
	snprintf(x->slaves[0].sec.name, sizeof(x->slaves[0].sec.name), "alpha");
	snprintf(x->slaves[1].sec.name, sizeof(x->slaves[1].sec.name), "beta");
	snprintf(x->slaves[2].sec.name, sizeof(x->slaves[2].sec.name), "gamma");
	x->slaves[0].max_assignments = 1;
	x->slaves[1].max_assignments = 1;
	x->slaves[2].max_assignments = 2;
	x->c.slaves = x->slaves;
	x->c.nslaves = 3;
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	tu_rmrf(x->dir);
	free(x->dir);
	free(x);
	return 0;
}

static void
put(struct fx *x, const char *name, const char *content)
{
	char *p = tu_path(x->dir, name);

	tu_write_str(p, content);
	free(p);
}

static char *
get(struct fx *x, const char *name)
{
	char *p = tu_path(x->dir, name);
	char *s = tu_read(p);

	free(p);
	return s;
}

#define LIST "foo " C1 " " C2 " core\nbar " C1 " " C2 " core\nbaz " C1 " " C2 " extra\n"
#define META "foo core up core/foo - 1-1 foo -\n" \
	"bar core up core/bar - 1-1 bar foo\n" \
	"baz extra up extra/baz - 1-1 baz,baz-docs -\n"

static enum sw_assign_result
get_as(struct fx *x, const char *slave, int64_t now, char *out, size_t size)
{
	struct sw_id id;
	struct sw_err e;
	enum sw_assign_result r;

	r = sw_assign_get(&x->c, slave, now, 1000, &id, &e);
	if (r == SW_ASSIGN_ERROR)
		fail_msg("error: %s", e.msg);
	if (r == SW_ASSIGN_OK)
		snprintf(out, size, "%s.%s.%s.%s", id.pkgbase, id.src, id.mod, id.repo);
	else
		snprintf(out, size, "-");
	return r;
}

static void
test_get_leases(void **state)
{
	struct fx *x = *state;
	char got[512];
	char *s;

	put(x, "build-list", LIST);
	put(x, "build-meta", META);
	/* a dry run writes nothing */
	assert_int_equal(get_as(x, NULL, 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "foo." C1 "." C2 ".core");
	assert_int_equal(tu_count_entries(x->dir), 3 + 7 - 1); /* + dirs, no locked */
	assert_int_equal(get_as(x, "alpha", 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "foo." C1 "." C2 ".core");
	s = get(x, "package-states/foo." C1 "." C2 ".core.locked");
	assert_string_equal(s, "alpha 1000 1000 assigned\n");
	free(s);
	/* the same slave again: the same, its heartbeat refreshed */
	assert_int_equal(get_as(x, "alpha", 1010, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "foo." C1 "." C2 ".core");
	s = get(x, "package-states/foo." C1 "." C2 ".core.locked");
	assert_string_equal(s, "alpha 1000 1010 assigned\n");
	free(s);
	/* bar needs foo: beta gets baz */
	assert_int_equal(get_as(x, "beta", 1020, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "baz." C1 "." C2 ".extra");
	/* gamma (max 2): nothing is ready while foo is built */
	assert_int_equal(get_as(x, "gamma", 1030, got, sizeof(got)),
		SW_ASSIGN_NOT_READY);
	/* not yet expired at 600 s after the last heartbeat */
	assert_int_equal(get_as(x, "gamma", 1010 + 600, got, sizeof(got)),
		SW_ASSIGN_NOT_READY);
	/* alpha's lease expires: it is reclaimed and gamma gets foo */
	assert_int_equal(get_as(x, "gamma", 1010 + 601, got, sizeof(got)),
		SW_ASSIGN_OK);
	assert_string_equal(got, "foo." C1 "." C2 ".core");
	s = get(x, "package-states/foo." C1 "." C2 ".core.locked");
	assert_string_equal(s, "gamma 1611 1611 assigned\n");
	free(s);
	/* and alpha, asking again, has lost it */
	assert_int_equal(get_as(x, "alpha", 1612, got, sizeof(got)),
		SW_ASSIGN_NOT_READY);
}

static void
test_get_limit(void **state)
{
	struct fx *x = *state;
	char got[512];

	put(x, "build-list", LIST);
	put(x, "build-meta", "foo core up core/foo - 1-1 foo -\n"
		"bar core up core/bar - 1-1 bar -\n"
		"baz extra up extra/baz - 1-1 baz -\n");
	assert_int_equal(get_as(x, "gamma", 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "foo." C1 "." C2 ".core");
	assert_int_equal(get_as(x, "gamma", 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "bar." C1 "." C2 ".core");
	assert_int_equal(get_as(x, "gamma", 1000, got, sizeof(got)),
		SW_ASSIGN_AT_LIMIT);
	assert_int_equal(get_as(x, "alpha", 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "baz." C1 "." C2 ".extra");
	assert_int_equal(get_as(x, "beta", 1000, got, sizeof(got)),
		SW_ASSIGN_NOTHING);
}

static void
test_get_states(void **state)
{
	struct fx *x = *state;
	char got[512];

	put(x, "build-list", LIST);
	put(x, "build-meta", "foo core up core/foo - 1-1 foo -\n"
		"bar core up core/bar - 1-1 bar -\n"
		"baz extra up extra/baz - 1-1 baz -\n");
	char *ps = tu_path(x->dir, "package-states");

	assert_int_equal(mkdir(ps, 0755), 0);
	free(ps);
	put(x, "package-states/foo." C1 "." C2 ".core.blocked", "5 admin no\n");
	put(x, "package-states/bar." C1 "." C2 ".core.broken",
		"900 beta plain bar.log.gz\n");
	/* an older revision's state does not count */
	put(x, "package-states/baz." C3 "." C2 ".extra.blocked", "5 admin old\n");
	assert_int_equal(get_as(x, "alpha", 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "baz." C1 "." C2 ".extra");
	/* bar failed at 900, retry delay 100: due at 1000 */
	assert_int_equal(get_as(x, "beta", 999, got, sizeof(got)),
		SW_ASSIGN_NOT_READY);
	assert_int_equal(get_as(x, "beta", 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "bar." C1 "." C2 ".core");
}

static void
test_get_build_meta_other_order(void **state)
{
	struct fx *x = *state;
	char got[512];

	put(x, "build-list", LIST);
	put(x, "build-meta", "baz extra up extra/baz - 1-1 baz -\n"
		"bar core up core/bar - 1-1 bar baz\n"
		"foo core up core/foo - 1-1 foo baz,bar\n");
	assert_int_equal(get_as(x, "alpha", 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "baz." C1 "." C2 ".extra");
}

static void
test_get_malformed(void **state)
{
	struct fx *x = *state;
	struct sw_id id;
	struct sw_err e;

	put(x, "build-list", "foo " C1 " " C2 " core\nbar " C1 " core\n");
	assert_int_equal(sw_assign_get(&x->c, "alpha", 1, 1000, &id, &e),
		SW_ASSIGN_ERROR);
	tu_assert_contains(e.msg, "build-list:2: expected \"<pkgbase> <commit> <revision> <repository>\"");
	put(x, "build-list", "foo " C1 " " C2 " core\nfoo " C1 " " C2 " core\n");
	assert_int_equal(sw_assign_get(&x->c, "alpha", 1, 1000, &id, &e),
		SW_ASSIGN_ERROR);
	tu_assert_contains(e.msg, "listed twice");
	put(x, "build-list", "foo " C1 " " C2 " core\n");
	put(x, "build-meta", "foo core up core/foo - 1-1 foo ../x\n");
	assert_int_equal(sw_assign_get(&x->c, "alpha", 1, 1000, &id, &e),
		SW_ASSIGN_ERROR);
	tu_assert_contains(e.msg, "build-meta:1: invalid pkgbase '../x'");
	assert_int_equal(sw_assign_get(&x->c, "nobody", 1, 1000, &id, &e),
		SW_ASSIGN_ERROR);
	tu_assert_contains(e.msg, "unknown slave 'nobody'");
}

static void
test_get_no_meta(void **state)
{
	struct fx *x = *state;
	char got[512];

	put(x, "build-list", LIST);
	put(x, "build-meta", "baz extra up extra/baz - 1-1 baz -\n");
	assert_int_equal(get_as(x, "alpha", 1000, got, sizeof(got)), SW_ASSIGN_OK);
	assert_string_equal(got, "baz." C1 "." C2 ".extra");
	assert_int_equal(get_as(x, "beta", 1000, got, sizeof(got)),
		SW_ASSIGN_NOTHING);
}

static void
test_get_empty(void **state)
{
	struct fx *x = *state;
	char got[512];

	assert_int_equal(get_as(x, "alpha", 1000, got, sizeof(got)),
		SW_ASSIGN_NOTHING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_dependencies),
		cmocka_unit_test(test_dependency_on_blocked_is_nothing),
		cmocka_unit_test(test_broken_second_pass),
		cmocka_unit_test(test_broken_plain_first),
		cmocka_unit_test(test_broken_delay_doubles),
		cmocka_unit_test(test_broken_waiting_or_exhausted),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_cycle_most_depended_on),
		cmocka_unit_test(test_cycle_waits_outside),
		cmocka_unit_test(test_unknown_deps),
		cmocka_unit_test_setup_teardown(test_get_leases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_build_meta_other_order,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_no_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_empty, setup, teardown),
	};

	return cmocka_run_group_tests_name("assign", tests, NULL, NULL);
}
