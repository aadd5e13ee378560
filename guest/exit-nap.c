/* exit-nap.c - sleep until a child exits; see exit-nap.h. */
#include "guest/exit-nap.h"

#include <errno.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

void exit_nap(const pid_t *pids, const bool *done, size_t n, int ms)
{
	struct pollfd p[EXIT_NAP_MAX];
	size_t np = 0;
	bool gone = false, fallback = false;

	for (size_t i = 0; i < n && np < EXIT_NAP_MAX && !gone; i++) {
		int fd;

		if (pids[i] <= 0 || (done && done[i]))
			continue;
		fd = open_pidfd(pids[i]);
		if (fd >= 0)
			p[np++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		else if (errno == ESRCH)
			gone = true;	/* already reaped: the caller's rescan finds it */
		else
			fallback = true;
	}
	if (!gone && np)
		while (poll(p, np, fallback ? (ms < 2 ? ms : 2) : ms) < 0 && errno == EINTR)
			;
	else if (!gone && ms > 0)
		usleep((useconds_t)ms * 1000);
	for (size_t i = 0; i < np; i++)
		close(p[i].fd);
}
