/* stages: the staging rule (held by pending dependencies, through staging). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "repo/stages.h"

/* staging: app -> liba -> zlib(pending); tool -> app; solo; self -> self's base */
static void
fill(struct sw_stage_repo *r, struct sw_stage_pkg *v, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->pkgs[SW_STAGE_STAGING] = v;
	r->n[SW_STAGE_STAGING] = n;
}

static void
pkg(struct sw_stage_pkg *p, const char *name, const char *base,
	const char *deps, const char *provides)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->base, sizeof(p->base), "%s", base);
	sw_strvec_init(&p->depends);
	sw_strvec_init(&p->provides);
	assert_int_equal(sw_strvec_split(&p->depends, deps), 0);
	assert_int_equal(sw_strvec_split(&p->provides, provides), 0);
}

static void
pending(struct sw_buildmeta *m, const char *base, const char *names)
{
	struct sw_buildmeta_entry en;
	struct sw_err e;

	memset(&en, 0, sizeof(en));
	snprintf(en.pkgbase, sizeof(en.pkgbase), "%s", base);
	snprintf(en.repo, sizeof(en.repo), "extra");
	snprintf(en.source, sizeof(en.source), "upstream");
	snprintf(en.path, sizeof(en.path), "extra/%s", base);
	snprintf(en.version, sizeof(en.version), "1-1");
	sw_strvec_init(&en.pkgnames);
	sw_strvec_init(&en.deps);
	assert_int_equal(sw_strvec_split(&en.pkgnames, names), 0);
	assert_int_equal(sw_buildmeta_add(m, &en, &e), 0);
}

static void
test_held(void **state)
{
	/* sorted by name, as a database is */
	struct sw_stage_pkg v[6];
	struct sw_stage_repo r;
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_strvec h = SW_STRVEC_INIT;
	struct sw_err e;
	size_t i;

	(void)state;
	pkg(&v[0], "app", "app", "libfoo.so glibc", "");
	pkg(&v[1], "liba", "liba", "zlib", "libfoo.so");
	pkg(&v[2], "self", "self", "selfdep", "");
	pkg(&v[3], "selfdep", "self", "", "");
	pkg(&v[4], "solo", "solo", "glibc", "");
	pkg(&v[5], "tool", "tool", "app", "");
	fill(&r, v, 6);
	pending(&m, "zlib", "zlib");
	pending(&m, "self", "self selfdep");

	/* through provides, two levels down */
	assert_int_equal(sw_stages_held(&r, "app", &m, &h, &e), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0], "zlib");
	sw_strvec_release(&h);
	sw_strvec_init(&h);
	assert_int_equal(sw_stages_held(&r, "tool", &m, &h, &e), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0], "zlib");
	sw_strvec_release(&h);
	sw_strvec_init(&h);
	/* nothing pending behind it */
	assert_int_equal(sw_stages_held(&r, "solo", &m, &h, &e), 0);
	assert_int_equal(h.n, 0);
	/* its own pkgbase being rebuilt does not hold it */
	assert_int_equal(sw_stages_held(&r, "self", &m, &h, &e), 0);
	assert_int_equal(h.n, 0);
	/* not in staging: not held */
	assert_int_equal(sw_stages_held(&r, "nosuch", &m, &h, &e), 0);
	assert_int_equal(h.n, 0);
	sw_strvec_release(&h);
	sw_buildmeta_release(&m);
	for (i = 0; i < 6; i++) {
		sw_strvec_release(&v[i].depends);
		sw_strvec_release(&v[i].provides);
	}
}

static void
test_dep_name(void **state)
{
	char out[SW_PKGNAME_MAX + 1];

	(void)state;
	sw_stages_dep_name("bash>=5.0", out, sizeof(out));
	assert_string_equal(out, "bash");
	sw_stages_dep_name("libfoo.so=1-64", out, sizeof(out));
	assert_string_equal(out, "libfoo.so");
	sw_stages_dep_name("glibc", out, sizeof(out));
	assert_string_equal(out, "glibc");
	sw_stages_dep_name("a<2", out, 2);
	assert_string_equal(out, "a");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_dep_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
