#include "slave/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

/* What of /etc a build reads: the loader, compilers' alternatives, TLS, DNS. */
static const char *const etc_files[] = {
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
	"/etc/alternatives", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
	"/etc/hosts", "/etc/resolv.conf", "/etc/ssl", "/etc/ca-certificates",
	"/etc/pki", "/etc/localtime", "/etc/gitconfig", "/etc/makepkg.conf.d",
	NULL,
};

int64_t
sw_sandbox_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
push3(struct sw_strvec *a, const char *x, const char *y, const char *z)
{
	if (sw_strvec_push(a, x) < 0 || sw_strvec_push(a, y) < 0)
		return -1;
	return z == NULL ? 0 : sw_strvec_push(a, z);
}

int
sw_sandbox_env(struct sw_strvec *env)
{
	static const char *const keep[] = { "TZ", "SOURCE_DATE_EPOCH", NULL };

	if (sw_strvec_push(env,
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
	    sw_strvec_push(env, "HOME=/tmp") < 0 ||
	    sw_strvec_push(env, "LC_ALL=C") < 0 ||
	    sw_strvec_push(env, "BUILDDIR=/build") < 0 ||
	    sw_strvec_push(env, "SRCDEST=/srcdest") < 0 ||
	    sw_strvec_push(env, "PKGDEST=/pkgdest") < 0 ||
	    sw_strvec_push(env, "SRCPKGDEST=/tmp") < 0 ||
	    sw_strvec_push(env, "LOGDEST=/tmp") < 0 ||
	    sw_env_allow(env, keep) < 0)
		return -1;
	return 0;
}

/* --ro-bind or --symlink for /bin, /lib*, ... as they are on the host. */
static int
system_links(struct sw_strvec *a)
{
	static const char *const dirs[] = { "/bin", "/sbin", "/lib", "/lib32",
		"/lib64", "/libx32", NULL };
	const char *const *d;
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	for (d = dirs; *d; d++) {
		if (lstat(*d, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(*d, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (push3(a, "--symlink", target, *d) < 0)
				return -1;
		} else if (S_ISDIR(st.st_mode) && push3(a, "--ro-bind", *d, *d) < 0) {
			return -1;
		}
	}
	return 0;
}

/* One entry of the merge: a link as a link, anything else as a bind. */
static int
merge_one(struct sw_strvec *a, const char *src, const struct stat *st,
	const char *dest, struct sw_err *e)
{
	char target[PATH_MAX];
	ssize_t n;

	if (S_ISLNK(st->st_mode)) {
		n = readlink(src, target, sizeof(target) - 1);
		if (n < 0)
			return sw_err_sys(e, "cannot read link '%s'", src);
		target[n] = '\0';
		if (push3(a, "--symlink", target, dest) < 0)
			return sw_err_sys(e, "cannot build the sandbox");
		return 0;
	}
	if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
		return 0;
	if (push3(a, "--ro-bind", src, dest) < 0)
		return sw_err_sys(e, "cannot build the sandbox");
	return 0;
}

int
sw_sandbox_usr_merge(struct sw_strvec *a, const char *host, const char *farm,
	const char *dest, struct sw_err *e)
{
	struct sw_buf hp = SW_BUF_INIT, fp = SW_BUF_INIT, dp = SW_BUF_INIT;
	struct stat hst, fst;
	struct dirent *de;
	DIR *d = NULL;
	int ret = -1;

	/* the farm's entries: recurse where both have a directory */
	if ((d = opendir(farm)) == NULL) {
		sw_err_sys(e, "cannot read '%s'", farm);
		goto out;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sw_buf_reset(&hp);
		sw_buf_reset(&fp);
		sw_buf_reset(&dp);
		if (sw_buf_addf(&hp, "%s/%s", host, de->d_name) < 0 ||
		    sw_buf_addf(&fp, "%s/%s", farm, de->d_name) < 0 ||
		    sw_buf_addf(&dp, "%s/%s", dest, de->d_name) < 0) {
			sw_err_sys(e, "cannot build the sandbox");
			goto out;
		}
		if (lstat(fp.data, &fst) < 0) {
			sw_err_sys(e, "cannot read '%s'", fp.data);
			goto out;
		}
		if (S_ISDIR(fst.st_mode) && lstat(hp.data, &hst) == 0 &&
		    S_ISDIR(hst.st_mode)) {
			if (push3(a, "--dir", dp.data, NULL) < 0) {
				sw_err_sys(e, "cannot build the sandbox");
				goto out;
			}
			if (sw_sandbox_usr_merge(a, hp.data, fp.data, dp.data, e) < 0)
				goto out;
			continue;
		}
		if (merge_one(a, fp.data, &fst, dp.data, e) < 0)
			goto out;
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", farm);
		goto out;
	}
	closedir(d);
	/* the host's entries the farm does not have */
	if ((d = opendir(host)) == NULL) {
		sw_err_sys(e, "cannot read '%s'", host);
		goto out;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sw_buf_reset(&hp);
		sw_buf_reset(&fp);
		sw_buf_reset(&dp);
		if (sw_buf_addf(&hp, "%s/%s", host, de->d_name) < 0 ||
		    sw_buf_addf(&fp, "%s/%s", farm, de->d_name) < 0 ||
		    sw_buf_addf(&dp, "%s/%s", dest, de->d_name) < 0) {
			sw_err_sys(e, "cannot build the sandbox");
			goto out;
		}
		if (lstat(fp.data, &fst) == 0)
			continue;
		if (lstat(hp.data, &hst) < 0) {
			sw_err_sys(e, "cannot read '%s'", hp.data);
			goto out;
		}
		if (merge_one(a, hp.data, &hst, dp.data, e) < 0)
			goto out;
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", host);
		goto out;
	}
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&hp);
	sw_buf_release(&fp);
	sw_buf_release(&dp);
	return ret;
}

int
sw_sandbox_bwrap(struct sw_strvec *a, const char *bwrap,
	const struct sw_sandbox *d, bool net, const char *const *cmd,
	struct sw_err *e)
{
	const char *const *f;
	const char *bind = d->readonly ? "--ro-bind" : "--bind";

	if (sw_strvec_push(a, bwrap) < 0 ||
	    sw_strvec_push(a, "--unshare-all") < 0 ||
	    (net && sw_strvec_push(a, "--share-net") < 0) ||
	    sw_strvec_push(a, "--unshare-user") < 0 ||
	    push3(a, "--uid", SW_SANDBOX_UID, NULL) < 0 ||
	    push3(a, "--gid", SW_SANDBOX_UID, NULL) < 0 ||
	    push3(a, "--cap-drop", "ALL", NULL) < 0 ||
	    sw_strvec_push(a, "--die-with-parent") < 0 ||
	    sw_strvec_push(a, "--new-session") < 0)
		goto nomem;
	if (d->farm_usr == NULL) {
		if (push3(a, "--ro-bind", "/usr", "/usr") < 0)
			goto nomem;
	} else {
		if (push3(a, "--tmpfs", "/usr", NULL) < 0)
			goto nomem;
		if (sw_sandbox_usr_merge(a, "/usr", d->farm_usr, "/usr", e) < 0)
			return -1;
		if (push3(a, "--remount-ro", "/usr", NULL) < 0)
			goto nomem;
	}
	if (system_links(a) < 0)
		goto nomem;
	for (f = etc_files; *f; f++)
		if (push3(a, "--ro-bind-try", *f, *f) < 0)
			goto nomem;
	if (push3(a, d->makepkg_conf ? "--ro-bind" : "--ro-bind-try",
	    d->makepkg_conf ? d->makepkg_conf : "/etc/makepkg.conf",
	    "/etc/makepkg.conf") < 0 ||
	    push3(a, "--dev", "/dev", NULL) < 0 ||
	    push3(a, "--proc", "/proc", NULL) < 0 ||
	    push3(a, "--tmpfs", "/tmp", NULL) < 0 ||
	    push3(a, bind, d->startdir, "/startdir") < 0 ||
	    push3(a, bind, d->builddir, "/build") < 0 ||
	    push3(a, bind, d->srcdest, "/srcdest") < 0 ||
	    push3(a, bind, d->pkgdest, "/pkgdest") < 0 ||
	    (d->settings != NULL &&
	    push3(a, "--ro-bind", d->settings, SW_SANDBOX_SETTINGS) < 0) ||
	    (d->log != NULL && push3(a, "--ro-bind", d->log, SW_SANDBOX_LOG) < 0) ||
	    push3(a, "--chdir", "/startdir", NULL) < 0 ||
	    sw_strvec_push(a, "--") < 0 ||
	    sw_strvec_push(a, "/usr/bin/prlimit") < 0 ||
	    sw_strvec_pushf(a, "--cpu=%llu", (unsigned long long)d->cpu_s) < 0 ||
	    sw_strvec_pushf(a, "--as=%llu", (unsigned long long)d->mem_bytes) < 0 ||
	    sw_strvec_pushf(a, "--nproc=%llu", (unsigned long long)d->nproc) < 0 ||
	    sw_strvec_push(a, "--") < 0)
		goto nomem;
	for (; *cmd; cmd++)
		if (sw_strvec_push(a, *cmd) < 0)
			goto nomem;
	return 0;
nomem:
	return sw_err_sys(e, "cannot build the sandbox");
}

int
sw_sandbox_devtools(struct sw_strvec *a, const char *makechrootpkg,
	const char *chroot, bool nocheck, struct sw_err *e)
{
	if (sw_strvec_push(a, makechrootpkg) < 0 ||
	    push3(a, "-c", "-r", chroot) < 0 ||
	    push3(a, "--", "--noconfirm", "--holdver") < 0 ||
	    (nocheck && sw_strvec_push(a, "--nocheck") < 0))
		return sw_err_sys(e, "cannot build the devtools command line");
	return 0;
}

/* word with every {name} of the table replaced. */
static int
expand(struct sw_buf *out, const char *word, const char *const *names,
	const char *const *values)
{
	const char *p = word;
	size_t i, len;

	while (*p) {
		for (i = 0; names[i]; i++) {
			len = strlen(names[i]);
			if (strncmp(p, names[i], len) == 0)
				break;
		}
		if (names[i] != NULL) {
			if (sw_buf_addstr(out, values[i]) < 0)
				return -1;
			p += len;
		} else if (sw_buf_addch(out, *p++) < 0) {
			return -1;
		}
	}
	return 0;
}

int
sw_sandbox_command(struct sw_strvec *a, const char *tmpl,
	const struct sw_sandbox *d, bool nocheck, struct sw_err *e)
{
	const char *const names[] = { "{builddir}", "{outdir}", "{srcdest}",
		"{makepkg_conf}", NULL };
	const char *const values[] = { d->startdir, d->pkgdest, d->srcdest,
		d->makepkg_conf ? d->makepkg_conf : "/etc/makepkg.conf", NULL };
	struct sw_strvec words = SW_STRVEC_INIT;
	struct sw_buf w = SW_BUF_INIT;
	size_t i;
	int ret = -1;

	if (sw_strvec_split(&words, tmpl) < 0) {
		sw_err_sys(e, "cannot expand the command template");
		goto out;
	}
	if (words.n == 0 || words.v[0][0] != '/') {
		sw_err_set(e, "cannot run the command template '%s': its first "
			"word must be an absolute path", tmpl);
		goto out;
	}
	for (i = 0; i < words.n; i++) {
		if (strcmp(words.v[i], "{nocheck}") == 0) {
			if (nocheck && sw_strvec_push(a, "--nocheck") < 0)
				goto nomem;
			continue;
		}
		sw_buf_reset(&w);
		if (expand(&w, words.v[i], names, values) < 0 ||
		    sw_strvec_push(a, w.data) < 0)
			goto nomem;
	}
	ret = 0;
	goto out;
nomem:
	sw_err_sys(e, "cannot expand the command template");
out:
	sw_strvec_release(&words);
	sw_buf_release(&w);
	return ret;
}

int
sw_sandbox_wait(struct sw_child *c, int64_t deadline_ms,
	const struct sw_build_hooks *hooks, const char *phase, int *status,
	struct sw_err *e)
{
	int pidfd, n, result = -1;
	int64_t now;

	pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (pidfd < 0) {
		sw_err_sys(e, "cannot watch '%s'", c->path);
		sw_child_kill(c);
		sw_child_wait(c, status, NULL);
		return -1;
	}
	for (;;) {
		struct pollfd p = { pidfd, POLLIN, 0 };

		now = sw_sandbox_now_ms();
		if (deadline_ms > 0 && now >= deadline_ms) {
			result = 1;
			break;
		}
		if (hooks != NULL && hooks->tick != NULL &&
		    hooks->tick(hooks->arg, phase) != 0) {
			result = 2;
			break;
		}
		n = poll(&p, 1, deadline_ms > 0 && deadline_ms - now < 1000 ?
			(int)(deadline_ms - now) : 1000);
		if (n < 0 && errno != EINTR) {
			sw_err_sys(e, "cannot wait for '%s'", c->path);
			break;
		}
		if (n > 0) {
			close(pidfd);
			return sw_child_wait(c, status, e) < 0 ? -1 : 0;
		}
	}
	close(pidfd);
	sw_child_kill(c);
	if (sw_child_wait(c, status, result < 0 ? NULL : e) < 0)
		return -1;
	return result;
}
