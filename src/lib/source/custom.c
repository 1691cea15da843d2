#include "source/custom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/names.h"

void
sw_custom_release(struct sw_custom_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].pkgbase);
		free(l->v[i].rest);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
cmp_entry(const void *x, const void *y)
{
	const struct sw_custom_entry *a = x, *b = y;
	int c = strcmp(a->pkgbase, b->pkgbase);

	return c ? c : strcmp(a->rest, b->rest);
}

static int
add(struct sw_custom_list *l, const char *pkgbase, const char *rest,
	struct sw_err *e)
{
	struct sw_custom_entry ent;

	if (l->n == l->alloc) {
		size_t a = l->alloc ? l->alloc * 2 : 32;
		struct sw_custom_entry *p = reallocarray(l->v, a, sizeof(*p));

		if (p == NULL)
			return sw_err_sys(e, "cannot read list");
		l->v = p;
		l->alloc = a;
	}
	ent.pkgbase = strdup(pkgbase);
	ent.rest = strdup(rest);
	if (ent.pkgbase == NULL || ent.rest == NULL) {
		free(ent.pkgbase);
		free(ent.rest);
		return sw_err_sys(e, "cannot read list");
	}
	l->v[l->n++] = ent;
	return 0;
}

static int
warn(struct sw_strvec *w, const char *what, int line, const char *fmt,
	const char *arg)
{
	char q[256], msg[512];

	if (w == NULL)
		return 0;
	sw_name_quote(arg, strlen(arg), q, sizeof(q));
	snprintf(msg, sizeof(msg), fmt, q);
	return sw_strvec_pushf(w, "%s:%d: %s", what, line, msg);
}

/* Splits one line (modified in place) into words, at most 64. */
static size_t
words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *p = line, *hash = strchr(line, '#');

	if (hash != NULL)
		*hash = '\0';
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n < max)
			w[n] = p;
		n++;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
	}
	return n;
}

int
sw_custom_parse(struct sw_custom_list *l, const char *text, size_t len,
	enum sw_custom_kind kind, const char *what, struct sw_strvec *warnings,
	struct sw_err *e)
{
	struct sw_buf rest = SW_BUF_INIT;
	char *copy = NULL, *p, *end, *next, *w[64];
	int line = 0, ret = -1;
	size_t n, i;

	memset(l, 0, sizeof(*l));
	if (len > SW_CUSTOM_MAX_SIZE) {
		sw_err_set(e, "%s: larger than %d bytes", what, SW_CUSTOM_MAX_SIZE);
		goto out;
	}
	copy = malloc(len + 1);
	if (copy == NULL) {
		sw_err_sys(e, "cannot read %s", what);
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (p = copy, end = copy + len; p < end; p = next) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		next = nl ? nl + 1 : end;
		line++;
		if (nl != NULL)
			*nl = '\0';
		if (strlen(p) != (size_t)((nl ? nl : end) - p)) {
			sw_err_set(e, "%s:%d: NUL byte", what, line);
			goto out;
		}
		if (strlen(p) > SW_CUSTOM_LINE_MAX) {
			sw_err_set(e, "%s:%d: line longer than %d bytes", what, line,
				SW_CUSTOM_LINE_MAX);
			goto out;
		}
		n = words(p, w, 64);
		if (n == 0)
			continue;
		if (n > 64 || !sw_name_valid(SW_NAME_PKGBASE, w[0])) {
			if (warn(warnings, what, line, "skipped: invalid pkgbase '%s'",
			    w[0]) < 0)
				goto nomem;
			continue;
		}
		if (kind == SW_CUSTOM_REPOS && (n != 2 ||
		    !sw_name_valid(SW_NAME_REPO, w[1]))) {
			if (warn(warnings, what, line, "skipped: expected '%s "
			    "<repository>'", w[0]) < 0)
				goto nomem;
			continue;
		}
		if (kind == SW_CUSTOM_PKGNAMES && n == 1) {
			if (warn(warnings, what, line, "skipped: expected '%s "
			    "<pkgname>...'", w[0]) < 0)
				goto nomem;
			continue;
		}
		for (i = 1; kind == SW_CUSTOM_PKGNAMES && i < n; i++)
			if (!sw_name_valid(SW_NAME_PKGNAME, w[i]))
				break;
		if (kind == SW_CUSTOM_PKGNAMES && i < n) {
			if (warn(warnings, what, line, "skipped: invalid pkgname '%s'",
			    w[i]) < 0)
				goto nomem;
			continue;
		}
		sw_buf_reset(&rest);
		for (i = 1; i < n; i++)
			if ((i > 1 && sw_buf_addch(&rest, ' ') < 0) ||
			    sw_buf_addstr(&rest, w[i]) < 0)
				goto nomem;
		if (add(l, w[0], rest.data, e) < 0)
			goto out;
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_entry);
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot read %s", what);
out:
	free(copy);
	sw_buf_release(&rest);
	if (ret < 0)
		sw_custom_release(l);
	return ret;
}

/* Index of the first entry for pkgbase, or l->n. */
static size_t
lower(const struct sw_custom_list *l, const char *pkgbase)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(l->v[mid].pkgbase, pkgbase) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct sw_custom_entry *
sw_custom_find(const struct sw_custom_list *l, const char *pkgbase)
{
	size_t i = lower(l, pkgbase);

	return i < l->n && strcmp(l->v[i].pkgbase, pkgbase) == 0 ? &l->v[i] : NULL;
}

bool
sw_custom_has(const struct sw_custom_list *l, const char *pkgbase)
{
	return sw_custom_find(l, pkgbase) != NULL;
}

static bool
has_line(const struct sw_custom_list *l, const struct sw_custom_entry *x)
{
	size_t i;

	for (i = lower(l, x->pkgbase); i < l->n &&
	    strcmp(l->v[i].pkgbase, x->pkgbase) == 0; i++)
		if (strcmp(l->v[i].rest, x->rest) == 0)
			return true;
	return false;
}

static int
push_once(struct sw_strvec *out, const char *s, struct sw_err *e)
{
	if (sw_strvec_contains(out, s))
		return 0;
	return sw_strvec_push(out, s) < 0 ? sw_err_sys(e, "cannot compare lists") : 0;
}

int
sw_custom_changed(const struct sw_custom_list *a,
	const struct sw_custom_list *b, bool only_new, struct sw_strvec *out,
	struct sw_err *e)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (!has_line(a, &b->v[i]) && push_once(out, b->v[i].pkgbase, e) < 0)
			return -1;
	if (only_new)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!has_line(b, &a->v[i]) && push_once(out, a->v[i].pkgbase, e) < 0)
			return -1;
	return 0;
}
