/* agent-util.c - small file and console helpers for the agent. */
#include "guest/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct kterr *agent_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	ssize_t w;

	if (fd < 0)
		return kterr_errno("open %s", path);
	w = write(fd, text, len);
	if (w < 0) {
		struct kterr *e = kterr_errno("write '%s' to %s", text, path);
		close(fd);
		return e;
	}
	close(fd);
	if ((size_t)w != len)
		return kterr_new(EIO, "short write of '%s' to %s", text, path);
	return NULL;
}

struct kterr *agent_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return kterr_errno("open %s", path);
	r = read(fd, buf, size - 1);
	if (r < 0) {
		struct kterr *e = kterr_errno("read %s", path);
		close(fd);
		return e;
	}
	close(fd);
	buf[r] = '\0';
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		buf[--r] = '\0';
	return NULL;
}

void agent_console(const char *fmt, ...)
{
	va_list ap;
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		fd = 2;
	dprintf(fd, "ktcon-guest: ");
	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
	dprintf(fd, "\n");
	if (fd != 2)
		close(fd);
}

const char *agent_scx_state(char *buf, size_t size)
{
	struct kterr *e = agent_read_file("/sys/kernel/sched_ext/state", buf, size);

	if (e) {
		kterr_free(e);
		snprintf(buf, size, "absent");
	}
	return buf;
}
