#include "queue/triggers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/lines.h"

#define TRIGGERS_MAX_SIZE (16 * 1024 * 1024)
#define TRIGGERS_LINE_MAX 4096

void
sw_triggers_release(struct sw_triggers *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		sw_strvec_release(&t->v[i].names);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static long
find(const struct sw_triggers *t, const char *pkgbase)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].pkgbase, pkgbase) == 0)
			return (long)i;
	return -1;
}

/* The entry of pkgbase, made when it has none; NULL with e set. */
static struct sw_trigger *
entry(struct sw_triggers *t, const char *pkgbase, struct sw_err *e)
{
	struct sw_trigger *x;
	long i = find(t, pkgbase);

	if (i >= 0)
		return &t->v[i];
	if (sw_name_check(SW_NAME_PKGBASE, pkgbase, e) < 0)
		return NULL;
	if (t->n == t->alloc) {
		size_t a = t->alloc ? t->alloc * 2 : 16;
		struct sw_trigger *v = reallocarray(t->v, a, sizeof(*v));

		if (v == NULL) {
			sw_err_sys(e, "cannot keep the rebuild triggers");
			return NULL;
		}
		t->v = v;
		t->alloc = a;
	}
	x = &t->v[t->n++];
	snprintf(x->pkgbase, sizeof(x->pkgbase), "%s", pkgbase);
	sw_strvec_init(&x->names);
	return x;
}

int
sw_triggers_add(struct sw_triggers *t, const char *pkgbase,
	const char *words, struct sw_err *e)
{
	struct sw_strvec w = SW_STRVEC_INIT;
	struct sw_trigger *x;
	size_t k;
	int ret = -1;

	if (sw_strvec_split(&w, words) < 0) {
		sw_err_sys(e, "cannot keep the rebuild triggers");
		goto out;
	}
	if (w.n == 0) {
		sw_err_set(e, "'%s' names no package to trigger its rebuild",
			pkgbase);
		goto out;
	}
	for (k = 0; k < w.n; k++)
		if (sw_name_check(SW_NAME_PKGNAME, w.v[k], e) < 0)
			goto out;
	if ((x = entry(t, pkgbase, e)) == NULL)
		goto out;
	for (k = 0; k < w.n; k++)
		if (!sw_strvec_contains(&x->names, w.v[k]) &&
		    sw_strvec_push(&x->names, w.v[k]) < 0) {
			sw_err_sys(e, "cannot keep the rebuild triggers");
			goto out;
		}
	ret = 0;
out:
	sw_strvec_release(&w);
	return ret;
}

static int
record(char **f, void *arg, struct sw_err *e)
{
	struct sw_triggers *t = arg;

	if (find(t, f[0]) >= 0)
		return sw_err_set(e, "'%s' is listed twice", f[0]);
	return sw_triggers_add(t, f[0], f[1], e);
}

int
sw_triggers_read(const char *path, struct sw_triggers *t, struct sw_err *e)
{
	memset(t, 0, sizeof(*t));
	if (sw_lines_read_file(path, TRIGGERS_MAX_SIZE, 2, true,
	    TRIGGERS_LINE_MAX, record, t, e) < 0) {
		sw_triggers_release(t);
		return -1;
	}
	return 0;
}

static int
format_one(struct sw_buf *out, const void *list, size_t i)
{
	const struct sw_trigger *x = &((const struct sw_triggers *)list)->v[i];
	size_t k;

	if (sw_buf_addstr(out, x->pkgbase) < 0)
		return -1;
	for (k = 0; k < x->names.n; k++)
		if (sw_buf_addf(out, " %s", x->names.v[k]) < 0)
			return -1;
	return sw_buf_addch(out, '\n');
}

int
sw_triggers_write(const char *path, const struct sw_triggers *t,
	struct sw_txn *txn, struct sw_err *e)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].names.n == 0)
			return sw_err_set(e, "'%s' names no package to trigger its "
				"rebuild", t->v[i].pkgbase);
	return sw_lines_write_file(path, t, t->n, format_one, txn, e);
}

int
sw_triggers_match(const struct sw_triggers *t, const char *pkgname,
	const char *pkgbase, struct sw_strvec *out, struct sw_err *e)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct sw_trigger *x = &t->v[i];

		if (strcmp(x->pkgbase, pkgbase) == 0 ||
		    !sw_strvec_contains(&x->names, pkgname) ||
		    sw_strvec_contains(out, x->pkgbase))
			continue;
		if (sw_strvec_push(out, x->pkgbase) < 0)
			return sw_err_sys(e, "cannot match the rebuild triggers");
	}
	return 0;
}
