#include "queue/together.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/lines.h"

#define TOGETHER_MAX_SIZE (16 * 1024 * 1024)
#define TOGETHER_LINE_MAX (SW_REPO_MAX + 2 * SW_PKGNAME_MAX + \
	SW_VERSION_MAX + 4)

void
sw_together_release(struct sw_together *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static bool
same_key(const struct sw_together_ent *x, const char *repo, const char *lib,
	const char *pkgbase)
{
	return strcmp(x->repo, repo) == 0 && strcmp(x->lib, lib) == 0 &&
		strcmp(x->pkgbase, pkgbase) == 0;
}

static int
add(struct sw_together *t, const char *repo, const char *lib,
	const char *pkgbase, const char *version, bool twice_is_error,
	struct sw_err *e)
{
	struct sw_together_ent *x;
	size_t i;

	if (sw_name_check(SW_NAME_REPO, repo, e) < 0 ||
	    sw_name_check(SW_NAME_PKGBASE, lib, e) < 0 ||
	    sw_name_check(SW_NAME_PKGBASE, pkgbase, e) < 0 ||
	    sw_name_check(SW_NAME_VERSION, version, e) < 0)
		return -1;
	for (i = 0; i < t->n; i++)
		if (same_key(&t->v[i], repo, lib, pkgbase))
			return twice_is_error ? sw_err_set(e, "'%s' with '%s' in "
				"'%s' is listed twice", pkgbase, lib, repo) : 0;
	if (t->n == t->alloc) {
		size_t a = t->alloc ? t->alloc * 2 : 16;
		struct sw_together_ent *v = reallocarray(t->v, a, sizeof(*v));

		if (v == NULL)
			return sw_err_sys(e, "cannot keep what moves together");
		t->v = v;
		t->alloc = a;
	}
	x = &t->v[t->n++];
	snprintf(x->repo, sizeof(x->repo), "%s", repo);
	snprintf(x->lib, sizeof(x->lib), "%s", lib);
	snprintf(x->pkgbase, sizeof(x->pkgbase), "%s", pkgbase);
	snprintf(x->version, sizeof(x->version), "%s", version);
	return 0;
}

int
sw_together_add(struct sw_together *t, const char *repo, const char *lib,
	const char *pkgbase, const char *version, struct sw_err *e)
{
	return add(t, repo, lib, pkgbase, version, false, e);
}

void
sw_together_drop(struct sw_together *t, const char *repo, const char *lib)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].repo, repo) != 0 ||
		    strcmp(t->v[i].lib, lib) != 0)
			t->v[n++] = t->v[i];
	t->n = n;
}

static int
record(char **f, void *arg, struct sw_err *e)
{
	return add(arg, f[0], f[1], f[2], f[3], true, e);
}

int
sw_together_read(const char *path, struct sw_together *t, struct sw_err *e)
{
	memset(t, 0, sizeof(*t));
	if (sw_lines_read_file(path, TOGETHER_MAX_SIZE, 4, false,
	    TOGETHER_LINE_MAX, record, t, e) < 0) {
		sw_together_release(t);
		return -1;
	}
	return 0;
}

static int
format_one(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_together_ent *x =
		&((const struct sw_together *)list)->v[i];

	return sw_buf_addf(out, "%s %s %s %s\n", x->repo, x->lib, x->pkgbase,
		x->version);
}

int
sw_together_write(const char *path, const struct sw_together *t,
	struct sw_txn *txn, struct sw_err *e)
{
	return sw_lines_write_file(path, t, t->n, format_one, txn, e);
}
