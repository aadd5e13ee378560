/* spawn.c - run build tools with streamed output; see spawn.h. */
#include "vmm/machine/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

struct tail {
	char *lines[SPAWN_TAIL_LINES];
	int next;
};

static void tail_push(struct tail *t, const char *line)
{
	free(t->lines[t->next]);
	t->lines[t->next] = strdup(line);
	t->next = (t->next + 1) % SPAWN_TAIL_LINES;
}

static char *tail_join(struct tail *t)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < SPAWN_TAIL_LINES; i++)
		if (t->lines[i])
			len += strlen(t->lines[i]) + 5;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int k = 0; k < SPAWN_TAIL_LINES; k++) {
		int i = (t->next + k) % SPAWN_TAIL_LINES;

		if (t->lines[i]) {
			strcat(s, "\n  | ");
			strcat(s, t->lines[i]);
		}
	}
	return s;
}

static void tail_free(struct tail *t)
{
	for (int i = 0; i < SPAWN_TAIL_LINES; i++)
		free(t->lines[i]);
}

static void child(const char *const *argv, const struct spawn_opts *o, int wfd)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	dup2(wfd, 1);
	dup2(wfd, 2);
	close(wfd);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	if (o->cwd && chdir(o->cwd) < 0) {
		dprintf(2, "cannot chdir to %s: %s\n", o->cwd, strerror(errno));
		_exit(127);
	}
	for (const char *const *e = o->env_add; e && *e; e++)
		putenv((char *)*e);
	execvp(argv[0], (char *const *)argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

struct kterr *spawn_run(const char *const *argv, const struct spawn_opts *o)
{
	int p[2];
	pid_t pid;
	struct tail tail = { 0 };
	char buf[8192], line[4096];
	size_t ll = 0;
	int status;

	if (pipe2(p, O_CLOEXEC) < 0)
		return kterr_errno("pipe for %s", argv[0]);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return kterr_errno("fork for %s", argv[0]);
	}
	if (pid == 0) {
		close(p[0]);
		/* dup2 in child() clears CLOEXEC on 1 and 2 only. */
		child(argv, o, p[1]);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (o->log_fd >= 0 && write(o->log_fd, buf, r) < 0) {
			/* a full disk will show up in the build itself */
		}
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n' || ll == sizeof(line) - 1) {
				line[ll] = '\0';
				tail_push(&tail, line);
				if (o->on_line)
					o->on_line(line, o->ctx);
				ll = 0;
				if (buf[i] == '\n')
					continue;
			}
			line[ll++] = buf[i];
		}
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			tail_free(&tail);
			return kterr_errno("wait for %s", argv[0]);
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		tail_free(&tail);
		return NULL;
	}
	char *t = tail_join(&tail);
	struct kterr *e;
	if (WIFSIGNALED(status))
		e = kterr_new(0, "%s killed by signal %d; last output:%s", argv[0],
			      WTERMSIG(status), t ? t : "");
	else
		e = kterr_new(0, "%s exited with status %d; last output:%s", argv[0],
			      WEXITSTATUS(status), t ? t : "");
	free(t);
	tail_free(&tail);
	return e;
}
