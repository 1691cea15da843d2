/*
 * repodb_int: what repodb.c (the entries), repodb_read.c (loading) and
 * repodb_write.c (writing, the lock) share. Private to those three files:
 * everyone else includes repodb.h only. The contracts are those of
 * repodb.h; these helpers set e where they take one and change nothing
 * on failure.
 */
#ifndef SW_REPODB_INT_H
#define SW_REPODB_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "repo/repodb.h"

extern const char *const repodb_kinds[2]; /* "db", "files" */

/* "<dir>/<name>.db.tar<c>" split into its parts; *dir is absolute, malloc'ed. */
int repodb_parse_path(const char *path, char **dir, char *name, char *comp,
	struct sw_err *e);
/* "<dir>/<name>.<kind><suffix>" */
int repodb_db_file(const struct sw_repodb *db, const char *kind,
	const char *suffix, struct sw_buf *out, struct sw_err *e);

/*
 * Entries read from an archive come from db->slab, made at once for as
 * many as the archive can hold (at least a 512-byte header each): one
 * block in huge pages, not thousands of allocations, each touching fresh
 * pages. repodb_entry_new: a zeroed entry, from the slab while it has
 * room, else malloc'ed; NULL out of memory.
 */
int repodb_slab_reserve(struct sw_repodb *db, size_t entries);
struct sw_repodb_entry *repodb_entry_new(struct sw_repodb *db);
void repodb_entry_free(struct sw_repodb_entry *en);
void repodb_prev_release(struct sw_repodb_prev *pv);
/* Index of pkgname in db->v, or where it would go (*found false). */
size_t repodb_lookup(const struct sw_repodb *db, const char *pkgname,
	bool *found);
/* Puts en in place of the entry of its name, or inserts it; takes en. */
int repodb_put_entry(struct sw_repodb *db, struct sw_repodb_entry *en,
	struct sw_err *e);
/*
 * Appends a member whose bytes are data (len of them, then a NUL), left
 * where they are; owned: the malloc'ed block they lie in, which the entry
 * then frees, or NULL (they outlive the entry). -1 ENOMEM, owned not taken.
 */
int repodb_add_member(struct sw_repodb_entry *en, int k, const char *name,
	const char *data, size_t len, char *owned);
/* ... a copy of data. */
int repodb_add_copy_member(struct sw_repodb_entry *en, int k, const char *name,
	const char *data, size_t len);
const struct sw_repodb_member *repodb_member(const struct sw_repodb_entry *en,
	int k, const char *name);

#endif
