#include "slave/deproot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/run.h"
#include "slave/sandbox.h"

#define PACMAN_ERR_MAX (16 * 1024 * 1024)

int
sw_deproot_parse_errors(const char *text, struct sw_strvec *missing,
	char *other, size_t size)
{
	static const char nf[] = "error: target not found: ";
	static const char us[] = ":: unable to satisfy dependency";
	const char *line = text, *end;
	size_t len, skip;
	bool detail = false;

	if (size > 0)
		other[0] = '\0';
	for (; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		len = (size_t)(end - line);
		if (len > sizeof(nf) - 1 && strncmp(line, nf, sizeof(nf) - 1) == 0) {
			char name[256];
			size_t n = len - (sizeof(nf) - 1);

			if (n >= sizeof(name))
				continue;
			memcpy(name, line + sizeof(nf) - 1, n);
			name[n] = '\0';
			if (!sw_strvec_contains(missing, name) &&
			    sw_strvec_push(missing, name) < 0)
				return -1;
		} else if (size > 0 && ((len > sizeof(us) - 1 &&
		    strncmp(line, us, sizeof(us) - 1) == 0 && !detail) ||
		    (len > 7 && strncmp(line, "error: ", 7) == 0 &&
		    other[0] == '\0'))) {
			/* pacman's detail line beats its summary */
			skip = line[0] == ':' ? 3 : 7;
			detail = line[0] == ':';
			len -= skip;
			if (len >= size)
				len = size - 1;
			memcpy(other, line + skip, len);
			other[len] = '\0';
		}
	}
	return 0;
}

static void
logf_(int fd, const char *fmt, const char *arg)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), fmt, arg);

	if (n > 0)
		sw_write_all(fd, line, (size_t)n < sizeof(line) ? (size_t)n :
			sizeof(line) - 1);
}

/* pacman in the fake-root sandbox; its output goes to the log and errtext. */
static int
pacman(const struct sw_deproot *o, const char *const *args,
	struct sw_buf *errtext, int *status, struct sw_err *e)
{
	struct sw_child c;
	struct sw_strvec *a;
	size_t i;
	int errfd = -1, r, ret = -1;

	sw_child_init(&c, o->prefix->n ? o->prefix->v[0] : o->bwrap);
	a = &c.argv;
	for (i = 0; i < o->prefix->n; i++)
		if (sw_strvec_push(a, o->prefix->v[i]) < 0)
			goto nomem;
	if (sw_strvec_push(a, o->bwrap) < 0 ||
	    sw_strvec_push(a, "--unshare-user") < 0 ||
	    sw_strvec_push(a, "--unshare-ipc") < 0 ||
	    sw_strvec_push(a, "--unshare-pid") < 0 ||
	    sw_strvec_push(a, "--uid") < 0 || sw_strvec_push(a, "0") < 0 ||
	    sw_strvec_push(a, "--gid") < 0 || sw_strvec_push(a, "0") < 0 ||
	    sw_strvec_push(a, "--die-with-parent") < 0 ||
	    sw_strvec_push(a, "--new-session") < 0 ||
	    sw_strvec_push(a, "--ro-bind") < 0 || sw_strvec_push(a, "/") < 0 ||
	    sw_strvec_push(a, "/") < 0 ||
	    sw_strvec_push(a, "--dev") < 0 || sw_strvec_push(a, "/dev") < 0 ||
	    sw_strvec_push(a, "--proc") < 0 || sw_strvec_push(a, "/proc") < 0 ||
	    sw_strvec_push(a, "--bind") < 0 || sw_strvec_push(a, o->root) < 0 ||
	    sw_strvec_push(a, o->root) < 0 ||
	    sw_strvec_push(a, "--bind") < 0 || sw_strvec_push(a, o->cachedir) < 0 ||
	    sw_strvec_push(a, o->cachedir) < 0 ||
	    sw_strvec_push(a, "--") < 0 ||
	    sw_strvec_push(a, "/usr/bin/pacman") < 0 ||
	    sw_strvec_push(a, "--config") < 0 ||
	    sw_strvec_push(a, o->pacman_conf) < 0 ||
	    sw_strvec_push(a, "--root") < 0 || sw_strvec_push(a, o->root) < 0 ||
	    sw_strvec_pushf(a, "--dbpath=%s/var/lib/pacman", o->root) < 0 ||
	    sw_strvec_pushf(a, "--logfile=%s/var/log/pacman.log", o->root) < 0 ||
	    sw_strvec_pushf(a, "--cachedir=%s", o->cachedir) < 0 ||
	    sw_strvec_push(a, "--noconfirm") < 0 ||
	    sw_strvec_push(a, "--noprogressbar") < 0 ||
	    sw_strvec_push(a, "--color=never") < 0)
		goto nomem;
	for (i = 0; args[i]; i++)
		if (sw_strvec_push(a, args[i]) < 0)
			goto nomem;
	if (sw_strvec_push(&c.env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
	    sw_strvec_push(&c.env, "LC_ALL=C") < 0)
		goto nomem;
	errfd = memfd_create("pacman-output", MFD_CLOEXEC);
	if (errfd < 0) {
		sw_err_sys(e, "cannot run pacman");
		goto out;
	}
	/* both: pacman says what it could not satisfy on stdout */
	c.out = errfd;
	c.err = errfd;
	if (sw_child_start(&c, e) < 0)
		goto out;
	r = sw_sandbox_wait(&c, o->deadline_ms, o->hooks, SW_PHASE_PREPARING,
		status, e);
	if (r < 0)
		goto out;
	if (r == 1) {
		sw_err_set(e, "pacman ran out of time");
		ret = 1;
		goto out;
	}
	if (r == 2) {
		ret = 2;
		goto out;
	}
	sw_buf_reset(errtext);
	if (lseek(errfd, 0, SEEK_SET) < 0 || sw_buf_read_fd(errtext, errfd) < 0) {
		sw_err_sys(e, "cannot read pacman's messages");
		goto out;
	}
	sw_write_all(o->logfd, errtext->data, errtext->len);
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot run pacman");
out:
	if (errfd >= 0)
		close(errfd);
	sw_child_release(&c);
	return ret;
}

int
sw_deproot_install(const struct sw_deproot *o, const struct sw_strvec *deps,
	struct sw_err *e)
{
	struct sw_strvec want = SW_STRVEC_INIT, missing = SW_STRVEC_INIT, args =
		SW_STRVEC_INIT;
	struct sw_buf errtext = SW_BUF_INIT;
	static const char *const sync[] = { "-Sy", NULL };
	char other[512];
	size_t i;
	int status, r, round, ret = -1;

	errtext.cap = PACMAN_ERR_MAX;
	for (i = 0; i < deps->n; i++)
		if (!sw_strvec_contains(&want, deps->v[i]) &&
		    sw_strvec_push(&want, deps->v[i]) < 0)
			goto nomem;
	if (want.n == 0) {
		ret = 0;
		goto out;
	}
	logf_(o->logfd, "==> slipway: syncing the farm's repositories (%s)\n",
		o->pacman_conf);
	if ((r = pacman(o, sync, &errtext, &status, e)) != 0) {
		ret = r < 0 ? -1 : r;
		goto out;
	}
	if (status != 0) {
		sw_deproot_parse_errors(errtext.data, &missing, other, sizeof(other));
		sw_err_set(e, "cannot sync the farm's repositories: %s",
			other[0] ? other : "pacman failed");
		goto out;
	}
	/* at most one round per dependency that turns out to be unpublished */
	for (round = 0; ; round++) {
		sw_strvec_release(&args);
		if (sw_strvec_push(&args, "-S") < 0 ||
		    sw_strvec_push(&args, "--noscriptlet") < 0 ||
		    sw_strvec_push(&args, "--needed") < 0 ||
		    sw_strvec_push(&args, "--asdeps") < 0)
			goto nomem;
		for (i = 0; i < want.n; i++)
			if (!sw_strvec_contains(&missing, want.v[i]) &&
			    sw_strvec_push(&args, want.v[i]) < 0)
				goto nomem;
		if (args.n == 4) {
			ret = 0;
			goto out;
		}
		logf_(o->logfd, "==> slipway: installing build dependencies from the "
			"farm%s\n", "");
		if ((r = pacman(o, (const char *const *)args.v, &errtext, &status,
		    e)) != 0) {
			ret = r < 0 ? -1 : r;
			goto out;
		}
		if (status == 0) {
			ret = 0;
			goto out;
		}
		size_t before = missing.n;

		if (sw_deproot_parse_errors(errtext.data, &missing, other,
		    sizeof(other)) < 0)
			goto nomem;
		for (i = before; i < missing.n; i++) {
			if (!sw_strvec_contains(&want, missing.v[i])) {
				sw_err_set(e, "cannot install the build dependencies: "
					"'%s' not found", missing.v[i]);
				ret = 1;
				goto out;
			}
			logf_(o->logfd, "==> slipway: build dependency '%s' is not "
				"published by the farm (yet): building without it\n",
				missing.v[i]);
		}
		if (missing.n == before || (size_t)round > want.n) {
			sw_err_set(e, "cannot install the build dependencies: %s",
				other[0] ? other : "pacman failed");
			ret = 1;
			goto out;
		}
	}
nomem:
	sw_err_sys(e, "cannot install the build dependencies");
out:
	sw_strvec_release(&want);
	sw_strvec_release(&missing);
	sw_strvec_release(&args);
	sw_buf_release(&errtext);
	return ret;
}
