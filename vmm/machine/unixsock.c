/* unixsock.c - connecting to QEMU's Unix sockets; see unixsock.h. */
#include "vmm/machine/unixsock.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

struct kterr *unixsock_connect(const char *what, const char *path, uint64_t deadline_ns,
			       uint64_t retry_ns, int *fdp, bool *waited_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (waited_out)
		*waited_out = false;

	if (strlen(path) >= sizeof(sa.sun_path))
		return kterr_new(ENAMETOOLONG, "%s %s: socket path longer than %zu bytes", what,
				 path, sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct timespec ts = { (time_t)(retry_ns / 1000000000u),
				       (long)(retry_ns % 1000000000u) };

		if (fd < 0)
			return kterr_errno("%s %s: socket", what, path);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			*fdp = fd;
			return NULL;
		}
		close(fd);
		if (errno != ENOENT && errno != ECONNREFUSED && errno != EINTR)
			return kterr_errno("%s %s: connect", what, path);
		if (kt_now_ns() >= deadline_ns) {
			if (waited_out)
				*waited_out = true;
			return kterr_errno("%s %s: connect", what, path);
		}
		nanosleep(&ts, NULL);
	}
}

int unixsock_ms_until(uint64_t deadline_ns)
{
	uint64_t now = kt_now_ns();

	if (now >= deadline_ns)
		return 0;
	if (deadline_ns - now > (uint64_t)INT32_MAX * 1000000)
		return INT32_MAX;
	return (int)((deadline_ns - now + 999999) / 1000000);
}

struct kterr *unixsock_send_all(int fd, const void *data, size_t len, uint64_t deadline_ns,
				const char *what, const char *path, const char *sockname)
{
	const char *p = data;
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, p + off, len - off, MSG_NOSIGNAL);

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (poll(&pfd, 1, unixsock_ms_until(deadline_ns)) == 0)
				return kterr_hint(kterr_silent(ETIMEDOUT, "%s %s: QEMU does not read "
							       "its %s socket", what, path,
							       sockname),
						  "QEMU is stuck; raise --timeout-scale on a "
						  "loaded host");
			continue;
		}
		if (errno != EINTR)
			return kterr_errno("%s %s: write", what, path);
	}
	return NULL;
}

void unixsock_trace(FILE *f, char dir, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!f)
		return;
	fputc(dir, f);
	fputc(' ', f);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\')
			fputs("\\\\", f);
		else if (p[i] == '\n')
			fputs("\\n", f);
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			fprintf(f, "\\x%02x", p[i]);
		else
			fputc(p[i], f);
	}
	fputc('\n', f);
	fflush(f);
}
