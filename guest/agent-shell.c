/* agent-shell.c - an interactive busybox shell on hvc0, for
 * `ktcon boot --shell`. The kernel console stays on ttyS0, so kernel
 * messages never garble the shell's line. */
#include "guest/agent.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

void agent_shell_start(struct agent *a)
{
	pid_t pid = fork();

	if (pid < 0) {
		agent_console("cannot fork the shell");
		return;
	}
	if (pid == 0) {
		int fd;

		setsid();
		fd = open("/dev/hvc0", O_RDWR);
		if (fd < 0)
			_exit(127);
		ioctl(fd, TIOCSCTTY, 0);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		setenv("HOME", "/root", 1);
		setenv("TERM", "linux", 0);
		setenv("PS1", "ktcon:\\w# ", 1);
		chdir("/");
		execl("/bin/sh", "sh", "-i", (char *)NULL);
		_exit(127);
	}
	a->shell_pid = pid;
}
