/*
 * fileio: reading files we do not trust, and replacing files atomically.
 *
 * Reading: sw_file_read opens with O_NOFOLLOW|O_CLOEXEC, fstats the
 * descriptor, refuses anything but a regular file and anything larger than
 * cap, then reads. A missing file is reported as 1 (not an error) so
 * callers can treat "absent" as a state.
 *
 * Writing: sw_atomic_begin creates "<path>.tmp.XXXXXX" in the same
 * directory; write with sw_atomic_write; sw_atomic_commit fsyncs the file,
 * renames it over <path> and fsyncs the directory; sw_atomic_rollback
 * unlinks the temp file. A kill -9 at any point leaves either the old
 * <path> or the new one, never a mix; at worst a stray *.tmp.* file that
 * sanity-check removes. A struct sw_atomic must end in commit or rollback;
 * rollback after commit (or twice) does nothing, so an `out:` path can
 * always call it.
 */
#ifndef SW_FILEIO_H
#define SW_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

/* 0 read, 1 absent (ENOENT), -1 error. Appends to out. */
int sw_file_read(const char *path, size_t cap, struct sw_buf *out,
	struct sw_err *e);

/*
 * Maps a file read-only, with the checks of sw_file_read, for files read
 * many times a second (the build list): no copy, no page faults per 4 KiB.
 * Files we write are only ever replaced by rename, never changed in place,
 * so a mapping stays what was read; sw_file_map_current tells whether path
 * still names the mapped file (the mapping pins the inode, so its number
 * cannot be reused meanwhile). data is not NUL-terminated. An absent file
 * is 1 with an empty map. Release with sw_file_unmap (also after -1 or 1).
 */
struct sw_map {
	const char *data;
	size_t len;
	dev_t dev;
	ino_t ino;
	void *addr;     /* NULL for an empty or absent file */
};

#define SW_MAP_INIT { "", 0, 0, 0, NULL }

/* whole: the caller reads all of it (map it all at once). */
int sw_file_map(const char *path, size_t cap, bool whole, struct sw_map *m,
	struct sw_err *e);
/* 1: path is the mapped file (or still absent), 0: replaced, -1: error. */
int sw_file_map_current(const char *path, const struct sw_map *m,
	struct sw_err *e);
void sw_file_unmap(struct sw_map *m);

struct sw_atomic {
	int fd;
	char *path;
	char *tmp;
};

#define SW_ATOMIC_INIT { -1, NULL, NULL }

int sw_atomic_begin(struct sw_atomic *a, const char *path, mode_t mode,
	struct sw_err *e);
int sw_atomic_write(struct sw_atomic *a, const void *p, size_t n,
	struct sw_err *e);
int sw_atomic_commit(struct sw_atomic *a, struct sw_err *e);
void sw_atomic_rollback(struct sw_atomic *a);

/* The whole cycle for data already in memory. */
int sw_file_replace(const char *path, const void *p, size_t n, mode_t mode,
	struct sw_err *e);

/* fsync of the directory holding path (for renames and unlinks). */
int sw_fsync_parent(const char *path, struct sw_err *e);
/* unlink(path) and fsync its directory; a missing file is not an error. */
int sw_file_remove(const char *path, struct sw_err *e);
/* mkdir -p with mode for every created component. */
int sw_mkdir_p(const char *path, mode_t mode, struct sw_err *e);

/* Writes all of p to fd, retrying short writes and EINTR. */
int sw_write_all(int fd, const void *p, size_t n);

#endif
