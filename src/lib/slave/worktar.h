/*
 * worktar: the two tars a slave exchanges with the master.
 *
 * sw_worktar_extract unpacks what get-sources sent (the file at path) into
 * the fresh directory dir, trusting nothing in it: only regular files,
 * directories and symlinks, each named by a relative path that names.h
 * accepts as a tree path (no "..", no absolute names), a symlink only with
 * a target that stays in the tree (sw_name_link_inside); modes become 0755
 * or 0644 and the owner is ours; nothing is overwritten, and nothing is
 * written through a symlink. Anything else refuses the
 * whole tar with e naming the member (what is extracted so far stays in
 * dir, for the caller to remove).
 *
 * sw_worktar_results writes, to the file tar, a plain tar of the build
 * results in dir (not its dotfiles, not the file named skip), sorted by
 * name, each streamed from disk: the packages and signatures when error
 * is false, else the logs "<id>.<straw>.log.gz" as "<straw>.log.gz", as
 * return-assignment ... ERROR wants them (upload.h). *nfiles counts what
 * went in. Both return 0 or -1 with e set; a kill -9 leaves a partial
 * directory or tar that the caller's next run removes.
 */
#ifndef SW_WORKTAR_H
#define SW_WORKTAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strvec.h"

int sw_worktar_extract(const char *path, const char *dir, struct sw_err *e);
/* The names in dir, sorted, but dotfiles and skip (NULL: none). */
int sw_worktar_list(const char *dir, const char *skip, struct sw_strvec *names,
	struct sw_err *e);
int sw_worktar_results(const char *dir, const char *skip, bool error,
	const char *tar, size_t *nfiles, struct sw_err *e);

#endif
