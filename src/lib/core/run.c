#include "core/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void
sw_child_init(struct sw_child *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	sw_strvec_init(&c->argv);
	sw_strvec_init(&c->env);
	c->in = c->out = c->err = -1;
	c->pid = -1;
}

void
sw_child_release(struct sw_child *c)
{
	sw_strvec_release(&c->argv);
	sw_strvec_release(&c->env);
}

int
sw_env_allow(struct sw_strvec *env, const char *const *names)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		const char *v = getenv(names[i]);

		if (v != NULL && sw_strvec_pushf(env, "%s=%s", names[i], v) < 0)
			return -1;
	}
	return 0;
}

/* In the child: only async-signal-safe calls until execve. */
static void __attribute__((noreturn))
child(const struct sw_child *c, int report)
{
	int fds[3] = { c->in, c->out, c->err };
	int null = -1, i, saved;

	setpgid(0, 0);
	for (i = 0; i < 3; i++)
		if (fds[i] < 0) {
			if (null < 0)
				null = open("/dev/null", O_RDWR | O_CLOEXEC);
			fds[i] = null;
		}
	/* dup every source above 2 first so that a later dup2 cannot clobber it */
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0 && fds[i] <= 2)
			fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
	for (i = 0; i < 3; i++)
		if (fds[i] < 0 || dup2(fds[i], i) < 0)
			goto fail;
	if (c->dir != NULL && chdir(c->dir) < 0)
		goto fail;
	if (c->uid != 0 && geteuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
	    setresuid(c->uid, c->uid, c->uid) < 0))
		goto fail;
	signal(SIGPIPE, SIG_DFL);
	execve(c->path, c->argv.v, c->env.v);
fail:
	saved = errno;
	if (write(report, &saved, sizeof(saved)) < 0) {
		/* nothing more to do: the parent sees a short read */
	}
	_exit(127);
}

int
sw_child_start(struct sw_child *c, struct sw_err *e)
{
	int report[2], child_errno = 0;
	ssize_t r;
	pid_t pid;

	if (c->argv.n == 0 && sw_strvec_push(&c->argv, c->path) < 0)
		return sw_err_sys(e, "cannot run '%s'", c->path);
	if (pipe2(report, O_CLOEXEC) < 0)
		return sw_err_sys(e, "cannot run '%s'", c->path);
	pid = fork();
	if (pid < 0) {
		close(report[0]);
		close(report[1]);
		return sw_err_sys(e, "cannot fork for '%s'", c->path);
	}
	if (pid == 0)
		child(c, report[1]);
	close(report[1]);
	/* the pipe closes on a successful exec; errno arrives otherwise */
	do
		r = read(report[0], &child_errno, sizeof(child_errno));
	while (r < 0 && errno == EINTR);
	close(report[0]);
	c->pid = pid;
	c->timed_out = false;
	if (r == (ssize_t)sizeof(child_errno)) {
		waitpid(pid, NULL, 0);
		c->pid = -1;
		errno = child_errno;
		return sw_err_sys(e, "cannot execute '%s'", c->path);
	}
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
kill_group(struct sw_child *c)
{
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
}

/* Waits for the child, reading its stdout pipe into out when out_fd >= 0. */
static int
wait_reading(struct sw_child *c, int out_fd, struct sw_buf *out, int *status,
	struct sw_err *e)
{
	long deadline = c->timeout_ms ? now_ms() + (long)c->timeout_ms : 0;
	int pidfd, ret = -1, ws;
	bool exited = false, overflow = false;

	pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (pidfd < 0) {
		sw_err_sys(e, "cannot watch '%s'", c->path);
		kill_group(c);
		waitpid(c->pid, NULL, 0);
		goto out;
	}
	/* until the child is gone and its stdout (if we read it) is closed */
	while (!exited || out_fd >= 0) {
		struct pollfd p[2];
		int nfds = 0, timeout = -1, n, i;

		if (!exited)
			p[nfds++] = (struct pollfd){ pidfd, POLLIN, 0 };
		if (out_fd >= 0)
			p[nfds++] = (struct pollfd){ out_fd, POLLIN, 0 };
		if (deadline) {
			long left = deadline - now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		n = poll(p, (nfds_t)nfds, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sw_err_sys(e, "cannot wait for '%s'", c->path);
			kill_group(c);
			break;
		}
		if (n == 0) {
			/* the deadline passed: kill the group, keep waiting for it */
			c->timed_out = true;
			kill_group(c);
			deadline = 0;
			continue;
		}
		for (i = 0; i < nfds; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == pidfd) {
				exited = true;
				continue;
			}
			char chunk[65536];
			ssize_t r = read(out_fd, chunk, sizeof(chunk));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(out_fd);
				out_fd = -1;
			} else if (!overflow && sw_buf_add(out, chunk, (size_t)r) < 0) {
				overflow = true;
				kill_group(c);
			}
		}
	}
	while (waitpid(c->pid, &ws, 0) < 0)
		if (errno != EINTR) {
			sw_err_sys(e, "cannot wait for '%s'", c->path);
			goto out;
		}
	c->pid = -1;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	if (overflow) {
		sw_err_set(e, "'%s' wrote more than %zu bytes", c->path, out->cap);
		goto out;
	}
	ret = 0;
out:
	if (out_fd >= 0)
		close(out_fd);
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}

void
sw_child_kill(struct sw_child *c)
{
	if (c->pid > 0)
		kill_group(c);
}

int
sw_child_wait(struct sw_child *c, int *status, struct sw_err *e)
{
	return wait_reading(c, -1, NULL, status, e);
}

int
sw_child_run(struct sw_child *c, int *status, struct sw_err *e)
{
	if (sw_child_start(c, e) < 0)
		return -1;
	return sw_child_wait(c, status, e);
}

int
sw_child_capture(struct sw_child *c, struct sw_buf *out, int *status,
	struct sw_err *e)
{
	int p[2];
	int keep = c->out;

	if (pipe2(p, O_CLOEXEC) < 0)
		return sw_err_sys(e, "cannot run '%s'", c->path);
	c->out = p[1];
	if (sw_child_start(c, e) < 0) {
		c->out = keep;
		close(p[0]);
		close(p[1]);
		return -1;
	}
	c->out = keep;
	close(p[1]);
	return wait_reading(c, p[0], out, status, e);
}
