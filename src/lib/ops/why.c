/* why: reasons a package is not built, promoted or deleted; see why.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "ops/why.h"

void
sw_why_time(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, size, "%" PRId64, t);
}

void
sw_why_duration(int64_t s, char *out, size_t size)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, size, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, size, "%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, size, "%" PRId64 "h %" PRId64 "m", s / 3600,
			s / 60 % 60);
	else
		snprintf(out, size, "%" PRId64 "d %" PRId64 "h", s / 86400,
			s / 3600 % 24);
}

/* A few words on the state of entry i, for naming it as a dependency. */
static void
entry_state(const struct sw_farm *f, size_t i, char *out, size_t size)
{
	const struct sw_farm_entry *en = &f->entries[i];
	size_t k, waits = 0;

	for (k = 0; k < en->ndeps; k++)
		if (f->entries[en->deps[k]].cycle < 0 ||
		    f->entries[en->deps[k]].cycle != en->cycle)
			waits++;
	if (en->locked)
		snprintf(out, size, "being built by '%s', phase '%s'",
			en->lock.slave, en->lock.phase);
	else if (en->blocked)
		snprintf(out, size, "blocked: %s", en->block.reason);
	else if (en->nattempts > 0)
		snprintf(out, size, "broken %zu time%s", en->nattempts,
			en->nattempts == 1 ? "" : "s");
	else if (f->have_next && f->next == i)
		snprintf(out, size, "built next");
	else if (waits > 0)
		snprintf(out, size, "pending, itself waiting for %zu package%s",
			waits, waits == 1 ? "" : "s");
	else if (en->cycle >= 0)
		snprintf(out, size, "pending, in a dependency cycle");
	else
		snprintf(out, size, "pending");
}

static int
build_reasons(const struct sw_farm *f, size_t i, struct sw_strvec *lines)
{
	const struct sw_farm_entry *en = &f->entries[i];
	const char *b = en->id.pkgbase;
	char t1[40], t2[40], st[SW_REASON_MAX + 80];
	struct sw_buf s = SW_BUF_INIT;
	size_t k, before = lines->n;
	int64_t when;
	int ret = -1;

	if (en->meta < 0 && sw_strvec_pushf(lines, "%s: has no line in "
	    "build-meta: get-assignment does not hand it out (run "
	    "get-package-updates)", b) < 0)
		goto out;
	if (en->locked) {
		sw_why_time(en->lock.lease_start, t1, sizeof(t1));
		sw_why_duration(f->now - en->lock.heartbeat, t2, sizeof(t2));
		if (sw_strvec_pushf(lines, "%s: locked by slave '%s' since %s, "
		    "in phase '%s' (last heartbeat %s ago)", b, en->lock.slave, t1,
		    en->lock.phase, t2) < 0)
			goto out;
		if (f->now - en->lock.heartbeat > (int64_t)f->c->lease_timeout &&
		    sw_strvec_pushf(lines, "%s:   the lease has expired "
		    "(lease_timeout %" PRIu64 "s): the next get-assignment "
		    "reclaims it", b, f->c->lease_timeout) < 0)
			goto out;
	}
	if (en->blocked) {
		sw_why_time(en->block.time, t1, sizeof(t1));
		if (sw_strvec_pushf(lines, "%s: blocked by '%s' at %s: %s", b,
		    en->block.who, t1, en->block.reason) < 0 ||
		    sw_strvec_pushf(lines, "%s:   modify-package-state --unblock %s "
		    "hands it out again", b, b) < 0)
			goto out;
	}
	if (en->nattempts > 0) {
		const struct sw_attempt *a = &en->attempts[en->nattempts - 1];
		struct sw_err e;

		sw_why_time(a->time, t1, sizeof(t1));
		if (sw_farm_log_path(f, a, &s, &e) < 0)
			goto out;
		if (sw_strvec_pushf(lines, "%s: broken %zu time%s, last on slave "
		    "'%s' (straw '%s') at %s; last log: %s", b, en->nattempts,
		    en->nattempts == 1 ? "" : "s", a->slave, a->straw, t1,
		    s.len ? s.data : "none") < 0)
			goto out;
		if (sw_farm_retry(f, en, &when)) {
			sw_why_time(when, t2, sizeof(t2));
			if (sw_strvec_pushf(lines, "%s:   retried by itself %s %s",
			    b, when <= f->now ? "now, since" : "from", t2) < 0)
				goto out;
		} else if (sw_strvec_pushf(lines, "%s:   out of retries "
		    "(broken_retries %" PRIu64 "): built again after a new "
		    "revision or modify-package-state --unbreak %s", b,
		    f->c->broken_retries, b) < 0)
			goto out;
	}
	for (k = 0; k < en->ndeps; k++) {
		size_t d = en->deps[k];

		if (en->cycle >= 0 && f->entries[d].cycle == en->cycle)
			continue;
		entry_state(f, d, st, sizeof(st));
		if (sw_strvec_pushf(lines, "%s: waits for its dependency '%s' "
		    "(%s)", b, f->entries[d].id.pkgbase, st) < 0)
			goto out;
	}
	if (en->cycle >= 0) {
		const struct sw_farm_cycle *c = &f->cycles[en->cycle];

		sw_buf_reset(&s);
		for (k = 0; k < c->n; k++)
			if (sw_buf_addf(&s, "%s'%s'", k ? ", " : "",
			    f->entries[c->members[k]].id.pkgbase) < 0)
				goto out;
		if (sw_strvec_pushf(lines, "%s: in a dependency cycle with %s; "
		    "one member is built first to break it", b, s.data) < 0)
			goto out;
	}
	if (f->have_next && f->next == i) {
		if (sw_strvec_pushf(lines, "%s: would be built next", b) < 0)
			goto out;
	} else if (lines->n == before) {
		size_t ahead = 0;

		for (k = 0; k < i; k++)
			if (!f->entries[k].locked && !f->entries[k].blocked &&
			    f->entries[k].nattempts == 0)
				ahead++;
		if (sw_strvec_pushf(lines, "%s: pending; %zu entr%s come%s first "
		    "in build order", b, ahead, ahead == 1 ? "y" : "ies",
		    ahead == 1 ? "s" : "") < 0)
			goto out;
	}
	if (sw_id_bump(&en->id) > 0 && en->meta >= 0 &&
	    sw_strvec_pushf(lines, "%s: a rebuild of %s, which is published "
	    "already: built as %s (the farm's bump %u)", b,
	    f->meta.v[en->meta].version, en->version, sw_id_bump(&en->id)) < 0)
		goto out;
	if (en->rebuild != NULL &&
	    sw_strvec_pushf(lines, "%s: queued by the farm: %s", b,
	    en->rebuild) < 0)
		goto out;
	if (f->not_sane && sw_strvec_pushf(lines, "%s: nothing is handed out: "
	    "the master is marked not sane (%s); run sanity-check", b,
	    f->not_sane_why.n ? f->not_sane_why.v[0] : "?") < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&s);
	return ret;
}

/* Where pkgbase is published: each stage with its version. 1 if nowhere. */
static int
published(const struct sw_farm *f, const char *b, struct sw_strvec *lines,
	const char *lead)
{
	size_t i, k;
	int s, found = 0;

	for (i = 0; i < f->stages.n; i++)
		for (s = 0; s < SW_STAGE_COUNT; s++) {
			const struct sw_stage_repo *r = &f->stages.v[i];

			for (k = 0; k < r->n[s]; k++) {
				if (strcmp(r->pkgs[s][k].base, b) != 0)
					continue;
				if (sw_strvec_pushf(lines, "%s: %s'%s' %s is in '%s' (%s)",
				    b, lead, r->pkgs[s][k].name, r->pkgs[s][k].version,
				    r->name[s], sw_stage_name((enum sw_stage)s)) < 0)
					return -1;
				found = 1;
				break;
			}
		}
	return found ? 0 : 1;
}

static int
why_build(const struct sw_farm *f, const char *b, struct sw_strvec *lines)
{
	size_t i;
	int any = 0, r;

	for (i = 0; i < f->list.n; i++)
		if (strcmp(f->list.v[i].pkgbase, b) == 0) {
			any = 1;
			if (build_reasons(f, i, lines) < 0)
				return -1;
		}
	if (any)
		return 0;
	r = published(f, b, lines, "not on the build list: built; ");
	if (r != 1)
		return r;
	return sw_strvec_pushf(lines, "%s: not on the build list, and in no "
	    "repository: no source has it (or get-package-updates has not run "
	    "since it was added)", b) < 0 ? -1 : 1;
}

static int
why_stabilize(const struct sw_farm *f, const char *b, struct sw_strvec *lines)
{
	struct sw_strvec holders = SW_STRVEC_INIT;
	struct sw_buf s = SW_BUF_INIT;
	struct sw_err e;
	size_t i, k, r;
	enum sw_stage stage;
	int any = 0, ret = -1;
	const char *tname;
	char t1[40];

	for (i = 0; i < f->list.n; i++)
		if (strcmp(f->list.v[i].pkgbase, b) == 0) {
			any = 1;
			if (sw_strvec_pushf(lines, "%s: not built yet "
			    "(on the build list for '%s'):", b, f->list.v[i].repo) < 0 ||
			    build_reasons(f, i, lines) < 0)
				goto out;
		}
	for (i = 0; i < f->npubs; i++) {
		const struct sw_farm_pub *p = &f->pubs[i];

		if (strcmp(p->id.pkgbase, b) != 0)
			continue;
		any = 1;
		if (sw_stages_find_repo(&f->stages, p->id.repo, &r, &stage) < 0) {
			if (sw_strvec_pushf(lines, "%s: in '%s', which no "
			    "[repository] section names", b, p->id.repo) < 0)
				goto out;
			continue;
		}
		tname = f->stages.v[r].name[SW_STAGE_TESTING];
		if (p->state == SW_STATE_DONE) {
			const struct sw_stage_repo *sr = &f->stages.v[r];

			sw_strvec_release(&holders);
			for (k = 0; k < sr->n[SW_STAGE_STAGING]; k++)
				if (strcmp(sr->pkgs[SW_STAGE_STAGING][k].base, b) == 0 &&
				    sw_stages_held(sr, sr->pkgs[SW_STAGE_STAGING][k].name,
				    &f->meta, &holders, &e) < 0)
					goto out;
			if (holders.n == 0) {
				if (sw_strvec_pushf(lines, "%s: in '%s' (staging): moves "
				    "to '%s' at the next db-update", b,
				    sr->name[SW_STAGE_STAGING],
				    sr->name[SW_STAGE_TESTING][0] ? sr->name[SW_STAGE_TESTING] :
				    sr->name[SW_STAGE_STABLE]) < 0)
					goto out;
				continue;
			}
			sw_buf_reset(&s);
			for (k = 0; k < holders.n; k++) {
				long en = sw_farm_find_entry(f, holders.v[k]);
				char st[SW_REASON_MAX + 80] = "pending";

				if (en >= 0)
					entry_state(f, (size_t)en, st, sizeof(st));
				if (sw_buf_addf(&s, "%s'%s' (%s)", k ? ", " : "",
				    holders.v[k], st) < 0)
					goto out;
			}
			if (sw_strvec_pushf(lines, "%s: held in '%s' (staging) by %s: "
			    "it depends on what they build, which is still pending",
			    b, sr->name[SW_STAGE_STAGING], s.data) < 0)
				goto out;
		} else if (p->faulty) {
			if (sw_strvec_pushf(lines, "%s: in '%s' (testing), marked "
			    "faulty: it does not go to stable until a new build is "
			    "tested", b, tname) < 0)
				goto out;
		} else if (p->tested) {
			if (sw_strvec_pushf(lines, "%s: in '%s' (testing), tested: "
			    "moves to '%s' at the next db-update", b, tname,
			    f->stages.v[r].name[SW_STAGE_STABLE]) < 0)
				goto out;
		} else {
			sw_why_time(p->since, t1, sizeof(t1));
			if (sw_strvec_pushf(lines, "%s: in '%s' (testing) since %s, "
			    "not tested yet: modify-package-state --tested %s lets it "
			    "go to stable", b, tname, t1, b) < 0)
				goto out;
		}
	}
	if (!any) {
		int pr = published(f, b, lines, "nothing to promote; ");

		if (pr < 0)
			goto out;
		if (pr == 1) {
			if (sw_strvec_pushf(lines, "%s: not on the build list and in "
			    "no repository", b) < 0)
				goto out;
			ret = 1;
			goto out;
		}
	}
	ret = 0;
out:
	sw_strvec_release(&holders);
	sw_buf_release(&s);
	return ret;
}

/* Packages (of other pkgbases) in any stage of r that depend on a pkgname of b. */
static int
dependents(const struct sw_farm *f, const struct sw_stage_repo *r,
	const char *b, struct sw_strvec *out)
{
	size_t k, j, d;
	int s, t;

	for (s = 0; s < SW_STAGE_COUNT; s++)
		for (k = 0; k < r->n[s]; k++) {
			const struct sw_stage_pkg *p = &r->pkgs[s][k];

			if (strcmp(p->base, b) != 0)
				continue;
			/* p is one of b's packages: who needs its name or provides? */
			for (t = 0; t < SW_STAGE_COUNT; t++)
				for (j = 0; j < r->n[t]; j++) {
					const struct sw_stage_pkg *q = &r->pkgs[t][j];
					bool needs = false;

					if (strcmp(q->base, b) == 0 ||
					    sw_deletionlist_find(&f->deletions, q->base,
					    r->name[SW_STAGE_STABLE]) >= 0)
						continue;
					for (d = 0; d < q->depends.n && !needs; d++)
						needs = strcmp(q->depends.v[d], p->name) == 0 ||
							sw_strvec_contains(&p->provides,
								q->depends.v[d]);
					if (needs && !sw_strvec_contains(out, q->name) &&
					    sw_strvec_push(out, q->name) < 0)
						return -1;
				}
		}
	return 0;
}

static int
why_delete(const struct sw_farm *f, const char *b, struct sw_strvec *lines)
{
	struct sw_strvec deps = SW_STRVEC_INIT;
	struct sw_buf s = SW_BUF_INIT;
	size_t i, k, r;
	enum sw_stage stage;
	int any = 0, ret = -1;

	for (i = 0; i < f->deletions.n; i++) {
		const char *repo = f->deletions.v[i].repo;

		if (strcmp(f->deletions.v[i].pkgbase, b) != 0)
			continue;
		any = 1;
		if (sw_stages_find_repo(&f->stages, repo, &r, &stage) < 0) {
			if (sw_strvec_pushf(lines, "%s: on the deletion list for "
			    "'%s', which no [repository] section names", b, repo) < 0)
				goto out;
			continue;
		}
		sw_strvec_release(&deps);
		if (dependents(f, &f->stages.v[r], b, &deps) < 0)
			goto out;
		if (deps.n == 0) {
			if (sw_strvec_pushf(lines, "%s: on the deletion list: leaves "
			    "'%s' at the next db-update", b, repo) < 0)
				goto out;
			continue;
		}
		sw_buf_reset(&s);
		for (k = 0; k < deps.n; k++)
			if (sw_buf_addf(&s, "%s'%s'", k ? ", " : "", deps.v[k]) < 0)
				goto out;
		if (sw_strvec_pushf(lines, "%s: held from deletion from '%s' by "
		    "its dependents %s", b, repo, s.data) < 0)
			goto out;
	}
	if (!any) {
		int pr;

		if (sw_farm_find_entry(f, b) >= 0) {
			if (sw_strvec_pushf(lines, "%s: not on the deletion list: its "
			    "PKGBUILD is still in a source (it is on the build list)",
			    b) < 0)
				goto out;
			ret = 0;
			goto out;
		}
		pr = published(f, b, lines, "not on the deletion list (its "
			"PKGBUILD is still in a source); ");
		if (pr < 0)
			goto out;
		if (pr == 1) {
			if (sw_strvec_pushf(lines, "%s: not on the deletion list and "
			    "in no repository", b) < 0)
				goto out;
			ret = 1;
			goto out;
		}
	}
	ret = 0;
out:
	sw_strvec_release(&deps);
	sw_buf_release(&s);
	return ret;
}

int
sw_why(const struct sw_farm *f, enum sw_why_what what, const char *pkgbase,
	struct sw_strvec *lines, struct sw_err *e)
{
	int r;

	if (sw_name_check(SW_NAME_PKGBASE, pkgbase, e) < 0)
		return -1;
	switch (what) {
	case SW_WHY_BUILD: r = why_build(f, pkgbase, lines); break;
	case SW_WHY_STABILIZE: r = why_stabilize(f, pkgbase, lines); break;
	default: r = why_delete(f, pkgbase, lines); break;
	}
	if (r < 0)
		return sw_err_sys(e, "cannot explain '%s'", pkgbase);
	return r;
}
