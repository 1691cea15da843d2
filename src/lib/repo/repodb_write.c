/* repodb: writing a database, and its lock (repodb.h). */
#include "repo/repodb_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lock.h"
#include "repo/gzseg.h"

/* ---- writing ---- */

static la_ssize_t
write_cb(struct archive *a, void *arg, const void *p, size_t n)
{
	if (sw_buf_add(arg, p, n) < 0) {
		archive_set_error(a, ENOMEM, "out of memory");
		return -1;
	}
	return (la_ssize_t)n;
}

static int
write_header(struct archive *a, struct archive_entry *ae, const char *path,
	mode_t type, size_t size, time_t mtime)
{
	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, path);
	archive_entry_set_filetype(ae, type);
	archive_entry_set_perm(ae, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(ae, (la_int64_t)size);
	archive_entry_set_mtime(ae, mtime, 0);
	archive_entry_set_uname(ae, "root");
	archive_entry_set_gname(ae, "root");
	return archive_write_header(a, ae) == ARCHIVE_OK ? 0 : -1;
}

static int
write_entry(struct archive *a, struct archive_entry *ae,
	const struct sw_repodb_entry *en, int k, struct sw_buf *path)
{
	size_t i;

	sw_buf_reset(path);
	if (sw_buf_addf(path, "%s-%s/", en->name, en->version) < 0 ||
	    write_header(a, ae, path->data, AE_IFDIR, 0, en->mtime) < 0)
		return -1;
	for (i = 0; i < en->nm[k]; i++) {
		const struct sw_repodb_member *m = &en->m[k][i];

		sw_buf_reset(path);
		if (sw_buf_addf(path, "%s-%s/%s", en->name, en->version, m->name) < 0 ||
		    write_header(a, ae, path->data, AE_IFREG, m->len, en->mtime) < 0 ||
		    archive_write_data(a, m->data, m->len) != (la_ssize_t)m->len)
			return -1;
	}
	return archive_write_finish_entry(a) == ARCHIVE_OK ? 0 : -1;
}

/*
 * Segments for gzseg: a new one starts at an entry whose name hashes to 0
 * modulo SEGMENT_EVERY (or after SEGMENT_MAX entries), so that a change
 * moves no boundary but its own, and the other segments come out the same
 * bytes as before. About 32 entries a segment: adding one package
 * compresses some 64 KB of each tar (more per segment would cost that
 * much more; fewer would compress a little worse, each segment starting
 * without a window).
 */
#define SEGMENT_EVERY 32
#define SEGMENT_MAX 128

static bool
cut_before(const char *name, size_t in_segment)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return in_segment >= SEGMENT_MAX || h % SEGMENT_EVERY == 0;
}

/* Any other compression: libarchive's filter over the tar as it is. */
static int
compress_other(const char *comp, const struct sw_buf *tar, struct sw_buf *out,
	struct sw_err *e)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int r = -1;

	if (a == NULL || ae == NULL) {
		sw_err_sys(e, "cannot compress");
		goto out;
	}
	archive_entry_set_pathname(ae, "tar");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_size(ae, (la_int64_t)tar->len);
	if (strcmp(comp, ".zst") == 0)
		r = archive_write_add_filter_zstd(a);
	else if (strcmp(comp, ".xz") == 0)
		r = archive_write_add_filter_xz(a);
	else if (strcmp(comp, ".bz2") == 0)
		r = archive_write_add_filter_bzip2(a);
	else
		r = archive_write_add_filter_none(a);
	if (r != ARCHIVE_OK || archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, out, NULL, write_cb, NULL) != ARCHIVE_OK ||
	    archive_write_header(a, ae) != ARCHIVE_OK ||
	    archive_write_data(a, tar->data, tar->len) != (la_ssize_t)tar->len ||
	    archive_write_close(a) != ARCHIVE_OK) {
		r = sw_err_set(e, "cannot compress: %s", archive_error_string(a) ?
			archive_error_string(a) : "libarchive failed");
		goto out;
	}
	r = 0;
out:
	if (ae != NULL)
		archive_entry_free(ae);
	if (a != NULL)
		archive_write_free(a);
	return r;
}

/* One past the last entry of the segment that starts at entry i. */
static size_t
segment_end(const struct sw_repodb *db, size_t i)
{
	size_t j, in_segment = 1;

	for (j = i + 1; j < db->n && !cut_before(db->v[j]->name, in_segment); j++)
		in_segment++;
	return j;
}

/*
 * The segment of the file read before that holds entries [i, j) exactly
 * as they were read (their bytes one run there, from its start to its
 * end), or NULL: its compressed bytes can be copied as they are.
 */
static const struct sw_gzseg *
unchanged_segment(const struct sw_repodb *db, int k, size_t i, size_t j)
{
	const struct sw_repodb_prev *pv = &db->prev[k];
	size_t off, len = 0, s, lo = 0, hi = pv->nsegs;

	if (pv->nsegs == 0 || db->v[i]->raw[k] == NULL ||
	    db->v[i]->rawbuf[k] != NULL)
		return NULL;
	off = (size_t)(db->v[i]->raw[k] - pv->data.data);
	for (s = i; s < j; s++) {
		const struct sw_repodb_entry *en = db->v[s];

		if (en->raw[k] == NULL || en->rawbuf[k] != NULL ||
		    (size_t)(en->raw[k] - pv->data.data) != off + len)
			return NULL;
		len += en->rawlen[k];
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pv->segs[mid].uoff < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pv->nsegs && pv->segs[lo].uoff == off && pv->segs[lo].ulen == len)
		return &pv->segs[lo];
	return NULL;
}

/*
 * The level for the segments a write compresses: repo-add's (gzip's
 * default, 6) when they are a few, as when a package is added to a
 * database we wrote; the fastest when they are most of a large database
 * (a new one, or the first write after repo-add), where compressing is
 * then most of the time. A segment keeps its bytes, and so its level,
 * until an entry in it changes.
 */
#define BULK_BYTES (1024 * 1024)
#define LEVEL_FEW 6
#define LEVEL_BULK 1

static int
level_for(const struct sw_repodb *db, int k)
{
	size_t i, j, s, bytes = 0;

	for (i = 0; i < db->n && bytes <= BULK_BYTES; i = j) {
		j = segment_end(db, i);
		if (unchanged_segment(db, k, i, j) != NULL)
			continue;
		for (s = i; s < j; s++)
			bytes += db->v[s]->raw[k] ? db->v[s]->rawlen[k] : 2048;
	}
	return bytes > BULK_BYTES ? LEVEL_BULK : LEVEL_FEW;
}

/*
 * The archive k of db, compressed, into out. Entries keep the bytes they
 * were read with (raw) or are formatted with libarchive; a .gz archive is
 * written segment by segment (gzseg.h): a segment whose entries are all
 * as read, in the same run, is copied compressed; only the others are
 * put together and compressed.
 */
static int
build_archive(const struct sw_repodb *db, int k, struct sw_buf *out,
	struct sw_err *e)
{
	bool gz = strcmp(db->comp, ".gz") == 0;
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	struct sw_buf tar = SW_BUF_INIT, path = SW_BUF_INIT;
	struct sw_gzseg_writer w;
	size_t i, j, s, size = 0;
	int ret = -1;

	sw_gzseg_writer_init(&w);
	if (gz) {
		w.level = level_for(db, k);
		/* about the old file: a level-1 write after repo-add's level 6
		 * comes out up to 15% larger */
		if (sw_gzseg_reserve(&w, db->prev[k].file.len / 4 * 5 + 65536,
		    e) < 0)
			goto out;
	}
	/* room for the whole tar, or for the largest segment: made once (a
	 * buffer grown as it fills is copied, and faulted in, again and again) */
	for (i = 0; i < db->n; i = j) {
		size_t seg = 0;

		j = gz ? segment_end(db, i) : db->n;
		for (s = i; s < j; s++)
			seg += db->v[s]->raw[k] ? db->v[s]->rawlen[k] : 1024;
		if (seg > size)
			size = seg;
	}
	if (a == NULL || ae == NULL || sw_buf_grow_mapped(&tar, size + 1024) < 0) {
		sw_err_sys(e, "cannot write '%s.%s'", db->name, repodb_kinds[k]);
		goto out;
	}
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open(a, &tar, NULL, write_cb, NULL) != ARCHIVE_OK)
		goto fail;
	for (i = 0; i < db->n; i = j) {
		const struct sw_gzseg *old;

		j = segment_end(db, i);
		old = gz ? unchanged_segment(db, k, i, j) : NULL;
		if (old != NULL) {
			if (sw_gzseg_copy(&w, db->prev[k].file.data, old, e) < 0)
				goto out;
			continue;
		}
		/* libarchive has flushed all it wrote: raw bytes go after it */
		for (s = i; s < j; s++)
			if (db->v[s]->raw[k] != NULL ?
			    sw_buf_add(&tar, db->v[s]->raw[k], db->v[s]->rawlen[k]) < 0 :
			    write_entry(a, ae, db->v[s], k, &path) < 0)
				goto fail;
		if (gz) {
			if (sw_gzseg_add(&w, tar.data, tar.len, e) < 0)
				goto out;
			sw_buf_reset(&tar);
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto fail;
	/* tar: the end-of-archive blocks (gz), or the whole archive */
	ret = gz ? sw_gzseg_finish(&w, tar.data, tar.len, out, e) :
		compress_other(db->comp, &tar, out, e);
	goto out;
fail:
	sw_err_set(e, "cannot write '%s.%s': %s", db->name, repodb_kinds[k],
		archive_error_string(a) ? archive_error_string(a) : "libarchive failed");
out:
	sw_gzseg_writer_release(&w);
	sw_buf_release(&tar);
	sw_buf_release(&path);
	if (ae != NULL)
		archive_entry_free(ae);
	if (a != NULL)
		archive_write_free(a);
	return ret;
}

static bool
is_regular(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* repo-add's rotation: the current archive and .sig become .old, .old.sig. */
static int
stage_old(const struct sw_repodb *db, const char *kind, const char *tar,
	struct sw_txn *t, struct sw_err *e)
{
	struct sw_buf cur = SW_BUF_INIT, old = SW_BUF_INIT;
	struct sw_buf cursig = SW_BUF_INIT, oldsig = SW_BUF_INIT;
	char s_old[32], s_sig[32], s_oldsig[32];
	int ret = -1;

	snprintf(s_old, sizeof(s_old), "%s.old", tar);
	snprintf(s_sig, sizeof(s_sig), "%s.sig", tar);
	snprintf(s_oldsig, sizeof(s_oldsig), "%s.old.sig", tar);
	if (repodb_db_file(db, kind, tar, &cur, e) < 0 ||
	    repodb_db_file(db, kind, s_old, &old, e) < 0 ||
	    repodb_db_file(db, kind, s_sig, &cursig, e) < 0 ||
	    repodb_db_file(db, kind, s_oldsig, &oldsig, e) < 0)
		goto out;
	if (!is_regular(cur.data)) {
		ret = 0;
		goto out;
	}
	if (sw_txn_hardlink(t, cur.data, old.data, e) < 0)
		goto out;
	if (is_regular(cursig.data))
		ret = sw_txn_hardlink(t, cursig.data, oldsig.data, e);
	else
		ret = sw_txn_remove(t, oldsig.data, e);
out:
	sw_buf_release(&cur);
	sw_buf_release(&old);
	sw_buf_release(&cursig);
	sw_buf_release(&oldsig);
	return ret;
}

/* The new archive of one kind, its .sig or no .sig, and the links. */
static int
stage_kind(const struct sw_repodb *db, int k, const struct sw_buf *archive,
	struct sw_txn *t, struct sw_sign *s, const char *key, struct sw_err *e)
{
	const struct sw_buf data = *archive;
	struct sw_buf sig = SW_BUF_INIT;
	struct sw_buf file = SW_BUF_INIT, filesig = SW_BUF_INIT;
	struct sw_buf link = SW_BUF_INIT, linksig = SW_BUF_INIT;
	char tar[16], tarsig[24], target[SW_REPO_MAX + 32], targetsig[SW_REPO_MAX + 40];
	int ret = -1;

	snprintf(tar, sizeof(tar), ".tar%s", db->comp);
	snprintf(tarsig, sizeof(tarsig), "%s.sig", tar);
	snprintf(target, sizeof(target), "%s.%s%s", db->name, repodb_kinds[k], tar);
	snprintf(targetsig, sizeof(targetsig), "%s.sig", target);
	if (repodb_db_file(db, repodb_kinds[k], tar, &file, e) < 0 ||
	    repodb_db_file(db, repodb_kinds[k], tarsig, &filesig, e) < 0 ||
	    repodb_db_file(db, repodb_kinds[k], "", &link, e) < 0 ||
	    repodb_db_file(db, repodb_kinds[k], ".sig", &linksig, e) < 0 ||
	    (key != NULL &&
	    sw_sign_detached(s, key, data.data, data.len, &sig, e) < 0) ||
	    stage_old(db, repodb_kinds[k], tar, t, e) < 0 ||
	    sw_txn_replace(t, file.data, data.data, data.len, 0644, e) < 0 ||
	    sw_txn_symlink(t, target, link.data, e) < 0)
		goto out;
	/* signed: <name>.db.tar.gz.sig and <name>.db.sig; else neither */
	if (key != NULL)
		ret = sw_txn_replace(t, filesig.data, sig.data, sig.len, 0644, e) < 0 ||
			sw_txn_symlink(t, targetsig, linksig.data, e) < 0 ? -1 : 0;
	else
		ret = sw_txn_remove(t, filesig.data, e) < 0 ||
			sw_txn_remove(t, linksig.data, e) < 0 ? -1 : 0;
out:
	sw_buf_release(&sig);
	sw_buf_release(&file);
	sw_buf_release(&filesig);
	sw_buf_release(&link);
	sw_buf_release(&linksig);
	return ret;
}

/* The two archives are independent: the files one is built on a thread. */
struct build_job {
	const struct sw_repodb *db;
	struct sw_buf out;
	int r;
	struct sw_err e;
};

static void *
build_files(void *arg)
{
	struct build_job *j = arg;

	j->r = build_archive(j->db, 1, &j->out, &j->e);
	return NULL;
}

static int
build_both(const struct sw_repodb *db, struct sw_buf data[2], struct sw_err *e)
{
	struct build_job j = { db, SW_BUF_INIT, -1, { "" } };
	pthread_t tid;
	bool thread = pthread_create(&tid, NULL, build_files, &j) == 0;
	int r0 = build_archive(db, 0, &data[0], e);

	if (thread)
		pthread_join(tid, NULL);
	else
		build_files(&j);
	data[1] = j.out;
	if (r0 == 0 && j.r < 0)
		memcpy(e, &j.e, sizeof(*e));
	return r0 < 0 || j.r < 0 ? -1 : 0;
}

static int
stage_pair(const struct sw_repodb *db, struct sw_buf data[2],
	struct sw_txn *t, struct sw_sign *s, const char *key, struct sw_err *e)
{
	if (!db->with_files)
		return sw_err_set(e, "cannot write '%s.db': loaded without its "
			"files database", db->name);
	if (key != NULL && s == NULL)
		return sw_err_set(e, "cannot sign '%s.db': no gnupg context",
			db->name);
	return build_both(db, data, e) < 0 ||
		stage_kind(db, 0, &data[0], t, s, key, e) < 0 ||
		stage_kind(db, 1, &data[1], t, s, key, e) < 0 ? -1 : 0;
}

int
sw_repodb_stage(const struct sw_repodb *db, struct sw_txn *t,
	struct sw_sign *s, const char *key, struct sw_err *e)
{
	struct sw_buf data[2] = { SW_BUF_INIT, SW_BUF_INIT };
	int r;

	r = stage_pair(db, data, t, s, key, e);
	sw_buf_release(&data[0]);
	sw_buf_release(&data[1]);
	return r;
}

/* ---- the lock ---- */

/* Is dir inside (or equal to) top? Both must exist. */
static int
inside(const char *dir, const char *top, bool *in, struct sw_err *e)
{
	char rd[PATH_MAX], rt[PATH_MAX];
	size_t n;

	if (realpath(dir, rd) == NULL)
		return sw_err_sys(e, "cannot resolve '%s'", dir);
	if (realpath(top, rt) == NULL) {
		*in = false;
		return 0;
	}
	n = strlen(rt);
	*in = strncmp(rd, rt, n) == 0 && (rd[n] == '/' || rd[n] == '\0' ||
		strcmp(rt, "/") == 0);
	return 0;
}

int
sw_repodb_guard_take(struct sw_repodb_guard *g, const char *path,
	const char *state_dir, const char *repo_dir, struct sw_err *e)
{
	struct sw_repodb db;
	struct sw_buf lock = SW_BUF_INIT, journal = SW_BUF_INIT;
	bool master = false;
	int ret = -1;

	memset(g, 0, sizeof(*g));
	g->sd.fd[0] = g->sd.fd[1] = g->fd = -1;
	memset(&db, 0, sizeof(db));
	if (repodb_parse_path(path, &db.dir, db.name, db.comp, e) < 0 ||
	    (state_dir != NULL && repo_dir != NULL &&
	    inside(db.dir, repo_dir, &master, e) < 0))
		goto out;
	if (master) {
		if (sw_statedir_open(&g->sd, state_dir, e) < 0 ||
		    sw_statedir_lock(&g->sd, SW_LOCK_PACKAGE_DB,
		    SW_LOCK_WAIT_FOREVER, e) != SW_LOCK_OK)
			goto out;
		g->master = true;
		ret = 0;
		goto out;
	}
	if (repodb_db_file(&db, "db", ".lock", &lock, e) < 0 ||
	    repodb_db_file(&db, "db", ".journal", &journal, e) < 0 ||
	    sw_lock_take(lock.data, SW_LOCK_WAIT_FOREVER, &g->fd, e) != SW_LOCK_OK)
		goto out;
	g->journal = sw_buf_detach(&journal, NULL);
	if (sw_txn_recover(g->journal, e) < 0)
		goto out;
	ret = 0;
out:
	sw_buf_release(&lock);
	sw_buf_release(&journal);
	sw_repodb_release(&db);
	if (ret < 0)
		sw_repodb_guard_release(g);
	return ret;
}

int
sw_repodb_guard_txn(struct sw_repodb_guard *g, struct sw_txn *t,
	struct sw_err *e)
{
	if (g->master)
		return sw_statedir_txn_begin(&g->sd, SW_LOCK_PACKAGE_DB, t, e);
	if (g->fd < 0)
		return sw_err_set(e, "the database lock is not held");
	return sw_txn_begin(t, g->journal, e);
}

void
sw_repodb_guard_release(struct sw_repodb_guard *g)
{
	if (g->sd.dir != NULL)
		sw_statedir_release(&g->sd);
	sw_lock_release(&g->fd);
	free(g->journal);
	g->journal = NULL;
	g->master = false;
}
