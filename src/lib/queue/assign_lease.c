/*
 * assign: the state of the entries, the leases, and sw_assign_get
 * (assign_snap.h).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "queue/buildlist.h"
#include "core/log.h"
#include "queue/pkgstate.h"
#include "queue/assign_snap.h"

#define META_MAX_SIZE (256 * 1024 * 1024)
#define PHASE_ASSIGNED "assigned"

static int
view_broken(void *ctx, size_t i, uint64_t *failures, int64_t *last,
	struct sw_err *e)
{
	struct snap *s = ctx;
	struct sw_attempt *v = NULL;
	struct sw_id id;
	size_t n = 0;
	int r;

	*failures = 0;
	*last = 0;
	if (sw_assign_entry_id(s, i, &id, e) < 0)
		return -1;
	r = sw_pkgstate_read_broken(s->sd.dir, &id, &v, &n, e);
	if (r < 0)
		return -1;
	*failures = n;
	*last = n ? v[n - 1].time : 0;
	free(v);
	return 0;
}

static bool
expired(const struct snap *s, int64_t heartbeat)
{
	return s->now - heartbeat > (int64_t)s->c->lease_timeout;
}

/* Takes back an expired lease (in the transaction; a dry run only says so). */
static int
reclaim(struct snap *s, const struct sw_id *id, const struct sw_locked *l,
	struct sw_err *e)
{
	char idstr[SW_ID_MAX + 1];
	long i = sw_assign_find_id(s, id);

	if (i >= 0) {
		if (s->flags[i] & AF_RECLAIMED)
			return 0;
		s->flags[i] |= AF_RECLAIMED;
	}
	sw_id_format(id, idstr, sizeof(idstr));
	if (!s->txn) {
		sw_info("would reclaim the lease of '%s' from slave '%s'", idstr,
			l->slave);
		return 0;
	}
	if (sw_pkgstate_remove(s->sd.dir, id, SW_STATE_LOCKED, &s->t, e) < 0)
		return -1;
	sw_info("reclaimed the lease of '%s' from slave '%s': no heartbeat for "
		"%lld s", idstr, l->slave, (long long)(s->now - l->heartbeat));
	return 0;
}

/* Reads a lease; reclaims it if expired. *live: still someone's. */
static int
lease_of(struct snap *s, const struct sw_id *id, struct sw_locked *l,
	bool *live, struct sw_err *e)
{
	int r;

	*live = false;
	r = sw_pkgstate_read_locked(s->sd.dir, id, l, e);
	if (r < 0)
		return -1;
	if (r == 1)
		return 0;
	if (expired(s, l->heartbeat))
		return reclaim(s, id, l, e);
	*live = true;
	return 0;
}

/* One readdir: the flags of every entry, and every lease checked. */
static int
full_scan(struct snap *s, struct sw_err *e)
{
	struct dirent *d;
	DIR *dp = NULL;
	size_t i;
	int ret = -1;

	for (i = 0; i < s->n; i++)
		s->flags[i] &= AF_RECLAIMED;
	dp = opendir(s->dir.data);
	if (dp == NULL) {
		sw_err_sys(e, "cannot open '%s'", s->dir.data);
		goto out;
	}
	while ((errno = 0, d = readdir(dp)) != NULL) {
		char name[SW_ID_MAX + 1];
		const char *dot = strrchr(d->d_name, '.');
		struct sw_locked l;
		struct sw_id id;
		unsigned flag;
		bool live;
		long k;

		if (dot == NULL)
			continue;
		if (strcmp(dot, ".locked") == 0)
			flag = SW_AF_LOCKED;
		else if (strcmp(dot, ".blocked") == 0)
			flag = SW_AF_BLOCKED;
		else if (strcmp(dot, ".broken") == 0)
			flag = SW_AF_BROKEN;
		else
			continue;
		if ((size_t)(dot - d->d_name) > SW_ID_MAX)
			continue;
		memcpy(name, d->d_name, (size_t)(dot - d->d_name));
		name[dot - d->d_name] = '\0';
		if (sw_id_parse(name, &id, NULL) < 0)
			continue;   /* not a state file of ours (sanity-check's concern) */
		k = sw_assign_find_id(s, &id);
		if (flag == SW_AF_LOCKED) {
			if (k >= 0 && (s->flags[k] & AF_RECLAIMED))
				continue;
			if (lease_of(s, &id, &l, &live, e) < 0)
				goto out;
			if (!live)
				continue;
		}
		if (k >= 0)
			s->flags[k] |= (uint8_t)flag;
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", s->dir.data);
		goto out;
	}
	s->full = true;
	ret = 0;
out:
	if (dp != NULL)
		closedir(dp);
	return ret;
}

/* 1 if the state file of id exists (*mtime set), 0 if not, -1. */
static int
state_exists(struct snap *s, const struct sw_id *id, enum sw_state st,
	int64_t *mtime, struct sw_err *e)
{
	struct stat sb;

	if (sw_pkgstate_path(&s->path, s->sd.dir, id, st, e) < 0)
		return -1;
	if (lstat(s->path.data, &sb) < 0) {
		if (errno == ENOENT)
			return 0;
		return sw_err_sys(e, "cannot check '%s'", s->path.data);
	}
	if (mtime != NULL)
		*mtime = (int64_t)sb.st_mtime;
	return 1;
}

/* The flags of one entry from its own state files. */
static int
stat_entry(struct snap *s, size_t i, struct sw_err *e)
{
	struct sw_locked l;
	struct sw_id id;
	int64_t mtime = 0;
	unsigned f = AF_KNOWN;
	bool live = true;
	int r;

	if (sw_assign_entry_id(s, i, &id, e) < 0)
		return -1;
	if (!(s->flags[i] & AF_RECLAIMED)) {
		r = state_exists(s, &id, SW_STATE_LOCKED, &mtime, e);
		if (r < 0)
			return -1;
		/* a lease written within lease_timeout is live: no need to read it */
		if (r == 1 && expired(s, mtime) && lease_of(s, &id, &l, &live, e) < 0)
			return -1;
		if (r == 1 && live)
			f |= SW_AF_LOCKED;
	}
	r = state_exists(s, &id, SW_STATE_BLOCKED, NULL, e);
	if (r < 0)
		return -1;
	if (r == 1)
		f |= SW_AF_BLOCKED;
	r = state_exists(s, &id, SW_STATE_BROKEN, NULL, e);
	if (r < 0)
		return -1;
	if (r == 1)
		f |= SW_AF_BROKEN;
	s->flags[i] |= (uint8_t)f;
	return 0;
}

static int
view_flags(void *ctx, size_t i, unsigned *f, struct sw_err *e)
{
	struct snap *s = ctx;

	if (!s->full && !(s->flags[i] & AF_KNOWN)) {
		if (s->stats++ < SW_ASSIGN_STAT_MAX) {
			if (stat_entry(s, i, e) < 0)
				return -1;
		} else if (full_scan(s, e) < 0) {
			return -1;
		}
	}
	*f = s->flags[i] & SKIP;
	return 0;
}

static int
view_all(void *ctx, struct sw_err *e)
{
	struct snap *s = ctx;

	return s->full ? 0 : full_scan(s, e);
}

static int
map_files(struct snap *s, struct sw_err *e)
{
	sw_file_unmap(&s->list);
	sw_file_unmap(&s->meta);
	free(s->mline);
	free(s->mheads);
	free(s->mnext);
	s->mline = NULL;
	s->mheads = s->mnext = NULL;
	s->mn = s->malloc_n = 0;
	s->mnext_p = NULL;
	/* all of the build list is read; of build-meta the lines needed */
	if (sw_file_map(s->list_path.data, SW_LIST_MAX_SIZE, true, &s->list,
	    e) < 0 ||
	    sw_file_map(s->meta_path.data, META_MAX_SIZE, false, &s->meta, e) < 0)
		return -1;
	return sw_assign_index_list(s, e);
}

/*
 * The slave's live leases on the list, from its index (leases/<slave>),
 * each checked against its lease file. mine, ml: room for MINE_MAX.
 */
#define MINE_MAX 64

static int
own_leases(struct snap *s, struct sw_id *mine, struct sw_locked *ml,
	size_t *held, struct sw_err *e)
{
	struct sw_buf data = SW_BUF_INIT, dir = SW_BUF_INIT;
	char *p, *nl;
	int r, ret = -1;

	*held = 0;
	if (sw_statedir_path(&s->sd, SW_PATH_LEASES, &dir, e) < 0)
		goto out;
	if (sw_name_path(&s->path, dir.data, SW_NAME_SLAVE, s->slave, "", e) < 0)
		goto out;
	r = sw_file_read(s->path.data, 64 * 1024, &data, e);
	if (r < 0)
		goto out;
	for (p = data.data; r == 0 && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		struct sw_id id;
		bool live;

		*nl = '\0';
		/* an index line that is not a live lease of ours is dropped */
		if (sw_id_parse(p, &id, NULL) < 0 || sw_assign_find_id(s, &id) < 0 ||
		    *held == MINE_MAX)
			continue;
		if (lease_of(s, &id, &ml[*held], &live, e) < 0)
			goto out;
		if (live && strcmp(ml[*held].slave, s->slave) == 0)
			mine[(*held)++] = id;
	}
	ret = 0;
out:
	sw_buf_release(&data);
	sw_buf_release(&dir);
	return ret;
}

/*
 * Replaces a hint file by rename, without fsync: it is checked on every
 * read, so after a crash an old or empty one only costs a hint.
 */
static int
replace_hint(const char *path, const struct sw_buf *b, struct sw_err *e)
{
	struct sw_buf tmp = SW_BUF_INIT;
	int fd = -1, ret = -1;

	if (sw_buf_addf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		sw_err_sys(e, "cannot write '%s'", path);
		goto out;
	}
	fd = mkostemp(tmp.data, O_CLOEXEC);
	if (fd < 0) {
		sw_err_sys(e, "cannot create a temporary file for '%s'", path);
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || sw_write_all(fd, b->data, b->len) < 0 ||
	    close(fd) < 0) {
		fd = -1;
		sw_err_sys(e, "cannot write '%s'", tmp.data);
		unlink(tmp.data);
		goto out;
	}
	fd = -1;
	if (rename(tmp.data, path) < 0) {
		sw_err_sys(e, "cannot rename '%s' to '%s'", tmp.data, path);
		unlink(tmp.data);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp.data);
	}
	sw_buf_release(&tmp);
	return ret;
}

/* leases/<slave>: the slave's live leases plus the new one (a hint). */
static int
write_own_leases(struct snap *s, const struct sw_id *mine, size_t held,
	const struct sw_id *add, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT, dir = SW_BUF_INIT;
	char idstr[SW_ID_MAX + 1];
	size_t k;
	int ret = -1;

	for (k = 0; k <= held; k++) {
		sw_id_format(k < held ? &mine[k] : add, idstr, sizeof(idstr));
		if (sw_buf_addf(&b, "%s\n", idstr) < 0) {
			sw_err_sys(e, "cannot write leases");
			goto out;
		}
	}
	if (sw_statedir_path(&s->sd, SW_PATH_LEASES, &dir, e) < 0)
		goto out;
	if (sw_mkdir_p(dir.data, 0755, e) < 0 ||
	    sw_name_path(&s->path, dir.data, SW_NAME_SLAVE, s->slave, "", e) < 0)
		goto out;
	ret = replace_hint(s->path.data, &b, e);
out:
	sw_buf_release(&b);
	sw_buf_release(&dir);
	return ret;
}

static void
snap_release(struct snap *s)
{
	if (s->txn)
		sw_txn_abort(&s->t);
	s->txn = false;
	if (s->lease_tmp != NULL)
		unlink(s->lease_tmp);
	free(s->lease_tmp);
	s->lease_tmp = NULL;
	sw_file_unmap(&s->list);
	sw_file_unmap(&s->meta);
	sw_buf_release(&s->list_path);
	sw_buf_release(&s->meta_path);
	sw_buf_release(&s->dir);
	sw_buf_release(&s->path);
	free(s->ents);
	free(s->heads);
	free(s->flags);
	free(s->mline);
	free(s->mheads);
	free(s->mnext);
	free(s->depv);
	sw_statedir_release(&s->sd);
}

/*
 * A new lease says the same whatever it is for ("<slave> <now> <now>
 * assigned"), so it is written and fsynced before the lock, beside the
 * lease files; under the lock it only needs a rename. Its temp name is no
 * state file name, and a crash leaves it as a stray *.tmp.* file.
 */
static int
prepare_lease(struct snap *s, struct sw_err *e)
{
	struct sw_buf b = SW_BUF_INIT;
	int fd = -1, ret = -1;

	if (sw_buf_addf(&b, "%s/%s.lease.tmp.XXXXXX", s->dir.data, s->slave) < 0) {
		sw_err_sys(e, "cannot prepare a lease");
		goto out;
	}
	fd = mkostemp(b.data, O_CLOEXEC);
	if (fd < 0) {
		sw_err_sys(e, "cannot create a lease in '%s'", s->dir.data);
		goto out;
	}
	s->lease_tmp = sw_buf_detach(&b, NULL);
	if (sw_buf_addf(&b, "%s %lld %lld %s\n", s->slave, (long long)s->now,
	    (long long)s->now, PHASE_ASSIGNED) < 0 || fchmod(fd, 0644) < 0 ||
	    sw_write_all(fd, b.data, b.len) < 0 || fsync(fd) < 0) {
		sw_err_sys(e, "cannot write '%s'", s->lease_tmp);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0 && close(fd) < 0 && ret == 0)
		ret = sw_err_sys(e, "cannot write '%s'", s->lease_tmp);
	sw_buf_release(&b);
	return ret;
}

static int
snap_open(struct snap *s, const struct sw_master_conf *c, const char *slave,
	int64_t now, struct sw_err *e)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->slave = slave;
	s->now = now;
	s->sd.fd[0] = s->sd.fd[1] = -1;
	s->list = s->meta = (struct sw_map)SW_MAP_INIT;
	sw_buf_init(&s->list_path, 0);
	sw_buf_init(&s->meta_path, 0);
	sw_buf_init(&s->dir, 0);
	sw_buf_init(&s->path, 0);
	if (sw_statedir_open(&s->sd, c->state_dir, e) < 0 ||
	    sw_statedir_path(&s->sd, SW_PATH_BUILD_LIST, &s->list_path, e) < 0 ||
	    sw_statedir_path(&s->sd, SW_PATH_BUILD_META, &s->meta_path, e) < 0 ||
	    sw_statedir_path(&s->sd, SW_PATH_PACKAGE_STATES, &s->dir, e) < 0)
		return -1;
	/* the big files are read before the lock and checked under it */
	return map_files(s, e);
}

/* Under the lock: the files read before it are still the current ones. */
static int
snap_recheck(struct snap *s, struct sw_err *e)
{
	int a = sw_file_map_current(s->list_path.data, &s->list, e);
	int b = a < 0 ? -1 : sw_file_map_current(s->meta_path.data, &s->meta, e);

	if (a < 0 || b < 0)
		return -1;
	return a && b ? 0 : map_files(s, e);
}

enum sw_assign_result
sw_assign_get(const struct sw_master_conf *c, const char *slave, int64_t now,
	int lock_timeout_ms, struct sw_id *out, struct sw_err *e)
{
	const struct sw_slave_entry_conf *sc = NULL;
	struct sw_assign_policy pol = { now, c->broken_retries,
		c->broken_retry_delay };
	struct sw_assign_view view;
	struct sw_id mine[MINE_MAX];
	struct sw_locked ml[MINE_MAX], nl;
	struct sw_err ce;
	struct snap s;
	enum sw_assign_result ret = SW_ASSIGN_ERROR, r;
	enum sw_lock_result lr;
	size_t held = 0, pick;

	if (slave != NULL && (sc = sw_master_conf_slave(c, slave)) == NULL) {
		sw_err_set(e, "unknown slave '%s': no [slave %s] section in '%s'",
			slave, slave, c->path);
		return SW_ASSIGN_ERROR;
	}
	if (snap_open(&s, c, slave, now, e) < 0 ||
	    (slave != NULL && prepare_lease(&s, e) < 0))
		goto out;
	lr = sw_statedir_lock(&s.sd, SW_LOCK_BUILD_LIST, lock_timeout_ms, e);
	if (lr != SW_LOCK_OK) {
		ret = lr == SW_LOCK_BUSY ? SW_ASSIGN_BUSY : SW_ASSIGN_ERROR;
		goto out;
	}
	if (snap_recheck(&s, e) < 0)
		goto out;
	if (slave != NULL) {
		if (sw_statedir_txn_begin(&s.sd, SW_LOCK_BUILD_LIST, &s.t, e) < 0)
			goto out;
		s.txn = true;
		if (own_leases(&s, mine, ml, &held, e) < 0)
			goto out;
	}
	if (sc != NULL && held >= sc->max_assignments) {
		if (sc->max_assignments > 1) {
			sw_err_set(e, "slave '%s' holds %zu assignments, its limit",
				slave, held);
			ret = SW_ASSIGN_AT_LIMIT;
			goto out;
		}
		/* the same slave asking again: the same assignment, still alive */
		*out = mine[0];
		nl = ml[0];
		nl.heartbeat = now;
		if (sw_pkgstate_write_locked(s.sd.dir, out, &nl, &s.t, e) < 0)
			goto out;
		ret = SW_ASSIGN_OK;
		goto out;
	}
	view = (struct sw_assign_view){ s.n, &s, view_flags, view_all,
		sw_assign_view_deps, view_broken };
	r = sw_assign_choose(&view, &pol, &pick, e);
	if (r == SW_ASSIGN_ERROR)
		goto out;
	if (r != SW_ASSIGN_OK) {
		sw_err_set(e, r == SW_ASSIGN_NOT_READY ?
			"nothing is ready to build now" : "nothing is pending");
		ret = r;
		goto out;
	}
	if (sw_assign_entry_id(&s, pick, out, e) < 0)
		goto out;
	if (slave == NULL) {
		ret = SW_ASSIGN_OK;
		goto out;
	}
	/* the index first: a crash after it leaves an entry that reads as gone */
	if (write_own_leases(&s, mine, held, out, e) < 0 ||
	    sw_pkgstate_path(&s.path, s.sd.dir, out, SW_STATE_LOCKED, e) < 0 ||
	    sw_txn_rename(&s.t, s.lease_tmp, s.path.data, e) < 0)
		goto out;
	free(s.lease_tmp);   /* the transaction has it now */
	s.lease_tmp = NULL;
	ret = SW_ASSIGN_OK;
out:
	/* an answer commits what was staged (reclaims too); an error drops it */
	if (s.txn && ret != SW_ASSIGN_ERROR && ret != SW_ASSIGN_BUSY) {
		s.txn = false;
		if (sw_txn_commit(&s.t, &ce) < 0) {
			/* keeps the message of a refusal unless the commit fails */
			if (e != NULL)
				memcpy(e->msg, ce.msg, sizeof(ce.msg));
			ret = SW_ASSIGN_ERROR;
		}
	}
	snap_release(&s);
	return ret;
}
