/*
 * The tar a slave sends to return-assignment (upload.h), read from a
 * descriptor as it arrives over SSH. The first byte picks packages or
 * logs. Whatever is accepted must be staged as plain files with valid
 * names, and releasing the upload removes every trace.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "repo/upload.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_upload u;
	struct sw_err e = {{0}};
	size_t i;
	int fd;

	if (size == 0)
		return 0;
	fd = memfd_create("upload", MFD_CLOEXEC);
	if (fd < 0 || (size > 1 && write(fd, data + 1, size - 1) !=
	    (ssize_t)(size - 1)) || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	sw_upload_init(&u);
	if (sw_upload_read(&u, fd, fuzz_dir(), data[0] & 1 ? SW_UPLOAD_LOGS :
	    SW_UPLOAD_PACKAGES, 1024 * 1024, &e) == SW_UPLOAD_OK) {
		for (i = 0; i < u.files.n; i++)
			if (strchr(u.files.v[i], '/') != NULL ||
			    u.files.v[i][0] == '.')
				abort();
	}
	sw_upload_release(&u);
	close(fd);
	return 0;
}
