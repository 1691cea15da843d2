#include "queue/assign.h"

#include <stdlib.h>
#include <string.h>

#include "core/depgraph.h"
#include "queue/assign_snap.h"

bool
sw_assign_retry_ready(const struct sw_assign_policy *p, uint64_t failures,
	int64_t last)
{
	uint64_t wait = p->broken_retry_delay;
	uint64_t shift;

	if (failures == 0)
		return true;
	if (failures > p->broken_retries)
		return false;
	shift = failures - 1;
	if (shift >= 63 || (shift && wait > (UINT64_MAX >> shift)))
		wait = UINT64_MAX;
	else
		wait <<= shift;
	return p->now >= last && (uint64_t)(p->now - last) >= wait;
}

/* Everything steps 2 and 3 know of every entry. */
struct graph {
	struct sw_depgraph g;
	uint8_t *fl;          /* SW_AF_* */
	uint64_t *failures;   /* of broken entries */
	int64_t *last;
	bool *unknown;        /* no dependency information: never assignable */
	bool *stuck;
	size_t *rev_start, *rev; /* dependents of each entry */
};

static void
graph_release(struct graph *gr)
{
	sw_depgraph_release(&gr->g);
	free(gr->fl);
	free(gr->failures);
	free(gr->last);
	free(gr->unknown);
	free(gr->stuck);
	free(gr->rev_start);
	free(gr->rev);
}

/* Flags and failures of every entry (the dependency graph comes later). */
static int
graph_states(const struct sw_assign_view *v, struct graph *gr,
	struct sw_err *e)
{
	size_t i, n = v->n ? v->n : 1;
	unsigned f;

	gr->fl = calloc(n, sizeof(*gr->fl));
	gr->failures = calloc(n, sizeof(*gr->failures));
	gr->last = calloc(n, sizeof(*gr->last));
	gr->unknown = calloc(n, sizeof(*gr->unknown));
	gr->stuck = calloc(n, sizeof(*gr->stuck));
	if (!gr->fl || !gr->failures || !gr->last || !gr->unknown || !gr->stuck)
		return sw_err_sys(e, "cannot choose an assignment");
	if (v->all != NULL && v->all(v->ctx, e) < 0)
		return -1;
	for (i = 0; i < v->n; i++) {
		if (v->flags(v->ctx, i, &f, e) < 0)
			return -1;
		gr->fl[i] = (uint8_t)(f & SKIP);
		if ((f & SW_AF_BROKEN) &&
		    v->broken(v->ctx, i, &gr->failures[i], &gr->last[i], e) < 0)
			return -1;
	}
	return 0;
}

static int
graph_build(const struct sw_assign_view *v, struct graph *gr, struct sw_err *e)
{
	const size_t *d;
	size_t i, j, nd;
	int r;

	if (sw_depgraph_init(&gr->g, v->n, e) < 0)
		return -1;
	for (i = 0; i < v->n; i++) {
		r = v->deps(v->ctx, i, &d, &nd, e);
		if (r < 0)
			return -1;
		if (r > 0) {
			gr->unknown[i] = true;
			continue;
		}
		for (j = 0; j < nd; j++)
			if (sw_depgraph_add_edge(&gr->g, i, d[j], e) < 0)
				return -1;
	}
	return sw_depgraph_solve(&gr->g, e);
}

/* Dependents of each entry, from the edge list (a counting sort by target). */
static int
graph_reverse(const struct sw_assign_view *v, struct graph *gr,
	struct sw_err *e)
{
	size_t i, *fill = NULL;
	int ret = -1;

	gr->rev_start = calloc(v->n + 1, sizeof(*gr->rev_start));
	gr->rev = calloc(gr->g.nedges ? gr->g.nedges : 1, sizeof(*gr->rev));
	fill = calloc(v->n + 1, sizeof(*fill));
	if (!gr->rev_start || !gr->rev || !fill) {
		sw_err_sys(e, "cannot choose an assignment");
		goto out;
	}
	for (i = 0; i < gr->g.nedges; i++)
		gr->rev_start[gr->g.to[i] + 1]++;
	for (i = 0; i < v->n; i++)
		gr->rev_start[i + 1] += gr->rev_start[i];
	for (i = 0; i < gr->g.nedges; i++) {
		size_t t = gr->g.to[i];

		gr->rev[gr->rev_start[t] + fill[t]++] = gr->g.from[i];
	}
	ret = 0;
out:
	free(fill);
	return ret;
}

/* Can entry i be handed out as far as its own state goes? */
static bool
available(const struct sw_assign_policy *p, const struct graph *gr, size_t i)
{
	if (gr->fl[i] & (SW_AF_LOCKED | SW_AF_BLOCKED) || gr->unknown[i])
		return false;
	return !(gr->fl[i] & SW_AF_BROKEN) ||
		sw_assign_retry_ready(p, gr->failures[i], gr->last[i]);
}

/* Step 2: a broken entry with a retry due, fewest failures first. */
static int
pick_broken(const struct sw_assign_view *v, const struct sw_assign_policy *p,
	const struct graph *gr, long *best, struct sw_err *e)
{
	const size_t *d;
	size_t i, nd;
	int r;

	*best = -1;
	for (i = 0; i < v->n; i++) {
		if (gr->fl[i] != SW_AF_BROKEN ||
		    !sw_assign_retry_ready(p, gr->failures[i], gr->last[i]) ||
		    (*best >= 0 && gr->failures[i] >= gr->failures[*best]))
			continue;
		r = v->deps(v->ctx, i, &d, &nd, e);
		if (r < 0)
			return -1;
		if (r == 0 && nd == 0)
			*best = (long)i;
	}
	return 0;
}

/* Step 3: a member of an unlocked cycle; -1 if there is none, -2 error. */
static long
pick_in_cycle(const struct sw_assign_view *v, const struct sw_assign_policy *p,
	const struct graph *gr, struct sw_err *e)
{
	const struct sw_depgraph *g = &gr->g;
	bool *locked_comp = calloc(g->ncomp ? g->ncomp : 1, sizeof(bool));
	bool *outside = calloc(v->n ? v->n : 1, sizeof(bool));
	size_t *indeg = calloc(v->n ? v->n : 1, sizeof(size_t));
	long best = -1;
	size_t i;

	if (!locked_comp || !outside || !indeg) {
		sw_err_sys(e, "cannot choose an assignment");
		best = -2;
		goto out;
	}
	for (i = 0; i < v->n; i++)
		if (gr->fl[i] & SW_AF_LOCKED)
			locked_comp[g->comp[i]] = true;
	for (i = 0; i < g->nedges; i++) {
		size_t a = g->from[i], b = g->to[i];

		if (g->comp[a] == g->comp[b])
			indeg[b]++;
		else
			outside[a] = true;   /* waits for something outside its cycle */
	}
	for (i = 0; i < v->n; i++) {
		size_t c = g->comp[i], b;

		if (g->comp_size[c] < 2 || locked_comp[c] || outside[i] ||
		    !available(p, gr, i))
			continue;
		if (best < 0) {
			best = (long)i;
			continue;
		}
		b = (size_t)best;
		if (indeg[i] > indeg[b] ||
		    (indeg[i] == indeg[b] && gr->failures[i] < gr->failures[b]))
			best = (long)i;
	}
out:
	free(locked_comp);
	free(outside);
	free(indeg);
	return best;
}

/*
 * Is anything still pending? Entries that are blocked, out of retries or
 * without dependency information are stuck, and so is everything that
 * depends on a stuck entry; what is neither stuck nor locked is pending.
 */
static int
anything_pending(const struct sw_assign_view *v,
	const struct sw_assign_policy *p, struct graph *gr, bool *pending,
	struct sw_err *e)
{
	size_t *queue = NULL, head = 0, tail = 0, i, k;
	int ret = -1;

	*pending = false;
	if (graph_reverse(v, gr, e) < 0)
		goto out;
	queue = calloc(v->n ? v->n : 1, sizeof(*queue));
	if (queue == NULL) {
		sw_err_sys(e, "cannot choose an assignment");
		goto out;
	}
	for (i = 0; i < v->n; i++)
		if ((gr->fl[i] & SW_AF_BLOCKED) || gr->unknown[i] ||
		    ((gr->fl[i] & SW_AF_BROKEN) &&
		    gr->failures[i] > p->broken_retries)) {
			gr->stuck[i] = true;
			queue[tail++] = i;
		}
	while (head < tail) {
		size_t s = queue[head++];

		for (k = gr->rev_start[s]; k < gr->rev_start[s + 1]; k++) {
			size_t d = gr->rev[k];

			if (!gr->stuck[d]) {
				gr->stuck[d] = true;
				queue[tail++] = d;
			}
		}
	}
	for (i = 0; i < v->n; i++)
		if (!(gr->fl[i] & SW_AF_LOCKED) && !gr->stuck[i])
			*pending = true;
	ret = 0;
out:
	free(queue);
	return ret;
}

enum sw_assign_result
sw_assign_choose(const struct sw_assign_view *v,
	const struct sw_assign_policy *p, size_t *pick, struct sw_err *e)
{
	struct graph gr;
	enum sw_assign_result ret = SW_ASSIGN_ERROR;
	const size_t *d;
	size_t i, nd;
	unsigned f;
	bool pending;
	long c;
	int r;

	memset(&gr, 0, sizeof(gr));
	/* 1: the first plain entry whose dependencies are all built */
	for (i = 0; i < v->n; i++) {
		if (v->flags(v->ctx, i, &f, e) < 0)
			goto out;
		if (f & SKIP)
			continue;
		r = v->deps(v->ctx, i, &d, &nd, e);
		if (r < 0)
			goto out;
		if (r == 0 && nd == 0) {
			*pick = i;
			ret = SW_ASSIGN_OK;
			goto out;
		}
	}
	if (graph_states(v, &gr, e) < 0)
		goto out;
	/* 1 again, if looking at every entry told more (a reclaimed lease) */
	for (i = 0; i < v->n; i++) {
		if (gr.fl[i] & SKIP)
			continue;
		r = v->deps(v->ctx, i, &d, &nd, e);
		if (r < 0)
			goto out;
		if (r == 0 && nd == 0) {
			*pick = i;
			ret = SW_ASSIGN_OK;
			goto out;
		}
	}
	/* 2: a broken entry with a retry due */
	if (pick_broken(v, p, &gr, &c, e) < 0)
		goto out;
	if (c < 0) {
		/* 3: only cycles (or nothing) remain */
		if (graph_build(v, &gr, e) < 0)
			goto out;
		c = pick_in_cycle(v, p, &gr, e);
		if (c < -1)
			goto out;
	}
	if (c >= 0) {
		*pick = (size_t)c;
		ret = SW_ASSIGN_OK;
		goto out;
	}
	if (anything_pending(v, p, &gr, &pending, e) < 0)
		goto out;
	ret = pending ? SW_ASSIGN_NOT_READY : SW_ASSIGN_NOTHING;
out:
	graph_release(&gr);
	return ret;
}
