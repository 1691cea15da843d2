#include "queue/sonames.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/depgraph.h"
#include "core/lines.h"

#define SONAMES_MAX_SIZE (256 * 1024 * 1024)
#define SONAMES_LINE_MAX (1024 * 1024)

static void
ent_release(struct sw_soname_ent *x)
{
	sw_strvec_release(&x->provides);
	sw_strvec_release(&x->needs);
}

void
sw_sonames_release(struct sw_sonames *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		ent_release(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
grow(struct sw_sonames *s, struct sw_err *e)
{
	size_t a;
	struct sw_soname_ent *p;

	if (s->n < s->alloc)
		return 0;
	a = s->alloc ? s->alloc * 2 : 256;
	p = reallocarray(s->v, a, sizeof(*p));
	if (p == NULL)
		return sw_err_sys(e, "cannot keep the soname index");
	s->v = p;
	s->alloc = a;
	return 0;
}

static int
copy_name(char *dst, size_t size, enum sw_name_kind kind, const char *s,
	struct sw_err *e)
{
	if (sw_name_check(kind, s, e) < 0)
		return -1;
	snprintf(dst, size, "%s", s);
	return 0;
}

/* "-" or sonames joined by ',', each checked, in strictly rising order. */
static int
split(const char *s, struct sw_strvec *sv, struct sw_err *e)
{
	const char *p = s;
	size_t len;
	char item[SW_FILENAME_MAX + 1];

	if (strcmp(s, "-") == 0)
		return 0;
	for (;;) {
		len = strcspn(p, ",");
		if (sw_name_check_mem(SW_NAME_SONAME, p, len, e) < 0)
			return -1;
		memcpy(item, p, len);
		item[len] = '\0';
		if (sv->n > 0 && strcmp(sv->v[sv->n - 1], item) >= 0)
			return sw_err_set(e, "'%s' is out of order", item);
		if (sw_strvec_push(sv, item) < 0)
			return sw_err_sys(e, "cannot read the soname index");
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

static int
record(char **f, void *arg, struct sw_err *e)
{
	struct sw_sonames *s = arg;
	struct sw_soname_ent *x;

	if (grow(s, e) < 0)
		return -1;
	x = &s->v[s->n];
	memset(x, 0, sizeof(*x));
	sw_strvec_init(&x->provides);
	sw_strvec_init(&x->needs);
	if (copy_name(x->repo, sizeof(x->repo), SW_NAME_REPO, f[0], e) < 0 ||
	    copy_name(x->pkgbase, sizeof(x->pkgbase), SW_NAME_PKGBASE, f[1],
	    e) < 0 ||
	    copy_name(x->pkgname, sizeof(x->pkgname), SW_NAME_PKGNAME, f[2],
	    e) < 0 ||
	    split(f[3], &x->provides, e) < 0 || split(f[4], &x->needs, e) < 0) {
		ent_release(x);
		return -1;
	}
	s->n++;
	return 0;
}

int
sw_sonames_read(const char *path, struct sw_sonames *s, struct sw_err *e)
{
	memset(s, 0, sizeof(*s));
	if (sw_lines_read_file(path, SONAMES_MAX_SIZE, 5, false, SONAMES_LINE_MAX,
	    record, s, e) < 0 ||
	    sw_lines_check_unique(path, s->v, s->n, sizeof(*s->v),
	    offsetof(struct sw_soname_ent, pkgname),
	    offsetof(struct sw_soname_ent, repo), e) < 0) {
		sw_sonames_release(s);
		return -1;
	}
	return 0;
}

static int
format_one(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_soname_ent *x = &((const struct sw_sonames *)list)->v[i];

	if (sw_buf_addf(out, "%s %s %s ", x->repo, x->pkgbase, x->pkgname) < 0 ||
	    sw_strvec_add_list(out, &x->provides) < 0 ||
	    sw_buf_addch(out, ' ') < 0 ||
	    sw_strvec_add_list(out, &x->needs) < 0)
		return -1;
	return sw_buf_addch(out, '\n');
}

int
sw_sonames_write(const char *path, const struct sw_sonames *s,
	struct sw_txn *t, struct sw_err *e)
{
	return sw_lines_write_file(path, s, s->n, format_one, t, e);
}

int
sw_sonames_replace(struct sw_sonames *s, const char *repo,
	const char *pkgbase, struct sw_soname_ent *ents, size_t n,
	struct sw_err *e)
{
	size_t i, j, k;
	int ret = -1;

	for (k = 0; k < n; k++)
		if (strcmp(ents[k].repo, repo) != 0 ||
		    strcmp(ents[k].pkgbase, pkgbase) != 0) {
			sw_err_set(e, "'%s' of '%s' is not of '%s' in '%s'",
				ents[k].pkgname, ents[k].pkgbase, pkgbase, repo);
			goto out;
		}
	for (i = j = 0; i < s->n; i++) {
		bool named = false;

		for (k = 0; k < n && !named; k++)
			named = strcmp(s->v[i].pkgname, ents[k].pkgname) == 0;
		/* its old lines, and a pkgname that moved here from another */
		if (strcmp(s->v[i].repo, repo) == 0 &&
		    (named || strcmp(s->v[i].pkgbase, pkgbase) == 0)) {
			ent_release(&s->v[i]);
			continue;
		}
		s->v[j++] = s->v[i];
	}
	s->n = j;
	for (k = 0; k < n; k++) {
		if (grow(s, e) < 0)
			goto out;
		s->v[s->n++] = ents[k];
		sw_strvec_init(&ents[k].provides);
		sw_strvec_init(&ents[k].needs);
	}
	ret = 0;
out:
	for (k = 0; k < n; k++)
		ent_release(&ents[k]);
	return ret;
}

/* ---- what a new build breaks ------------------------------------------ */

void
sw_soname_breaks_release(struct sw_soname_breaks *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->v[i].deps);
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

static bool
line_of(const struct sw_soname_ent *x, const char *repo, const char *pkgbase)
{
	return strcmp(x->repo, repo) == 0 && strcmp(x->pkgbase, pkgbase) == 0;
}

/* Does a line of pkgbase in repo provide so? */
static bool
base_provides(const struct sw_sonames *s, const char *repo,
	const char *pkgbase, const char *so)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (line_of(&s->v[i], repo, pkgbase) &&
		    sw_strvec_contains(&s->v[i].provides, so))
			return true;
	return false;
}

/* Does a line of another pkgbase than pkgbase in repo provide so? */
static bool
other_provides(const struct sw_sonames *s, const char *repo,
	const char *pkgbase, const char *so)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].repo, repo) == 0 &&
		    strcmp(s->v[i].pkgbase, pkgbase) != 0 &&
		    sw_strvec_contains(&s->v[i].provides, so))
			return true;
	return false;
}

static bool
ents_provide(const struct sw_soname_ent *ents, size_t n, const char *so)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (sw_strvec_contains(&ents[k].provides, so))
			return true;
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_break(const void *a, const void *b)
{
	return strcmp(((const struct sw_soname_break *)a)->pkgbase,
		((const struct sw_soname_break *)b)->pkgbase);
}

/* What replaced old: a new soname of the same name up to ".so", or "". */
static void
replacement(const struct sw_sonames *s, const char *repo, const char *pkgbase,
	const struct sw_soname_ent *ents, size_t n, const char *old, char *out,
	size_t size)
{
	const char *so = strstr(old, ".so");
	size_t stem = so != NULL ? (size_t)(so - old) + 3 : strlen(old);
	const char *best = NULL;
	size_t k, j;

	for (k = 0; k < n; k++)
		for (j = 0; j < ents[k].provides.n; j++) {
			const char *c = ents[k].provides.v[j];

			if (strncmp(c, old, stem) != 0 ||
			    (c[stem] != '\0' && c[stem] != '.') ||
			    base_provides(s, repo, pkgbase, c))
				continue;
			if (best == NULL || strcmp(c, best) < 0)
				best = c;
		}
	snprintf(out, size, "%s", best != NULL ? best : "");
}

/*
 * Build order among the breaks (sorted by pkgbase): b needs what a
 * provides, so a goes first. Each entry's deps (allocated here, for n)
 * stay the entry's whatever happens.
 */
static int
order_breaks(const struct sw_sonames *s, const char *repo,
	struct sw_soname_breaks *out, struct sw_err *e)
{
	struct sw_depgraph g;
	struct sw_soname_break *v = NULL;
	size_t *pos = NULL, a, b, i, j, k;
	int ret = -1;

	if (sw_depgraph_init(&g, out->n, e) < 0)
		return -1;
	for (a = 0; a < out->n; a++) {
		out->v[a].deps = calloc(out->n, sizeof(*out->v[a].deps));
		if (out->v[a].deps == NULL)
			goto nomem;
		for (i = 0; i < s->n; i++) {
			if (!line_of(&s->v[i], repo, out->v[a].pkgbase))
				continue;
			for (j = 0; j < s->v[i].needs.n; j++)
				for (b = 0; b < out->n; b++)
					if (b != a && base_provides(s, repo, out->v[b].pkgbase,
					    s->v[i].needs.v[j]) &&
					    sw_depgraph_add_edge(&g, a, b, e) < 0)
						goto out;
		}
	}
	if (sw_depgraph_solve(&g, e) < 0)
		goto out;
	v = calloc(out->n, sizeof(*v));
	pos = calloc(out->n, sizeof(*pos));
	if (v == NULL || pos == NULL)
		goto nomem;
	for (k = 0; k < out->n; k++) {
		v[k] = out->v[g.order[k]];
		pos[g.order[k]] = k;
	}
	for (k = 0; k < g.nedges; k++) {
		struct sw_soname_break *x = &v[pos[g.from[k]]];
		size_t d = pos[g.to[k]];

		if (d >= pos[g.from[k]])
			continue;       /* later in a cycle: not waited for */
		for (j = 0; j < x->ndeps && x->deps[j] != d; j++)
			;
		if (j == x->ndeps)
			x->deps[x->ndeps++] = d;
	}
	free(out->v);
	out->v = v;
	v = NULL;
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot order the rebuilds");
out:
	free(v);
	free(pos);
	sw_depgraph_release(&g);
	return ret;
}

int
sw_sonames_breaks(const struct sw_sonames *s, const char *repo,
	const char *pkgbase, const struct sw_soname_ent *ents, size_t n,
	struct sw_soname_breaks *out, struct sw_err *e)
{
	struct sw_strvec broken = SW_STRVEC_INIT;
	size_t i, j, k;
	int ret = -1;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < s->n; i++) {
		if (!line_of(&s->v[i], repo, pkgbase))
			continue;
		for (j = 0; j < s->v[i].provides.n; j++) {
			const char *so = s->v[i].provides.v[j];

			if (ents_provide(ents, n, so) ||
			    other_provides(s, repo, pkgbase, so) ||
			    sw_strvec_contains(&broken, so))
				continue;
			if (sw_strvec_push(&broken, so) < 0)
				goto nomem;
		}
	}
	if (broken.n == 0) {
		ret = 0;
		goto out;
	}
	qsort(broken.v, broken.n, sizeof(*broken.v), cmp_str);
	for (i = 0; i < s->n; i++) {
		const struct sw_soname_ent *x = &s->v[i];

		if (strcmp(x->repo, repo) != 0 || strcmp(x->pkgbase, pkgbase) == 0)
			continue;
		for (j = 0; j < broken.n; j++)
			if (sw_strvec_contains(&x->needs, broken.v[j]))
				break;
		if (j == broken.n)
			continue;
		for (k = 0; k < out->n && strcmp(out->v[k].pkgbase, x->pkgbase); k++)
			;
		if (k == out->n) {
			struct sw_soname_break *v = reallocarray(out->v, out->n + 1,
				sizeof(*v));

			if (v == NULL)
				goto nomem;
			out->v = v;
			memset(&v[k], 0, sizeof(v[k]));
			snprintf(v[k].pkgbase, sizeof(v[k].pkgbase), "%s", x->pkgbase);
			out->n++;
		} else if (strcmp(broken.v[j], out->v[k].old) >= 0) {
			continue;
		}
		snprintf(out->v[k].old, sizeof(out->v[k].old), "%s", broken.v[j]);
	}
	for (k = 0; k < out->n; k++)
		replacement(s, repo, pkgbase, ents, n, out->v[k].old, out->v[k].new,
			sizeof(out->v[k].new));
	if (out->n > 1) {
		qsort(out->v, out->n, sizeof(*out->v), cmp_break);
		if (order_breaks(s, repo, out, e) < 0)
			goto out;
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot work out what '%s' breaks", pkgbase);
out:
	sw_strvec_release(&broken);
	if (ret < 0)
		sw_soname_breaks_release(out);
	return ret;
}
