#include "queue/buildlist.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/lines.h"

#define LINE_MAX_LEN (SW_ID_MAX + 8)

/* Makes room for one more element of size bytes in *v. */
static int
grow(void **v, size_t *alloc, size_t n, size_t size, struct sw_err *e)
{
	void *p;
	size_t a;

	if (n < *alloc)
		return 0;
	a = *alloc ? *alloc * 2 : 64;
	p = reallocarray(*v, a, size);
	if (p == NULL)
		return sw_err_sys(e, "cannot grow list");
	*v = p;
	*alloc = a;
	return 0;
}

/*
 * The index of the record keyed (pkgbase, repo) among n records of stride
 * bytes at base, whose key strings sit at offsets a and b; -1 if none.
 */
static long
find_key(const void *base, size_t n, size_t stride, size_t a, size_t b,
	const char *pkgbase, const char *repo)
{
	const char *r = base;
	size_t i;

	for (i = 0; i < n; i++, r += stride)
		if (strcmp(r + a, pkgbase) == 0 && strcmp(r + b, repo) == 0)
			return (long)i;
	return -1;
}

static int
check_unique(const char *path, const struct sw_build_list *l, struct sw_err *e)
{
	return sw_lines_check_unique(path, l->v, l->n, sizeof(*l->v),
		offsetof(struct sw_id, pkgbase), offsetof(struct sw_id, repo), e);
}

static int
id_record(char **f, void *arg, struct sw_err *e)
{
	struct sw_id id;

	if (sw_id_from_fields(&id, f[0], f[1], f[2], f[3], e) < 0)
		return -1;
	return sw_buildlist_append(arg, &id, e);
}

int
sw_buildlist_read(const char *path, struct sw_build_list *l, struct sw_err *e)
{
	memset(l, 0, sizeof(*l));
	if (sw_lines_read_file(path, SW_LIST_MAX_SIZE, 4, false, LINE_MAX_LEN,
	    id_record, l, e) < 0 || check_unique(path, l, e) < 0) {
		sw_buildlist_release(l);
		return -1;
	}
	return 0;
}

static int
id_line(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_id *id = &((const struct sw_build_list *)list)->v[i];

	return sw_buf_addf(out, "%s %s %s %s\n", id->pkgbase, id->src, id->mod,
		id->repo);
}

int
sw_buildlist_write(const char *path, const struct sw_build_list *l,
	struct sw_txn *t, struct sw_err *e)
{
	/* never write what sw_buildlist_read would refuse */
	if (check_unique(path, l, e) < 0)
		return -1;
	return sw_lines_write_file(path, l, l->n, id_line, t, e);
}

void
sw_buildlist_release(struct sw_build_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

long
sw_buildlist_find(const struct sw_build_list *l, const char *pkgbase,
	const char *repo)
{
	return find_key(l->v, l->n, sizeof(*l->v), offsetof(struct sw_id, pkgbase),
		offsetof(struct sw_id, repo), pkgbase, repo);
}

int
sw_buildlist_append(struct sw_build_list *l, const struct sw_id *id,
	struct sw_err *e)
{
	if (grow((void **)&l->v, &l->alloc, l->n, sizeof(*l->v), e) < 0)
		return -1;
	l->v[l->n++] = *id;
	return 0;
}

void
sw_buildlist_remove(struct sw_build_list *l, size_t index)
{
	memmove(&l->v[index], &l->v[index + 1],
		(l->n - index - 1) * sizeof(*l->v));
	l->n--;
}

int
sw_buildlist_move(const char *path, const char *pkgbase, const char *repo,
	bool to_end, struct sw_txn *t, struct sw_err *e)
{
	return sw_lines_move_keyed(path, SW_LIST_MAX_SIZE, 3, pkgbase, repo, to_end,
		t, e);
}

static int
deletion_record(char **f, void *arg, struct sw_err *e)
{
	return sw_deletionlist_append(arg, f[0], f[1], e);
}

int
sw_deletionlist_read(const char *path, struct sw_deletion_list *l,
	struct sw_err *e)
{
	memset(l, 0, sizeof(*l));
	if (sw_lines_read_file(path, SW_LIST_MAX_SIZE, 2, false, LINE_MAX_LEN,
	    deletion_record, l, e) < 0) {
		sw_deletionlist_release(l);
		return -1;
	}
	return 0;
}

static int
deletion_line(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_deletion *d =
		&((const struct sw_deletion_list *)list)->v[i];

	return sw_buf_addf(out, "%s %s\n", d->pkgbase, d->repo);
}

int
sw_deletionlist_write(const char *path, const struct sw_deletion_list *l,
	struct sw_txn *t, struct sw_err *e)
{
	return sw_lines_write_file(path, l, l->n, deletion_line, t, e);
}

void
sw_deletionlist_release(struct sw_deletion_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

long
sw_deletionlist_find(const struct sw_deletion_list *l, const char *pkgbase,
	const char *repo)
{
	return find_key(l->v, l->n, sizeof(*l->v),
		offsetof(struct sw_deletion, pkgbase),
		offsetof(struct sw_deletion, repo), pkgbase, repo);
}

int
sw_deletionlist_append(struct sw_deletion_list *l, const char *pkgbase,
	const char *repo, struct sw_err *e)
{
	struct sw_deletion *d;

	if (sw_name_check(SW_NAME_PKGBASE, pkgbase, e) < 0 ||
	    sw_name_check(SW_NAME_REPO, repo, e) < 0)
		return -1;
	if (sw_deletionlist_find(l, pkgbase, repo) >= 0)
		return sw_err_set(e, "'%s' in '%s' is listed twice", pkgbase, repo);
	if (grow((void **)&l->v, &l->alloc, l->n, sizeof(*l->v), e) < 0)
		return -1;
	d = &l->v[l->n++];
	memcpy(d->pkgbase, pkgbase, strlen(pkgbase) + 1);
	memcpy(d->repo, repo, strlen(repo) + 1);
	return 0;
}

void
sw_deletionlist_remove(struct sw_deletion_list *l, size_t index)
{
	memmove(&l->v[index], &l->v[index + 1],
		(l->n - index - 1) * sizeof(*l->v));
	l->n--;
}
