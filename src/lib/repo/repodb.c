#include "repo/repodb.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "repo/gzseg.h"
#include "core/lock.h"
#include "repo/pkgfile.h"
#include "core/strvec.h"

static const char *const comps[] = { ".gz", ".zst", ".xz", ".bz2", "" };
static const char *const kinds[] = { "db", "files" };

/* "<dir>/<name>.db.tar<c>" split into its parts. */
static int
parse_path(const char *path, char **dir, char *name, char *comp,
	struct sw_err *e)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dbt = strstr(base, ".db.tar");
	char *copy;
	size_t i;

	*dir = NULL;
	if (dbt == NULL)
		return sw_err_set(e, "'%s' is not a database path: expected "
			"<repo>.db.tar.gz or .db.tar.zst", path);
	if (sw_name_check_mem(SW_NAME_REPO, base, (size_t)(dbt - base), e) < 0)
		return sw_err_prefix(e, "cannot use '%s'", path);
	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		if (strcmp(dbt + 7, comps[i]) == 0)
			break;
	if (i == sizeof(comps) / sizeof(comps[0]))
		return sw_err_set(e, "cannot use '%s': the database must end in "
			".db.tar, .db.tar.gz, .db.tar.zst, .db.tar.xz or .db.tar.bz2",
			path);
	memcpy(name, base, (size_t)(dbt - base));
	name[dbt - base] = '\0';
	memcpy(comp, comps[i], strlen(comps[i]) + 1);
	/* absolute, as the transaction journal wants it */
	if (slash == NULL)
		copy = strdup(".");
	else if (slash == path)
		copy = strdup("/");
	else
		copy = strndup(path, (size_t)(slash - path));
	if (copy == NULL)
		return sw_err_sys(e, "cannot use '%s'", path);
	*dir = realpath(copy, NULL);
	if (*dir == NULL)
		sw_err_sys(e, "cannot use the directory '%s'", copy);
	free(copy);
	return *dir == NULL ? -1 : 0;
}

/* "<dir>/<name><middle>" where middle is ours (".db.tar.gz.old"). */
static int
db_file(const struct sw_repodb *db, const char *kind, const char *suffix,
	struct sw_buf *out, struct sw_err *e)
{
	char middle[64];

	snprintf(middle, sizeof(middle), ".%s%s", kind, suffix);
	return sw_name_path(out, db->dir, SW_NAME_REPO, db->name, middle, e);
}

int
sw_repodb_archive_path(const struct sw_repodb *db, bool files,
	struct sw_buf *out, struct sw_err *e)
{
	char suffix[16];

	snprintf(suffix, sizeof(suffix), ".tar%s", db->comp);
	return db_file(db, kinds[files], suffix, out, e);
}

/* ---- entries ---- */

static void
entry_free(struct sw_repodb_entry *en)
{
	size_t k, i;

	if (en == NULL)
		return;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < en->nm[k]; i++) {
			free(en->m[k][i].name);
			free(en->m[k][i].data);
		}
		free(en->m[k]);
	}
	free(en);
}

static void
prev_release(struct sw_repodb_prev *pv)
{
	sw_buf_release(&pv->file);
	sw_buf_release(&pv->data);
	free(pv->segs);
	pv->segs = NULL;
	pv->nsegs = 0;
}

void
sw_repodb_release(struct sw_repodb *db)
{
	size_t i;

	prev_release(&db->prev[0]);
	prev_release(&db->prev[1]);
	for (i = 0; i < db->n; i++)
		entry_free(db->v[i]);
	free(db->v);
	free(db->dir);
	memset(db, 0, sizeof(*db));
}

/* Index of pkgname in db->v, or where it would go (*found false). */
static size_t
lookup(const struct sw_repodb *db, const char *pkgname, bool *found)
{
	size_t lo = 0, hi = db->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(db->v[mid]->name, pkgname);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

const struct sw_repodb_entry *
sw_repodb_find(const struct sw_repodb *db, const char *pkgname)
{
	bool found;
	size_t i = lookup(db, pkgname, &found);

	return found ? db->v[i] : NULL;
}

/* Puts en in place of the entry of its name, or inserts it; takes en. */
static int
put_entry(struct sw_repodb *db, struct sw_repodb_entry *en, struct sw_err *e)
{
	bool found;
	size_t i = lookup(db, en->name, &found);

	if (found) {
		entry_free(db->v[i]);
		db->v[i] = en;
		return 0;
	}
	if (db->n == db->alloc) {
		size_t n = db->alloc ? db->alloc * 2 : 64;
		struct sw_repodb_entry **v = reallocarray(db->v, n, sizeof(*v));

		if (v == NULL) {
			entry_free(en);
			return sw_err_sys(e, "cannot add '%s'", en->name);
		}
		db->v = v;
		db->alloc = n;
	}
	memmove(db->v + i + 1, db->v + i, (db->n - i) * sizeof(db->v[0]));
	db->v[i] = en;
	db->n++;
	return 0;
}

static int
add_member(struct sw_repodb_entry *en, int k, const char *name, char *data,
	size_t len)
{
	struct sw_repodb_member *m;
	char *n = strdup(name);

	m = n ? reallocarray(en->m[k], en->nm[k] + 1, sizeof(*m)) : NULL;
	if (m == NULL) {
		free(n);
		return -1;
	}
	en->m[k] = m;
	m[en->nm[k]].name = n;
	m[en->nm[k]].data = data;
	m[en->nm[k]].len = len;
	en->nm[k]++;
	return 0;
}

static const struct sw_repodb_member *
member(const struct sw_repodb_entry *en, int k, const char *name)
{
	size_t i;

	for (i = 0; i < en->nm[k]; i++)
		if (strcmp(en->m[k][i].name, name) == 0)
			return &en->m[k][i];
	return NULL;
}

/* Values of %field% in a desc text, joined by '\n': 1, 0 absent, -1 ENOMEM. */
static int
desc_lookup(const char *d, size_t len, const char *field, struct sw_buf *out)
{
	const char *p = d, *end = d + len;
	size_t flen = strlen(field);

	sw_buf_reset(out);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) == flen + 2 && p[0] == '%' &&
		    memcmp(p + 1, field, flen) == 0 && p[flen + 1] == '%') {
			for (p = eol + 1; p < end && *p != '\n'; p = eol + 1) {
				eol = memchr(p, '\n', (size_t)(end - p));
				if (eol == NULL)
					eol = end;
				if ((out->len && sw_buf_addch(out, '\n') < 0) ||
				    sw_buf_add(out, p, (size_t)(eol - p)) < 0)
					return -1;
			}
			return 1;
		}
		p = eol + 1;
	}
	return 0;
}

int
sw_repodb_field(const struct sw_repodb_entry *en, const char *field,
	struct sw_buf *out)
{
	const struct sw_repodb_member *d = member(en, 0, "desc");

	if (d == NULL)
		return 0;
	return desc_lookup(d->data, d->len, field, out);
}

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

/* The entry for an archive path's directory: made in the db archive (k 0),
 * found in the files archive (k 1). */
static int
entry_for(struct sw_repodb *db, int k, const char *dirname, size_t len,
	time_t mtime, struct sw_repodb_entry **out, struct sw_err *e)
{
	struct sw_repodb_entry probe, *en;
	bool found;
	size_t i;

	memset(&probe, 0, sizeof(probe));
	if (split_dirname(dirname, len, &probe, e) < 0)
		return -1;
	i = lookup(db, probe.name, &found);
	if (found && strcmp(db->v[i]->version, probe.version) == 0) {
		*out = db->v[i];
		return 0;
	}
	if (found)
		return sw_err_set(e, "two entries for '%s': %s and %s", probe.name,
			db->v[i]->version, probe.version);
	if (k == 1)
		return sw_err_set(e, "entry '%s-%s' is not in the db archive",
			probe.name, probe.version);
	en = calloc(1, sizeof(*en));
	if (en == NULL)
		return sw_err_sys(e, "cannot load '%s'", probe.name);
	memcpy(en, &probe, sizeof(probe));
	en->mtime = mtime;
	if (put_entry(db, en, e) < 0)
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

static int
load_entry(struct sw_repodb *db, int k, struct archive *a,
	struct archive_entry *ae, struct sw_err *e)
{
	const char *path = archive_entry_pathname(ae), *slash, *rest;
	struct sw_repodb_entry *en;
	char *data = NULL, q[96];
	size_t len = 0;

	if (path == NULL)
		return sw_err_set(e, "an entry has no readable name");
	slash = strchr(path, '/');
	rest = slash ? slash + 1 : "";
	if (archive_entry_filetype(ae) == AE_IFDIR && rest[0] == '\0')
		return entry_for(db, k, path, slash ? (size_t)(slash - path) :
			strlen(path), archive_entry_mtime(ae), &en, e);
	sw_name_quote(path, strlen(path), q, sizeof(q));
	if (slash == NULL || archive_entry_filetype(ae) != AE_IFREG ||
	    !valid_member_name(rest))
		return sw_err_set(e, "unexpected entry '%s'", q);
	if (entry_for(db, k, path, (size_t)(slash - path),
	    archive_entry_mtime(ae), &en, e) < 0)
		return -1;
	if (member(en, k, rest) != NULL)
		return sw_err_set(e, "'%s' is in the archive twice", q);
	if (read_member_data(a, ae, &data, &len, e) < 0)
		return -1;
	if (add_member(en, k, rest, data, len) < 0) {
		free(data);
		return sw_err_sys(e, "cannot load '%s'", q);
	}
	return 0;
}

static int
parse_archive(struct sw_repodb *db, int k, struct archive *a, const char *path,
	struct sw_err *e)
{
	struct archive_entry *ae;
	int r;

	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK)
		if (load_entry(db, k, a, ae, e) < 0)
			return sw_err_prefix(e, "cannot read '%s'", path);
	if (r != ARCHIVE_EOF)
		return sw_err_set(e, "cannot read '%s': %s", path,
			archive_error_string(a));
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
 * A .gz archive is read whole; if we wrote it (gzseg.h), its data and
 * segment table are kept in db->prev[k] so that the next write can copy
 * the segments that did not change.
 */
static int
read_gz(struct sw_repodb *db, int k, const char *path, bool *present,
	struct sw_err *e)
{
	struct sw_repodb_prev *pv = &db->prev[k];
	struct archive *a = NULL;
	int r, ret = -1;

	r = sw_file_read(path, SW_REPODB_FILE_MAX, &pv->file, e);
	*present = r == 0;
	if (r != 0)
		return r < 0 ? -1 : 0;
	r = sw_gzseg_read(pv->file.data, pv->file.len, &pv->data, &pv->segs,
		&pv->nsegs, e);
	a = r < 0 ? NULL : reader();
	if (a == NULL) {
		if (r >= 0)
			sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	if ((r == 0 ? archive_read_open_memory(a, pv->data.data, pv->data.len) :
	    archive_read_open_memory(a, pv->file.data, pv->file.len)) != ARCHIVE_OK) {
		sw_err_set(e, "cannot read '%s': %s", path, archive_error_string(a));
		goto out;
	}
	ret = parse_archive(db, k, a, path, e);
out:
	if (a != NULL)
		archive_read_free(a);
	if (ret < 0 || r != 0)
		prev_release(pv);
	return ret;
}

/* Reads one archive; a missing file is an empty archive (*present false). */
static int
read_archive(struct sw_repodb *db, int k, const char *path, bool *present,
	struct sw_err *e)
{
	struct archive *a = NULL;
	struct stat st;
	int fd, ret = -1;

	if (strcmp(db->comp, ".gz") == 0)
		return read_gz(db, k, path, present, e);
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
	ret = parse_archive(db, k, a, path, e);
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
		if (db->with_files && member(en, 1, "files") == NULL) {
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

int
sw_repodb_load(struct sw_repodb *db, const char *path, bool with_files,
	struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT, pf = SW_BUF_INIT;
	bool have_db, have_files;
	int ret = -1;

	memset(db, 0, sizeof(*db));
	sw_buf_init(&db->prev[0].file, 0);
	sw_buf_init(&db->prev[0].data, 0);
	sw_buf_init(&db->prev[1].file, 0);
	sw_buf_init(&db->prev[1].data, 0);
	db->with_files = with_files;
	if (parse_path(path, &db->dir, db->name, db->comp, e) < 0 ||
	    sw_repodb_archive_path(db, false, &p, e) < 0 ||
	    read_archive(db, 0, p.data, &have_db, e) < 0)
		goto out;
	if (with_files) {
		if (sw_repodb_archive_path(db, true, &pf, e) < 0 ||
		    read_archive(db, 1, pf.data, &have_files, e) < 0)
			goto out;
		if (have_db && !have_files && db->n > 0) {
			sw_err_set(e, "'%s' is missing beside '%s'", pf.data, p.data);
			goto out;
		}
	}
	if (check_entries(db, e) < 0) {
		sw_err_prefix(e, "cannot use '%s'", p.data);
		goto out;
	}
	ret = 0;
out:
	sw_buf_release(&p);
	sw_buf_release(&pf);
	if (ret < 0)
		sw_repodb_release(db);
	return ret;
}

/* ---- new entries ---- */

/* desc fields in repo-add's order; key NULL: computed here. */
static const struct {
	const char *field, *key;
} desc_fields[] = {
	{ "FILENAME", NULL }, { "NAME", "pkgname" }, { "BASE", "pkgbase" },
	{ "VERSION", "pkgver" }, { "DESC", "pkgdesc" }, { "GROUPS", "group" },
	{ "CSIZE", NULL }, { "ISIZE", "size" }, { "MD5SUM", NULL },
	{ "SHA256SUM", NULL }, { "PGPSIG", NULL }, { "URL", "url" },
	{ "LICENSE", "license" }, { "ARCH", "arch" },
	{ "BUILDDATE", "builddate" }, { "PACKAGER", "packager" },
	{ "REPLACES", "replaces" }, { "CONFLICTS", "conflict" },
	{ "PROVIDES", "provides" }, { "DEPENDS", "depend" },
	{ "OPTDEPENDS", "optdepend" }, { "MAKEDEPENDS", "makedepend" },
	{ "CHECKDEPENDS", "checkdepend" },
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
		c == '\r';
}

/*
 * A value as repo-add reads it: `read -r line` drops trailing blanks,
 * `IFS=' =' read -r var val` drops the spaces after " = ", and
 * ${val//+([[:space:]])/ } squeezes every run of white space to one space.
 */
static int
add_normalized(struct sw_strvec *out, const char *v)
{
	size_t len = strlen(v), i;
	struct sw_buf b = SW_BUF_INIT;
	bool space = false;
	int r;

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while (len > 0 && v[0] == ' ') {
		v++;
		len--;
	}
	for (i = 0, r = 0; i < len && r == 0; i++) {
		if (is_space(v[i])) {
			if (!space)
				r = sw_buf_addch(&b, ' ');
			space = true;
		} else {
			r = sw_buf_addch(&b, v[i]);
			space = false;
		}
	}
	if (r == 0)
		r = sw_strvec_push(out, b.data);
	sw_buf_release(&b);
	return r;
}

/* format_entry of repo-add: nothing if the first value is empty. */
static int
format_field(struct sw_buf *d, const char *field, const struct sw_strvec *vals)
{
	size_t i;

	if (vals->n == 0 || vals->v[0][0] == '\0')
		return 0;
	if (sw_buf_addf(d, "%%%s%%\n", field) < 0)
		return -1;
	for (i = 0; i < vals->n; i++)
		if (sw_buf_addstr(d, vals->v[i]) < 0 || sw_buf_addch(d, '\n') < 0)
			return -1;
	return sw_buf_addch(d, '\n');
}

int
sw_repodb_pgpsig(const struct sw_buf *sig, struct sw_buf *out)
{
	size_t n = 4 * ((sig->len + 2) / 3);

	sw_buf_reset(out);
	if (sig->len > SW_SIG_MAX || sw_buf_grow(out, n) < 0)
		return -1;
	EVP_EncodeBlock((unsigned char *)out->data,
		(const unsigned char *)sig->data, (int)sig->len);
	out->len = n;
	out->data[n] = '\0';
	return 0;
}

/* The computed value of a field without a .PKGINFO key. */
static int
computed(const char *field, const struct sw_pkgfile *p, const char *filename,
	const struct sw_buf *sig, struct sw_strvec *vals)
{
	if (strcmp(field, "FILENAME") == 0)
		return sw_strvec_push(vals, filename);
	if (strcmp(field, "CSIZE") == 0)
		return sw_strvec_pushf(vals, "%llu", (unsigned long long)p->csize);
	if (strcmp(field, "MD5SUM") == 0)
		return sw_strvec_push(vals, p->md5);
	if (strcmp(field, "SHA256SUM") == 0)
		return sw_strvec_push(vals, p->sha256);
	if (sig != NULL && sig->len > 0) { /* PGPSIG */
		struct sw_buf b = SW_BUF_INIT;
		int r = sw_repodb_pgpsig(sig, &b);

		if (r == 0)
			r = sw_strvec_push(vals, b.data);
		sw_buf_release(&b);
		return r;
	}
	return 0;
}

static int
format_desc(const struct sw_pkgfile *p, const char *filename,
	const struct sw_buf *sig, struct sw_buf *d)
{
	struct sw_strvec vals = SW_STRVEC_INIT;
	size_t f, i;
	int r = 0;

	for (f = 0; f < sizeof(desc_fields) / sizeof(desc_fields[0]) && r == 0; f++) {
		sw_strvec_release(&vals);
		if (desc_fields[f].key == NULL)
			r = computed(desc_fields[f].field, p, filename, sig, &vals);
		for (i = 0; desc_fields[f].key && i < p->info_keys.n && r == 0; i++)
			if (strcmp(p->info_keys.v[i], desc_fields[f].key) == 0)
				r = add_normalized(&vals, p->info_values.v[i]);
		if (r == 0)
			r = format_field(d, desc_fields[f].field, &vals);
	}
	sw_strvec_release(&vals);
	return r;
}

static int
format_files(const struct sw_pkgfile *p, struct sw_buf *d)
{
	size_t i;

	if (sw_buf_addstr(d, "%FILES%\n") < 0)
		return -1;
	for (i = 0; i < p->files.n; i++)
		if (sw_buf_addstr(d, p->files.v[i]) < 0 || sw_buf_addch(d, '\n') < 0)
			return -1;
	return 0;
}

static int
add_buf_member(struct sw_repodb_entry *en, int k, const char *name,
	const struct sw_buf *b)
{
	char *copy = malloc(b->len + 1);

	if (copy == NULL)
		return -1;
	memcpy(copy, b->data, b->len + 1);
	if (add_member(en, k, name, copy, b->len) < 0) {
		free(copy);
		return -1;
	}
	return 0;
}

int
sw_repodb_add(struct sw_repodb *db, const char *path, const char *filename,
	const struct sw_buf *sig, struct sw_err *e)
{
	struct sw_pkgfile p;
	struct sw_buf desc = SW_BUF_INIT, files = SW_BUF_INIT;
	struct sw_repodb_entry *en = NULL;
	int ret = -1;

	if (filename == NULL) {
		filename = strrchr(path, '/');
		filename = filename ? filename + 1 : path;
	}
	if (sw_pkgfile_read(path, &p, e) < 0)
		goto out;
	if (sw_pkgfile_check_name(&p, filename, e) < 0) {
		sw_err_prefix(e, "cannot add '%s'", path);
		goto out;
	}
	en = calloc(1, sizeof(*en));
	if (en == NULL || format_desc(&p, filename, sig, &desc) < 0 ||
	    format_files(&p, &files) < 0 ||
	    add_buf_member(en, 0, "desc", &desc) < 0 ||
	    add_buf_member(en, 1, "desc", &desc) < 0 ||
	    add_buf_member(en, 1, "files", &files) < 0) {
		sw_err_sys(e, "cannot add '%s'", path);
		goto out;
	}
	memcpy(en->name, p.pkgname, strlen(p.pkgname) + 1);
	memcpy(en->version, p.version, strlen(p.version) + 1);
	memcpy(en->filename, filename, strlen(filename) + 1);
	en->mtime = time(NULL);
	ret = put_entry(db, en, e);
	en = NULL;
out:
	entry_free(en);
	sw_buf_release(&desc);
	sw_buf_release(&files);
	sw_pkgfile_release(&p);
	return ret;
}

/* Are a and b the same directory? */
static int
same_dir(const char *a, const char *b, struct sw_err *e)
{
	struct stat sa, sb;

	if (stat(a, &sa) < 0)
		return sw_err_sys(e, "cannot stat '%s'", a);
	if (stat(b, &sb) < 0)
		return sw_err_sys(e, "cannot stat '%s'", b);
	if (sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino)
		return sw_err_set(e, "'%s' is not the directory of the database, '%s'",
			a, b);
	return 0;
}

/* realpath of dir/name<suffix>: 0, 1 if absent, -1 */
static int
resolve(const struct sw_repodb *db, const char *name, const char *suffix,
	char *out, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	int ret = -1;

	if (sw_name_path(&p, db->dir, SW_NAME_PKGFILE, name, suffix, e) < 0)
		goto out;
	if (realpath(p.data, out) == NULL) {
		if (errno == ENOENT)
			ret = 1;
		else
			sw_err_sys(e, "cannot resolve '%s'", p.data);
		goto out;
	}
	ret = 0;
out:
	sw_buf_release(&p);
	return ret;
}

int
sw_repodb_add_local(struct sw_repodb *db, const char *file, struct sw_sign *s,
	const struct sw_strvec *signers, struct sw_err *e)
{
	struct sw_pkgfile_name fn;
	struct sw_buf sig = SW_BUF_INIT;
	char *dir = NULL, pkg[PATH_MAX], sigpath[PATH_MAX], signer[SW_FPR_MAX + 1];
	const char *base = strrchr(file, '/');
	int r, ret = -1;

	base = base ? base + 1 : file;
	dir = base == file ? strdup(".") : strndup(file, (size_t)(base - file));
	if (dir == NULL) {
		sw_err_sys(e, "cannot add '%s'", file);
		goto out;
	}
	if (sw_name_parse_pkgfile(base, &fn, e) < 0 || same_dir(dir, db->dir, e) < 0)
		goto fail;
	if (fn.sig) {
		sw_err_set(e, "'%s' is a signature, not a package", base);
		goto fail;
	}
	r = resolve(db, base, "", pkg, e);
	if (r != 0) {
		if (r == 1)
			sw_err_set(e, "'%s' does not exist", file);
		goto fail;
	}
	r = resolve(db, base, ".sig", sigpath, e);
	if (r == 0)
		r = sw_sig_read(sigpath, &sig, e);
	if (r < 0)
		goto fail;
	if (signers != NULL && signers->n > 0) {
		/* the signer is compared with the keys we trust as a step of its own */
		if (r == 1) {
			sw_err_set(e, "'%s.sig' is missing", base);
			goto fail;
		}
		if (s == NULL || sw_sign_verify_file(s, pkg, sig.data, sig.len,
		    signer, e) < 0 || sw_sign_expect(base, signer, signers, e) < 0)
			goto out;
	}
	ret = sw_repodb_add(db, pkg, base, r == 0 ? &sig : NULL, e);
	goto out;
fail:
	sw_err_prefix(e, "cannot add '%s'", file);
out:
	free(dir);
	sw_buf_release(&sig);
	return ret;
}

int
sw_repodb_remove(struct sw_repodb *db, const char *pkgname, struct sw_err *e)
{
	bool found;
	size_t i;

	if (sw_name_check(SW_NAME_PKGNAME, pkgname, e) < 0)
		return sw_err_prefix(e, "cannot remove");
	i = lookup(db, pkgname, &found);
	if (!found)
		return sw_err_set(e, "cannot remove '%s': not in '%s.db'", pkgname,
			db->name);
	entry_free(db->v[i]);
	memmove(db->v + i, db->v + i + 1, (db->n - i - 1) * sizeof(db->v[0]));
	db->n--;
	return 0;
}

int
sw_repodb_copy_entry(struct sw_repodb *dst, const struct sw_repodb *src,
	const char *pkgname, struct sw_err *e)
{
	const struct sw_repodb_entry *from = sw_repodb_find(src, pkgname);
	struct sw_repodb_entry *en = NULL;
	size_t k, i;

	if (from == NULL)
		return sw_err_set(e, "cannot copy '%s': not in '%s.db'", pkgname,
			src->name);
	if (dst->with_files && !src->with_files)
		return sw_err_set(e, "cannot copy '%s': '%s.files' is not loaded",
			pkgname, src->name);
	en = calloc(1, sizeof(*en));
	if (en == NULL)
		goto fail;
	memcpy(en->name, from->name, sizeof(en->name));
	memcpy(en->version, from->version, sizeof(en->version));
	memcpy(en->filename, from->filename, sizeof(en->filename));
	en->mtime = from->mtime;
	for (k = 0; k < 2; k++)
		for (i = 0; i < from->nm[k]; i++) {
			const struct sw_repodb_member *m = &from->m[k][i];
			struct sw_buf b = { m->data, m->len, 0, 0 };

			if (add_buf_member(en, (int)k, m->name, &b) < 0)
				goto fail;
		}
	return put_entry(dst, en, e);
fail:
	entry_free(en);
	return sw_err_sys(e, "cannot copy '%s'", pkgname);
}

/* ---- writing ---- */

static la_ssize_t
write_cb(struct archive *a, void *arg, const void *p, size_t n)
{
	if (sw_buf_add(arg, p, n) < 0) {
		archive_set_error(a, ENOMEM, "out of memory");
		return -1;
	}
	return (la_ssize_t)n;
}

static int
write_header(struct archive *a, struct archive_entry *ae, const char *path,
	mode_t type, size_t size, time_t mtime)
{
	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, path);
	archive_entry_set_filetype(ae, type);
	archive_entry_set_perm(ae, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(ae, (la_int64_t)size);
	archive_entry_set_mtime(ae, mtime, 0);
	archive_entry_set_uname(ae, "root");
	archive_entry_set_gname(ae, "root");
	return archive_write_header(a, ae) == ARCHIVE_OK ? 0 : -1;
}

static int
write_entry(struct archive *a, struct archive_entry *ae,
	const struct sw_repodb_entry *en, int k, struct sw_buf *path)
{
	size_t i;

	sw_buf_reset(path);
	if (sw_buf_addf(path, "%s-%s/", en->name, en->version) < 0 ||
	    write_header(a, ae, path->data, AE_IFDIR, 0, en->mtime) < 0)
		return -1;
	for (i = 0; i < en->nm[k]; i++) {
		const struct sw_repodb_member *m = &en->m[k][i];

		sw_buf_reset(path);
		if (sw_buf_addf(path, "%s-%s/%s", en->name, en->version, m->name) < 0 ||
		    write_header(a, ae, path->data, AE_IFREG, m->len, en->mtime) < 0 ||
		    archive_write_data(a, m->data, m->len) != (la_ssize_t)m->len)
			return -1;
	}
	return archive_write_finish_entry(a) == ARCHIVE_OK ? 0 : -1;
}

/*
 * Segments for gzseg: a new one starts at an entry whose name hashes to 0
 * modulo SEGMENT_EVERY (or after SEGMENT_MAX entries), so that a change
 * moves no boundary but its own, and the other segments come out the same
 * bytes as before.
 */
#define SEGMENT_EVERY 64
#define SEGMENT_MAX 256

static bool
cut_before(const char *name, size_t in_segment)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return in_segment >= SEGMENT_MAX || h % SEGMENT_EVERY == 0;
}

/*
 * The uncompressed tar of archive k into tar; cuts[0..*ncuts) are the
 * offsets where segments start, and the last one where the end-of-archive
 * blocks start.
 */
static int
build_tar(const struct sw_repodb *db, int k, struct sw_buf *tar, size_t **cuts,
	size_t *ncuts, struct sw_err *e)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	struct sw_buf path = SW_BUF_INIT;
	size_t i, n = 0, in_segment = 0;
	int ret = -1;

	*cuts = calloc(db->n + 2, sizeof(**cuts));
	if (a == NULL || ae == NULL || *cuts == NULL) {
		sw_err_sys(e, "cannot write '%s.%s'", db->name, kinds[k]);
		goto out;
	}
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open(a, tar, NULL, write_cb, NULL) != ARCHIVE_OK)
		goto fail;
	for (i = 0; i < db->n; i++, in_segment++) {
		if (i == 0 || cut_before(db->v[i]->name, in_segment)) {
			(*cuts)[n++] = tar->len;
			in_segment = 0;
		}
		if (write_entry(a, ae, db->v[i], k, &path) < 0)
			goto fail;
	}
	(*cuts)[n++] = tar->len;
	if (archive_write_close(a) != ARCHIVE_OK)
		goto fail;
	*ncuts = n;
	ret = 0;
	goto out;
fail:
	sw_err_set(e, "cannot write '%s.%s': %s", db->name, kinds[k],
		archive_error_string(a) ? archive_error_string(a) : "libarchive failed");
out:
	sw_buf_release(&path);
	if (ae != NULL)
		archive_entry_free(ae);
	if (a != NULL)
		archive_write_free(a);
	return ret;
}

/* The segment of the file read before that holds exactly these bytes. */
static const struct sw_gzseg *
same_segment(const struct sw_repodb_prev *pv, const char *data, size_t len,
	size_t *hint)
{
	size_t i, j;

	for (j = 0; j < pv->nsegs; j++) {
		i = (*hint + j) % pv->nsegs;
		if (pv->segs[i].ulen == len &&
		    memcmp(pv->data.data + pv->segs[i].uoff, data, len) == 0) {
			*hint = i + 1;
			return &pv->segs[i];
		}
	}
	return NULL;
}

/* .gz: unchanged segments are copied, the others compressed. */
static int
compress_gz(const struct sw_repodb_prev *pv, const struct sw_buf *tar,
	const size_t *cuts, size_t ncuts, struct sw_buf *out, struct sw_err *e)
{
	struct sw_gzseg_writer w;
	size_t s, hint = 0;
	int ret = -1;

	sw_gzseg_writer_init(&w);
	for (s = 0; s + 1 < ncuts; s++) {
		const char *data = tar->data + cuts[s];
		size_t len = cuts[s + 1] - cuts[s];
		const struct sw_gzseg *old = same_segment(pv, data, len, &hint);

		if ((old ? sw_gzseg_copy(&w, pv->file.data, old, e) :
		    sw_gzseg_add(&w, data, len, e)) < 0)
			goto out;
	}
	ret = sw_gzseg_finish(&w, tar->data + cuts[ncuts - 1],
		tar->len - cuts[ncuts - 1], out, e);
out:
	sw_gzseg_writer_release(&w);
	return ret;
}

/* Any other compression: libarchive's filter over the tar as it is. */
static int
compress_other(const char *comp, const struct sw_buf *tar, struct sw_buf *out,
	struct sw_err *e)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int r = -1;

	if (a == NULL || ae == NULL) {
		sw_err_sys(e, "cannot compress");
		goto out;
	}
	archive_entry_set_pathname(ae, "tar");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_size(ae, (la_int64_t)tar->len);
	if (strcmp(comp, ".zst") == 0)
		r = archive_write_add_filter_zstd(a);
	else if (strcmp(comp, ".xz") == 0)
		r = archive_write_add_filter_xz(a);
	else if (strcmp(comp, ".bz2") == 0)
		r = archive_write_add_filter_bzip2(a);
	else
		r = archive_write_add_filter_none(a);
	if (r != ARCHIVE_OK || archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, out, NULL, write_cb, NULL) != ARCHIVE_OK ||
	    archive_write_header(a, ae) != ARCHIVE_OK ||
	    archive_write_data(a, tar->data, tar->len) != (la_ssize_t)tar->len ||
	    archive_write_close(a) != ARCHIVE_OK) {
		r = sw_err_set(e, "cannot compress: %s", archive_error_string(a) ?
			archive_error_string(a) : "libarchive failed");
		goto out;
	}
	r = 0;
out:
	if (ae != NULL)
		archive_entry_free(ae);
	if (a != NULL)
		archive_write_free(a);
	return r;
}

/* The archive k of db, compressed, into out. */
static int
build_archive(const struct sw_repodb *db, int k, struct sw_buf *out,
	struct sw_err *e)
{
	struct sw_buf tar = SW_BUF_INIT;
	size_t *cuts = NULL, ncuts = 0;
	int ret = -1;

	if (build_tar(db, k, &tar, &cuts, &ncuts, e) < 0)
		goto out;
	if (strcmp(db->comp, ".gz") == 0)
		ret = compress_gz(&db->prev[k], &tar, cuts, ncuts, out, e);
	else
		ret = compress_other(db->comp, &tar, out, e);
out:
	free(cuts);
	sw_buf_release(&tar);
	return ret;
}

static bool
is_regular(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* repo-add's rotation: the current archive and .sig become .old, .old.sig. */
static int
stage_old(const struct sw_repodb *db, const char *kind, const char *tar,
	struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf cur = SW_BUF_INIT, old = SW_BUF_INIT;
	struct sw_buf cursig = SW_BUF_INIT, oldsig = SW_BUF_INIT;
	char s_old[32], s_sig[32], s_oldsig[32];
	int ret = -1;

	snprintf(s_old, sizeof(s_old), "%s.old", tar);
	snprintf(s_sig, sizeof(s_sig), "%s.sig", tar);
	snprintf(s_oldsig, sizeof(s_oldsig), "%s.old.sig", tar);
	if (db_file(db, kind, tar, &cur, e) < 0 ||
	    db_file(db, kind, s_old, &old, e) < 0 ||
	    db_file(db, kind, s_sig, &cursig, e) < 0 ||
	    db_file(db, kind, s_oldsig, &oldsig, e) < 0)
		goto out;
	if (!is_regular(cur.data)) {
		ret = 0;
		goto out;
	}
	if (sw_txn_hardlink(t, cur.data, old.data, e) < 0)
		goto out;
	if (is_regular(cursig.data))
		ret = sw_txn_hardlink(t, cursig.data, oldsig.data, e);
	else
		ret = sw_txn_remove(t, oldsig.data, e);
out:
	sw_buf_release(&cur);
	sw_buf_release(&old);
	sw_buf_release(&cursig);
	sw_buf_release(&oldsig);
	return ret;
}

/* The new archive of one kind, its .sig or no .sig, and the links. */
static int
stage_kind(const struct sw_repodb *db, int k, struct sw_txn *t,
	struct sw_sign *s, const char *key, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT, sig = SW_BUF_INIT;
	struct sw_buf file = SW_BUF_INIT, filesig = SW_BUF_INIT;
	struct sw_buf link = SW_BUF_INIT, linksig = SW_BUF_INIT;
	char tar[16], tarsig[24], target[SW_REPO_MAX + 32], targetsig[SW_REPO_MAX + 40];
	int ret = -1;

	snprintf(tar, sizeof(tar), ".tar%s", db->comp);
	snprintf(tarsig, sizeof(tarsig), "%s.sig", tar);
	snprintf(target, sizeof(target), "%s.%s%s", db->name, kinds[k], tar);
	snprintf(targetsig, sizeof(targetsig), "%s.sig", target);
	if (db_file(db, kinds[k], tar, &file, e) < 0 ||
	    db_file(db, kinds[k], tarsig, &filesig, e) < 0 ||
	    db_file(db, kinds[k], "", &link, e) < 0 ||
	    db_file(db, kinds[k], ".sig", &linksig, e) < 0 ||
	    build_archive(db, k, &data, e) < 0 ||
	    (key != NULL &&
	    sw_sign_detached(s, key, data.data, data.len, &sig, e) < 0) ||
	    stage_old(db, kinds[k], tar, t, e) < 0 ||
	    sw_txn_replace(t, file.data, data.data, data.len, 0644, e) < 0 ||
	    sw_txn_symlink(t, target, link.data, e) < 0)
		goto out;
	/* signed: <name>.db.tar.gz.sig and <name>.db.sig; else neither */
	if (key != NULL)
		ret = sw_txn_replace(t, filesig.data, sig.data, sig.len, 0644, e) < 0 ||
			sw_txn_symlink(t, targetsig, linksig.data, e) < 0 ? -1 : 0;
	else
		ret = sw_txn_remove(t, filesig.data, e) < 0 ||
			sw_txn_remove(t, linksig.data, e) < 0 ? -1 : 0;
out:
	sw_buf_release(&data);
	sw_buf_release(&sig);
	sw_buf_release(&file);
	sw_buf_release(&filesig);
	sw_buf_release(&link);
	sw_buf_release(&linksig);
	return ret;
}

int
sw_repodb_stage(const struct sw_repodb *db, struct sw_txn *t,
	struct sw_sign *s, const char *key, struct sw_err *e)
{
	if (!db->with_files)
		return sw_err_set(e, "cannot write '%s.db': loaded without its "
			"files database", db->name);
	if (key != NULL && s == NULL)
		return sw_err_set(e, "cannot sign '%s.db': no gnupg context",
			db->name);
	if (stage_kind(db, 0, t, s, key, e) < 0 ||
	    stage_kind(db, 1, t, s, key, e) < 0)
		return -1;
	return 0;
}

/* ---- the lock ---- */

/* Is dir inside (or equal to) top? Both must exist. */
static int
inside(const char *dir, const char *top, bool *in, struct sw_err *e)
{
	char rd[PATH_MAX], rt[PATH_MAX];
	size_t n;

	if (realpath(dir, rd) == NULL)
		return sw_err_sys(e, "cannot resolve '%s'", dir);
	if (realpath(top, rt) == NULL) {
		*in = false;
		return 0;
	}
	n = strlen(rt);
	*in = strncmp(rd, rt, n) == 0 && (rd[n] == '/' || rd[n] == '\0' ||
		strcmp(rt, "/") == 0);
	return 0;
}

int
sw_repodb_guard_take(struct sw_repodb_guard *g, const char *path,
	const char *state_dir, const char *repo_dir, struct sw_err *e)
{
	struct sw_repodb db;
	struct sw_buf lock = SW_BUF_INIT, journal = SW_BUF_INIT;
	bool master = false;
	int ret = -1;

	memset(g, 0, sizeof(*g));
	g->sd.fd[0] = g->sd.fd[1] = g->fd = -1;
	memset(&db, 0, sizeof(db));
	if (parse_path(path, &db.dir, db.name, db.comp, e) < 0 ||
	    (state_dir != NULL && repo_dir != NULL &&
	    inside(db.dir, repo_dir, &master, e) < 0))
		goto out;
	if (master) {
		if (sw_statedir_open(&g->sd, state_dir, e) < 0 ||
		    sw_statedir_lock(&g->sd, SW_LOCK_PACKAGE_DB,
		    SW_LOCK_WAIT_FOREVER, e) != SW_LOCK_OK)
			goto out;
		g->master = true;
		ret = 0;
		goto out;
	}
	if (db_file(&db, "db", ".lock", &lock, e) < 0 ||
	    db_file(&db, "db", ".journal", &journal, e) < 0 ||
	    sw_lock_take(lock.data, SW_LOCK_WAIT_FOREVER, &g->fd, e) != SW_LOCK_OK)
		goto out;
	g->journal = sw_buf_detach(&journal, NULL);
	if (sw_txn_recover(g->journal, e) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&lock);
	sw_buf_release(&journal);
	sw_repodb_release(&db);
	if (ret < 0)
		sw_repodb_guard_release(g);
	return ret;
}

int
sw_repodb_guard_txn(struct sw_repodb_guard *g, struct sw_txn *t,
	struct sw_err *e)
{
	if (g->master)
		return sw_statedir_txn_begin(&g->sd, SW_LOCK_PACKAGE_DB, t, e);
	if (g->fd < 0)
		return sw_err_set(e, "the database lock is not held");
	return sw_txn_begin(t, g->journal, e);
}

void
sw_repodb_guard_release(struct sw_repodb_guard *g)
{
	if (g->sd.dir != NULL)
		sw_statedir_release(&g->sd);
	sw_lock_release(&g->fd);
	free(g->journal);
	g->journal = NULL;
	g->master = false;
}
