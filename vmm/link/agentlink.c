/* agentlink.c - host end of the control channel; see agentlink.h. */
#include "vmm/link/agentlink.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/wait.h"
#include "guest/wire-reply.h"
#include "vmm/link/gstate-wire.h"

/* How often a wait wakes up to look at the machine's health. */
#define HEALTH_POLL_MS 100

struct kterr *agentlink_init(struct agentlink *l, int fd,
			     struct kterr *(*health)(void *), void *health_ctx)
{
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->next_seq = 1;
	l->health = health;
	l->health_ctx = health_ctx;
	kt_gstate_init(&l->state);
	wire_decoder_init(&l->dec);
	l->msg = malloc(sizeof(*l->msg));
	return l->msg ? NULL : kterr_new(ENOMEM, "control channel");
}

void agentlink_release(struct agentlink *l)
{
	free(l->gone);
	l->gone = NULL;
	wire_decoder_free(&l->dec);
	free(l->msg);
	l->msg = NULL;
	kt_gstate_clear(&l->state);
}

/* The guest is gone (panic, QEMU exit, channel closed): remember why, once,
 * so every later call fails at once instead of with a stray EPIPE. E is
 * returned as it is: the first failure carries the evidence. */
static struct kterr *mark_gone(struct agentlink *l, struct kterr *e)
{
	if (!l->gone)
		l->gone = kterr_strdup(e);
	return e;
}

static struct kterr *already_gone(struct agentlink *l, const char *what)
{
	return kterr_new(EHOSTDOWN, "%s: not sent: the guest is gone (the first failure says why)",
			 what);
}

static void say(struct agentlink *l, const char *line)
{
	if (l->on_log)
		l->on_log(line, l->log_ctx);
}

static void copy_field(const struct wire_msg *m, const char *key, char *dst, size_t size)
{
	const char *v = wire_get(m, key);

	snprintf(dst, size, "%s", v ? v : "");
}

static void take_hello(struct agentlink *l, const struct wire_msg *m)
{
	struct agent_hello *h = &l->hello;
	uint64_t v;

	memset(h, 0, sizeof(*h));
	copy_field(m, "agent", h->agent, sizeof(h->agent));
	copy_field(m, "release", h->release, sizeof(h->release));
	copy_field(m, "cpus_online", h->cpus_online, sizeof(h->cpus_online));
	copy_field(m, "sched_ext", h->sched_ext, sizeof(h->sched_ext));
	copy_field(m, "controllers", h->controllers, sizeof(h->controllers));
	copy_field(m, "mount_errors", h->mount_errors, sizeof(h->mount_errors));
	copy_field(m, "scheduler", h->scheduler, sizeof(h->scheduler));
	copy_field(m, "scheduler_error", h->scheduler_error, sizeof(h->scheduler_error));
	copy_field(m, "features", h->features, sizeof(h->features));
	copy_field(m, "agent_class", h->agent_class, sizeof(h->agent_class));
	if (wire_get_u64(m, "cpus", &v))
		h->cpus = (unsigned)v;
	if (wire_get_u64(m, "uptime_ms", &v))
		h->uptime_ms = v;
	l->have_hello = true;
	l->hello_ns = kt_now_ns();
}

/* Parse apart, so a bad frame leaves the state we had. */
static void take_state(struct agentlink *l, const struct wire_msg *m)
{
	struct kt_gstate st;
	struct kterr *e;

	kt_gstate_init(&st);
	e = gstate_from_wire(m, &st);
	if (e) {
		char line[512], buf[400];

		l->bad_states++;
		snprintf(line, sizeof(line), "ktcon: kept the previous guest state: %s",
			 kterr_str(e, buf, sizeof(buf)));
		say(l, line);
		kterr_free(e);
		return;
	}
	st.received_ns = kt_now_ns();
	kt_gstate_clear(&l->state);
	l->state = st;
	l->nstates++;
	l->state_bytes = WIRE_HDR_SIZE;
	for (size_t i = 0; i < m->n; i++)
		l->state_bytes += 1 + strlen(m->fields[i].key) + 4 + m->fields[i].len;
}

/* Handle a frame that is not the one being waited for. */
static void side_frame(struct agentlink *l, const struct wire_msg *m)
{
	if (m->type == WIRE_HELLO)
		take_hello(l, m);
	else if (m->type == WIRE_STATE)
		take_state(l, m);
	else if (m->type == WIRE_LOG)
		say(l, wire_get(m, "line") ? wire_get(m, "line") : "");
	else if (m->type == WIRE_EVENT && l->on_event)
		l->on_event(m, l->event_ctx);
}

/* Read and decode until want(msg) holds, the deadline passes, the guest
 * dies, or cancel is set. */
static struct kterr *pump_until(struct agentlink *l, bool (*want)(const struct wire_msg *, void *),
				void *wctx, int timeout_ms, const atomic_bool *cancel,
				const char *what)
{
	struct kt_wait w;
	char why[160];
	/* At the deadline, read on without waiting until nothing is left:
	 * a reply already in the socket is not a timeout. */
	bool drained = false;
	uint64_t frames = 0;

	if (l->gone)
		return already_gone(l, what);
	kt_wait_begin_ms(&w, timeout_ms, "%s: no answer from the agent", what);
	for (;;) {
		enum wire_status st;

		while ((st = wire_next(&l->dec, l->msg, why, sizeof(why))) != WIRE_NEED_MORE) {
			if (st == WIRE_BAD) {
				char line[256];

				l->bad_frames++;
				snprintf(line, sizeof(line), "ktcon: skipped a bad frame from the guest: %s", why);
				say(l, line);
				continue;
			}
			if (want(l->msg, wctx))
				return NULL;
			frames++;
			side_frame(l, l->msg);
		}
		if (cancel && atomic_load(cancel))
			return kterr_new(ECANCELED, "%s: cancelled", what);
		if (l->health) {
			struct kterr *e = l->health(l->health_ctx);
			if (e)
				return mark_gone(l, kterr_wrap(e, "%s: the guest stopped answering",
							       what));
		}
		if (kt_wait_expired(&w) && drained) {
			kt_wait_seen(&w, "%llu other frame(s) (state, logs, events) from a live "
				     "guest, %llu bad", (unsigned long long)frames,
				     (unsigned long long)l->bad_frames);
			return kt_wait_error(&w, NULL);
		}
		int left = kt_wait_nap_ms(&w, HEALTH_POLL_MS);
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int r = poll(&p, 1, left);
		if (r < 0 && errno != EINTR)
			return kterr_errno("%s: poll the control channel", what);
		if (r == 0 && left == 0)
			drained = true;
		if (r <= 0)
			continue;
		char buf[65536];
		ssize_t n = read(l->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kterr_errno("%s: read the control channel", what);
		if (n == 0) {
			struct kterr *e = NULL;

			/* The channel closes a moment before QEMU's exit can be
			 * collected: give the evidence a second to arrive. */
			for (int i = 0; l->health && i < 50 && !(e = l->health(l->health_ctx)); i++)
				usleep(20 * 1000);

			return mark_gone(l, e ? kterr_wrap(e, "%s: control channel closed", what)
					      : kterr_new(ECONNRESET, "%s: control channel closed",
							  what));
		}
		if (!wire_feed(&l->dec, buf, n))
			return kterr_new(ENOMEM, "%s: control channel buffer", what);
	}
}

static bool is_hello(const struct wire_msg *m, void *ctx)
{
	return m->type == WIRE_HELLO;
}

struct kterr *agentlink_wait_hello(struct agentlink *l, int timeout_ms)
{
	struct kterr *e;

	if (l->have_hello)
		return NULL;
	e = pump_until(l, is_hello, NULL, timeout_ms, NULL, "wait for the agent's HELLO");
	if (!e)
		take_hello(l, l->msg);
	return e;
}

struct reply_want {
	uint32_t seq;
};

static bool is_reply(const struct wire_msg *m, void *ctx)
{
	const struct reply_want *w = ctx;

	return m->type == WIRE_OP_REPLY && m->seq == w->seq;
}

static struct kterr *send_all(struct agentlink *l, const struct wire_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t w = write(l->fd, b->data + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE) {
			/* The other end closed: say why, not just EPIPE. */
			struct kterr *e = l->health ? l->health(l->health_ctx) : NULL;

			return mark_gone(l, e ? kterr_wrap(e, "write to the control channel")
					      : kterr_errno("write to the control channel"));
		}
		if (w < 0)
			return kterr_errno("write to the control channel");
		off += w;
	}
	return NULL;
}

static void fill_cancel(struct wire_buf *b, void *ctx)
{
	wire_put_u64(b, "seq", *(uint32_t *)ctx);
}

/*
 * The operator gave up on request SEQ (E says so): tell the agent, which
 * kills an `sh` command or drops a wait-payload, then wait (a bounded
 * while, uncancellable) for the request's own reply, which says what
 * really happened in the guest. An op that completed anyway is reported
 * as done (NULL: the guest's state has changed, the caller must not
 * pretend otherwise); one that was stopped, or failed, as cancelled with
 * the guest's words; no answer within the grace, as cancelled with what is
 * unknown said plainly.
 */
static struct kterr *cancel_in_guest(struct agentlink *l, const char *op, uint32_t seq,
				     struct kterr *e)
{
	struct reply_want w = { .seq = seq };
	struct wire_buf b;
	struct kterr *e2;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REQ, l->next_seq++);
	wire_put_str(&b, "op", "cancel");
	fill_cancel(&b, &seq);
	e2 = wire_finish(&b) ? send_all(l, &b) : kterr_new(ENOMEM, "cancel frame");
	wire_buf_free(&b);
	if (!e2)
		e2 = pump_until(l, is_reply, &w, (int)kt_limit_ms(KT_LIM_CANCEL), NULL, op);
	if (e2) {
		kterr_free(e2);
		return kterr_note(e, "the guest did not say within %llu ms (limit cancel-grace) "
				  "whether it had already done it: look at its state",
				  (unsigned long long)kt_limit_ms(KT_LIM_CANCEL));
	}
	e2 = wire_get_error(l->msg);
	if (!e2) {
		kterr_free(e);
		return NULL;
	}
	{
		char *s = kterr_strdup(e2);

		e = kterr_note(e, "the guest: %s", s ? s : "(out of memory)");
		free(s);
	}
	kterr_free(e2);
	return e;
}

struct kterr *agentlink_request_frame(struct agentlink *l, const char *op, struct wire_buf *b,
				      int timeout_ms, const atomic_bool *cancel,
				      const struct wire_msg **reply)
{
	struct reply_want w = { .seq = l->next_seq++ };
	struct kterr *e;

	if (reply)
		*reply = NULL;
	if (l->gone)
		return already_gone(l, op);
	wire_set_seq(b, w.seq);
	if (!wire_finish(b))
		return kterr_new(EMSGSIZE, "%s: request too large (over %u bytes)", op, WIRE_MAX_BODY);
	e = send_all(l, b);
	if (!e)
		e = pump_until(l, is_reply, &w, timeout_ms, cancel, op);
	if (e && kterr_errno_of(e) == ECANCELED && !l->gone)
		e = cancel_in_guest(l, op, w.seq, e);
	if (e)
		return e;
	/* The guest's chain, rebuilt with its errno, hints and notes; its
	 * other fields come too (how far a batch got). */
	e = wire_get_error(l->msg);
	if (reply)
		*reply = l->msg;
	return e;
}

struct kterr *agentlink_request(struct agentlink *l, const char *op,
				void (*fill)(struct wire_buf *, void *), void *ctx,
				int timeout_ms, const atomic_bool *cancel,
				const struct wire_msg **reply)
{
	struct wire_buf b;
	struct kterr *e;

	if (reply)
		*reply = NULL;
	if (l->gone)
		return already_gone(l, op);
	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REQ, 0);
	wire_put_str(&b, "op", op);
	if (fill)
		fill(&b, ctx);
	e = agentlink_request_frame(l, op, &b, timeout_ms, cancel, reply);
	wire_buf_free(&b);
	return e;
}

static bool never(const struct wire_msg *m, void *ctx)
{
	return false;
}

struct kterr *agentlink_pump(struct agentlink *l, int timeout_ms)
{
	struct kterr *e = pump_until(l, never, NULL, timeout_ms < 0 ? 0 : timeout_ms, NULL,
				     "read the guest's frames");

	if (e && kterr_errno_of(e) == ETIMEDOUT) {
		kterr_free(e);
		return NULL;
	}
	return e;
}

struct state_want {
	struct agentlink *l;
	uint64_t after;
};

/* Take a STATE as it comes, and stop once one is newer than after. */
static bool is_newer_state(const struct wire_msg *m, void *ctx)
{
	struct state_want *w = ctx;

	if (m->type != WIRE_STATE)
		return false;
	take_state(w->l, m);
	return w->l->nstates > w->after;
}

struct kterr *agentlink_wait_state(struct agentlink *l, uint64_t after, int timeout_ms)
{
	struct state_want w = { l, after };

	if (l->nstates > after)
		return NULL;
	return pump_until(l, is_newer_state, &w, timeout_ms, NULL, "wait for the guest's state");
}

struct sh_args {
	const char *cmd;
	int timeout_ms;
};

static void fill_sh(struct wire_buf *b, void *ctx)
{
	struct sh_args *a = ctx;

	wire_put_str(b, "cmd", a->cmd);
	wire_put_u64(b, "timeout_ms", a->timeout_ms > 0 ? a->timeout_ms : 0);
}

struct kterr *agentlink_sh(struct agentlink *l, const char *cmd, int timeout_ms,
			   int *status, char **output)
{
	return agentlink_sh_cancellable(l, cmd, timeout_ms, NULL, status, output);
}

struct kterr *agentlink_sh_cancellable(struct agentlink *l, const char *cmd, int timeout_ms,
				       const atomic_bool *cancel, int *status, char **output)
{
	struct sh_args a = { cmd, timeout_ms };
	const struct wire_msg *r;
	const struct wire_field *out;
	uint64_t st = 0;
	/* The guest enforces the timeout; we allow it a margin to say so. */
	struct kterr *e = agentlink_request(l, "sh", fill_sh, &a,
					    timeout_ms > 0 ? timeout_ms +
					    (int)kt_limit_ms(KT_LIM_SH_MARGIN) : -1, cancel, &r);

	*output = NULL;
	if (e)
		return kterr_wrap(e, "sh %s", cmd);
	out = wire_field(r, "output");
	*output = out ? strndup(out->val, out->len) : strdup("");
	wire_get_u64(r, "status", &st);
	*status = (int)st;
	return NULL;
}

struct shell_args {
	unsigned rows, cols;
	const char *term;
};

static void fill_shell(struct wire_buf *b, void *ctx)
{
	struct shell_args *a = ctx;

	wire_put_u64(b, "rows", a->rows);
	wire_put_u64(b, "cols", a->cols);
	if (a->term)
		wire_put_str(b, "term", a->term);
}

struct kterr *agentlink_shell(struct agentlink *l, unsigned rows, unsigned cols, const char *term,
			      const atomic_bool *cancel, bool *detached, int *status)
{
	struct shell_args a = { rows, cols, term };
	const struct wire_msg *r;
	uint64_t v = 0;
	struct kterr *e = agentlink_request(l, "shell", fill_shell, &a, -1, cancel, &r);

	*detached = false;
	*status = 0;
	if (e)
		return kterr_wrap(e, "the guest's shell");
	*detached = wire_get_u64(r, "detached", &v) && v;
	v = 0;
	wire_get_u64(r, "status", &v);
	*status = (int)v;
	return NULL;
}

struct kterr *agentlink_poweroff(struct agentlink *l, int timeout_ms)
{
	return agentlink_request(l, "poweroff", NULL, NULL, timeout_ms, NULL, NULL);
}
