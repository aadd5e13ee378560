/* serial.c - the guest's kernel console on the serial port; see serial.h. */
#include "vmm/machine/serial.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"

/* What the kernel prints when it is in trouble, strongest last. */
static const struct { const char *text; enum serial_alarm alarm; } alarms[] = {
	{ "Oops:", SERIAL_OOPS },
	{ "BUG:", SERIAL_OOPS },
	{ "general protection fault", SERIAL_OOPS },
	{ "Kernel panic - not syncing", SERIAL_PANIC },
};

void serial_init_detached(struct serial *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->log_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
}

static void check_alarm(struct serial *c, const char *line)
{
	for (size_t i = 0; i < ARRAY_SIZE(alarms); i++) {
		if (alarms[i].alarm > c->alarm && strstr(line, alarms[i].text)) {
			c->alarm = alarms[i].alarm;
			snprintf(c->alarm_line, sizeof(c->alarm_line), "%.255s", line);
		}
	}
}

void serial_feed(struct serial *c, const char *data, size_t len)
{
	pthread_mutex_lock(&c->lock);
	if (!c->first_byte_ns && len)
		c->first_byte_ns = kt_now_ns();
	c->bytes += len;
	/* keep the newest SERIAL_TAIL_BYTES */
	if (len >= SERIAL_TAIL_BYTES) {
		memcpy(c->tail, data + len - SERIAL_TAIL_BYTES, SERIAL_TAIL_BYTES);
		c->tail_len = SERIAL_TAIL_BYTES;
	} else {
		size_t keep = c->tail_len + len > SERIAL_TAIL_BYTES ?
			      SERIAL_TAIL_BYTES - len : c->tail_len;
		memmove(c->tail, c->tail + c->tail_len - keep, keep);
		memcpy(c->tail + keep, data, len);
		c->tail_len = keep + len;
	}
	pthread_mutex_unlock(&c->lock);

	for (size_t i = 0; i < len; i++) {
		char ch = data[i];

		if (ch == '\r')
			continue;
		if (ch != '\n' && c->line_len < sizeof(c->line) - 1) {
			c->line[c->line_len++] = ch;
			continue;
		}
		if (ch != '\n')
			continue;	/* overlong: truncated, ends at the newline */
		c->line[c->line_len] = '\0';
		pthread_mutex_lock(&c->lock);
		check_alarm(c, c->line);
		pthread_mutex_unlock(&c->lock);
		if (c->on_line)
			c->on_line(c->line, c->ctx);
		c->line_len = 0;
	}
}

static void *reader(void *arg)
{
	struct serial *c = arg;
	char buf[4096];

	for (;;) {
		ssize_t r = read(c->fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (c->log_fd >= 0 && write(c->log_fd, buf, r) < 0) {
			/* the tail still has it */
		}
		serial_feed(c, buf, r);
	}
	pthread_mutex_lock(&c->lock);
	c->eof = true;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct kterr *serial_start(struct serial *c, int fd, int log_fd,
			    void (*on_line)(const char *, void *), void *ctx)
{
	int r;

	serial_init_detached(c);
	c->fd = fd;
	c->log_fd = log_fd;
	c->on_line = on_line;
	c->ctx = ctx;
	r = pthread_create(&c->thread, NULL, reader, c);
	if (r)
		return kterr_new(r, "start the console reader");
	c->running = true;
	return NULL;
}

char *serial_tail(struct serial *c, int max_lines)
{
	char *out;
	size_t start;
	int lines = 0;

	pthread_mutex_lock(&c->lock);
	start = c->tail_len;
	/* walk back over max_lines newlines (a trailing one does not count) */
	while (start > 0) {
		if (c->tail[start - 1] == '\n' && start != c->tail_len && ++lines >= max_lines)
			break;
		start--;
	}
	out = malloc(c->tail_len - start + 1);
	if (out) {
		size_t n = 0;

		for (size_t i = start; i < c->tail_len; i++)
			if (c->tail[i] != '\r')
				out[n++] = c->tail[i];
		out[n] = '\0';
	}
	pthread_mutex_unlock(&c->lock);
	return out;
}

enum serial_alarm serial_alarm(struct serial *c, char *line, size_t size)
{
	enum serial_alarm a;

	pthread_mutex_lock(&c->lock);
	a = c->alarm;
	if (line && size)
		snprintf(line, size, "%s", c->alarm_line);
	pthread_mutex_unlock(&c->lock);
	return a;
}

void serial_stop(struct serial *c)
{
	if (c->running) {
		shutdown(c->fd, SHUT_RDWR);
		pthread_join(c->thread, NULL);
		c->running = false;
	}
	if (c->fd >= 0)
		close(c->fd);
	if (c->log_fd >= 0)
		close(c->log_fd);
	c->fd = c->log_fd = -1;
}
