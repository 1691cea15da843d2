/* depgraph: dependencies first, stable order, cycles kept together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/depgraph.h"

/* position of node v in the order */
static size_t
pos(const struct sw_depgraph *g, size_t v)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->order[i] == v)
			return i;
	fail_msg("node %zu missing from the order", v);
	return 0;
}

static void
edge(struct sw_depgraph *g, size_t a, size_t b)
{
	struct sw_err e;

	assert_int_equal(sw_depgraph_add_edge(g, a, b, &e), 0);
}

static void
test_no_edges_keeps_order(void **state)
{
	struct sw_depgraph g;
	struct sw_err e;
	size_t i;

	(void)state;
	sw_depgraph_init(&g, 5, &e);
	assert_int_equal(sw_depgraph_solve(&g, &e), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(g.order[i], i);
		assert_false(sw_depgraph_in_cycle(&g, i));
	}
	sw_depgraph_release(&g);
}

static void
test_chain_and_stability(void **state)
{
	struct sw_depgraph g;
	struct sw_err e;

	(void)state;
	/* 0 needs 3, 3 needs 4; 1 and 2 are free */
	sw_depgraph_init(&g, 5, &e);
	edge(&g, 0, 3);
	edge(&g, 3, 4);
	edge(&g, 0, 3); /* duplicate */
	edge(&g, 2, 2); /* self edge ignored */
	assert_int_equal(sw_depgraph_solve(&g, &e), 0);
	assert_true(pos(&g, 4) < pos(&g, 3));
	assert_true(pos(&g, 3) < pos(&g, 0));
	/* free nodes keep their relative order */
	assert_true(pos(&g, 1) < pos(&g, 2));
	assert_false(sw_depgraph_in_cycle(&g, 2));
	sw_depgraph_release(&g);
}

static void
test_three_cycle(void **state)
{
	struct sw_depgraph g;
	struct sw_err e;
	size_t i;

	(void)state;
	/* 1 -> 2 -> 3 -> 1, 0 needs 1, 3 needs 4 */
	sw_depgraph_init(&g, 5, &e);
	edge(&g, 1, 2);
	edge(&g, 2, 3);
	edge(&g, 3, 1);
	edge(&g, 0, 1);
	edge(&g, 3, 4);
	assert_int_equal(sw_depgraph_solve(&g, &e), 0);
	for (i = 1; i <= 3; i++) {
		assert_true(sw_depgraph_in_cycle(&g, i));
		assert_true(pos(&g, 4) < pos(&g, i));
		assert_true(pos(&g, i) < pos(&g, 0));
	}
	assert_false(sw_depgraph_in_cycle(&g, 0));
	assert_int_equal(g.comp[1], g.comp[2]);
	assert_int_equal(g.comp[2], g.comp[3]);
	/* members stay together */
	assert_int_equal(pos(&g, 2), pos(&g, 1) + 1);
	assert_int_equal(pos(&g, 3), pos(&g, 1) + 2);
	sw_depgraph_release(&g);
}

static void
test_long_chain_no_recursion(void **state)
{
	struct sw_depgraph g;
	struct sw_err e;
	size_t i, n = 100000;

	(void)state;
	sw_depgraph_init(&g, n, &e);
	for (i = 0; i + 1 < n; i++)
		edge(&g, i, i + 1);
	edge(&g, n - 1, 0); /* one huge cycle */
	assert_int_equal(sw_depgraph_solve(&g, &e), 0);
	assert_int_equal(g.ncomp, 1);
	assert_int_equal(g.comp_size[0], n);
	sw_depgraph_release(&g);
}

static void
test_edge_out_of_range(void **state)
{
	struct sw_depgraph g;
	struct sw_err e;

	(void)state;
	sw_depgraph_init(&g, 2, &e);
	assert_int_equal(sw_depgraph_add_edge(&g, 0, 2, &e), -1);
	sw_depgraph_release(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_edges_keeps_order),
		cmocka_unit_test(test_chain_and_stability),
		cmocka_unit_test(test_three_cycle),
		cmocka_unit_test(test_long_chain_no_recursion),
		cmocka_unit_test(test_edge_out_of_range),
	};

	return cmocka_run_group_tests_name("depgraph", tests, NULL, NULL);
}
