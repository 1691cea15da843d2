/* farm: one picture of the master's state; see farm.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/depgraph.h"
#include "ops/farm.h"
#include "queue/assign.h"
#include "queue/bump.h"
#include "queue/sanity.h"
#include "queue/statedir.h"
#include "queue/statepath.h"

void
sw_farm_init(struct sw_farm *f)
{
	memset(f, 0, sizeof(*f));
	sw_strvec_init(&f->stray_states);
	sw_strvec_init(&f->not_sane_why);
}

void
sw_farm_release(struct sw_farm *f)
{
	size_t i;

	for (i = 0; f->entries != NULL && i < f->list.n; i++) {
		free(f->entries[i].attempts);
		free(f->entries[i].deps);
	}
	free(f->entries);
	for (i = 0; i < f->ncycles; i++)
		free(f->cycles[i].members);
	free(f->cycles);
	for (i = 0; i < f->npubs; i++)
		sw_strvec_release(&f->pubs[i].files);
	free(f->pubs);
	free(f->slaves);
	sw_buildlist_release(&f->list);
	sw_buildmeta_release(&f->meta);
	sw_deletionlist_release(&f->deletions);
	sw_rebuilds_release(&f->rebuilds);
	sw_stages_release(&f->stages);
	sw_strvec_release(&f->stray_states);
	sw_strvec_release(&f->not_sane_why);
	sw_farm_init(f);
}

long
sw_farm_find_entry(const struct sw_farm *f, const char *pkgbase)
{
	size_t i;

	for (i = 0; i < f->list.n; i++)
		if (strcmp(f->list.v[i].pkgbase, pkgbase) == 0)
			return (long)i;
	return -1;
}

const struct sw_farm_pub *
sw_farm_find_pub(const struct sw_farm *f, const char *pkgbase,
	enum sw_state state)
{
	size_t i;

	for (i = 0; i < f->npubs; i++)
		if (f->pubs[i].state == state &&
		    strcmp(f->pubs[i].id.pkgbase, pkgbase) == 0)
			return &f->pubs[i];
	return NULL;
}

int
sw_farm_log_path(const struct sw_farm *f, const struct sw_attempt *a,
	struct sw_buf *out, struct sw_err *e)
{
	sw_buf_reset(out);
	if (strcmp(a->log, "-") == 0)
		return 0;
	if (sw_statepath(out, f->c->state_dir, SW_PATH_LOGS, e) < 0)
		return -1;
	if (sw_buf_addf(out, "/%s", a->log) < 0)
		return sw_err_sys(e, "cannot build the path of a log");
	return 0;
}

int
sw_farm_retry(const struct sw_farm *f, const struct sw_farm_entry *en,
	int64_t *when)
{
	uint64_t failures = en->nattempts, wait = f->c->broken_retry_delay;
	int64_t last = en->nattempts ? en->attempts[en->nattempts - 1].time : 0;

	*when = last;
	if (failures == 0)
		return 1;
	if (failures > f->c->broken_retries)
		return 0;
	if (failures - 1 >= 62 || wait > ((uint64_t)INT64_MAX >> (failures - 1)))
		return 0;
	wait <<= failures - 1;
	*when = (uint64_t)last + wait > (uint64_t)INT64_MAX ? INT64_MAX :
		last + (int64_t)wait;
	return 1;
}

/* ---- package states ---- */

static long
find_id(const struct sw_build_list *l, const struct sw_id *id)
{
	long k = sw_buildlist_find(l, id->pkgbase, id->repo);

	if (k < 0 || strcmp(l->v[k].src, id->src) != 0 ||
	    strcmp(l->v[k].mod, id->mod) != 0)
		return -1;
	return k;
}

static struct sw_farm_pub *
pub_of(struct sw_farm *f, const struct sw_id *id, struct sw_err *e)
{
	struct sw_farm_pub *p;
	size_t i;

	for (i = 0; i < f->npubs; i++)
		if (memcmp(&f->pubs[i].id, id, sizeof(*id)) == 0)
			return &f->pubs[i];
	p = reallocarray(f->pubs, f->npubs + 1, sizeof(*p));
	if (p == NULL) {
		sw_err_sys(e, "cannot read the package states");
		return NULL;
	}
	f->pubs = p;
	p = &f->pubs[f->npubs++];
	memset(p, 0, sizeof(*p));
	p->id = *id;
	p->state = SW_STATE_COUNT;
	sw_strvec_init(&p->files);
	return p;
}

struct scan {
	struct sw_farm *f;
	struct sw_strvec later;         /* tested/faulty: after done/testing */
	struct sw_err *e;
};

static int
scan_one(const struct sw_id *id, enum sw_state s, void *arg)
{
	struct scan *sc = arg;
	struct sw_farm *f = sc->f;
	const char *dir = f->c->state_dir;
	char ids[SW_ID_MAX + 1];
	struct sw_err *e = sc->e;
	struct sw_farm_pub *p;
	struct sw_buf path = SW_BUF_INIT;
	struct stat st;
	long k;
	int ret = -1;

	sw_id_format(id, ids, sizeof(ids));
	if (s == SW_STATE_LOCKED || s == SW_STATE_BROKEN || s == SW_STATE_BLOCKED) {
		k = find_id(&f->list, id);
		if (k < 0) {
			if (sw_strvec_pushf(&f->stray_states, "%s.%s", ids,
			    sw_state_name(s)) < 0)
				return sw_err_sys(e, "cannot read the package states");
			return 0;
		}
		if (s == SW_STATE_LOCKED) {
			if (sw_pkgstate_read_locked(dir, id, &f->entries[k].lock, e) < 0)
				goto fail;
			f->entries[k].locked = true;
		} else if (s == SW_STATE_BLOCKED) {
			if (sw_pkgstate_read_blocked(dir, id, &f->entries[k].block, e) < 0)
				goto fail;
			f->entries[k].blocked = true;
		} else if (sw_pkgstate_read_broken(dir, id, &f->entries[k].attempts,
		    &f->entries[k].nattempts, e) < 0)
			goto fail;
		return 0;
	}
	if (s == SW_STATE_TESTED || s == SW_STATE_FAULTY) {
		if (sw_strvec_pushf(&sc->later, "%s.%s", ids, sw_state_name(s)) < 0)
			return sw_err_sys(e, "cannot read the package states");
		return 0;
	}
	p = pub_of(f, id, e);
	if (p == NULL)
		goto fail;
	if (p->state != SW_STATE_COUNT) {
		/* done and testing of one id: keep both visible as strays */
		if (sw_strvec_pushf(&f->stray_states, "%s.%s", ids,
		    sw_state_name(s)) < 0) {
			sw_err_sys(e, "cannot read the package states");
			goto out;
		}
		ret = 0;
		goto out;
	}
	p->state = s;
	if (sw_pkgstate_read_files(dir, id, s, &p->files, e) < 0 ||
	    sw_pkgstate_path(&path, dir, id, s, e) < 0)
		goto fail;
	if (stat(path.data, &st) == 0)
		p->since = (int64_t)st.st_mtime;
	ret = 0;
	goto out;
fail:
	ret = -1;
out:
	sw_buf_release(&path);
	return ret;
}

static int
read_states(struct sw_farm *f, struct sw_err *e)
{
	struct scan sc = { f, SW_STRVEC_INIT, e };
	struct sw_id id;
	size_t i;
	int ret = -1;

	if (sw_pkgstate_scan(f->c->state_dir, scan_one, &sc, NULL, e) < 0)
		goto out;
	for (i = 0; i < sc.later.n; i++) {
		char *dot = strrchr(sc.later.v[i], '.');
		struct sw_farm_pub *p = NULL;
		size_t k;

		*dot = '\0';
		if (sw_id_parse(sc.later.v[i], &id, e) < 0)
			goto out;
		for (k = 0; k < f->npubs; k++)
			if (memcmp(&f->pubs[k].id, &id, sizeof(id)) == 0 &&
			    f->pubs[k].state == SW_STATE_TESTING)
				p = &f->pubs[k];
		if (p == NULL) {
			*dot = '.';
			if (sw_strvec_push(&f->stray_states, sc.later.v[i]) < 0)
				goto nomem;
			continue;
		}
		if (strcmp(dot + 1, "tested") == 0)
			p->tested = true;
		else
			p->faulty = true;
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot read the package states");
out:
	sw_strvec_release(&sc.later);
	return ret;
}

/* ---- dependencies, cycles, what comes next ---- */

static int
link_deps(struct sw_farm *f, struct sw_err *e)
{
	struct sw_depgraph g;
	size_t i, k, j, *cidx = NULL;
	int ret = -1;

	memset(&g, 0, sizeof(g));
	if (sw_depgraph_init(&g, f->list.n, e) < 0)
		goto out;
	for (i = 0; i < f->list.n; i++) {
		struct sw_farm_entry *en = &f->entries[i];
		const struct sw_buildmeta_entry *m;

		if (en->meta < 0)
			continue;
		m = &f->meta.v[en->meta];
		for (k = 0; k < m->deps.n; k++)
			for (j = 0; j < f->list.n; j++) {
				size_t *d;

				if (j == i || strcmp(f->list.v[j].pkgbase, m->deps.v[k]) != 0)
					continue;
				d = reallocarray(en->deps, en->ndeps + 1, sizeof(*d));
				if (d == NULL)
					goto nomem;
				en->deps = d;
				en->deps[en->ndeps++] = j;
				if (sw_depgraph_add_edge(&g, i, j, e) < 0)
					goto out;
			}
	}
	if (sw_depgraph_solve(&g, e) < 0)
		goto out;
	cidx = malloc((g.ncomp ? g.ncomp : 1) * sizeof(*cidx));
	if (cidx == NULL)
		goto nomem;
	for (k = 0; k < g.ncomp; k++)
		cidx[k] = SIZE_MAX;
	for (i = 0; i < f->list.n; i++) {
		struct sw_farm_cycle *c;
		size_t *m;

		f->entries[i].cycle = -1;
		if (!sw_depgraph_in_cycle(&g, i))
			continue;
		if (cidx[g.comp[i]] == SIZE_MAX) {
			c = reallocarray(f->cycles, f->ncycles + 1, sizeof(*c));
			if (c == NULL)
				goto nomem;
			f->cycles = c;
			f->cycles[f->ncycles] = (struct sw_farm_cycle){ NULL, 0 };
			cidx[g.comp[i]] = f->ncycles++;
		}
		c = &f->cycles[cidx[g.comp[i]]];
		m = reallocarray(c->members, c->n + 1, sizeof(*m));
		if (m == NULL)
			goto nomem;
		c->members = m;
		c->members[c->n++] = i;
		f->entries[i].cycle = (long)cidx[g.comp[i]];
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot follow the dependencies of the build list");
out:
	free(cidx);
	sw_depgraph_release(&g);
	return ret;
}

/* How many entries wait on each one, directly or through others. */
static int
count_waiting(struct sw_farm *f, struct sw_err *e)
{
	size_t n = f->list.n, i, k, top;
	size_t *stack = NULL;
	char *seen = NULL;
	int ret = -1;

	if (n == 0)
		return 0;
	stack = malloc(n * sizeof(*stack));
	seen = malloc(n);
	if (stack == NULL || seen == NULL) {
		sw_err_sys(e, "cannot count waiting entries");
		goto out;
	}
	/* for each entry a, every entry it reaches counts a as waiting */
	for (i = 0; i < n; i++) {
		memset(seen, 0, n);
		seen[i] = 1;
		top = 0;
		stack[top++] = i;
		while (top > 0) {
			const struct sw_farm_entry *en = &f->entries[stack[--top]];

			for (k = 0; k < en->ndeps; k++) {
				size_t d = en->deps[k];

				if (seen[d])
					continue;
				seen[d] = 1;
				f->entries[d].waiting++;
				stack[top++] = d;
			}
		}
	}
	ret = 0;
out:
	free(stack);
	free(seen);
	return ret;
}

static int
view_flags(void *ctx, size_t i, unsigned *fl, struct sw_err *e)
{
	const struct sw_farm *f = ctx;
	const struct sw_farm_entry *en = &f->entries[i];

	(void)e;
	*fl = 0;
	/* an expired lease is reclaimed by the next get-assignment */
	if (en->locked && f->now - en->lock.heartbeat <= (int64_t)f->c->lease_timeout)
		*fl |= SW_AF_LOCKED;
	if (en->blocked)
		*fl |= SW_AF_BLOCKED;
	if (en->nattempts > 0)
		*fl |= SW_AF_BROKEN;
	return 0;
}

static int
view_all(void *ctx, struct sw_err *e)
{
	(void)ctx;
	(void)e;
	return 0;
}

static int
view_deps(void *ctx, size_t i, const size_t **v, size_t *n, struct sw_err *e)
{
	const struct sw_farm *f = ctx;

	(void)e;
	*v = f->entries[i].deps;
	*n = f->entries[i].ndeps;
	return f->entries[i].meta < 0 ? 1 : 0;
}

static int
view_broken(void *ctx, size_t i, uint64_t *failures, int64_t *last,
	struct sw_err *e)
{
	const struct sw_farm *f = ctx;
	const struct sw_farm_entry *en = &f->entries[i];

	(void)e;
	*failures = en->nattempts;
	*last = en->nattempts ? en->attempts[en->nattempts - 1].time : 0;
	return 0;
}

static int
choose_next(struct sw_farm *f, struct sw_err *e)
{
	const struct sw_assign_view v = { f->list.n, f, view_flags, view_all,
		view_deps, view_broken };
	const struct sw_assign_policy p = { f->now, f->c->broken_retries,
		f->c->broken_retry_delay };

	switch (sw_assign_choose(&v, &p, &f->next, e)) {
	case SW_ASSIGN_OK:
		f->have_next = true;
		return 0;
	case SW_ASSIGN_ERROR:
		return -1;
	default:
		f->have_next = false;
		return 0;
	}
}

static int
add_slave(struct sw_farm *f, const char *name, bool configured,
	struct sw_farm_slave **out, struct sw_err *e)
{
	struct sw_farm_slave *s;
	size_t i;

	for (i = 0; i < f->nslaves; i++)
		if (strcmp(f->slaves[i].name, name) == 0) {
			*out = &f->slaves[i];
			return 0;
		}
	s = reallocarray(f->slaves, f->nslaves + 1, sizeof(*s));
	if (s == NULL)
		return sw_err_sys(e, "cannot list the slaves");
	f->slaves = s;
	s = &f->slaves[f->nslaves++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->configured = configured;
	*out = s;
	return 0;
}

static int
read_slaves(struct sw_farm *f, struct sw_err *e)
{
	struct sw_farm_slave *s;
	size_t i;

	for (i = 0; i < f->c->nslaves; i++)
		if (add_slave(f, f->c->slaves[i].sec.name, true, &s, e) < 0)
			return -1;
	for (i = 0; i < f->list.n; i++) {
		const struct sw_farm_entry *en = &f->entries[i];

		if (!en->locked)
			continue;
		if (add_slave(f, en->lock.slave, false, &s, e) < 0)
			return -1;
		s->leases++;
		if (en->lock.heartbeat > s->heartbeat)
			s->heartbeat = en->lock.heartbeat;
	}
	return 0;
}

/* ---- loading ---- */

static int
read_lists(struct sw_farm *f, struct sw_err *e)
{
	struct sw_buf p = SW_BUF_INIT;
	const char *dir = f->c->state_dir;
	size_t i;
	int ret = -1;

	if (sw_statepath(&p, dir, SW_PATH_BUILD_LIST, e) < 0 ||
	    sw_buildlist_read(p.data, &f->list, e) < 0 ||
	    sw_statepath(&p, dir, SW_PATH_BUILD_META, e) < 0 ||
	    sw_buildmeta_read(p.data, &f->meta, e) < 0 ||
	    sw_statepath(&p, dir, SW_PATH_DELETION_LIST, e) < 0 ||
	    sw_deletionlist_read(p.data, &f->deletions, e) < 0 ||
	    sw_statepath(&p, dir, SW_PATH_REBUILDS, e) < 0 ||
	    sw_rebuilds_read(p.data, &f->rebuilds, e) < 0)
		goto out;
	if (f->list.n > 0) {
		f->entries = calloc(f->list.n, sizeof(*f->entries));
		if (f->entries == NULL)
			goto nomem;
	}
	for (i = 0; i < f->list.n; i++) {
		f->entries[i].id = f->list.v[i];
		f->entries[i].meta = sw_buildmeta_find(&f->meta,
			f->list.v[i].pkgbase, f->list.v[i].repo);
		f->entries[i].cycle = -1;
		f->entries[i].rebuild = sw_rebuilds_reason(&f->rebuilds,
			&f->list.v[i]);
		snprintf(f->entries[i].version, sizeof(f->entries[i].version), "?");
		if (f->entries[i].meta >= 0 &&
		    sw_bump_version(f->meta.v[f->entries[i].meta].version,
		    sw_id_bump(&f->list.v[i]), f->entries[i].version,
		    sizeof(f->entries[i].version), e) < 0)
			goto out;
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot read the state of '%s'", dir);
out:
	sw_buf_release(&p);
	return ret;
}

int
sw_farm_load_locked(struct sw_farm *f, const struct sw_master_conf *c,
	int64_t now, struct sw_err *e)
{
	int r;

	f->c = c;
	f->now = now;
	if (read_lists(f, e) < 0 || read_states(f, e) < 0 ||
	    sw_stages_load(c, &f->stages, e) < 0)
		return -1;
	r = sw_sanity_read(c->state_dir, &f->not_sane_since, &f->not_sane_why, e);
	if (r < 0)
		return -1;
	f->not_sane = r == 0;
	if (link_deps(f, e) < 0 || count_waiting(f, e) < 0 ||
	    choose_next(f, e) < 0 || read_slaves(f, e) < 0)
		return -1;
	return 0;
}

enum sw_farm_result
sw_farm_load(struct sw_farm *f, const struct sw_master_conf *c, int64_t now,
	int lock_timeout_ms, struct sw_err *e)
{
	struct sw_statedir sd = { NULL, { -1, -1 } };
	enum sw_farm_result ret = SW_FARM_ERROR;
	enum sw_lock_result lr;
	int k;

	if (sw_statedir_open(&sd, c->state_dir, e) < 0)
		goto out;
	for (k = SW_LOCK_BUILD_LIST; k <= SW_LOCK_PACKAGE_DB; k++) {
		lr = sw_statedir_lock(&sd, (enum sw_master_lock)k, lock_timeout_ms, e);
		if (lr != SW_LOCK_OK) {
			ret = lr == SW_LOCK_BUSY ? SW_FARM_BUSY : SW_FARM_ERROR;
			goto out;
		}
	}
	if (sw_farm_load_locked(f, c, now, e) < 0)
		goto out;
	ret = SW_FARM_OK;
out:
	sw_statedir_release(&sd);
	return ret;
}

enum sw_farm_result
sw_farm_open(struct sw_farm *f, struct sw_master_conf *c,
	const char *config_path, int64_t now, struct sw_err *e)
{
	if (sw_master_conf_locate_load(config_path, c, e) < 0)
		return SW_FARM_ERROR;
	return sw_farm_load(f, c, now, SW_FARM_LOCK_TIMEOUT_MS, e);
}
