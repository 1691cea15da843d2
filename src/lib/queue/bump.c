#include "queue/bump.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/lines.h"

#define PUB_MAX_SIZE (256 * 1024 * 1024)
#define PUB_LINE_MAX (64 * 1024)

void
sw_publist_release(struct sw_publist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		sw_buildmeta_entry_release(&l->v[i].meta);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
grow(struct sw_publist *l, struct sw_err *e)
{
	size_t a;
	struct sw_published *p;

	if (l->n < l->alloc)
		return 0;
	a = l->alloc ? l->alloc * 2 : 64;
	p = reallocarray(l->v, a, sizeof(*p));
	if (p == NULL)
		return sw_err_sys(e, "cannot keep the published builds");
	l->v = p;
	l->alloc = a;
	return 0;
}

/* One line: src, revision, then a build-meta line whose key is the id's. */
static int
parse_one(char **f, struct sw_published *p, struct sw_err *e)
{
	memset(p, 0, sizeof(*p));
	sw_strvec_init(&p->meta.pkgnames);
	sw_strvec_init(&p->meta.deps);
	if (sw_buildmeta_parse(f + 2, &p->meta, e) < 0 ||
	    sw_id_from_fields(&p->id, p->meta.pkgbase, f[0], f[1], p->meta.repo,
	    e) < 0) {
		sw_buildmeta_entry_release(&p->meta);
		return -1;
	}
	return 0;
}

int
sw_publist_read(const char *path, struct sw_publist *l, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT;
	struct sw_lines lines;
	struct sw_err fe;
	char *f[10];
	int r, ret = -1;

	memset(l, 0, sizeof(*l));
	if (sw_file_read(path, PUB_MAX_SIZE, &data, e) < 0)
		goto out;
	sw_lines_init(&lines, path, &data);
	while ((r = sw_lines_next(&lines, f, 10, false, PUB_LINE_MAX, e)) == 1) {
		if (grow(l, &fe) < 0 || parse_one(f, &l->v[l->n], &fe) < 0) {
			sw_err_set(e, "%s:%d: %s", path, lines.line, fe.msg);
			goto out;
		}
		l->n++;
	}
	if (r < 0 || sw_lines_check_unique(path, l->v, l->n, sizeof(*l->v),
	    offsetof(struct sw_published, id.pkgbase),
	    offsetof(struct sw_published, id.repo), e) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&data);
	if (ret < 0)
		sw_publist_release(l);
	return ret;
}

static int
format_one(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_published *p = &((const struct sw_publist *)list)->v[i];

	if (sw_buf_addf(out, "%s %s ", p->id.src, p->id.mod) < 0 ||
	    sw_buildmeta_format(out, &p->meta) < 0)
		return -1;
	return sw_buf_addch(out, '\n');
}

int
sw_publist_write(const char *path, const struct sw_publist *l,
	struct sw_txn *t, struct sw_err *e)
{
	return sw_lines_write_file(path, l, l->n, format_one, t, e);
}

long
sw_publist_find(const struct sw_publist *l, const char *pkgbase,
	const char *repo)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id.pkgbase, pkgbase) == 0 &&
		    strcmp(l->v[i].id.repo, repo) == 0)
			return (long)i;
	return -1;
}

int
sw_publist_record(struct sw_publist *l, const struct sw_id *id,
	const struct sw_buildmeta_entry *meta, struct sw_err *e)
{
	struct sw_published p;
	long i = sw_publist_find(l, id->pkgbase, id->repo);

	if (strcmp(meta->pkgbase, id->pkgbase) != 0 ||
	    strcmp(meta->repo, id->repo) != 0)
		return sw_err_set(e, "the build-meta of '%s' in '%s' is not the "
			"one of '%s' in '%s'", meta->pkgbase, meta->repo, id->pkgbase,
			id->repo);
	if (sw_buildmeta_entry_copy(&p.meta, meta, e) < 0)
		return -1;
	p.id = *id;
	if (i >= 0) {
		sw_buildmeta_entry_release(&l->v[i].meta);
		l->v[i] = p;
		return 0;
	}
	if (grow(l, e) < 0) {
		sw_buildmeta_entry_release(&p.meta);
		return -1;
	}
	l->v[l->n++] = p;
	return 0;
}

/* Where the pkgrel of a checked version starts: after its last '-'. */
static const char *
pkgrel_of(const char *version)
{
	const char *d = strrchr(version, '-');

	return d ? d + 1 : NULL;
}

bool
sw_bump_possible(const char *version)
{
	const char *rel = pkgrel_of(version);

	return rel != NULL && strchr(rel, '.') == NULL;
}

int
sw_bump_next(const struct sw_publist *l, const char *pkgbase,
	const char *repo, const char *version, unsigned *bump, struct sw_err *e)
{
	long i = sw_publist_find(l, pkgbase, repo);
	unsigned next;

	*bump = 0;
	if (i < 0 || strcmp(l->v[i].meta.version, version) != 0)
		return 0;
	next = sw_id_bump(&l->v[i].id) + 1;
	if (!sw_bump_possible(version)) {
		sw_err_set(e, "'%s' %s is published in '%s' already and its pkgrel "
			"has a sub-release: the farm cannot bump it (makepkg allows "
			"one '.' in pkgrel)", pkgbase, version, repo);
		return 1;
	}
	if (next > SW_BUMP_MAX) {
		sw_err_set(e, "'%s' %s in '%s' was bumped %u times: change its "
			"pkgrel", pkgbase, version, repo, SW_BUMP_MAX);
		return 1;
	}
	*bump = next;
	return 0;
}

int
sw_bump_pkgrel(const char *version, unsigned bump, char *out, size_t size,
	struct sw_err *e)
{
	const char *rel = pkgrel_of(version);
	int n;

	if (rel == NULL || (bump > 0 && !sw_bump_possible(version)))
		return sw_err_set(e, "cannot bump version '%s'", version);
	n = bump > 0 ? snprintf(out, size, "%s.%u", rel, bump) :
		snprintf(out, size, "%s", rel);
	if (n < 0 || (size_t)n >= size)
		return sw_err_set(e, "version '%s' is too long to bump", version);
	return 0;
}

int
sw_bump_version(const char *version, unsigned bump, char *out, size_t size,
	struct sw_err *e)
{
	char rel[SW_VERSION_MAX + 1];
	int n;

	if (sw_bump_pkgrel(version, bump, rel, sizeof(rel), e) < 0)
		return -1;
	n = snprintf(out, size, "%.*s%s",
		(int)(pkgrel_of(version) - version), version, rel);
	if (n < 0 || (size_t)n >= size)
		return sw_err_set(e, "version '%s' is too long to bump", version);
	return 0;
}

int
sw_bump_queue(const struct sw_publist *pub, const char *pkgbase,
	const char *repo, struct sw_build_list *l, struct sw_buildmeta *m,
	struct sw_id *id, char *ver, size_t size, struct sw_err *e)
{
	struct sw_buildmeta_entry ent;
	const struct sw_published *p;
	char idstr[SW_ID_MAX + 1];
	long i = sw_buildlist_find(l, pkgbase, repo);

	if (i >= 0) {
		sw_id_format(&l->v[i], idstr, sizeof(idstr));
		sw_err_set(e, "'%s' in '%s' is on the build list already, as '%s'",
			pkgbase, repo, idstr);
		return 1;
	}
	i = sw_publist_find(pub, pkgbase, repo);
	if (i < 0) {
		sw_err_set(e, "'%s' in '%s' is not published (return-assignment "
			"accepted no build of it)", pkgbase, repo);
		return 1;
	}
	p = &pub->v[i];
	if (!sw_bump_possible(p->meta.version)) {
		sw_err_set(e, "'%s' %s in '%s': its pkgrel has a sub-release "
			"already, the farm cannot bump it (makepkg allows one '.' in "
			"pkgrel)", pkgbase, p->meta.version, repo);
		return 1;
	}
	*id = p->id;
	if (sw_id_set_bump(id, sw_id_bump(&p->id) + 1, e) < 0)
		return 1;
	if (sw_bump_version(p->meta.version, sw_id_bump(id), ver, size, e) < 0)
		return -1;
	if (sw_buildmeta_find(m, pkgbase, repo) >= 0)
		return sw_err_set(e, "'%s' in '%s' has build-meta but is not on the "
			"build list", pkgbase, repo);
	if (sw_buildmeta_entry_copy(&ent, &p->meta, e) < 0)
		return -1;
	if (sw_buildmeta_add(m, &ent, e) < 0)
		return -1;
	if (sw_buildlist_append(l, id, e) < 0) {
		sw_buildmeta_remove(m, m->n - 1);
		return -1;
	}
	return 0;
}
