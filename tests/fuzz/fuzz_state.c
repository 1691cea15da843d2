/*
 * The master's state files: build-list, deletion-list, build-meta,
 * published, sonames, rebuilds, rebuild-triggers, schedules and the
 * package-states files (buildlist.h, buildmeta.h, bump.h, sonames.h,
 * rebuilds.h, triggers.h, schedule.h, pkgstate.h). The first byte picks the
 * file; the rest is its contents. A build list, published list, soname
 * index, rebuilds, triggers or schedules file that reads must write back
 * and read again to the same entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/strvec.h"
#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/bump.h"
#include "queue/pkgstate.h"
#include "queue/rebuilds.h"
#include "queue/schedule.h"
#include "queue/sonames.h"
#include "queue/together.h"
#include "queue/triggers.h"
#include "fuzz.h"

#define ID "foo.0123456789abcdef0123456789abcdef01234567." \
	"0000000000000000000000000000000000000000.core"

static void
pkgstate(enum sw_state s, const uint8_t *data, size_t size)
{
	struct sw_err e = {{0}};
	struct sw_id id;
	struct sw_buf name, dir;
	struct sw_locked l;
	struct sw_blocked b;
	struct sw_attempt *v = NULL;
	struct sw_strvec files;
	size_t n = 0;

	sw_buf_init(&name, 0);
	sw_buf_init(&dir, 0);
	sw_strvec_init(&files);
	if (sw_id_parse(ID, &id, &e) < 0 ||
	    sw_buf_addf(&name, "package-states/%s.%s", ID, sw_state_name(s)) < 0)
		abort();
	if (sw_buf_addf(&dir, "%s/package-states", fuzz_dir()) < 0 ||
	    (mkdir(dir.data, 0700) < 0 && errno != EEXIST))
		abort();
	fuzz_file(name.data, data, size);
	switch (s) {
	case SW_STATE_LOCKED:
		(void)sw_pkgstate_read_locked(fuzz_dir(), &id, &l, &e);
		break;
	case SW_STATE_BROKEN:
		(void)sw_pkgstate_read_broken(fuzz_dir(), &id, &v, &n, &e);
		break;
	case SW_STATE_BLOCKED:
		(void)sw_pkgstate_read_blocked(fuzz_dir(), &id, &b, &e);
		break;
	default:
		(void)sw_pkgstate_read_files(fuzz_dir(), &id, s, &files, &e);
		break;
	}
	free(v);
	sw_strvec_release(&files);
	sw_buf_release(&name);
	sw_buf_release(&dir);
}

/* published: what reads writes back and reads again the same. */
static void
published(const uint8_t *data, size_t size)
{
	struct sw_err e = {{0}};
	struct sw_publist a = {0}, b = {0};
	struct sw_buf t1, t2;
	const char *path = fuzz_file("published", data, size);
	size_t i;

	sw_buf_init(&t1, 0);
	sw_buf_init(&t2, 0);
	if (sw_publist_read(path, &a, &e) == 0) {
		if (sw_publist_write(path, &a, NULL, &e) < 0 ||
		    sw_publist_read(path, &b, &e) < 0 || a.n != b.n)
			abort();
		for (i = 0; i < a.n; i++) {
			sw_buf_reset(&t1);
			sw_buf_reset(&t2);
			if (memcmp(&a.v[i].id, &b.v[i].id, sizeof(a.v[i].id)) != 0 ||
			    sw_buildmeta_format(&t1, &a.v[i].meta) < 0 ||
			    sw_buildmeta_format(&t2, &b.v[i].meta) < 0 ||
			    strcmp(t1.data, t2.data) != 0)
				abort();
		}
	}
	sw_publist_release(&a);
	sw_publist_release(&b);
	sw_buf_release(&t1);
	sw_buf_release(&t2);
}

/* rebuilds: written with every id on the list, reads back the same. */
static void
rebuilds(const uint8_t *data, size_t size)
{
	struct sw_err e = {{0}};
	struct sw_rebuilds a = {0}, b = {0};
	struct sw_build_list l = {0};
	const char *path = fuzz_file("rebuilds", data, size);
	size_t i;

	if (sw_rebuilds_read(path, &a, &e) == 0) {
		for (i = 0; i < a.n; i++)
			if (sw_buildlist_append(&l, &a.v[i].id, &e) < 0)
				abort();
		if (sw_rebuilds_write(path, &a, &l, NULL, &e) < 0 ||
		    sw_rebuilds_read(path, &b, &e) < 0 || a.n != b.n)
			abort();
		for (i = 0; i < a.n; i++)
			if (memcmp(&a.v[i].id, &b.v[i].id, sizeof(a.v[i].id)) != 0 ||
			    strcmp(a.v[i].reason, b.v[i].reason) != 0)
				abort();
	}
	sw_rebuilds_release(&a);
	sw_rebuilds_release(&b);
	sw_buildlist_release(&l);
}

/* rebuild-triggers: what reads writes back and reads again the same. */
static void
triggers(const uint8_t *data, size_t size)
{
	struct sw_err e = {{0}};
	struct sw_triggers a = {0}, b = {0};
	const char *path = fuzz_file("rebuild-triggers", data, size);
	size_t i, j;

	if (sw_triggers_read(path, &a, &e) == 0) {
		if (sw_triggers_write(path, &a, NULL, &e) < 0 ||
		    sw_triggers_read(path, &b, &e) < 0 || a.n != b.n)
			abort();
		for (i = 0; i < a.n; i++) {
			if (strcmp(a.v[i].pkgbase, b.v[i].pkgbase) != 0 ||
			    a.v[i].names.n != b.v[i].names.n)
				abort();
			for (j = 0; j < a.v[i].names.n; j++)
				if (strcmp(a.v[i].names.v[j], b.v[i].names.v[j]) != 0)
					abort();
		}
	}
	sw_triggers_release(&a);
	sw_triggers_release(&b);
}

/* schedules: what reads writes back and reads again the same. */
static void
schedules(const uint8_t *data, size_t size)
{
	struct sw_err e = {{0}};
	struct sw_schedules a = {0}, b = {0};
	const char *path = fuzz_file("schedules", data, size);
	size_t i;
	long k;

	if (sw_schedules_read(path, &a, &e) == 0) {
		if (sw_schedules_write(path, &a, NULL, &e) < 0 ||
		    sw_schedules_read(path, &b, &e) < 0 || a.n != b.n)
			abort();
		for (i = 0; i < a.n; i++) {
			k = sw_schedules_find(&b, a.v[i].repo, a.v[i].pkgbase);
			if (k < 0 || b.v[k].period != a.v[i].period ||
			    b.v[k].last != a.v[i].last)
				abort();
		}
	}
	sw_schedules_release(&a);
	sw_schedules_release(&b);
}

/* move-together: what reads writes back and reads again the same. */
static void
together(const uint8_t *data, size_t size)
{
	struct sw_err e = {{0}};
	struct sw_together a = {0}, b = {0};
	const char *path = fuzz_file("move-together", data, size);

	size_t i;

	if (sw_together_read(path, &a, &e) == 0) {
		if (sw_together_write(path, &a, NULL, &e) < 0 ||
		    sw_together_read(path, &b, &e) < 0 || a.n != b.n)
			abort();
		for (i = 0; i < a.n; i++)
			if (strcmp(a.v[i].repo, b.v[i].repo) != 0 ||
			    strcmp(a.v[i].lib, b.v[i].lib) != 0 ||
			    strcmp(a.v[i].pkgbase, b.v[i].pkgbase) != 0 ||
			    strcmp(a.v[i].version, b.v[i].version) != 0)
				abort();
	}
	sw_together_release(&a);
	sw_together_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_err e = {{0}};
	struct sw_build_list l = {0}, l2 = {0};
	struct sw_deletion_list d = {0};
	struct sw_buildmeta m = {0};
	struct sw_sonames so = {0}, so2 = {0};
	const char *path;

	if (size == 0)
		return 0;
	switch (data[0] % 10) {
	case 0:
		path = fuzz_file("build-list", data + 1, size - 1);
		if (sw_buildlist_read(path, &l, &e) == 0) {
			if (sw_buildlist_write(path, &l, NULL, &e) < 0 ||
			    sw_buildlist_read(path, &l2, &e) < 0 || l.n != l2.n ||
			    (l.n > 0 && memcmp(l.v, l2.v, l.n * sizeof(*l.v)) != 0))
				abort();
		}
		break;
	case 1:
		path = fuzz_file("deletion-list", data + 1, size - 1);
		(void)sw_deletionlist_read(path, &d, &e);
		break;
	case 2:
		path = fuzz_file("build-meta", data + 1, size - 1);
		(void)sw_buildmeta_read(path, &m, &e);
		break;
	case 4:
		published(data + 1, size - 1);
		break;
	case 5:
		path = fuzz_file("sonames", data + 1, size - 1);
		if (sw_sonames_read(path, &so, &e) == 0 &&
		    (sw_sonames_write(path, &so, NULL, &e) < 0 ||
		    sw_sonames_read(path, &so2, &e) < 0 || so.n != so2.n))
			abort();
		break;
	case 6:
		rebuilds(data + 1, size - 1);
		break;
	case 7:
		triggers(data + 1, size - 1);
		break;
	case 8:
		schedules(data + 1, size - 1);
		break;
	case 9:
		together(data + 1, size - 1);
		break;
	default:
		pkgstate((enum sw_state)(size > 1 ? data[1] % SW_STATE_COUNT : 0),
		    data + 2 - (size < 2), size - 2 + (size < 2));
		break;
	}
	sw_buildlist_release(&l);
	sw_buildlist_release(&l2);
	sw_deletionlist_release(&d);
	sw_buildmeta_release(&m);
	sw_sonames_release(&so);
	sw_sonames_release(&so2);
	return 0;
}
