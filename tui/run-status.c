/* run-status.c - see run-status.h. */
#include "tui/run-status.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/ticker.h"
#include "lib/util.h"

#define STATUS_SLOTS 64
#define STATUS_TICK_NS (250 * 1000000ull)

struct slot {
	bool used;
	const char *name;
	const char *phase;	/* NULL: in its steps */
	int step;
	uint64_t hold_end_ns;	/* 0: not holding */
};

struct run_status {
	int fd;
	pthread_mutex_t lock;	/* the slots and the terminal's line */
	struct ticker *tick;
	bool shown;
	struct slot slots[STATUS_SLOTS];
};

static int columns(int fd)
{
	struct winsize ws;

	return ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10 ? ws.ws_col : 80;
}

static void put(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void erase_locked(struct run_status *st)
{
	if (st->shown)
		put(st->fd, "\r\033[K", 4);
	st->shown = false;
}

/* One line, cut to the terminal's width: "name: step 2, hold 1.3s left | ..." */
static void draw_locked(struct run_status *st)
{
	char line[1024];
	size_t len = 0, width = (size_t)columns(st->fd) - 1;
	uint64_t now = kt_now_ns();

	for (int i = 0; i < STATUS_SLOTS && len < sizeof(line) - 1; i++) {
		const struct slot *s = &st->slots[i];
		char what[96], where[32], d[32];

		if (!s->used)
			continue;
		if (s->step)
			snprintf(where, sizeof(where), "step %d", s->step);
		else
			snprintf(where, sizeof(where), "backdrop");
		if (s->phase)
			snprintf(what, sizeof(what), "%s", s->phase);
		else if (s->hold_end_ns > now)
			snprintf(what, sizeof(what), "%s, hold %s left", where,
				 kt_fmt_duration(s->hold_end_ns - now, d, sizeof(d)));
		else
			snprintf(what, sizeof(what), "%s", where);
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s: %s",
					len ? " | " : "", s->name, what);
	}
	if (len == 0)
		return;
	if (len > width)
		len = width;
	put(st->fd, "\r\033[K", 4);
	put(st->fd, line, len);
	st->shown = true;
}

static void tick(void *ctx)
{
	struct run_status *st = ctx;

	pthread_mutex_lock(&st->lock);
	draw_locked(st);
	pthread_mutex_unlock(&st->lock);
}

struct run_status *run_status_start(int fd)
{
	struct run_status *st;
	struct kterr *e;

	if (!isatty(fd) || !(st = calloc(1, sizeof(*st))))
		return NULL;
	st->fd = fd;
	pthread_mutex_init(&st->lock, NULL);
	e = ticker_start(STATUS_TICK_NS, tick, st, "status line", &st->tick);
	if (e) {
		kterr_free(e);
		pthread_mutex_destroy(&st->lock);
		free(st);
		return NULL;
	}
	return st;
}

void run_status_stop(struct run_status *st)
{
	if (!st)
		return;
	ticker_stop(st->tick);
	pthread_mutex_lock(&st->lock);
	erase_locked(st);
	pthread_mutex_unlock(&st->lock);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

int run_status_add(struct run_status *st, const char *name)
{
	int slot = -1;

	if (!st)
		return -1;
	pthread_mutex_lock(&st->lock);
	for (int i = 0; i < STATUS_SLOTS && slot < 0; i++) {
		if (!st->slots[i].used) {
			st->slots[i] = (struct slot){ .used = true, .name = name, .phase = "starting" };
			slot = i;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return slot;
}

/* Run BODY with s pointing at the slot, under the lock. */
#define WITH_SLOT(st, slot, body)                                             \
	do {                                                                  \
		if (!(st) || (slot) < 0 || (slot) >= STATUS_SLOTS)            \
			return;                                               \
		pthread_mutex_lock(&(st)->lock);                              \
		struct slot *s = &(st)->slots[slot];                          \
		body;                                                         \
		pthread_mutex_unlock(&(st)->lock);                            \
	} while (0)

void run_status_remove(struct run_status *st, int slot)
{
	WITH_SLOT(st, slot, s->used = false);
}

void run_status_phase(struct run_status *st, int slot, const char *phase)
{
	WITH_SLOT(st, slot, s->phase = phase);
}

void run_status_step(struct run_status *st, int slot, int step)
{
	WITH_SLOT(st, slot, { s->phase = NULL; s->step = step; s->hold_end_ns = 0; });
}

void run_status_hold(struct run_status *st, int slot, uint64_t ns)
{
	WITH_SLOT(st, slot, s->hold_end_ns = kt_now_ns() + ns);
}

void run_status_pause(struct run_status *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	erase_locked(st);
}

void run_status_resume(struct run_status *st)
{
	if (!st)
		return;
	draw_locked(st);
	pthread_mutex_unlock(&st->lock);
}
