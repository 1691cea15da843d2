#include "repo/repodb_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/base64.h>
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
const char *const repodb_kinds[] = { "db", "files" };

/* "<dir>/<name>.db.tar<c>" split into its parts. */
int
repodb_parse_path(const char *path, char **dir, char *name, char *comp,
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
int
repodb_db_file(const struct sw_repodb *db, const char *kind, const char *suffix,
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
	return repodb_db_file(db, repodb_kinds[files], suffix, out, e);
}

/* ---- entries ---- */

int
repodb_slab_reserve(struct sw_repodb *db, size_t entries)
{
	if (db->slab.alloc != 0 ||
	    entries > SIZE_MAX / sizeof(struct sw_repodb_entry) - 1)
		return 0;
	return sw_buf_grow_mapped(&db->slab,
		entries * sizeof(struct sw_repodb_entry));
}

struct sw_repodb_entry *
repodb_entry_new(struct sw_repodb *db)
{
	struct sw_repodb_entry *en;

	/* the slab never grows: its entries must not move */
	if (db->slab.alloc - db->slab.len <= sizeof(*en))
		return calloc(1, sizeof(*en));
	en = (struct sw_repodb_entry *)(void *)(db->slab.data + db->slab.len);
	db->slab.len += sizeof(*en);
	memset(en, 0, sizeof(*en));
	en->in_slab = true;
	return en;
}

void
repodb_entry_free(struct sw_repodb_entry *en)
{
	size_t k, i;

	if (en == NULL)
		return;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < en->nm[k]; i++) {
			free(en->m[k][i].name_buf);
			free(en->m[k][i].data_buf);
		}
		free(en->m[k]);
		free(en->rawbuf[k]);
	}
	if (!en->in_slab)
		free(en);
}

void
repodb_prev_release(struct sw_repodb_prev *pv)
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

	repodb_prev_release(&db->prev[0]);
	repodb_prev_release(&db->prev[1]);
	for (i = 0; i < db->n; i++)
		repodb_entry_free(db->v[i]);
	sw_buf_release(&db->slab);
	free(db->v);
	free(db->dir);
	memset(db, 0, sizeof(*db));
}

/* Index of pkgname in db->v, or where it would go (*found false). */
size_t
repodb_lookup(const struct sw_repodb *db, const char *pkgname, bool *found)
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
	size_t i = repodb_lookup(db, pkgname, &found);

	return found ? db->v[i] : NULL;
}

/* Puts en in place of the entry of its name, or inserts it; takes en. */
int
repodb_put_entry(struct sw_repodb *db, struct sw_repodb_entry *en, struct sw_err *e)
{
	bool found;
	size_t i = repodb_lookup(db, en->name, &found);

	if (found) {
		repodb_entry_free(db->v[i]);
		db->v[i] = en;
		return 0;
	}
	if (db->n == db->alloc) {
		size_t n = db->alloc ? db->alloc * 2 : 64;
		struct sw_repodb_entry **v = reallocarray(db->v, n, sizeof(*v));

		if (v == NULL) {
			repodb_entry_free(en);
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

int
repodb_add_member(struct sw_repodb_entry *en, int k, const char *name,
	const char *data, size_t len, char *owned)
{
	/* the names every entry has, not copied 2,000 times over */
	static const char *const usual[] = { "desc", "files" };
	struct sw_repodb_member *m;
	const char *n = NULL;
	char *nbuf = NULL;
	size_t i;

	for (i = 0; i < sizeof(usual) / sizeof(usual[0]) && n == NULL; i++)
		if (strcmp(name, usual[i]) == 0)
			n = usual[i];
	if (n == NULL && (n = nbuf = strdup(name)) == NULL)
		return -1;
	m = reallocarray(en->m[k], en->nm[k] + 1, sizeof(*m));
	if (m == NULL) {
		free(nbuf);
		return -1;
	}
	en->m[k] = m;
	m += en->nm[k]++;
	m->name = n;
	m->data = data;
	m->len = len;
	m->name_buf = nbuf;
	m->data_buf = owned;
	return 0;
}

const struct sw_repodb_member *
repodb_member(const struct sw_repodb_entry *en, int k, const char *name)
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
	const struct sw_repodb_member *d = repodb_member(en, 0, "desc");

	if (d == NULL)
		return 0;
	return desc_lookup(d->data, d->len, field, out);
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
	base64_encode_raw(out->data, sig->len, (const uint8_t *)sig->data);
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

int
repodb_add_copy_member(struct sw_repodb_entry *en, int k, const char *name,
	const char *data, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return -1;
	memcpy(copy, data, len);
	copy[len] = '\0';
	if (repodb_add_member(en, k, name, copy, len, copy) < 0) {
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
	    repodb_add_copy_member(en, 0, "desc", desc.data, desc.len) < 0 ||
	    repodb_add_copy_member(en, 1, "desc", desc.data, desc.len) < 0 ||
	    repodb_add_copy_member(en, 1, "files", files.data, files.len) < 0) {
		sw_err_sys(e, "cannot add '%s'", path);
		goto out;
	}
	memcpy(en->name, p.pkgname, strlen(p.pkgname) + 1);
	memcpy(en->version, p.version, strlen(p.version) + 1);
	memcpy(en->filename, filename, strlen(filename) + 1);
	en->mtime = time(NULL);
	ret = repodb_put_entry(db, en, e);
	en = NULL;
out:
	repodb_entry_free(en);
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
	i = repodb_lookup(db, pkgname, &found);
	if (!found)
		return sw_err_set(e, "cannot remove '%s': not in '%s.db'", pkgname,
			db->name);
	repodb_entry_free(db->v[i]);
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

			if (repodb_add_copy_member(en, (int)k, m->name, m->data,
			    m->len) < 0)
				goto fail;
		}
	for (k = 0; k < 2; k++)
		if (from->raw[k] != NULL) {
			en->rawbuf[k] = malloc(from->rawlen[k]);
			if (en->rawbuf[k] == NULL)
				goto fail;
			memcpy(en->rawbuf[k], from->raw[k], from->rawlen[k]);
			en->raw[k] = en->rawbuf[k];
			en->rawlen[k] = from->rawlen[k];
		}
	return repodb_put_entry(dst, en, e);
fail:
	repodb_entry_free(en);
	return sw_err_sys(e, "cannot copy '%s'", pkgname);
}

