/* backend.c - a booted guest behind one front door; see backend.h. */
#include "vmm/backend.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/timeouts.h"
#include "lib/util.h"
#include "vmm/link/evqueue.h"
#include "vmm/link/guestlink.h"
#include "vmm/intro/intro.h"

/* How many of the console's last lines a DIED event carries. */
#define DIED_TAIL_LINES 20

struct kt_backend {
	struct session s;
	struct intro *in;		/* NULL: no introspection */
	struct evqueue *q;		/* the one event source */
	struct guestlink gl;		/* the engine's link; its events are q's */
	bool up;
	bool died_told;			/* the DIED event is queued */
};

/* The introspection's fires and notes (its watch thread or ours). */
static void on_intro_event(void *ctx, const struct kt_guest_event *ev)
{
	evqueue_push(((struct kt_backend *)ctx)->q, ev);
}

/* QEMU went away under us: said once, with what the console saw last.
 * Looked at before each event is taken (guestlink's check). */
static void check_died(void *ctx)
{
	struct kt_backend *b = ctx;
	char *tail;

	if (!b->up || b->died_told || !machine_exited(&b->s.m))
		return;
	b->died_told = true;
	tail = serial_tail(&b->s.m.serial, DIED_TAIL_LINES);
	evqueue_push(b->q, &(struct kt_guest_event){ .kind = KT_GEV_DIED, .text = "QEMU exited",
						     .tail = tail });
	free(tail);
}

struct kt_guest_event *kt_backend_next_event(struct kt_backend *b)
{
	check_died(b);
	return evqueue_pop(b->q);
}

int kt_backend_event_fd(const struct kt_backend *b)
{
	return evqueue_fd(b->q);
}

struct kt_link kt_backend_link(struct kt_backend *b)
{
	return guestlink_link(&b->gl);
}

struct kt_host kt_backend_host(struct kt_backend *b)
{
	return b->in ? intro_host(b->in) : (struct kt_host){ 0 };
}

struct intro *kt_backend_intro(struct kt_backend *b)
{
	return b->in;
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
static struct kterr *open_host(struct kt_backend *b, const struct kt_backend_opts *o)
{
	struct intro_opts io = { .exit_trigger = !o->no_exit_trigger, .on_event = on_intro_event,
				 .ctx = b };
	bool required = o->host_required;
	struct kterr *e = intro_open(&b->s.m, b->s.vmlinux, &io, &b->in);
	char *m;

	if (!e || required)
		return e;
	m = kterr_strdup(e);
	evqueue_push(b->q, &(struct kt_guest_event){ .kind = KT_GEV_NOTE, .severity = KT_SEV_WARN,
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
	e = evqueue_new(&b->q);
	if (e) {
		free(b);
		return kterr_wrap(e, "boot the guest");
	}
	*out = b;
	b->gl = (struct guestlink){ .q = b->q, .check = check_died, .check_ctx = b };
	so.on_log = guestlink_log;
	so.log_ctx = &b->gl;
	/* Starting the machine is this one call; a warm start (restoring a
	 * saved ready state, so.warm) happens inside it. */
	e = session_boot(&so, &b->s);
	if (e)
		return e;
	b->up = true;
	guestlink_attach(&b->gl, &b->s.link);
	if (o->no_host)
		return NULL;
	e = open_host(b, o);
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
	if (!b)
		return;
	kt_backend_shutdown(b, (int)kt_limit_ms(KT_LIM_POWEROFF));
	evqueue_free(b->q);
	free(b);
}
