#include "source/updaterun.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "source/custom.h"
#include "core/fileio.h"
#include "source/gitsrc.h"
#include "source/layout.h"
#include "core/lines.h"
#include "core/lock.h"
#include "source/srcinfo.h"
#include "queue/statedir.h"
#include "source/updates.h"

#define ZERO_COMMIT "0000000000000000000000000000000000000000"
#define REV_MAX_SIZE (16 * 1024 * 1024)
#define DIR_CAP ((size_t)256 * 1024 * 1024)
#define ATTEMPTS 3
#define NO_PP SIZE_MAX
#define OLD 0
#define NEW 1

struct pp_repo {
	char pkgbase[SW_PKGNAME_MAX + 1];
	struct sw_gitsrc *g;            /* NULL: no mirror */
	char rev[2][SW_COMMIT_MAX + 1]; /* "" none */
	bool failed;                    /* not fetched: stays at its revision */
};

struct source {
	const struct sw_source_conf *conf;
	struct sw_gitsrc *g;            /* all but per-package */
	char rev[2][SW_COMMIT_MAX + 1];
	struct pp_repo *pp;
	size_t npp;
	struct sw_strvec tops[2];       /* repo/pkgbase: the upstream repositories */
	bool tops_done[2];
	bool failed;                    /* not fetched: nothing changes in it */
};

struct customs {
	bool failed;
	struct sw_gitsrc *g;
	char rev[2][SW_COMMIT_MAX + 1];
	struct sw_custom_list bl[2], bm[2], uo[2], ov[2];
};

/* A package directory at one revision, as a candidate for (pkgbase, repo). */
struct cand {
	bool blacklisted;
	size_t src, pp;
	char up[SW_REPO_MAX + 1];
	char repo[SW_REPO_MAX + 1];
	char commit[SW_COMMIT_MAX + 1];
	char path[SW_FILENAME_MAX + 1];
	char tree[SW_COMMIT_MAX + 1];
	char mod[SW_COMMIT_MAX + 1];
	char custom[SW_FILENAME_MAX + 1];   /* "" none */
	char ctree[SW_COMMIT_MAX + 1];
};

#define MAX_CANDS 64

/* Reading one package directory: a .SRCINFO from somewhere. */
struct job {
	char pkgbase[SW_PKGNAME_MAX + 1];
	char id[SW_ID_MAX + 1];         /* learn_list: the build-list id */
	size_t src, pp;
	char commit[SW_COMMIT_MAX + 1], path[SW_FILENAME_MAX + 1];
	char mod[SW_COMMIT_MAX + 1], custom[SW_FILENAME_MAX + 1];
	char tree[SW_COMMIT_MAX + 1], ctree[SW_COMMIT_MAX + 1];
	int state;                      /* 0 to read in the sandbox, 1 ok, -1 failed */
	struct sw_srcinfo si;
	char dir[PATH_MAX];
	char error[SW_ERR_MAX];
};

/* An id and what its PKGBUILD says. */
struct known {
	char id[SW_ID_MAX + 1];
	struct sw_pkginfo info;
};

struct run {
	const struct sw_master_conf *c;
	const struct sw_updaterun_opts *o;
	struct sw_updaterun_report *rep;
	struct sw_statedir sd;
	bool sd_open;
	struct source *src;
	size_t nsrc;
	struct customs cu;
	struct sw_strvec affected, forced, recheck;
	struct sw_upd_action *acts;
	struct sw_pkginfo *act_info;    /* per action (QUEUE only) */
	size_t nacts, aacts;
	struct known *known;            /* infos of list entries, sorted by id */
	size_t nknown, aknown;
	struct sw_strvec queued;        /* "<id> <action index>", sorted */
	struct sw_strvec tried;         /* ids learn_list tried, sorted */
	struct sw_cache *cache;
	char workdir[PATH_MAX];
	unsigned nwork;
	/*
	 * locks/git-fetch.lock, held from the fetch to the end: a run that
	 * fetched an older head must never write after one that fetched a
	 * newer one, or the state would go back in time.
	 */
	int run_lock;
};

void
sw_updaterun_report_init(struct sw_updaterun_report *r)
{
	memset(r, 0, sizeof(*r));
	sw_strvec_init(&r->messages);
}

void
sw_updaterun_report_release(struct sw_updaterun_report *r)
{
	sw_strvec_release(&r->messages);
}

static void
say(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct run *r, const char *fmt, ...)
{
	char msg[SW_ERR_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sw_strvec_push(&r->rep->messages, msg);
}

/* Copies src into dst, cut to size - 1 bytes. */
static void
copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool
is_root(const char *path)
{
	return strcmp(path, ".") == 0;
}

/* "<dir>/<name>", or name when dir is "." */
static int
subpath(char *out, size_t size, const char *dir, const char *name)
{
	size_t n = is_root(dir) ? (size_t)snprintf(out, size, "%s", name) :
		(size_t)snprintf(out, size, "%s/%s", dir, name);

	return n >= size ? -1 : 0;
}

static struct sw_gitsrc *
repo_of(struct run *r, size_t src, size_t pp)
{
	return pp == NO_PP ? r->src[src].g : r->src[src].pp[pp].g;
}

/* ---- revisions ----------------------------------------------------------------- */

static int
rev_path(struct run *r, const char *name, struct sw_buf *out, struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT;
	int ret;

	if (sw_statedir_path(&r->sd, SW_PATH_REVISIONS, &dir, e) < 0) {
		sw_buf_release(&dir);
		return -1;
	}
	if (strcmp(name, SW_CUSTOMIZATIONS) == 0) {
		sw_buf_reset(out);
		ret = sw_buf_addf(out, "%s/%s", dir.data, name) < 0 ?
			sw_err_sys(e, "cannot build a path") : 0;
	} else
		ret = sw_name_path(out, dir.data, SW_NAME_SOURCE, name, "", e);
	sw_buf_release(&dir);
	return ret;
}

/*
 * Reads revisions/<name>: one "<commit>" line, or "<pkgbase> <commit>"
 * lines (per-package). fn(pkgbase or NULL, commit, arg) for each.
 */
static int
read_revisions(struct run *r, const char *name, bool per_package,
	int (*fn)(struct run *r, const char *pkgbase, const char *commit, void *arg),
	void *arg, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, data = SW_BUF_INIT;
	struct sw_lines lines;
	struct sw_err fe;
	char *f[2];
	int rr, ret = -1;

	if (rev_path(r, name, &path, e) < 0)
		goto out;
	rr = sw_file_read(path.data, REV_MAX_SIZE, &data, e);
	if (rr < 0)
		goto out;
	sw_lines_init(&lines, path.data, &data);
	while ((rr = sw_lines_next(&lines, f, per_package ? 2 : 1, false, 512,
	    e)) == 1) {
		const char *pb = per_package ? f[0] : NULL;
		const char *commit = per_package ? f[1] : f[0];

		if ((pb != NULL && sw_name_check(SW_NAME_PKGBASE, pb, &fe) < 0) ||
		    sw_name_check(SW_NAME_COMMIT, commit, &fe) < 0 ||
		    (!per_package && lines.line > 1 &&
		    sw_err_set(&fe, "more than one line") < 0)) {
			sw_err_set(e, "%s:%d: %s", path.data, lines.line, fe.msg);
			goto out;
		}
		if (fn(r, pb, commit, arg) < 0) {
			sw_err_sys(e, "cannot read '%s'", path.data);
			goto out;
		}
	}
	if (rr < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&path);
	sw_buf_release(&data);
	return ret;
}

static int
set_commit(struct run *r, const char *pkgbase, const char *commit, void *arg)
{
	(void)r;
	(void)pkgbase;
	snprintf(arg, SW_COMMIT_MAX + 1, "%s", commit);
	return 0;
}

static struct pp_repo *
pp_find(struct source *s, const char *pkgbase)
{
	size_t i;

	for (i = 0; i < s->npp; i++)
		if (strcmp(s->pp[i].pkgbase, pkgbase) == 0)
			return &s->pp[i];
	return NULL;
}

static struct pp_repo *
pp_add(struct source *s, const char *pkgbase)
{
	struct pp_repo *p = reallocarray(s->pp, s->npp + 1, sizeof(*p));

	if (p == NULL)
		return NULL;
	s->pp = p;
	p = &s->pp[s->npp++];
	memset(p, 0, sizeof(*p));
	snprintf(p->pkgbase, sizeof(p->pkgbase), "%s", pkgbase);
	return p;
}

static int
set_pp_commit(struct run *r, const char *pkgbase, const char *commit, void *arg)
{
	struct source *s = arg;
	struct pp_repo *p = pp_find(s, pkgbase);

	(void)r;
	if (p == NULL && (p = pp_add(s, pkgbase)) == NULL)
		return -1;
	snprintf(p->rev[OLD], sizeof(p->rev[OLD]), "%s", commit);
	return 0;
}

/* The old revisions of every source and of the customizations. */
static int
load_old(struct run *r, struct sw_err *e)
{
	size_t i, k;

	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		s->rev[OLD][0] = '\0';
		for (k = 0; k < s->npp; k++)
			s->pp[k].rev[OLD][0] = '\0';
		if (s->conf->layout == SW_LAYOUT_PER_PACKAGE) {
			if (read_revisions(r, s->conf->sec.name, true, set_pp_commit, s,
			    e) < 0)
				return -1;
		} else if (read_revisions(r, s->conf->sec.name, false, set_commit,
		    s->rev[OLD], e) < 0)
			return -1;
	}
	r->cu.rev[OLD][0] = '\0';
	if (read_revisions(r, SW_CUSTOMIZATIONS, false, set_commit, r->cu.rev[OLD],
	    e) < 0)
		return -1;
	/* what could not be fetched stays where it is */
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		if (s->failed)
			memcpy(s->rev[NEW], s->rev[OLD], sizeof(s->rev[NEW]));
		for (k = 0; k < s->npp; k++)
			if (s->pp[k].failed)
				memcpy(s->pp[k].rev[NEW], s->pp[k].rev[OLD],
					sizeof(s->pp[k].rev[NEW]));
	}
	if (r->cu.failed)
		memcpy(r->cu.rev[NEW], r->cu.rev[OLD], sizeof(r->cu.rev[NEW]));
	return 0;
}

/* All recorded revisions in one string, to see whether another run moved them. */
static int
revs_digest(const struct run *r, struct sw_buf *out)
{
	size_t i, k;

	sw_buf_reset(out);
	for (i = 0; i < r->nsrc; i++) {
		if (sw_buf_addf(out, "%s;", r->src[i].rev[OLD]) < 0)
			return -1;
		for (k = 0; k < r->src[i].npp; k++)
			if (sw_buf_addf(out, "%s=%s;", r->src[i].pp[k].pkgbase,
			    r->src[i].pp[k].rev[OLD]) < 0)
				return -1;
	}
	return sw_buf_addstr(out, r->cu.rev[OLD]);
}

static bool
anything_new(const struct run *r)
{
	size_t i, k;

	for (i = 0; i < r->nsrc; i++) {
		const struct source *s = &r->src[i];

		if (strcmp(s->rev[OLD], s->rev[NEW]) != 0)
			return true;
		for (k = 0; k < s->npp; k++)
			if (strcmp(s->pp[k].rev[OLD], s->pp[k].rev[NEW]) != 0)
				return true;
	}
	return strcmp(r->cu.rev[OLD], r->cu.rev[NEW]) != 0;
}

/* ---- fetching -------------------------------------------------------------------- */

static int
open_mirror(struct run *r, const char *source, const char *pkgbase,
	bool create, struct sw_gitsrc **g, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT;
	int ret;

	ret = sw_gitsrc_mirror_path(&path, r->sd.dir, source, pkgbase, e);
	if (ret == 0)
		ret = sw_gitsrc_open(g, path.data, create, e);
	sw_buf_release(&path);
	return ret;
}

static int
fetch_one(struct run *r, struct sw_gitsrc *g, const char *url,
	const char *branch, char *commit, const char *what)
{
	struct sw_err fe;

	if (sw_gitsrc_fetch(g, url, branch, commit, &fe) < 0) {
		say(r, "%s: %s", what, fe.msg);
		r->rep->partial = true;
		return -1;
	}
	r->rep->fetched++;
	return 0;
}

static int
fetch_all(struct run *r, struct sw_err *e)
{
	struct sw_buf lockp = SW_BUF_INIT, url = SW_BUF_INIT;
	enum sw_lock_result lr;
	int ret = -1;
	size_t i, k;

	if (sw_statedir_path(&r->sd, SW_PATH_GIT_FETCH_LOCK, &lockp, e) < 0)
		goto out;
	lr = sw_lock_take(lockp.data, r->o->wait ? SW_LOCK_WAIT_FOREVER : 0,
		&r->run_lock, e);
	if (lr != SW_LOCK_OK) {
		ret = lr == SW_LOCK_BUSY ? 1 : -1;
		if (lr == SW_LOCK_BUSY)
			sw_err_set(e, "another get-package-updates is running "
				"(%s is held); try again later, or wait with -b",
				sw_statepath_name(SW_PATH_GIT_FETCH_LOCK));
		goto out;
	}
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];
		char what[256];

		snprintf(what, sizeof(what), "source '%s'", s->conf->sec.name);
		if (s->conf->layout != SW_LAYOUT_PER_PACKAGE) {
			if (open_mirror(r, s->conf->sec.name, NULL, true, &s->g, e) < 0)
				goto out;
			if (fetch_one(r, s->g, s->conf->url, s->conf->branch, s->rev[NEW],
			    what) < 0) {
				s->failed = true;
				memcpy(s->rev[NEW], s->rev[OLD], sizeof(s->rev[NEW]));
			}
			continue;
		}
		for (k = 0; k < s->conf->packages.n; k++) {
			const char *pb = s->conf->packages.v[k];
			struct pp_repo *p = pp_find(s, pb);

			if (p == NULL && (p = pp_add(s, pb)) == NULL) {
				sw_err_sys(e, "cannot fetch");
				goto out;
			}
		}
		for (k = 0; k < s->npp; k++) {
			struct pp_repo *p = &s->pp[k];
			const char *pct;
			bool wanted = sw_strvec_contains(&s->conf->packages, p->pkgbase);

			if (open_mirror(r, s->conf->sec.name, p->pkgbase, wanted, &p->g,
			    e) < 0)
				goto out;
			if (!wanted)
				continue;   /* no longer followed: it goes away */
			pct = strstr(s->conf->url, "%s");
			sw_buf_reset(&url);
			if (sw_buf_add(&url, s->conf->url, (size_t)(pct - s->conf->url)) < 0 ||
			    sw_buf_addstr(&url, p->pkgbase) < 0 ||
			    sw_buf_addstr(&url, pct + 2) < 0) {
				sw_err_sys(e, "cannot fetch");
				goto out;
			}
			snprintf(what, sizeof(what), "source '%s', package '%s'",
				s->conf->sec.name, p->pkgbase);
			if (fetch_one(r, p->g, url.data, s->conf->branch, p->rev[NEW],
			    what) < 0) {
				p->failed = true;
				memcpy(p->rev[NEW], p->rev[OLD], sizeof(p->rev[NEW]));
			}
		}
	}
	if (r->c->customizations != NULL || r->cu.rev[OLD][0]) {
		bool configured = r->c->customizations != NULL;
		int o = open_mirror(r, NULL, NULL, configured, &r->cu.g, e);

		if (o < 0)
			goto out;
		if (configured && fetch_one(r, r->cu.g, r->c->customizations->url,
		    r->c->customizations->branch, r->cu.rev[NEW],
		    "the customizations") < 0) {
			r->cu.failed = true;
			memcpy(r->cu.rev[NEW], r->cu.rev[OLD], sizeof(r->cu.rev[NEW]));
		}
	}
	ret = 0;
out:
	sw_buf_release(&lockp);
	sw_buf_release(&url);
	return ret;
}

/* ---- the customization lists -------------------------------------------------- */

static int
load_list(struct run *r, int side, const char *file, enum sw_custom_kind kind,
	struct sw_custom_list *l, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT;
	struct sw_strvec warnings = SW_STRVEC_INIT;
	size_t i;
	int rr, ret = -1;

	memset(l, 0, sizeof(*l));
	if (r->cu.g == NULL || r->cu.rev[side][0] == '\0')
		return 0;
	rr = sw_gitsrc_read(r->cu.g, r->cu.rev[side], file, SW_CUSTOM_MAX_SIZE,
		&data, e);
	if (rr < 0)
		goto out;
	if (rr == 0 && sw_custom_parse(l, data.data, data.len, kind, file,
	    side == NEW ? &warnings : NULL, e) < 0)
		goto out;
	for (i = 0; i < warnings.n; i++)
		say(r, "customizations: %s", warnings.v[i]);
	ret = 0;
out:
	sw_buf_release(&data);
	sw_strvec_release(&warnings);
	return ret;
}

static int
load_lists(struct run *r, struct sw_err *e)
{
	int side;

	for (side = OLD; side <= NEW; side++) {
		sw_custom_release(&r->cu.bl[side]);
		sw_custom_release(&r->cu.bm[side]);
		sw_custom_release(&r->cu.uo[side]);
		sw_custom_release(&r->cu.ov[side]);
		if (load_list(r, side, SW_CUSTOM_BLACKLIST, SW_CUSTOM_NAMES,
		    &r->cu.bl[side], e) < 0 ||
		    load_list(r, side, SW_CUSTOM_BUILD_MANUALLY, SW_CUSTOM_NAMES,
		    &r->cu.bm[side], e) < 0 ||
		    load_list(r, side, SW_CUSTOM_UPDATE_ONCE, SW_CUSTOM_NAMES,
		    &r->cu.uo[side], e) < 0 ||
		    load_list(r, side, SW_CUSTOM_OVERRIDES, SW_CUSTOM_REPOS,
		    &r->cu.ov[side], e) < 0)
			return -1;
	}
	return 0;
}

/* ---- what is affected ---------------------------------------------------------- */

struct diffctx {
	struct sw_strvec *out;
	int layout;
};

static int
diff_fn(const char *path, void *arg)
{
	struct diffctx *d = arg;
	char pb[SW_PKGNAME_MAX + 1];

	if (sw_layout_pkgbase_of(d->layout, path, pb) != 0)
		return 0;
	return sw_strvec_push(d->out, pb);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and removes duplicates. */
static void
uniq(struct sw_strvec *sv)
{
	size_t i, j;

	if (sv->n < 2)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	for (i = 1, j = 1; i < sv->n; i++) {
		if (strcmp(sv->v[i], sv->v[j - 1]) == 0)
			free(sv->v[i]);
		else
			sv->v[j++] = sv->v[i];
	}
	sv->n = j;
	sv->v[j] = NULL;
}

static bool
sorted_has(const struct sw_strvec *sv, const char *s)
{
	return sv->n > 0 && bsearch(&s, sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

static int
find_affected(struct run *r, struct sw_failures *fails, struct sw_err *e)
{
	struct diffctx d = { &r->affected, SW_LAYOUT_REPO_PKGBASE };
	size_t i, k;

	sw_strvec_release(&r->affected);
	sw_strvec_release(&r->forced);
	sw_strvec_release(&r->recheck);
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		if (s->conf->layout == SW_LAYOUT_PER_PACKAGE) {
			for (k = 0; k < s->npp; k++)
				if (strcmp(s->pp[k].rev[OLD], s->pp[k].rev[NEW]) != 0 &&
				    sw_strvec_push(&r->affected, s->pp[k].pkgbase) < 0)
					return sw_err_sys(e, "cannot collect changes");
			continue;
		}
		if (strcmp(s->rev[OLD], s->rev[NEW]) == 0)
			continue;
		d.layout = s->conf->layout;
		if (sw_gitsrc_diff(s->g, s->rev[OLD][0] ? s->rev[OLD] : NULL,
		    s->rev[NEW], diff_fn, &d, e) < 0)
			return e->msg[0] ? -1 : sw_err_sys(e, "cannot collect changes");
	}
	if (strcmp(r->cu.rev[OLD], r->cu.rev[NEW]) != 0) {
		const char *a = r->cu.rev[OLD][0] ? r->cu.rev[OLD] : NULL;
		const char *b = r->cu.rev[NEW][0] ? r->cu.rev[NEW] : NULL;

		d.layout = SW_LAYOUT_REPO_PKGBASE;
		if (b == NULL) {
			b = a;
			a = NULL;
		}
		if (sw_gitsrc_diff(r->cu.g, a, b, diff_fn, &d, e) < 0 ||
		    sw_custom_changed(&r->cu.bl[OLD], &r->cu.bl[NEW], false,
		    &r->affected, e) < 0 ||
		    sw_custom_changed(&r->cu.ov[OLD], &r->cu.ov[NEW], false,
		    &r->affected, e) < 0 ||
		    sw_custom_changed(&r->cu.uo[OLD], &r->cu.uo[NEW], true,
		    &r->forced, e) < 0 ||
		    sw_custom_changed(&r->cu.bm[OLD], &r->cu.bm[NEW], false,
		    &r->recheck, e) < 0)
			return e->msg[0] ? -1 : sw_err_sys(e, "cannot collect changes");
	}
	for (i = 0; r->o->retry && i < fails->n; i++)
		if (sw_strvec_push(&r->forced, fails->v[i].pkgbase) < 0)
			return sw_err_sys(e, "cannot collect changes");
	for (i = 0; i < r->forced.n; i++)
		if (sw_strvec_push(&r->affected, r->forced.v[i]) < 0)
			return sw_err_sys(e, "cannot collect changes");
	uniq(&r->affected);
	uniq(&r->forced);
	uniq(&r->recheck);
	return 0;
}

/* ---- views: what a revision holds for a pkgbase ------------------------------------ */

static int
tops_fn(const char *name, enum sw_gitobj type, const char *id, void *arg)
{
	(void)id;
	if (type != SW_GIT_TREE || !sw_name_valid(SW_NAME_REPO, name))
		return 0;
	return sw_strvec_push(arg, name);
}

static int
has_pkgbuild(struct sw_gitsrc *g, const char *commit, const char *dir,
	char *tree, struct sw_err *e)
{
	char p[SW_FILENAME_MAX + 16];
	enum sw_gitobj t;

	if (subpath(p, sizeof(p), dir, "PKGBUILD") < 0)
		return 0;
	if (sw_gitsrc_lookup(g, commit, p, &t, NULL, e) < 0)
		return -1;
	if (t != SW_GIT_BLOB)
		return 0;
	if (sw_gitsrc_lookup(g, commit, dir, &t, tree, e) < 0)
		return -1;
	return t == SW_GIT_TREE;
}

struct cands {
	struct cand v[MAX_CANDS];
	size_t n;
};

/* Adds a candidate found in source src at dir, routed to our repository. */
static int
add_cand(struct run *r, struct cands *cs, const char *pkgbase, int side,
	size_t src, size_t pp, const char *up, const char *commit,
	const char *dir, const char *tree, struct sw_err *e)
{
	const char *repo = sw_route_pkg(r->c, &r->cu.ov[side], pkgbase, up);
	struct cand *c = NULL;
	size_t i;

	if (repo == NULL)
		return 0;
	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].repo, repo) == 0) {
			/* a package of the repository's own name wins */
			if (strcmp(cs->v[i].up, repo) == 0 || strcmp(up, repo) != 0)
				return 0;
			c = &cs->v[i];
		}
	if (c == NULL) {
		if (cs->n == MAX_CANDS)
			return 0;
		c = &cs->v[cs->n++];
	}
	memset(c, 0, sizeof(*c));
	c->src = src;
	c->pp = pp;
	c->blacklisted = sw_custom_has(&r->cu.bl[side], pkgbase);
	snprintf(c->up, sizeof(c->up), "%s", up);
	snprintf(c->repo, sizeof(c->repo), "%s", repo);
	snprintf(c->commit, sizeof(c->commit), "%s", commit);
	snprintf(c->path, sizeof(c->path), "%s", dir);
	snprintf(c->tree, sizeof(c->tree), "%s", tree);
	snprintf(c->mod, sizeof(c->mod), "%s", r->cu.rev[side][0] ?
		r->cu.rev[side] : ZERO_COMMIT);
	(void)e;
	return 0;
}

struct svnctx {
	struct run *r;
	struct cands *cs;
	const char *pkgbase;
	int side;
	size_t src;
	struct sw_err *e;
};

static int
svn_fn(const char *name, enum sw_gitobj type, const char *id, void *arg)
{
	struct svnctx *x = arg;
	struct source *s = &x->r->src[x->src];
	char up[SW_REPO_MAX + 1], dir[SW_FILENAME_MAX + 1], tree[SW_COMMIT_MAX + 1];
	int h;

	(void)id;
	if (type != SW_GIT_TREE ||
	    sw_layout_svntogit_repo(name, x->r->c->arch, up) != 0 ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/repos/%s", x->pkgbase, name) >=
	    sizeof(dir))
		return 0;
	h = has_pkgbuild(s->g, s->rev[x->side], dir, tree, x->e);
	if (h <= 0)
		return h;
	return add_cand(x->r, x->cs, x->pkgbase, x->side, x->src, NO_PP, up,
		s->rev[x->side], dir, tree, x->e);
}

static int
view(struct run *r, const char *pkgbase, int side, struct cands *cs,
	struct sw_err *e)
{
	char dir[SW_FILENAME_MAX + 1], tree[SW_COMMIT_MAX + 1];
	size_t i, k;
	int h;

	cs->n = 0;
	if (e != NULL)
		e->msg[0] = '\0';
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];
		const char *commit = s->rev[side];

		switch (s->conf->layout) {
		case SW_LAYOUT_REPO_PKGBASE:
			if (!commit[0])
				break;
			if (!s->tops_done[side]) {
				if (sw_gitsrc_list(s->g, commit, ".", tops_fn, &s->tops[side],
				    e) < 0)
					return e->msg[0] ? -1 : sw_err_sys(e, "cannot list");
				s->tops_done[side] = true;
			}
			for (k = 0; k < s->tops[side].n; k++) {
				snprintf(dir, sizeof(dir), "%s/%s", s->tops[side].v[k], pkgbase);
				if ((h = has_pkgbuild(s->g, commit, dir, tree, e)) < 0)
					return -1;
				if (h && add_cand(r, cs, pkgbase, side, i, NO_PP,
				    s->tops[side].v[k], commit, dir, tree, e) < 0)
					return -1;
			}
			break;
		case SW_LAYOUT_PKGBASE:
			if (!commit[0])
				break;
			if ((h = has_pkgbuild(s->g, commit, pkgbase, tree, e)) < 0)
				return -1;
			if (h && add_cand(r, cs, pkgbase, side, i, NO_PP,
			    s->conf->repository, commit, pkgbase, tree, e) < 0)
				return -1;
			break;
		case SW_LAYOUT_SVNTOGIT: {
			struct svnctx x = { r, cs, pkgbase, side, i, e };

			if (!commit[0])
				break;
			snprintf(dir, sizeof(dir), "%s/repos", pkgbase);
			if (sw_gitsrc_list(s->g, commit, dir, svn_fn, &x, e) < 0)
				return -1;
			break;
		}
		case SW_LAYOUT_PER_PACKAGE:
			for (k = 0; k < s->npp; k++) {
				struct pp_repo *p = &s->pp[k];

				if (strcmp(p->pkgbase, pkgbase) != 0 || !p->rev[side][0] ||
				    p->g == NULL)
					continue;
				if ((h = has_pkgbuild(p->g, p->rev[side], ".", tree, e)) < 0)
					return -1;
				if (h && add_cand(r, cs, pkgbase, side, i, k,
				    s->conf->repository, p->rev[side], ".", tree, e) < 0)
					return -1;
			}
			break;
		}
	}
	/* the customization directory of each */
	for (i = 0; i < cs->n && r->cu.rev[side][0]; i++) {
		struct cand *c = &cs->v[i];
		enum sw_gitobj t;

		snprintf(dir, sizeof(dir), "%s/%s", c->repo, pkgbase);
		if (sw_gitsrc_lookup(r->cu.g, r->cu.rev[side], dir, &t, tree, e) < 0)
			return -1;
		if (t == SW_GIT_TREE) {
			snprintf(c->custom, sizeof(c->custom), "%s", dir);
			snprintf(c->ctree, sizeof(c->ctree), "%s", tree);
		}
	}
	return 0;
}

/* ---- reading package directories ------------------------------------------------ */

static int
mat_fn(const char *rel, enum sw_gitobj type, bool exec, const char *data,
	size_t len, void *arg, struct sw_err *e)
{
	int dfd = *(int *)arg, fd;
	char *target;

	switch (type) {
	case SW_GIT_TREE:
		/* the walk names each path once: one that exists is an attack */
		if (mkdirat(dfd, rel, 0755) < 0)
			return sw_err_sys(e, "cannot create '%s'", rel);
		return 0;
	case SW_GIT_LINK:
		if (memchr(data, '\0', len) != NULL || len == 0)
			return sw_err_set(e, "bad symbolic link '%s'", rel);
		target = strndup(data, len);
		if (target == NULL || symlinkat(target, dfd, rel) < 0) {
			free(target);
			return sw_err_sys(e, "cannot create '%s'", rel);
		}
		free(target);
		return 0;
	case SW_GIT_BLOB:
		fd = openat(dfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			O_CLOEXEC, exec ? 0755 : 0644);
		if (fd < 0 || sw_write_all(fd, data, len) < 0) {
			sw_err_sys(e, "cannot write '%s'", rel);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (close(fd) < 0)
			return sw_err_sys(e, "cannot write '%s'", rel);
		return 0;
	default:
		return 0;
	}
}

static int
make_workdir(struct run *r, struct sw_err *e)
{
	const char *tmp = getenv("TMPDIR");

	if (r->workdir[0])
		return 0;
	/* a tmpfs unless told otherwise: thousands of small files come and go */
	if (tmp == NULL || tmp[0] != '/')
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	if ((size_t)snprintf(r->workdir, sizeof(r->workdir),
	    "%s/slipway-updates.XXXXXX", tmp) >= sizeof(r->workdir) ||
	    mkdtemp(r->workdir) == NULL) {
		r->workdir[0] = '\0';
		return sw_err_sys(e, "cannot create a work directory in '%s'", tmp);
	}
	return 0;
}

static int
rm_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void
remove_workdir(struct run *r)
{
	if (r->workdir[0])
		nftw(r->workdir, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
	r->workdir[0] = '\0';
}

/* Writes the assembled directory of j into the work directory. */
static int
materialize(struct run *r, struct job *j, struct sw_err *e)
{
	struct sw_gitsrc_dir up = { repo_of(r, j->src, j->pp), j->commit, j->path };
	struct sw_gitsrc_dir cu = { r->cu.g, j->mod, j->custom };
	int dfd, ret;

	if (make_workdir(r, e) < 0)
		return -1;
	if ((size_t)snprintf(j->dir, sizeof(j->dir), "%.4000s/%u", r->workdir,
	    r->nwork++) >= sizeof(j->dir))
		return sw_err_set(e, "work directory path too long");
	if (mkdir(j->dir, 0755) < 0)
		return sw_err_sys(e, "cannot create '%s'", j->dir);
	dfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return sw_err_sys(e, "cannot open '%s'", j->dir);
	ret = sw_gitsrc_walk(&up, j->custom[0] ? &cu : NULL, DIR_CAP, mat_fn, &dfd, e);
	close(dfd);
	return ret;
}

static int
lookup_in(struct sw_gitsrc *g, const char *commit, const char *dir,
	const char *name, enum sw_gitobj *t, struct sw_err *e)
{
	char p[SW_FILENAME_MAX + 16];

	*t = SW_GIT_NONE;
	if (subpath(p, sizeof(p), dir, name) < 0)
		return 0;
	return sw_gitsrc_lookup(g, commit, p, t, NULL, e);
}

/*
 * A .SRCINFO in git: the customization's, or upstream's unless the
 * customization appends to the PKGBUILD. 0 used, 1 not applicable.
 */
static int
from_srcinfo_file(struct run *r, struct job *j, struct sw_err *e)
{
	struct sw_gitsrc *g = repo_of(r, j->src, j->pp), *from = g;
	struct sw_buf data = SW_BUF_INIT;
	enum sw_gitobj up_si, c_si = SW_GIT_NONE, c_pb = SW_GIT_NONE;
	const char *commit = j->commit, *dir = j->path;
	char p[SW_FILENAME_MAX + 16];
	int ret = -1;

	if (lookup_in(g, j->commit, j->path, ".SRCINFO", &up_si, e) < 0)
		return -1;
	if (j->custom[0] &&
	    (lookup_in(r->cu.g, j->mod, j->custom, ".SRCINFO", &c_si, e) < 0 ||
	    lookup_in(r->cu.g, j->mod, j->custom, "PKGBUILD", &c_pb, e) < 0))
		return -1;
	if (c_si == SW_GIT_BLOB) {
		from = r->cu.g;
		commit = j->mod;
		dir = j->custom;
	} else if (up_si != SW_GIT_BLOB || c_pb != SW_GIT_NONE)
		return 1;
	subpath(p, sizeof(p), dir, ".SRCINFO");
	if (sw_gitsrc_read(from, commit, p, SW_SRCINFO_MAX_SIZE, &data, e) != 0)
		goto out;
	if (sw_srcinfo_parse(&j->si, data.data, data.len, ".SRCINFO", e) < 0) {
		snprintf(j->error, sizeof(j->error), "%s", e->msg);
		j->state = -1;
	} else
		j->state = 1;
	ret = 0;
out:
	sw_buf_release(&data);
	return ret;
}

/* Reads the materialized jobs of one trust domain in the sandbox. */
static int
sandbox(struct run *r, struct job *jobs, const size_t *which, size_t m,
	struct sw_introspect_item *items, struct sw_err *e)
{
	char key[SW_CACHE_KEY_MAX + 1];
	const char *bind = r->workdir;
	struct sw_err ce;
	size_t k;

	for (k = 0; k < m; k++)
		items[k].dir = jobs[which[k]].dir;
	if (sw_introspect_run(&r->o->introspect, &bind, 1, items, m, e) < 0)
		return -1;
	for (k = 0; k < m; k++) {
		struct job *j = &jobs[which[k]];

		r->rep->read++;
		if (!items[k].ok) {
			snprintf(j->error, sizeof(j->error), "%s", items[k].error);
			j->state = -1;
			continue;
		}
		sw_srcinfo_release(&j->si);
		j->si = items[k].srcinfo;
		sw_srcinfo_init(&items[k].srcinfo);
		j->state = 1;
		if (sw_introspect_cache_key(key, j->tree,
		    j->ctree[0] ? j->ctree : NULL, r->c->arch, e) < 0)
			return -1;
		if (sw_introspect_cache_put(r->cache, key, &j->si, &ce) < 0)
			say(r, "cannot cache: %s", ce.msg);
	}
	return 0;
}

#define CHUNK 1000

/*
 * Reads every job: the cache, a .SRCINFO, else the sandbox: CHUNK
 * directories at a time are written to the work directory and read, a
 * batch per trust domain (a source, or a package of a per-package source).
 */
static int
read_jobs(struct run *r, struct job *jobs, size_t n, struct sw_err *e)
{
	struct sw_introspect_item *items = NULL;
	size_t *which = NULL, i, k, m, start, end;
	char key[SW_CACHE_KEY_MAX + 1];
	struct sw_err ce;
	int ret = -1;

	if (n == 0)
		return 0;
	items = calloc(n + 1, sizeof(*items));
	which = calloc(n + 1, sizeof(*which));
	if (items == NULL || which == NULL ||
	    (r->cache == NULL &&
	    sw_introspect_cache_open(&r->cache, r->sd.dir, e) < 0)) {
		if (e->msg[0] == '\0')
			sw_err_sys(e, "cannot read packages");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		int rr;

		j->state = 0;
		if (sw_introspect_cache_key(key, j->tree, j->ctree[0] ? j->ctree : NULL,
		    r->c->arch, e) < 0)
			goto out;
		rr = sw_introspect_cache_get(r->cache, key, &j->si, e);
		if (rr < 0)
			goto out;
		if (rr == 0) {
			j->state = 1;
			r->rep->cached++;
			continue;
		}
		rr = from_srcinfo_file(r, j, &ce);
		if (rr < 0) {
			snprintf(j->error, sizeof(j->error), "%s", ce.msg);
			j->state = -1;
		} else if (rr == 0 && j->state == 1 &&
		    sw_introspect_cache_put(r->cache, key, &j->si, &ce) < 0)
			say(r, "cannot cache: %s", ce.msg);
	}
	for (start = 0; start < n; start = end) {
		for (end = start, m = 0; end < n && m < CHUNK; end++) {
			if (jobs[end].state != 0)
				continue;
			if (materialize(r, &jobs[end], &ce) < 0) {
				snprintf(jobs[end].error, sizeof(jobs[end].error), "%s", ce.msg);
				jobs[end].state = -1;
				continue;
			}
			m++;
		}
		for (i = start; i < end; i++) {
			if (jobs[i].state != 0)
				continue;
			for (m = 0, k = i; k < end; k++)
				if (jobs[k].state == 0 && jobs[k].src == jobs[i].src &&
				    jobs[k].pp == jobs[i].pp)
					which[m++] = k;
			if (sandbox(r, jobs, which, m, items, e) < 0)
				goto out;
		}
		remove_workdir(r);
	}
	ret = 0;
out:
	for (i = 0; items != NULL && i < n; i++)
		sw_introspect_item_release(&items[i]);
	free(items);
	free(which);
	return ret;
}

static void
jobs_release(struct job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sw_srcinfo_release(&jobs[i].si);
	free(jobs);
}

/* ---- actions ------------------------------------------------------------------------- */

static struct sw_upd_action *
new_action(struct run *r, enum sw_upd_kind kind, const char *pkgbase,
	const char *repo)
{
	struct sw_upd_action *a;

	if (r->nacts == r->aacts) {
		size_t na = r->aacts ? r->aacts * 2 : 64;
		struct sw_upd_action *p = reallocarray(r->acts, na, sizeof(*p));
		struct sw_pkginfo *q;

		if (p == NULL)
			return NULL;
		r->acts = p;
		q = reallocarray(r->act_info, na, sizeof(*q));
		if (q == NULL)
			return NULL;
		r->act_info = q;
		r->aacts = na;
	}
	a = &r->acts[r->nacts];
	sw_upd_action_init(a, kind, pkgbase, repo);
	sw_pkginfo_init(&r->act_info[r->nacts]);
	r->nacts++;
	return a;
}

static void
actions_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nacts; i++) {
		sw_upd_action_release(&r->acts[i]);
		sw_pkginfo_release(&r->act_info[i]);
	}
	r->nacts = 0;
}

static void
job_from_cand(struct job *j, const char *pkgbase, const struct cand *c)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->pkgbase, sizeof(j->pkgbase), "%s", pkgbase);
	j->src = c->src;
	j->pp = c->pp;
	memcpy(j->commit, c->commit, sizeof(j->commit));
	memcpy(j->path, c->path, sizeof(j->path));
	memcpy(j->mod, c->mod, sizeof(j->mod));
	memcpy(j->custom, c->custom, sizeof(j->custom));
	memcpy(j->tree, c->tree, sizeof(j->tree));
	memcpy(j->ctree, c->ctree, sizeof(j->ctree));
	sw_srcinfo_init(&j->si);
}

static const char *
where(const struct run *r, const struct job *j, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", r->src[j->src].conf->sec.name,
		is_root(j->path) ? "" : ":", is_root(j->path) ? "" : j->path);
	return buf;
}

/* What plan decided to read for one (pkgbase, repository). */
struct want {
	char repo[SW_REPO_MAX + 1];
	bool was;                       /* present at the old revisions */
};

/* The action for a read job: QUEUE, DROP (nothing for our arch) or FAIL. */
static int
job_action(struct run *r, struct job *j, const struct want *w, struct sw_err *e)
{
	struct sw_upd_action *a;
	struct sw_pkginfo info;
	struct sw_err ie;
	char at[SW_FILENAME_MAX + SW_SLAVE_MAX + 4];
	size_t k;

	sw_pkginfo_init(&info);
	if (j->state == 1 && strcmp(j->si.base.name, j->pkgbase) != 0) {
		char q[SW_PKGNAME_MAX * 4 + 1];

		sw_name_quote(j->si.base.name, strlen(j->si.base.name), q, sizeof(q));
		snprintf(j->error, sizeof(j->error), "the directory holds pkgbase '%s'",
			q);
		j->state = -1;
	}
	if (j->state == 1 && sw_srcinfo_info(&j->si, r->c->arch, &info, &ie) < 0) {
		snprintf(j->error, sizeof(j->error), "%s", ie.msg);
		j->state = -1;
	}
	if (j->state != 1) {
		say(r, "cannot read '%s' (%s): %s", j->pkgbase,
			where(r, j, at, sizeof(at)), j->error);
		r->rep->partial = true;
		if ((a = new_action(r, SW_UPD_FAIL, j->pkgbase, w->repo)) == NULL)
			return sw_err_sys(e, "cannot collect changes");
		copy(a->message, sizeof(a->message), j->error);
		return 0;
	}
	if (info.pkgnames.n == 0) {
		say(r, "'%s' (%s) builds nothing for %s: not on the build list",
			j->pkgbase, where(r, j, at, sizeof(at)), r->c->arch);
		sw_pkginfo_release(&info);
		if (!w->was)
			return 0;
		return new_action(r, SW_UPD_DROP, j->pkgbase, w->repo) ? 0 :
			sw_err_sys(e, "cannot collect changes");
	}
	if ((a = new_action(r, SW_UPD_QUEUE, j->pkgbase, w->repo)) == NULL) {
		sw_pkginfo_release(&info);
		return sw_err_sys(e, "cannot collect changes");
	}
	snprintf(a->meta.source, sizeof(a->meta.source), "%s",
		r->src[j->src].conf->sec.name);
	snprintf(a->meta.path, sizeof(a->meta.path), "%s", j->path);
	snprintf(a->meta.custom, sizeof(a->meta.custom), "%s", j->custom);
	snprintf(a->meta.version, sizeof(a->meta.version), "%s", info.version);
	memcpy(a->src, j->commit, sizeof(a->src));
	memcpy(a->mod, j->mod, sizeof(a->mod));
	r->act_info[r->nacts - 1] = info;
	for (k = 0; k < info.pkgnames.n; k++)
		if (sw_strvec_push(&a->meta.pkgnames, info.pkgnames.v[k]) < 0)
			return sw_err_sys(e, "cannot collect changes");
	return 0;
}

static const struct cand *
cand_for(const struct cands *cs, const char *repo)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].repo, repo) == 0)
			return &cs->v[i];
	return NULL;
}

static bool
same(const struct cand *a, const struct cand *b)
{
	return a->src == b->src && a->pp == b->pp && strcmp(a->path, b->path) == 0 &&
		strcmp(a->tree, b->tree) == 0 && strcmp(a->ctree, b->ctree) == 0;
}

static int
cmp_str_prefix_id(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strcspn(x, " "), ly = strcspn(y, " ");
	int c = strncmp(x, y, lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

/* The index of the QUEUE action for id, or -1. */
static long
queued_index(const struct run *r, const char *id)
{
	char *const *f;
	const char *key = id;

	if (r->queued.n == 0)
		return -1;
	f = bsearch(&key, r->queued.v, r->queued.n, sizeof(*r->queued.v),
		cmp_str_prefix_id);
	return f ? strtol(strchr(*f, ' ') + 1, NULL, 10) : -1;
}

static struct sw_pkginfo *
queued_info(struct run *r, const struct sw_id *id)
{
	char s[SW_ID_MAX + 1];
	long i;

	sw_id_format(id, s, sizeof(s));
	i = queued_index(r, s);
	return i < 0 ? NULL : &r->act_info[i];
}

static int
index_queued(struct run *r, struct sw_err *e)
{
	struct sw_id id;
	char s[SW_ID_MAX + 1];
	size_t i;

	sw_strvec_release(&r->queued);
	for (i = 0; i < r->nacts; i++) {
		const struct sw_upd_action *a = &r->acts[i];

		if (a->kind != SW_UPD_QUEUE)
			continue;
		if (sw_id_from_fields(&id, a->meta.pkgbase, a->src, a->mod,
		    a->meta.repo, e) < 0)
			return -1;
		sw_id_format(&id, s, sizeof(s));
		if (sw_strvec_pushf(&r->queued, "%s %zu", s, i) < 0)
			return sw_err_sys(e, "cannot collect changes");
	}
	if (r->queued.n > 1)
		qsort(r->queued.v, r->queued.n, sizeof(*r->queued.v),
			cmp_str_prefix_id);
	return 0;
}

/* Compares old and new for every affected pkgbase; reads what is queued. */
static int
plan(struct run *r, struct sw_err *e)
{
	struct cands *old = NULL, *cur = NULL;
	struct job *jobs = NULL;
	struct want *wants = NULL;
	size_t njobs = 0, ajobs = 0, i, k;
	int ret = -1;

	actions_release(r);
	old = malloc(sizeof(*old));
	cur = malloc(sizeof(*cur));
	if (old == NULL || cur == NULL)
		goto nomem;
	for (i = 0; i < r->affected.n; i++) {
		const char *pb = r->affected.v[i];
		bool forced = sorted_has(&r->forced, pb);

		if (view(r, pb, OLD, old, e) < 0 || view(r, pb, NEW, cur, e) < 0)
			goto out;
		for (k = 0; k < cur->n; k++) {
			const struct cand *n = &cur->v[k], *o = cand_for(old, n->repo);
			bool was = o != NULL && !o->blacklisted;

			if (n->blacklisted) {
				if (was && !new_action(r, SW_UPD_DROP, pb, n->repo))
					goto nomem;
				continue;
			}
			if (was && same(o, n) && !forced)
				continue;
			if (njobs == ajobs) {
				size_t na = ajobs ? ajobs * 2 : 64;
				struct job *jp = reallocarray(jobs, na, sizeof(*jp));
				struct want *wp;

				if (jp == NULL)
					goto nomem;
				jobs = jp;
				wp = reallocarray(wants, na, sizeof(*wp));
				if (wp == NULL)
					goto nomem;
				wants = wp;
				ajobs = na;
			}
			job_from_cand(&jobs[njobs], pb, n);
			snprintf(wants[njobs].repo, sizeof(wants[njobs].repo), "%s",
				n->repo);
			wants[njobs].was = was;
			njobs++;
		}
		for (k = 0; k < old->n; k++) {
			const struct cand *o = &old->v[k];

			if (!o->blacklisted && cand_for(cur, o->repo) == NULL &&
			    !new_action(r, SW_UPD_REMOVE, pb, o->repo))
				goto nomem;
		}
	}
	if (read_jobs(r, jobs, njobs, e) < 0)
		goto out;
	for (i = 0; i < njobs; i++)
		if (job_action(r, &jobs[i], &wants[i], e) < 0)
			goto out;
	ret = index_queued(r, e);
	goto out;
nomem:
	sw_err_sys(e, "cannot collect changes");
out:
	free(old);
	free(cur);
	free(wants);
	if (jobs != NULL)
		jobs_release(jobs, njobs);
	return ret;
}

/* ---- what the PKGBUILDs of the build list say ---------------------------------------- */

static int
cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct known *)a)->id, ((const struct known *)b)->id);
}

static struct sw_pkginfo *
known_get(struct run *r, const struct sw_id *id)
{
	struct known k, *f;

	sw_id_format(id, k.id, sizeof(k.id));
	f = r->nknown ? bsearch(&k, r->known, r->nknown, sizeof(k), cmp_known) : NULL;
	return f ? &f->info : NULL;
}

static long
source_index(const struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nsrc; i++)
		if (strcmp(r->src[i].conf->sec.name, name) == 0)
			return (long)i;
	return -1;
}

static bool
tried(const struct run *r, const char *id)
{
	return sorted_has(&r->tried, id);
}

/* Sets up j to read the entry id (with its build-meta m); 0 ok, 1 impossible. */
static int
job_for_entry(struct run *r, struct job *j, const struct sw_id *id,
	const struct sw_buildmeta_entry *m)
{
	long si = source_index(r, m->source);
	struct sw_err je;
	enum sw_gitobj t;
	struct pp_repo *pp;

	memset(j, 0, sizeof(*j));
	sw_srcinfo_init(&j->si);
	if (si < 0)
		return 1;
	sw_id_format(id, j->id, sizeof(j->id));
	snprintf(j->pkgbase, sizeof(j->pkgbase), "%s", id->pkgbase);
	j->src = (size_t)si;
	j->pp = NO_PP;
	if (r->src[si].conf->layout == SW_LAYOUT_PER_PACKAGE) {
		pp = pp_find(&r->src[si], id->pkgbase);
		if (pp == NULL)
			return 1;
		j->pp = (size_t)(pp - r->src[si].pp);
	}
	snprintf(j->commit, sizeof(j->commit), "%s", id->src);
	snprintf(j->path, sizeof(j->path), "%s", m->path);
	snprintf(j->mod, sizeof(j->mod), "%s", id->mod);
	snprintf(j->custom, sizeof(j->custom), "%s", m->custom);
	if (repo_of(r, j->src, j->pp) == NULL ||
	    sw_gitsrc_lookup(repo_of(r, j->src, j->pp), j->commit, j->path, &t,
	    j->tree, &je) < 0 || t != SW_GIT_TREE)
		return 1;
	if (j->custom[0] && (r->cu.g == NULL ||
	    sw_gitsrc_lookup(r->cu.g, j->mod, j->custom, &t, j->ctree, &je) < 0 ||
	    t != SW_GIT_TREE))
		return 1;
	return 0;
}

/*
 * Learns what the PKGBUILD of every build-list entry says that this run
 * does not queue (read without the lock; normally all from the cache).
 */
static int
learn_list(struct run *r, struct sw_err *e)
{
	struct sw_build_list l = { NULL, 0, 0 };
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	struct job *jobs = NULL;
	struct sw_err je;
	size_t nj = 0, i;
	int ret = -1;

	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_read(p.data, &l, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_read(p.data, &m, e) < 0)
		goto out;
	jobs = calloc(l.n + 1, sizeof(*jobs));
	if (jobs == NULL)
		goto nomem;
	for (i = 0; i < l.n; i++) {
		const struct sw_id *id = &l.v[i];
		long mi;
		char s[SW_ID_MAX + 1];

		sw_id_format(id, s, sizeof(s));
		if (known_get(r, id) || queued_info(r, id) || tried(r, s))
			continue;
		if (sw_strvec_push(&r->tried, s) < 0)
			goto nomem;
		mi = sw_buildmeta_find(&m, id->pkgbase, id->repo);
		if (mi >= 0 && job_for_entry(r, &jobs[nj], id, &m.v[mi]) == 0)
			nj++;
	}
	uniq(&r->tried);
	if (read_jobs(r, jobs, nj, e) < 0)
		goto out;
	for (i = 0; i < nj; i++) {
		struct known *kn;

		if (r->nknown == r->aknown) {
			size_t na = r->aknown ? r->aknown * 2 : 256;
			struct known *np = reallocarray(r->known, na, sizeof(*np));

			if (np == NULL)
				goto nomem;
			r->known = np;
			r->aknown = na;
		}
		kn = &r->known[r->nknown];
		sw_pkginfo_init(&kn->info);
		if (jobs[i].state != 1 ||
		    sw_srcinfo_info(&jobs[i].si, r->c->arch, &kn->info, &je) < 0)
			continue;
		memcpy(kn->id, jobs[i].id, sizeof(kn->id));
		r->nknown++;
	}
	if (r->nknown > 1)
		qsort(r->known, r->nknown, sizeof(*r->known), cmp_known);
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot read the build list");
out:
	if (jobs != NULL)
		jobs_release(jobs, nj);
	sw_buildlist_release(&l);
	sw_buildmeta_release(&m);
	sw_buf_release(&p);
	return ret;
}

/* ---- writing ------------------------------------------------------------------------- */

static int
write_revisions(struct run *r, struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf path = SW_BUF_INIT, b = SW_BUF_INIT;
	size_t i, k;
	int ret = -1;

	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		sw_buf_reset(&b);
		if (s->conf->layout == SW_LAYOUT_PER_PACKAGE) {
			for (k = 0; k < s->npp; k++)
				if (s->pp[k].rev[NEW][0] &&
				    sw_strvec_contains(&s->conf->packages, s->pp[k].pkgbase) &&
				    sw_buf_addf(&b, "%s %s\n", s->pp[k].pkgbase,
				    s->pp[k].rev[NEW]) < 0)
					goto nomem;
		} else if (s->rev[NEW][0] && sw_buf_addf(&b, "%s\n", s->rev[NEW]) < 0)
			goto nomem;
		if (rev_path(r, s->conf->sec.name, &path, e) < 0 ||
		    sw_txn_replace(t, path.data, b.data, b.len, 0644, e) < 0)
			goto out;
	}
	if (rev_path(r, SW_CUSTOMIZATIONS, &path, e) < 0)
		goto out;
	if (r->cu.rev[NEW][0]) {
		sw_buf_reset(&b);
		if (sw_buf_addf(&b, "%s\n", r->cu.rev[NEW]) < 0)
			goto nomem;
		if (sw_txn_replace(t, path.data, b.data, b.len, 0644, e) < 0)
			goto out;
	} else if (r->cu.rev[OLD][0] && sw_txn_remove(t, path.data, e) < 0)
		goto out;
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot write revisions");
out:
	sw_buf_release(&path);
	sw_buf_release(&b);
	return ret;
}

static int
write_loops(struct run *r, struct sw_updates *u, struct sw_upd_loops *loops,
	struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT, path = SW_BUF_INIT, text = SW_BUF_INIT;
	struct sw_strvec names = SW_STRVEC_INIT;
	char name[SW_ID_MAX + 1];
	struct dirent *de;
	DIR *d = NULL;
	size_t i;
	int ret = -1;

	if (sw_statedir_path(&r->sd, SW_PATH_LOOPS, &dir, e) < 0)
		goto out;
	for (i = 0; i < loops->n; i++) {
		sw_buf_reset(&text);
		if (sw_updates_loop_text(u, &loops->v[i], name, sizeof(name), &text,
		    e) < 0 ||
		    sw_name_path(&path, dir.data, SW_NAME_ID, name, "", e) < 0 ||
		    sw_txn_replace(t, path.data, text.data, text.len, 0644, e) < 0)
			goto out;
		if (sw_strvec_push(&names, name) < 0) {
			sw_err_sys(e, "cannot write loops");
			goto out;
		}
	}
	d = opendir(dir.data);
	if (d == NULL) {
		sw_err_sys(e, "cannot read '%s'", dir.data);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || sw_strvec_contains(&names, de->d_name) ||
		    !sw_name_valid(SW_NAME_ID, de->d_name))
			continue;
		if (sw_name_path(&path, dir.data, SW_NAME_ID, de->d_name, "", e) < 0 ||
		    sw_txn_remove(t, path.data, e) < 0)
			goto out;
	}
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&dir);
	sw_buf_release(&path);
	sw_buf_release(&text);
	sw_strvec_release(&names);
	return ret;
}

/* An info from build-meta alone, for an entry whose PKGBUILD cannot be read now. */
static struct sw_pkginfo *
meta_info(struct run *r, const struct sw_buildmeta *m, const struct sw_id *id,
	struct sw_pkginfo *out)
{
	long mi = sw_buildmeta_find(m, id->pkgbase, id->repo);
	size_t k;

	sw_pkginfo_init(out);
	if (mi < 0)
		return NULL;
	snprintf(out->version, sizeof(out->version), "%s", m->v[mi].version);
	for (k = 0; k < m->v[mi].pkgnames.n; k++)
		if (sw_strvec_push(&out->pkgnames, m->v[mi].pkgnames.v[k]) < 0)
			return NULL;
	say(r, "'%s' in '%s': its PKGBUILD could not be read again; ordered "
		"without its dependencies", id->pkgbase, id->repo);
	return out;
}

/*
 * Under build-list.lock: merge, order, write. 0 done, 1 start again (the
 * list holds entries this run has not tried to learn yet).
 */
static int
commit(struct run *r, struct sw_err *e)
{
	struct sw_build_list list = { NULL, 0, 0 };
	struct sw_deletion_list del = { NULL, 0, 0 };
	struct sw_buildmeta meta = { NULL, 0, 0 };
	struct sw_failures fails = { NULL, 0, 0 };
	struct sw_upd_loops loops = { NULL, 0 };
	struct sw_pkginfo **info = NULL, *fallback = NULL;
	struct sw_updates u;
	struct sw_txn t;
	struct sw_buf p = SW_BUF_INIT;
	bool txn = false;
	size_t i, nfb = 0;
	int ret = -1;

	sw_updates_init(&u);
	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_read(p.data, &list, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_DELETION_LIST, &p, e) < 0 ||
	    sw_deletionlist_read(p.data, &del, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_read(p.data, &meta, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_PKGBUILD_ERRORS, &p, e) < 0 ||
	    sw_failures_read(p.data, &fails, e) < 0)
		goto out;
	for (i = 0; i < list.n; i++) {
		char s[SW_ID_MAX + 1];

		sw_id_format(&list.v[i], s, sizeof(s));
		if (!known_get(r, &list.v[i]) && !queued_info(r, &list.v[i]) &&
		    !tried(r, s)) {
			ret = 1;
			goto out;
		}
	}
	if (sw_statedir_txn_begin(&r->sd, SW_LOCK_BUILD_LIST, &t, e) < 0)
		goto out;
	txn = true;
	u.state_dir = r->sd.dir;
	u.list = &list;
	u.del = &del;
	u.meta = &meta;
	u.failures = &fails;
	u.build_manually = &r->cu.bm[NEW];
	u.recheck = &r->recheck;
	u.now = (int64_t)time(NULL);
	u.txn = &t;
	if (sw_updates_merge(&u, r->acts, r->nacts, e) < 0)
		goto out;
	info = calloc(list.n + 1, sizeof(*info));
	fallback = calloc(list.n + 1, sizeof(*fallback));
	if (info == NULL || fallback == NULL) {
		sw_err_sys(e, "cannot order the build list");
		goto out;
	}
	for (i = 0; i < list.n; i++) {
		info[i] = queued_info(r, &list.v[i]);
		if (info[i] == NULL)
			info[i] = known_get(r, &list.v[i]);
		if (info[i] == NULL)
			info[i] = meta_info(r, &meta, &list.v[i], &fallback[nfb++]);
	}
	if (sw_updates_order(&u, info, &loops, e) < 0)
		goto out;
	for (i = 0; i < u.warnings.n; i++)
		say(r, "%s", u.warnings.v[i]);
	if (sw_statedir_path(&r->sd, SW_PATH_BUILD_LIST, &p, e) < 0 ||
	    sw_buildlist_write(p.data, &list, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_DELETION_LIST, &p, e) < 0 ||
	    sw_deletionlist_write(p.data, &del, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_BUILD_META, &p, e) < 0 ||
	    sw_buildmeta_write(p.data, &meta, &t, e) < 0 ||
	    sw_statedir_path(&r->sd, SW_PATH_PKGBUILD_ERRORS, &p, e) < 0 ||
	    sw_failures_write(p.data, &fails, &t, e) < 0 ||
	    write_loops(r, &u, &loops, &t, e) < 0 ||
	    write_revisions(r, &t, e) < 0 ||
	    sw_txn_commit(&t, e) < 0)
		goto out;
	r->rep->queued = u.queued;
	r->rep->updated = u.updated;
	r->rep->removed = u.removed;
	r->rep->deleted = u.deleted;
	r->rep->failed = u.failed;
	r->rep->blocked = u.blocked;
	r->rep->unblocked = u.unblocked;
	r->rep->loops = loops.n;
	r->rep->listed = list.n;
	ret = 0;
out:
	if (txn)
		sw_txn_abort(&t);
	for (i = 0; i < nfb; i++)
		sw_pkginfo_release(&fallback[i]);
	free(fallback);
	free(info);
	sw_upd_loops_release(&loops);
	sw_updates_release(&u);
	sw_buildlist_release(&list);
	sw_deletionlist_release(&del);
	sw_buildmeta_release(&meta);
	sw_failures_release(&fails);
	sw_buf_release(&p);
	return ret;
}

/* ---- the run ---------------------------------------------------------------------------- */

static void
run_release(struct run *r)
{
	size_t i, k;

	actions_release(r);
	free(r->acts);
	free(r->act_info);
	for (i = 0; i < r->nknown; i++)
		sw_pkginfo_release(&r->known[i].info);
	free(r->known);
	sw_strvec_release(&r->queued);
	sw_strvec_release(&r->tried);
	for (i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];

		sw_gitsrc_close(s->g);
		for (k = 0; k < s->npp; k++)
			sw_gitsrc_close(s->pp[k].g);
		free(s->pp);
		sw_strvec_release(&s->tops[OLD]);
		sw_strvec_release(&s->tops[NEW]);
	}
	free(r->src);
	sw_gitsrc_close(r->cu.g);
	for (i = 0; i < 2; i++) {
		sw_custom_release(&r->cu.bl[i]);
		sw_custom_release(&r->cu.bm[i]);
		sw_custom_release(&r->cu.uo[i]);
		sw_custom_release(&r->cu.ov[i]);
	}
	sw_strvec_release(&r->affected);
	sw_strvec_release(&r->forced);
	sw_strvec_release(&r->recheck);
	remove_workdir(r);
	sw_introspect_cache_close(r->cache);
	if (r->sd_open)
		sw_statedir_release(&r->sd);
	sw_lock_release(&r->run_lock);
}

/* Compares the old revisions with the new ones and plans what to do. */
static int
replan(struct run *r, struct sw_buf *digest, bool *nothing, struct sw_err *e)
{
	struct sw_failures fails = { NULL, 0, 0 };
	struct sw_buf p = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	*nothing = false;
	if (!anything_new(r) && !r->o->retry) {
		*nothing = true;
		ret = 0;
		goto out;
	}
	if (sw_statedir_path(&r->sd, SW_PATH_PKGBUILD_ERRORS, &p, e) < 0 ||
	    sw_failures_read(p.data, &fails, e) < 0)
		goto out;
	for (i = 0; i < r->nsrc; i++) {
		sw_strvec_release(&r->src[i].tops[OLD]);
		r->src[i].tops_done[OLD] = false;
	}
	if (load_lists(r, e) < 0 || find_affected(r, &fails, e) < 0 ||
	    plan(r, e) < 0)
		goto out;
	if (revs_digest(r, digest) < 0) {
		sw_err_sys(e, "cannot compare revisions");
		goto out;
	}
	ret = 0;
out:
	sw_failures_release(&fails);
	sw_buf_release(&p);
	return ret;
}

enum sw_updaterun_result
sw_updaterun(const struct sw_master_conf *c, const struct sw_updaterun_opts *o,
	struct sw_updaterun_report *rep, struct sw_err *e)
{
	struct run r;
	struct sw_buf planned = SW_BUF_INIT, now = SW_BUF_INIT;
	enum sw_updaterun_result ret = SW_RUN_ERROR;
	enum sw_lock_result lr;
	bool nothing;
	int attempt, f, cr;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.run_lock = -1;
	r.c = c;
	r.o = o;
	r.rep = rep;
	sw_strvec_init(&r.affected);
	sw_strvec_init(&r.forced);
	sw_strvec_init(&r.recheck);
	sw_strvec_init(&r.queued);
	sw_strvec_init(&r.tried);
	if (sw_statedir_open(&r.sd, c->state_dir, e) < 0)
		goto out;
	r.sd_open = true;
	r.nsrc = c->nsources;
	r.src = calloc(r.nsrc + 1, sizeof(*r.src));
	if (r.src == NULL) {
		sw_err_sys(e, "cannot start");
		goto out;
	}
	for (i = 0; i < r.nsrc; i++) {
		r.src[i].conf = &c->sources[i];
		sw_strvec_init(&r.src[i].tops[OLD]);
		sw_strvec_init(&r.src[i].tops[NEW]);
	}
	if (load_old(&r, e) < 0)
		goto out;
	f = fetch_all(&r, e);
	if (f != 0) {
		ret = f > 0 ? SW_RUN_BUSY : SW_RUN_ERROR;
		goto out;
	}
	if (replan(&r, &planned, &nothing, e) < 0)
		goto out;
	if (nothing) {
		rep->nothing_new = true;
		ret = SW_RUN_OK;
		goto out;
	}
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		if (learn_list(&r, e) < 0)
			goto out;
		lr = sw_statedir_lock(&r.sd, SW_LOCK_BUILD_LIST,
			o->wait ? SW_LOCK_WAIT_FOREVER : 0, e);
		if (lr == SW_LOCK_BUSY) {
			sw_err_set(e, "the build list is busy (locks/build-list.lock is "
				"held); try again later, or wait with -b");
			ret = SW_RUN_BUSY;
			goto out;
		}
		if (lr != SW_LOCK_OK)
			goto out;
		if (load_old(&r, e) < 0 || revs_digest(&r, &now) < 0) {
			sw_statedir_unlock(&r.sd, SW_LOCK_BUILD_LIST);
			if (e->msg[0] == '\0')
				sw_err_sys(e, "cannot compare revisions");
			goto out;
		}
		if (strcmp(now.data, planned.data) != 0) {
			/* a crashed run's journal was just finished: plan again from it */
			sw_statedir_unlock(&r.sd, SW_LOCK_BUILD_LIST);
			if (replan(&r, &planned, &nothing, e) < 0)
				goto out;
			if (nothing) {
				rep->nothing_new = true;
				ret = SW_RUN_OK;
				goto out;
			}
			continue;
		}
		cr = commit(&r, e);
		sw_statedir_unlock(&r.sd, SW_LOCK_BUILD_LIST);
		if (cr < 0)
			goto out;
		if (cr == 0) {
			ret = SW_RUN_OK;
			goto out;
		}
	}
	sw_err_set(e, "the state kept changing under this run; try again");
out:
	sw_buf_release(&planned);
	sw_buf_release(&now);
	run_release(&r);
	return ret;
}
