#include "lines.h"

#include <string.h>

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
