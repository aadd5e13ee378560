/* executor.c - the scenario executor; see executor.h. */
#include "engine/executor.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/header.h"
#include "engine/hold.h"
#include "engine/op-exec.h"
#include "engine/op.h"
#include "lib/kjson.h"
#include "lib/timeouts.h"
#include "lib/util.h"
#include "engine/watches.h"

/* Holds sleep in slices this long so a cancel or a guest event is seen
 * promptly. */
#define HOLD_SLICE_NS 20000000ULL
/* An expectation with within= checks again this often: each check of a
 * guest-side one is a request, so not much faster than the guest state's
 * own cadence (twice a second). */
#define WITHIN_POLL_NS 100000000ULL
/* How long a failed step listens for a scheduler exit before its teardown:
 * the agent reports an ejection once the kernel has printed why, which
 * comes at the end of the kernel's disable work (guest/agent-sched.c). */
#define FAIL_DRAIN_NS 4000000000ULL
/* ...and without a scheduler, what is already on its way. */
#define FAIL_SETTLE_NS 200000000ULL

struct gev_node {
	struct kt_guest_event *ev;	/* owned: kt_gev_dup */
	uint64_t ns;		/* the clock when it was queued: when it happened,
				 * whatever the executor was busy with */
	struct gev_node *next;
};

struct kt_exec {
	const struct kt_recipe *r;
	struct kt_header hdr;
	struct kt_link link;
	struct kt_host host;
	struct kt_clock clock;
	struct kt_events *events;
	const char *sched_args;
	struct kt_scenario s;
	struct kt_results res;
	struct kt_stmt_result console_res;	/* for kt_exec_apply */
	atomic_bool cancel;
	/* kt_exec_interrupt: sticky, unlike cancel; teardown still runs and
	 * is not cancelled (in_teardown). */
	atomic_bool stop, in_teardown;
	struct kterr *first_err;	/* what run() returns */
	int step;			/* 0 backdrop, N the Nth step */
	/* The statement being applied and its batch. */
	struct kt_stmt_result *cur;
	const struct kt_stmt *batch[64];
	size_t nbatch;
	pthread_t thread;
	bool started;
	struct kterr *thread_err;
	pthread_mutex_t qlock;
	struct gev_node *qhead, *qtail;
	/* The guest's latest state not yet handed out: written on the
	 * executor's thread, taken by kt_exec_gstate from any, under glock. */
	pthread_mutex_t glock;
	struct kt_gstate gstate;
	uint64_t gstate_gen;		/* the link's count of the one we have */
	uint64_t gstate_ver;		/* gstate_vers' value when it came (glock) */
	bool poll_broken;		/* the link's poll failed: sleep instead */
	bool rechecking;		/* kt_exec_rechecking() */
	bool listened;			/* waited the whole bound for a scheduler exit */
	/* The guest is gone (the link said EHOSTDOWN): nothing more is sent,
	 * the step fails with why, teardown has nothing left to ask. */
	char *gone;
};

static uint64_t real_now(void *ctx)
{
	return kt_now_ns();
}

static void real_sleep(void *ctx, uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const struct kt_clock real_clock = { real_now, real_sleep, NULL };

struct kt_exec *kt_exec_new(const struct kt_recipe *r, const struct kt_exec_config *cfg)
{
	struct kt_exec *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->r = r;
	kt_header_read(r, &x->hdr);
	x->link = cfg->link;
	x->host = cfg->host;
	x->clock = cfg->clock ? *cfg->clock : real_clock;
	x->events = cfg->events;
	x->sched_args = cfg->sched_args;
	kt_scn_init(&x->s);
	x->s.in_backdrop = true;
	x->s.sched_attached = x->hdr.boot_scheduler != NULL;
	if (x->hdr.boot_scheduler)
		x->s.sched_name = strdup(x->hdr.boot_scheduler);
	x->res.file = r ? r->file : NULL;
	x->res.n = r ? r->nstmts : 0;
	x->res.v = calloc(x->res.n + 1, sizeof(*x->res.v));
	if (!x->res.v) {
		kt_scn_free(&x->s);
		free(x);
		return NULL;
	}
	for (size_t i = 0; i < x->res.n; i++)
		x->res.v[i].stmt = &r->stmts[i];
	atomic_init(&x->cancel, false);
	atomic_init(&x->stop, false);
	atomic_init(&x->in_teardown, false);
	pthread_mutex_init(&x->qlock, NULL);
	pthread_mutex_init(&x->glock, NULL);
	kt_gstate_init(&x->gstate);
	return x;
}

static void clear_result(struct kt_stmt_result *r)
{
	free(r->error);
	free(r->captured);
	r->error = r->captured = NULL;
}

void kt_exec_free(struct kt_exec *x)
{
	if (!x)
		return;
	if (x->started)
		kterr_free(kt_exec_join(x));
	for (size_t i = 0; i < x->res.n; i++)
		clear_result(&x->res.v[i]);
	clear_result(&x->console_res);
	for (size_t i = 0; i < x->res.nteardown; i++)
		free(x->res.teardown_errors[i]);
	free(x->res.teardown_errors);
	for (size_t i = 0; i < x->res.nguest_failures; i++)
		free(x->res.guest_failures[i]);
	free(x->res.guest_failures);
	for (size_t i = 0; i < x->res.nfailure_dumps; i++)
		free(x->res.failure_dumps[i]);
	free(x->res.failure_dumps);
	free(x->gone);
	for (size_t i = 0; i < x->res.nfinal_workers; i++)
		free(x->res.final_workers[i]);
	free(x->res.final_workers);
	free(x->res.v);
	while (x->qhead) {
		struct gev_node *n = x->qhead;

		x->qhead = n->next;
		kt_gev_free(n->ev);
		free(n);
	}
	for (size_t i = 0; i < x->res.nfires; i++) {
		free(x->res.fires[i].tag);
		free(x->res.fires[i].last);
	}
	free(x->res.fires);
	kterr_free(x->first_err);
	kt_scn_free(&x->s);
	pthread_mutex_destroy(&x->qlock);
	kt_gstate_clear(&x->gstate);
	pthread_mutex_destroy(&x->glock);
	free(x);
}

/* ---- what op hooks see (op-exec.h) ---- */

struct kt_scenario *kt_exec_state(struct kt_exec *x)
{
	return &x->s;
}

const struct kt_recipe *kt_exec_recipe(const struct kt_exec *x)
{
	return x->r;
}

const struct kt_header *kt_exec_header(const struct kt_exec *x)
{
	return &x->hdr;
}

const char *kt_exec_sched_args(const struct kt_exec *x)
{
	return x->sched_args;
}

const struct kt_host *kt_exec_host(const struct kt_exec *x)
{
	return &x->host;
}

const struct kt_results *kt_exec_results(const struct kt_exec *x)
{
	return &x->res;
}

const struct kt_scenario *kt_exec_scenario(const struct kt_exec *x)
{
	return &x->s;
}

static void emit(struct kt_exec *x, struct kt_event ev);

/* Let the link drain for up to ns and take a newer guest state. False
 * when it cannot (no poll, or it broke): the caller sleeps instead. */
static void drain_guest_events(struct kt_exec *x);

/* After a failed call: is the guest gone for good? Remember why, once. */
static void note_gone(struct kt_exec *x, const struct kterr *e)
{
	const char *why;

	if (!e || x->gone || !x->link.ops || !x->link.ops->gone)
		return;
	why = x->link.ops->gone(x->link.ctx);
	if (why)
		x->gone = strdup(why);
}

/* Versions of the states every executor keeps, from one counter so a
 * reader's version never matches a state of another executor (a console
 * restart builds a new one). */
static atomic_uint_fast64_t gstate_vers;

static bool poll_link(struct kt_exec *x, uint64_t ns)
{
	struct kt_gstate fresh;
	uint64_t gen = x->gstate_gen;
	struct kterr *e;

	if (!x->link.ops || !x->link.ops->poll || x->poll_broken)
		return false;
	kt_gstate_init(&fresh);
	e = x->link.ops->poll(x->link.ctx, ns, &gen, &fresh);
	if (gen != x->gstate_gen && fresh.valid) {
		pthread_mutex_lock(&x->glock);
		kt_gstate_clear(&x->gstate);
		x->gstate = fresh;
		x->gstate_ver = atomic_fetch_add(&gstate_vers, 1) + 1;
		pthread_mutex_unlock(&x->glock);
		x->gstate_gen = gen;
	} else {
		kt_gstate_clear(&fresh);
	}
	note_gone(x, e);
	if (e && x->gone) {
		kterr_free(e);		/* the hold fails with it */
		return false;
	}
	if (e) {
		char *s;

		e = kterr_wrap(e, "guest link");
		s = kterr_strdup(e);
		/* Said once; the next request fails with the evidence. */
		x->poll_broken = true;
		emit(x, (struct kt_event){ .kind = KT_EV_WARN, .text = s ? s : "guest link broke" });
		free(s);
		kterr_free(e);
		return false;
	}
	return true;
}

struct kterr *kt_exec_guest(struct kt_exec *x, struct kt_greq *req, struct kt_greply *reply)
{
	struct kterr *e;

	memset(reply, 0, sizeof(*reply));
	if (x->gone)
		return kterr_new(0, "%s: not sent: the guest is gone", kt_greq_name(req));
	if (!x->link.ops || !x->link.ops->request)
		return kterr_hint(kterr_new(ENOTCONN, "%s: no guest link", kt_greq_name(req)),
				  "guest-side ops need a booted guest (`ktcon run` or the console)");
	e = x->link.ops->request(x->link.ctx, req, reply, &x->cancel);
	note_gone(x, e);
	/* States that came in while the request waited. */
	if (!x->gone)
		poll_link(x, 0);
	return e;
}

struct kterr *kt_exec_guest_batch(struct kt_exec *x, const struct kt_greq *reqs, size_t n,
				  struct kt_greply *replies, size_t *done)
{
	struct kterr *e = NULL;

	*done = 0;
	memset(replies, 0, n * sizeof(*replies));
	if (!n)
		return NULL;
	if (x->gone || !x->link.ops || !x->link.ops->batch) {
		/* no batch in this link (the unit tests' fakes): one by one */
		while (!e && *done < n) {
			e = kt_exec_guest(x, (struct kt_greq *)&reqs[*done], &replies[*done]);
			*done += !e;
		}
		return e;
	}
	e = x->link.ops->batch(x->link.ctx, reqs, n, replies, done, &x->cancel);
	note_gone(x, e);
	if (!x->gone)
		poll_link(x, 0);
	return e;
}

void kt_exec_pump(struct kt_exec *x, uint64_t ns)
{
	/* An idle console still hears of watch fires and scheduler exits. */
	drain_guest_events(x);
	if (!poll_link(x, ns))
		x->clock.sleep_ns(x->clock.ctx, ns);
}

bool kt_exec_gstate(struct kt_exec *x, uint64_t *ver, struct kt_gstate *out)
{
	bool fresh;

	/* Copied, once per reader per state: the console's UI and its live
	 * sampler both read it, so it cannot be handed over to the first. */
	kt_gstate_init(out);
	pthread_mutex_lock(&x->glock);
	fresh = x->gstate.valid && x->gstate_ver != *ver;
	if (fresh) {
		struct kterr *e = kt_gstate_copy(out, &x->gstate);

		if (e) {	/* out of memory: this reader tries again */
			kterr_free(e);
			kt_gstate_clear(out);
			fresh = false;
		} else {
			*ver = x->gstate_ver;
		}
	}
	pthread_mutex_unlock(&x->glock);
	return fresh;
}

struct kterr *kt_exec_guest_simple(struct kt_exec *x, enum kt_op_kind op, const char *cgroup)
{
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = op, .cgroup = cgroup };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);

	kt_greply_clear(&reply);
	return e;
}

const struct kt_stmt *const *kt_exec_batch(const struct kt_exec *x, size_t *n)
{
	*n = x->nbatch;
	return x->batch;
}

static void emit(struct kt_exec *x, struct kt_event ev)
{
	ev.step = x->step;
	kt_events_emit(x->events, &ev);
}

void kt_exec_warn(struct kt_exec *x, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (x->cur) {
		x->cur->status = KT_RES_WARN;
		free(x->cur->error);
		x->cur->error = msg;
	}
	emit(x, (struct kt_event){ .kind = KT_EV_WARN, .stmt = x->cur ? x->cur->stmt : NULL,
				   .text = msg ? msg : "warning" });
	if (!x->cur)
		free(msg);
}

void kt_exec_captured(struct kt_exec *x, const char *fmt, ...)
{
	va_list ap;
	char *v = NULL;

	if (!x->cur)
		return;
	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		v = NULL;
	va_end(ap);
	free(x->cur->captured);
	x->cur->captured = v;
}

/* ---- guest events ---- */

/* Queue ev, which the queue now owns, as heard at ns. */
static void queue_event(struct kt_exec *x, struct kt_guest_event *ev, uint64_t ns)
{
	struct gev_node *n = calloc(1, sizeof(*n));

	if (!n) {
		kt_gev_free(ev);
		return;
	}
	n->ev = ev;
	n->ns = ns;
	pthread_mutex_lock(&x->qlock);
	if (x->qtail)
		x->qtail->next = n;
	else
		x->qhead = n;
	x->qtail = n;
	pthread_mutex_unlock(&x->qlock);
}

void kt_exec_guest_event(struct kt_exec *x, const struct kt_guest_event *ev)
{
	struct kt_guest_event *c = kt_gev_dup(ev);

	if (c)
		queue_event(x, c, x->clock.now_ns(x->clock.ctx));
}

/* What the link has queued since: its events carry when they happened
 * (the link's clock is the real one); a fake's may not. */
static void take_link_events(struct kt_exec *x)
{
	struct kt_guest_event *ev;

	if (!x->link.ops || !x->link.ops->next_event)
		return;
	while ((ev = x->link.ops->next_event(x->link.ctx)))
		queue_event(x, ev, ev->at_ns ? ev->at_ns : x->clock.now_ns(x->clock.ctx));
}

/* A capture as JSON text for the results, which leave the process: the
 * one place the executor turns a snapshot's tree into text. */
static char *snapshot_text(const struct kt_host *h, uint64_t snap)
{
	struct json_object *tree = h->ops->snapshot_tree(h->ctx, snap);
	char *text = tree ? strdup(kjson_text(tree)) : NULL;

	json_object_put(tree);
	return text;
}

/* A scheduler died: capture what the kernel looks like now (the seed's
 * failure dump) under the tag "sched-exit", keep it in the results, and
 * say so at the end of TEXT. No snapshot backend: nothing to add. */
static void failure_dump(struct kt_exec *x, char *text, size_t size)
{
	const struct kt_host *h = &x->host;
	struct kt_capture *c;
	struct kterr *e;
	uint64_t snap;
	size_t len = strlen(text);
	char **n;

	if (!h->ops || !h->ops->snapshot_capture || x->gone)
		return;
	e = h->ops->snapshot_capture(h->ctx, "sched-exit", &snap);
	if (e) {
		char *s = kterr_strdup(e);

		snprintf(text + len, size - len, "; no failure dump: %s", s ? s : "capture failed");
		free(s);
		kterr_free(e);
		return;
	}
	c = kt_scn_add_capture(&x->s, "sched-exit", KT_CAP_SNAPSHOT);
	if (c) {
		c->snap = snap;
		c->retake = false;	/* the moment of the exit, not now */
	}
	snprintf(text + len, size - len, "; failure dump: snapshot sched-exit");
	n = realloc(x->res.failure_dumps, (x->res.nfailure_dumps + 1) * sizeof(*n));
	if (!n)
		return;
	x->res.failure_dumps = n;
	n[x->res.nfailure_dumps] = h->ops->snapshot_tree ? snapshot_text(h, snap)
							 : kt_strfmt("{\"snapshot\": %llu}",
								     (unsigned long long)snap);
	if (n[x->res.nfailure_dumps])
		x->res.nfailure_dumps++;
}

/* The results count every fire by its capture's tag and keep the last
 * capture's JSON (a later fire overwrites it under the tag, as the seed
 * says). */
static void count_fire(struct kt_exec *x, const struct kt_guest_event *ev)
{
	const struct kt_host *h = &x->host;
	const char *tag = ev->name ? ev->name : "";
	struct kt_fire_count *c;
	size_t i;

	for (i = 0; i < x->res.nfires && strcmp(x->res.fires[i].tag, tag); i++)
		;
	if (i == x->res.nfires) {
		c = realloc(x->res.fires, (i + 1) * sizeof(*c));
		if (!c)
			return;
		x->res.fires = c;
		c[i] = (struct kt_fire_count){ .tag = strdup(tag) };
		if (!c[i].tag)
			return;
		x->res.nfires++;
	}
	c = &x->res.fires[i];
	c->fires++;		/* every fire; only some were captured */
	if (ev->snap && h->ops && h->ops->snapshot_tree) {
		char *json = snapshot_text(h, ev->snap);

		if (json) {
			free(c->last);
			c->last = json;
		}
	}
}

static void apply_watch_fire(struct kt_exec *x, const struct kt_guest_event *ev, uint64_t at_ns)
{
	const char *tag = ev->name ? ev->name : "";
	struct kt_watch *w = kt_watch_of(&x->s, tag);
	struct kt_watch_report r;
	struct kt_capture *c;

	count_fire(x, ev);
	/* Every fire, as it is applied (the timeline files each at its own
	 * time); whether a line tells it is KT_EV_WATCH's business. */
	emit(x, (struct kt_event){ .kind = KT_EV_FIRE, .gev = ev });
	if (ev->snap) {
		c = kt_scn_add_capture(&x->s, tag, KT_CAP_SNAPSHOT);
		if (c) {
			c->snap = ev->snap;
			c->retake = false;	/* the next fire replaces it */
		}
	}
	/* Counted always, told at most once a second of the fires' own time
	 * (watches.h), even when they are heard late (the engine was busy
	 * with a long op or a console sh). */
	if (w) {
		if (!kt_watch_fire(w, at_ns, &ev->fire, ev->snap != 0, &r))
			return;
		emit(x, (struct kt_event){ .kind = KT_EV_WATCH, .watch = &r,
					   .gev = r.kind == KT_WL_FIRED ? ev : NULL });
		return;
	}
	/* Not a watch of the scenario's: the exit trigger's failure dump. */
	r = (struct kt_watch_report){ .kind = KT_WL_FIRED, .symbol = tag, .fire = &ev->fire };
	emit(x, (struct kt_event){ .kind = KT_EV_WATCH, .watch = &r, .gev = ev });
}

static void apply_guest_event(struct kt_exec *x, const struct kt_guest_event *ev, uint64_t at_ns)
{
	char text[2048], why[1536];
	struct kt_event out = { .kind = KT_EV_GUEST, .text = text, .gev = ev };

	switch (ev->kind) {
	case KT_GEV_WORKER_EXIT:
		kt_gev_text(ev, text, sizeof(text));
		break;
	case KT_GEV_PAYLOAD_EXIT:
		for (size_t i = 0; i < x->s.npayloads; i++)
			if (x->s.payloads[i].handle == ev->handle &&
			    x->s.payloads[i].state == KT_PAYLOAD_LIVE) {
				x->s.payloads[i].exit_status = ev->status;
				x->s.payloads[i].exited = true;
			}
		kt_gev_text(ev, text, sizeof(text));
		break;
	case KT_GEV_SCHED_EXIT:
		/* The scheduler is gone: detach/restart/replace now have
		 * nothing to act on, exactly as after a detach. */
		x->s.sched_attached = false;
		kt_gev_text(ev, why, sizeof(why));
		snprintf(text, sizeof(text), "scheduler %s %s: %s", ev->name ? ev->name : "?",
			 ev->ejected ? "ejected" : "exited", why);
		failure_dump(x, text, sizeof(text));
		/* Nobody asked it to go (detach turns the monitor off): the
		 * run fails, with the kernel's reason. */
		char **n = realloc(x->res.guest_failures,
				   (x->res.nguest_failures + 1) * sizeof(*n));
		if (n) {
			x->res.guest_failures = n;
			if ((n[x->res.nguest_failures] = strdup(text)))
				x->res.nguest_failures++;
		}
		break;
	case KT_GEV_WATCH_FIRE:
		apply_watch_fire(x, ev, at_ns);
		return;
	default:
		/* The news the front ends want (log lines, notes, the guest
		 * going down) are theirs as they are. */
		if (kt_events_emit_news(x->events, x->step, ev))
			return;
		kt_gev_text(ev, text, sizeof(text));
		break;
	}
	emit(x, out);
}

/* Watch fires counted since their last line, once it is due (force: now). */
static void tell_watches(struct kt_exec *x, bool force)
{
	struct kt_watch_report r;
	uint64_t now = x->clock.now_ns(x->clock.ctx);

	for (size_t i = 0; i < x->s.nwatches; i++)
		if (kt_watch_due(&x->s.watches[i], now, force, &r))
			emit(x, (struct kt_event){ .kind = KT_EV_WATCH, .watch = &r });
}

static void drain_guest_events(struct kt_exec *x)
{
	struct gev_node *n;

	take_link_events(x);
	pthread_mutex_lock(&x->qlock);
	n = x->qhead;
	x->qhead = x->qtail = NULL;
	pthread_mutex_unlock(&x->qlock);
	while (n) {
		struct gev_node *next = n->next;

		apply_guest_event(x, n->ev, n->ns);
		kt_gev_free(n->ev);
		free(n);
		n = next;
	}
	tell_watches(x, false);
}

void kt_exec_cancel(struct kt_exec *x)
{
	atomic_store(&x->cancel, true);
}

void kt_exec_interrupt(struct kt_exec *x)
{
	atomic_store(&x->stop, true);
	if (!atomic_load(&x->in_teardown))
		atomic_store(&x->cancel, true);
}

bool kt_exec_interrupted(struct kt_exec *x)
{
	return atomic_load(&x->stop);
}

/* ---- applying statements ---- */

static void keep_failure(struct kt_exec *x, struct kterr *e)
{
	if (!x->first_err)
		x->first_err = e;
	else
		kterr_free(e);
}

static void set_result(struct kt_stmt_result *res, enum kt_status st, const struct kterr *e,
		       uint64_t ns)
{
	/* A warning set while applying stays unless the op then failed. */
	if (!(res->status == KT_RES_WARN && st == KT_RES_PASS)) {
		res->status = st;
		if (e) {
			free(res->error);
			res->error = kterr_strdup(e);
		}
	}
	res->runs++;
	res->ns = ns;
}

/* Validate, then exec: the same rules `ktcon check` ran, now as an op
 * failure that `expect error` can catch. */
static struct kterr *apply_one(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kterr *e = NULL;

	if (atomic_load(&x->stop)) {
		atomic_store(&x->cancel, false);
		return kterr_new(ECANCELED, "interrupted");
	}
	if (st->form->validate)
		e = st->form->validate(st, x->r);
	/* A plain guest op is the form's table data: sent from here. */
	if (!e && kt_form_is(st->form, KT_FORM_GUEST_CGROUP_OP))
		e = kt_exec_guest_simple(x, st->form->op, kt_stmt_posval(st, 0));
	if (!e && st->form->exec)
		e = st->form->exec(x, st);
	/* The cancel came, but the op was done all the same (the guest had
	 * finished it, or a host op does not stop midway): it stands, and the
	 * scenario, the results and a recording say so. */
	if (!e && atomic_load(&x->cancel)) {
		char *text = kt_stmt_print(st);
		char *m = kt_strfmt("%s: the cancel came too late: it was done, and stands",
				    text ? text : st->form->name);

		emit(x, (struct kt_event){ .kind = KT_EV_WARN, .stmt = st, .text = m });
		free(m);
		free(text);
	}
	atomic_store(&x->cancel, false);
	return e;
}

/* The chain the operator reads: where, what, then why. */
static struct kterr *wrap_stmt(struct kt_exec *x, const struct kt_stmt *st, struct kterr *e)
{
	char *text = kt_stmt_print(st);

	if (st->line)
		e = kterr_wrap(e, "%s:%d: %s", x->r ? x->r->file : "<console>", st->line,
			       text ? text : st->form->name);
	else
		e = kterr_wrap(e, "%s", text ? text : st->form->name);
	free(text);
	return e;
}

static struct kt_stmt_result *result_of(struct kt_exec *x, const struct kt_stmt *st)
{
	if (x->r && st >= x->r->stmts && st < x->r->stmts + x->r->nstmts)
		return &x->res.v[st - x->r->stmts];
	return &x->console_res;	/* kt_exec_apply reset it */
}

bool kt_exec_rechecking(const struct kt_exec *x)
{
	return x->rechecking;
}

/*
 * within=DURATION: check, and while the check fails and the deadline is
 * ahead, let the link drain (guest events and states arrive, so a
 * scheduler exit or a payload exit is seen) for one interval and check
 * again. A check that fails for a reason other than the condition (no
 * capture under the tag, no guest) fails too: it can come true later (a
 * watch fire makes its tag). The deadline is the clock's, so a fake clock
 * drives it in tests; the last check's error is what was seen last.
 */
static struct kterr *check_within(struct kt_exec *x, const struct kt_stmt *st, uint64_t t0,
				  uint64_t within_ns)
{
	uint64_t end = t0 + within_ns, now;
	unsigned checks = 1;
	struct kterr *e = apply_one(x, st);
	char waited[32];

	while (e && !x->gone) {
		now = x->clock.now_ns(x->clock.ctx);
		if (now >= end)
			break;
		kterr_free(e);
		kt_exec_pump(x, end - now < WITHIN_POLL_NS ? end - now : WITHIN_POLL_NS);
		drain_guest_events(x);
		if (atomic_exchange(&x->cancel, false))
			return kterr_new(ECANCELED, "cancelled after %u check%s", checks,
					 checks == 1 ? "" : "s");
		x->rechecking = true;
		e = apply_one(x, st);
		x->rechecking = false;
		checks++;
	}
	if (!e)
		return NULL;
	kt_fmt_duration(x->clock.now_ns(x->clock.ctx) - t0, waited, sizeof(waited));
	if (kt_scale() != 1.0)
		return kterr_wrap(e, "waited %s for it (%u check%s, within=%s x timeout scale %g), "
				  "last seen", waited, checks, checks == 1 ? "" : "s",
				  kt_stmt_get(st, "within"), kt_scale());
	return kterr_wrap(e, "waited %s for it (%u check%s, within=%s), last seen", waited, checks,
			  checks == 1 ? "" : "s", kt_stmt_get(st, "within"));
}

/* An expectation: a failure is recorded and the step goes on. */
static void run_expect(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_stmt_result *res = result_of(x, st);
	uint64_t t0 = x->clock.now_ns(x->clock.ctx), within_ns = 0;
	const char *within = kt_stmt_get(st, "within");
	struct kterr *e;

	x->cur = res;
	/* The schema checked it; a bad one here (the console) is one check. */
	if (within)
		kterr_free(kt_duration_parse(within, &within_ns));
	/* A condition's deadline stretches with every other wait (the
	 * timeout scale: a loaded host, TCG); the message says so. */
	within_ns = kt_scaled_ns(within_ns);
	e = within_ns ? check_within(x, st, t0, within_ns) : apply_one(x, st);
	x->cur = NULL;
	uint64_t ns = x->clock.now_ns(x->clock.ctx) - t0;

	set_result(res, e ? KT_RES_FAIL : KT_RES_PASS, e, ns);
	emit(x, (struct kt_event){ .kind = KT_EV_EXPECT, .stmt = st, .ok = !e, .err = e,
				   .ns = ns });
	if (e)
		keep_failure(x, wrap_stmt(x, st, e));
}

/*
 * An op (or a batch of merged cold writes) and the `expect error` after it,
 * if any. Returns false when the step must stop: the op failed and no
 * expect error wanted that failure.
 */
static bool run_op(struct kt_exec *x, const struct kt_stmt *const *batch, size_t n,
		   const struct kt_stmt *xerr)
{
	const struct kt_stmt *st = batch[0];
	uint64_t t0 = x->clock.now_ns(x->clock.ctx), ns;
	const char *want = xerr ? kt_stmt_posval(xerr, 0) : NULL;
	struct kterr *e;
	bool caught;
	char *text = kt_stmt_print(st);

	memcpy(x->batch, batch, n * sizeof(*batch));
	x->nbatch = n;
	x->cur = result_of(x, st);
	e = apply_one(x, st);
	x->cur = NULL;
	x->nbatch = 0;
	ns = x->clock.now_ns(x->clock.ctx) - t0;
	if (e)
		e = wrap_stmt(x, st, e);
	caught = e && xerr && (!want || !*want || kterr_contains(e, want));
	for (size_t i = 0; i < n; i++)
		set_result(result_of(x, batch[i]), !e ? KT_RES_PASS : caught ? KT_RES_XFAIL
									  : KT_RES_FAIL, e, ns);
	/* What happened while it ran (the freeze it took, a log line) is
	 * told before it is: the events come through the link's queue now,
	 * no longer as calls in the middle of the op. */
	drain_guest_events(x);
	emit(x, (struct kt_event){ .kind = e ? KT_EV_OP_FAILED : KT_EV_OP_APPLIED, .stmt = st,
				   .text = text, .err = e, .expected = caught, .ns = ns });
	if (!e)
		emit(x, (struct kt_event){ .kind = KT_EV_STATE, .stmt = st });
	free(text);
	/* The op's own chain is the run's error before any expectation's. */
	if (e && !caught)
		keep_failure(x, e);
	if (xerr) {
		struct kt_stmt_result *xr = result_of(x, xerr);
		struct kterr *why = NULL;

		if (!e)
			why = kterr_hint(kterr_new(0, "expect error: the op before succeeded"),
					 "the op was expected to fail; check the recipe or the guest");
		else if (!caught)
			why = kterr_new(0, "expect error \"%s\": the op failed with something else",
					want);
		set_result(xr, why ? KT_RES_FAIL : KT_RES_PASS, why, 0);
		emit(x, (struct kt_event){ .kind = KT_EV_EXPECT, .stmt = xerr, .ok = !why,
					   .err = why });
		if (why)
			keep_failure(x, wrap_stmt(x, xerr, why));
	}
	if (e && !caught)
		return false;
	kterr_free(e);
	return true;
}

/*
 * A run of adjacent statements of one form that applies them at once
 * (form.h's exec_run): each applied one gets its result and event as if
 * applied alone, the batch's time shared among them. Returns false when
 * one failed the step; *applied says how many went (0: apply st[a]
 * alone).
 */
static bool run_many(struct kt_exec *x, size_t a, size_t b, size_t *applied)
{
	const struct kt_stmt *st = x->r->stmts;
	const struct kt_stmt **v = malloc((b - a) * sizeof(*v));
	uint64_t t0 = x->clock.now_ns(x->clock.ctx), ns;
	struct kterr *e = NULL;
	size_t share;

	*applied = 0;
	if (!v || atomic_load(&x->stop)) {
		free(v);
		return true;
	}
	for (size_t i = a; i < b; i++)
		v[i - a] = &st[i];
	*applied = st[a].form->exec_run(x, v, b - a, &e);
	/* As apply_one: a cancel the guest did not stop came too late. */
	if (*applied && !e && atomic_load(&x->cancel)) {
		char *m = kt_strfmt("%s:%d..%d: the cancel came too late: these %zu were done, "
				    "and stand", x->r->file, v[0]->line, v[*applied - 1]->line,
				    *applied);

		emit(x, (struct kt_event){ .kind = KT_EV_WARN, .stmt = v[*applied - 1], .text = m });
		free(m);
	}
	atomic_store(&x->cancel, false);
	share = *applied + (e != NULL);
	ns = (x->clock.now_ns(x->clock.ctx) - t0) / (share ? share : 1);
	for (size_t i = 0; i < *applied; i++) {
		char *text = kt_stmt_print(v[i]);

		set_result(result_of(x, v[i]), KT_RES_PASS, NULL, ns);
		emit(x, (struct kt_event){ .kind = KT_EV_OP_APPLIED, .stmt = v[i], .text = text,
					   .ns = ns });
		free(text);
	}
	if (*applied)
		emit(x, (struct kt_event){ .kind = KT_EV_STATE, .stmt = v[*applied - 1] });
	if (e) {
		const struct kt_stmt *bad = v[*applied];
		char *text = kt_stmt_print(bad);

		e = wrap_stmt(x, bad, e);
		set_result(result_of(x, bad), KT_RES_FAIL, e, ns);
		emit(x, (struct kt_event){ .kind = KT_EV_OP_FAILED, .stmt = bad, .text = text,
					   .err = e, .ns = ns });
		free(text);
		keep_failure(x, e);
	}
	free(v);
	return !e;
}

/* An `expect error` line: judged with the op before it, not run alone. */
static bool catches_error(const struct kt_stmt *st)
{
	return kt_form_is(st->form, KT_FORM_CATCHES_ERROR);
}

/* Statements [a, b) of a section in order. rerun: a loop iteration, which
 * repeats ops and expectations but not the setup lines. Returns false when
 * an op failed the step; the statements not run are marked skipped. */
static bool run_section(struct kt_exec *x, size_t a, size_t b, bool rerun)
{
	const struct kt_stmt *st = x->r->stmts;

	for (size_t k = a; k < b; k++) {
		const struct kt_stmt *batch[64];
		size_t n = 0, end = k;

		drain_guest_events(x);
		if (catches_error(&st[k]) || (rerun && st[k].kind == KT_STMT_CGROUP))
			continue;
		if (st[k].kind == KT_STMT_EXPECT) {
			run_expect(x, &st[k]);
			continue;
		}
		/* Adjacent adds (cgroup lines, add-cgroup) go in a few round
		 * trips; one an `expect error` follows goes alone, with it. */
		if (st[k].form->exec_run) {
			size_t applied = 0;

			for (end = k; end < b && st[end].form == st[k].form; end++)
				if (end + 1 < b && catches_error(&st[end + 1]))
					break;
			if (end - k >= 2 && !run_many(x, k, end, &applied)) {
				for (size_t j = k + applied + 1; j < b; j++)
					if (x->res.v[j].status == KT_RES_NOT_RUN)
						x->res.v[j].status = KT_RES_SKIP;
				return false;
			}
			if (end - k >= 2 && applied) {
				k += applied - 1;
				continue;
			}
			end = k;
		}
		/* Adjacent statements of a merging form (write-kernel-cold) run
		 * as one batch: one freeze. */
		do
			batch[n++] = &st[end++];
		while (kt_form_is(st[k].form, KT_FORM_MERGE_ADJACENT) && end < b && n < 64 &&
		       st[end].form == st[k].form);
		if (!run_op(x, batch, n, end < b && catches_error(&st[end]) ? &st[end] : NULL)) {
			for (size_t j = end; j < b; j++)
				if (x->res.v[j].status == KT_RES_NOT_RUN)
					x->res.v[j].status = KT_RES_SKIP;
			return false;
		}
		k = end - 1;
	}
	drain_guest_events(x);
	return true;
}

/* Wait ns in slices, minding cancel and guest events; each slice is
 * spent draining the link when it can, so the guest's state keeps
 * arriving through long holds, else asleep. */
static struct kterr *hold_for(struct kt_exec *x, uint64_t ns)
{
	uint64_t end = x->clock.now_ns(x->clock.ctx) + ns;
	size_t failures = x->res.nguest_failures;

	for (;;) {
		uint64_t now = x->clock.now_ns(x->clock.ctx);

		drain_guest_events(x);
		if (x->gone)
			return kterr_new(0, "step %d: the guest died during the hold: %s", x->step,
					 x->gone);
		/* A scheduler died: the step's outcome is known, stop waiting. */
		if (x->res.nguest_failures > failures)
			return kterr_new(0, "%s; then: step %d ended its hold early",
					 x->res.guest_failures[failures], x->step);
		if (atomic_exchange(&x->cancel, false) || atomic_load(&x->stop))
			return kterr_new(ECANCELED, "step %d: hold %s", x->step,
					 atomic_load(&x->stop) ? "interrupted" : "cancelled");
		if (now >= end)
			return NULL;
		kt_exec_pump(x, end - now < HOLD_SLICE_NS ? end - now : HOLD_SLICE_NS);
	}
}

/*
 * A step failed: what the guest already sent (in the channel, or on its
 * way) is heard before teardown, so nothing it said is lost. With a
 * scheduler attached, longer: it may be what is being ejected (an op that
 * timed out because the scheduler stalled what it waited for), and the
 * kernel's word comes a moment later. Listen that long, so the run's
 * summary can say it first; stop as soon as it came.
 */
static void listen_for_exit(struct kt_exec *x, uint64_t ns, bool once)
{
	uint64_t end = x->clock.now_ns(x->clock.ctx) + kt_scaled_ns(ns);
	size_t failures = x->res.nguest_failures;

	if (x->gone)
		return;
	if (once)
		x->listened = true;	/* once per run is enough */
	for (;;) {
		uint64_t now = x->clock.now_ns(x->clock.ctx);

		drain_guest_events(x);
		if (x->gone || x->res.nguest_failures > failures || now >= end ||
		    atomic_load(&x->cancel))
			return;
		kt_exec_pump(x, end - now < HOLD_SLICE_NS ? end - now : HOLD_SLICE_NS);
	}
}

static void drain_after_failure(struct kt_exec *x)
{
	if (x->s.sched_attached && !x->listened)
		listen_for_exit(x, FAIL_DRAIN_NS, true);
	else
		listen_for_exit(x, FAIL_SETTLE_NS, false);
}

/*
 * The run is over with a scheduler attached, as far as we heard: ask the
 * guest. If sched_ext is not enabled, the kernel ejected it and the
 * agent's report (sent once the kernel has printed why) is on its way:
 * listen for it, bounded, so a run never ends "passed" with its
 * scheduler dead, whichever of the two came first.
 */
static void await_sched_exit(struct kt_exec *x)
{
	struct kt_greq req = { .verb = KT_GREQ_QUERY_SCHED };
	struct kt_greply reply;
	struct kterr *e;
	bool enabled;

	if (!x->s.sched_attached || x->gone || x->listened || !x->link.ops)
		return;
	e = kt_exec_guest(x, &req, &reply);
	enabled = reply.sched.enabled;
	kt_greply_clear(&reply);
	if (e) {
		kterr_free(e);
		return;
	}
	if (!enabled)
		listen_for_exit(x, FAIL_DRAIN_NS, true);
}

/* ---- teardown ---- */

static void teardown_error(struct kt_exec *x, struct kterr *e)
{
	char **nt;
	char *s;

	if (!e)
		return;
	e = kterr_wrap(e, "teardown of %s", x->step ? "a step" : "the backdrop");
	s = kterr_strdup(e);
	emit(x, (struct kt_event){ .kind = KT_EV_OP_FAILED, .text = s, .err = e });
	nt = realloc(x->res.teardown_errors, (x->res.nteardown + 1) * sizeof(*nt));
	if (nt && s) {
		x->res.teardown_errors = nt;
		nt[x->res.nteardown++] = s;
	} else {
		if (nt)
			x->res.teardown_errors = nt;
		free(s);
	}
	kterr_free(e);
}

/*
 * n teardown requests of one op in as few round trips as the link allows.
 * A failure is a teardown error, and the rest still go; failed[i] says
 * which failed (replies[] hold what each answered).
 */
static void teardown_batch(struct kt_exec *x, const struct kt_greq *reqs, size_t n,
			   struct kt_greply *replies, bool *failed)
{
	size_t i = 0, done;

	while (i < n) {
		struct kterr *e = kt_exec_guest_batch(x, reqs + i, n - i, replies + i, &done);

		i += done;
		if (!e)
			break;
		teardown_error(x, e);
		failed[i++] = true;
		if (x->gone)
			while (i < n)
				failed[i++] = true;
	}
}

/* Stop owner o's worker handles (each only its pids: the runner's cgroup
 * may also hold the other owner's), in one batch: the agent kills them
 * all before waiting for any. Their last reports go in the results. */
static void stop_all_workers(struct kt_exec *x, enum kt_owner o)
{
	struct kt_scenario *s = &x->s;
	size_t n = 0;
	struct kt_greq *reqs = calloc(s->nworkers + 1, sizeof(*reqs));
	struct kt_greply *replies = calloc(s->nworkers + 1, sizeof(*replies));
	bool *failed = calloc(s->nworkers + 1, sizeof(*failed));
	char **cgs = calloc(s->nworkers + 1, sizeof(*cgs));

	for (size_t i = 0; reqs && replies && failed && cgs && i < s->nworkers; i++) {
		const struct kt_workers *w = &s->workers[i];

		if (w->owner != o)
			continue;
		reqs[n] = (struct kt_greq){ .verb = KT_GREQ_OP, .op = KT_OP_STOP_CGROUP,
					    .cgroup = w->cgroup, .pids = w->pids,
					    .npids = w->npids };
		cgs[n++] = strdup(w->cgroup);
	}
	if (n)
		teardown_batch(x, reqs, n, replies, failed);
	for (size_t j = 0; j < n; j++) {
		char *json = failed[j] || !cgs[j] ? NULL : kt_workers_json(cgs[j], &replies[j]);
		char **nf = json ? realloc(x->res.final_workers,
					   (x->res.nfinal_workers + 1) * sizeof(*nf)) : NULL;

		if (nf) {
			x->res.final_workers = nf;
			nf[x->res.nfinal_workers++] = json;
		} else {
			free(json);
		}
		kt_greply_clear(&replies[j]);
	}
	/* Dropping shifts s->workers: the batch is done with its pointers. */
	for (size_t j = 0; j < n; j++) {
		if (cgs[j])
			kt_scn_drop_workers_of(s, cgs[j], o);
		free(cgs[j]);
	}
	free(reqs);
	free(replies);
	free(failed);
	free(cgs);
}

/* Remove the cgroups named (deepest first) in one batch; tracking goes
 * whatever the guest said, as a failed removal is reported, not retried. */
static void remove_all_cgroups(struct kt_exec *x, char **names, size_t n)
{
	struct kt_scenario *s = &x->s;
	struct kt_greq *reqs = calloc(n + 1, sizeof(*reqs));
	struct kt_greply *replies = calloc(n + 1, sizeof(*replies));
	bool *failed = calloc(n + 1, sizeof(*failed));
	size_t m = 0;

	for (size_t i = 0; reqs && replies && failed && i < n; i++)
		/* gone with a parent removed before it */
		if (names[i] && kt_scn_cgroup(s, names[i]))
			reqs[m++] = (struct kt_greq){ .verb = KT_GREQ_OP, .op = KT_OP_REMOVE_CGROUP,
						      .cgroup = names[i] };
	if (m)
		teardown_batch(x, reqs, m, replies, failed);
	for (size_t i = 0; i < m; i++) {
		kt_greply_clear(&replies[i]);
		kt_scn_remove_cgroup(s, reqs[i].cgroup);
	}
	free(reqs);
	free(replies);
	free(failed);
}

/*
 * Tear down what owner o holds, in the order that cannot hang: thaw frozen
 * cgroups first (a frozen task cannot exit when its worker is stopped),
 * stop workers, drain payloads, then remove cgroups children first.
 * Stops and removals go in batches: a step's thousand cgroups cost a few
 * round trips, not a thousand.
 */
static void teardown_owner(struct kt_exec *x, enum kt_owner o)
{
	struct kt_scenario *s = &x->s;
	size_t *idx = malloc((s->ncgs + 1) * sizeof(*idx));
	size_t n;
	char **names;

	atomic_store(&x->cancel, false);
	/* A dead guest has nothing to tear down: its failure said why. */
	if (!idx || x->gone) {
		free(idx);
		return;
	}
	n = o == KT_OWN_STEP ? kt_scn_step_cgroups(s, idx) : kt_scn_backdrop_cgroups(s, idx);
	for (size_t i = 0; i < n; i++) {
		if (!s->cgs[idx[i]].frozen)
			continue;
		teardown_error(x, kt_exec_guest_simple(x, KT_OP_UNFREEZE_CGROUP,
						       s->cgs[idx[i]].name));
		s->cgs[idx[i]].frozen = false;
	}
	stop_all_workers(x, o);
	for (size_t i = 0; i < s->npayloads; i++) {
		struct kt_payload *p = &s->payloads[i];
		struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_KILL_PAYLOAD,
				       .name = p->name, .cgroup = p->cgroup, .handle = p->handle };
		struct kt_greply reply;

		if (p->owner != o || p->state != KT_PAYLOAD_LIVE)
			continue;
		teardown_error(x, kt_exec_guest(x, &req, &reply));
		p->state = KT_PAYLOAD_CONSUMED;
		p->by_teardown = true;
		p->exit_status = reply.exit_status;
		kt_greply_clear(&reply);
	}
	/* Removing shifts s->cgs: take the names first. */
	names = calloc(n + 1, sizeof(*names));
	for (size_t i = 0; names && i < n; i++)
		names[i] = strdup(s->cgs[idx[i]].name);
	if (names)
		remove_all_cgroups(x, names, n);
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	free(idx);
	if (o == KT_OWN_BACKDROP && s->npinned) {
		struct kt_greq req = { .verb = KT_GREQ_UNPIN_BPF_MAPS };
		struct kt_greply reply;

		teardown_error(x, kt_exec_guest(x, &req, &reply));
		kt_greply_clear(&reply);
	}
	emit(x, (struct kt_event){ .kind = KT_EV_STATE });
}

/* Disarm watch i (its owner's teardown, or unwatch): the host stops
 * stopping the guest, the fires it reported on the way are heard, and
 * the watch's last line gives the totals. */
static struct kterr *disarm_watch(struct kt_exec *x, size_t i, const char *why)
{
	struct kt_watch *w = &x->s.watches[i];
	struct kt_watch_report r;
	struct kterr *e = NULL;

	if (!w->armed)
		return NULL;
	if (x->host.ops && x->host.ops->watch_disarm && !x->gone)
		e = x->host.ops->watch_disarm(x->host.ctx, (unsigned)i);
	if (e)
		return kterr_wrap(e, "disarm the watch on %s", w->symbol);
	w->armed = false;
	drain_guest_events(x);
	if (kt_watch_due(w, x->clock.now_ns(x->clock.ctx), true, &r))
		emit(x, (struct kt_event){ .kind = KT_EV_WATCH, .watch = &r });
	kt_watch_disarmed(w, why, &r);
	emit(x, (struct kt_event){ .kind = KT_EV_WATCH, .watch = &r });
	emit(x, (struct kt_event){ .kind = KT_EV_STATE });
	return NULL;
}

struct kterr *kt_exec_unwatch(struct kt_exec *x, const char *symbol)
{
	struct kt_watch *w = kt_watch_armed(&x->s, symbol);
	char armed[3 * (KT_SYMBOL_MAX + 2) + 8] = "";

	if (w)
		return disarm_watch(x, (size_t)(w - x->s.watches), "unwatch");
	for (size_t i = 0; i < x->s.nwatches; i++)
		if (x->s.watches[i].armed)
			snprintf(armed + strlen(armed), sizeof(armed) - strlen(armed), "%s%s",
				 *armed ? ", " : "", x->s.watches[i].symbol);
	return kterr_hint(kterr_new(0, "unwatch %s: no watch on %s is armed", symbol, symbol),
			  *armed ? "armed: %s" : "no watch is armed", armed);
}

/* An interrupt during teardown stops what follows, not the teardown. */
static void teardown(struct kt_exec *x, enum kt_owner o)
{
	atomic_store(&x->in_teardown, true);
	/* Watches first: a busy one stops the guest on every write. */
	for (size_t i = 0; i < x->s.nwatches; i++)
		if (x->s.watches[i].owner == o)
			teardown_error(x, disarm_watch(x, i, o == KT_OWN_STEP ? "its step ended" :
						       "the scenario ended"));
	teardown_owner(x, o);
	atomic_store(&x->cancel, false);
	atomic_store(&x->in_teardown, false);
}

/* ---- the whole recipe ---- */

struct section {
	size_t begin, end;	/* statements after the section line */
	const struct kt_stmt *head;
};

static void skip_from(struct kt_exec *x, size_t from)
{
	for (size_t j = from; j < x->res.n; j++)
		if (x->res.v[j].status == KT_RES_NOT_RUN &&
		    x->res.v[j].stmt->kind != KT_STMT_SECTION &&
		    x->res.v[j].stmt->kind != KT_STMT_DIRECTIVE)
			x->res.v[j].status = KT_RES_SKIP;
}

struct kterr *kt_exec_run(struct kt_exec *x)
{
	const struct kt_recipe *r = x->r;
	struct section *secs = calloc(r->nstmts + 1, sizeof(*secs));
	struct kt_hold *holds = calloc(r->nstmts + 1, sizeof(*holds));
	uint64_t *hold_ns = calloc(r->nstmts + 1, sizeof(*hold_ns));
	size_t nsec = 0, nsteps = 0;
	bool have_backdrop = false, ok = true;
	uint64_t t0 = x->clock.now_ns(x->clock.ctx);
	struct kterr *e;

	if (!secs || !holds || !hold_ns) {
		free(secs);
		free(holds);
		free(hold_ns);
		return kterr_new(ENOMEM, "running %s", r->file);
	}
	if (r->ndiags) {
		e = kterr_hint(kterr_new(0, "%s has %zu error%s", r->file, kt_recipe_nerrors(r),
					 kt_recipe_nerrors(r) > 1 ? "s" : ""), "run `ktcon check %s`",
			       r->file);
		goto out;
	}
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct kt_stmt *st = &r->stmts[i];

		if (st->kind == KT_STMT_SECTION) {
			secs[nsec++] = (struct section){ i + 1, i + 1, st };
			if (st->form == &kt_sec_backdrop) {
				have_backdrop = true;
				continue;
			}
			const char *h = kt_stmt_get(st, "hold");

			if (h)
				kterr_free(kt_hold_parse(h, &holds[nsteps]));
			nsteps++;
		} else if (nsec) {
			secs[nsec - 1].end = i + 1;
		}
	}
	e = kt_hold_plan(holds, nsteps, x->hdr.duration_ns, hold_ns);
	if (e)
		goto out;

	emit(x, (struct kt_event){ .kind = KT_EV_SCENARIO_BEGIN });
	x->step = 0;
	x->s.in_backdrop = true;
	if (have_backdrop) {
		emit(x, (struct kt_event){ .kind = KT_EV_STEP_BEGIN, .stmt = secs[0].head });
		ok = run_section(x, secs[0].begin, secs[0].end, false);
		if (!ok)
			drain_after_failure(x);
		emit(x, (struct kt_event){ .kind = KT_EV_STEP_END, .stmt = secs[0].head, .ok = ok });
		if (!ok)
			skip_from(x, secs[0].end);
	}
	x->s.in_backdrop = false;
	for (size_t i = have_backdrop; ok && i < nsec; i++) {
		size_t si = i - have_backdrop;
		const struct kt_hold *h = &holds[si];

		x->step = si + 1;
		if (atomic_load(&x->stop)) {
			keep_failure(x, kterr_new(ECANCELED, "interrupted before step %d", x->step));
			skip_from(x, secs[i].begin);
			ok = false;
			break;
		}
		emit(x, (struct kt_event){ .kind = KT_EV_STEP_BEGIN, .stmt = secs[i].head });
		ok = run_section(x, secs[i].begin, secs[i].end, false);
		if (ok) {
			uint64_t until = x->clock.now_ns(x->clock.ctx) + hold_ns[si];

			emit(x, (struct kt_event){ .kind = KT_EV_HOLD, .stmt = secs[i].head,
						   .ns = hold_ns[si] });
			if (h->kind != KT_HOLD_LOOP) {
				e = hold_for(x, hold_ns[si]);
			} else {
				/* Repeat the step's ops every interval until its
				 * share of the duration is over. */
				e = NULL;
				while (ok && !e && x->clock.now_ns(x->clock.ctx) + h->interval_ns <= until) {
					e = hold_for(x, h->interval_ns);
					if (!e)
						ok = run_section(x, secs[i].begin, secs[i].end, true);
				}
				if (ok && !e && x->clock.now_ns(x->clock.ctx) < until)
					e = hold_for(x, until - x->clock.now_ns(x->clock.ctx));
			}
			if (e) {
				keep_failure(x, e);
				e = NULL;
				ok = false;
			}
		}
		if (!ok)
			drain_after_failure(x);
		teardown(x, KT_OWN_STEP);
		if (x->gone)
			ok = false;
		emit(x, (struct kt_event){ .kind = KT_EV_STEP_END, .stmt = secs[i].head, .ok = ok });
		if (!ok)
			skip_from(x, secs[i].end);
	}
	x->step = 0;
	await_sched_exit(x);
	teardown(x, KT_OWN_BACKDROP);
	drain_guest_events(x);
	x->res.passed = !x->first_err && !x->res.nteardown && !x->res.nguest_failures;
	x->res.ns = x->clock.now_ns(x->clock.ctx) - t0;
	/* A scheduler that died explains what failed after it: its exit is
	 * the run's first word, the failure it caused comes after "then". */
	if (x->first_err && x->res.nguest_failures &&
	    !kterr_contains(x->first_err, x->res.guest_failures[0]))
		x->first_err = kterr_wrap(x->first_err, "%s; then", x->res.guest_failures[0]);
	emit(x, (struct kt_event){ .kind = KT_EV_SCENARIO_END, .ok = x->res.passed,
				   .err = x->first_err, .ns = x->res.ns });
	e = x->first_err;
	x->first_err = NULL;
	if (!e && x->res.nteardown)
		e = kterr_new(0, "teardown: %s", x->res.teardown_errors[0]);
	if (!e && x->res.nguest_failures)
		e = kterr_new(0, "%s", x->res.guest_failures[0]);	/* the kernel's word first */
out:
	free(secs);
	free(holds);
	free(hold_ns);
	return e;
}

static void *run_thread(void *arg)
{
	struct kt_exec *x = arg;

	x->thread_err = kt_exec_run(x);
	return NULL;
}

struct kterr *kt_exec_start(struct kt_exec *x)
{
	int rc;

	if (x->started)
		return kterr_new(EBUSY, "the executor is already running");
	rc = pthread_create(&x->thread, NULL, run_thread, x);
	if (rc)
		return kterr_new(rc, "starting the executor thread");
	x->started = true;
	return NULL;
}

struct kterr *kt_exec_join(struct kt_exec *x)
{
	struct kterr *e;

	if (!x->started)
		return kterr_new(EINVAL, "the executor was not started");
	pthread_join(x->thread, NULL);
	x->started = false;
	e = x->thread_err;
	x->thread_err = NULL;
	return e;
}

/* ---- console ---- */

struct kterr *kt_exec_apply(struct kt_exec *x, const struct kt_stmt *st)
{
	return kt_exec_apply_expect(x, st, NULL);
}

struct kterr *kt_exec_apply_expect(struct kt_exec *x, const struct kt_stmt *st,
				   const struct kt_stmt *xerr)
{
	const struct kt_stmt *batch[1] = { st };
	struct kterr *e;

	/* A cancel that came while nothing was in flight is not this op's. */
	atomic_store(&x->cancel, false);
	clear_result(&x->console_res);
	memset(&x->console_res, 0, sizeof(x->console_res));
	x->console_res.stmt = st;
	if (st->kind == KT_STMT_EXPECT) {
		run_expect(x, st);
	} else if (st->kind == KT_STMT_OP || st->kind == KT_STMT_CGROUP) {
		run_op(x, batch, 1, xerr);
	} else {
		return kterr_hint(kterr_new(0, "'%s' is not applied statement by statement",
					    st->form->name),
				  "at the console, `step` starts a new step; header lines belong "
				  "in a recipe");
	}
	e = x->first_err;
	x->first_err = NULL;
	return e;
}

struct kterr *kt_exec_next_step(struct kt_exec *x)
{
	if (!x->s.in_backdrop)
		teardown(x, KT_OWN_STEP);
	x->s.in_backdrop = false;
	x->step++;
	emit(x, (struct kt_event){ .kind = KT_EV_STEP_BEGIN });
	return NULL;
}

struct kterr *kt_exec_finish(struct kt_exec *x)
{
	size_t before = x->res.nteardown;

	if (!x->s.in_backdrop)
		teardown(x, KT_OWN_STEP);
	teardown(x, KT_OWN_BACKDROP);
	if (x->res.nteardown > before)
		return kterr_new(0, "teardown: %s", x->res.teardown_errors[before]);
	return NULL;
}
