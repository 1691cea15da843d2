#include "core/lines.h"

#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

void
sw_lines_init(struct sw_lines *l, const char *path, struct sw_buf *data)
{
	l->path = path;
	l->p = data->data;
	l->end = data->data + data->len;
	l->line = 0;
}

int
sw_lines_next(struct sw_lines *l, char **f, size_t n, bool rest_last,
	size_t max, struct sw_err *e)
{
	char *nl, *s;
	size_t i, len;

	if (l->p >= l->end)
		return 0;
	l->line++;
	len = (size_t)(l->end - l->p);
	nl = memchr(l->p, '\n', len);
	if (nl == NULL)
		return sw_err_set(e, "%s:%d: truncated line (no newline at the end)",
			l->path, l->line);
	len = (size_t)(nl - l->p);
	if (len > max)
		return sw_err_set(e, "%s:%d: line longer than %zu bytes", l->path,
			l->line, max);
	if (memchr(l->p, '\0', len) != NULL)
		return sw_err_set(e, "%s:%d: NUL byte in line", l->path, l->line);
	*nl = '\0';
	s = l->p;
	l->p = nl + 1;
	for (i = 0; i < n; i++) {
		char *sp = (rest_last && i == n - 1) ? NULL : strchr(s, ' ');

		if (i == n - 1 && !rest_last && sp != NULL)
			return sw_err_set(e, "%s:%d: more than %zu fields", l->path,
				l->line, n);
		if (sp == NULL && i < n - 1)
			return sw_err_set(e, "%s:%d: expected %zu fields, found %zu",
				l->path, l->line, n, i + 1);
		if (sp != NULL)
			*sp = '\0';
		if (*s == '\0')
			return sw_err_set(e, "%s:%d: empty field %zu", l->path, l->line,
				i + 1);
		f[i] = s;
		s = sp ? sp + 1 : s + strlen(s);
	}
	return 1;
}

struct keyed {
	const char *a, *b;
	size_t index;
};

static int
cmp_keyed(const void *x, const void *y)
{
	const struct keyed *p = x, *q = y;
	int c = strcmp(p->a, q->a);

	return c ? c : strcmp(p->b, q->b);
}

int
sw_lines_check_unique(const char *path, const void *base, size_t n,
	size_t stride, size_t a, size_t b, struct sw_err *e)
{
	struct keyed *k;
	size_t i;
	int ret = 0;

	if (n < 2)
		return 0;
	k = reallocarray(NULL, n, sizeof(*k));
	if (k == NULL)
		return sw_err_sys(e, "cannot check '%s'", path);
	for (i = 0; i < n; i++) {
		const char *rec = (const char *)base + i * stride;

		k[i] = (struct keyed){ rec + a, rec + b, i };
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (i = 1; i < n; i++)
		if (cmp_keyed(&k[i - 1], &k[i]) == 0) {
			size_t later = k[i - 1].index > k[i].index ? k[i - 1].index :
				k[i].index;

			ret = sw_err_set(e, "%s:%zu: '%s' in '%s' is listed twice",
				path, later + 1, k[i].a, k[i].b);
			break;
		}
	free(k);
	return ret;
}

int
sw_lines_read_file(const char *path, size_t max_size, size_t n, bool rest_last,
	size_t max, sw_lines_record_fn fn, void *arg, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT;
	struct sw_lines lines;
	struct sw_err fe;
	char *f[SW_LINES_FIELDS_MAX];
	int r, ret = -1;

	if (n > SW_LINES_FIELDS_MAX) {
		sw_err_set(e, "'%s': %zu fields are too many", path, n);
		goto out;
	}
	if (sw_file_read(path, max_size, &data, e) < 0)
		goto out;
	sw_lines_init(&lines, path, &data);
	while ((r = sw_lines_next(&lines, f, n, rest_last, max, e)) == 1) {
		if (fn(f, arg, &fe) < 0) {
			sw_err_set(e, "%s:%d: %s", path, lines.line, fe.msg);
			goto out;
		}
	}
	if (r < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&data);
	return ret;
}

int
sw_lines_write_file(const char *path, const void *list, size_t n,
	sw_lines_format_fn fn, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf out = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < n; i++)
		if (fn(&out, list, i) < 0) {
			sw_err_sys(e, "cannot write '%s'", path);
			goto out;
		}
	ret = t != NULL ? sw_txn_replace(t, path, out.data, out.len, 0644, e) :
		sw_file_replace(path, out.data, out.len, 0644, e);
out:
	sw_buf_release(&out);
	return ret;
}

/* Field kf of the line p[0..len) (no newline) is k1 (klen bytes). */
static bool
field_is(const char *p, size_t len, size_t kf, const char *k1, size_t klen)
{
	const char *end = p + len, *sp;
	size_t i;

	for (i = 0; i < kf; i++) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (sp == NULL)
			return false;
		p = sp + 1;
	}
	return (size_t)(end - p) >= klen && memcmp(p, k1, klen) == 0 &&
		(p + klen == end || p[klen] == ' ');
}

int
sw_lines_find_keyed(const char *data, size_t len, size_t kf, const char *k0,
	const char *k1, size_t *off, size_t *n)
{
	const char *p = data, *end = data + len, *nl;
	size_t l0 = strlen(k0), l1 = strlen(k1);

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) > l0 && memcmp(p, k0, l0) == 0 && p[l0] == ' ' &&
		    field_is(p, (size_t)(nl - p), kf, k1, l1)) {
			*off = (size_t)(p - data);
			*n = (size_t)(nl - p) + (nl < end);
			return 1;
		}
	}
	return 0;
}

/* The number of the line that starts at data + off. */
static size_t
line_number(const char *data, size_t off)
{
	const char *p = data, *end = data + off;
	size_t line = 1;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

int
sw_lines_move_keyed(const char *path, size_t max_size, size_t kf,
	const char *k0, const char *k1, bool to_end, struct sw_txn *t,
	struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT, out = SW_BUF_INIT;
	size_t off, n, off2, n2;
	int ret = -1;

	if (sw_file_read(path, max_size, &data, e) < 0)
		goto out;
	if (data.len > 0 && data.data[data.len - 1] != '\n') {
		sw_err_set(e, "%s:%zu: truncated line (no newline at the end)", path,
			line_number(data.data, data.len));
		goto out;
	}
	if (sw_lines_find_keyed(data.data, data.len, kf, k0, k1, &off, &n) == 0) {
		ret = 1;
		goto out;
	}
	if (sw_lines_find_keyed(data.data + off + n, data.len - off - n, kf, k0,
	    k1, &off2, &n2) == 1) {
		sw_err_set(e, "%s:%zu: '%s' in '%s' is listed twice", path,
			line_number(data.data, off + n + off2), k0, k1);
		goto out;
	}
	if (sw_buf_add(&out, data.data, off) < 0 ||
	    sw_buf_add(&out, data.data + off + n, data.len - off - n) < 0 ||
	    (to_end && sw_buf_add(&out, data.data + off, n) < 0)) {
		sw_err_sys(e, "cannot write '%s'", path);
		goto out;
	}
	if ((t != NULL ? sw_txn_replace(t, path, out.data, out.len, 0644, e) :
	    sw_file_replace(path, out.data, out.len, 0644, e)) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&data);
	sw_buf_release(&out);
	return ret;
}
