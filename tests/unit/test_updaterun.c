/*
 * updaterun: the stages at their seams (updaterun_stages.h), on a run set
 * up by hand: commit (merge, order, write; start again for an entry it
 * has not learnt), batch (a cached tree is read from the cache, without
 * git or a sandbox), plan (old against new in a real git mirror: each kind
 * of action) and learn (what the PKGBUILDs of list entries say).
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
#include "testgit.h"

#define C1 "1111111111111111111111111111111111111111"
#define T1 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define Z  "0000000000000000000000000000000000000000"

struct fx {
	char *dir;
	struct sw_master_conf conf;
	bool conf_loaded;
	struct source src;
	char c1[SW_COMMIT_MAX + 1], c2[SW_COMMIT_MAX + 1];
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
	sw_gitsrc_close(x->src.g);
	if (x->conf_loaded)
		sw_master_conf_release(&x->conf);
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

/* A .SRCINFO of pkgbase name at version ver, for arch. */
static void
put_pkg(const char *up, const char *dir, const char *name, const char *ver,
	const char *arch)
{
	char rel[256], si[512];

	snprintf(rel, sizeof(rel), "%s/PKGBUILD", dir);
	tu_put(up, rel, "# read from .SRCINFO\n");
	snprintf(rel, sizeof(rel), "%s/.SRCINFO", dir);
	snprintf(si, sizeof(si), "pkgbase = %s\n\tpkgver = %s\n\tpkgrel = 1\n"
		"\tarch = %s\n\npkgname = %s\n", name, ver, arch, name);
	tu_put(up, rel, si);
}

/*
 * A source "up" (layout pkgbase, into extra) with two commits, fetched into
 * a real mirror; the run sees c1 as old and c2 as new:
 *   foo 1 -> 2, bar's directory names another pkgbase at c2, gone is
 *   removed, same stays, new appears, i686only appears for i686 only.
 */
static int
setup_source(void **state)
{
	const char *cf = "[master]\nstate_dir = state\nrepo_dir = repos\n"
		"arch = x86_64\n[source up]\nurl = up\nlayout = pkgbase\n"
		"repository = extra\n[repository extra]\n"
		"staging = extra-staging\ntesting = extra-testing\n";
	const char *affected[] = { "bar", "foo", "gone", "i686only", "new",
		"same" };
	char *up, *conf, *mirror;
	struct fx *x;
	struct sw_err e;
	size_t i;

	setup(state);
	x = *state;
	up = tu_path(x->dir, "up");
	conf = tu_path(x->dir, "master.conf");
	mirror = tu_path(x->dir, "m.git");
	tu_git_init(up);
	put_pkg(up, "foo", "foo", "1", "x86_64");
	put_pkg(up, "bar", "bar", "1", "x86_64");
	put_pkg(up, "gone", "gone", "1", "x86_64");
	put_pkg(up, "same", "same", "1", "x86_64");
	tu_commit(up, "one");
	assert_int_equal(sw_gitsrc_open(&x->src.g, mirror, true, &e), 0);
	assert_int_equal(sw_gitsrc_fetch(x->src.g, up, "main", x->c1, &e), 0);
	put_pkg(up, "foo", "foo", "2", "x86_64");
	put_pkg(up, "bar", "other", "1", "x86_64");
	tu_git(up, (const char *[]){ "rm", "-q", "-r", "gone", NULL });
	put_pkg(up, "new", "new", "1", "x86_64");
	put_pkg(up, "i686only", "i686only", "1", "i686");
	tu_commit(up, "two");
	assert_int_equal(sw_gitsrc_fetch(x->src.g, up, "main", x->c2, &e), 0);

	tu_write_str(conf, cf);
	memset(&x->conf, 0, sizeof(x->conf));
	if (sw_master_conf_load(conf, &x->conf, &e) < 0)
		fail_msg("%s", e.msg);
	x->conf_loaded = true;
	x->src.conf = &x->conf.sources[0];
	for (i = 0; i < 2; i++) {       /* as sw_ur_load_old sets them */
		x->src.layout[i] = x->src.conf->layout;
		snprintf(x->src.repository[i], sizeof(x->src.repository[i]), "%s",
			x->src.conf->repository);
	}
	memcpy(x->src.rev[OLD], x->c1, sizeof(x->c1));
	memcpy(x->src.rev[NEW], x->c2, sizeof(x->c2));
	x->r.src = &x->src;
	x->r.nsrc = 1;
	x->r.routes[OLD] = x->r.routes[NEW] = &x->conf;
	for (i = 0; i < sizeof(affected) / sizeof(*affected); i++)
		assert_int_equal(sw_strvec_push(&x->r.affected, affected[i]), 0);
	free(up);
	free(conf);
	free(mirror);
	return 0;
}

static int
teardown_source(void **state)
{
	struct fx *x = *state;

	sw_strvec_release(&x->src.tops[OLD]);
	sw_strvec_release(&x->src.tops[NEW]);
	return teardown(state);
}

static const struct sw_upd_action *
action_for(struct fx *x, const char *pkgbase)
{
	size_t i;

	for (i = 0; i < x->r.nacts; i++)
		if (strcmp(x->r.acts[i].meta.pkgbase, pkgbase) == 0)
			return &x->r.acts[i];
	return NULL;
}

/* plan: one action for each change, none for what stayed the same */
static void
test_plan_compares_old_and_new(void **state)
{
	struct fx *x = *state;
	const struct sw_upd_action *a;
	struct sw_pkginfo *in;
	struct sw_id id;
	struct sw_err e;

	if (sw_ur_plan(&x->r, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(x->r.nacts, 4);

	a = action_for(x, "foo");
	assert_non_null(a);
	assert_int_equal(a->kind, SW_UPD_QUEUE);
	assert_string_equal(a->meta.version, "2-1");
	assert_string_equal(a->meta.repo, "extra");
	assert_string_equal(a->meta.source, "up");
	assert_string_equal(a->meta.path, "foo");
	assert_string_equal(a->src, x->c2);

	a = action_for(x, "new");
	assert_non_null(a);
	assert_int_equal(a->kind, SW_UPD_QUEUE);

	a = action_for(x, "gone");
	assert_non_null(a);
	assert_int_equal(a->kind, SW_UPD_REMOVE);

	a = action_for(x, "bar");
	assert_non_null(a);
	assert_int_equal(a->kind, SW_UPD_FAIL);
	tu_assert_contains(a->message, "holds pkgbase 'other'");
	assert_true(x->rep.partial);

	assert_null(action_for(x, "same"));
	/* new for i686 only: nothing to drop, but the report says so */
	assert_null(action_for(x, "i686only"));
	assert_int_equal(x->rep.messages.n, 2);
	tu_assert_contains(x->rep.messages.v[0], "cannot read 'bar' (up:bar)");
	tu_assert_contains(x->rep.messages.v[1],
		"'i686only' (up:i686only) builds nothing for x86_64");

	/* commit finds what plan read for each queued id */
	assert_int_equal(sw_id_from_fields(&id, "foo", x->c2, Z, "extra", &e), 0);
	in = sw_ur_queued_info(&x->r, &id);
	assert_non_null(in);
	assert_string_equal(in->version, "2-1");
	assert_int_equal(sw_id_from_fields(&id, "foo", x->c1, Z, "extra", &e), 0);
	assert_null(sw_ur_queued_info(&x->r, &id));
}

/* plan: a forced pkgbase is read again although nothing changed */
static void
test_plan_reads_a_forced_pkgbase_again(void **state)
{
	struct fx *x = *state;
	const struct sw_upd_action *a;
	struct sw_err e;

	assert_int_equal(sw_strvec_push(&x->r.forced, "same"), 0);
	if (sw_ur_plan(&x->r, &e) < 0)
		fail_msg("%s", e.msg);
	a = action_for(x, "same");
	assert_non_null(a);
	assert_int_equal(a->kind, SW_UPD_QUEUE);
	assert_string_equal(a->meta.version, "1-1");
}

/*
 * learn: list entries that the run does not queue are read at their own
 * commit; an entry of an unknown source is tried, not learnt.
 */
static void
test_learn_reads_the_list_entries(void **state)
{
	struct fx *x = *state;
	struct sw_buf list = SW_BUF_INIT, path = SW_BUF_INIT;
	struct sw_id foo, other;
	struct sw_pkginfo *in;
	char s[SW_ID_MAX + 1];
	struct sw_err e;

	assert_int_equal(sw_id_from_fields(&foo, "foo", x->c1, Z, "extra", &e), 0);
	assert_int_equal(sw_id_from_fields(&other, "other", x->c1, Z, "extra",
		&e), 0);
	assert_int_equal(sw_buf_addf(&list, "foo %s %s extra\nother %s %s extra\n",
		x->c1, Z, x->c1, Z), 0);
	assert_int_equal(sw_statedir_path(&x->r.sd, SW_PATH_BUILD_LIST, &path,
		&e), 0);
	tu_write(path.data, list.data, list.len);
	assert_int_equal(sw_statedir_path(&x->r.sd, SW_PATH_BUILD_META, &path,
		&e), 0);
	tu_write_str(path.data, "foo extra up foo - 1-1 foo -\n"
		"other extra nowhere other - 1-1 other -\n");
	if (sw_ur_learn_list(&x->r, &e) < 0)
		fail_msg("%s", e.msg);
	in = sw_ur_known_get(&x->r, &foo);
	assert_non_null(in);
	assert_string_equal(in->version, "1-1");
	assert_null(sw_ur_known_get(&x->r, &other));
	sw_id_format(&other, s, sizeof(s));
	assert_true(sw_ur_tried(&x->r, s));
	sw_id_format(&foo, s, sizeof(s));
	assert_true(sw_ur_tried(&x->r, s));
	sw_buf_release(&list);
	sw_buf_release(&path);
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
		cmocka_unit_test_setup_teardown(test_plan_compares_old_and_new,
			setup_source, teardown_source),
		cmocka_unit_test_setup_teardown(
			test_plan_reads_a_forced_pkgbase_again, setup_source,
			teardown_source),
		cmocka_unit_test_setup_teardown(test_learn_reads_the_list_entries,
			setup_source, teardown_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
