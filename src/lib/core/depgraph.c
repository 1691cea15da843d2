#include "core/depgraph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX

int
sw_depgraph_init(struct sw_depgraph *g, size_t n, struct sw_err *e)
{
	memset(g, 0, sizeof(*g));
	g->n = n;
	(void)e;
	return 0;
}

void
sw_depgraph_release(struct sw_depgraph *g)
{
	free(g->from);
	free(g->to);
	free(g->comp);
	free(g->comp_size);
	free(g->order);
	memset(g, 0, sizeof(*g));
}

int
sw_depgraph_add_edge(struct sw_depgraph *g, size_t a, size_t b,
	struct sw_err *e)
{
	if (a >= g->n || b >= g->n)
		return sw_err_set(e, "dependency edge %zu -> %zu out of range", a, b);
	if (a == b)
		return 0;
	if (g->nedges == g->alloc) {
		size_t na = g->alloc ? g->alloc * 2 : 256;
		size_t *f = reallocarray(g->from, na, sizeof(*f));
		size_t *t;

		if (f == NULL)
			return sw_err_sys(e, "cannot grow dependency graph");
		g->from = f;
		t = reallocarray(g->to, na, sizeof(*t));
		if (t == NULL)
			return sw_err_sys(e, "cannot grow dependency graph");
		g->to = t;
		g->alloc = na;
	}
	g->from[g->nedges] = a;
	g->to[g->nedges] = b;
	g->nedges++;
	return 0;
}

/* Compressed adjacency: the edges of node v are adj[start[v] .. start[v+1]). */
static int
adjacency(const struct sw_depgraph *g, const size_t *src, const size_t *dst,
	size_t **start, size_t **adj)
{
	size_t i, *pos;

	*start = calloc(g->n + 1, sizeof(**start));
	*adj = calloc(g->nedges ? g->nedges : 1, sizeof(**adj));
	pos = calloc(g->n + 1, sizeof(*pos));
	if (*start == NULL || *adj == NULL || pos == NULL) {
		free(pos);
		return -1;
	}
	for (i = 0; i < g->nedges; i++)
		(*start)[src[i] + 1]++;
	for (i = 0; i < g->n; i++)
		(*start)[i + 1] += (*start)[i];
	memcpy(pos, *start, (g->n + 1) * sizeof(*pos));
	for (i = 0; i < g->nedges; i++)
		(*adj)[pos[src[i]]++] = dst[i];
	free(pos);
	return 0;
}

/* Iterative Tarjan over the "depends on" edges. */
static int
tarjan(struct sw_depgraph *g, const size_t *start, const size_t *adj)
{
	size_t *index = NULL, *low = NULL, *stack = NULL, *call = NULL,
		*next = NULL;
	unsigned char *on = NULL;
	size_t counter = 0, sp = 0, cp = 0, v;
	int ret = -1;

	index = malloc(g->n * sizeof(*index));
	low = malloc(g->n * sizeof(*low));
	stack = malloc(g->n * sizeof(*stack));
	call = malloc(g->n * sizeof(*call));
	next = malloc(g->n * sizeof(*next));
	on = calloc(g->n, 1);
	g->comp = malloc(g->n * sizeof(*g->comp));
	if (!index || !low || !stack || !call || !next || !on || !g->comp)
		goto out;
	for (v = 0; v < g->n; v++)
		index[v] = NONE;
	g->ncomp = 0;
	for (v = 0; v < g->n; v++) {
		if (index[v] != NONE)
			continue;
		call[cp++] = v;
		index[v] = low[v] = counter++;
		next[v] = start[v];
		stack[sp++] = v;
		on[v] = 1;
		while (cp > 0) {
			size_t u = call[cp - 1];

			if (next[u] < start[u + 1]) {
				size_t w = adj[next[u]++];

				if (index[w] == NONE) {
					index[w] = low[w] = counter++;
					next[w] = start[w];
					stack[sp++] = w;
					on[w] = 1;
					call[cp++] = w;
				} else if (on[w] && index[w] < low[u])
					low[u] = index[w];
				continue;
			}
			cp--;
			if (cp > 0 && low[u] < low[call[cp - 1]])
				low[call[cp - 1]] = low[u];
			if (low[u] == index[u]) {
				size_t w;

				do {
					w = stack[--sp];
					on[w] = 0;
					g->comp[w] = g->ncomp;
				} while (w != u);
				g->ncomp++;
			}
		}
	}
	ret = 0;
out:
	free(index);
	free(low);
	free(stack);
	free(call);
	free(next);
	free(on);
	return ret;
}

/* A binary min-heap of component numbers keyed by their smallest node. */
struct heap {
	size_t *v, n;
	const size_t *key;
};

static void
heap_push(struct heap *h, size_t c)
{
	size_t i = h->n++;

	h->v[i] = c;
	while (i > 0 && h->key[h->v[(i - 1) / 2]] > h->key[h->v[i]]) {
		size_t p = (i - 1) / 2, t = h->v[p];

		h->v[p] = h->v[i];
		h->v[i] = t;
		i = p;
	}
}

static size_t
heap_pop(struct heap *h)
{
	size_t top = h->v[0], i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < h->n && h->key[h->v[l]] < h->key[h->v[m]])
			m = l;
		if (r < h->n && h->key[h->v[r]] < h->key[h->v[m]])
			m = r;
		if (m == i)
			break;
		t = h->v[m];
		h->v[m] = h->v[i];
		h->v[i] = t;
		i = m;
	}
	return top;
}

int
sw_depgraph_solve(struct sw_depgraph *g, struct sw_err *e)
{
	size_t *start = NULL, *adj = NULL, *cfrom = NULL, *cto = NULL,
		*cstart = NULL, *cadj = NULL, *waiting = NULL, *minnode = NULL,
		*members = NULL, *mstart = NULL;
	struct heap h = { NULL, 0, NULL };
	size_t i, ncedges = 0, o = 0;
	int ret = -1;

	free(g->comp);
	free(g->comp_size);
	free(g->order);
	g->comp = g->comp_size = g->order = NULL;
	if (adjacency(g, g->from, g->to, &start, &adj) < 0 ||
	    tarjan(g, start, adj) < 0)
		goto nomem;
	g->comp_size = calloc(g->ncomp + 1, sizeof(*g->comp_size));
	minnode = malloc((g->ncomp + 1) * sizeof(*minnode));
	waiting = calloc(g->ncomp + 1, sizeof(*waiting));
	cfrom = malloc((g->nedges + 1) * sizeof(*cfrom));
	cto = malloc((g->nedges + 1) * sizeof(*cto));
	g->order = malloc((g->n + 1) * sizeof(*g->order));
	h.v = malloc((g->ncomp + 1) * sizeof(*h.v));
	mstart = calloc(g->ncomp + 2, sizeof(*mstart));
	members = malloc((g->n + 1) * sizeof(*members));
	if (!g->comp_size || !minnode || !waiting || !cfrom || !cto ||
	    !g->order || !h.v || !mstart || !members)
		goto nomem;
	for (i = 0; i < g->ncomp; i++)
		minnode[i] = NONE;
	for (i = 0; i < g->n; i++) {
		g->comp_size[g->comp[i]]++;
		if (minnode[g->comp[i]] == NONE)
			minnode[g->comp[i]] = i;
	}
	/* members of each component in node order */
	for (i = 0; i < g->ncomp; i++)
		mstart[i + 1] = mstart[i] + g->comp_size[i];
	{
		size_t *fill = calloc(g->ncomp + 1, sizeof(*fill));

		if (fill == NULL)
			goto nomem;
		for (i = 0; i < g->n; i++)
			members[mstart[g->comp[i]] + fill[g->comp[i]]++] = i;
		free(fill);
	}
	/* condensed edges: dependency component -> dependent component */
	for (i = 0; i < g->nedges; i++) {
		size_t a = g->comp[g->from[i]], b = g->comp[g->to[i]];

		if (a == b)
			continue;
		cfrom[ncedges] = b;
		cto[ncedges] = a;
		waiting[a]++;
		ncedges++;
	}
	{
		struct sw_depgraph cg = { .n = g->ncomp, .nedges = ncedges };

		if (adjacency(&cg, cfrom, cto, &cstart, &cadj) < 0)
			goto nomem;
	}
	h.key = minnode;
	for (i = 0; i < g->ncomp; i++)
		if (waiting[i] == 0)
			heap_push(&h, i);
	while (h.n > 0) {
		size_t c = heap_pop(&h), k;

		for (k = mstart[c]; k < mstart[c + 1]; k++)
			g->order[o++] = members[k];
		for (k = cstart[c]; k < cstart[c + 1]; k++)
			if (--waiting[cadj[k]] == 0)
				heap_push(&h, cadj[k]);
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot order %zu packages", g->n);
out:
	free(start);
	free(adj);
	free(cfrom);
	free(cto);
	free(cstart);
	free(cadj);
	free(waiting);
	free(minnode);
	free(members);
	free(mstart);
	free(h.v);
	return ret;
}

int
sw_depgraph_in_cycle(const struct sw_depgraph *g, size_t a)
{
	return g->comp_size[g->comp[a]] > 1;
}
