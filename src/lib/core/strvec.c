#include "core/strvec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *sw_strvec_empty[1];

void
sw_strvec_init(struct sw_strvec *sv)
{
	sv->v = sw_strvec_empty;
	sv->n = 0;
	sv->alloc = 0;
}

void
sw_strvec_release(struct sw_strvec *sv)
{
	size_t i;

	if (sv->alloc) {
		for (i = 0; i < sv->n; i++)
			free(sv->v[i]);
		free(sv->v);
	}
	sw_strvec_init(sv);
}

static int
push_owned(struct sw_strvec *sv, char *s)
{
	if (sv->n + 2 > sv->alloc) {
		size_t n = sv->alloc ? sv->alloc * 2 : 8;
		char **p = reallocarray(sv->alloc ? sv->v : NULL, n, sizeof(*p));

		if (p == NULL) {
			free(s);
			return -1;
		}
		sv->v = p;
		sv->alloc = n;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int
sw_strvec_push(struct sw_strvec *sv, const char *s)
{
	char *c = strdup(s);

	if (c == NULL)
		return -1;
	return push_owned(sv, c);
}

int
sw_strvec_pushf(struct sw_strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	return push_owned(sv, s);
}

int
sw_strvec_split(struct sw_strvec *sv, const char *s)
{
	size_t start = sv->n;

	while (*s) {
		size_t len;
		char *w;

		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (len == 0)
			break;
		w = strndup(s, len);
		if (w == NULL || push_owned(sv, w) < 0)
			goto fail;
		s += len;
	}
	return 0;
fail:
	while (sv->n > start)
		free(sv->v[--sv->n]);
	if (sv->alloc)
		sv->v[sv->n] = NULL;
	return -1;
}

int
sw_strvec_contains(const struct sw_strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

int
sw_strvec_add_list(struct sw_buf *b, const struct sw_strvec *sv)
{
	size_t i;

	if (sv->n == 0)
		return sw_buf_addstr(b, "-");
	for (i = 0; i < sv->n; i++)
		if ((i && sw_buf_addch(b, ',') < 0) || sw_buf_addstr(b, sv->v[i]) < 0)
			return -1;
	return 0;
}
