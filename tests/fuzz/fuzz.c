/* Helpers of the fuzz targets (fuzz.h). Failing here is a harness bug: abort. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[PATH_MAX];
static char file[PATH_MAX];

const char *
fuzz_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0] != '\0')
		return dir;
	if (snprintf(dir, sizeof(dir), "%s/slipway-fuzz.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp") >= (int)sizeof(dir) ||
	    mkdtemp(dir) == NULL)
		abort();
	return dir;
}

const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	int fd;

	if (snprintf(file, sizeof(file), "%s/%s", fuzz_dir(), name) >=
	    (int)sizeof(file))
		abort();
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) < 0)
		abort();
	return file;
}

char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void
fuzz_tar(const struct fuzz_member *m, size_t n, int gzip, void **out,
    size_t *outlen)
{
	size_t cap = 4096 + 1024 * n, used = 0;
	struct archive *a = archive_write_new();
	struct archive_entry *en = archive_entry_new();
	char *buf;
	size_t i;

	for (i = 0; i < n; i++)
		cap += m[i].size + 1024;
	if (gzip)
		cap += cap / 2 + 1024;
	buf = malloc(cap);
	if (a == NULL || en == NULL || buf == NULL ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    (gzip && archive_write_add_filter_gzip(a) != ARCHIVE_OK) ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
		abort();
	for (i = 0; i < n; i++) {
		archive_entry_clear(en);
		archive_entry_set_pathname(en, m[i].name);
		archive_entry_set_filetype(en, AE_IFREG);
		archive_entry_set_perm(en, 0644);
		archive_entry_set_size(en, (la_int64_t)m[i].size);
		if (archive_write_header(a, en) != ARCHIVE_OK ||
		    (m[i].size > 0 && archive_write_data(a, m[i].data, m[i].size) !=
		    (la_ssize_t)m[i].size))
			abort();
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_write_free(a);
	archive_entry_free(en);
	*out = buf;
	*outlen = used;
}
