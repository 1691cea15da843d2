/*
 * depgraph: build order over a dependency graph with cycles.
 *
 * Nodes are 0..n-1 (the caller maps them to packages, usually in build-list
 * order). sw_depgraph_add_edge(g, a, b) says "a build-depends on b": b
 * builds first. sw_depgraph_solve computes the strongly connected
 * components (iterative Tarjan: no recursion, so 10,000-package chains do
 * not blow the stack) and a build order in which every node comes after all
 * nodes it depends on outside its own component; among nodes that are
 * free to go, the lower number goes first (so the order is stable and
 * deterministic). Members of one component stay together, in node order.
 * All memory is owned by the graph; sw_depgraph_release frees it.
 */
#ifndef SW_DEPGRAPH_H
#define SW_DEPGRAPH_H

#include <stddef.h>

#include "core/err.h"

struct sw_depgraph {
	size_t n;
	size_t *from, *to;      /* edge list */
	size_t nedges, alloc;
	/* results of sw_depgraph_solve */
	size_t *comp;           /* component of each node */
	size_t ncomp;
	size_t *comp_size;      /* nodes in each component */
	size_t *order;          /* the build order: n node numbers */
};

int sw_depgraph_init(struct sw_depgraph *g, size_t n, struct sw_err *e);
void sw_depgraph_release(struct sw_depgraph *g);
/* Self edges are ignored; duplicates are harmless. */
int sw_depgraph_add_edge(struct sw_depgraph *g, size_t a, size_t b,
	struct sw_err *e);
int sw_depgraph_solve(struct sw_depgraph *g, struct sw_err *e);
/* After solve: is node a in a cycle (a component of two or more)? */
int sw_depgraph_in_cycle(const struct sw_depgraph *g, size_t a);

#endif
