/*
 * assign_snap: get-assignment's snapshot of the master's state, shared by
 * the files of assign (assign.h says what it does as a whole). Private to
 * assign*.c; nothing else includes it.
 *
 *   assign.c        the policy: which entry of a view comes next
 *   assign_index.c  the index: the mapped build list and build-meta, their
 *                   lines found by hashing, an entry's id and dependencies
 *   assign_lease.c  the state: flags of entries (fstatat or one readdir),
 *                   leases read, reclaimed and written, sw_assign_get
 *
 * A struct snap lives for one sw_assign_get call. Its fields point into
 * the mapped files (list, meta): an index is valid until they are mapped
 * again (snap_recheck under the lock may do so, and then indexes again).
 */
#ifndef SW_ASSIGN_SNAP_H
#define SW_ASSIGN_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/txn.h"
#include "queue/assign.h"
#include "queue/statedir.h"

/* The flags the policy looks at. */
#define SKIP (SW_AF_LOCKED | SW_AF_BLOCKED | SW_AF_BROKEN)

/* Internal flag bits beside SW_AF_*. */
#define AF_KNOWN 0x80u      /* flags found out (by fstatat) */
#define AF_RECLAIMED 0x40u  /* its lease is being reclaimed by this call */

/* A build-list entry: fields are offsets into the mapped build list. */
struct ent {
	uint32_t off;          /* of the line */
	uint8_t blen, slen, mlen, rlen;
	int32_t next;          /* next entry in the same pkgbase bucket */
	int32_t meta;          /* its build-meta line; -1 unknown, -2 none */
};

struct snap {
	const struct sw_master_conf *c;
	const char *slave;     /* NULL: dry run */
	int64_t now;
	struct sw_statedir sd;
	struct sw_txn t;
	bool txn;
	struct sw_buf list_path, meta_path, dir, path;
	struct sw_map list, meta;
	struct ent *ents;
	size_t n;
	int32_t *heads;
	size_t mask;
	uint8_t *flags;
	bool full;             /* package-states/ was read */
	size_t stats;          /* entries looked at with fstatat */
	/* build-meta line starts, found as far as needed; a hash if out of order */
	uint32_t *mline;
	size_t mn, malloc_n;
	const char *mnext_p;
	int32_t *mheads, *mnext;
	/* scratch for deps() */
	size_t *depv;
	size_t depn, depalloc;
	/* a new lease, written and fsynced before the lock, renamed under it */
	char *lease_tmp;
};

/* ---- assign_index.c ---- */

/* The entry for exactly this id (same commits), or -1. */
long sw_assign_find_id(const struct snap *s, const struct sw_id *id);
/*
 * Indexes the mapped build list: every line's shape checked, entries by
 * (pkgbase, repository) in a hash; a malformed line is an error naming
 * file and line.
 */
int sw_assign_index_list(struct snap *s, struct sw_err *e);
/* The view's deps(): entries on the list that entry i build-depends on. */
int sw_assign_view_deps(void *ctx, size_t i, const size_t **v, size_t *n,
	struct sw_err *e);
/* The id of entry i, every field checked with names.h. */
int sw_assign_entry_id(const struct snap *s, size_t i, struct sw_id *id,
	struct sw_err *e);

#endif
