/*
 * buildlog: what becomes of a straw's build log on the slave.
 *
 * sw_buildlog_gzip compresses the log the build wrote to fd (read from its
 * start) into the file to, which is what goes back to the master with
 * return-assignment ... ERROR. sw_buildlog_keep then hard-links that file
 * as <work_dir>/logs/<id>.<straw>.log.gz and removes the oldest logs there
 * until keep are left (keep 0: none are kept), so an admin finds the last
 * builds' logs on the slave without the master. Both return 0 or -1 with e
 * set. A kill -9 leaves at most a partial .gz in the build's scratch
 * directory (removed with it) and never more than keep + 1 kept logs.
 */
#ifndef SW_BUILDLOG_H
#define SW_BUILDLOG_H

#include <stdint.h>

#include "core/err.h"

int sw_buildlog_gzip(int fd, const char *to, struct sw_err *e);
int sw_buildlog_keep(const char *work_dir, const char *gz, const char *id,
	const char *straw, uint64_t keep, struct sw_err *e);

#endif
