/*
 * lines: the line-and-field reader behind every state file we parse.
 *
 * Takes a buffer that holds a whole file (read with sw_file_read) and hands
 * out its lines split on single spaces into exactly n fields. A line with
 * too few or too many fields, an empty field, a NUL byte, a missing final
 * newline or a line longer than max is an error naming "<path>:<line>":
 * nothing is ever silently dropped. With rest_last, the last field takes
 * the rest of the line (free text such as a block reason).
 * The buffer is modified in place; fields point into it.
 */
#ifndef SW_LINES_H
#define SW_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct sw_lines {
	const char *path;
	char *p, *end;
	int line;
};

void sw_lines_init(struct sw_lines *l, const char *path, struct sw_buf *data);
/* 1: a line was split into f[0..n); 0: end of file; -1: error. */
int sw_lines_next(struct sw_lines *l, char **f, size_t n, bool rest_last,
	size_t max, struct sw_err *e);

/*
 * Lists keyed by (pkgbase, repository) hold each key once. Checks n records
 * of `stride` bytes at base, whose two key strings sit at offsets a and b,
 * in O(n log n); a duplicate is an error naming path and the later line.
 */
int sw_lines_check_unique(const char *path, const void *base, size_t n,
	size_t stride, size_t a, size_t b, struct sw_err *e);

#endif
