/* assign: the index of the mapped build list and build-meta (assign_snap.h). */

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "queue/assign_snap.h"

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
long
sw_assign_find_id(const struct snap *s, const struct sw_id *id)
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
 * Length of a revision field at p (a commit, optionally "+" and up to four
 * digits, then a space), or 0. The digits are checked with the id.
 */
static size_t
revision_len(const char *p, const char *end)
{
	size_t c = 0, k;

	if (end - p > 40 && (p[40] == ' ' || p[40] == '+'))
		c = 40;
	else if (end - p > 64 && (p[64] == ' ' || p[64] == '+'))
		c = 64;
	if (c == 0 || p[c] == ' ')
		return c;
	for (k = c + 1; k <= c + 5 && p + k < end; k++)
		if (p[k] == ' ')
			return k;
	return 0;
}

/*
 * Indexes the build list: the shape of every line ("pkgbase src mod repo",
 * commits of 40 or 64 characters, mod with an optional "+<bump>"), every pkgbase and repository name (they
 * key the lookups), and no (pkgbase, repo) twice. The commits are checked
 * in full where an entry is used (sw_assign_entry_id). This runs on every
 * call, over every line: it looks at each byte once.
 */
int
sw_assign_index_list(struct snap *s, struct sw_err *e)
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
		mlen = revision_len(mod, end);
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
	return sw_err_set(e, "%s:%zu: expected \"<pkgbase> <commit> <revision> "
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

int
sw_assign_view_deps(void *ctx, size_t i, const size_t **v, size_t *n,
	struct sw_err *e)
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
int
sw_assign_entry_id(const struct snap *s, size_t i, struct sw_id *id,
	struct sw_err *e)
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
