#include "core/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGALRM only interrupts a blocking flock(2); nothing to do here. */
static void
wake(int sig)
{
	(void)sig;
}

/*
 * Waits in flock(2) itself, so the lock passes to a waiter the moment it is
 * released (polling with pauses would make every waiter sleep past it).
 * A SIGALRM every WAKE_MS interrupts the wait to look at the deadline; it
 * repeats, so a signal that arrives just before flock() starts to wait is
 * not lost for good. The previous SIGALRM action and timer are restored.
 */
#define WAKE_MS 50

static int
flock_until(int fd, long deadline)
{
	struct sigaction sa, old_sa;
	struct itimerval it, old_it;
	int r, saved;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wake;   /* no SA_RESTART: flock returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old_sa) < 0)
		return -1;
	it.it_value.tv_sec = 0;
	it.it_value.tv_usec = WAKE_MS * 1000;
	it.it_interval = it.it_value;
	if (setitimer(ITIMER_REAL, &it, &old_it) < 0) {
		saved = errno;
		sigaction(SIGALRM, &old_sa, NULL);
		errno = saved;
		return -1;
	}
	for (;;) {
		r = flock(fd, LOCK_EX);
		if (r == 0 || errno != EINTR)
			break;
		if (now_ms() >= deadline) {
			errno = EWOULDBLOCK;
			break;
		}
	}
	saved = errno;
	setitimer(ITIMER_REAL, &old_it, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	errno = saved;
	return r;
}

/* The benchmarks' measure of lock waits (lock.h): one line on stderr. */
static void
report_wait(const char *path, const struct timespec *t0, int r)
{
	struct timespec t1;
	long long us;

	if (getenv("SLIPWAY_LOCK_TIMES") == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (long long)(t1.tv_sec - t0->tv_sec) * 1000000 +
		(t1.tv_nsec - t0->tv_nsec) / 1000;
	dprintf(STDERR_FILENO, "slipway-lock: '%s' %s after %lld us\n", path,
		r == 0 ? "taken" : "not taken", us);
}

enum sw_lock_result
sw_lock_take(const char *path, int timeout_ms, int *fd, struct sw_err *e)
{
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct timespec t0;
	int lfd, r, saved;

	*fd = -1;
	lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (lfd < 0) {
		sw_err_sys(e, "cannot open lock '%s'", path);
		return SW_LOCK_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the uncontended case costs one system call */
	while ((r = flock(lfd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	if (r < 0 && errno == EWOULDBLOCK && timeout_ms == SW_LOCK_WAIT_FOREVER)
		while ((r = flock(lfd, LOCK_EX)) < 0 && errno == EINTR)
			;
	else if (r < 0 && errno == EWOULDBLOCK && timeout_ms > 0)
		r = flock_until(lfd, deadline);
	saved = errno;
	report_wait(path, &t0, r);
	errno = saved;
	if (r < 0) {
		if (errno == EWOULDBLOCK) {
			sw_err_set(e, "'%s' is locked by another process", path);
			close(lfd);
			return SW_LOCK_BUSY;
		}
		sw_err_sys(e, "cannot lock '%s'", path);
		close(lfd);
		return SW_LOCK_ERROR;
	}
	*fd = lfd;
	return SW_LOCK_OK;
}

void
sw_lock_release(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
