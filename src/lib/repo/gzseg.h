/*
 * gzseg: gzip files that can be rewritten without compressing all of them.
 *
 * A gzseg file is one ordinary gzip member (RFC 1952): gzip, zlib,
 * libarchive and so pacman read it as any other. Its deflate data is a
 * run of segments, each compressed on its own and ended by a full flush
 * (so that none refers back into another), then a final segment; its
 * header carries, in the extra field "SW", the table of segments:
 * compressed size, uncompressed size and CRC-32 of each. A writer can then
 * copy the compressed bytes of a segment whose contents did not change
 * from the old file into the new one, and compress only the rest: repodb
 * rewrites a 2,000-entry database after adding one package by compressing
 * one segment instead of ten megabytes.
 *
 * Reading: sw_gzseg_read inflates such a file, checking every segment's
 * size and CRC and the trailer, and hands back the table. It returns 1
 * for anything else (no table, a table that does not add up, more than one
 * member): read that as any gzip file, without reuse.
 * Writing: sw_gzseg_writer_init; per segment sw_gzseg_add (compress these
 * bytes) or sw_gzseg_copy (a segment of a file read before); then
 * sw_gzseg_finish (the last segment, header and trailer) into a buffer;
 * sw_gzseg_writer_release, also after an error. The writer's level is
 * zlib's, 1..9, for the segments compressed from then on: gzip's default
 * (6, what repo-add's gzip uses) after init; any level reads the same.
 * Memory only: no files, no locks. Errors: -1, out of memory or zlib.
 */
#ifndef SW_GZSEG_H
#define SW_GZSEG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SW_GZSEG_MAX 4000 /* segments in a table (the extra field's 64 KiB) */

struct sw_gzseg {
	size_t coff, clen;   /* compressed bytes: offset in the file, length */
	size_t uoff, ulen;   /* uncompressed bytes: offset in the data, length */
	uint32_t crc;
};

/* 0: data read into out (appended), the table in *segs (free it); 1: not ours. */
int sw_gzseg_read(const void *file, size_t len, struct sw_buf *out,
	struct sw_gzseg **segs, size_t *nsegs, struct sw_err *e);

struct sw_gzseg_writer {
	struct sw_buf body;    /* the deflate data so far */
	struct sw_buf table;   /* the "SW" payload so far */
	uint32_t crc;
	uint64_t size;
	size_t nsegs;
	int level;             /* for the next sw_gzseg_add: 1..9 */
	void *z;               /* the deflate state, reset for each segment */
	int zlevel;            /* the level z was last set to */
};

void sw_gzseg_writer_init(struct sw_gzseg_writer *w);
void sw_gzseg_writer_release(struct sw_gzseg_writer *w);
/* Room for about clen compressed bytes (the old file's size is a good
 * guess), mapped at once instead of grown and faulted in as they come. */
int sw_gzseg_reserve(struct sw_gzseg_writer *w, size_t clen, struct sw_err *e);
int sw_gzseg_add(struct sw_gzseg_writer *w, const void *data, size_t len,
	struct sw_err *e);
/* file: the file that seg was read from. */
int sw_gzseg_copy(struct sw_gzseg_writer *w, const void *file,
	const struct sw_gzseg *seg, struct sw_err *e);
/* last: the final bytes (e.g. a tar's end-of-archive blocks); out is reset. */
int sw_gzseg_finish(struct sw_gzseg_writer *w, const void *last, size_t len,
	struct sw_buf *out, struct sw_err *e);

#endif
