/* agent-shell.c - interactive busybox shells on hvc0: the one of
 * `ktcon boot --shell`, and the console's (the `shell` op). The kernel
 * console stays on ttyS0, so kernel messages never garble the shell's
 * line. */
#include "guest/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* In a new session's child: the shell on the terminal fd (taken as the
 * controlling terminal, stolen from another session when steal), with
 * TERM as term (NULL or "": the environment's, else "linux"). Never
 * returns. */
static void __attribute__((noreturn)) exec_shell(int fd, const char *term, int steal)
{
	ioctl(fd, TIOCSCTTY, steal);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	setenv("HOME", "/root", 1);
	if (term && *term)
		setenv("TERM", term, 1);
	else
		setenv("TERM", "linux", 0);
	setenv("PS1", "ktcon:\\w# ", 1);
	if (chdir("/") < 0)
		_exit(127);
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	_exit(127);
}

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
		exec_shell(fd, NULL, 0);
	}
	a->shell_pid = pid;
}

/* ---- the console's shell (`sh` with no command at the ktcon console) ----
 *
 * A busybox shell on hvc0 that outlives the op, so it keeps its working
 * directory and variables from one visit to the next. The `shell` op
 * attaches the host to it: it sets the terminal's size (which the kernel
 * passes on to the shell as SIGWINCH), starts the shell if none lives,
 * then waits, keeping the state stream and the scheduler's news going,
 * until the shell exits (the reply says its status) or the host cancels
 * the request: that is a detach (C-] at the console, or a resize, which
 * attaches again with the new size), and the shell lives on. The bytes
 * themselves never cross the control channel: the host relays its
 * terminal and hvc0. Not with `ktcon boot --shell`, whose shell owns
 * hvc0 and powers off when it exits. */

static pid_t start_on(int fd, const char *term)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	setsid();
	exec_shell(fd, term, 1);
}

static bool alive(pid_t pid, int *status)
{
	return pid > 0 && !agent_wait_child(pid, 0, status) && kill(pid, 0) == 0;
}

struct kterr *agent_op_shell(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	uint64_t rows = 0, cols = 0;
	struct winsize ws = { 0 };
	bool started = false, watch_port = a->port_fd >= 0;
	int fd, status = 0;

	if (a->shell)
		return kterr_hint(kterr_new(EBUSY, "shell: hvc0 runs the shell of ktcon boot --shell"),
				  "one shell at a time on hvc0");
	if ((wire_get(req, "rows") && !wire_get_u64(req, "rows", &rows)) ||
	    (wire_get(req, "cols") && !wire_get_u64(req, "cols", &cols)) || rows > 0xffff ||
	    cols > 0xffff)
		return kterr_new(EINVAL, "shell: rows= and cols= are the terminal's size");
	fd = open("/dev/hvc0", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return kterr_errno("shell: open /dev/hvc0");
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	if (rows && cols && ioctl(fd, TIOCSWINSZ, &ws) < 0)
		agent_send_log(a, "agent: shell: the terminal's size (%ux%u) was not taken: %s",
			       (unsigned)cols, (unsigned)rows, strerror(errno));
	if (!alive(a->con_shell_pid, &status)) {
		a->con_shell_pid = start_on(fd, wire_get(req, "term"));
		started = true;
	}
	close(fd);
	if (a->con_shell_pid < 0) {
		a->con_shell_pid = 0;
		return kterr_errno("shell: fork");
	}
	wire_put_u64(reply, "pid", (uint64_t)a->con_shell_pid);
	wire_put_u64(reply, "started", started);
	for (;;) {
		struct pollfd pfd = { .fd = a->port_fd, .events = POLLIN };
		int nap = agent_stream_timeout_ms(a);
		/* Its exit is looked for this often: the host waits on it. */
		int r = poll(&pfd, watch_port ? 1 : 0, nap < 50 ? nap : 50);

		agent_reap();
		agent_stream_tick(a);
		agent_payloads_poll(a);
		agent_sched_poll(a);
		if (agent_wait_child(a->con_shell_pid, 0, &status)) {
			a->con_shell_pid = 0;
			wire_put_u64(reply, "status", WIFEXITED(status) ? WEXITSTATUS(status)
				     : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
			return NULL;
		}
		if (r <= 0)
			continue;
		if ((pfd.revents & POLLIN) && agent_take_cancel(a, req->seq)) {
			wire_put_u64(reply, "detached", 1);
			return NULL;
		}
		if ((pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pfd.revents & POLLIN))
			watch_port = false;
	}
}
