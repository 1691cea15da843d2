#include "repo/repocheck.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/names.h"
#include "core/number.h"
#include "repo/pkgfile.h"

static int
note(struct sw_strvec *pv, const char *fmt, ...)
{
	struct sw_buf b = SW_BUF_INIT;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sw_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (r == 0)
		r = sw_strvec_push(pv, b.data);
	sw_buf_release(&b);
	return r;
}

static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
		sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The package's sha256 against the entry's. */
static int
check_sum(const char *path, const char *want, const char *file,
	struct sw_strvec *pv)
{
	struct sw_pkgfile p;
	struct sw_err e;
	char real[PATH_MAX];
	int r;

	if (realpath(path, real) == NULL)
		return note(pv, "cannot resolve '%s'", path);
	if (sw_pkgfile_read(real, &p, &e) < 0)
		r = note(pv, "%s", e.msg);
	else if (strcmp(p.sha256, want) != 0)
		r = note(pv, "'%s' does not match the sha256 of its entry", file);
	else
		r = 0;
	sw_pkgfile_release(&p);
	return r;
}

/* The .sig beside the package against %PGPSIG%. */
static int
check_sig(const char *path, const struct sw_repodb_entry *en,
	struct sw_strvec *pv)
{
	struct sw_buf sig = SW_BUF_INIT, field = SW_BUF_INIT, b64 = SW_BUF_INIT;
	struct sw_err e;
	char real[PATH_MAX];
	int r = 1, have, ret = -1;

	if (realpath(path, real) != NULL)
		r = sw_sig_read(real, &sig, &e);
	have = sw_repodb_field(en, "PGPSIG", &field);
	if (have < 0)
		goto out;
	if (r < 0)
		ret = note(pv, "%s", e.msg);
	else if (r == 1 && have == 1)
		ret = note(pv, "'%s.sig' is missing", en->filename);
	else if (r == 0 && have == 0)
		ret = note(pv, "'%s.sig' is not in the entry of '%s'",
			en->filename, en->name);
	else if (r == 0 && (sw_repodb_pgpsig(&sig, &b64) < 0 ||
	    strcmp(b64.data, field.data) != 0))
		ret = note(pv, "'%s.sig' differs from the %%PGPSIG%% of its entry",
			en->filename);
	else
		ret = 0;
out:
	sw_buf_release(&sig);
	sw_buf_release(&field);
	sw_buf_release(&b64);
	return ret;
}

static int
check_entry(const struct sw_repodb *db, const struct sw_repodb_entry *en,
	bool sums, struct sw_strvec *pv, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, field = SW_BUF_INIT;
	struct stat st;
	uint64_t csize;
	int r = -1;

	if (sw_name_path(&path, db->dir, SW_NAME_PKGFILE, en->filename, "", e) < 0)
		goto out;
	if (stat(path.data, &st) < 0)
		r = note(pv, "'%s' is missing", en->filename);
	else if (!S_ISREG(st.st_mode))
		r = note(pv, "'%s' is not a regular file", en->filename);
	else if (sw_repodb_field(en, "CSIZE", &field) != 1 ||
	    sw_parse_u64(field.data, 0, UINT64_MAX, &csize, NULL) < 0)
		r = note(pv, "the entry of '%s' has no valid %%CSIZE%%", en->name);
	else if ((uint64_t)st.st_size != csize)
		r = note(pv, "'%s' has %llu bytes, its entry says %llu",
			en->filename, (unsigned long long)st.st_size,
			(unsigned long long)csize);
	else if (sums && sw_repodb_field(en, "SHA256SUM", &field) == 1)
		r = check_sum(path.data, field.data, en->filename, pv);
	else
		r = 0;
	if (r == 0 && (sw_buf_addstr(&path, ".sig") < 0 ||
	    check_sig(path.data, en, pv) < 0))
		r = -1;
	if (r < 0)
		sw_err_sys(e, "cannot check '%s'", en->filename);
out:
	sw_buf_release(&path);
	sw_buf_release(&field);
	return r;
}

/* Package files and signatures in the directory that no entry names. */
static int
check_beside(const struct sw_repodb *db, struct sw_strvec *pv, struct sw_err *e)
{
	DIR *d = opendir(db->dir);
	struct dirent *de;
	int ret = 0;

	if (d == NULL)
		return sw_err_sys(e, "cannot read directory '%s'", db->dir);
	while (ret == 0 && (errno = 0, de = readdir(d)) != NULL) {
		struct sw_pkgfile_name fn;
		const struct sw_repodb_entry *en;
		size_t len = strlen(de->d_name);

		if (sw_name_parse_pkgfile(de->d_name, &fn, NULL) < 0)
			continue;
		if (fn.sig)
			len -= 4;
		en = sw_repodb_find(db, fn.pkgname);
		if (en != NULL && strlen(en->filename) == len &&
		    memcmp(en->filename, de->d_name, len) == 0)
			continue;
		if (note(pv, "'%s' is beside the database but not in it",
		    de->d_name) < 0)
			ret = sw_err_sys(e, "cannot check '%s'", db->dir);
	}
	if (ret == 0 && errno != 0)
		ret = sw_err_sys(e, "cannot read directory '%s'", db->dir);
	closedir(d);
	return ret;
}

/* The archive's signature and the <name>.<kind>{,.sig} links to it. */
static int
check_archive(const struct sw_repodb *db, bool files, struct sw_sign *s,
	const char *key, struct sw_strvec *pv, struct sw_err *e)
{
	struct sw_buf file = SW_BUF_INIT, sigfile = SW_BUF_INIT;
	struct sw_buf link = SW_BUF_INIT, linksig = SW_BUF_INIT, sig = SW_BUF_INIT;
	struct sw_strvec want = SW_STRVEC_INIT;
	struct stat st;
	struct sw_err ve;
	char signer[SW_FPR_MAX + 1];
	int r, ret = -1;

	if (sw_repodb_archive_path(db, files, &file, e) < 0 ||
	    sw_buf_addf(&sigfile, "%s.sig", file.data) < 0 ||
	    sw_buf_add(&link, file.data, strlen(file.data) - strlen(db->comp) - 4) < 0 ||
	    sw_buf_addf(&linksig, "%s.sig", link.data) < 0 ||
	    (key != NULL && sw_strvec_push(&want, key) < 0))
		goto out;
	if (lstat(file.data, &st) < 0) {
		ret = db->n == 0 ? 0 : note(pv, "'%s' is missing", file.data);
		goto out;
	}
	r = sw_sig_read(sigfile.data, &sig, &ve);
	if (r < 0)
		ret = note(pv, "%s", ve.msg);
	else if (r == 1)
		ret = key ? note(pv, "'%s' is not signed", file.data) : 0;
	else if (s != NULL && (sw_sign_verify_file(s, file.data, sig.data,
	    sig.len, signer, &ve) < 0 ||
	    (key != NULL && sw_sign_expect(file.data, signer, &want, &ve) < 0)))
		ret = note(pv, "%s", ve.msg);
	else
		ret = 0;
	if (ret == 0 && !same_file(link.data, file.data))
		ret = note(pv, "'%s' does not lead to '%s'", link.data, file.data);
	if (ret == 0 && r == 0 && !same_file(linksig.data, sigfile.data))
		ret = note(pv, "'%s' does not lead to '%s'", linksig.data,
			sigfile.data);
	if (ret == 0 && r == 1 && lstat(linksig.data, &st) == 0)
		ret = note(pv, "'%s' is left over: '%s' is not signed",
			linksig.data, file.data);
out:
	if (ret < 0)
		sw_err_sys(e, "cannot check '%s'", file.data);
	sw_buf_release(&file);
	sw_buf_release(&sigfile);
	sw_buf_release(&link);
	sw_buf_release(&linksig);
	sw_buf_release(&sig);
	sw_strvec_release(&want);
	return ret;
}

int
sw_repocheck(const struct sw_repodb *db, struct sw_sign *s, const char *key,
	bool sums, struct sw_strvec *problems, struct sw_err *e)
{
	size_t i;

	if (!db->with_files)
		return sw_err_set(e, "cannot check '%s.db': loaded without its "
			"files database", db->name);
	for (i = 0; i < db->n; i++)
		if (check_entry(db, db->v[i], sums, problems, e) < 0)
			return -1;
	if (check_beside(db, problems, e) < 0 ||
	    check_archive(db, false, s, key, problems, e) < 0 ||
	    check_archive(db, true, s, key, problems, e) < 0)
		return -1;
	return 0;
}
