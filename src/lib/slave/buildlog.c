#include "slave/buildlog.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/fileio.h"

int
sw_buildlog_gzip(int fd, const char *to, struct sw_err *e)
{
	char block[65536];
	gzFile gz = NULL;
	ssize_t n;
	int ret = -1;

	if (lseek(fd, 0, SEEK_SET) < 0 || (gz = gzopen(to, "wbe")) == NULL) {
		sw_err_sys(e, "cannot write '%s'", to);
		goto out;
	}
	while ((n = read(fd, block, sizeof(block))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sw_err_sys(e, "cannot read the build log");
			goto out;
		}
		if (gzwrite(gz, block, (unsigned)n) != (int)n) {
			sw_err_set(e, "cannot write '%s'", to);
			goto out;
		}
	}
	ret = 0;
out:
	if (gz != NULL && gzclose(gz) != Z_OK && ret == 0)
		ret = sw_err_set(e, "cannot write '%s'", to);
	return ret;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
sw_buildlog_keep(const char *work_dir, const char *gz, const char *id,
	const char *straw, uint64_t keep, struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT, p = SW_BUF_INIT;
	struct dirent **list = NULL;
	struct stat st;
	time_t *when = NULL;
	int i, j, n = 0, ret = -1;

	if (sw_buf_addf(&dir, "%s/logs", work_dir) < 0 ||
	    sw_buf_addf(&p, "%s/%s.%s.log.gz", dir.data, id, straw) < 0)
		goto nomem;
	if (sw_mkdir_p(dir.data, 0755, e) < 0)
		goto out;
	unlink(p.data);
	if (keep > 0 && link(gz, p.data) < 0) {
		sw_err_sys(e, "cannot keep the log '%s'", p.data);
		goto out;
	}
	n = scandir(dir.data, &list, NULL, by_name);
	if (n < 0) {
		sw_err_sys(e, "cannot read '%s'", dir.data);
		goto out;
	}
	when = calloc((size_t)n + 1, sizeof(*when));
	if (when == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		sw_buf_reset(&p);
		if (sw_buf_addf(&p, "%s/%s", dir.data, list[i]->d_name) < 0)
			goto nomem;
		when[i] = lstat(p.data, &st) == 0 && S_ISREG(st.st_mode) ?
			st.st_mtime : -1;
	}
	/* remove the oldest until build_logs are left */
	for (;;) {
		int count = 0, oldest = -1;

		for (i = 0; i < n; i++)
			if (when[i] >= 0) {
				count++;
				if (oldest < 0 || when[i] < when[oldest])
					oldest = i;
			}
		if ((uint64_t)count <= keep)
			break;
		sw_buf_reset(&p);
		if (sw_buf_addf(&p, "%s/%s", dir.data, list[oldest]->d_name) < 0)
			goto nomem;
		unlink(p.data);
		when[oldest] = -1;
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot keep the build log");
out:
	for (j = 0; j < n; j++)
		free(list[j]);
	free(list);
	free(when);
	sw_buf_release(&dir);
	sw_buf_release(&p);
	return ret;
}
