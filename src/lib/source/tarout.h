/*
 * tarout: a tar stream written to a descriptor with libarchive, member by
 * member, from data in memory (get-sources: a build directory read from git
 * trees, never checked out on disk).
 *
 * sw_tarout_open, then sw_tarout_file / sw_tarout_symlink / sw_tarout_dir
 * for each member, then sw_tarout_close (which writes the end of the
 * archive and reports a failed write). sw_tarout_release frees everything
 * (also after a failure; a stream released before close is cut short and
 * the reader sees a truncated tar, never a complete-looking wrong one).
 *
 * Members are pax (ustar with extensions), owned by 0:0 with names
 * "root"/"root", dated at mtime, so the same tree always gives the same
 * bytes. Names are relative, '/'-separated, and checked with names.h as a
 * tree path (no "..", no absolute names); a symlink target may not be
 * absolute or leave the archive's top. Modes: 0644 or 0755 for files,
 * 0755 for directories.
 */
#ifndef SW_TAROUT_H
#define SW_TAROUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct sw_tarout {
	struct archive *a;
	int fd;             /* a dup of the caller's */
	int64_t mtime;
	bool closed;
};

int sw_tarout_open(struct sw_tarout *t, int fd, int64_t mtime,
	struct sw_err *e);
int sw_tarout_dir(struct sw_tarout *t, const char *path, struct sw_err *e);
int sw_tarout_file(struct sw_tarout *t, const char *path, bool executable,
	const void *data, size_t len, struct sw_err *e);
int sw_tarout_symlink(struct sw_tarout *t, const char *path,
	const char *target, struct sw_err *e);
int sw_tarout_close(struct sw_tarout *t, struct sw_err *e);
void sw_tarout_release(struct sw_tarout *t);

#endif
