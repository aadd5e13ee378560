/* unixsock.c - connecting to QEMU's Unix sockets; see unixsock.h. */
#include "vmm/machine/unixsock.h"

#include <errno.h>
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
