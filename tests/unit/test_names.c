/* names: every kind, valid and hostile; file names, ids, paths, quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"

#define C40 "0123456789abcdef0123456789abcdef01234567"
#define C64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define F40 "0123456789ABCDEF0123456789abcdef01234567"
#define ID40 "foo." C40 "." C40 ".core"

struct nc {
	enum sw_name_kind kind;
	const char *s;
	bool valid;
};

/* n copies of c followed by tail, malloc'ed */
static char *
rep(char c, size_t n, const char *tail)
{
	char *s = malloc(n + strlen(tail) + 1);

	assert_non_null(s);
	memset(s, c, n);
	memcpy(s + n, tail, strlen(tail) + 1);
	return s;
}

static void
check_cases(const struct nc *c, size_t n)
{
	struct sw_err e;
	size_t i;

	for (i = 0; i < n; i++) {
		bool v = sw_name_valid(c[i].kind, c[i].s);
		int r = sw_name_check(c[i].kind, c[i].s, &e);

		if (v != c[i].valid || (r == 0) != c[i].valid)
			fail_msg("%s '%s': expected %s", sw_name_kind_str(c[i].kind),
				c[i].s, c[i].valid ? "valid" : "invalid");
		if (!c[i].valid && strncmp(e.msg, "invalid ", 8) != 0)
			fail_msg("message for '%s': '%s'", c[i].s, e.msg);
	}
}

#define CHECK(cases) check_cases(cases, sizeof(cases) / sizeof(cases[0]))

static const char *const hostile[] = {
	"", "../x", "..", ".", "/x", "x/y", ".x", "-x", "foo bar", "foo;id",
	"$(id)", "`id`", "foo\nbar", "foo\tbar", "foo\\bar", "foo'bar",
	"foo\"bar", "foo|bar", "foo&bar", "foo*", "foo\x7f", "f\xc3\xa4o",
	"foo\r", " foo", "foo ",
};

/* Hostile strings are invalid as every kind that ends up in a path. */
static void
test_hostile_every_kind(void **state)
{
	static const enum sw_name_kind kinds[] = {
		SW_NAME_PKGNAME, SW_NAME_PKGBASE, SW_NAME_PKGVER, SW_NAME_PKGREL,
		SW_NAME_EPOCH, SW_NAME_VERSION, SW_NAME_ARCH, SW_NAME_REPO,
		SW_NAME_COMMIT, SW_NAME_SLAVE, SW_NAME_SOURCE, SW_NAME_PHASE,
		SW_NAME_FINGERPRINT, SW_NAME_PKGFILE, SW_NAME_ID,
	};
	size_t i, k;

	(void)state;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		assert_false(sw_name_valid(kinds[k], NULL));
		for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
			if (sw_name_valid(kinds[k], hostile[i]))
				fail_msg("%s '%s' accepted", sw_name_kind_str(kinds[k]),
					hostile[i]);
		}
	}
}

static void
test_pkgname(void **state)
{
	char *max = rep('a', SW_PKGNAME_MAX, ""), *over = rep('a', 129, "");
	const struct nc cases[] = {
		{ SW_NAME_PKGNAME, "foo", true },
		{ SW_NAME_PKGNAME, "a", true },
		{ SW_NAME_PKGNAME, "0ad", true },
		{ SW_NAME_PKGNAME, "lib32-glibc", true },
		{ SW_NAME_PKGNAME, "gtk+", true },
		{ SW_NAME_PKGNAME, "python3.11-foo", true },
		{ SW_NAME_PKGNAME, "foo_bar@baz", true },
		{ SW_NAME_PKGNAME, "foo-", true },
		{ SW_NAME_PKGNAME, max, true },
		{ SW_NAME_PKGNAME, over, false },
		{ SW_NAME_PKGNAME, "Foo", false },
		{ SW_NAME_PKGNAME, "fOo", false },
		{ SW_NAME_PKGNAME, "foo:bar", false },
		{ SW_NAME_PKGNAME, "foo~bar", false },
		{ SW_NAME_PKGBASE, "linux-lts", true },
		{ SW_NAME_PKGBASE, "-linux", false },
		{ SW_NAME_PKGBASE, ".linux", false },
		{ SW_NAME_PKGBASE, "LINUX", false },
		{ SW_NAME_PKGBASE, over, false },
	};

	(void)state;
	CHECK(cases);
	free(max);
	free(over);
}

static void
test_pkgver_pkgrel_epoch(void **state)
{
	char *max = rep('1', SW_PKGNAME_MAX, ""), *over = rep('1', 129, "");
	const struct nc cases[] = {
		{ SW_NAME_PKGVER, "1.0", true },
		{ SW_NAME_PKGVER, "2.0rc1", true },
		{ SW_NAME_PKGVER, "1.0_beta+git20240101~2", true },
		{ SW_NAME_PKGVER, "R2", true },
		{ SW_NAME_PKGVER, max, true },
		{ SW_NAME_PKGVER, over, false },
		{ SW_NAME_PKGVER, ".1", false },
		{ SW_NAME_PKGVER, "1-0", false },
		{ SW_NAME_PKGVER, "1:0", false },
		{ SW_NAME_PKGVER, "1 0", false },
		{ SW_NAME_PKGVER, "1/0", false },

		{ SW_NAME_PKGREL, "1", true },
		{ SW_NAME_PKGREL, "0", true },
		{ SW_NAME_PKGREL, "10", true },
		{ SW_NAME_PKGREL, "1.1", true },
		{ SW_NAME_PKGREL, "2.10", true },
		{ SW_NAME_PKGREL, "1.0", true },
		{ SW_NAME_PKGREL, "1.2.3", false },
		{ SW_NAME_PKGREL, "a", false },
		{ SW_NAME_PKGREL, "1a", false },
		{ SW_NAME_PKGREL, "-1", false },
		{ SW_NAME_PKGREL, "+1", false },
		{ SW_NAME_PKGREL, "1.", false },
		{ SW_NAME_PKGREL, ".1", false },
		{ SW_NAME_PKGREL, "1..1", false },
		{ SW_NAME_PKGREL, "01", false },     /* no leading zero */
		{ SW_NAME_PKGREL, "1.01", false },
		{ SW_NAME_PKGREL, "00", false },
		{ SW_NAME_PKGREL, "12345678901234567", false },

		{ SW_NAME_EPOCH, "0", true },
		{ SW_NAME_EPOCH, "1", true },
		{ SW_NAME_EPOCH, "999999999", true },
		{ SW_NAME_EPOCH, "1234567890", false },
		{ SW_NAME_EPOCH, "a", false },
		{ SW_NAME_EPOCH, "1a", false },
		{ SW_NAME_EPOCH, "-1", false },
		{ SW_NAME_EPOCH, "1.0", false },
		{ SW_NAME_EPOCH, "01", false },      /* no leading zero */
	};

	(void)state;
	CHECK(cases);
	free(max);
	free(over);
}

static void
test_version(void **state)
{
	const struct nc cases[] = {
		{ SW_NAME_VERSION, "1.0-1", true },
		{ SW_NAME_VERSION, "1:1.0-1", true },
		{ SW_NAME_VERSION, "12:2.0rc1-3.1", true },
		{ SW_NAME_VERSION, "0:1-1", true },
		{ SW_NAME_VERSION, "1.0", false },       /* no pkgrel */
		{ SW_NAME_VERSION, "1.0-", false },
		{ SW_NAME_VERSION, "-1", false },        /* no pkgver */
		{ SW_NAME_VERSION, ":1.0-1", false },    /* empty epoch */
		{ SW_NAME_VERSION, "a:1.0-1", false },
		{ SW_NAME_VERSION, "01:1.0-1", false },
		{ SW_NAME_VERSION, "1:2:3-1", false },
		{ SW_NAME_VERSION, "1:-1", false },
		{ SW_NAME_VERSION, "1.0-1.2.3", false },
		{ SW_NAME_VERSION, "1.0-1-1", false },
		{ SW_NAME_VERSION, "1.0-a", false },
		{ SW_NAME_VERSION, "1.0 -1", false },
		{ SW_NAME_VERSION, "../1-1", false },
		{ SW_NAME_VERSION, "1.0-1\n", false },
	};
	char *over = rep('1', SW_VERSION_MAX, "-1");

	(void)state;
	CHECK(cases);
	assert_false(sw_name_valid(SW_NAME_VERSION, over));
	free(over);
}

static void
test_arch_repo_commit(void **state)
{
	char *arch_max = rep('a', SW_ARCH_MAX, ""), *arch_over = rep('a', 33, "");
	char *repo_max = rep('r', SW_REPO_MAX, ""), *repo_over = rep('r', 65, "");
	const struct nc cases[] = {
		{ SW_NAME_ARCH, "x86_64", true },
		{ SW_NAME_ARCH, "aarch64", true },
		{ SW_NAME_ARCH, "any", true },
		{ SW_NAME_ARCH, "armv7h", true },
		{ SW_NAME_ARCH, "X86", true },
		{ SW_NAME_ARCH, arch_max, true },
		{ SW_NAME_ARCH, arch_over, false },
		{ SW_NAME_ARCH, "x86-64", false },
		{ SW_NAME_ARCH, "x86.64", false },

		{ SW_NAME_REPO, "core", true },
		{ SW_NAME_REPO, "extra-testing", true },
		{ SW_NAME_REPO, "my_repo", true },
		{ SW_NAME_REPO, "0day", true },
		{ SW_NAME_REPO, repo_max, true },
		{ SW_NAME_REPO, repo_over, false },
		{ SW_NAME_REPO, "Core", false },
		{ SW_NAME_REPO, "core.x", false },       /* ids end in it */
		{ SW_NAME_REPO, "-core", false },
		{ SW_NAME_REPO, "_core", false },

		{ SW_NAME_COMMIT, C40, true },
		{ SW_NAME_COMMIT, C64, true },
		{ SW_NAME_COMMIT, F40, false },          /* lowercase only */
		{ SW_NAME_COMMIT, C40 "8", false },
		{ SW_NAME_COMMIT, C64 "0", false },
		{ SW_NAME_COMMIT, "0123456789abcdef0123456789abcdef0123456", false },
		{ SW_NAME_COMMIT, "g123456789abcdef0123456789abcdef01234567", false },
	};

	(void)state;
	CHECK(cases);
	free(arch_max);
	free(arch_over);
	free(repo_max);
	free(repo_over);
}

static void
test_slave_source_phase_fingerprint(void **state)
{
	char *max = rep('s', SW_SLAVE_MAX, ""), *over = rep('s', 65, "");
	char *ph_max = rep('p', 32, ""), *ph_over = rep('p', 33, "");
	const struct nc cases[] = {
		{ SW_NAME_SLAVE, "alpha", true },
		{ SW_NAME_SLAVE, "a.b-c_d", true },
		{ SW_NAME_SLAVE, "0", true },
		{ SW_NAME_SLAVE, max, true },
		{ SW_NAME_SLAVE, over, false },
		{ SW_NAME_SLAVE, "Alpha", false },
		{ SW_NAME_SLAVE, "_alpha", false },
		{ SW_NAME_SLAVE, "alpha@host", false },
		{ SW_NAME_SOURCE, "upstream", true },
		{ SW_NAME_SOURCE, "aur.mirror", true },
		{ SW_NAME_SOURCE, "-aur", false },

		{ SW_NAME_PHASE, "build", true },
		{ SW_NAME_PHASE, "fetch-sources", true },
		{ SW_NAME_PHASE, "sign_1", true },
		{ SW_NAME_PHASE, ph_max, true },
		{ SW_NAME_PHASE, ph_over, false },
		{ SW_NAME_PHASE, "Build", false },
		{ SW_NAME_PHASE, "a.b", false },

		{ SW_NAME_FINGERPRINT, C40, true },
		{ SW_NAME_FINGERPRINT, F40, true },      /* either case */
		{ SW_NAME_FINGERPRINT, C64, true },
		{ SW_NAME_FINGERPRINT, C40 "0", false },
		{ SW_NAME_FINGERPRINT, "0x" C40, false },
		{ SW_NAME_FINGERPRINT, "0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567", false },
		{ SW_NAME_FINGERPRINT, "G123456789ABCDEF0123456789abcdef01234567", false },
	};

	(void)state;
	CHECK(cases);
	free(max);
	free(over);
	free(ph_max);
	free(ph_over);
}

static void
test_nul_inside(void **state)
{
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_name_check_mem(SW_NAME_PKGNAME, "foo", 3, &e), 0);
	assert_int_equal(sw_name_check_mem(SW_NAME_PKGNAME, "foo\0bar", 7, &e), -1);
	assert_string_equal(e.msg, "invalid pkgname 'foo\\x00bar'");
	assert_int_equal(sw_name_check_mem(SW_NAME_PKGNAME, "foo\0", 4, &e), -1);
	assert_int_equal(sw_name_check_mem(SW_NAME_COMMIT, C40 "\0", 41, &e), -1);
	assert_int_equal(sw_name_check_mem(SW_NAME_PKGFILE,
		"foo-1-1-any.pkg.tar\0.zst", 24, &e), -1);
	assert_int_equal(sw_name_check_mem(SW_NAME_ID, ID40 "\0",
		sizeof(ID40), &e), -1);
	assert_int_equal(sw_name_check_mem(SW_NAME_ID, ID40 "\0x",
		sizeof(ID40) + 1, &e), -1);
	assert_int_equal(sw_name_check_mem(SW_NAME_ID, ID40, sizeof(ID40) - 1,
		&e), 0);
	/* a length shorter than the string checks only that much */
	assert_int_equal(sw_name_check_mem(SW_NAME_PKGNAME, "foo/bar", 3, &e), 0);
}

static void
test_check_messages(void **state)
{
	struct sw_err e;
	char *huge = rep('A', 1000, "");

	(void)state;
	assert_int_equal(sw_name_check(SW_NAME_PKGNAME, "../x", &e), -1);
	assert_string_equal(e.msg, "invalid pkgname '../x'");
	assert_int_equal(sw_name_check(SW_NAME_REPO, "a\nb", &e), -1);
	assert_string_equal(e.msg, "invalid repository name 'a\\x0ab'");
	assert_int_equal(sw_name_check(SW_NAME_SLAVE, "\x1b[31mred", &e), -1);
	assert_string_equal(e.msg, "invalid slave name '\\x1b[31mred'");
	assert_int_equal(sw_name_check(SW_NAME_ARCH, NULL, &e), -1);
	assert_string_equal(e.msg, "missing arch");
	/* an overlong name is cut in the message */
	assert_int_equal(sw_name_check(SW_NAME_PKGBASE, huge, &e), -1);
	assert_true(strlen(e.msg) < 120);
	assert_non_null(strstr(e.msg, "...'"));
	assert_int_equal(sw_name_check(SW_NAME_PKGBASE, "ok", NULL), 0);
	assert_int_equal(sw_name_check(SW_NAME_PKGBASE, "", NULL), -1);
	free(huge);
}

static void
test_kind_str(void **state)
{
	(void)state;
	assert_string_equal(sw_name_kind_str(SW_NAME_PKGNAME), "pkgname");
	assert_string_equal(sw_name_kind_str(SW_NAME_ID), "package id");
	assert_string_equal(sw_name_kind_str(SW_NAME_PKGFILE), "package file name");
}

static void
expect_pkgfile(const char *file, const char *pkgname, const char *version,
	const char *arch, const char *ext, bool sig)
{
	struct sw_pkgfile_name pf;
	struct sw_err e;

	if (sw_name_parse_pkgfile(file, &pf, &e) < 0)
		fail_msg("'%s' refused: %s", file, e.msg);
	assert_string_equal(pf.pkgname, pkgname);
	assert_string_equal(pf.version, version);
	assert_string_equal(pf.arch, arch);
	assert_string_equal(pf.ext, ext);
	assert_int_equal(pf.sig, sig);
	assert_true(sw_name_valid(SW_NAME_PKGFILE, file));
}

static void
test_pkgfile_valid(void **state)
{
	static const char *const exts[] = {
		".pkg.tar.zst", ".pkg.tar.xz", ".pkg.tar.gz", ".pkg.tar.bz2", ".pkg.tar",
	};
	char file[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		snprintf(file, sizeof(file), "foo-1.0-1-x86_64%s", exts[i]);
		expect_pkgfile(file, "foo", "1.0-1", "x86_64", exts[i], false);
		snprintf(file, sizeof(file), "foo-1.0-1-x86_64%s.sig", exts[i]);
		expect_pkgfile(file, "foo", "1.0-1", "x86_64", exts[i], true);
	}
	/* parsed from the right: dashes in the pkgname, epoch, dotted pkgrel */
	expect_pkgfile("lib32-foo-bar-2:1.0rc1-3.1-any.pkg.tar.zst",
		"lib32-foo-bar", "2:1.0rc1-3.1", "any", ".pkg.tar.zst", false);
	expect_pkgfile("a-b-c-d-1-1-x86_64.pkg.tar.xz.sig", "a-b-c-d", "1-1",
		"x86_64", ".pkg.tar.xz", true);
}

static void
test_pkgfile_invalid(void **state)
{
	char *long_name = rep('a', 129, "-1-1-any.pkg.tar.zst");
	char *huge = rep('a', 300, "-1-1-any.pkg.tar.zst");
	const char *const bad[] = {
		"foo-1.0-x86_64.pkg.tar.zst",         /* too few dashes */
		"foo-x86_64.pkg.tar.zst",
		"foo.pkg.tar.zst",
		"-1.0-1-x86_64.pkg.tar.zst",          /* empty pkgname */
		"foo--1-x86_64.pkg.tar.zst",          /* empty pkgver */
		"foo-1.0--x86_64.pkg.tar.zst",        /* empty pkgrel */
		"foo-1.0-1-.pkg.tar.zst",             /* empty arch */
		".pkg.tar.zst",
		".sig",
		"foo-1.0-1-x86_64.pkg.tar.lz4",
		"foo-1.0-1-x86_64.tar.zst",
		"foo-1.0-1-x86_64.pkg.tar.zst.sig.sig",
		"foo-1.0-1-x86_64.pkg.tar.zst.part",
		"foo-1.0-1-x86_64.pkg.tar.zst ",
		"foo-1.0-1-x86_64.pkg.tar.zst\n",
		"foo-1.0-1-x86_64.sig",
		"../foo-1.0-1-x86_64.pkg.tar.zst",
		"dir/foo-1.0-1-x86_64.pkg.tar.zst",
		"/foo-1.0-1-x86_64.pkg.tar.zst",
		".foo-1.0-1-x86_64.pkg.tar.zst",
		"Foo-1.0-1-x86_64.pkg.tar.zst",
		"foo-1.0-1.2.3-x86_64.pkg.tar.zst",
		"foo-a:1.0-1-x86_64.pkg.tar.zst",
		"foo-1.0-1-x86-64.pkg.tar.zst",
		"foo;rm-1.0-1-x86_64.pkg.tar.zst",
		"foo-1.0-1-x86_64.pkg.tar.ZST",
		long_name,
		huge,
	};
	struct sw_pkgfile_name pf;
	struct sw_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&pf, 'X', sizeof(pf));
		if (sw_name_parse_pkgfile(bad[i], &pf, &e) == 0)
			fail_msg("'%s' accepted as a package file", bad[i]);
		assert_true(strncmp(e.msg, "invalid package file name '", 27) == 0);
		/* nothing half-parsed is left behind */
		assert_string_equal(pf.pkgname, "");
		assert_string_equal(pf.version, "");
		assert_false(sw_name_valid(SW_NAME_PKGFILE, bad[i]));
	}
	free(long_name);
	free(huge);
}

static void
expect_id(const char *s, const char *pkgbase, const char *src, const char *mod,
	const char *repo)
{
	struct sw_id id;
	struct sw_err e;
	char out[SW_ID_MAX + 1];

	if (sw_id_parse(s, &id, &e) < 0)
		fail_msg("'%s' refused: %s", s, e.msg);
	assert_string_equal(id.pkgbase, pkgbase);
	assert_string_equal(id.src, src);
	assert_string_equal(id.mod, mod);
	assert_string_equal(id.repo, repo);
	sw_id_format(&id, out, sizeof(out));
	assert_string_equal(out, s);
	assert_true(sw_name_valid(SW_NAME_ID, s));
}

static void
test_id_parse(void **state)
{
	(void)state;
	expect_id("foo." C40 "." C40 ".core", "foo", C40, C40, "core");
	/* from the right: a pkgbase may hold dots */
	expect_id("python3.11-foo.bar." C40 "." C64 ".extra-testing",
		"python3.11-foo.bar", C40, C64, "extra-testing");
	expect_id("a.b.c.d." C64 "." C64 ".x", "a.b.c.d", C64, C64, "x");
}

static void
test_id_invalid(void **state)
{
	char *over = rep('a', SW_ID_MAX, "." C40 "." C40 ".core");
	const char *const bad[] = {
		"",
		"foo",
		"foo." C40 "." C40,                   /* no repository */
		"foo." C40 "." C40 ".",
		"foo." C40 "." C40 ".core.x",
		"." C40 "." C40 ".core",              /* empty pkgbase */
		"foo.." C40 ".core",
		"foo." C40 ".." C40 ".core",
		"foo." F40 "." C40 ".core",           /* uppercase commit */
		"foo." C40 "8." C40 ".core",
		"../x." C40 "." C40 ".core",
		"x/y." C40 "." C40 ".core",
		"Foo." C40 "." C40 ".core",
		"foo." C40 "." C40 ".Core",
		"foo." C40 "." C40 ".core/x",
		"foo." C40 "." C40 ".core\n",
		"foo bar." C40 "." C40 ".core",
		over,
	};
	struct sw_id id;
	struct sw_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&id, 'X', sizeof(id));
		if (sw_id_parse(bad[i], &id, &e) == 0)
			fail_msg("'%s' accepted as an id", bad[i]);
		assert_true(strncmp(e.msg, "invalid package id '", 20) == 0);
		assert_string_equal(id.pkgbase, "");
		assert_string_equal(id.repo, "");
		assert_false(sw_name_valid(SW_NAME_ID, bad[i]));
	}
	free(over);
}

static void
test_id_from_fields(void **state)
{
	struct sw_id id;
	struct sw_err e;
	char out[SW_ID_MAX + 1];

	(void)state;
	assert_int_equal(sw_id_from_fields(&id, "foo.bar", C40, C64, "core", &e), 0);
	sw_id_format(&id, out, sizeof(out));
	assert_string_equal(out, "foo.bar." C40 "." C64 ".core");

	assert_int_equal(sw_id_from_fields(&id, "../foo", C40, C40, "core", &e), -1);
	assert_string_equal(e.msg, "invalid pkgbase '../foo'");
	assert_string_equal(id.pkgbase, "");
	assert_int_equal(sw_id_from_fields(&id, "foo", "HEAD", C40, "core", &e), -1);
	assert_string_equal(e.msg, "invalid commit id 'HEAD'");
	assert_int_equal(sw_id_from_fields(&id, "foo", C40, C40, "co.re", &e), -1);
	assert_string_equal(e.msg, "invalid repository name 'co.re'");
	assert_int_equal(sw_id_from_fields(&id, "foo", C40, NULL, "core", &e), -1);
	assert_string_equal(e.msg, "missing revision");
	/* a farm bump rides on the revision; the source commit takes none */
	assert_int_equal(sw_id_from_fields(&id, "foo", C40, C40 "+12", "core", &e),
		0);
	assert_int_equal(sw_id_bump(&id), 12);
	assert_int_equal(sw_id_from_fields(&id, "foo", C40 "+1", C40, "core", &e),
		-1);
	assert_string_equal(e.msg, "invalid commit id '" C40 "+1'");
}

static void
test_id_bump(void **state)
{
	struct sw_id id;
	struct sw_err e;
	char out[SW_ID_MAX + 1], mod[SW_COMMIT_MAX + 1];
	const char *const bad[] = { "+", "+0", "+01", "+10000", "+1a", "+-1",
		"++1", "+1+2" };
	size_t k;

	(void)state;
	expect_id("foo." C40 "." C40 "+3.core", "foo", C40, C40 "+3", "core");
	assert_int_equal(sw_id_parse("foo." C40 "." C64 "+9999.core", &id, &e), 0);
	assert_int_equal(sw_id_bump(&id), 9999);
	sw_id_mod_commit(&id, mod, sizeof(mod));
	assert_string_equal(mod, C64);
	assert_int_equal(sw_id_set_bump(&id, 10000, &e), -1);
	assert_string_equal(e.msg, "'foo' cannot be bumped past 9999");
	assert_int_equal(sw_id_bump(&id), 9999);
	assert_int_equal(sw_id_set_bump(&id, 2, &e), 0);
	sw_id_format(&id, out, sizeof(out));
	assert_string_equal(out, "foo." C40 "." C64 "+2.core");
	assert_int_equal(sw_id_set_bump(&id, 0, &e), 0);
	assert_int_equal(sw_id_bump(&id), 0);
	sw_id_format(&id, out, sizeof(out));
	assert_string_equal(out, "foo." C40 "." C64 ".core");
	for (k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
		char s[SW_ID_MAX + 16];

		snprintf(s, sizeof(s), "foo." C40 "." C40 "%s.core", bad[k]);
		if (sw_id_parse(s, &id, &e) == 0)
			fail_msg("accepted '%s'", s);
		snprintf(s, sizeof(s), C40 "%s", bad[k]);
		if (sw_name_check(SW_NAME_REVISION, s, &e) == 0)
			fail_msg("revision accepted '%s'", s);
	}
	assert_int_equal(sw_name_check(SW_NAME_REVISION, C40 "+1", &e), 0);
	assert_int_equal(sw_name_check(SW_NAME_COMMIT, C40 "+1", &e), -1);
}

static void
test_path(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_name_path(&b, "/srv/state", SW_NAME_PKGBASE, "foo",
		".lock", &e), 0);
	assert_string_equal(b.data, "/srv/state/foo.lock");
	assert_int_equal(sw_name_path(&b, "d", SW_NAME_REPO, "core", "", &e), 0);
	assert_string_equal(b.data, "d/core"); /* replaces, does not append */

	assert_int_equal(sw_name_path(&b, "d", SW_NAME_PKGBASE, "../etc", "", &e), -1);
	assert_string_equal(e.msg, "invalid pkgbase '../etc'");
	assert_int_equal(sw_name_path(&b, "d", SW_NAME_PKGBASE, "a/b", "", &e), -1);
	assert_int_equal(sw_name_path(&b, "d", SW_NAME_PKGBASE, "/etc", "", &e), -1);
	assert_int_equal(sw_name_path(&b, "d", SW_NAME_PKGBASE, "..", "", &e), -1);
	assert_int_equal(sw_name_path(&b, "d", SW_NAME_PKGBASE, NULL, "", &e), -1);
	assert_int_equal(sw_name_path(&b, "d", SW_NAME_PKGBASE, "foo", "/x", &e), -1);
	assert_string_equal(e.msg, "path suffix '/x' holds a '/'");
	assert_int_equal(sw_name_path(&b, "d", SW_NAME_PKGBASE, "foo", ".a/../b",
		&e), -1);
	assert_int_equal(sw_name_path(&b, "d", SW_NAME_ID,
		"foo." C40 "." C40 ".core", ".locked", &e), 0);
	assert_string_equal(b.data, "d/foo." C40 "." C40 ".core.locked");
	sw_buf_release(&b);
}

static void
test_quote(void **state)
{
	char out[64], small[8];
	size_t size;

	(void)state;
	sw_name_quote("plain", 5, out, sizeof(out));
	assert_string_equal(out, "plain");
	sw_name_quote("a\x01" "b\\c\x7f\xff\n", 8, out, sizeof(out));
	assert_string_equal(out, "a\\x01b\\x5cc\\x7f\\xff\\x0a");
	sw_name_quote("a\0b", 3, out, sizeof(out));
	assert_string_equal(out, "a\\x00b");
	sw_name_quote("", 0, out, sizeof(out));
	assert_string_equal(out, "");

	/* capped: never past size, always terminated, "..." when cut */
	sw_name_quote("abcdefghijkl", 12, small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
	assert_non_null(strstr(small, "..."));
	for (size = 1; size < sizeof(out); size++) {
		memset(out, '#', sizeof(out));
		sw_name_quote("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c",
			12, out, size);
		assert_true(strlen(out) < size);
		if (size < sizeof(out) - 1)
			assert_int_equal(out[size], '#');
	}
	out[0] = '#';
	sw_name_quote("abc", 3, out, 0); /* size 0 writes nothing */
	assert_int_equal(out[0], '#');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_every_kind),
		cmocka_unit_test(test_pkgname),
		cmocka_unit_test(test_pkgver_pkgrel_epoch),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_arch_repo_commit),
		cmocka_unit_test(test_slave_source_phase_fingerprint),
		cmocka_unit_test(test_nul_inside),
		cmocka_unit_test(test_check_messages),
		cmocka_unit_test(test_kind_str),
		cmocka_unit_test(test_pkgfile_valid),
		cmocka_unit_test(test_pkgfile_invalid),
		cmocka_unit_test(test_id_parse),
		cmocka_unit_test(test_id_invalid),
		cmocka_unit_test(test_id_from_fields),
		cmocka_unit_test(test_id_bump),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
