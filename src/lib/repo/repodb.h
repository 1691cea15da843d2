/*
 * repodb: a pacman repository database pair, <name>.db.tar<c> and
 * <name>.files.tar<c> (<c>: "" .gz .zst .xz .bz2, from the path given),
 * read into memory, changed, and written back in one transaction in the
 * format repo-add writes: a "<pkgname>-<version>/" directory per package
 * with "desc" (and "files" in the files database), every %FIELD% in
 * repo-add's order, values with blanks squeezed as repo-add squeezes them.
 *
 * Call order:
 *   take the lock that guards the database (below), begin a sw_txn on its
 *   journal → sw_repodb_load → sw_repodb_add / _remove / _copy_entry, any
 *   number → sw_repodb_stage → sw_txn_commit → sw_repodb_release →
 *   release the lock.
 * Entries are kept as the raw bytes of their archive members, keyed by
 * pkgname: an entry that is not added or removed is written back exactly as
 * it was read, and no package file except the added ones is ever opened.
 * A .gz database is inflated whole into memory and each entry remembers
 * its bytes there (headers included), so that writing copies them instead
 * of formatting the tar again.
 * A missing database is an empty one. The two archives must hold the same
 * entries; a database whose files archive is missing or different is an
 * error (rebuild it by adding every package to a new database).
 *
 * A .gz database is written as a gzseg file (gzseg.h): an ordinary gzip
 * file whose unchanged segments the next write copies instead of
 * compressing them again.
 *
 * Staging builds both archives in memory and stages, for each: the new
 * archive; its .sig made with the key (or, without a key, the removal of a
 * .sig that would no longer belong to it); <archive>.old and .old.sig as
 * hard links to the current ones (repo-add's rotation; a stale .old.sig is
 * removed); the <name>.db / <name>.files symlinks and their .sig links.
 * Nothing on disk changes before sw_txn_commit.
 *
 * Locks: whoever changes a database holds the lock that guards it from
 * load to commit: the master's package-db.lock (statedir.h) for a database
 * inside the master's repo_dir, else <dir>/<name>.db.lock beside it, with
 * the journal <dir>/<name>.db.journal. sw_repodb_guard_take picks and takes
 * the right one (waiting) and finishes an interrupted transaction; begin
 * the sw_txn with sw_repodb_guard_txn.
 * A kill -9 before the commit leaves the old database and stray *.tmp.*
 * files; after the journal is written, the next guard_take completes the
 * new one: readers see the old database or the new one, never a mix.
 *
 * Errors: -1 with a message quoting the file or pkgname; the in-memory
 * database is unchanged by a failed add, remove or copy.
 */
#ifndef SW_REPODB_H
#define SW_REPODB_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "repo/gzseg.h"
#include "core/names.h"
#include "repo/sign.h"
#include "queue/statedir.h"
#include "core/txn.h"

#define SW_REPODB_MEMBER_MAX (256 * 1024 * 1024)
#define SW_REPODB_FILE_MAX (1024UL * 1024 * 1024) /* a compressed archive */
#define SW_REPODB_TAR_MAX (4UL * 1024 * 1024 * 1024) /* ... inflated */

struct sw_repodb_member {
	const char *name;  /* "desc", "files" */
	const char *data;  /* len bytes, then a NUL */
	size_t len;
	/*
	 * What the member owns (malloc'ed), or NULL: a member read from a .gz
	 * archive keeps its bytes where they are in prev[k].data, and the
	 * usual names are static.
	 */
	char *name_buf, *data_buf;
};

struct sw_repodb_entry {
	char name[SW_PKGNAME_MAX + 1];
	char version[SW_VERSION_MAX + 1];
	char filename[SW_FILENAME_MAX + 1];
	time_t mtime;
	struct sw_repodb_member *m[2]; /* [0] db archive, [1] files archive */
	size_t nm[2];
	/*
	 * The entry's bytes in archive k as read (its headers and members,
	 * one run), pointing into the database's prev[k].data or into
	 * rawbuf[k]; NULL: written anew from m[k].
	 */
	const char *raw[2];
	size_t rawlen[2];
	char *rawbuf[2];               /* owned copy (a copied entry) */
	bool in_slab;                  /* in its database's slab: freed with it */
};

/* A .gz archive as read, kept for the next write to copy from (gzseg.h). */
struct sw_repodb_prev {
	struct sw_buf file;          /* the compressed file */
	struct sw_buf data;          /* its tar */
	struct sw_gzseg *segs;
	size_t nsegs;
};

struct sw_repodb {
	char *dir;                   /* the directory of the database */
	char name[SW_REPO_MAX + 1];  /* "core" */
	char comp[8];                /* "" ".gz" ".zst" ".xz" ".bz2" */
	bool with_files;             /* the files archive is loaded and written */
	struct sw_repodb_entry **v;  /* sorted by pkgname */
	size_t n, alloc;
	struct sw_repodb_prev prev[2];
	struct sw_buf slab;          /* the entries read, side by side */
};

/*
 * path: "<dir>/<name>.db.tar<c>". with_files false reads the db archive
 * only (enough to list or look up; such a database cannot be staged).
 */
int sw_repodb_load(struct sw_repodb *db, const char *path, bool with_files,
	struct sw_err *e);
void sw_repodb_release(struct sw_repodb *db);

/* "<dir>/<name>.db.tar<c>" or, with files, "<dir>/<name>.files.tar<c>". */
int sw_repodb_archive_path(const struct sw_repodb *db, bool files,
	struct sw_buf *out, struct sw_err *e);

const struct sw_repodb_entry *sw_repodb_find(const struct sw_repodb *db,
	const char *pkgname);
/* The values of %FIELD% in the entry's desc, one per line: 1, or 0 if absent. */
int sw_repodb_field(const struct sw_repodb_entry *en, const char *field,
	struct sw_buf *out);

/* The %PGPSIG% value of a signature: base64 on one line. */
int sw_repodb_pgpsig(const struct sw_buf *sig, struct sw_buf *out);

/*
 * Reads the package at path (and nothing else) and adds its entry under
 * filename (NULL: the last component of path), replacing any entry of the
 * same pkgname. sig: the bytes of its .sig for %PGPSIG% (NULL: unsigned);
 * the caller has read and checked it (sign.h). The package's name, version
 * and arch must be those of filename.
 */
int sw_repodb_add(struct sw_repodb *db, const char *path, const char *filename,
	const struct sw_buf *sig, struct sw_err *e);
/*
 * repo-add's way: file is a package file in the database's directory (a
 * symlink there, as into the pool, is followed). Its .sig beside it, if
 * there, is read and checked (sign.h) and becomes %PGPSIG%. With signers
 * non-empty, the .sig must be there and be a good signature by one of them.
 */
int sw_repodb_add_local(struct sw_repodb *db, const char *file,
	struct sw_sign *s, const struct sw_strvec *signers, struct sw_err *e);
int sw_repodb_remove(struct sw_repodb *db, const char *pkgname,
	struct sw_err *e);
/* Copies src's entry for pkgname into dst as it is (promotion). */
int sw_repodb_copy_entry(struct sw_repodb *dst, const struct sw_repodb *src,
	const char *pkgname, struct sw_err *e);

/* Stages the new databases; key NULL: unsigned (s may then be NULL). */
int sw_repodb_stage(const struct sw_repodb *db, struct sw_txn *t,
	struct sw_sign *s, const char *key, struct sw_err *e);

struct sw_repodb_guard {
	bool master;             /* package-db.lock of the master */
	struct sw_statedir sd;
	int fd;                  /* else <dir>/<name>.db.lock */
	char *journal;
};
#define SW_REPODB_GUARD_INIT { false, { NULL, { -1, -1 } }, -1, NULL }

/*
 * state_dir, repo_dir: the master's, or NULL without a master
 * configuration. Waits for the lock.
 */
int sw_repodb_guard_take(struct sw_repodb_guard *g, const char *path,
	const char *state_dir, const char *repo_dir, struct sw_err *e);
int sw_repodb_guard_txn(struct sw_repodb_guard *g, struct sw_txn *t,
	struct sw_err *e);
void sw_repodb_guard_release(struct sw_repodb_guard *g);

#endif
