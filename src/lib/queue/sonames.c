#include "queue/sonames.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
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
