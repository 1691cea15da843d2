/* repodb: reading a database (repodb.h). */
#include "repo/repodb_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fileio.h"
#include "repo/gzseg.h"

/* ---- loading ---- */

/* "name-version" of an archive path "name-version/..." into en. */
static int
split_dirname(const char *s, size_t len, struct sw_repodb_entry *en,
	struct sw_err *e)
{
	size_t i, dashes = 0;
	char q[96];

	for (i = len; i > 0; i--)
		if (s[i - 1] == '-' && ++dashes == 2)
			break;
	if (i <= 1 || i - 1 > SW_PKGNAME_MAX || len - i > SW_VERSION_MAX ||
	    sw_name_check_mem(SW_NAME_PKGNAME, s, i - 1, NULL) < 0 ||
	    sw_name_check_mem(SW_NAME_VERSION, s + i, len - i, NULL) < 0) {
		sw_name_quote(s, len, q, sizeof(q));
		return sw_err_set(e, "entry '%s' is not <pkgname>-<version>", q);
	}
	memcpy(en->name, s, i - 1);
	en->name[i - 1] = '\0';
	memcpy(en->version, s + i, len - i);
	en->version[len - i] = '\0';
	return 0;
}

static bool
valid_member_name(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > 64 || s[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/* The entry for an archive path's directory: found, or made. */
static int
entry_for(struct sw_repodb *db, const char *dirname, size_t len,
	time_t mtime, struct sw_repodb_entry **out, struct sw_err *e)
{
	struct sw_repodb_entry probe, *en;
	bool found;
	size_t i;

	memset(&probe, 0, sizeof(probe));
	if (split_dirname(dirname, len, &probe, e) < 0)
		return -1;
	i = repodb_lookup(db, probe.name, &found);
	if (found && strcmp(db->v[i]->version, probe.version) == 0) {
		*out = db->v[i];
		return 0;
	}
	if (found)
		return sw_err_set(e, "two entries for '%s': %s and %s", probe.name,
			db->v[i]->version, probe.version);
	en = repodb_entry_new(db);
	if (en == NULL)
		return sw_err_sys(e, "cannot load '%s'", probe.name);
	memcpy(en->name, probe.name, sizeof(probe.name));
	memcpy(en->version, probe.version, sizeof(probe.version));
	en->mtime = mtime;
	if (repodb_put_entry(db, en, e) < 0)
		return -1;
	*out = en;
	return 0;
}

static int
read_member_data(struct archive *a, struct archive_entry *ae, char **data,
	size_t *len, struct sw_err *e)
{
	la_int64_t size = archive_entry_size(ae);
	size_t got = 0;
	char *p;

	if (size < 0 || size > SW_REPODB_MEMBER_MAX)
		return sw_err_set(e, "'%s' is larger than %d bytes",
			archive_entry_pathname(ae), SW_REPODB_MEMBER_MAX);
	p = malloc((size_t)size + 1);
	if (p == NULL)
		return sw_err_sys(e, "cannot read '%s'", archive_entry_pathname(ae));
	while (got < (size_t)size) {
		la_ssize_t n = archive_read_data(a, p + got, (size_t)size - got);

		if (n <= 0) {
			free(p);
			return sw_err_set(e, "'%s': %s", archive_entry_pathname(ae),
				n < 0 ? archive_error_string(a) : "truncated");
		}
		got += (size_t)n;
	}
	p[got] = '\0';
	*data = p;
	*len = got;
	return 0;
}

/* Is dirname (len bytes) "<name>-<version>" of en? */
static bool
same_entry(const struct sw_repodb_entry *en, const char *dirname, size_t len)
{
	size_t n = strlen(en->name);

	return len > n + 1 && memcmp(dirname, en->name, n) == 0 &&
		dirname[n] == '-' && strlen(en->version) == len - n - 1 &&
		memcmp(dirname + n + 1, en->version, len - n - 1) == 0;
}

/*
 * One archive member, whatever read it: a directory "<pkgname>-<version>/"
 * (dir) or a file "<pkgname>-<version>/<member>" whose bytes are data
 * (len, then a NUL), in owned (malloc'ed: taken, freed here on failure)
 * or, owned NULL, in the archive as read. *enp: the entry it belongs to;
 * on the way in, the entry of the member before (or NULL), which the
 * members of one entry, one after the other, find without a lookup.
 */
static int
load_item(struct sw_repodb *db, int k, const char *path, bool dir, bool reg,
	time_t mtime, const char *data, size_t len, char *owned,
	struct sw_repodb_entry **enp, struct sw_err *e)
{
	const char *slash = strchr(path, '/'), *rest = slash ? slash + 1 : "";
	struct sw_repodb_entry *en = *enp;
	char q[96];

	if (dir && rest[0] == '\0')
		return entry_for(db, path, slash ? (size_t)(slash - path) :
			strlen(path), mtime, enp, e);
	if (slash == NULL || !reg || !valid_member_name(rest)) {
		free(owned);
		sw_name_quote(path, strlen(path), q, sizeof(q));
		return sw_err_set(e, "unexpected entry '%s'", q);
	}
	if ((en == NULL || !same_entry(en, path, (size_t)(slash - path))) &&
	    entry_for(db, path, (size_t)(slash - path), mtime, &en, e) < 0) {
		free(owned);
		return -1;
	}
	*enp = en;
	if (repodb_member(en, k, rest) != NULL) {
		free(owned);
		sw_name_quote(path, strlen(path), q, sizeof(q));
		return sw_err_set(e, "'%s' is in the archive twice", q);
	}
	if (repodb_add_member(en, k, rest, data, len, owned) < 0) {
		free(owned);
		sw_name_quote(path, strlen(path), q, sizeof(q));
		return sw_err_sys(e, "cannot load '%s'", q);
	}
	return 0;
}

static int
load_entry(struct sw_repodb *db, int k, struct archive *a,
	struct archive_entry *ae, struct sw_repodb_entry **enp, struct sw_err *e)
{
	const char *path = archive_entry_pathname(ae);
	bool dir = archive_entry_filetype(ae) == AE_IFDIR;
	bool reg = archive_entry_filetype(ae) == AE_IFREG;
	char *data = NULL;
	size_t len = 0;

	if (path == NULL)
		return sw_err_set(e, "an entry has no readable name");
	if (reg && strchr(path, '/') != NULL &&
	    read_member_data(a, ae, &data, &len, e) < 0)
		return -1;
	return load_item(db, k, path, dir, reg, archive_entry_mtime(ae), data,
		len, data, enp, e);
}

/*
 * Where each entry's bytes lie in tar (the archive as read, in memory, or
 * NULL): entry by entry, from the first header of its directory (a pax
 * header included) to the first of the next. An entry whose headers are
 * not all in one run, or an archive whose end is not where it should be,
 * keeps no bytes: it is written anew.
 */
struct slicer {
	const char *tar;
	size_t len;
	struct sw_repodb_entry *cur;
	size_t start;
};

static void
slice_close(struct slicer *s, int k, size_t end)
{
	if (s->cur != NULL && s->cur->rawlen[k] == 0 && end > s->start) {
		s->cur->raw[k] = s->tar + s->start;
		s->cur->rawlen[k] = end - s->start;
	}
	s->cur = NULL;
}

static void
slice_step(struct slicer *s, int k, struct sw_repodb_entry *en, size_t pos)
{
	if (en == s->cur)
		return;
	slice_close(s, k, pos);
	if (en->raw[k] != NULL || en->rawlen[k] != 0) {
		en->raw[k] = NULL;   /* seen before, elsewhere: not one run */
		en->rawlen[k] = SIZE_MAX;
		return;
	}
	s->cur = en;
	s->start = pos;
}

/* The end: at least one zero block, then only zeros. */
static bool
slice_end_ok(const struct slicer *s, size_t end)
{
	size_t i;

	if (end % 512 != 0 || end + 512 > s->len)
		return false;
	for (i = end; i < s->len; i++)
		if (s->tar[i] != '\0')
			return false;
	return true;
}

static int
parse_archive(struct sw_repodb *db, int k, struct archive *a, const char *path,
	const char *tar, size_t len, struct sw_err *e)
{
	struct slicer s = { tar, len, NULL, 0 };
	struct sw_repodb_entry *en = NULL;
	struct archive_entry *ae;
	size_t i;
	int r;


	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		la_int64_t pos = archive_read_header_position(a);

		if (load_entry(db, k, a, ae, &en, e) < 0)
			return sw_err_prefix(e, "cannot read '%s'", path);
		if (tar != NULL && pos >= 0 && en != NULL)
			slice_step(&s, k, en, (size_t)pos);
	}
	if (r != ARCHIVE_EOF)
		return sw_err_set(e, "cannot read '%s': %s", path,
			archive_error_string(a));
	if (tar != NULL) {
		la_int64_t end = archive_read_header_position(a);
		bool ok = end >= 0 && slice_end_ok(&s, (size_t)end);

		slice_close(&s, k, ok ? (size_t)end : 0);
		for (i = 0; i < db->n; i++)
			if (!ok || db->v[i]->rawlen[k] == SIZE_MAX) {
				db->v[i]->raw[k] = NULL;
				db->v[i]->rawlen[k] = 0;
			}
	}
	return 0;
}

/*
 * The common tars, read without libarchive: ustar headers ("ustar\0" 00
 * or GNU's "ustar  ") of directories and regular files, sizes and times in
 * octal, then zero blocks to the end. That is what repo-add and this
 * writer write for names under 100 bytes, and what most databases hold.
 * simple_tar checks a whole archive first, changing nothing: 1 if it is
 * one of those (read it with parse_simple), else 0 (libarchive reads it).
 */
#define BLOCK 512

static bool
octal(const char *f, size_t n, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;

	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return false;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*out = v;
	return true;
}

static bool
zero_block(const char *h)
{
	uint64_t w, any = 0;
	size_t i;

	for (i = 0; i < BLOCK; i += 8) {
		memcpy(&w, h + i, 8);
		any |= w;
	}
	return any == 0;
}

/*
 * The header's checksum as tar computes it: the sum of its bytes (as
 * unsigned), the checksum field counted as eight blanks. Eight bytes at a
 * time, in four 16-bit lanes (at most 64 * 2 * 255 each, no overflow).
 */
static uint64_t
header_sum(const char *h)
{
	const uint64_t lo = 0x00ff00ff00ff00ffULL;
	uint64_t w, acc = 0, sum;
	size_t i;

	for (i = 0; i < BLOCK; i += 8) {
		memcpy(&w, h + i, 8);
		acc += (w & lo) + (w >> 8 & lo);
	}
	sum = (acc & 0xffff) + (acc >> 16 & 0xffff) + (acc >> 32 & 0xffff) +
		(acc >> 48);
	for (i = 148; i < 156; i++)
		sum -= (unsigned char)h[i];
	return sum + 8 * ' ';
}

/* A header of the subset: its size and whether it is a directory. */
static bool
simple_header(const char *h, uint64_t *size, bool *dir)
{
	uint64_t sum, mtime;

	if (memcmp(h + 257, "ustar\0" "00", 8) != 0 &&
	    memcmp(h + 257, "ustar  \0", 8) != 0)
		return false;
	if ((h[156] != '0' && h[156] != '\0' && h[156] != '5') ||
	    !octal(h + 124, 12, size) || !octal(h + 136, 12, &mtime) ||
	    !octal(h + 148, 8, &sum) || memchr(h, '\0', 100) == NULL ||
	    memchr(h + 345, '\0', 155) == NULL || h[0] == '\0')
		return false;
	*dir = h[156] == '5';
	/* libarchive reads a file named "x/" as a directory: leave it that */
	if (!*dir && h[strlen(h) - 1] == '/')
		return false;
	return header_sum(h) == sum && (!*dir || *size == 0);
}

static bool
simple_tar(const char *tar, size_t len)
{
	size_t pos = 0;

	while (pos + BLOCK <= len && !zero_block(tar + pos)) {
		uint64_t size;
		bool dir;

		if (!simple_header(tar + pos, &size, &dir) ||
		    size > SW_REPODB_MEMBER_MAX ||
		    size > len - pos - BLOCK)
			return false;
		pos += BLOCK + (size_t)(size + BLOCK - 1) / BLOCK * BLOCK;
		if (pos > len)
			return false;
	}
	/* the end: a zero block (or nothing, an empty archive), then zeros */
	for (; pos < len; pos++)
		if (tar[pos] != '\0')
			return false;
	return true;
}

/* The archive as simple_tar found it, entries sliced as parse_archive does. */
static int
parse_simple(struct sw_repodb *db, int k, const char *path, const char *tar,
	size_t len, struct sw_err *e)
{
	struct slicer s = { tar, len, NULL, 0 };
	struct sw_repodb_entry *en = NULL;
	char name[155 + 1 + 100 + 1];
	size_t pos = 0, i;
	bool ok;

	while (pos + BLOCK <= len && !zero_block(tar + pos)) {
		const char *h = tar + pos;
		uint64_t size = 0, mtime = 0;
		bool dir = h[156] == '5';
		const char *data = h + BLOCK;
		char *owned = NULL;
		size_t np = 0, nn = strnlen(h, 100);

		octal(h + 124, 12, &size);
		octal(h + 136, 12, &mtime);
		if (h[345] != '\0') {   /* ustar's prefix, then '/' */
			np = strnlen(h + 345, 155);
			memcpy(name, h + 345, np);
			name[np++] = '/';
		}
		memcpy(name + np, h, nn);
		name[np + nn] = '\0';
		/* the bytes stay in tar, but for one that fills its last block:
		 * the next header follows it, not the NUL a member ends with */
		if (!dir && data[size] != '\0') {
			owned = malloc((size_t)size + 1);
			if (owned == NULL)
				return sw_err_sys(e, "cannot read '%s'", path);
			memcpy(owned, data, (size_t)size);
			owned[size] = '\0';
			data = owned;
		}
		if (load_item(db, k, name, dir, !dir, (time_t)mtime, data,
		    (size_t)size, owned, &en, e) < 0)
			return sw_err_prefix(e, "cannot read '%s'", path);
		slice_step(&s, k, en, pos);
		pos += BLOCK + (size_t)(size + BLOCK - 1) / BLOCK * BLOCK;
	}
	ok = slice_end_ok(&s, pos); /* a zero block at the end */
	slice_close(&s, k, ok ? pos : 0);
	for (i = 0; i < db->n; i++)
		if (!ok || db->v[i]->rawlen[k] == SIZE_MAX) {
			db->v[i]->raw[k] = NULL;
			db->v[i]->rawlen[k] = 0;
		}
	return 0;
}

static struct archive *
reader(void)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	return a;
}

/*
 * The usual gzip file, one member (what repo-add's bsdtar writes), whose
 * trailer says its size: inflated into out (room made for isize bytes) in
 * one call to libdeflate, some three times as fast as zlib's inflate, the
 * CRC and size checked. 0 done; 1 anything else (several members, bad
 * data; out unchanged), which gunzip's zlib loop then reads or reports.
 */
static int
gunzip_one_member(const struct sw_buf *file, size_t isize, struct sw_buf *out)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	size_t in_used = 0, got = 0;
	enum libdeflate_result r;

	if (d == NULL || out->alloc - out->len <= isize) {
		libdeflate_free_decompressor(d);
		return 1;
	}
	r = libdeflate_gzip_decompress_ex(d, file->data, file->len,
		out->data + out->len, isize, &in_used, &got);
	libdeflate_free_decompressor(d);
	if (r != LIBDEFLATE_SUCCESS || in_used != file->len || got != isize)
		return 1;
	out->len += got;
	out->data[out->len] = '\0';
	return 0;
}

/* A gzip file that is not ours (one member or more), inflated into out. */
static int
gunzip(const struct sw_buf *file, struct sw_buf *out, const char *path,
	struct sw_err *e)
{
	z_stream z;
	size_t used = 0;
	int r = Z_OK, ret = -1;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return sw_err_set(e, "cannot read '%s': zlib failed", path);
	sw_buf_reset(out);
	/* room for what the (last) member's trailer says, if believable */
	if (file->len >= 4) {
		const unsigned char *t = (const unsigned char *)file->data +
			file->len - 4;
		size_t isize = (size_t)t[0] | (size_t)t[1] << 8 |
			(size_t)t[2] << 16 | (size_t)t[3] << 24;

		if (isize / 1032 <= file->len) {
			if (sw_buf_grow_mapped(out, isize + 1) < 0) {
				sw_err_sys(e, "cannot read '%s'", path);
				goto out;
			}
			if (gunzip_one_member(file, isize, out) == 0) {
				ret = 0;
				goto out;
			}
		}
	}
	while (used < file->len) {
		if (r == Z_STREAM_END && inflateReset(&z) != Z_OK)
			break;
		if (out->alloc - out->len < 65536 &&
		    sw_buf_grow(out, file->len * 4 + 65536) < 0) {
			sw_err_sys(e, "cannot read '%s'", path);
			goto out;
		}
		z.next_in = (unsigned char *)file->data + used;
		z.avail_in = (uInt)(file->len - used > UINT_MAX ? UINT_MAX :
			file->len - used);
		z.next_out = (unsigned char *)out->data + out->len;
		z.avail_out = (uInt)(out->alloc - out->len - 1 > UINT_MAX ? UINT_MAX :
			out->alloc - out->len - 1);
		r = inflate(&z, Z_NO_FLUSH);
		used = (size_t)(z.next_in - (unsigned char *)file->data);
		out->len = (size_t)(z.next_out - (unsigned char *)out->data);
		out->data[out->len] = '\0';
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			break;
		if (r == Z_BUF_ERROR && z.avail_in == 0)
			break;
		if (out->len > SW_REPODB_TAR_MAX) {
			sw_err_set(e, "cannot read '%s': larger than %lu bytes inflated",
				path, (unsigned long)SW_REPODB_TAR_MAX);
			goto out;
		}
	}
	if (r != Z_STREAM_END) {
		sw_err_set(e, "cannot read '%s': %s", path, z.msg ? z.msg :
			"truncated gzip data");
		goto out;
	}
	ret = 0;
out:
	inflateEnd(&z);
	return ret;
}

static int
parse_gz(struct sw_repodb *db, int k, const char *path, struct sw_err *e)
{
	struct sw_repodb_prev *pv = &db->prev[k];
	struct archive *a = NULL;
	int ret = -1;

	if (repodb_slab_reserve(db, pv->data.len / 512) < 0) {
		sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	if (simple_tar(pv->data.data, pv->data.len)) {
		ret = parse_simple(db, k, path, pv->data.data, pv->data.len, e);
		goto out;
	}
	a = reader();
	if (a == NULL) {
		sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	if (archive_read_open_memory(a, pv->data.data, pv->data.len) != ARCHIVE_OK) {
		sw_err_set(e, "cannot read '%s': %s", path, archive_error_string(a));
		goto out;
	}
	ret = parse_archive(db, k, a, path, pv->data.data, pv->data.len, e);
out:
	if (a != NULL)
		archive_read_free(a);
	if (ret < 0)
		repodb_prev_release(pv);
	return ret;
}

/*
 * A .gz archive is read whole and inflated into db->prev[k]; if we wrote
 * it (gzseg.h), its segment table is kept too, so that the next write can
 * copy the segments that did not change. Either way the entries keep
 * their bytes in it (raw), so that the next write copies them.
 * The two archives of a database are read and parsed at the same time
 * (sw_repodb_load), each into a sw_repodb of its own that no one else
 * touches meanwhile: the files archive's is then merged (merge_files).
 */
struct inflate_job {
	struct sw_repodb *db;
	int k;
	const char *path;
	bool present;
	int r;
	struct sw_err e;
};

static void *
read_gz(void *arg)
{
	struct inflate_job *j = arg;
	struct sw_repodb_prev *pv = &j->db->prev[j->k];
	int r;

	r = sw_file_read(j->path, SW_REPODB_FILE_MAX, &pv->file, &j->e);
	j->present = r == 0;
	if (r != 0) {
		j->r = r < 0 ? -1 : 0;
		return NULL;
	}
	r = sw_gzseg_read(pv->file.data, pv->file.len, &pv->data, &pv->segs,
		&pv->nsegs, &j->e);
	if (r == 1)
		r = gunzip(&pv->file, &pv->data, j->path, &j->e);
	if (r < 0)
		repodb_prev_release(pv);
	else
		r = parse_gz(j->db, j->k, j->path, &j->e);
	j->r = r;
	return NULL;
}

/* Both archives of a .gz database: the db archive into db, the files
 * archive (path1, unless NULL) into files, side by side. */
static int
read_gz_pair(struct sw_repodb *db, struct sw_repodb *files, const char *path0,
	const char *path1, bool *present0, bool *present1, struct sw_err *e)
{
	struct inflate_job j[2] = {
		{ db, 0, path0, false, -1, { "" } },
		{ files, 1, path1, false, -1, { "" } },
	};
	pthread_t tid;
	bool thread = path1 != NULL &&
		pthread_create(&tid, NULL, read_gz, &j[1]) == 0;

	read_gz(&j[0]);
	if (thread)
		pthread_join(tid, NULL);
	else if (path1 != NULL)
		read_gz(&j[1]);
	*present0 = j[0].present;
	*present1 = j[1].present;
	if (j[0].r < 0 || (path1 != NULL && j[1].r < 0)) {
		memcpy(e, j[0].r < 0 ? &j[0].e : &j[1].e, sizeof(*e));
		return -1;
	}
	return 0;
}

/* Reads one archive; a missing file is an empty archive (*present false). */
static int
read_archive(struct sw_repodb *db, int k, const char *path, bool *present,
	struct sw_err *e)
{
	struct archive *a = NULL;
	struct stat st;
	int fd, ret = -1;

	*present = false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return sw_err_sys(e, "cannot open '%s'", path);
	}
	*present = true;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sw_err_set(e, "cannot read '%s': not a regular file", path);
		goto out;
	}
	a = reader();
	if (a == NULL) {
		sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
		sw_err_set(e, "cannot read '%s': %s", path, archive_error_string(a));
		goto out;
	}
	ret = parse_archive(db, k, a, path, NULL, 0, e);
out:
	if (a != NULL)
		archive_read_free(a);
	close(fd);
	return ret;
}

/* Every entry has a desc that names it; with files, a files member too. */
static int
check_entries(const struct sw_repodb *db, struct sw_err *e)
{
	struct sw_buf v = SW_BUF_INIT, v2 = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < db->n; i++) {
		struct sw_repodb_entry *en = db->v[i];

		if (sw_repodb_field(en, "NAME", &v) != 1 ||
		    sw_repodb_field(en, "VERSION", &v2) != 1 ||
		    strcmp(v.data, en->name) != 0 ||
		    strcmp(v2.data, en->version) != 0) {
			sw_err_set(e, "entry '%s-%s' has no desc naming it",
				en->name, en->version);
			goto out;
		}
		if (sw_repodb_field(en, "FILENAME", &v) != 1 ||
		    v.len > SW_FILENAME_MAX ||
		    sw_name_check(SW_NAME_PKGFILE, v.data, e) < 0) {
			sw_err_set(e, "entry '%s-%s' has no valid %%FILENAME%%",
				en->name, en->version);
			goto out;
		}
		memcpy(en->filename, v.data, v.len + 1);
		if (db->with_files && repodb_member(en, 1, "files") == NULL) {
			sw_err_set(e, "entry '%s-%s' is missing in the files archive",
				en->name, en->version);
			goto out;
		}
	}
	ret = 0;
out:
	sw_buf_release(&v);
	sw_buf_release(&v2);
	return ret;
}

static void
empty_db(struct sw_repodb *db)
{
	memset(db, 0, sizeof(*db));
	sw_buf_init(&db->slab, 0);
	sw_buf_init(&db->prev[0].file, 0);
	sw_buf_init(&db->prev[0].data, 0);
	sw_buf_init(&db->prev[1].file, 0);
	sw_buf_init(&db->prev[1].data, 0);
}

/*
 * The files archive, read into files on its own, joined to the db
 * archive's entries: each of its entries must be one of db's, the same
 * version. Its members, bytes and the archive as read move into db.
 */
static int
merge_files(struct sw_repodb *db, struct sw_repodb *files, const char *path,
	struct sw_err *e)
{
	size_t i, j;
	bool found;

	for (i = 0; i < files->n; i++) {
		struct sw_repodb_entry *f = files->v[i], *en;

		j = repodb_lookup(db, f->name, &found);
		if (!found)
			return sw_err_set(e, "cannot read '%s': entry '%s-%s' is not "
				"in the db archive", path, f->name, f->version);
		en = db->v[j];
		if (strcmp(en->version, f->version) != 0)
			return sw_err_set(e, "cannot read '%s': two entries for '%s': "
				"%s and %s", path, f->name, en->version, f->version);
	}
	for (i = 0; i < files->n; i++) {
		struct sw_repodb_entry *f = files->v[i];
		struct sw_repodb_entry *en = db->v[repodb_lookup(db, f->name, &found)];

		en->m[1] = f->m[1];
		en->nm[1] = f->nm[1];
		en->raw[1] = f->raw[1];
		en->rawlen[1] = f->rawlen[1];
		en->rawbuf[1] = f->rawbuf[1];
		f->m[1] = NULL;
		f->nm[1] = 0;
		f->rawbuf[1] = NULL;
	}
	db->prev[1] = files->prev[1];
	sw_buf_init(&files->prev[1].file, 0);
	sw_buf_init(&files->prev[1].data, 0);
	files->prev[1].segs = NULL;
	files->prev[1].nsegs = 0;
	return 0;
}

int
sw_repodb_load(struct sw_repodb *db, const char *path, bool with_files,
	struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT, pf = SW_BUF_INIT;
	struct sw_repodb files;
	bool have_db, have_files = false;
	int ret = -1;

	empty_db(db);
	empty_db(&files);
	db->with_files = with_files;
	if (repodb_parse_path(path, &db->dir, db->name, db->comp, e) < 0 ||
	    sw_repodb_archive_path(db, false, &p, e) < 0 ||
	    (with_files && sw_repodb_archive_path(db, true, &pf, e) < 0))
		goto out;
	if (strcmp(db->comp, ".gz") == 0) {
		if (read_gz_pair(db, &files, p.data, with_files ? pf.data : NULL,
		    &have_db, &have_files, e) < 0)
			goto out;
	} else if (read_archive(db, 0, p.data, &have_db, e) < 0 ||
	    (with_files && read_archive(&files, 1, pf.data, &have_files, e) < 0))
		goto out;
	if (with_files) {
		if (have_db && !have_files && db->n > 0) {
			sw_err_set(e, "'%s' is missing beside '%s'", pf.data, p.data);
			goto out;
		}
		if (merge_files(db, &files, pf.data, e) < 0)
			goto out;
	}
	if (check_entries(db, e) < 0) {
		sw_err_prefix(e, "cannot use '%s'", p.data);
		goto out;
	}
	ret = 0;
out:
	sw_buf_release(&p);
	sw_buf_release(&pf);
	sw_repodb_release(&files);
	if (ret < 0)
		sw_repodb_release(db);
	return ret;
}

