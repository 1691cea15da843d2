#include "repo/gzseg.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* zlib deflates and inflates segments (it can flush between them);
 * libdeflate's CRC-32 is several times as fast as zlib's */
#include <libdeflate.h>
#define ZLIB_CONST
#include <zlib.h>

#define MAX_DATA (1024UL * 1024 * 1024) /* uncompressed bytes we inflate here */
#define MAX_SEGMENT (UINT_MAX / 2)     /* one deflate call per segment */
#define VERSION 1
#define ROW 12                         /* clen, ulen, crc: 32 bits each */
/*
 * deflate never expands more than 1032:1; a table or trailer claiming more
 * is a lie, and believing it would allocate up to MAX_SEGMENT for a few
 * bytes of input
 */
#define MAX_RATIO 1032

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8 & 0xff);
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

/*
 * Raw inflate of in[0..clen) into exactly ulen more bytes of out, with s
 * (inflateInit2'ed raw; reset here, as one state serves every segment).
 */
static bool
inflate_exact(z_stream *s, const unsigned char *in, size_t clen, size_t ulen,
	bool last, struct sw_buf *out)
{
	int r;

	if (clen > MAX_SEGMENT || ulen > MAX_SEGMENT ||
	    ulen > clen * MAX_RATIO + 16 || sw_buf_grow(out, ulen + 1) < 0 ||
	    inflateReset(s) != Z_OK)
		return false;
	s->next_in = in;
	s->avail_in = (uInt)clen;
	s->next_out = (unsigned char *)out->data + out->len;
	s->avail_out = (uInt)ulen + 1; /* one more: a longer segment shows */
	r = inflate(s, Z_SYNC_FLUSH);
	if (s->avail_in != 0 || s->avail_out != 1 ||
	    (last ? r != Z_STREAM_END : r != Z_OK && r != Z_BUF_ERROR))
		return false;
	out->len += ulen;
	out->data[out->len] = '\0';
	return true;
}

/* The "SW" payload of a gzip header, or NULL. */
static const unsigned char *
find_table(const unsigned char *p, size_t len, size_t *start, size_t *plen)
{
	size_t xlen, i;

	if (len < 18 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 ||
	    (p[3] & ~0x05) != 0 || (p[3] & 0x04) == 0)
		return NULL;
	xlen = get16(p + 10);
	if (12 + xlen + 8 > len)
		return NULL;
	*start = 12 + xlen;
	for (i = 12; i + 4 <= 12 + xlen; i += 4 + get16(p + i + 2)) {
		size_t n = get16(p + i + 2);

		if (i + 4 + n > 12 + xlen)
			return NULL;
		if (p[i] == 'S' && p[i + 1] == 'W') {
			*plen = n;
			return p + i + 4;
		}
	}
	return NULL;
}

int
sw_gzseg_read(const void *file, size_t len, struct sw_buf *out,
	struct sw_gzseg **segs, size_t *nsegs, struct sw_err *e)
{
	const unsigned char *p = file, *t;
	struct sw_gzseg *v = NULL;
	z_stream z;
	size_t start = 0, tlen = 0, keep = out->len, pos, n, i;
	uint32_t crc = crc32(0, NULL, 0), size = 0, lastlen;
	uint64_t total = 0;

	*segs = NULL;
	*nsegs = 0;
	t = find_table(p, len, &start, &tlen);
	if (t == NULL || tlen < 5 || t[0] != VERSION)
		return 1;
	n = get32(t + 1);
	if (n > SW_GZSEG_MAX || tlen != 5 + n * ROW)
		return 1;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return sw_err_set(e, "cannot read a database: zlib failed");
	v = calloc(n ? n : 1, sizeof(*v));
	if (v == NULL) {
		inflateEnd(&z);
		return sw_err_sys(e, "cannot read a database");
	}
	/* room for all of it at once: the trailer's size, if believable */
	lastlen = get32(p + len - 4);
	if (lastlen <= MAX_DATA && lastlen / MAX_RATIO <= len &&
	    sw_buf_grow_mapped(out, (size_t)lastlen + 1) < 0) {
		inflateEnd(&z);
		free(v);
		return sw_err_sys(e, "cannot read a database");
	}
	for (i = 0, pos = start; i < n; i++) {
		const unsigned char *row = t + 5 + i * ROW;

		v[i].coff = pos;
		v[i].clen = get32(row);
		v[i].ulen = get32(row + 4);
		v[i].crc = get32(row + 8);
		v[i].uoff = out->len;
		total += v[i].ulen;
		if (v[i].clen > len - 8 - pos || total > MAX_DATA ||
		    !inflate_exact(&z, p + pos, v[i].clen, v[i].ulen, false, out) ||
		    libdeflate_crc32(0, out->data + v[i].uoff, v[i].ulen) !=
		    v[i].crc)
			goto not_ours;
		crc = (uint32_t)crc32_combine(crc, v[i].crc, (z_off_t)v[i].ulen);
		size += (uint32_t)v[i].ulen;
		pos += v[i].clen;
	}
	/* the last segment: whatever the trailer's size says is left */
	lastlen = get32(p + len - 4) - size;
	if (total + lastlen > MAX_DATA)
		goto not_ours;
	start = out->len;
	if (!inflate_exact(&z, p + pos, len - 8 - pos, lastlen, true, out))
		goto not_ours;
	crc = (uint32_t)crc32_combine(crc, libdeflate_crc32(0,
		out->data + start, lastlen), (z_off_t)lastlen);
	if (crc != get32(p + len - 8))
		goto not_ours;
	inflateEnd(&z);
	*segs = v;
	*nsegs = n;
	return 0;
not_ours:
	inflateEnd(&z);
	free(v);
	sw_buf_truncate(out, keep);
	return 1;
}

void
sw_gzseg_writer_init(struct sw_gzseg_writer *w)
{
	sw_buf_init(&w->body, 0);
	sw_buf_init(&w->table, 0);
	w->crc = (uint32_t)crc32(0, NULL, 0);
	w->size = 0;
	w->nsegs = 0;
	w->level = Z_DEFAULT_COMPRESSION;
	w->z = NULL;
	w->zlevel = Z_DEFAULT_COMPRESSION;
}

void
sw_gzseg_writer_release(struct sw_gzseg_writer *w)
{
	sw_buf_release(&w->body);
	sw_buf_release(&w->table);
	if (w->z != NULL) {
		deflateEnd(w->z);
		free(w->z);
		w->z = NULL;
	}
}

/* Appends a table row and accounts for the segment's data. */
static int
account(struct sw_gzseg_writer *w, size_t clen, size_t ulen, uint32_t crc,
	struct sw_err *e)
{
	unsigned char row[ROW];

	put32(row, (uint32_t)clen);
	put32(row + 4, (uint32_t)ulen);
	put32(row + 8, crc);
	if (sw_buf_add(&w->table, row, sizeof(row)) < 0)
		return sw_err_sys(e, "cannot compress");
	w->crc = (uint32_t)crc32_combine(w->crc, crc, (z_off_t)ulen);
	w->size += ulen;
	w->nsegs++;
	return 0;
}

/*
 * Raw deflate of data, ended by a full flush (or, last, by the final
 * block), with the writer's state: made once, reset for every segment
 * (its allocation is a good part of the time for a small one).
 */
static int
deflate_into(struct sw_gzseg_writer *w, const void *data, size_t len,
	bool last, size_t *clen, struct sw_err *e)
{
	struct sw_buf *out = &w->body;
	z_stream *s = w->z;
	size_t room, keep = out->len;
	int r;

	if (len > MAX_SEGMENT)
		return sw_err_set(e, "cannot compress %zu bytes at once", len);
	if (s == NULL) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return sw_err_sys(e, "cannot compress");
		if (deflateInit2(s, w->level, Z_DEFLATED, -15, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK) {
			free(s);
			return sw_err_set(e, "cannot compress: zlib failed");
		}
		w->z = s;
		w->zlevel = w->level;
	} else if (deflateReset(s) != Z_OK)
		return sw_err_set(e, "cannot compress: zlib failed");
	/* right after a reset: nothing is pending, the new level applies to all */
	if (w->zlevel != w->level) {
		if (deflateParams(s, w->level, Z_DEFAULT_STRATEGY) != Z_OK)
			return sw_err_set(e, "cannot compress: zlib failed");
		w->zlevel = w->level;
	}
	room = deflateBound(s, (uLong)len) + 64;
	if (sw_buf_grow(out, room) < 0)
		return sw_err_sys(e, "cannot compress");
	s->next_in = data;
	s->avail_in = (uInt)len;
	s->next_out = (unsigned char *)out->data + out->len;
	s->avail_out = (uInt)room;
	r = deflate(s, last ? Z_FINISH : Z_FULL_FLUSH);
	if (s->avail_in != 0 || s->avail_out == 0 ||
	    r != (last ? Z_STREAM_END : Z_OK))
		return sw_err_set(e, "cannot compress: zlib failed");
	out->len += room - s->avail_out;
	out->data[out->len] = '\0';
	*clen = out->len - keep;
	return 0;
}

int
sw_gzseg_reserve(struct sw_gzseg_writer *w, size_t clen, struct sw_err *e)
{
	if (sw_buf_grow_mapped(&w->body, clen) < 0)
		return sw_err_sys(e, "cannot compress");
	return 0;
}

int
sw_gzseg_add(struct sw_gzseg_writer *w, const void *data, size_t len,
	struct sw_err *e)
{
	size_t clen;

	if (deflate_into(w, data, len, false, &clen, e) < 0)
		return -1;
	return account(w, clen, len, libdeflate_crc32(0, data, len), e);
}

int
sw_gzseg_copy(struct sw_gzseg_writer *w, const void *file,
	const struct sw_gzseg *seg, struct sw_err *e)
{
	if (sw_buf_add(&w->body, (const char *)file + seg->coff, seg->clen) < 0)
		return sw_err_sys(e, "cannot compress");
	return account(w, seg->clen, seg->ulen, seg->crc, e);
}

int
sw_gzseg_finish(struct sw_gzseg_writer *w, const void *last, size_t len,
	struct sw_buf *out, struct sw_err *e)
{
	unsigned char head[12 + 4 + 5], tail[8];
	size_t clen, hlen, plen = 5 + w->table.len;
	bool table = w->nsegs <= SW_GZSEG_MAX && w->size <= UINT32_MAX;

	if (deflate_into(w, last, len, true, &clen, e) < 0)
		return -1;
	w->crc = (uint32_t)crc32_combine(w->crc, libdeflate_crc32(0, last, len),
		(z_off_t)len);
	w->size += len;
	/* gzip -n: no name, no time; OS unix; the table in extra field "SW" */
	memcpy(head, "\x1f\x8b\x08\x04\0\0\0\0\0\x03", 10);
	put16(head + 10, (unsigned)(4 + plen));
	head[12] = 'S';
	head[13] = 'W';
	put16(head + 14, (unsigned)plen);
	head[16] = VERSION;
	put32(head + 17, (uint32_t)w->nsegs);
	if (!table)
		head[3] = 0;
	put32(tail, w->crc);
	put32(tail + 4, (uint32_t)w->size);
	/* the header and table go in front of the body, in its own memory:
	 * a second buffer the size of the file would be as many new pages */
	hlen = (table ? sizeof(head) + w->table.len : 10);
	if (sw_buf_grow(&w->body, hlen + sizeof(tail)) < 0)
		return sw_err_sys(e, "cannot compress");
	memmove(w->body.data + hlen, w->body.data, w->body.len);
	memcpy(w->body.data, head, table ? sizeof(head) : 10);
	if (table)
		memcpy(w->body.data + sizeof(head), w->table.data, w->table.len);
	memcpy(w->body.data + hlen + w->body.len, tail, sizeof(tail));
	w->body.len += hlen + sizeof(tail);
	w->body.data[w->body.len] = '\0';
	sw_buf_release(out);
	*out = w->body;
	sw_buf_init(&w->body, 0);
	return 0;
}
