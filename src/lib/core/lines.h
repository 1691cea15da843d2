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
 *
 * Every list file of the state directory (build list, deletion list,
 * pkgbuild-errors) is read with sw_lines_read_file and written with
 * sw_lines_write_file: an absent file is an empty list; a record the
 * caller's function refuses is an error "<path>:<line>: <why>"; a write
 * is one atomic replace, or staged in a transaction (t non-NULL).
 */
#ifndef SW_LINES_H
#define SW_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/txn.h"

#define SW_LINES_FIELDS_MAX 10

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

/* Called with the n fields of each line; 0, or -1 with e set. */
typedef int (*sw_lines_record_fn)(char **f, void *arg, struct sw_err *e);
/*
 * Reads the file at path (at most max_size bytes; absent: no lines) and
 * hands each line's n fields to fn, in order. 0, or -1 with e set.
 */
int sw_lines_read_file(const char *path, size_t max_size, size_t n,
	bool rest_last, size_t max, sw_lines_record_fn fn, void *arg,
	struct sw_err *e);

/* Appends record i of list, with its final newline; -1 when out of memory. */
typedef int (*sw_lines_format_fn)(struct sw_buf *out, const void *list,
	size_t i);
/* Writes records 0..n-1 of list to path: replaced atomically, or in t. */
int sw_lines_write_file(const char *path, const void *list, size_t n,
	sw_lines_format_fn fn, struct sw_txn *t, struct sw_err *e);

/*
 * One record of a list keyed (pkgbase, repository) without parsing the
 * others: a scan of the bytes for the line whose field 0 is k0 and field
 * kf is k1 (fields split on single spaces). The other lines are neither
 * checked nor changed: a caller that reads or moves one record costs a
 * copy of the file, not the parsing of every line (return-assignment on a
 * 20,000-entry build list).
 *
 * sw_lines_find_keyed: in data[0..len): 1 with *off and *n the line's bytes
 * (its newline included), 0 if none.
 * sw_lines_move_keyed: reads the file at path (at most max_size bytes),
 * takes the line out and, with to_end, puts it last; writes the rest back
 * as it was, replaced atomically or in t. 0; 1 if no line has the key
 * (nothing written); -1 with e (a key listed twice, a file that does not
 * end with a newline: "<path>:<line>").
 */
int sw_lines_find_keyed(const char *data, size_t len, size_t kf,
	const char *k0, const char *k1, size_t *off, size_t *n);
int sw_lines_move_keyed(const char *path, size_t max_size, size_t kf,
	const char *k0, const char *k1, bool to_end, struct sw_txn *t,
	struct sw_err *e);

#endif
