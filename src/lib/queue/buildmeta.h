/*
 * buildmeta: what the master knows about each build-list entry, written by
 * get-package-updates next to the build list (in the same transaction) and
 * read by get-assignment, get-sources and return-assignment, so that none
 * of them has to read a PKGBUILD or a git tree to answer a slave.
 *
 *   <state_dir>/build-meta, one line per build-list entry:
 *   <pkgbase> <repo> <source> <path> <custom> <version> <pkgnames> <deps>
 *
 *   source    the [source NAME] the entry comes from
 *   path      its directory inside that source's tree ("." for per-package)
 *   custom    its directory in the customizations tree, or "-"
 *   version   [epoch:]pkgver-pkgrel that the PKGBUILD declares
 *   pkgnames  comma-separated pkgnames it builds for the master's arch
 *   deps      comma-separated pkgbases on the build list that it
 *             build-depends on (resolved through provides and groups), or "-"
 *
 * Same rules as buildlist.h: held under build-list.lock, read whole,
 * written whole (atomically or in a txn), missing file = empty, malformed
 * line = error with file and line. An entry is keyed by (pkgbase, repo).
 */
#ifndef SW_BUILDMETA_H
#define SW_BUILDMETA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"
#include "core/txn.h"

struct sw_buildmeta_entry {
	char pkgbase[SW_PKGNAME_MAX + 1];
	char repo[SW_REPO_MAX + 1];
	char source[SW_SLAVE_MAX + 1];
	char path[SW_FILENAME_MAX + 1];
	char custom[SW_FILENAME_MAX + 1]; /* "" when none */
	char version[SW_VERSION_MAX + 1];
	struct sw_strvec pkgnames;
	struct sw_strvec deps;
};

struct sw_buildmeta {
	struct sw_buildmeta_entry *v;
	size_t n, alloc;
};

int sw_buildmeta_read(const char *path, struct sw_buildmeta *m,
	struct sw_err *e);
int sw_buildmeta_write(const char *path, const struct sw_buildmeta *m,
	struct sw_txn *t, struct sw_err *e);
void sw_buildmeta_release(struct sw_buildmeta *m);
long sw_buildmeta_find(const struct sw_buildmeta *m, const char *pkgbase,
	const char *repo);
/*
 * Adds an entry (checked field by field; pkgnames must not be empty) and
 * takes over its strvecs: on return *ent's pkgnames and deps are empty
 * either way.
 */
int sw_buildmeta_add(struct sw_buildmeta *m, struct sw_buildmeta_entry *ent,
	struct sw_err *e);
void sw_buildmeta_remove(struct sw_buildmeta *m, size_t index);

/*
 * One entry without reading the others (lines.h, sw_lines_find_keyed):
 * sw_buildmeta_lookup parses the line of (pkgbase, repo) into *ent (1;
 * its strvecs new, release with sw_buildmeta_entry_release), 0 if none;
 * sw_buildmeta_move takes the line out (to_end: puts it last) and writes
 * the others back as they are, under build-list.lock: 0, 1 if none.
 */
int sw_buildmeta_lookup(const char *path, const char *pkgbase,
	const char *repo, struct sw_buildmeta_entry *ent, struct sw_err *e);
int sw_buildmeta_move(const char *path, const char *pkgbase, const char *repo,
	bool to_end, struct sw_txn *t, struct sw_err *e);

/*
 * One entry as its 8 fields (a line split by lines.h): checked field by
 * field into *ent, whose strvecs must be empty; on failure they may hold
 * items (release with sw_buildmeta_entry_release). Others that keep
 * build-meta lines (bump.h) share the format through these.
 */
int sw_buildmeta_parse(char **f, struct sw_buildmeta_entry *ent,
	struct sw_err *e);
/* Appends ent's line to b, without the newline; -1 when out of memory. */
int sw_buildmeta_format(struct sw_buf *b, const struct sw_buildmeta_entry *ent);
/* A deep copy (dst's strvecs are new); 0, or -1 with e and dst empty. */
int sw_buildmeta_entry_copy(struct sw_buildmeta_entry *dst,
	const struct sw_buildmeta_entry *src, struct sw_err *e);
void sw_buildmeta_entry_release(struct sw_buildmeta_entry *ent);

#endif
