/* status: text, JSON and metrics of the master, and the memory between runs; see status.h. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fileio.h"
#include "core/lines.h"
#include "core/number.h"
#include "core/vercmp.h"
#include "ops/status.h"
#include "ops/status_int.h"
#include "ops/why.h"
#include "queue/statepath.h"

/* ---- memory between runs ---- */

struct rec {
	char kind[16];
	char key[SW_ID_MAX + 1];
	int64_t value;
};

struct sw_status_memory {
	struct rec *v;
	size_t n, alloc;
};

static const int64_t buckets[] = { 60, 300, 900, 1800, 3600, 7200, 14400,
	43200 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static int
cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c ? c : strcmp(x->key, y->key);
}

static const struct rec *
mem_find(const struct sw_status_memory *m, const char *kind, const char *key)
{
	struct rec k;

	if (m == NULL || m->n == 0)
		return NULL;
	snprintf(k.kind, sizeof(k.kind), "%s", kind);
	snprintf(k.key, sizeof(k.key), "%s", key);
	return bsearch(&k, m->v, m->n, sizeof(*m->v), cmp_rec);
}

static int64_t
mem_get(const struct sw_status_memory *m, const char *kind, const char *key,
	int64_t dflt)
{
	const struct rec *r = mem_find(m, kind, key);

	return r ? r->value : dflt;
}

static int
mem_put(struct sw_status_memory *m, const char *kind, const char *key,
	int64_t value)
{
	struct rec *r;

	if (m->n == m->alloc) {
		size_t a = m->alloc ? m->alloc * 2 : 64;

		r = reallocarray(m->v, a, sizeof(*r));
		if (r == NULL)
			return -1;
		m->v = r;
		m->alloc = a;
	}
	r = &m->v[m->n++];
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->value = value;
	return 0;
}

void
sw_status_memory_free(struct sw_status_memory *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m);
}

static int
memory_path(const struct sw_farm *f, struct sw_buf *p, struct sw_err *e)
{
	return sw_statepath(p, f->c->state_dir, SW_PATH_STATUS_MEMORY, e);
}

int
sw_status_memory_load(const struct sw_farm *f, struct sw_status_memory **out,
	struct sw_err *e)
{
	struct sw_status_memory *m = NULL;
	struct sw_buf path = SW_BUF_INIT, data = SW_BUF_INIT;
	struct sw_lines l;
	char *fl[3];
	uint64_t v;
	int r, ret = -1;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		sw_err_sys(e, "cannot read the status memory");
		goto out;
	}
	if (memory_path(f, &path, e) < 0)
		goto out;
	r = sw_file_read(path.data, 64 * 1024 * 1024, &data, e);
	if (r < 0)
		goto out;
	sw_lines_init(&l, path.data, &data);
	while (r == 0 && (r = sw_lines_next(&l, fl, 3, false, 1024, e)) == 1) {
		r = 0;
		if (strlen(fl[0]) >= sizeof(m->v->kind) ||
		    strlen(fl[1]) > SW_ID_MAX ||
		    sw_parse_u64(fl[2], 0, INT64_MAX, &v, e) < 0) {
			sw_err_set(e, "%s:%d: malformed line", path.data, l.line);
			goto out;
		}
		if (mem_put(m, fl[0], fl[1], (int64_t)v) < 0) {
			sw_err_sys(e, "cannot read '%s'", path.data);
			goto out;
		}
	}
	if (r < 0)
		goto out;
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), cmp_rec);
	*out = m;
	m = NULL;
	ret = 0;
out:
	sw_status_memory_free(m);
	sw_buf_release(&path);
	sw_buf_release(&data);
	return ret;
}

/* ---- shared with status_html.c (status_int.h) ---- */

size_t
sw_status_count_broken(const struct sw_farm *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->list.n; i++)
		n += f->entries[i].nattempts > 0;
	return n;
}

size_t
sw_status_count_flag(const struct sw_farm *f, bool locked)
{
	size_t i, n = 0;

	for (i = 0; i < f->list.n; i++)
		n += locked ? f->entries[i].locked : f->entries[i].blocked;
	return n;
}

int64_t
sw_status_heartbeat(const struct sw_farm_slave *s,
	const struct sw_status_memory *m)
{
	int64_t h = mem_get(m, "heartbeat", s->name, 0);

	return s->heartbeat > h ? s->heartbeat : h;
}

const char *
sw_status_state_word(const struct sw_farm *f, size_t i)
{
	const struct sw_farm_entry *en = &f->entries[i];
	size_t k;

	if (en->locked)
		return "building";
	if (en->blocked)
		return "blocked";
	if (en->nattempts > 0)
		return "broken";
	if (f->have_next && f->next == i)
		return "next";
	for (k = 0; k < en->ndeps; k++)
		if (en->cycle < 0 || f->entries[en->deps[k]].cycle != en->cycle)
			return "waiting";
	return en->cycle >= 0 ? "cycle" : "ready";
}

const char *
sw_status_version(const struct sw_farm *f, size_t i)
{
	return f->entries[i].version;
}

int
sw_status_newer(const struct sw_stage_repo *r, enum sw_stage s,
	const struct sw_stage_pkg *p)
{
	const struct sw_stage_pkg *st;

	if (s == SW_STAGE_STABLE)
		return 0;
	st = sw_stages_find(r, SW_STAGE_STABLE, p->name);
	if (st == NULL)
		return 2;
	return sw_vercmp(p->version, st->version) > 0;
}

/* ---- text ---- */

int
sw_status_text(const struct sw_farm *f, const struct sw_status_memory *m,
	struct sw_buf *o, struct sw_err *e)
{
	char t[40], d[40];
	size_t i, k;
	int s;
	int r = 0;

	if (f->not_sane) {
		sw_why_time(f->not_sane_since, t, sizeof(t));
		r |= sw_buf_addf(o, "NOT SANE since %s: %s\n\n", t,
			f->not_sane_why.n ? f->not_sane_why.v[0] : "?");
	}
	r |= sw_buf_addf(o, "queue: %zu pending, %zu building, %zu broken, "
		"%zu blocked, %zu cycles\n", f->list.n, sw_status_count_flag(f, true),
		sw_status_count_broken(f), sw_status_count_flag(f, false), f->ncycles);
	if (f->list.n)
		r |= sw_buf_addstr(o, "\nbuild order:\n");
	for (i = 0; i < f->list.n; i++)
		r |= sw_buf_addf(o, "  %3zu %-24s %-12s %-16s %s\n", i + 1,
			f->entries[i].id.pkgbase, f->entries[i].id.repo,
			sw_status_version(f, i), sw_status_state_word(f, i));
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];

		if (en->locked) {
			sw_why_duration(f->now - en->lock.lease_start, d, sizeof(d));
			r |= sw_buf_addf(o, "building: %s on '%s', phase '%s', for %s\n",
				en->id.pkgbase, en->lock.slave, en->lock.phase, d);
		}
		if (en->blocked)
			r |= sw_buf_addf(o, "blocked: %s by '%s': %s\n", en->id.pkgbase,
				en->block.who, en->block.reason);
		if (en->rebuild != NULL)
			r |= sw_buf_addf(o, "queued by the farm: %s %s, %s\n",
				en->id.pkgbase, sw_status_version(f, i), en->rebuild);
		if (en->nattempts > 0)
			r |= sw_buf_addf(o, "broken: %s %zu time%s, %zu waiting on it, "
				"last log %s/logs/%s\n", en->id.pkgbase, en->nattempts,
				en->nattempts == 1 ? "" : "s", en->waiting,
				f->c->state_dir, en->attempts[en->nattempts - 1].log);
	}
	for (i = 0; i < f->ncycles; i++) {
		r |= sw_buf_addstr(o, "cycle:");
		for (k = 0; k < f->cycles[i].n; k++)
			r |= sw_buf_addf(o, " %s",
				f->entries[f->cycles[i].members[k]].id.pkgbase);
		r |= sw_buf_addch(o, '\n');
	}
	for (i = 0; i < f->stages.n; i++) {
		const struct sw_stage_repo *sr = &f->stages.v[i];

		r |= sw_buf_addf(o, "\nrepository %s:", sr->name[SW_STAGE_STABLE]);
		for (s = 0; s < SW_STAGE_COUNT; s++)
			if (sr->name[s][0])
				r |= sw_buf_addf(o, " %s %zu", sw_stage_name((enum sw_stage)s),
					sr->n[s]);
		r |= sw_buf_addch(o, '\n');
		for (s = 0; s < SW_STAGE_COUNT; s++)
			for (k = 0; k < sr->n[s]; k++) {
				const struct sw_stage_pkg *p = &sr->pkgs[s][k];
				int nw = sw_status_newer(sr, (enum sw_stage)s, p);

				r |= sw_buf_addf(o, "  %-8s %-24s %s%s\n",
					sw_stage_name((enum sw_stage)s), p->name, p->version,
					nw == 1 ? "  (newer than stable)" :
					nw == 2 ? "  (not in stable)" : "");
			}
	}
	if (f->nslaves)
		r |= sw_buf_addstr(o, "\nslaves:\n");
	for (i = 0; i < f->nslaves; i++) {
		int64_t h = sw_status_heartbeat(&f->slaves[i], m);

		if (h)
			sw_why_duration(f->now - h, d, sizeof(d));
		r |= sw_buf_addf(o, "  %-16s %s%s%s", f->slaves[i].name,
			h ? "last heartbeat " : "no heartbeat seen", h ? d : "",
			h ? " ago" : "");
		for (k = 0; k < f->list.n; k++)
			if (f->entries[k].locked &&
			    strcmp(f->entries[k].lock.slave, f->slaves[i].name) == 0)
				r |= sw_buf_addf(o, ", building %s",
					f->entries[k].id.pkgbase);
		r |= sw_buf_addch(o, '\n');
	}
	if (r < 0)
		return sw_err_sys(e, "cannot format the status");
	return 0;
}

/* ---- JSON ---- */

static int
js(struct sw_buf *o, const char *s)
{
	int r = sw_buf_addch(o, '"');

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			r |= sw_buf_addf(o, "\\%c", c);
		else if (c < 0x20)
			r |= sw_buf_addf(o, "\\u%04x", c);
		else
			r |= sw_buf_addch(o, (char)c);
	}
	return r | sw_buf_addch(o, '"');
}

int
sw_status_json(const struct sw_farm *f, const struct sw_status_memory *m,
	struct sw_buf *o, struct sw_err *e)
{
	char id[SW_ID_MAX + 1];
	size_t i, k;
	int s, r = 0;

	r |= sw_buf_addf(o, "{\"time\":%" PRId64 ",\"sane\":%s,", f->now,
		f->not_sane ? "false" : "true");
	r |= sw_buf_addstr(o, "\"not_sane\":[");
	for (i = 0; i < f->not_sane_why.n; i++)
		r |= (i ? sw_buf_addch(o, ',') : 0) | js(o, f->not_sane_why.v[i]);
	r |= sw_buf_addstr(o, "],\"queue\":[");
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];

		sw_id_format(&en->id, id, sizeof(id));
		r |= sw_buf_addstr(o, i ? ",{\"id\":" : "{\"id\":") | js(o, id);
		r |= sw_buf_addstr(o, ",\"pkgbase\":") | js(o, en->id.pkgbase);
		r |= sw_buf_addstr(o, ",\"repository\":") | js(o, en->id.repo);
		r |= sw_buf_addstr(o, ",\"version\":") | js(o, sw_status_version(f, i));
		r |= sw_buf_addstr(o, ",\"state\":") | js(o, sw_status_state_word(f, i));
		r |= sw_buf_addstr(o, ",\"depends\":[");
		for (k = 0; k < en->ndeps; k++)
			r |= (k ? sw_buf_addch(o, ',') : 0) |
				js(o, f->entries[en->deps[k]].id.pkgbase);
		r |= sw_buf_addf(o, "],\"waiting\":%zu", en->waiting);
		if (en->rebuild != NULL)
			r |= sw_buf_addstr(o, ",\"rebuild\":") | js(o, en->rebuild);
		if (en->locked) {
			r |= sw_buf_addstr(o, ",\"locked\":{\"slave\":") |
				js(o, en->lock.slave);
			r |= sw_buf_addstr(o, ",\"phase\":") | js(o, en->lock.phase);
			r |= sw_buf_addf(o, ",\"since\":%" PRId64 ",\"heartbeat\":%"
				PRId64 "}", en->lock.lease_start, en->lock.heartbeat);
		}
		if (en->blocked) {
			r |= sw_buf_addstr(o, ",\"blocked\":{\"who\":") |
				js(o, en->block.who);
			r |= sw_buf_addstr(o, ",\"reason\":") | js(o, en->block.reason);
			r |= sw_buf_addf(o, ",\"time\":%" PRId64 "}", en->block.time);
		}
		if (en->nattempts) {
			const struct sw_attempt *a = &en->attempts[en->nattempts - 1];

			r |= sw_buf_addf(o, ",\"broken\":{\"failures\":%zu,\"slave\":",
				en->nattempts) | js(o, a->slave);
			r |= sw_buf_addstr(o, ",\"log\":") | js(o, a->log);
			r |= sw_buf_addf(o, ",\"time\":%" PRId64 "}", a->time);
		}
		r |= sw_buf_addch(o, '}');
	}
	r |= sw_buf_addstr(o, "],\"cycles\":[");
	for (i = 0; i < f->ncycles; i++) {
		r |= sw_buf_addstr(o, i ? ",[" : "[");
		for (k = 0; k < f->cycles[i].n; k++)
			r |= (k ? sw_buf_addch(o, ',') : 0) |
				js(o, f->entries[f->cycles[i].members[k]].id.pkgbase);
		r |= sw_buf_addch(o, ']');
	}
	r |= sw_buf_addstr(o, "],\"repositories\":[");
	for (i = 0; i < f->stages.n; i++) {
		const struct sw_stage_repo *sr = &f->stages.v[i];

		r |= sw_buf_addstr(o, i ? ",{\"name\":" : "{\"name\":") |
			js(o, sr->name[SW_STAGE_STABLE]);
		for (s = 0; s < SW_STAGE_COUNT; s++) {
			r |= sw_buf_addf(o, ",\"%s\":{\"name\":",
				sw_stage_name((enum sw_stage)s)) | js(o, sr->name[s]);
			r |= sw_buf_addstr(o, ",\"packages\":[");
			for (k = 0; k < sr->n[s]; k++) {
				const struct sw_stage_pkg *p = &sr->pkgs[s][k];

				r |= sw_buf_addstr(o, k ? ",{\"name\":" : "{\"name\":") |
					js(o, p->name);
				r |= sw_buf_addstr(o, ",\"base\":") | js(o, p->base);
				r |= sw_buf_addstr(o, ",\"version\":") | js(o, p->version);
				r |= sw_buf_addf(o, ",\"newer_than_stable\":%s}",
					sw_status_newer(sr, (enum sw_stage)s, p) ?
					"true" : "false");
			}
			r |= sw_buf_addstr(o, "]}");
		}
		r |= sw_buf_addch(o, '}');
	}
	r |= sw_buf_addstr(o, "],\"slaves\":[");
	for (i = 0; i < f->nslaves; i++) {
		r |= sw_buf_addstr(o, i ? ",{\"name\":" : "{\"name\":") |
			js(o, f->slaves[i].name);
		r |= sw_buf_addf(o, ",\"configured\":%s,\"leases\":%zu,"
			"\"heartbeat\":%" PRId64 "}", f->slaves[i].configured ?
			"true" : "false", f->slaves[i].leases,
			sw_status_heartbeat(&f->slaves[i], m));
	}
	r |= sw_buf_addstr(o, "]}\n");
	if (r < 0)
		return sw_err_sys(e, "cannot format the status");
	return 0;
}

/* ---- metrics ---- */

/* The memory of this run: counters carried over and grown, sets renewed. */
static int
remember(const struct sw_farm *f, const struct sw_status_memory *old,
	struct sw_status_memory *m, int64_t hist[NBUCKETS + 1], int64_t c[4])
{
	char id[SW_ID_MAX + 1], key[32];
	size_t i, k, b;
	int64_t t, start;

	/* c: succeeded, failed, duration sum, duration count */
	c[0] = mem_get(old, "count", "succeeded", 0);
	c[1] = mem_get(old, "count", "failed", 0);
	c[2] = mem_get(old, "count", "dursum", 0);
	c[3] = mem_get(old, "count", "durcount", 0);
	for (b = 0; b <= NBUCKETS; b++) {
		snprintf(key, sizeof(key), "%zu", b);
		hist[b] = mem_get(old, "bucket", key, 0);
	}
	for (i = 0; i < f->npubs; i++) {
		const struct sw_farm_pub *p = &f->pubs[i];

		if (p->state != SW_STATE_DONE)
			continue;
		sw_id_format(&p->id, id, sizeof(id));
		if (mem_put(m, "done", id, 1) < 0)
			return -1;
		if (mem_find(old, "done", id) != NULL)
			continue;
		c[0]++;
		start = mem_get(old, "lease", id, -1);
		if (start >= 0 && p->since >= start) {
			t = p->since - start;
			c[2] += t;
			c[3]++;
			for (b = 0; b < NBUCKETS && t > buckets[b]; b++)
				;
			hist[b]++;
		}
	}
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];
		int64_t seen;

		sw_id_format(&en->id, id, sizeof(id));
		if (mem_put(m, "queued", id, mem_get(old, "queued", id, f->now)) < 0)
			return -1;
		if (en->locked && mem_put(m, "lease", id, en->lock.lease_start) < 0)
			return -1;
		if (en->nattempts == 0)
			continue;
		seen = mem_get(old, "attempt", id, -1);
		for (k = 0; k < en->nattempts; k++)
			if (en->attempts[k].time > seen)
				c[1]++;
		if (mem_put(m, "attempt", id,
		    en->attempts[en->nattempts - 1].time) < 0)
			return -1;
	}
	for (i = 0; i < f->nslaves; i++) {
		t = sw_status_heartbeat(&f->slaves[i], old);
		if (t && mem_put(m, "heartbeat", f->slaves[i].name, t) < 0)
			return -1;
	}
	if (mem_put(m, "count", "succeeded", c[0]) < 0 ||
	    mem_put(m, "count", "failed", c[1]) < 0 ||
	    mem_put(m, "count", "dursum", c[2]) < 0 ||
	    mem_put(m, "count", "durcount", c[3]) < 0)
		return -1;
	for (b = 0; b <= NBUCKETS; b++) {
		snprintf(key, sizeof(key), "%zu", b);
		if (mem_put(m, "bucket", key, hist[b]) < 0)
			return -1;
	}
	qsort(m->v, m->n, sizeof(*m->v), cmp_rec);
	return 0;
}

static int
metric(struct sw_buf *o, const char *name, const char *type, const char *help)
{
	return sw_buf_addf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		type);
}

int
sw_status_metrics(const struct sw_farm *f, struct sw_status_memory *old,
	const char *path, struct sw_err *e)
{
	struct sw_status_memory m = { NULL, 0, 0 };
	struct sw_buf o = SW_BUF_INIT, p = SW_BUF_INIT, mp = SW_BUF_INIT;
	int64_t hist[NBUCKETS + 1], c[4], oldest = 0, cum;
	size_t i, b;
	int s, r = 0, ret = -1;

	if (remember(f, old, &m, hist, c) < 0)
		goto nomem;
	for (i = 0; i < m.n; i++)
		r |= sw_buf_addf(&p, "%s %s %" PRId64 "\n", m.v[i].kind, m.v[i].key,
			m.v[i].value);
	for (i = 0; i < f->list.n; i++) {
		char id[SW_ID_MAX + 1];
		int64_t q;

		sw_id_format(&f->entries[i].id, id, sizeof(id));
		q = mem_get(&m, "queued", id, f->now);
		if (f->now - q > oldest)
			oldest = f->now - q;
	}
	r |= metric(&o, "slipway_queue_length", "gauge",
		"Entries on the build list.");
	r |= sw_buf_addf(&o, "slipway_queue_length %zu\n", f->list.n);
	r |= metric(&o, "slipway_locked", "gauge",
		"Build-list entries being built (locked by a slave).");
	r |= sw_buf_addf(&o, "slipway_locked %zu\n", sw_status_count_flag(f, true));
	r |= metric(&o, "slipway_broken", "gauge", "Broken build-list entries.");
	r |= sw_buf_addf(&o, "slipway_broken %zu\n", sw_status_count_broken(f));
	r |= metric(&o, "slipway_blocked", "gauge", "Blocked build-list entries.");
	r |= sw_buf_addf(&o, "slipway_blocked %zu\n", sw_status_count_flag(f, false));
	r |= metric(&o, "slipway_cycles", "gauge",
		"Dependency cycles on the build list.");
	r |= sw_buf_addf(&o, "slipway_cycles %zu\n", f->ncycles);
	r |= metric(&o, "slipway_sane", "gauge",
		"1 unless sanity-check marked the master not sane.");
	r |= sw_buf_addf(&o, "slipway_sane %d\n", f->not_sane ? 0 : 1);
	r |= metric(&o, "slipway_packages", "gauge",
		"Packages in each repository and stage.");
	for (i = 0; i < f->stages.n; i++)
		for (s = 0; s < SW_STAGE_COUNT; s++)
			if (f->stages.v[i].name[s][0])
				r |= sw_buf_addf(&o, "slipway_packages{repository=\"%s\","
					"stage=\"%s\"} %zu\n", f->stages.v[i].name[SW_STAGE_STABLE],
					sw_stage_name((enum sw_stage)s), f->stages.v[i].n[s]);
	r |= metric(&o, "slipway_builds_succeeded_total", "counter",
		"Builds returned with packages, as seen by build-master-status.");
	r |= sw_buf_addf(&o, "slipway_builds_succeeded_total %" PRId64 "\n", c[0]);
	r |= metric(&o, "slipway_builds_failed_total", "counter",
		"Failed build attempts, as seen by build-master-status.");
	r |= sw_buf_addf(&o, "slipway_builds_failed_total %" PRId64 "\n", c[1]);
	r |= metric(&o, "slipway_build_duration_seconds", "histogram",
		"Time from assignment to the return of the packages.");
	for (cum = 0, b = 0; b <= NBUCKETS; b++) {
		cum += hist[b];
		if (b < NBUCKETS)
			r |= sw_buf_addf(&o, "slipway_build_duration_seconds_bucket"
				"{le=\"%" PRId64 "\"} %" PRId64 "\n", buckets[b], cum);
		else
			r |= sw_buf_addf(&o, "slipway_build_duration_seconds_bucket"
				"{le=\"+Inf\"} %" PRId64 "\n", cum);
	}
	r |= sw_buf_addf(&o, "slipway_build_duration_seconds_sum %" PRId64 "\n"
		"slipway_build_duration_seconds_count %" PRId64 "\n", c[2], c[3]);
	r |= metric(&o, "slipway_slave_heartbeat_age_seconds", "gauge",
		"Seconds since each slave's last heartbeat seen.");
	for (i = 0; i < f->nslaves; i++) {
		int64_t hb = mem_get(&m, "heartbeat", f->slaves[i].name, 0);

		if (hb)
			r |= sw_buf_addf(&o, "slipway_slave_heartbeat_age_seconds"
				"{slave=\"%s\"} %" PRId64 "\n", f->slaves[i].name,
				f->now - hb);
	}
	r |= metric(&o, "slipway_oldest_pending_age_seconds", "gauge",
		"Age of the oldest build-list entry, since first seen.");
	r |= sw_buf_addf(&o, "slipway_oldest_pending_age_seconds %" PRId64 "\n",
		oldest);
	if (r < 0)
		goto nomem;
	if (memory_path(f, &mp, e) < 0 ||
	    sw_file_replace(mp.data, p.data, p.len, 0644, e) < 0)
		goto out;
	ret = sw_file_replace(path, o.data, o.len, 0644, e);
	goto out;
nomem:
	sw_err_sys(e, "cannot format the metrics");
out:
	free(m.v);
	sw_buf_release(&o);
	sw_buf_release(&p);
	sw_buf_release(&mp);
	return ret;
}
