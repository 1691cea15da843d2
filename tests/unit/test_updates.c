/* updates: merging actions into the lists, and build order with cycles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/keymap.h"
#include "source/updates.h"
#include "testutil.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define Z  "0000000000000000000000000000000000000000"

struct fx {
	char *dir;
	struct sw_build_list list;
	struct sw_deletion_list del;
	struct sw_buildmeta meta;
	struct sw_failures fails;
	struct sw_updates u;
	struct sw_txn t;
	char journal[4200];
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct sw_err e;

	assert_non_null(x);
	x->dir = tu_tmpdir();
	snprintf(x->journal, sizeof(x->journal), "%s/journal", x->dir);
	assert_int_equal(sw_txn_begin(&x->t, x->journal, &e), 0);
	sw_updates_init(&x->u);
	x->u.state_dir = x->dir;
	x->u.list = &x->list;
	x->u.del = &x->del;
	x->u.meta = &x->meta;
	x->u.failures = &x->fails;
	x->u.now = 1700000000;
	x->u.txn = &x->t;
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	sw_txn_abort(&x->t);
	sw_updates_release(&x->u);
	sw_buildlist_release(&x->list);
	sw_deletionlist_release(&x->del);
	sw_buildmeta_release(&x->meta);
	sw_failures_release(&x->fails);
	tu_rmrf(x->dir);
	free(x->dir);
	free(x);
	return 0;
}

static void
queue(struct sw_upd_action *a, const char *pkgbase, const char *src)
{
	sw_upd_action_init(a, SW_UPD_QUEUE, pkgbase, "extra");
	snprintf(a->src, sizeof(a->src), "%s", src);
	snprintf(a->mod, sizeof(a->mod), "%s", Z);
	snprintf(a->meta.source, sizeof(a->meta.source), "up");
	snprintf(a->meta.path, sizeof(a->meta.path), "%s", pkgbase);
	snprintf(a->meta.version, sizeof(a->meta.version), "1-1");
	assert_int_equal(sw_strvec_push(&a->meta.pkgnames, pkgbase), 0);
}

static void
merge(struct fx *x, struct sw_upd_action *acts, size_t n)
{
	struct sw_err e;
	size_t i;

	assert_int_equal(sw_updates_merge(&x->u, acts, n, &e), 0);
	for (i = 0; i < n; i++)
		sw_upd_action_release(&acts[i]);
}

/* QUEUE adds, QUEUE again updates in place, REMOVE moves to the deletion list, FAIL records */
static void
test_merge_actions(void **state)
{
	struct fx *x = *state;
	struct sw_upd_action a[3];

	queue(&a[0], "a", C1);
	queue(&a[1], "b", C1);
	queue(&a[2], "c", C1);
	merge(x, a, 3);
	assert_int_equal(x->list.n, 3);
	assert_int_equal(x->u.queued, 3);
	assert_int_equal(x->meta.n, 3);

	queue(&a[0], "b", C2);
	sw_upd_action_init(&a[1], SW_UPD_REMOVE, "a", "extra");
	sw_upd_action_init(&a[2], SW_UPD_FAIL, "c", "extra");
	snprintf(a[2].message, sizeof(a[2].message), "no pkgver");
	merge(x, a, 3);
	assert_int_equal(x->list.n, 1);
	assert_string_equal(x->list.v[0].pkgbase, "b");
	assert_string_equal(x->list.v[0].src, C2);
	assert_int_equal(x->u.updated, 1);
	assert_int_equal(x->del.n, 1);
	assert_string_equal(x->del.v[0].pkgbase, "a");
	assert_int_equal(x->fails.n, 1);
	assert_string_equal(x->fails.v[0].pkgbase, "c");
	assert_string_equal(x->fails.v[0].message, "no pkgver");
	assert_int_equal(sw_buildmeta_find(&x->meta, "a", "extra"), -1);

	/* queued again: off the deletion and failure lists */
	queue(&a[0], "a", C2);
	queue(&a[1], "c", C2);
	merge(x, a, 2);
	assert_int_equal(x->list.n, 3);
	assert_int_equal(x->del.n, 0);
	assert_int_equal(x->fails.n, 0);
}

static struct sw_pkginfo *
info(const char *name, const char *dep1, const char *dep2)
{
	struct sw_pkginfo *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	sw_pkginfo_init(p);
	assert_int_equal(sw_strvec_push(&p->pkgnames, name), 0);
	if (dep1)
		assert_int_equal(sw_strvec_push(&p->deps, dep1), 0);
	if (dep2)
		assert_int_equal(sw_strvec_push(&p->deps, dep2), 0);
	return p;
}

/* dependencies first; a cycle kept together and reported once */
static void
test_order_with_a_cycle(void **state)
{
	struct fx *x = *state;
	struct sw_upd_action a[4];
	struct sw_pkginfo *in[4];
	struct sw_upd_loops loops = { NULL, 0 };
	struct sw_buf text = SW_BUF_INIT;
	struct sw_err e;
	char name[SW_ID_MAX + 1];
	size_t i;

	queue(&a[0], "app", C1);
	queue(&a[1], "x", C1);
	queue(&a[2], "y", C1);
	queue(&a[3], "base", C1);
	merge(x, a, 4);
	in[0] = info("app", "x", "base");
	in[1] = info("x", "y", NULL);
	in[2] = info("y", "x", "base");
	in[3] = info("base", NULL, NULL);
	assert_int_equal(sw_updates_order(&x->u, in, &loops, &e), 0);
	assert_string_equal(x->list.v[0].pkgbase, "base");
	assert_string_equal(x->list.v[3].pkgbase, "app");
	assert_int_equal(loops.n, 1);
	assert_int_equal(loops.v[0].n, 2);
	assert_int_equal(sw_updates_loop_text(&x->u, &loops.v[0], name,
		sizeof(name), &text, &e), 0);
	assert_non_null(strstr(text.data, "x"));
	assert_non_null(strstr(text.data, "y"));
	/* build-meta follows the list, with the deps on it */
	for (i = 0; i < 4; i++)
		assert_string_equal(x->meta.v[i].pkgbase, x->list.v[i].pkgbase);
	assert_int_equal(x->meta.v[3].deps.n, 2);
	for (i = 0; i < 4; i++) {
		sw_pkginfo_release(in[i]);
		free(in[i]);
	}
	sw_upd_loops_release(&loops);
	sw_buf_release(&text);
}

/* an entry nothing is known about is dropped with a warning */
static void
test_order_drops_the_unknown(void **state)
{
	struct fx *x = *state;
	struct sw_upd_action a[2];
	struct sw_pkginfo *in[2];
	struct sw_upd_loops loops = { NULL, 0 };
	struct sw_err e;

	queue(&a[0], "known", C1);
	queue(&a[1], "unknown", C1);
	merge(x, a, 2);
	in[0] = info("known", NULL, NULL);
	in[1] = NULL;
	assert_int_equal(sw_updates_order(&x->u, in, &loops, &e), 0);
	assert_int_equal(x->list.n, 1);
	assert_string_equal(x->list.v[0].pkgbase, "known");
	assert_true(x->u.warnings.n >= 1);
	sw_pkginfo_release(in[0]);
	free(in[0]);
	sw_upd_loops_release(&loops);
}

/* pkgbuild-errors: written and read back; a bad name is refused at its line */
static void
test_failures_file(void **state)
{
	struct fx *x = *state;
	struct sw_failures f = { NULL, 0, 0 }, g = { NULL, 0, 0 };
	struct sw_upd_action a;
	struct sw_err e;
	char path[4200];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/pkgbuild-errors", x->dir);
	assert_int_equal(sw_failures_read(path, &f, &e), 0);
	assert_int_equal(f.n, 0);
	sw_upd_action_init(&a, SW_UPD_FAIL, "c", "extra");
	snprintf(a.message, sizeof(a.message), "bad pkgver: 'x y'");
	merge(x, &a, 1);
	assert_int_equal(sw_failures_write(path, &x->fails, NULL, &e), 0);
	assert_int_equal(sw_failures_read(path, &g, &e), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.v[0].message, "bad pkgver: 'x y'");
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs("../x extra oops\n", fp);
	fclose(fp);
	sw_failures_release(&g);
	assert_int_equal(sw_failures_read(path, &g, &e), -1);
	assert_non_null(strstr(e.msg, "pkgbuild-errors:2:"));
	sw_failures_release(&f);
}

static void
test_keymap(void **state)
{
	struct sw_keymap m;
	char a[16];
	size_t i;

	(void)state;
	assert_int_equal(sw_keymap_init(&m, 2), 0);
	assert_int_equal(sw_keymap_get(&m, "a", "b"), -1);
	for (i = 0; i < 1000; i++) {
		snprintf(a, sizeof(a), "p%zu", i);
		assert_int_equal(sw_keymap_put(&m, a, "extra", i), 0);
	}
	assert_int_equal(sw_keymap_put(&m, "p7", "extra", 70), 0);
	assert_int_equal(m.n, 1000);
	assert_int_equal(sw_keymap_get(&m, "p7", "extra"), 70);
	assert_int_equal(sw_keymap_get(&m, "p999", "extra"), 999);
	assert_int_equal(sw_keymap_get(&m, "p999", "core"), -1);
	sw_keymap_release(&m);
	assert_int_equal(sw_keymap_get(&m, "p7", "extra"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_merge_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_with_a_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_drops_the_unknown, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_failures_file, setup, teardown),
		cmocka_unit_test(test_keymap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
