/* session_local: build-packages -l DIR, one local build (session.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/names.h"
#include "core/strvec.h"
#include "slave/build.h"
#include "slave/fsutil.h"
#include "slave/session_int.h"
#include "slave/worktar.h"

struct local_ticker {
	const volatile sig_atomic_t *stop;
	char phase[33];                  /* the last phase logged */
};

/* Logs each phase once (the hook runs every second while a child runs). */
static int
local_tick(void *arg, const char *phase)
{
	struct local_ticker *t = arg;

	if (strcmp(t->phase, phase) != 0) {
		sw_info("%s", phase);
		snprintf(t->phase, sizeof(t->phase), "%s", phase);
	}
	return t->stop != NULL && *t->stop != 0;
}

/* Moves every file of from into to (rename; copies across filesystems). */
static int
move_files(const char *from, const char *to, struct sw_err *e)
{
	struct sw_strvec names = SW_STRVEC_INIT;
	struct sw_buf a = SW_BUF_INIT, b = SW_BUF_INIT, data = SW_BUF_INIT;
	int ret = -1;
	size_t i;

	if (sw_worktar_list(from, ASSIGNMENT_FILE, &names, e) < 0)
		goto out;
	for (i = 0; i < names.n; i++) {
		sw_buf_reset(&a);
		sw_buf_reset(&b);
		if (sw_buf_addf(&a, "%s/%s", from, names.v[i]) < 0 ||
		    sw_buf_addf(&b, "%s/%s", to, names.v[i]) < 0) {
			sw_err_sys(e, "cannot move '%s'", names.v[i]);
			goto out;
		}
		if (rename(a.data, b.data) == 0)
			continue;
		if (errno != EXDEV) {
			sw_err_sys(e, "cannot move '%s' to '%s'", a.data, b.data);
			goto out;
		}
		sw_buf_reset(&data);
		if (sw_file_read(a.data, SIZE_MAX, &data, e) != 0 ||
		    sw_file_replace(b.data, data.data, data.len, 0644, e) < 0)
			goto out;
	}
	ret = 0;
out:
	sw_strvec_release(&names);
	sw_buf_release(&a);
	sw_buf_release(&b);
	sw_buf_release(&data);
	return ret;
}

enum sw_build_result
sw_session_local(const struct sw_slave_conf *c, const char *dir,
	const volatile sig_atomic_t *stop, struct sw_err *e)
{
	struct sw_session_opts o;
	struct sess s;
	struct sw_buf out = SW_BUF_INIT;
	struct local_ticker ticker = { stop, "" };
	struct sw_build_hooks hooks = { local_tick, &ticker };
	struct sw_build_job job;
	char *abs = NULL;
	const char *base;
	enum sw_build_result ret = SW_BUILD_ERROR;
	int lock_fd = -1;

	memset(&o, 0, sizeof(o));
	sw_sess_init(&s, c, &o);
	abs = realpath(dir, NULL);
	if (abs == NULL) {
		sw_err_sys(e, "cannot build '%s'", dir);
		goto out;
	}
	base = strrchr(abs, '/') + 1;
	if (sw_name_check(SW_NAME_PKGBASE, base, NULL) < 0)
		base = "local";
	if (sw_sess_open_work_dir(&s, &lock_fd, e) < 0 ||
	    sw_buf_addf(&out, "%s/local.new", c->work_dir) < 0 ||
	    sw_fs_remove_tree(out.data, e) < 0)
		goto out;
	if (mkdir(out.data, 0755) < 0) {
		sw_err_sys(e, "cannot create '%s'", out.data);
		goto out;
	}
	job.srcdir = abs;
	job.id = base;
	job.outdir = out.data;
	job.srcinfo = NULL;     /* a packager's .SRCINFO may be stale */
	job.sign = NULL;
	ret = sw_build_run(c, &job, &hooks, e);
	if ((ret == SW_BUILD_OK || ret == SW_BUILD_FAILED) &&
	    move_files(out.data, abs, e) < 0)
		ret = SW_BUILD_ERROR;
out:
	if (out.len > 0)
		sw_fs_remove_tree(out.data, NULL);
	sw_lock_release(&lock_fd);
	sw_sess_release(&s);
	sw_buf_release(&out);
	free(abs);
	return ret;
}
