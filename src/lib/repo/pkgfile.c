#include "repo/pkgfile.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/names.h"
#include "core/number.h"

/* Keys that makepkg writes once; a second one is an error. */
static const char *const pkginfo_single[] = {
	"pkgname", "pkgbase", "pkgver", "pkgdesc", "url", "builddate",
	"packager", "size", "arch", NULL,
};
static const char *const buildinfo_single[] = {
	"format", "pkgname", "pkgbase", "pkgver", "pkgarch",
	"pkgbuild_sha256sum", "packager", "builddate", "builddir", "startdir",
	"buildtool", "buildtoolver", NULL,
};

/* The libarchive read callback: reads the file once, hashing every byte. */
struct reader {
	int fd;
	struct md5_ctx md5;
	struct sha256_ctx sha256;
	uint64_t bytes;
	char block[64 * 1024];
};

static ssize_t
reader_fill(struct reader *r)
{
	ssize_t n;

	do
		n = read(r->fd, r->block, sizeof(r->block));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		md5_update(&r->md5, (size_t)n, (const uint8_t *)r->block);
		sha256_update(&r->sha256, (size_t)n, (const uint8_t *)r->block);
		r->bytes += (uint64_t)n;
	}
	return n;
}

static la_ssize_t
read_cb(struct archive *a, void *arg, const void **buf)
{
	struct reader *r = arg;
	ssize_t n = reader_fill(r);

	if (n < 0) {
		archive_set_error(a, errno, "read error: %s", strerror(errno));
		return -1;
	}
	*buf = r->block;
	return n;
}

static void
hex(const unsigned char *d, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void
sw_pkgfile_init(struct sw_pkgfile *p)
{
	memset(p, 0, sizeof(*p));
	sw_strvec_init(&p->info_keys);
	sw_strvec_init(&p->info_values);
	sw_strvec_init(&p->build_keys);
	sw_strvec_init(&p->build_values);
	sw_strvec_init(&p->files);
}

void
sw_pkgfile_release(struct sw_pkgfile *p)
{
	sw_strvec_release(&p->info_keys);
	sw_strvec_release(&p->info_values);
	sw_strvec_release(&p->build_keys);
	sw_strvec_release(&p->build_values);
	sw_strvec_release(&p->files);
	sw_pkgfile_init(p);
}

static bool
listed(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static bool
valid_key(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_'))
			return false;
	return true;
}

/*
 * "key = value" lines of .PKGINFO or .BUILDINFO (what) into keys/values.
 * The buffer is split in place.
 */
static int
parse_kv(const char *what, struct sw_buf *b, const char *const *single,
	struct sw_strvec *keys, struct sw_strvec *values, struct sw_err *e)
{
	char *p = b->data, *end = b->data + b->len, q[96];
	int line = 0;

	if (memchr(b->data, '\0', b->len) != NULL)
		return sw_err_set(e, "%s holds a NUL byte", what);
	if (b->len > 0 && end[-1] != '\n')
		return sw_err_set(e, "%s does not end with a newline", what);
	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p)), *sep;
		size_t len = (size_t)(eol - p);

		line++;
		*eol = '\0';
		if (len > SW_PKGINFO_LINE_MAX)
			return sw_err_set(e, "%s line %d is longer than %d bytes",
				what, line, SW_PKGINFO_LINE_MAX);
		if (len == 0 || p[0] == '#') {
			p = eol + 1;
			continue;
		}
		sep = strstr(p, " = ");
		if (sep == NULL) {
			sw_name_quote(p, len, q, sizeof(q));
			return sw_err_set(e, "%s line %d: key without a value: '%s'",
				what, line, q);
		}
		if (!valid_key(p, (size_t)(sep - p))) {
			sw_name_quote(p, (size_t)(sep - p), q, sizeof(q));
			return sw_err_set(e, "%s line %d: invalid key '%s'", what,
				line, q);
		}
		*sep = '\0';
		if (listed(single, p) && sw_strvec_contains(keys, p))
			return sw_err_set(e, "%s line %d: '%s' is given twice",
				what, line, p);
		if (sw_strvec_push(keys, p) < 0 ||
		    sw_strvec_push(values, sep + 3) < 0)
			return sw_err_sys(e, "cannot parse %s", what);
		p = eol + 1;
	}
	return 0;
}

const char *
sw_pkgfile_get(const struct sw_pkgfile *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->info_keys.n; i++)
		if (strcmp(p->info_keys.v[i], key) == 0)
			return p->info_values.v[i];
	return NULL;
}

static int
check_number(const struct sw_pkgfile *p, const char *key, struct sw_err *e)
{
	const char *v = sw_pkgfile_get(p, key);
	uint64_t n;

	if (v == NULL || v[0] == '\0')
		return 0;
	if (sw_parse_u64(v, 0, UINT64_MAX, &n, e) < 0)
		return sw_err_prefix(e, ".PKGINFO %s", key);
	return 0;
}

static int
validate(struct sw_pkgfile *p, struct sw_err *e)
{
	p->pkgname = sw_pkgfile_get(p, "pkgname");
	p->pkgbase = sw_pkgfile_get(p, "pkgbase");
	p->version = sw_pkgfile_get(p, "pkgver");
	p->arch = sw_pkgfile_get(p, "arch");
	if (sw_name_check(SW_NAME_PKGNAME, p->pkgname, e) < 0 ||
	    sw_name_check(SW_NAME_VERSION, p->version, e) < 0 ||
	    sw_name_check(SW_NAME_ARCH, p->arch, e) < 0 ||
	    (p->pkgbase != NULL &&
	    sw_name_check(SW_NAME_PKGBASE, p->pkgbase, e) < 0))
		return sw_err_prefix(e, ".PKGINFO");
	return check_number(p, "size", e) < 0 || check_number(p, "builddate", e) < 0 ?
		-1 : 0;
}

/* repo-add lists with bsdtar --exclude='^.*': a path starting with '.' */
static bool
excluded(const char *s)
{
	while (s[0] == '.' && s[1] == '/') {
		s += 2;
		while (*s == '/')
			s++;
	}
	return s[0] == '.';
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts bytewise and drops repeats, like LC_ALL=C sort -u. */
static void
sort_unique(struct sw_strvec *sv)
{
	size_t i, o = 0;

	if (sv->n == 0)
		return;
	qsort(sv->v, sv->n, sizeof(sv->v[0]), cmp_str);
	for (i = 1; i < sv->n; i++) {
		if (strcmp(sv->v[i], sv->v[o]) == 0)
			free(sv->v[i]);
		else
			sv->v[++o] = sv->v[i];
	}
	sv->n = o + 1;
	sv->v[sv->n] = NULL;
}

static int
add_listing(struct sw_pkgfile *p, const char *name, bool dir, size_t *bytes,
	struct sw_err *e)
{
	size_t len = strlen(name);
	char q[96];
	int r;

	if (memchr(name, '\n', len) != NULL) {
		sw_name_quote(name, len, q, sizeof(q));
		return sw_err_set(e, "file name '%s' holds a newline", q);
	}
	*bytes += len + 2;
	if (*bytes > SW_PKGFILE_MAX_LISTING)
		return sw_err_set(e, "file names longer than %d bytes in all",
			SW_PKGFILE_MAX_LISTING);
	if (dir && (len == 0 || name[len - 1] != '/'))
		r = sw_strvec_pushf(&p->files, "%s/", name);
	else
		r = sw_strvec_push(&p->files, name);
	return r < 0 ? sw_err_sys(e, "cannot list files") : 0;
}

/* The data of the current entry, a regular file of at most cap bytes. */
static int
read_member(struct archive *a, struct archive_entry *ent, const char *what,
	struct sw_buf *out, struct sw_err *e)
{
	la_int64_t size = archive_entry_size(ent);
	la_ssize_t n;

	if (out->len > 0 || out->alloc > 0)
		return sw_err_set(e, "%s is in the archive twice", what);
	if (archive_entry_filetype(ent) != AE_IFREG)
		return sw_err_set(e, "%s is not a regular file", what);
	if (size < 0 || size > SW_PKGINFO_MAX)
		return sw_err_set(e, "%s is larger than %d bytes", what,
			SW_PKGINFO_MAX);
	if (sw_buf_grow(out, (size_t)size) < 0)
		return sw_err_sys(e, "cannot read %s", what);
	while (out->len < (size_t)size) {
		n = archive_read_data(a, out->data + out->len,
			(size_t)size - out->len);
		if (n < 0)
			return sw_err_set(e, "corrupt or truncated archive: %s: %s",
				what, archive_error_string(a));
		if (n == 0)
			return sw_err_set(e, "%s is truncated", what);
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	return 0;
}

static int
walk(struct archive *a, struct sw_pkgfile *p, struct sw_buf *info,
	struct sw_buf *build, struct sw_err *e)
{
	struct archive_entry *ent;
	size_t entries = 0, bytes = 0;
	int r;

	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);

		if (name == NULL)
			name = archive_entry_pathname_utf8(ent);
		if (name == NULL)
			return sw_err_set(e, "an entry has no readable name");
		if (++entries > SW_PKGFILE_MAX_ENTRIES)
			return sw_err_set(e, "more than %d entries",
				SW_PKGFILE_MAX_ENTRIES);
		if (strcmp(name, ".PKGINFO") == 0) {
			if (read_member(a, ent, ".PKGINFO", info, e) < 0)
				return -1;
		} else if (strcmp(name, ".BUILDINFO") == 0) {
			if (read_member(a, ent, ".BUILDINFO", build, e) < 0)
				return -1;
		} else if (!excluded(name) && add_listing(p, name,
		    archive_entry_filetype(ent) == AE_IFDIR, &bytes, e) < 0)
			return -1;
	}
	if (r != ARCHIVE_EOF)
		return sw_err_set(e, "corrupt or truncated archive: %s",
			archive_error_string(a) ? archive_error_string(a) : "unreadable");
	return 0;
}

static void
finish_digests(struct reader *r, struct sw_pkgfile *p)
{
	uint8_t d[SHA256_DIGEST_SIZE];

	md5_digest(&r->md5, MD5_DIGEST_SIZE, d);
	hex(d, MD5_DIGEST_SIZE, p->md5);
	sha256_digest(&r->sha256, SHA256_DIGEST_SIZE, d);
	hex(d, SHA256_DIGEST_SIZE, p->sha256);
}

void
sw_pkgfile_formats(struct archive *a)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
}

int
sw_pkgfile_read(const char *path, struct sw_pkgfile *p, struct sw_err *e)
{
	struct reader *r = NULL;
	struct archive *a = NULL;
	struct sw_buf info = SW_BUF_INIT, build = SW_BUF_INIT;
	struct stat st;
	ssize_t n;
	int ret = -1;

	sw_pkgfile_init(p);
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	r->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (r->fd < 0) {
		sw_err_sys(e, "cannot open '%s'", path);
		goto out;
	}
	if (fstat(r->fd, &st) < 0) {
		sw_err_sys(e, "cannot stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		sw_err_set(e, "cannot read '%s': not a regular file", path);
		goto out;
	}
	md5_init(&r->md5);
	sha256_init(&r->sha256);
	a = archive_read_new();
	if (a == NULL) {
		sw_err_set(e, "cannot read '%s': out of memory", path);
		goto out;
	}
	sw_pkgfile_formats(a);
	if (archive_read_open2(a, r, NULL, read_cb, NULL, NULL) != ARCHIVE_OK) {
		sw_err_set(e, "cannot read '%s': corrupt or truncated archive: %s",
			path, archive_error_string(a));
		goto out;
	}
	if (walk(a, p, &info, &build, e) < 0) {
		sw_err_prefix(e, "cannot read '%s'", path);
		goto out;
	}
	/* the rest of the file (tar padding past the end) counts too */
	while ((n = reader_fill(r)) > 0)
		;
	if (n < 0) {
		sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	if (r->bytes != (uint64_t)st.st_size) {
		sw_err_set(e, "cannot read '%s': it changed while being read", path);
		goto out;
	}
	p->csize = r->bytes;
	if (info.alloc == 0) {
		sw_err_set(e, "cannot read '%s': no .PKGINFO in the archive", path);
		goto out;
	}
	finish_digests(r, p);
	if (parse_kv(".PKGINFO", &info, pkginfo_single, &p->info_keys,
	    &p->info_values, e) < 0 ||
	    validate(p, e) < 0 ||
	    (build.alloc != 0 && parse_kv(".BUILDINFO", &build, buildinfo_single,
	    &p->build_keys, &p->build_values, e) < 0)) {
		sw_err_prefix(e, "cannot read '%s'", path);
		goto out;
	}
	sort_unique(&p->files);
	ret = 0;
out:
	if (a != NULL)
		archive_read_free(a);
	if (r != NULL) {
		if (r->fd >= 0)
			close(r->fd);
		free(r);
	}
	sw_buf_release(&info);
	sw_buf_release(&build);
	if (ret < 0)
		sw_pkgfile_release(p);
	return ret;
}

int
sw_pkgfile_check_name(const struct sw_pkgfile *p, const char *file,
	struct sw_err *e)
{
	struct sw_pkgfile_name fn;
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	if (sw_name_parse_pkgfile(base, &fn, e) < 0)
		return -1;
	if (fn.sig)
		return sw_err_set(e, "'%s' is a signature, not a package", base);
	if (strcmp(fn.pkgname, p->pkgname) != 0 ||
	    strcmp(fn.version, p->version) != 0 ||
	    strcmp(fn.arch, p->arch) != 0)
		return sw_err_set(e, "package file '%s' holds %s %s %s", base,
			p->pkgname, p->version, p->arch);
	return 0;
}
