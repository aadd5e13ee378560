/* agent-chan.c - the ktcon.0 port: find it, open it, send frames. */
#include "guest/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/wait.h"

#define PORT_NAME "ktcon.0"

/* /sys/class/virtio-ports/vportXpY/name holds the name QEMU gave it. */
static bool find_port(char *dev, size_t size)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char path[300], name[64];
		struct kterr *e;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", de->d_name);
		e = agent_read_file(path, name, sizeof(name));
		if (!e && !strcmp(name, PORT_NAME)) {
			snprintf(dev, size, "/dev/%.40s", de->d_name);
			found = true;
		}
		kterr_free(e);
	}
	closedir(d);
	return found;
}

struct kterr *agent_chan_open(struct agent *a)
{
	struct kt_wait w;

	/* virtio probes before init runs, but devtmpfs may lag a moment. */
	kt_wait_begin(&w, KT_LIM_CHAN_OPEN, "control port %s", PORT_NAME);
	for (;;) {
		if (find_port(a->port_path, sizeof(a->port_path))) {
			a->port_fd = open(a->port_path, O_RDWR | O_CLOEXEC);
			if (a->port_fd >= 0)
				return NULL;
		}
		if (kt_wait_expired(&w))
			break;
		usleep(kt_wait_nap_ms(&w, 20) * 1000);
	}
	if (a->port_path[0])
		return kterr_errno("open control port %s", a->port_path);
	return kterr_hint(kterr_new(ENOENT, "no virtio-serial port named %s in "
				    "/sys/class/virtio-ports", PORT_NAME),
			  "the host must add -device virtserialport,name=%s", PORT_NAME);
}

struct kterr *agent_send(struct agent *a, struct wire_buf *b)
{
	size_t off = 0;

	if (!wire_finish(b))
		return kterr_new(EMSGSIZE, "frame too large or out of memory");
	while (off < b->len) {
		ssize_t w = write(a->port_fd, b->data + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return kterr_errno("write to %s", a->port_path);
		off += w;
	}
	return NULL;
}

void agent_send_log(struct agent *a, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	struct wire_buf b;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	wire_buf_init(&b);
	wire_begin(&b, WIRE_LOG, 0);
	wire_put_str(&b, "line", line);
	kterr_free(agent_send(a, &b));
	wire_buf_free(&b);
}
