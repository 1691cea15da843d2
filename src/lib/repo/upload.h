/*
 * upload: the tar a slave hands to return-assignment, read from a
 * descriptor with libarchive into a private staging directory, trusting
 * nothing in it.
 *
 * sw_upload_read makes "<parent>/.upload-XXXXXX" (mode 0700; parent on the
 * filesystem the files go to in the end, so that they can be renamed or
 * linked there) and stages each member there, or refuses the whole upload.
 * It accepts only a plain tar (no compression) whose members are all
 *   - regular files: no directories, symbolic or hard links, devices,
 *     FIFOs or sparse files;
 *   - named without any '/' (no paths, no "..", no absolute names), by a
 *     name valid for the kind of upload (names.h): package files and their
 *     ".sig" (SW_UPLOAD_PACKAGES), or "<straw>.log.gz" logs starting with
 *     the gzip magic (SW_UPLOAD_LOGS);
 *   - each named once, at most SW_UPLOAD_MEMBERS_MAX of them;
 *   - together, and the tar stream itself, within max_size bytes (counted
 *     as they are read, whatever the headers claim).
 * The data is written with openat(O_CREAT|O_EXCL|O_NOFOLLOW) into the
 * staging directory only. Nothing else on disk changes.
 *
 * Returns SW_UPLOAD_OK, SW_UPLOAD_INVALID (the upload is refused: e says
 * why, quoting the member) or SW_UPLOAD_ERROR (our side failed: disk full,
 * no memory). sw_upload_release removes the staging directory and all in
 * it; call it after any result. A kill -9 leaves a stray .upload-*
 * directory that no one reads (sanity-check removes it).
 */
#ifndef SW_UPLOAD_H
#define SW_UPLOAD_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strvec.h"

#define SW_UPLOAD_MEMBERS_MAX 256
#define SW_UPLOAD_LOG_SUFFIX ".log.gz"

enum sw_upload_kind {
	SW_UPLOAD_PACKAGES,
	SW_UPLOAD_LOGS,
};

enum sw_upload_result {
	SW_UPLOAD_ERROR = -1,
	SW_UPLOAD_OK = 0,
	SW_UPLOAD_INVALID = 1,
};

struct sw_upload {
	char *dir;                /* the staging directory, or NULL */
	int dirfd;
	struct sw_strvec files;   /* staged member names, in tar order */
	uint64_t bytes;           /* of member data */
};

void sw_upload_init(struct sw_upload *u);
void sw_upload_release(struct sw_upload *u);

enum sw_upload_result sw_upload_read(struct sw_upload *u, int fd,
	const char *parent, enum sw_upload_kind kind, uint64_t max_size,
	struct sw_err *e);

/* "<dir>/<name>" of a staged member (name: one of u->files). */
int sw_upload_path(const struct sw_upload *u, const char *name,
	struct sw_buf *out, struct sw_err *e);

#endif
