#include "queue/assign.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "queue/buildlist.h"
#include "core/depgraph.h"
#include "core/fileio.h"
#include "core/log.h"
#include "queue/pkgstate.h"
#include "queue/statedir.h"
#include "core/txn.h"

#define META_MAX_SIZE (256 * 1024 * 1024)
#define PHASE_ASSIGNED "assigned"

/* ---- the policy ------------------------------------------------------ */

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

#define SKIP (SW_AF_LOCKED | SW_AF_BLOCKED | SW_AF_BROKEN)

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

/* ---- the master's state ---------------------------------------------- */

/* Internal flag bits beside SW_AF_*. */
#define AF_KNOWN 0x80u      /* flags found out (by fstatat) */
#define AF_RECLAIMED 0x40u  /* its lease is being reclaimed by this call */

/* A build-list entry: fields are offsets into the mapped build list. */
struct ent {
	uint32_t off;          /* of the line */
	uint8_t blen, slen, mlen, rlen;
	int32_t next;          /* next entry in the same pkgbase bucket */
	int32_t meta;          /* its build-meta line; -1 unknown, -2 none */
};

struct snap {
	const struct sw_master_conf *c;
	const char *slave;     /* NULL: dry run */
	int64_t now;
	struct sw_statedir sd;
	struct sw_txn t;
	bool txn;
	struct sw_buf list_path, meta_path, dir, path;
	struct sw_map list, meta;
	struct ent *ents;
	size_t n;
	int32_t *heads;
	size_t mask;
	uint8_t *flags;
	bool full;             /* package-states/ was read */
	size_t stats;          /* entries looked at with fstatat */
	/* build-meta line starts, found as far as needed; a hash if out of order */
	uint32_t *mline;
	size_t mn, malloc_n;
	const char *mnext_p;
	int32_t *mheads, *mnext;
	/* scratch for deps() */
	size_t *depv;
	size_t depn, depalloc;
	/* a new lease, written and fsynced before the lock, renamed under it */
	char *lease_tmp;
};

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

static const char *
ent_pkgbase(const struct snap *s, size_t i)
{
	return s->list.data + s->ents[i].off;
}

static const char *
ent_src(const struct snap *s, size_t i)
{
	return ent_pkgbase(s, i) + s->ents[i].blen + 1;
}

static const char *
ent_mod(const struct snap *s, size_t i)
{
	return ent_src(s, i) + s->ents[i].slen + 1;
}

static const char *
ent_repo(const struct snap *s, size_t i)
{
	return ent_mod(s, i) + s->ents[i].mlen + 1;
}

static bool
mem_is(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* The entry for (pkgbase, repo), or -1. */
static long
find_entry(const struct snap *s, const char *b, size_t blen, const char *r,
	size_t rlen)
{
	int32_t i;

	if (s->n == 0)
		return -1;
	for (i = s->heads[hash_bytes(b, blen) & s->mask]; i >= 0;
	    i = s->ents[i].next)
		if (mem_is(ent_pkgbase(s, (size_t)i), s->ents[i].blen, b, blen) &&
		    mem_is(ent_repo(s, (size_t)i), s->ents[i].rlen, r, rlen))
			return i;
	return -1;
}

/* The entry for exactly this id (same commits), or -1. */
static long
find_id(const struct snap *s, const struct sw_id *id)
{
	long i = find_entry(s, id->pkgbase, strlen(id->pkgbase), id->repo,
		strlen(id->repo));

	if (i >= 0 && mem_is(ent_src(s, (size_t)i), s->ents[i].slen, id->src,
	    strlen(id->src)) && mem_is(ent_mod(s, (size_t)i), s->ents[i].mlen,
	    id->mod, strlen(id->mod)))
		return i;
	return -1;
}

/* Splits the line at p (up to '\n' before end) into n space-separated fields. */
static int
split_line(const char *p, const char *end, const char **f, size_t *len,
	size_t n, const char *path, size_t line, const char **next,
	struct sw_err *e)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t k;

	if (nl == NULL)
		return sw_err_set(e, "%s:%zu: truncated line (no newline at the end)",
			path, line);
	for (k = 0; k < n; k++) {
		const char *sp = k + 1 < n ? memchr(p, ' ', (size_t)(nl - p)) : nl;

		if (sp == NULL)
			return sw_err_set(e, "%s:%zu: expected %zu fields, found %zu",
				path, line, n, k + 1);
		if (sp == p)
			return sw_err_set(e, "%s:%zu: empty field %zu", path, line, k + 1);
		f[k] = p;
		len[k] = (size_t)(sp - p);
		p = sp + 1;
	}
	if (memchr(f[n - 1], ' ', len[n - 1]) != NULL)
		return sw_err_set(e, "%s:%zu: more than %zu fields", path, line, n);
	*next = nl + 1;
	return 0;
}

/* Length of a commit field at p (40 or 64 hex digits then a space), or 0. */
static size_t
commit_len(const char *p, const char *end)
{
	if (end - p > 40 && p[40] == ' ')
		return 40;
	if (end - p > 64 && p[64] == ' ')
		return 64;
	return 0;
}

/*
 * Indexes the build list: the shape of every line ("pkgbase src mod repo",
 * commits of 40 or 64 characters), every pkgbase and repository name (they
 * key the lookups), and no (pkgbase, repo) twice. The commits are checked
 * in full where an entry is used (entry_id). This runs on every call, over
 * every line: it looks at each byte once.
 */
static int
index_list(struct snap *s, struct sw_err *e)
{
	const char *p = s->list.data, *end = p + s->list.len;
	size_t alloc = 0, nb = 64, line = 0;
	struct sw_err fe;

	free(s->ents);
	free(s->heads);
	free(s->flags);
	s->ents = NULL;
	s->heads = NULL;
	s->flags = NULL;
	s->n = 0;
	while (p < end) {
		const char *b = p, *src, *mod, *repo, *sp, *nl;
		size_t blen, slen, mlen, max;
		struct ent *x;

		line++;
		max = (size_t)(end - p) < SW_PKGNAME_MAX + 1 ?
			(size_t)(end - p) : SW_PKGNAME_MAX + 1;
		sp = memchr(p, ' ', max);
		if (sp == NULL || sp == p)
			goto bad;
		blen = (size_t)(sp - b);
		src = sp + 1;
		slen = commit_len(src, end);
		if (slen == 0)
			goto bad;
		mod = src + slen + 1;
		mlen = commit_len(mod, end);
		if (mlen == 0)
			goto bad;
		repo = mod + mlen + 1;
		max = (size_t)(end - repo) < SW_REPO_MAX + 1 ?
			(size_t)(end - repo) : SW_REPO_MAX + 1;
		nl = memchr(repo, '\n', max);
		if (nl == NULL) {
			if (memchr(repo, '\n', (size_t)(end - repo)) == NULL)
				return sw_err_set(e, "%s:%zu: truncated line (no newline at "
					"the end)", s->list_path.data, line);
			goto bad;
		}
		if (sw_name_check_mem(SW_NAME_PKGBASE, b, blen, &fe) < 0 ||
		    sw_name_check_mem(SW_NAME_REPO, repo, (size_t)(nl - repo), &fe) < 0)
			return sw_err_set(e, "%s:%zu: %s", s->list_path.data, line, fe.msg);
		if (s->n == alloc) {
			size_t a = alloc ? alloc * 2 : 1024;
			struct ent *q = reallocarray(s->ents, a, sizeof(*q));

			if (q == NULL)
				return sw_err_sys(e, "cannot read '%s'", s->list_path.data);
			s->ents = q;
			alloc = a;
		}
		x = &s->ents[s->n++];
		x->off = (uint32_t)(b - s->list.data);
		x->blen = (uint8_t)blen;
		x->slen = (uint8_t)slen;
		x->mlen = (uint8_t)mlen;
		x->rlen = (uint8_t)(nl - repo);
		x->meta = -1;
		p = nl + 1;
	}
	while (nb < 2 * s->n)
		nb *= 2;
	s->mask = nb - 1;
	s->heads = malloc(nb * sizeof(*s->heads));
	s->flags = calloc(s->n ? s->n : 1, 1);
	if (s->heads == NULL || s->flags == NULL)
		return sw_err_sys(e, "cannot read '%s'", s->list_path.data);
	memset(s->heads, 0xff, nb * sizeof(*s->heads));
	for (line = 0; line < s->n; line++) {
		struct ent *x = &s->ents[line];
		const char *b = ent_pkgbase(s, line);
		size_t h = hash_bytes(b, x->blen) & s->mask;

		if (find_entry(s, b, x->blen, ent_repo(s, line), x->rlen) >= 0)
			return sw_err_set(e, "%s:%zu: '%.*s' in '%.*s' is listed twice",
				s->list_path.data, line + 1, (int)x->blen, b, (int)x->rlen,
				ent_repo(s, line));
		x->next = s->heads[h];
		s->heads[h] = (int32_t)line;
	}
	return 0;
bad:
	return sw_err_set(e, "%s:%zu: expected \"<pkgbase> <commit> <commit> "
		"<repository>\"", s->list_path.data, line);
}

/* Finds build-meta line starts up to line k (all of them: SIZE_MAX). */
static int
meta_lines_upto(struct snap *s, size_t k, struct sw_err *e)
{
	const char *end = s->meta.data + s->meta.len;

	if (s->mnext_p == NULL)
		s->mnext_p = s->meta.data;
	while (s->mn <= k && s->mnext_p < end) {
		const char *nl = memchr(s->mnext_p, '\n', (size_t)(end - s->mnext_p));

		if (nl == NULL)
			return sw_err_set(e, "%s:%zu: truncated line (no newline at the end)",
				s->meta_path.data, s->mn + 1);
		if (s->mn == s->malloc_n) {
			size_t a = s->malloc_n ? s->malloc_n * 2 : 256;
			uint32_t *q = reallocarray(s->mline, a, sizeof(*q));

			if (q == NULL)
				return sw_err_sys(e, "cannot read '%s'", s->meta_path.data);
			s->mline = q;
			s->malloc_n = a;
		}
		s->mline[s->mn++] = (uint32_t)(s->mnext_p - s->meta.data);
		s->mnext_p = nl + 1;
	}
	return 0;
}

/* Fields of build-meta line k. */
static int
meta_fields(const struct snap *s, size_t k, const char **f, size_t *len,
	struct sw_err *e)
{
	const char *next;

	return split_line(s->meta.data + s->mline[k], s->meta.data + s->meta.len,
		f, len, 8, s->meta_path.data, k + 1, &next, e);
}

/* A hash of all build-meta keys, for a build-meta not in build-list order. */
static int
hash_meta(struct snap *s, struct sw_err *e)
{
	size_t k, nb = s->mask + 1;

	if (meta_lines_upto(s, SIZE_MAX, e) < 0)
		return -1;
	s->mheads = malloc(nb * sizeof(*s->mheads));
	s->mnext = malloc((s->mn ? s->mn : 1) * sizeof(*s->mnext));
	if (s->mheads == NULL || s->mnext == NULL)
		return sw_err_sys(e, "cannot read '%s'", s->meta_path.data);
	memset(s->mheads, 0xff, nb * sizeof(*s->mheads));
	for (k = s->mn; k-- > 0;) {
		const char *p = s->meta.data + s->mline[k];
		const char *end = s->meta.data + s->meta.len;
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		size_t h;

		if (sp == NULL)
			return sw_err_set(e, "%s:%zu: expected 8 fields",
				s->meta_path.data, k + 1);
		h = hash_bytes(p, (size_t)(sp - p)) & s->mask;
		s->mnext[k] = s->mheads[h];
		s->mheads[h] = (int32_t)k;
	}
	return 0;
}

static bool
meta_is(const struct snap *s, size_t k, size_t i)
{
	const char *p = s->meta.data + s->mline[k];
	size_t avail = s->meta.len - s->mline[k];
	size_t blen = s->ents[i].blen, rlen = s->ents[i].rlen;

	return avail > blen + rlen + 2 &&
		memcmp(p, ent_pkgbase(s, i), blen) == 0 && p[blen] == ' ' &&
		memcmp(p + blen + 1, ent_repo(s, i), rlen) == 0 &&
		p[blen + 1 + rlen] == ' ';
}

/* The build-meta line of entry i: fast when both files are in one order. */
static int
meta_of(struct snap *s, size_t i, long *k, struct sw_err *e)
{
	int32_t j;

	if (s->ents[i].meta != -1) {
		*k = s->ents[i].meta;
		return 0;
	}
	*k = -2;
	if (meta_lines_upto(s, i, e) < 0)
		return -1;
	if (i < s->mn && meta_is(s, i, i))
		*k = (long)i;
	else if (s->n > 0) {
		if (s->mheads == NULL && hash_meta(s, e) < 0)
			return -1;
		for (j = s->mheads[hash_bytes(ent_pkgbase(s, i), s->ents[i].blen) &
		    s->mask]; j >= 0; j = s->mnext[j])
			if (meta_is(s, (size_t)j, i)) {
				*k = j;
				break;
			}
	}
	s->ents[i].meta = (int32_t)*k;
	if (*k < 0)
		sw_warn("'%.*s' in '%.*s' has no line in '%s': not handed out",
			(int)s->ents[i].blen, ent_pkgbase(s, i), (int)s->ents[i].rlen,
			ent_repo(s, i), s->meta_path.data);
	return 0;
}

static int
push_dep(struct snap *s, size_t d, struct sw_err *e)
{
	if (s->depn == s->depalloc) {
		size_t a = s->depalloc ? s->depalloc * 2 : 32;
		size_t *q = reallocarray(s->depv, a, sizeof(*q));

		if (q == NULL)
			return sw_err_sys(e, "cannot read dependencies");
		s->depv = q;
		s->depalloc = a;
	}
	s->depv[s->depn++] = d;
	return 0;
}

static int
view_deps(void *ctx, size_t i, const size_t **v, size_t *n, struct sw_err *e)
{
	struct snap *s = ctx;
	const char *f[8], *p, *end;
	size_t len[8];
	struct sw_err fe;
	long k;
	int32_t j;

	s->depn = 0;
	*v = s->depv;
	*n = 0;
	if (meta_of(s, i, &k, e) < 0)
		return -1;
	if (k < 0)
		return 1;
	if (meta_fields(s, (size_t)k, f, len, e) < 0)
		return -1;
	if (len[7] == 1 && f[7][0] == '-')
		return 0;
	for (p = f[7], end = f[7] + len[7]; p <= end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t dl = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (sw_name_check_mem(SW_NAME_PKGBASE, p, dl, &fe) < 0)
			return sw_err_set(e, "%s:%ld: %s", s->meta_path.data, k + 1, fe.msg);
		for (j = s->heads[hash_bytes(p, dl) & s->mask]; j >= 0;
		    j = s->ents[j].next)
			if ((size_t)j != i &&
			    mem_is(ent_pkgbase(s, (size_t)j), s->ents[j].blen, p, dl) &&
			    push_dep(s, (size_t)j, e) < 0)
				return -1;
		p += dl + 1;
	}
	*v = s->depv;
	*n = s->depn;
	return 0;
}

/* The id of entry i, every field checked with names.h. */
static int
entry_id(const struct snap *s, size_t i, struct sw_id *id, struct sw_err *e)
{
	char f[4][SW_PKGNAME_MAX + 1];
	const char *p[4] = { ent_pkgbase(s, i), ent_src(s, i), ent_mod(s, i),
		ent_repo(s, i) };
	size_t l[4] = { s->ents[i].blen, s->ents[i].slen, s->ents[i].mlen,
		s->ents[i].rlen };
	struct sw_err fe;
	int k;

	for (k = 0; k < 4; k++) {
		memcpy(f[k], p[k], l[k]);
		f[k][l[k]] = '\0';
	}
	if (sw_id_from_fields(id, f[0], f[1], f[2], f[3], &fe) < 0)
		return sw_err_set(e, "%s:%zu: %s", s->list_path.data, i + 1, fe.msg);
	return 0;
}

static int
view_broken(void *ctx, size_t i, uint64_t *failures, int64_t *last,
	struct sw_err *e)
{
	struct snap *s = ctx;
	struct sw_attempt *v = NULL;
	struct sw_id id;
	size_t n = 0;
	int r;

	*failures = 0;
	*last = 0;
	if (entry_id(s, i, &id, e) < 0)
		return -1;
	r = sw_pkgstate_read_broken(s->sd.dir, &id, &v, &n, e);
	if (r < 0)
		return -1;
	*failures = n;
	*last = n ? v[n - 1].time : 0;
	free(v);
	return 0;
}

static bool
expired(const struct snap *s, int64_t heartbeat)
{
	return s->now - heartbeat > (int64_t)s->c->lease_timeout;
}

/* Takes back an expired lease (in the transaction; a dry run only says so). */
static int
reclaim(struct snap *s, const struct sw_id *id, const struct sw_locked *l,
	struct sw_err *e)
{
	char idstr[SW_ID_MAX + 1];
	long i = find_id(s, id);

	if (i >= 0) {
		if (s->flags[i] & AF_RECLAIMED)
			return 0;
		s->flags[i] |= AF_RECLAIMED;
	}
	sw_id_format(id, idstr, sizeof(idstr));
	if (!s->txn) {
		sw_info("would reclaim the lease of '%s' from slave '%s'", idstr,
			l->slave);
		return 0;
	}
	if (sw_pkgstate_remove(s->sd.dir, id, SW_STATE_LOCKED, &s->t, e) < 0)
		return -1;
	sw_info("reclaimed the lease of '%s' from slave '%s': no heartbeat for "
		"%lld s", idstr, l->slave, (long long)(s->now - l->heartbeat));
	return 0;
}

/* Reads a lease; reclaims it if expired. *live: still someone's. */
static int
lease_of(struct snap *s, const struct sw_id *id, struct sw_locked *l,
	bool *live, struct sw_err *e)
{
	int r;

	*live = false;
	r = sw_pkgstate_read_locked(s->sd.dir, id, l, e);
	if (r < 0)
		return -1;
	if (r == 1)
		return 0;
	if (expired(s, l->heartbeat))
		return reclaim(s, id, l, e);
	*live = true;
	return 0;
}

/* One readdir: the flags of every entry, and every lease checked. */
static int
full_scan(struct snap *s, struct sw_err *e)
{
	struct dirent *d;
	DIR *dp = NULL;
	size_t i;
	int ret = -1;

	for (i = 0; i < s->n; i++)
		s->flags[i] &= AF_RECLAIMED;
	dp = opendir(s->dir.data);
	if (dp == NULL) {
		sw_err_sys(e, "cannot open '%s'", s->dir.data);
		goto out;
	}
	while ((errno = 0, d = readdir(dp)) != NULL) {
		char name[SW_ID_MAX + 1];
		const char *dot = strrchr(d->d_name, '.');
		struct sw_locked l;
		struct sw_id id;
		unsigned flag;
		bool live;
		long k;

		if (dot == NULL)
			continue;
		if (strcmp(dot, ".locked") == 0)
			flag = SW_AF_LOCKED;
		else if (strcmp(dot, ".blocked") == 0)
			flag = SW_AF_BLOCKED;
		else if (strcmp(dot, ".broken") == 0)
			flag = SW_AF_BROKEN;
		else
			continue;
		if ((size_t)(dot - d->d_name) > SW_ID_MAX)
			continue;
		memcpy(name, d->d_name, (size_t)(dot - d->d_name));
		name[dot - d->d_name] = '\0';
		if (sw_id_parse(name, &id, NULL) < 0)
			continue;   /* not a state file of ours (sanity-check's concern) */
		k = find_id(s, &id);
		if (flag == SW_AF_LOCKED) {
			if (k >= 0 && (s->flags[k] & AF_RECLAIMED))
				continue;
			if (lease_of(s, &id, &l, &live, e) < 0)
				goto out;
			if (!live)
				continue;
		}
		if (k >= 0)
			s->flags[k] |= (uint8_t)flag;
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", s->dir.data);
		goto out;
	}
	s->full = true;
	ret = 0;
out:
	if (dp != NULL)
		closedir(dp);
	return ret;
}

/* 1 if the state file of id exists (*mtime set), 0 if not, -1. */
static int
state_exists(struct snap *s, const struct sw_id *id, enum sw_state st,
	int64_t *mtime, struct sw_err *e)
{
	struct stat sb;

	if (sw_pkgstate_path(&s->path, s->sd.dir, id, st, e) < 0)
		return -1;
	if (lstat(s->path.data, &sb) < 0) {
		if (errno == ENOENT)
			return 0;
		return sw_err_sys(e, "cannot check '%s'", s->path.data);
	}
	if (mtime != NULL)
		*mtime = (int64_t)sb.st_mtime;
	return 1;
}

/* The flags of one entry from its own state files. */
static int
stat_entry(struct snap *s, size_t i, struct sw_err *e)
{
	struct sw_locked l;
	struct sw_id id;
	int64_t mtime = 0;
	unsigned f = AF_KNOWN;
	bool live = true;
	int r;

	if (entry_id(s, i, &id, e) < 0)
		return -1;
	if (!(s->flags[i] & AF_RECLAIMED)) {
		r = state_exists(s, &id, SW_STATE_LOCKED, &mtime, e);
		if (r < 0)
			return -1;
		/* a lease written within lease_timeout is live: no need to read it */
		if (r == 1 && expired(s, mtime) && lease_of(s, &id, &l, &live, e) < 0)
			return -1;
		if (r == 1 && live)
			f |= SW_AF_LOCKED;
	}
	r = state_exists(s, &id, SW_STATE_BLOCKED, NULL, e);
	if (r < 0)
		return -1;
	if (r == 1)
		f |= SW_AF_BLOCKED;
	r = state_exists(s, &id, SW_STATE_BROKEN, NULL, e);
	if (r < 0)
		return -1;
	if (r == 1)
		f |= SW_AF_BROKEN;
	s->flags[i] |= (uint8_t)f;
	return 0;
}

static int
view_flags(void *ctx, size_t i, unsigned *f, struct sw_err *e)
{
	struct snap *s = ctx;

	if (!s->full && !(s->flags[i] & AF_KNOWN)) {
		if (s->stats++ < SW_ASSIGN_STAT_MAX) {
			if (stat_entry(s, i, e) < 0)
				return -1;
		} else if (full_scan(s, e) < 0) {
			return -1;
		}
	}
	*f = s->flags[i] & SKIP;
	return 0;
}

static int
view_all(void *ctx, struct sw_err *e)
{
	struct snap *s = ctx;

	return s->full ? 0 : full_scan(s, e);
}

static int
map_files(struct snap *s, struct sw_err *e)
{
	sw_file_unmap(&s->list);
	sw_file_unmap(&s->meta);
	free(s->mline);
	free(s->mheads);
	free(s->mnext);
	s->mline = NULL;
	s->mheads = s->mnext = NULL;
	s->mn = s->malloc_n = 0;
	s->mnext_p = NULL;
	/* all of the build list is read; of build-meta the lines needed */
	if (sw_file_map(s->list_path.data, SW_LIST_MAX_SIZE, true, &s->list,
	    e) < 0 ||
	    sw_file_map(s->meta_path.data, META_MAX_SIZE, false, &s->meta, e) < 0)
		return -1;
	return index_list(s, e);
}

/*
 * The slave's live leases on the list, from its index (leases/<slave>),
 * each checked against its lease file. mine, ml: room for MINE_MAX.
 */
#define MINE_MAX 64

static int
own_leases(struct snap *s, struct sw_id *mine, struct sw_locked *ml,
	size_t *held, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT, dir = SW_BUF_INIT;
	char *p, *nl;
	int r, ret = -1;

	*held = 0;
	if (sw_statedir_path(&s->sd, SW_PATH_LEASES, &dir, e) < 0)
		goto out;
	if (sw_name_path(&s->path, dir.data, SW_NAME_SLAVE, s->slave, "", e) < 0)
		goto out;
	r = sw_file_read(s->path.data, 64 * 1024, &data, e);
	if (r < 0)
		goto out;
	for (p = data.data; r == 0 && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		struct sw_id id;
		bool live;

		*nl = '\0';
		/* an index line that is not a live lease of ours is dropped */
		if (sw_id_parse(p, &id, NULL) < 0 || find_id(s, &id) < 0 ||
		    *held == MINE_MAX)
			continue;
		if (lease_of(s, &id, &ml[*held], &live, e) < 0)
			goto out;
		if (live && strcmp(ml[*held].slave, s->slave) == 0)
			mine[(*held)++] = id;
	}
	ret = 0;
out:
	sw_buf_release(&data);
	sw_buf_release(&dir);
	return ret;
}

/*
 * Replaces a hint file by rename, without fsync: it is checked on every
 * read, so after a crash an old or empty one only costs a hint.
 */
static int
replace_hint(const char *path, const struct sw_buf *b, struct sw_err *e)
{
	struct sw_buf tmp = SW_BUF_INIT;
	int fd = -1, ret = -1;

	if (sw_buf_addf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		sw_err_sys(e, "cannot write '%s'", path);
		goto out;
	}
	fd = mkostemp(tmp.data, O_CLOEXEC);
	if (fd < 0) {
		sw_err_sys(e, "cannot create a temporary file for '%s'", path);
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || sw_write_all(fd, b->data, b->len) < 0 ||
	    close(fd) < 0) {
		fd = -1;
		sw_err_sys(e, "cannot write '%s'", tmp.data);
		unlink(tmp.data);
		goto out;
	}
	fd = -1;
	if (rename(tmp.data, path) < 0) {
		sw_err_sys(e, "cannot rename '%s' to '%s'", tmp.data, path);
		unlink(tmp.data);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp.data);
	}
	sw_buf_release(&tmp);
	return ret;
}

/* leases/<slave>: the slave's live leases plus the new one (a hint). */
static int
write_own_leases(struct snap *s, const struct sw_id *mine, size_t held,
	const struct sw_id *add, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT, dir = SW_BUF_INIT;
	char idstr[SW_ID_MAX + 1];
	size_t k;
	int ret = -1;

	for (k = 0; k <= held; k++) {
		sw_id_format(k < held ? &mine[k] : add, idstr, sizeof(idstr));
		if (sw_buf_addf(&b, "%s\n", idstr) < 0) {
			sw_err_sys(e, "cannot write leases");
			goto out;
		}
	}
	if (sw_statedir_path(&s->sd, SW_PATH_LEASES, &dir, e) < 0)
		goto out;
	if (sw_mkdir_p(dir.data, 0755, e) < 0 ||
	    sw_name_path(&s->path, dir.data, SW_NAME_SLAVE, s->slave, "", e) < 0)
		goto out;
	ret = replace_hint(s->path.data, &b, e);
out:
	sw_buf_release(&b);
	sw_buf_release(&dir);
	return ret;
}

static void
snap_release(struct snap *s)
{
	if (s->txn)
		sw_txn_abort(&s->t);
	s->txn = false;
	if (s->lease_tmp != NULL)
		unlink(s->lease_tmp);
	free(s->lease_tmp);
	s->lease_tmp = NULL;
	sw_file_unmap(&s->list);
	sw_file_unmap(&s->meta);
	sw_buf_release(&s->list_path);
	sw_buf_release(&s->meta_path);
	sw_buf_release(&s->dir);
	sw_buf_release(&s->path);
	free(s->ents);
	free(s->heads);
	free(s->flags);
	free(s->mline);
	free(s->mheads);
	free(s->mnext);
	free(s->depv);
	sw_statedir_release(&s->sd);
}

/*
 * A new lease says the same whatever it is for ("<slave> <now> <now>
 * assigned"), so it is written and fsynced before the lock, beside the
 * lease files; under the lock it only needs a rename. Its temp name is no
 * state file name, and a crash leaves it as a stray *.tmp.* file.
 */
static int
prepare_lease(struct snap *s, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT;
	int fd = -1, ret = -1;

	if (sw_buf_addf(&b, "%s/%s.lease.tmp.XXXXXX", s->dir.data, s->slave) < 0) {
		sw_err_sys(e, "cannot prepare a lease");
		goto out;
	}
	fd = mkostemp(b.data, O_CLOEXEC);
	if (fd < 0) {
		sw_err_sys(e, "cannot create a lease in '%s'", s->dir.data);
		goto out;
	}
	s->lease_tmp = sw_buf_detach(&b, NULL);
	if (sw_buf_addf(&b, "%s %lld %lld %s\n", s->slave, (long long)s->now,
	    (long long)s->now, PHASE_ASSIGNED) < 0 || fchmod(fd, 0644) < 0 ||
	    sw_write_all(fd, b.data, b.len) < 0 || fsync(fd) < 0) {
		sw_err_sys(e, "cannot write '%s'", s->lease_tmp);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0 && close(fd) < 0 && ret == 0)
		ret = sw_err_sys(e, "cannot write '%s'", s->lease_tmp);
	sw_buf_release(&b);
	return ret;
}

static int
snap_open(struct snap *s, const struct sw_master_conf *c, const char *slave,
	int64_t now, struct sw_err *e)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->slave = slave;
	s->now = now;
	s->sd.fd[0] = s->sd.fd[1] = -1;
	s->list = s->meta = (struct sw_map)SW_MAP_INIT;
	sw_buf_init(&s->list_path, 0);
	sw_buf_init(&s->meta_path, 0);
	sw_buf_init(&s->dir, 0);
	sw_buf_init(&s->path, 0);
	if (sw_statedir_open(&s->sd, c->state_dir, e) < 0 ||
	    sw_statedir_path(&s->sd, SW_PATH_BUILD_LIST, &s->list_path, e) < 0 ||
	    sw_statedir_path(&s->sd, SW_PATH_BUILD_META, &s->meta_path, e) < 0 ||
	    sw_statedir_path(&s->sd, SW_PATH_PACKAGE_STATES, &s->dir, e) < 0)
		return -1;
	/* the big files are read before the lock and checked under it */
	return map_files(s, e);
}

/* Under the lock: the files read before it are still the current ones. */
static int
snap_recheck(struct snap *s, struct sw_err *e)
{
	int a = sw_file_map_current(s->list_path.data, &s->list, e);
	int b = a < 0 ? -1 : sw_file_map_current(s->meta_path.data, &s->meta, e);

	if (a < 0 || b < 0)
		return -1;
	return a && b ? 0 : map_files(s, e);
}

enum sw_assign_result
sw_assign_get(const struct sw_master_conf *c, const char *slave, int64_t now,
	int lock_timeout_ms, struct sw_id *out, struct sw_err *e)
{
	const struct sw_slave_entry_conf *sc = NULL;
	struct sw_assign_policy pol = { now, c->broken_retries,
		c->broken_retry_delay };
	struct sw_assign_view view;
	struct sw_id mine[MINE_MAX];
	struct sw_locked ml[MINE_MAX], nl;
	struct sw_err ce;
	struct snap s;
	enum sw_assign_result ret = SW_ASSIGN_ERROR, r;
	enum sw_lock_result lr;
	size_t held = 0, pick;

	if (slave != NULL && (sc = sw_master_conf_slave(c, slave)) == NULL) {
		sw_err_set(e, "unknown slave '%s': no [slave %s] section in '%s'",
			slave, slave, c->path);
		return SW_ASSIGN_ERROR;
	}
	if (snap_open(&s, c, slave, now, e) < 0 ||
	    (slave != NULL && prepare_lease(&s, e) < 0))
		goto out;
	lr = sw_statedir_lock(&s.sd, SW_LOCK_BUILD_LIST, lock_timeout_ms, e);
	if (lr != SW_LOCK_OK) {
		ret = lr == SW_LOCK_BUSY ? SW_ASSIGN_BUSY : SW_ASSIGN_ERROR;
		goto out;
	}
	if (snap_recheck(&s, e) < 0)
		goto out;
	if (slave != NULL) {
		if (sw_statedir_txn_begin(&s.sd, SW_LOCK_BUILD_LIST, &s.t, e) < 0)
			goto out;
		s.txn = true;
		if (own_leases(&s, mine, ml, &held, e) < 0)
			goto out;
	}
	if (sc != NULL && held >= sc->max_assignments) {
		if (sc->max_assignments > 1) {
			sw_err_set(e, "slave '%s' holds %zu assignments, its limit",
				slave, held);
			ret = SW_ASSIGN_AT_LIMIT;
			goto out;
		}
		/* the same slave asking again: the same assignment, still alive */
		*out = mine[0];
		nl = ml[0];
		nl.heartbeat = now;
		if (sw_pkgstate_write_locked(s.sd.dir, out, &nl, &s.t, e) < 0)
			goto out;
		ret = SW_ASSIGN_OK;
		goto out;
	}
	view = (struct sw_assign_view){ s.n, &s, view_flags, view_all, view_deps,
		view_broken };
	r = sw_assign_choose(&view, &pol, &pick, e);
	if (r == SW_ASSIGN_ERROR)
		goto out;
	if (r != SW_ASSIGN_OK) {
		sw_err_set(e, r == SW_ASSIGN_NOT_READY ?
			"nothing is ready to build now" : "nothing is pending");
		ret = r;
		goto out;
	}
	if (entry_id(&s, pick, out, e) < 0)
		goto out;
	if (slave == NULL) {
		ret = SW_ASSIGN_OK;
		goto out;
	}
	/* the index first: a crash after it leaves an entry that reads as gone */
	if (write_own_leases(&s, mine, held, out, e) < 0 ||
	    sw_pkgstate_path(&s.path, s.sd.dir, out, SW_STATE_LOCKED, e) < 0 ||
	    sw_txn_rename(&s.t, s.lease_tmp, s.path.data, e) < 0)
		goto out;
	free(s.lease_tmp);   /* the transaction has it now */
	s.lease_tmp = NULL;
	ret = SW_ASSIGN_OK;
out:
	/* an answer commits what was staged (reclaims too); an error drops it */
	if (s.txn && ret != SW_ASSIGN_ERROR && ret != SW_ASSIGN_BUSY) {
		s.txn = false;
		if (sw_txn_commit(&s.t, &ce) < 0) {
			/* keeps the message of a refusal unless the commit fails */
			if (e != NULL)
				memcpy(e->msg, ce.msg, sizeof(ce.msg));
			ret = SW_ASSIGN_ERROR;
		}
	}
	snap_release(&s);
	return ret;
}
