/* stages: the contents of each repository's stages; see stages.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "repo/repodb.h"
#include "repo/stages.h"

static const char *const stage_names[SW_STAGE_COUNT] = {
	[SW_STAGE_STAGING] = "staging",
	[SW_STAGE_TESTING] = "testing",
	[SW_STAGE_STABLE] = "stable",
};

const char *
sw_stage_name(enum sw_stage s)
{
	return (unsigned)s < SW_STAGE_COUNT ? stage_names[s] : "?";
}

void
sw_stages_dep_name(const char *dep, char *out, size_t size)
{
	size_t n = strcspn(dep, "<>=:");

	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(out, dep, n);
	out[n] = '\0';
}

int
sw_stages_db_path(const struct sw_master_conf *c, const char *repo,
	struct sw_buf *out, struct sw_err *e)
{
	if (sw_name_check(SW_NAME_REPO, repo, e) < 0 ||
	    sw_name_check(SW_NAME_ARCH, c->arch, e) < 0)
		return -1;
	sw_buf_reset(out);
	if (sw_buf_addf(out, "%s/%s/os/%s/%s.db.tar.gz", c->repo_dir, repo,
	    c->arch, repo) < 0)
		return sw_err_sys(e, "cannot build the path of '%s'", repo);
	return 0;
}

/* Copies src into dst of size bytes, cut if it is longer. */
static void
copy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
pkg_release(struct sw_stage_pkg *p)
{
	sw_strvec_release(&p->depends);
	sw_strvec_release(&p->provides);
}

void
sw_stages_release(struct sw_stages *st)
{
	size_t i, k;
	int s;

	for (i = 0; i < st->n; i++)
		for (s = 0; s < SW_STAGE_COUNT; s++) {
			for (k = 0; k < st->v[i].n[s]; k++)
				pkg_release(&st->v[i].pkgs[s][k]);
			free(st->v[i].pkgs[s]);
			for (k = 0; k < st->v[i].debug_n[s]; k++)
				pkg_release(&st->v[i].debug_pkgs[s][k]);
			free(st->v[i].debug_pkgs[s]);
		}
	free(st->v);
	st->v = NULL;
	st->n = 0;
}

/* Pushes the names of a multi-line field, each cut at its constraint. */
static int
push_names(struct sw_strvec *sv, const char *lines)
{
	char name[SW_PKGNAME_MAX + 1];
	const char *p = lines;

	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		char line[SW_PKGNAME_MAX + 80];

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			sw_stages_dep_name(line, name, sizeof(name));
			if (name[0] != '\0' && sw_strvec_push(sv, name) < 0)
				return -1;
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	return 0;
}

/* The packages of repository name into *pkgs and *n. */
static int
load_stage(const struct sw_master_conf *c, const char *name,
	struct sw_stage_pkg **pkgs, size_t *n, struct sw_err *e)
{
	struct sw_repodb db;
	struct sw_buf path = SW_BUF_INIT, v = SW_BUF_INIT;
	size_t k;
	int ret = -1;

	memset(&db, 0, sizeof(db));
	if (sw_stages_db_path(c, name, &path, e) < 0)
		goto out;
	if (access(path.data, F_OK) < 0 && errno == ENOENT) {
		ret = 0;  /* nothing published there yet */
		goto out;
	}
	if (sw_repodb_load(&db, path.data, false, e) < 0)
		goto out;
	if (db.n > 0) {
		*pkgs = calloc(db.n, sizeof(**pkgs));
		if (*pkgs == NULL) {
			sw_err_sys(e, "cannot read '%s'", path.data);
			goto out;
		}
	}
	for (k = 0; k < db.n; k++) {
		const struct sw_repodb_entry *en = db.v[k];
		struct sw_stage_pkg *p = &(*pkgs)[k];

		sw_strvec_init(&p->depends);
		sw_strvec_init(&p->provides);
		*n = k + 1;
		copy(p->name, en->name, sizeof(p->name));
		copy(p->version, en->version, sizeof(p->version));
		copy(p->filename, en->filename, sizeof(p->filename));
		if (sw_repodb_field(en, "BASE", &v) == 1 && v.len > 0 &&
		    sw_name_valid(SW_NAME_PKGBASE, v.data))
			copy(p->base, v.data, sizeof(p->base));
		else
			copy(p->base, en->name, sizeof(p->base));
		if ((sw_repodb_field(en, "DEPENDS", &v) == 1 &&
		     push_names(&p->depends, v.data) < 0) ||
		    (sw_repodb_field(en, "PROVIDES", &v) == 1 &&
		     push_names(&p->provides, v.data) < 0)) {
			sw_err_sys(e, "cannot read '%s'", path.data);
			goto out;
		}
	}
	ret = 0;
out:
	sw_repodb_release(&db);
	sw_buf_release(&path);
	sw_buf_release(&v);
	return ret;
}

int
sw_stages_load(const struct sw_master_conf *c, struct sw_stages *st,
	struct sw_err *e)
{
	size_t i;
	int s;

	st->v = NULL;
	st->n = 0;
	if (c->nrepos == 0)
		return 0;
	st->v = calloc(c->nrepos, sizeof(*st->v));
	if (st->v == NULL)
		return sw_err_sys(e, "cannot read the repositories");
	st->n = c->nrepos;
	for (i = 0; i < c->nrepos; i++) {
		struct sw_stage_repo *r = &st->v[i];
		const char *names[SW_STAGE_COUNT] = {
			[SW_STAGE_STAGING] = c->repos[i].staging,
			[SW_STAGE_TESTING] = c->repos[i].testing,
			[SW_STAGE_STABLE] = c->repos[i].sec.name,
		};

		r->rc = &c->repos[i];
		for (s = 0; s < SW_STAGE_COUNT; s++) {
			if (names[s] == NULL)
				continue;
			copy(r->name[s], names[s], sizeof(r->name[s]));
			if (load_stage(c, r->name[s], &r->pkgs[s], &r->n[s], e) < 0)
				return -1;
			if (!r->rc->debug)
				continue;
			copy(r->debug_name[s], r->rc->debug_repo[s],
				sizeof(r->debug_name[s]));
			if (load_stage(c, r->debug_name[s], &r->debug_pkgs[s],
			    &r->debug_n[s], e) < 0)
				return -1;
		}
	}
	return 0;
}

int
sw_stages_find_repo(const struct sw_stages *st, const char *repo, size_t *ri,
	enum sw_stage *stage)
{
	size_t i;
	int s;

	for (i = 0; i < st->n; i++)
		for (s = 0; s < SW_STAGE_COUNT; s++)
			if (st->v[i].name[s][0] != '\0' &&
			    strcmp(st->v[i].name[s], repo) == 0) {
				*ri = i;
				*stage = (enum sw_stage)s;
				return 0;
			}
	return -1;
}

static int
cmp_pkg(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sw_stage_pkg *)elem)->name);
}

const struct sw_stage_pkg *
sw_stages_find(const struct sw_stage_repo *r, enum sw_stage s,
	const char *pkgname)
{
	if (r->n[s] == 0)
		return NULL;
	return bsearch(pkgname, r->pkgs[s], r->n[s], sizeof(*r->pkgs[s]),
		cmp_pkg);
}

const struct sw_stage_pkg *
sw_stages_find_debug(const struct sw_stage_repo *r, enum sw_stage s,
	const char *pkgname)
{
	if (r->debug_n[s] == 0)
		return NULL;
	return bsearch(pkgname, r->debug_pkgs[s], r->debug_n[s],
		sizeof(*r->debug_pkgs[s]), cmp_pkg);
}

/* Pending pkgbases that build a package named (or, in staging, providing) name. */
static int
pending_for(const struct sw_buildmeta *pending, const char *name,
	struct sw_strvec *holders)
{
	size_t i;

	for (i = 0; i < pending->n; i++)
		if (sw_strvec_contains(&pending->v[i].pkgnames, name) &&
		    !sw_strvec_contains(holders, pending->v[i].pkgbase) &&
		    sw_strvec_push(holders, pending->v[i].pkgbase) < 0)
			return -1;
	return 0;
}

int
sw_stages_held(const struct sw_stage_repo *r, const char *pkgname,
	const struct sw_buildmeta *pending, struct sw_strvec *holders,
	struct sw_err *e)
{
	const size_t n = r->n[SW_STAGE_STAGING];
	const struct sw_stage_pkg *v = r->pkgs[SW_STAGE_STAGING];
	const struct sw_stage_pkg *start = sw_stages_find(r, SW_STAGE_STAGING,
		pkgname);
	size_t *stack = NULL, top = 0, i, k, j;
	char *seen = NULL;
	int ret = -1;

	if (start == NULL) {
		ret = 0;
		goto out;
	}
	stack = calloc(n, sizeof(*stack));
	seen = calloc(n, 1);
	if (stack == NULL || seen == NULL) {
		sw_err_sys(e, "cannot follow the dependencies of '%s'", pkgname);
		goto out;
	}
	/* Depth-first over staging packages reached through %DEPENDS%. */
	stack[top++] = (size_t)(start - v);
	seen[start - v] = 1;
	while (top > 0) {
		const struct sw_stage_pkg *p = &v[stack[--top]];

		for (k = 0; k < p->depends.n; k++) {
			const char *d = p->depends.v[k];

			if (pending_for(pending, d, holders) < 0) {
				sw_err_sys(e, "cannot follow the dependencies of '%s'",
					pkgname);
				goto out;
			}
			for (i = 0; i < n; i++) {
				if (seen[i])
					continue;
				if (strcmp(v[i].name, d) != 0 &&
				    !sw_strvec_contains(&v[i].provides, d))
					continue;
				seen[i] = 1;
				stack[top++] = i;
			}
		}
	}
	/* A package's own pkgbase being rebuilt does not hold it back. */
	for (j = 0; j < holders->n; j++)
		if (strcmp(holders->v[j], start->base) == 0) {
			free(holders->v[j]);
			memmove(&holders->v[j], &holders->v[j + 1],
				(holders->n - j) * sizeof(*holders->v));
			holders->n--;
			break;
		}
	ret = 0;
out:
	free(stack);
	free(seen);
	return ret;
}
