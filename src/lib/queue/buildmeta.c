#include "queue/buildmeta.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/lines.h"

#define META_MAX_SIZE (256 * 1024 * 1024)
#define META_LINE_MAX (64 * 1024)

static void
entry_release(struct sw_buildmeta_entry *ent)
{
	sw_strvec_release(&ent->pkgnames);
	sw_strvec_release(&ent->deps);
}

/* Splits a comma list into sv, checking each item as kind. */
static int
split_list(const char *s, enum sw_name_kind kind, struct sw_strvec *sv,
	struct sw_err *e)
{
	while (*s) {
		size_t len = strcspn(s, ",");
		char item[SW_PKGNAME_MAX + 1];

		if (sw_name_check_mem(kind, s, len, e) < 0)
			return -1;
		memcpy(item, s, len);
		item[len] = '\0';
		if (sw_strvec_push(sv, item) < 0)
			return sw_err_sys(e, "cannot read list");
		s += len;
		if (*s == ',' && *++s == '\0')
			return sw_err_set(e, "list ends in ','");
	}
	return 0;
}

static int append(struct sw_buildmeta *m, struct sw_buildmeta_entry *ent,
	struct sw_err *e);

static int
copy_checked(char *dst, size_t size, enum sw_name_kind kind, const char *s,
	struct sw_err *e)
{
	if (sw_name_check(kind, s, e) < 0)
		return -1;
	if (strlen(s) >= size)
		return sw_err_set(e, "'%.64s' is too long", s);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

int
sw_buildmeta_parse(char **f, struct sw_buildmeta_entry *ent, struct sw_err *e)
{
	if (copy_checked(ent->pkgbase, sizeof(ent->pkgbase), SW_NAME_PKGBASE,
	    f[0], e) < 0 ||
	    copy_checked(ent->repo, sizeof(ent->repo), SW_NAME_REPO, f[1], e) < 0 ||
	    copy_checked(ent->source, sizeof(ent->source), SW_NAME_SOURCE, f[2],
	    e) < 0 ||
	    copy_checked(ent->path, sizeof(ent->path), SW_NAME_TREEPATH, f[3],
	    e) < 0 ||
	    (strcmp(f[4], "-") != 0 && copy_checked(ent->custom,
	    sizeof(ent->custom), SW_NAME_TREEPATH, f[4], e) < 0) ||
	    copy_checked(ent->version, sizeof(ent->version), SW_NAME_VERSION,
	    f[5], e) < 0 ||
	    split_list(f[6], SW_NAME_PKGNAME, &ent->pkgnames, e) < 0 ||
	    (strcmp(f[7], "-") != 0 &&
	    split_list(f[7], SW_NAME_PKGBASE, &ent->deps, e) < 0))
		return -1;
	return 0;
}

int
sw_buildmeta_read(const char *path, struct sw_buildmeta *m, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT;
	struct sw_buildmeta_entry ent;
	struct sw_lines lines;
	struct sw_err fe;
	char *f[8];
	int r, ret = -1;

	memset(m, 0, sizeof(*m));
	memset(&ent, 0, sizeof(ent));
	sw_strvec_init(&ent.pkgnames);
	sw_strvec_init(&ent.deps);
	r = sw_file_read(path, META_MAX_SIZE, &data, e);
	if (r < 0)
		goto out;
	sw_lines_init(&lines, path, &data);
	while ((r = sw_lines_next(&lines, f, 8, false, META_LINE_MAX, e)) == 1) {
		if (sw_buildmeta_parse(f, &ent, &fe) < 0 || append(m, &ent, &fe) < 0) {
			sw_err_set(e, "%s:%d: %s", path, lines.line, fe.msg);
			goto out;
		}
		memset(&ent, 0, sizeof(ent));
		sw_strvec_init(&ent.pkgnames);
		sw_strvec_init(&ent.deps);
	}
	if (r < 0 || sw_lines_check_unique(path, m->v, m->n, sizeof(*m->v),
	    offsetof(struct sw_buildmeta_entry, pkgbase),
	    offsetof(struct sw_buildmeta_entry, repo), e) < 0)
		goto out;
	ret = 0;
out:
	entry_release(&ent);
	sw_buf_release(&data);
	if (ret < 0)
		sw_buildmeta_release(m);
	return ret;
}

int
sw_buildmeta_format(struct sw_buf *b, const struct sw_buildmeta_entry *x)
{
	if (sw_buf_addf(b, "%s %s %s %s %s %s ", x->pkgbase, x->repo,
	    x->source, x->path, x->custom[0] ? x->custom : "-",
	    x->version) < 0 || sw_strvec_add_list(b, &x->pkgnames) < 0 ||
	    sw_buf_addch(b, ' ') < 0 || sw_strvec_add_list(b, &x->deps) < 0)
		return -1;
	return 0;
}

int
sw_buildmeta_write(const char *path, const struct sw_buildmeta *m,
	struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < m->n; i++) {
		if (sw_buildmeta_format(&b, &m->v[i]) < 0 ||
		    sw_buf_addch(&b, '\n') < 0) {
			sw_err_sys(e, "cannot write '%s'", path);
			goto out;
		}
	}
	ret = t ? sw_txn_replace(t, path, b.data, b.len, 0644, e) :
		sw_file_replace(path, b.data, b.len, 0644, e);
out:
	sw_buf_release(&b);
	return ret;
}

int
sw_buildmeta_entry_copy(struct sw_buildmeta_entry *dst,
	const struct sw_buildmeta_entry *src, struct sw_err *e)
{
	size_t i;

	*dst = *src;
	sw_strvec_init(&dst->pkgnames);
	sw_strvec_init(&dst->deps);
	for (i = 0; i < src->pkgnames.n; i++)
		if (sw_strvec_push(&dst->pkgnames, src->pkgnames.v[i]) < 0)
			goto nomem;
	for (i = 0; i < src->deps.n; i++)
		if (sw_strvec_push(&dst->deps, src->deps.v[i]) < 0)
			goto nomem;
	return 0;
nomem:
	entry_release(dst);
	return sw_err_sys(e, "cannot copy the build-meta of '%s'", src->pkgbase);
}

void
sw_buildmeta_entry_release(struct sw_buildmeta_entry *ent)
{
	entry_release(ent);
}

void
sw_buildmeta_release(struct sw_buildmeta *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		entry_release(&m->v[i]);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

long
sw_buildmeta_find(const struct sw_buildmeta *m, const char *pkgbase,
	const char *repo)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].pkgbase, pkgbase) == 0 &&
		    strcmp(m->v[i].repo, repo) == 0)
			return (long)i;
	return -1;
}

/* Every field of ent, as sw_buildmeta_read checks them while parsing. */
static int
check_entry(const struct sw_buildmeta_entry *ent, struct sw_err *e)
{
	size_t i;

	if (sw_name_check(SW_NAME_PKGBASE, ent->pkgbase, e) < 0 ||
	    sw_name_check(SW_NAME_REPO, ent->repo, e) < 0 ||
	    sw_name_check(SW_NAME_SOURCE, ent->source, e) < 0 ||
	    sw_name_check(SW_NAME_TREEPATH, ent->path, e) < 0 ||
	    (ent->custom[0] && sw_name_check(SW_NAME_TREEPATH, ent->custom, e) < 0) ||
	    sw_name_check(SW_NAME_VERSION, ent->version, e) < 0)
		return -1;
	for (i = 0; i < ent->pkgnames.n; i++)
		if (sw_name_check(SW_NAME_PKGNAME, ent->pkgnames.v[i], e) < 0)
			return -1;
	for (i = 0; i < ent->deps.n; i++)
		if (sw_name_check(SW_NAME_PKGBASE, ent->deps.v[i], e) < 0)
			return -1;
	return 0;
}

/* Takes over ent (its strvecs are emptied, also on failure). */
static int
append(struct sw_buildmeta *m, struct sw_buildmeta_entry *ent, struct sw_err *e)
{
	if (ent->pkgnames.n == 0) {
		sw_err_set(e, "'%s' builds no package", ent->pkgbase);
		goto fail;
	}
	if (m->n == m->alloc) {
		size_t a = m->alloc ? m->alloc * 2 : 64;
		struct sw_buildmeta_entry *p = reallocarray(m->v, a, sizeof(*p));

		if (p == NULL) {
			sw_err_sys(e, "cannot grow build metadata");
			goto fail;
		}
		m->v = p;
		m->alloc = a;
	}
	m->v[m->n++] = *ent;
	sw_strvec_init(&ent->pkgnames);
	sw_strvec_init(&ent->deps);
	return 0;
fail:
	entry_release(ent);
	return -1;
}

int
sw_buildmeta_add(struct sw_buildmeta *m, struct sw_buildmeta_entry *ent,
	struct sw_err *e)
{
	if (check_entry(ent, e) < 0) {
		entry_release(ent);
		return -1;
	}
	if (sw_buildmeta_find(m, ent->pkgbase, ent->repo) >= 0) {
		sw_err_set(e, "'%s' in '%s' is listed twice", ent->pkgbase, ent->repo);
		entry_release(ent);
		return -1;
	}
	return append(m, ent, e);
}

void
sw_buildmeta_remove(struct sw_buildmeta *m, size_t index)
{
	entry_release(&m->v[index]);
	memmove(&m->v[index], &m->v[index + 1],
		(m->n - index - 1) * sizeof(*m->v));
	m->n--;
}

int
sw_buildmeta_lookup(const char *path, const char *pkgbase, const char *repo,
	struct sw_buildmeta_entry *ent, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT, line = SW_BUF_INIT;
	struct sw_lines lines;
	struct sw_err fe;
	const char *p;
	size_t off, n;
	char *f[8];
	int r, ret = -1;

	memset(ent, 0, sizeof(*ent));
	sw_strvec_init(&ent->pkgnames);
	sw_strvec_init(&ent->deps);
	if (sw_file_read(path, META_MAX_SIZE, &data, e) < 0)
		goto out;
	if (sw_lines_find_keyed(data.data, data.len, 1, pkgbase, repo, &off,
	    &n) == 0) {
		ret = 0;
		goto out;
	}
	if (sw_buf_add(&line, data.data + off, n) < 0) {
		sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	sw_lines_init(&lines, path, &line);
	/* the line's own number in messages */
	for (p = data.data; (p = memchr(p, '\n', (size_t)(data.data + off - p)))
	    != NULL; p++)
		lines.line++;
	r = sw_lines_next(&lines, f, 8, false, META_LINE_MAX, e);
	if (r < 0)
		goto out;
	if (sw_buildmeta_parse(f, ent, &fe) < 0) {
		sw_err_set(e, "%s:%d: %s", path, lines.line, fe.msg);
		goto out;
	}
	ret = 1;
out:
	if (ret < 0)
		entry_release(ent);
	sw_buf_release(&data);
	sw_buf_release(&line);
	return ret;
}

int
sw_buildmeta_move(const char *path, const char *pkgbase, const char *repo,
	bool to_end, struct sw_txn *t, struct sw_err *e)
{
	return sw_lines_move_keyed(path, META_MAX_SIZE, 1, pkgbase, repo, to_end,
		t, e);
}
