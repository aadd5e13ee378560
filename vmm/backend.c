/* backend.c - a booted guest behind one front door; see backend.h. */
#include "vmm/backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/timeouts.h"
#include "lib/util.h"
#include "vmm/link/guestlink.h"
#include "vmm/intro/intro.h"

/* How many of the console's last lines a DIED event carries. */
#define DIED_TAIL_LINES 20

struct gev_node {
	struct kt_guest_event *ev;
	struct gev_node *next;
};

struct kt_backend {
	struct session s;
	struct intro *in;		/* NULL: no introspection */
	bool up;
	bool died_told;			/* the DIED event is queued */
	pthread_mutex_t lock;		/* the queue */
	struct gev_node *head, *tail;
	int efd;			/* an eventfd, readable while the queue is not empty */
};

/* Any thread: a copy of ev at the queue's end. Stamped with when it was
 * heard, if its source did not. */
static void push(struct kt_backend *b, const struct kt_guest_event *ev)
{
	struct gev_node *n = calloc(1, sizeof(*n));
	uint64_t one = 1;

	if (!n || !(n->ev = kt_gev_dup(ev))) {
		free(n);
		return;		/* out of memory: the event is lost, not the guest */
	}
	if (!n->ev->at_ns)
		n->ev->at_ns = kt_now_ns();
	pthread_mutex_lock(&b->lock);
	if (b->tail)
		b->tail->next = n;
	else
		b->head = n;
	b->tail = n;
	pthread_mutex_unlock(&b->lock);
	if (write(b->efd, &one, sizeof(one)) < 0) {
		/* The counter is saturated: it is readable anyway. */
	}
}

/* The agent's LOG frames (while the link is pumped). */
static void on_agent_log(const char *line, void *ctx)
{
	push(ctx, &(struct kt_guest_event){ .kind = KT_GEV_LOG, .text = line });
}

/* The agent's EVENT frames (while the link is pumped). */
static void on_agent_event(const struct wire_msg *m, void *ctx)
{
	struct kt_guest_event ev;

	if (guestlink_event(m, &ev))
		push(ctx, &ev);
}

/* The introspection's fires and notes (its watch thread or ours). */
static void on_intro_event(void *ctx, const struct kt_guest_event *ev)
{
	push(ctx, ev);
}

/* QEMU went away under us: said once, with what the console saw last. */
static void check_died(struct kt_backend *b)
{
	char *tail;

	if (!b->up || b->died_told || !machine_exited(&b->s.m))
		return;
	b->died_told = true;
	tail = console_tail(&b->s.m.console, DIED_TAIL_LINES);
	push(b, &(struct kt_guest_event){ .kind = KT_GEV_DIED, .text = "QEMU exited",
					  .tail = tail });
	free(tail);
}

struct kt_guest_event *kt_backend_next_event(struct kt_backend *b)
{
	struct kt_guest_event *ev = NULL;
	struct gev_node *n;
	uint64_t v;

	check_died(b);
	pthread_mutex_lock(&b->lock);
	n = b->head;
	if (n) {
		b->head = n->next;
		if (!b->head)
			b->tail = NULL;
	}
	if (!b->head && read(b->efd, &v, sizeof(v)) < 0) {
		/* Already drained (EAGAIN). */
	}
	pthread_mutex_unlock(&b->lock);
	if (n) {
		ev = n->ev;
		free(n);
	}
	return ev;
}

int kt_backend_event_fd(const struct kt_backend *b)
{
	return b->efd;
}

/* ---- the guest link (engine/link.h) ---- */

static struct kterr *link_request(void *ctx, const struct kt_greq *req, struct kt_greply *reply,
				  const atomic_bool *cancel)
{
	return guestlink_request(&((struct kt_backend *)ctx)->s.link, req, reply, cancel);
}

static struct kterr *link_poll(void *ctx, uint64_t timeout_ns, uint64_t *gen,
			       struct kt_gstate *state)
{
	return guestlink_poll(&((struct kt_backend *)ctx)->s.link, timeout_ns, gen, state);
}

static const char *link_gone(void *ctx)
{
	return ((struct kt_backend *)ctx)->s.link.gone;
}

static struct kt_guest_event *link_next_event(void *ctx)
{
	return kt_backend_next_event(ctx);
}

static const struct kt_link_ops link_ops = {
	.request = link_request,
	.poll = link_poll,
	.gone = link_gone,
	.next_event = link_next_event,
};

struct kt_link kt_backend_link(struct kt_backend *b)
{
	return (struct kt_link){ .ops = &link_ops, .ctx = b };
}

struct kt_host kt_backend_host(struct kt_backend *b)
{
	return b->in ? intro_host(b->in) : (struct kt_host){ 0 };
}

struct session *kt_backend_session(struct kt_backend *b)
{
	return &b->s;
}

bool kt_backend_up(const struct kt_backend *b)
{
	return b->up;
}

/* ---- boot and teardown ---- */

/* Host introspection over the booted guest. Not required: a warning note,
 * and the host-side ops then say why they cannot run. */
static struct kterr *open_host(struct kt_backend *b, bool required)
{
	struct intro_opts io = { .exit_trigger = true, .on_event = on_intro_event, .ctx = b };
	struct kterr *e = intro_open(&b->s.m, b->s.vmlinux, &io, &b->in);
	char *m;

	if (!e || required)
		return e;
	m = kterr_strdup(e);
	push(b, &(struct kt_guest_event){ .kind = KT_GEV_NOTE, .severity = KT_SEV_WARN,
					  .text = m ? m : "no host introspection" });
	free(m);
	kterr_free(e);
	b->in = NULL;
	return NULL;
}

struct kterr *kt_backend_boot(const struct kt_backend_opts *o, struct kt_backend **out)
{
	struct kt_backend *b = calloc(1, sizeof(*b));
	struct session_opts so = o->so;
	struct kterr *e;

	*out = NULL;
	if (!b)
		return kterr_new(ENOMEM, "boot the guest");
	b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->efd < 0) {
		e = kterr_errno("boot the guest: eventfd");
		free(b);
		return e;
	}
	pthread_mutex_init(&b->lock, NULL);
	*out = b;
	so.on_log = on_agent_log;
	so.log_ctx = b;
	/* Starting the machine is this one call: a warm start (restoring a
	 * saved ready state) replaces it. */
	e = session_boot(&so, &b->s);
	if (e)
		return e;
	b->up = true;
	b->s.link.on_event = on_agent_event;
	b->s.link.event_ctx = b;
	e = open_host(b, o->host_required);
	if (e)
		kt_backend_shutdown(b, (int)kt_limit_ms(KT_LIM_POWEROFF));
	return e;
}

void kt_backend_shutdown(struct kt_backend *b, int grace_ms)
{
	if (!b || !b->up)
		return;
	intro_close(b->in);	/* no more fires once the watches are gone */
	b->in = NULL;
	b->s.link.on_event = NULL;
	session_shutdown(&b->s, grace_ms);
	b->up = false;
}

void kt_backend_free(struct kt_backend *b)
{
	struct kt_guest_event *ev;

	if (!b)
		return;
	kt_backend_shutdown(b, (int)kt_limit_ms(KT_LIM_POWEROFF));
	b->died_told = true;	/* nothing more to tell */
	while ((ev = kt_backend_next_event(b)))
		kt_gev_free(ev);
	close(b->efd);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
