/* sonames: the index round trip, replacing a pkgbase's lines, bad lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/sonames.h"
#include "testutil.h"

static void
ent(struct sw_soname_ent *x, const char *repo, const char *pkgbase,
	const char *pkgname, const char *provides, const char *needs)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->repo, sizeof(x->repo), "%s", repo);
	snprintf(x->pkgbase, sizeof(x->pkgbase), "%s", pkgbase);
	snprintf(x->pkgname, sizeof(x->pkgname), "%s", pkgname);
	sw_strvec_init(&x->provides);
	sw_strvec_init(&x->needs);
	assert_int_equal(sw_strvec_split(&x->provides, provides), 0);
	assert_int_equal(sw_strvec_split(&x->needs, needs), 0);
}

static void
test_round_trip(void **state)
{
	char *p = tu_path(*state, "sonames"), *text;
	struct sw_sonames s = { NULL, 0, 0 }, r;
	struct sw_soname_ent e2[2];
	struct sw_err e;

	assert_int_equal(sw_sonames_read(p, &r, &e), 0);
	assert_int_equal(r.n, 0);
	ent(&e2[0], "core", "hc", "libhc", "libhc.so.1", "libc.so.6");
	ent(&e2[1], "core", "hc", "hc-tools", "", "libc.so.6 libhc.so.1");
	assert_int_equal(sw_sonames_replace(&s, "core", "hc", e2, 2, &e), 0);
	ent(&e2[0], "core", "prog", "prog", "", "libhc.so.1");
	assert_int_equal(sw_sonames_replace(&s, "core", "prog", e2, 1, &e), 0);
	assert_int_equal(sw_sonames_write(p, &s, NULL, &e), 0);
	text = tu_read(p);
	assert_string_equal(text,
		"core hc libhc libhc.so.1 libc.so.6\n"
		"core hc hc-tools - libc.so.6,libhc.so.1\n"
		"core prog prog - libhc.so.1\n");
	free(text);
	/* a new build of hc: its lines go, the new ones come; hc-tools moved
	 * to pkgbase prog takes its old line with it */
	ent(&e2[0], "core", "hc", "libhc", "libhc.so.2", "libc.so.6");
	assert_int_equal(sw_sonames_replace(&s, "core", "hc", e2, 1, &e), 0);
	ent(&e2[0], "core", "prog", "prog", "", "libhc.so.2");
	ent(&e2[1], "core", "prog", "hc-tools", "", "libhc.so.2");
	assert_int_equal(sw_sonames_replace(&s, "core", "prog", e2, 2, &e), 0);
	assert_int_equal(sw_sonames_write(p, &s, NULL, &e), 0);
	assert_int_equal(sw_sonames_read(p, &r, &e), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0].provides.v[0], "libhc.so.2");
	assert_string_equal(r.v[2].pkgname, "hc-tools");
	/* another pkgbase's entry refuses the replace and changes nothing */
	ent(&e2[0], "core", "other", "x", "", "");
	assert_int_equal(sw_sonames_replace(&r, "core", "prog", e2, 1, &e), -1);
	assert_int_equal(r.n, 3);
	sw_sonames_release(&r);
	sw_sonames_release(&s);
	free(p);
}

static void
refuse(const char *dir, const char *content, const char *msg)
{
	char *p = tu_path(dir, "sonames"), want[SW_ERR_MAX];
	struct sw_sonames s;
	struct sw_err e;

	tu_write_str(p, content);
	if (sw_sonames_read(p, &s, &e) == 0)
		fail_msg("accepted: '%s'", content);
	snprintf(want, sizeof(want), "%s:%s", p, msg);
	assert_string_equal(e.msg, want);
	assert_int_equal(s.n, 0);
	free(p);
}

static void
test_malformed(void **state)
{
	refuse(*state, "core hc libhc libhc.so.1\n", "1: expected 5 fields, found 4");
	refuse(*state, "core hc libhc ../x.so -\n", "1: invalid soname '../x.so'");
	refuse(*state, "core hc libhc libz.so,liba.so -\n",
		"1: 'liba.so' is out of order");
	refuse(*state, "core hc libhc a.so,a.so -\n", "1: 'a.so' is out of order");
	refuse(*state, "core hc libhc - -\ncore hd libhc - -\n",
		"2: 'libhc' in 'core' is listed twice");
}

/* idx: "repo pkgbase pkgname provides needs" lines, lists space-separated. */
static void
index_of(struct sw_sonames *s, const char *const *lines, size_t n)
{
	struct sw_soname_ent x;
	struct sw_err e;
	size_t k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < n; k++) {
		char r[64], b[64], pn[64], pv[256], nd[256];

		assert_int_equal(sscanf(lines[k], "%63[^|]|%63[^|]|%63[^|]|%255[^|]|%255[^|]",
			r, b, pn, pv, nd), 5);
		ent(&x, r, b, pn, strcmp(pv, "-") ? pv : "", strcmp(nd, "-") ? nd : "");
		assert_int_equal(sw_sonames_replace(s, r, b, &x, 1, &e), 0);
	}
}

/* What a new build of core/hc providing `provides` breaks in idx. */
static void
breaks_of(const char *const *idx, size_t n, const char *provides,
	struct sw_soname_breaks *br)
{
	struct sw_sonames s;
	struct sw_soname_ent nw;
	struct sw_err e;

	index_of(&s, idx, n);
	ent(&nw, "core", "hc", "libhc", provides, "libc.so.6");
	assert_int_equal(sw_sonames_breaks(&s, "core", "hc", &nw, 1, br, &e), 0);
	sw_strvec_release(&nw.provides);
	sw_strvec_release(&nw.needs);
	sw_sonames_release(&s);
}

static void
test_breaks(void **state)
{
	static const char *const idx[] = {
		"core|hc|libhc|libhc.so.1 libhc-extra.so.1|libc.so.6",
		"core|prog-a|prog-a|-|libc.so.6 libhc.so.1 libmid.so.0",
		"core|prog-b|prog-b|-|libhc-extra.so.1 libhc.so.1",
		"core|mid|mid|libmid.so.0|libhc.so.1",
		"core|plain|plain|-|libc.so.6",
		"core|static|static|-|-",
		"extra|other-line|other-line|-|libhc.so.1",
	};
	struct sw_soname_breaks br;

	(void)state;
	/* libhc.so.1 -> libhc.so.2, libhc-extra.so.1 stays */
	breaks_of(idx, 7, "libhc-extra.so.1 libhc.so.2", &br);
	/* exactly the three that link against it, mid (which prog-a needs)
	 * before prog-a; not plain, not static, not another line's */
	assert_int_equal(br.n, 3);
	assert_string_equal(br.v[0].pkgbase, "mid");
	assert_string_equal(br.v[1].pkgbase, "prog-a");
	assert_string_equal(br.v[2].pkgbase, "prog-b");
	assert_string_equal(br.v[1].old, "libhc.so.1");
	assert_string_equal(br.v[1].new, "libhc.so.2");
	assert_int_equal(br.v[0].ndeps, 0);
	assert_int_equal(br.v[1].ndeps, 1);
	assert_int_equal(br.v[1].deps[0], 0);
	assert_int_equal(br.v[2].ndeps, 0);
	sw_soname_breaks_release(&br);
	/* the same sonames again (a rebuild of hc): nothing breaks */
	breaks_of(idx, 7, "libhc-extra.so.1 libhc.so.1", &br);
	assert_int_equal(br.n, 0);
	/* both dropped: prog-b comes back once, with the first in byte order,
	 * and nothing replaced it */
	breaks_of(idx, 7, "", &br);
	assert_int_equal(br.n, 3);
	assert_string_equal(br.v[2].pkgbase, "prog-b");
	assert_string_equal(br.v[2].old, "libhc-extra.so.1");
	assert_string_equal(br.v[2].new, "");
	sw_soname_breaks_release(&br);
}

/* A soname another pkgbase of the line still provides breaks nothing. */
static void
test_breaks_other_provider(void **state)
{
	static const char *const idx[] = {
		"core|hc|libhc|libhc.so.1|-",
		"core|hc1|libhc1|libhc.so.1|-",
		"core|prog|prog|-|libhc.so.1",
	};
	struct sw_soname_breaks br;

	(void)state;
	breaks_of(idx, 3, "libhc.so.2", &br);
	assert_int_equal(br.n, 0);
}

/* Two that need each other's sonames: a cycle, by pkgbase, one dep. */
static void
test_breaks_cycle(void **state)
{
	static const char *const idx[] = {
		"core|hc|libhc|libhc.so.1|-",
		"core|zeta|zeta|libzeta.so.1|libhc.so.1 libalpha.so.1",
		"core|alpha|alpha|libalpha.so.1|libhc.so.1 libzeta.so.1",
	};
	struct sw_soname_breaks br;

	(void)state;
	breaks_of(idx, 3, "libhc.so.2", &br);
	assert_int_equal(br.n, 2);
	assert_string_equal(br.v[0].pkgbase, "alpha");
	assert_string_equal(br.v[1].pkgbase, "zeta");
	assert_int_equal(br.v[0].ndeps, 0);
	assert_int_equal(br.v[1].ndeps, 1);
	sw_soname_breaks_release(&br);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, tu_setup_tmpdir,
			tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_malformed, tu_setup_tmpdir,
			tu_teardown_tmpdir),
		cmocka_unit_test(test_breaks),
		cmocka_unit_test(test_breaks_other_provider),
		cmocka_unit_test(test_breaks_cycle),
	};

	return cmocka_run_group_tests_name("sonames", tests, NULL, NULL);
}
