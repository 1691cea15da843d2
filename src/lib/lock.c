#include "lock.h"

#include <errno.h>
#include <fcntl.h>
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

enum sw_lock_result
sw_lock_take(const char *path, int timeout_ms, int *fd, struct sw_err *e)
{
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	long pause_ms = 2;
	int lfd;

	*fd = -1;
	lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (lfd < 0) {
		sw_err_sys(e, "cannot open lock '%s'", path);
		return SW_LOCK_ERROR;
	}
	for (;;) {
		int op = LOCK_EX;

		if (timeout_ms != SW_LOCK_WAIT_FOREVER)
			op |= LOCK_NB;
		if (flock(lfd, op) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			sw_err_sys(e, "cannot lock '%s'", path);
			close(lfd);
			return SW_LOCK_ERROR;
		}
		if (now_ms() >= deadline) {
			sw_err_set(e, "'%s' is locked by another process", path);
			close(lfd);
			return SW_LOCK_BUSY;
		}
		/* poll with a growing pause: no signals, nothing to clean up */
		struct timespec ts = { 0, pause_ms * 1000000 };

		nanosleep(&ts, NULL);
		if (pause_ms < 64)
			pause_ms *= 2;
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
