/*
 * updaterun: the stages at their seams (updaterun_stages.h), on a run set
 * up by hand: commit (merge, order, write; start again for an entry it
 * has not learnt), batch (a cached tree is read from the cache, without
 * git or a sandbox) and the queued index that plan builds for commit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/fileio.h"
#include "source/updaterun_stages.h"
#include "testutil.h"

#define C1 "1111111111111111111111111111111111111111"
#define T1 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define Z  "0000000000000000000000000000000000000000"

struct fx {
	char *dir;
	struct sw_master_conf conf;
	struct sw_updaterun_opts opts;
	struct sw_updaterun_report rep;
	struct run r;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct sw_err e;

	assert_non_null(x);
	x->dir = tu_tmpdir();
	x->conf.arch = (char *)"x86_64";
	sw_updaterun_report_init(&x->rep);
	x->r.c = &x->conf;
	x->r.o = &x->opts;
	x->r.rep = &x->rep;
	x->r.run_lock = -1;
	sw_strvec_init(&x->r.affected);
	sw_strvec_init(&x->r.forced);
	sw_strvec_init(&x->r.recheck);
	sw_strvec_init(&x->r.queued);
	sw_strvec_init(&x->r.tried);
	assert_int_equal(sw_statedir_open(&x->r.sd, x->dir, &e), 0);
	x->r.sd_open = true;
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;
	size_t i;

	sw_ur_actions_release(&x->r);
	free(x->r.acts);
	free(x->r.act_info);
	sw_strvec_release(&x->r.affected);
	sw_strvec_release(&x->r.forced);
	sw_strvec_release(&x->r.recheck);
	sw_strvec_release(&x->r.queued);
	sw_strvec_release(&x->r.tried);
	for (i = 0; i < x->r.nknown; i++)
		sw_pkginfo_release(&x->r.known[i].info);
	free(x->r.known);
	sw_introspect_cache_close(x->r.cache);
	sw_statedir_release(&x->r.sd);
	sw_updaterun_report_release(&x->rep);
	tu_rmrf(x->dir);
	free(x->dir);
	free(x);
	return 0;
}

/* Queues pkgbase (building pkgbase, depending on dep) as plan would. */
static void
queue(struct fx *x, const char *pkgbase, const char *dep)
{
	struct run *r = &x->r;
	struct sw_upd_action *a;
	struct sw_pkginfo *in;
	size_t n = r->nacts + 1;

	r->acts = realloc(r->acts, n * sizeof(*r->acts));
	r->act_info = realloc(r->act_info, n * sizeof(*r->act_info));
	assert_non_null(r->acts);
	assert_non_null(r->act_info);
	a = &r->acts[r->nacts];
	in = &r->act_info[r->nacts];
	r->nacts = r->aacts = n;
	sw_upd_action_init(a, SW_UPD_QUEUE, pkgbase, "extra");
	snprintf(a->src, sizeof(a->src), C1);
	snprintf(a->mod, sizeof(a->mod), Z);
	snprintf(a->meta.source, sizeof(a->meta.source), "up");
	snprintf(a->meta.path, sizeof(a->meta.path), "extra/%s", pkgbase);
	snprintf(a->meta.version, sizeof(a->meta.version), "1-1");
	assert_int_equal(sw_strvec_push(&a->meta.pkgnames, pkgbase), 0);
	sw_pkginfo_init(in);
	snprintf(in->version, sizeof(in->version), "1-1");
	assert_int_equal(sw_strvec_push(&in->pkgnames, pkgbase), 0);
	if (dep != NULL)
		assert_int_equal(sw_strvec_push(&in->deps, dep), 0);
}

static char *
state_file(struct fx *x, enum sw_statepath p)
{
	struct sw_buf path = SW_BUF_INIT, data = SW_BUF_INIT;
	struct sw_err e;

	assert_int_equal(sw_statedir_path(&x->r.sd, p, &path, &e), 0);
	assert_true(sw_file_read(path.data, 1 << 20, &data, &e) >= 0);
	sw_buf_release(&path);
	return sw_buf_detach(&data, NULL);
}

/* commit writes the queued entries in build order, with build-meta */
static void
test_commit_writes_in_build_order(void **state)
{
	struct fx *x = *state;
	struct sw_err e;
	char *list, *meta;

	queue(x, "app", "lib");
	queue(x, "lib", NULL);
	assert_int_equal(sw_ur_index_queued(&x->r, &e), 0);
	assert_non_null(sw_ur_queued_info(&x->r, &(struct sw_id){ "lib", C1, Z,
		"extra" }));
	assert_int_equal(sw_statedir_lock(&x->r.sd, SW_LOCK_BUILD_LIST, 0, &e),
		SW_LOCK_OK);
	assert_int_equal(sw_ur_commit(&x->r, &e), 0);
	sw_statedir_unlock(&x->r.sd, SW_LOCK_BUILD_LIST);
	list = state_file(x, SW_PATH_BUILD_LIST);
	assert_string_equal(list, "lib " C1 " " Z " extra\napp " C1 " " Z
		" extra\n");
	meta = state_file(x, SW_PATH_BUILD_META);
	assert_true(strstr(meta, "lib") < strstr(meta, "app"));
	assert_int_equal(x->rep.queued, 2);
	assert_int_equal(x->rep.listed, 2);
	free(list);
	free(meta);
}

/* an entry on the list that this run never tried to learn: start again */
static void
test_commit_starts_again_for_an_unlearnt_entry(void **state)
{
	struct fx *x = *state;
	struct sw_buf path = SW_BUF_INIT;
	struct sw_err e;
	const char *line = "other " C1 " " Z " extra\n";
	char *list;

	assert_int_equal(sw_statedir_path(&x->r.sd, SW_PATH_BUILD_LIST, &path,
		&e), 0);
	assert_int_equal(sw_file_replace(path.data, line, strlen(line), 0644, &e),
		0);
	queue(x, "lib", NULL);
	assert_int_equal(sw_ur_index_queued(&x->r, &e), 0);
	assert_int_equal(sw_statedir_lock(&x->r.sd, SW_LOCK_BUILD_LIST, 0, &e),
		SW_LOCK_OK);
	assert_int_equal(sw_ur_commit(&x->r, &e), 1);
	sw_statedir_unlock(&x->r.sd, SW_LOCK_BUILD_LIST);
	list = state_file(x, SW_PATH_BUILD_LIST);
	assert_string_equal(list, line);
	free(list);
	sw_buf_release(&path);
}

/* batch: a tree in the cache is read from it; nothing else is touched */
static void
test_batch_reads_a_cached_tree(void **state)
{
	struct fx *x = *state;
	const char *text = "pkgbase = cached\n\tpkgver = 2\n\tpkgrel = 1\n"
		"\tarch = x86_64\n\npkgname = cached\n";
	struct sw_srcinfo si;
	struct sw_buf out = SW_BUF_INIT;
	struct job *j = calloc(1, sizeof(*j));
	char key[SW_CACHE_KEY_MAX + 1];
	struct sw_err e;

	assert_non_null(j);
	sw_srcinfo_init(&si);
	assert_int_equal(sw_srcinfo_parse(&si, text, strlen(text), "test", &e), 0);
	assert_int_equal(sw_introspect_cache_open(&x->r.cache, x->dir, &e), 0);
	assert_int_equal(sw_introspect_cache_key(key, T1, NULL, "x86_64", &e), 0);
	assert_int_equal(sw_introspect_cache_put(x->r.cache, key, &si, &e), 0);
	snprintf(j->pkgbase, sizeof(j->pkgbase), "cached");
	snprintf(j->tree, sizeof(j->tree), T1);
	j->pp = NO_PP;
	assert_int_equal(sw_ur_read_jobs(&x->r, j, 1, &e), 0);
	assert_int_equal(j->state, 1);
	assert_int_equal(x->rep.cached, 1);
	assert_int_equal(sw_srcinfo_print(&j->si, &out, &e), 0);
	assert_non_null(strstr(out.data, "pkgver = 2"));
	sw_srcinfo_release(&si);
	sw_buf_release(&out);
	sw_ur_jobs_release(j, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_writes_in_build_order,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_commit_starts_again_for_an_unlearnt_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_reads_a_cached_tree,
			setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
