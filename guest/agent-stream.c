/*
 * agent-stream.c - when STATE frames go to the host.
 *
 * The serve loop (agent-main.c) calls agent_stream_tick() whenever it
 * wakes and sleeps at most agent_stream_timeout_ms(). Every
 * AGENT_STATE_SAMPLE_MS the agent reads the cgroup and sched_ext part of a
 * frame (agent-state.c) and sends the frame when that part differs from
 * the last one sent, or when WIRE_STATE_PERIOD_MS has passed since then.
 * After an op, agent_stream_poke() makes the next tick sample at once, so
 * the host sees an op's effect right after its reply. An op that runs
 * long ticks too (sh); the others block the loop for at most a few
 * seconds (freeze-cgroup's wait), and the stream pauses meanwhile.
 *
 * It never blocks: a frame goes out only when the port polls writable, in
 * one write of at most WIRE_STATE_MAX_FRAME bytes with O_NONBLOCK set.
 * When the host is not reading, the round is skipped, counted (the next
 * frame's skipped_rounds) and tried again at the next sample.
 */
#include "guest/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "guest/wire-state.h"

/* The live guest: what agent-state.c reads, and the worker table. */
const struct agent_state_src agent_state_live = {
	.cgroups = AGENT_CGROUP_MANAGED,
	.interrupts = "/proc/interrupts",
	.sched_ext = "/sys/kernel/sched_ext",
	.workers = agent_workers_in,
	.progress = agent_workers_progress,
};

#define NS_PER_MS 1000000ULL

static uint64_t uptime_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

int agent_stream_timeout_ms(const struct agent *a)
{
	uint64_t now = kt_now_ns(), due = a->stream.next_tick_ns;

	if (due <= now)
		return 0;
	return (int)((due - now + NS_PER_MS - 1) / NS_PER_MS);
}

void agent_stream_poke(struct agent *a)
{
	a->stream.next_tick_ns = 0;
}

/* The next look: a sample period from now, or sooner when a frame falls
 * due before that. A period already overdue (the last round was skipped)
 * waits for the next sample: retrying at once would spin. */
static void plan(struct agent_stream *s, uint64_t now)
{
	uint64_t period = s->last_sent_ns + WIRE_STATE_PERIOD_MS * NS_PER_MS;

	s->next_tick_ns = now + AGENT_STATE_SAMPLE_MS * NS_PER_MS;
	if (s->gen && period > now && period < s->next_tick_ns)
		s->next_tick_ns = period;
}

/* Write the whole frame, or nothing when the port would block. */
static bool send_nonblocking(struct agent *a, const struct wire_buf *b)
{
	struct pollfd p = { .fd = a->port_fd, .events = POLLOUT };
	size_t off = 0;
	int fl;
	ssize_t w;

	if (a->port_fd < 0 || poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
		return false;
	fl = fcntl(a->port_fd, F_GETFL);
	if (fl < 0 || fcntl(a->port_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return false;
	do
		w = write(a->port_fd, b->data, b->len);
	while (w < 0 && errno == EINTR);
	fcntl(a->port_fd, F_SETFL, fl);
	if (w < 0) {
		if (errno != EAGAIN && !a->stream.said_error) {
			agent_console("STATE to %s: %s (will keep trying)", a->port_path,
				      strerror(errno));
			a->stream.said_error = true;
		}
		return false;
	}
	/* A frame within WIRE_STATE_MAX_FRAME goes in one write; should a
	 * port ever take less, finish it rather than leave half a frame. */
	for (off = w; off < b->len; off += w) {
		w = write(a->port_fd, b->data + off, b->len - off);
		if (w < 0 && errno == EINTR)
			w = 0;
		else if (w <= 0)
			break;
	}
	return true;
}

static void remember(struct agent_stream *s, size_t stable_end)
{
	size_t n = stable_end - WIRE_HDR_SIZE;
	uint8_t *p = n > s->last_cap ? realloc(s->last, n) : s->last;

	if (!p) {
		s->last_len = (size_t)-1;	/* compare unequal next time */
		return;
	}
	if (n > s->last_cap)
		s->last_cap = n;
	s->last = p;
	memcpy(s->last, s->b.data + WIRE_HDR_SIZE, n);
	s->last_len = n;
}

void agent_stream_tick(struct agent *a)
{
	struct agent_stream *s = &a->stream;
	const struct agent_state_src *src = s->src ? s->src : &agent_state_live;
	uint64_t now = kt_now_ns();
	size_t fields, stable_end;
	bool changed, due;

	if (now < s->next_tick_ns)
		return;
	plan(s, now);
	agent_state_begin(&s->b, s->gen + 1, src, &fields);
	if (s->b.failed)
		return;
	stable_end = s->b.len;
	changed = !s->gen || stable_end - WIRE_HDR_SIZE != s->last_len ||
		  memcmp(s->b.data + WIRE_HDR_SIZE, s->last, s->last_len);
	due = now >= s->last_sent_ns + WIRE_STATE_PERIOD_MS * NS_PER_MS;
	if (!changed && !due)
		return;
	agent_state_end(&s->b, src, fields, uptime_ms(), s->skipped);
	if (!wire_finish(&s->b)) {
		if (!s->said_error)
			agent_console("STATE frame could not be built (%zu bytes)", s->b.len);
		s->said_error = true;
		return;
	}
	if (!send_nonblocking(a, &s->b)) {
		s->skipped++;
		return;
	}
	s->gen++;
	s->last_sent_ns = now;
	remember(s, stable_end);
	plan(s, now);
}
