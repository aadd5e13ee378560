/*
 * agent-spawn.c - start a staged binary the way every guest op does:
 * found in its staging directory, placed in its cgroup before it runs a
 * single instruction, output to a file (never a pipe a slow reader could
 * fill), run through sh so recipe-style arguments split as a shell would.
 * A failure before the exec comes back through a close-on-exec pipe as the
 * op's error, with the child's errno.
 */
#include "guest/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "guest/layout.h"

struct kterr *agent_staged_binary(const char *dir, const char *kind, const char *name,
				  char *path, size_t size)
{
	char sub[256];
	struct dirent *de;
	DIR *d;

	if (!name || !*name || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
		return kterr_new(EINVAL, "bad %s name '%s'", kind, name ? name : "");
	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	if (!kt_is_dir(sub))
		return kterr_hint(kterr_new(ENOENT, "%s %s is not staged in the guest (%s)", kind,
					    name, sub),
				  "stage it in the recipe header: stage-%s %s /path/to/binary", kind,
				  name);
	if (!(d = opendir(sub)))
		return kterr_errno("open %s", sub);
	path[0] = '\0';
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, KT_GUEST_ARGS_FILE))
			snprintf(path, size, "%s/%s", sub, de->d_name);
	closedir(d);
	if (!path[0])
		return kterr_new(ENOENT, "%s %s: no binary in %s", kind, name, sub);
	return NULL;
}

/* Say "ERRNO what" on errfd and die: the parent turns it into an error. */
static void __attribute__((noreturn)) child_fail(int errfd, int err, const char *what,
						 const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%d %s%s", err, what, arg);
	if (write(errfd, msg, strlen(msg)) < 0)
		_exit(126);
	_exit(126);
}

static void __attribute__((noreturn)) child(const char *cgdir, const char *out, bool append,
					    const char *cmd, int errfd)
{
	int fd, nul;

	setsid();
	/* PID 1 ignores these; what it starts must not. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (cgdir) {
		char procs[320];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgdir);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0\n", 2) != 2)
			child_fail(errfd, errno, "place it in ", procs);
		close(fd);
	}
	fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
	nul = open("/dev/null", O_RDONLY);
	if (fd < 0 || nul < 0)
		child_fail(errfd, errno, "open ", out);
	dup2(nul, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	child_fail(errfd, errno, "exec /bin/sh", "");
}

struct kterr *agent_spawn(const char *cgdir, const char *out, bool append, const char *bin,
			  const char *args, pid_t *pid)
{
	char *cmd = kt_strfmt("exec %s %s", bin, args ? args : "");
	char msg[512];
	int pfd[2], st;
	ssize_t n;

	if (!cmd)
		return kterr_new(ENOMEM, "command line of %s", bin);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(cmd);
		return kterr_errno("pipe");
	}
	*pid = fork();
	if (*pid < 0) {
		struct kterr *e = kterr_errno("fork");

		close(pfd[0]);
		close(pfd[1]);
		free(cmd);
		return e;
	}
	if (*pid == 0) {
		close(pfd[0]);
		child(cgdir, out, append, cmd, pfd[1]);
	}
	free(cmd);
	close(pfd[1]);
	/* EOF: the exec happened. Anything else is the child's last word. */
	n = read(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	if (n <= 0)
		return NULL;
	msg[n] = '\0';
	agent_wait_child(*pid, (int)kt_limit_ms(KT_LIM_KILL), &st);
	*pid = 0;
	const char *what = strchr(msg, ' ');

	return kterr_new(atoi(msg), "%s", what ? what + 1 : msg);
}
