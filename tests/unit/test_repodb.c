/* repodb: round trips, repo-add's desc format, carry-over, rotation, crash recovery, the lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "mkpkg.h"
#include "repo/repocheck.h"
#include "repo/repodb.h"

static const struct mk_entry files[] = {
	{ "usr", NULL },
	{ "usr/bin", NULL },
	{ "usr/bin/tool", "#!/bin/sh\n" },
};

/* <tdir>/<name>-<version>-x86_64.pkg.tar.zst with extra .PKGINFO lines */
static const char *
make(const char *name, const char *version, const char *extra)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s-%s-x86_64.pkg.tar.zst", tdir, name,
		version);
	mk_pkg(path, "zst", pkginfo(name, version, extra), -1, files, 3);
	return path;
}

static void
load(struct sw_repodb *db)
{
	struct sw_err e;

	if (sw_repodb_load(db, tpath(3, "core.db.tar.gz"), true, &e) < 0)
		fail_msg("%s", e.msg);
}

static void
add(struct sw_repodb *db, const char *path, const struct sw_buf *sig)
{
	struct sw_err e;

	if (sw_repodb_add(db, path, NULL, sig, &e) < 0)
		fail_msg("%s", e.msg);
}

static void
write_db(struct sw_repodb *db)
{
	struct sw_txn t;
	struct sw_err e;

	if (sw_txn_begin(&t, tpath(2, "journal"), &e) < 0 ||
	    sw_repodb_stage(db, &t, NULL, NULL, &e) < 0 ||
	    sw_txn_commit(&t, &e) < 0)
		fail_msg("%s", e.msg);
}

static const struct sw_repodb_member *
member_of(const struct sw_repodb_entry *en, int k, const char *name)
{
	size_t i;

	for (i = 0; i < en->nm[k]; i++)
		if (strcmp(en->m[k][i].name, name) == 0)
			return &en->m[k][i];
	fail_msg("no %s", name);
	return NULL;
}

static void
test_round_trip(void **state)
{
	struct sw_repodb db;
	struct sw_buf v = SW_BUF_INIT, sig = SW_BUF_INIT;
	const struct sw_repodb_entry *en;
	const char *want_desc =
		"%FILENAME%\nfoo-1.0-1-x86_64.pkg.tar.zst\n\n%NAME%\nfoo\n\n"
		"%BASE%\nfoo\n\n%VERSION%\n1.0-1\n\n%DESC%\ntest foo\n\n"
		"%GROUPS%\ng1\ng2\n\n%CSIZE%\n";

	(void)state;
	load(&db);
	assert_int_equal(db.n, 0);
	sw_buf_add(&sig, "\x88\x01\x02\x03", 4);
	add(&db, make("foo", "1.0-1", "group = g1\ngroup = g2\n"), &sig);
	add(&db, make("bar", "2-1", NULL), NULL);
	assert_int_equal(db.n, 2);
	assert_string_equal(db.v[0]->name, "bar");
	write_db(&db);
	sw_repodb_release(&db);

	load(&db);
	assert_int_equal(db.n, 2);
	en = sw_repodb_find(&db, "foo");
	assert_non_null(en);
	assert_string_equal(en->version, "1.0-1");
	assert_string_equal(en->filename, "foo-1.0-1-x86_64.pkg.tar.zst");
	if (strncmp(member_of(en, 0, "desc")->data, want_desc, strlen(want_desc)) != 0)
		fail_msg("desc: %s", member_of(en, 0, "desc")->data);
	assert_int_equal(sw_repodb_field(en, "PGPSIG", &v), 1);
	assert_string_equal(v.data, "iAECAw==");
	assert_int_equal(sw_repodb_field(en, "GROUPS", &v), 1);
	assert_string_equal(v.data, "g1\ng2");
	assert_int_equal(sw_repodb_field(en, "DEPENDS", &v), 0);
	assert_string_equal(member_of(en, 1, "files")->data,
		"%FILES%\nusr/\nusr/bin/\nusr/bin/tool\n");
	assert_string_equal(member_of(en, 1, "desc")->data,
		member_of(en, 0, "desc")->data);
	assert_int_equal(sw_repodb_field(sw_repodb_find(&db, "bar"), "PGPSIG", &v), 0);
	assert_null(sw_repodb_find(&db, "baz"));
	sw_repodb_release(&db);
	sw_buf_release(&v);
	sw_buf_release(&sig);
}

/* Blanks as repo-add squeezes them; an empty first value drops the field. */
static void
test_desc_format(void **state)
{
	struct sw_repodb db;
	struct sw_buf v = SW_BUF_INIT;
	const struct sw_repodb_entry *en;
	const char *path = tpath(0, "sp-1-1-x86_64.pkg.tar.zst");

	(void)state;
	mk_pkg(path, "zst", "pkgname = sp\npkgver = 1-1\narch = x86_64\n"
		"pkgdesc =   a  b\t\tc \t \nurl = \nlicense = \nlicense = X\n"
		"depend = d1\ndepend = \ndepend = d3\noptdepend = o: with   spaces\n"
		"makedepend = m\ncheckdepend = c\nreplaces = r\nconflict = k\n"
		"provides = p=1\nbackup = etc/x\n", -1, NULL, 0);
	load(&db);
	add(&db, path, NULL);
	en = sw_repodb_find(&db, "sp");
	assert_int_equal(sw_repodb_field(en, "DESC", &v), 1);
	assert_string_equal(v.data, "a b c");
	assert_int_equal(sw_repodb_field(en, "URL", &v), 0);
	assert_int_equal(sw_repodb_field(en, "LICENSE", &v), 0);
	assert_int_equal(sw_repodb_field(en, "DEPENDS", &v), 1);
	assert_string_equal(v.data, "d1"); /* the empty line ends the field, as in repo-add */
	assert_int_equal(sw_repodb_field(en, "OPTDEPENDS", &v), 1);
	assert_string_equal(v.data, "o: with spaces");
	assert_int_equal(sw_repodb_field(en, "BACKUP", &v), 0);
	assert_non_null(strstr(member_of(en, 0, "desc")->data,
		"%ARCH%\nx86_64\n\n%REPLACES%\nr\n\n%CONFLICTS%\nk\n\n"
		"%PROVIDES%\np=1\n\n%DEPENDS%\nd1\n\nd3\n\n%OPTDEPENDS%\n"
		"o: with spaces\n\n%MAKEDEPENDS%\nm\n\n%CHECKDEPENDS%\nc\n\n"));
	sw_repodb_release(&db);
	sw_buf_release(&v);
}

/* Unchanged entries come back byte for byte; their packages are not read. */
static void
test_carry_over(void **state)
{
	struct sw_repodb db;
	struct sw_err e;
	char *before;
	const char *after;
	size_t i;

	(void)state;
	load(&db);
	add(&db, make("keep", "1-1", "depend = x\n"), NULL);
	add(&db, make("gone", "1-1", NULL), NULL);
	write_db(&db);
	sw_repodb_release(&db);

	load(&db);
	before = strdup(member_of(sw_repodb_find(&db, "keep"), 1, "files")->data);
	sw_repodb_release(&db);
	unlink(tpath(0, "keep-1-1-x86_64.pkg.tar.zst"));
	load(&db);
	add(&db, make("new", "1-1", NULL), NULL);
	if (sw_repodb_remove(&db, "gone", &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(sw_repodb_remove(&db, "gone", &e), -1);
	assert_string_equal(e.msg, "cannot remove 'gone': not in 'core.db'");
	assert_int_equal(sw_repodb_remove(&db, "../x", &e), -1);
	write_db(&db);
	sw_repodb_release(&db);
	load(&db);
	assert_int_equal(db.n, 2);
	after = member_of(sw_repodb_find(&db, "keep"), 1, "files")->data;
	assert_string_equal(before, after);
	for (i = 0; i < db.n; i++)
		assert_string_not_equal(db.v[i]->name, "gone");
	free(before);
	sw_repodb_release(&db);
}

static void
test_copy_entry(void **state)
{
	struct sw_repodb a, b;
	struct sw_err e;

	(void)state;
	load(&a);
	add(&a, make("mover", "3-1", NULL), NULL);
	assert_int_equal(sw_repodb_load(&b, tpath(1, "extra.db.tar.zst"), true, &e), 0);
	assert_int_equal(sw_repodb_copy_entry(&b, &a, "mover", &e), 0);
	assert_int_equal(sw_repodb_copy_entry(&b, &a, "none", &e), -1);
	assert_string_equal(member_of(b.v[0], 0, "desc")->data,
		member_of(a.v[0], 0, "desc")->data);
	assert_string_equal(member_of(b.v[0], 1, "files")->data,
		member_of(a.v[0], 1, "files")->data);
	sw_repodb_release(&a);
	sw_repodb_release(&b);
}

/* Links, .old as hard links, and no signature left from an older database. */
static void
test_rotation(void **state)
{
	struct sw_repodb db;
	struct stat a, b;
	char link[64];
	ssize_t n;

	(void)state;
	load(&db);
	add(&db, make("one", "1-1", NULL), NULL);
	write_db(&db);
	assert_false(tu_exists(tpath(1, "core.db.tar.gz.old")));
	n = readlink(tpath(1, "core.db"), link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "core.db.tar.gz");
	n = readlink(tpath(1, "core.files"), link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	assert_string_equal(link, "core.files.tar.gz");
	/* as if an older write had been signed */
	tu_write(tpath(1, "core.db.tar.gz.sig"), "\x88sig", 4);
	assert_int_equal(symlink("core.db.tar.gz.sig", tpath(1, "core.db.sig")), 0);
	tu_write(tpath(1, "core.db.tar.gz.old.sig"), "\x88old", 4);
	assert_int_equal(stat(tpath(1, "core.db.tar.gz"), &a), 0);
	write_db(&db);
	assert_int_equal(stat(tpath(1, "core.db.tar.gz.old"), &b), 0);
	assert_true(a.st_ino == b.st_ino);
	assert_false(tu_exists(tpath(1, "core.db.tar.gz.sig")));
	assert_false(tu_exists(tpath(1, "core.db.sig")));
	assert_true(tu_exists(tpath(1, "core.db.tar.gz.old.sig"))); /* the signature of the .old */
	assert_true(tu_exists(tpath(1, "core.files.tar.gz.old")));
	write_db(&db);
	assert_false(tu_exists(tpath(1, "core.db.tar.gz.old.sig")));
	assert_false(tu_exists(tpath(1, "journal")));
	sw_repodb_release(&db);
}

/* A crash after the journal is written: the next lock taker finishes it. */
static void
test_crash_recovery(void **state)
{
	struct sw_repodb db;
	struct sw_repodb_guard g = SW_REPODB_GUARD_INIT;
	struct sw_txn t;
	struct sw_err e;
	char *old, *now, *journal;
	size_t oldlen, nowlen;

	(void)state;
	load(&db);
	add(&db, make("base", "1-1", NULL), NULL);
	write_db(&db);
	old = read_bytes(tpath(1, "core.db.tar.gz"), &oldlen);
	add(&db, make("late", "1-1", NULL), NULL);

	/* killed after staging, before the journal: the old database stays */
	assert_int_equal(sw_repodb_guard_take(&g, tpath(3, "core.db.tar.gz"),
		NULL, NULL, &e), 0);
	journal = strdup(g.journal);
	assert_int_equal(sw_repodb_guard_txn(&g, &t, &e), 0);
	assert_int_equal(sw_repodb_stage(&db, &t, NULL, NULL, &e), 0);
	now = read_bytes(tpath(1, "core.db.tar.gz"), &nowlen);
	assert_true(nowlen == oldlen && memcmp(now, old, oldlen) == 0);
	free(now);
	/* killed just after the journal was written */
	tu_write(journal, t.ops.data, t.ops.len);
	free(t.journal);
	sw_buf_release(&t.ops);
	sw_repodb_guard_release(&g);
	sw_repodb_release(&db);

	assert_int_equal(sw_repodb_guard_take(&g, tpath(3, "core.db.tar.gz"),
		NULL, NULL, &e), 0);
	assert_int_equal(access(journal, F_OK), -1);
	load(&db);
	assert_int_equal(db.n, 2);
	assert_non_null(sw_repodb_find(&db, "late"));
	now = read_bytes(tpath(1, "core.db.tar.gz.old"), &nowlen);
	assert_true(nowlen == oldlen && memcmp(now, old, oldlen) == 0);
	free(now);
	free(old);
	free(journal);
	sw_repodb_release(&db);
	sw_repodb_guard_release(&g);
}

static void
test_master_lock(void **state)
{
	struct sw_repodb_guard g = SW_REPODB_GUARD_INIT;
	struct sw_err e;
	struct sw_txn t;
	struct stat st;

	(void)state;
	mkdir(tpath(0, "state"), 0755);
	assert_int_equal(sw_repodb_guard_take(&g, tpath(3, "core.db.tar.gz"),
		tpath(0, "state"), tdir, &e), 0);
	assert_true(g.master);
	assert_int_equal(stat(tpath(0, "state/locks/package-db.lock"), &st), 0);
	assert_int_equal(sw_repodb_guard_txn(&g, &t, &e), 0);
	assert_string_equal(t.journal, tpath(0, "state/locks/package-db.journal"));
	sw_txn_abort(&t);
	sw_repodb_guard_release(&g);
	/* a database outside repo_dir: the lock beside it */
	assert_int_equal(sw_repodb_guard_take(&g, tpath(3, "core.db.tar.gz"),
		tpath(0, "state"), tpath(1, "state"), &e), 0);
	assert_false(g.master);
	assert_int_equal(stat(tpath(0, "core.db.lock"), &st), 0);
	sw_repodb_guard_release(&g);
	sw_repodb_guard_release(&g);
}

static void
test_bad_databases(void **state)
{
	struct sw_repodb db;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.db.tar.lz4"), true, &e), -1);
	assert_non_null(strstr(e.msg, "must end in"));
	assert_int_equal(sw_repodb_load(&db, tpath(0, "Core.db.tar.gz"), true, &e), -1);
	assert_non_null(strstr(e.msg, "invalid repository name 'Core'"));
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.tar.gz"), true, &e), -1);
	assert_int_equal(sw_repodb_load(&db, "/nonexistent/core.db.tar.gz", true, &e), -1);

	load(&db);
	add(&db, make("a", "1-1", NULL), NULL);
	write_db(&db);
	sw_repodb_release(&db);
	unlink(tpath(0, "core.files.tar.gz"));
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.db.tar.gz"), true, &e), -1);
	assert_non_null(strstr(e.msg, "core.files.tar.gz' is missing"));
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.db.tar.gz"), false, &e), 0);
	assert_int_equal(sw_repodb_stage(&db, NULL, NULL, NULL, &e), -1);
	sw_repodb_release(&db);
	/* a files archive of another database */
	mk_pkg(tpath(0, "core.files.tar.gz"), "gz", NULL, 0,
		(const struct mk_entry[]){ { "b-1-1", NULL }, { "b-1-1/desc", "x" } }, 2);
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.db.tar.gz"), true, &e), -1);
	assert_non_null(strstr(e.msg, "entry 'b-1-1' is not in the db archive"));
	/* an entry with a path in it */
	mk_pkg(tpath(0, "core.db.tar.gz"), "gz", NULL, 0,
		(const struct mk_entry[]){ { "a-1-1/../../x", "x" } }, 1);
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.db.tar.gz"), true, &e), -1);
	assert_non_null(strstr(e.msg, "unexpected entry"));
	mk_pkg(tpath(0, "core.db.tar.gz"), "gz", NULL, 0,
		(const struct mk_entry[]){ { "nodash/desc", "x" } }, 1);
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.db.tar.gz"), true, &e), -1);
	assert_non_null(strstr(e.msg, "is not <pkgname>-<version>"));
	mk_pkg(tpath(0, "core.db.tar.gz"), "gz", NULL, 0,
		(const struct mk_entry[]){ { "a-1-1/desc", "%NAME%\nb\n\n" } }, 1);
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.db.tar.gz"), false, &e), -1);
	assert_non_null(strstr(e.msg, "has no desc naming it"));
}

/* path's gzip data inflated, changed by fix, and written back as plain gzip. */
static void
regzip(const char *path, void (*fix)(char *tar, size_t *len))
{
	static char tar[1 << 20];
	size_t len;
	gzFile in = gzopen(path, "rb"), out;
	int n;

	assert_non_null(in);
	n = gzread(in, tar, sizeof(tar) - 4096);
	gzclose(in);
	assert_true(n > 0);
	len = (size_t)n;
	fix(tar, &len);
	out = gzopen(path, "wb");
	assert_non_null(out);
	assert_int_equal(gzwrite(out, tar, (unsigned)len), (int)len);
	gzclose(out);
}

static void fix_none(char *tar, size_t *len) { (void)tar; (void)len; }
/* the first header's uname changes, its checksum does not */
static void fix_checksum(char *tar, size_t *len) { (void)len; tar[265] ^= 1; }
/* a 1024-byte entry of junk after the end-of-archive blocks */
static void
fix_trailer(char *tar, size_t *len)
{
	memset(tar + *len, 'x', 1024);
	*len += 1024;
}

/*
 * The two readers of a .gz database: plain ustar is parsed directly, the
 * rest by libarchive. A bad checksum or junk after the end is never taken
 * by the direct one as a database (hostile).
 */
static void
test_tar_readers(void **state)
{
	struct sw_repodb db;
	struct sw_buf v = SW_BUF_INIT;
	struct sw_err e;

	(void)state;
	load(&db);
	add(&db, make("r", "1-1", NULL), NULL);
	write_db(&db);
	sw_repodb_release(&db);
	/* plain gzip of the same tar: no segment table, the same entries */
	regzip(tpath(0, "core.db.tar.gz"), fix_none);
	regzip(tpath(0, "core.files.tar.gz"), fix_none);
	load(&db);
	assert_int_equal(db.n, 1);
	assert_int_equal(sw_repodb_field(db.v[0], "NAME", &v), 1);
	assert_string_equal(v.data, "r");
	assert_non_null(db.v[0]->raw[0]);
	sw_repodb_release(&db);
	regzip(tpath(0, "core.db.tar.gz"), fix_checksum);
	assert_int_equal(sw_repodb_load(&db, tpath(0, "core.db.tar.gz"), true, &e), -1);
	/* junk after the end: libarchive's reading, no bytes kept to copy */
	unlink(tpath(0, "core.db.tar.gz"));
	unlink(tpath(0, "core.files.tar.gz"));
	load(&db);
	add(&db, make("r", "1-1", NULL), NULL);
	write_db(&db);
	sw_repodb_release(&db);
	regzip(tpath(0, "core.db.tar.gz"), fix_trailer);
	if (sw_repodb_load(&db, tpath(0, "core.db.tar.gz"), true, &e) == 0) {
		assert_int_equal(db.n, 1);
		assert_null(db.v[0]->raw[0]);
		sw_repodb_release(&db);
	}
	sw_buf_release(&v);
}

/* check: a clean database, then the differences it must name. */
static void
test_check(void **state)
{
	struct sw_repodb db;
	struct sw_strvec pv = SW_STRVEC_INIT;
	struct sw_err e;

	(void)state;
	load(&db);
	add(&db, make("c", "1-1", NULL), NULL);
	write_db(&db);
	assert_int_equal(sw_repocheck(&db, NULL, NULL, true, &pv, &e), 0);
	assert_int_equal(pv.n, 0);
	tu_write(tpath(0, "c-1-1-x86_64.pkg.tar.zst.sig"), "\x88x", 2);
	make("stray", "1-1", NULL);
	assert_int_equal(sw_repocheck(&db, NULL, "0123456789ABCDEF0123456789ABCDEF01234567",
		false, &pv, &e), 0);
	assert_int_equal(pv.n, 4);
	assert_string_equal(pv.v[0], "'c-1-1-x86_64.pkg.tar.zst.sig' is not in the entry of 'c'");
	assert_non_null(strstr(pv.v[2], "core.db.tar.gz' is not signed"));
	sw_strvec_release(&pv);
	sw_repodb_release(&db);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tdir_setup, tdir_teardown)
	const struct CMUnitTest tests[] = {
		T(test_round_trip), T(test_desc_format), T(test_carry_over),
		T(test_copy_entry), T(test_rotation), T(test_crash_recovery),
		T(test_master_lock), T(test_bad_databases), T(test_tar_readers), T(test_check),
	};

	return cmocka_run_group_tests_name("repodb", tests, NULL, NULL);
}
