/* guestlink.c - engine/link.h over the agent link; see guestlink.h. */
#include "vmm/link/guestlink.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeouts.h"
#include "lib/util.h"

static void put_def(struct wire_buf *b, const struct kt_cgroup_def *d)
{
	char cpus[4096];

	if (d->has_cpus)
		wire_put_str(b, "cpus", kt_cpulist_format(&d->cpus, cpus, sizeof(cpus)));
	if (d->workers)
		wire_put_u64(b, "workers", d->workers);
	static const struct { const char *key; size_t off; } knobs[] = {
		{ "work", offsetof(struct kt_cgroup_def, work) },
		{ "policy", offsetof(struct kt_cgroup_def, policy) },
		{ "affinity", offsetof(struct kt_cgroup_def, affinity) },
		{ "cpu.weight", offsetof(struct kt_cgroup_def, cpu_weight) },
		{ "cpu.max", offsetof(struct kt_cgroup_def, cpu_max) },
		{ "memory.max", offsetof(struct kt_cgroup_def, memory_max) },
		{ "io.weight", offsetof(struct kt_cgroup_def, io_weight) },
		{ "pids.max", offsetof(struct kt_cgroup_def, pids_max) },
	};
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const char *v = *(const char *const *)((const char *)d + knobs[i].off);

		if (v)
			wire_put_str(b, knobs[i].key, v);
	}
}

static void fill(struct wire_buf *b, void *ctx)
{
	const struct kt_greq *r = ctx;
	char cpus[4096];

	if (r->cgroup)
		wire_put_str(b, "cgroup", r->cgroup);
	if (r->cgroup2)
		wire_put_str(b, "cgroup2", r->cgroup2);
	if (r->name)
		wire_put_str(b, "name", r->name);
	if (r->path)
		wire_put_str(b, "path", r->path);
	if (r->args)
		wire_put_str(b, "args", r->args);
	if (r->verb == KT_GREQ_OP && r->op == KT_OP_SET_CPUSET)
		wire_put_str(b, "cpus", kt_cpulist_format(&r->cpus, cpus, sizeof(cpus)));
	if (r->def)
		put_def(b, r->def);
	if (r->workers)
		wire_put_u64(b, "workers", r->workers);
	if (r->work)
		wire_put_str(b, "work", r->work);
	if (r->npids) {
		int32_t *pids = malloc(r->npids * sizeof(*pids));

		if (!pids) {
			b->failed = true;	/* not sent: never a stop of every spawn */
		} else {
			for (size_t i = 0; i < r->npids; i++)
				pids[i] = r->pids[i];
			wire_put_pids(b, "pids", pids, r->npids);
			free(pids);
		}
	}
	if (r->affinity)
		wire_put_str(b, "affinity", r->affinity);
	if (r->handle)
		wire_put_u64(b, "handle", r->handle);
	if (r->verb == KT_GREQ_OP && r->op == KT_OP_STEER_IRQ) {
		wire_put_u64(b, "irq", r->irq);
		wire_put_u64(b, "cpu", r->cpu);
	}
}

/* The "pids" records (guest/wire.h). */
static struct kterr *take_pids(const struct wire_field *f, struct kt_greply *out)
{
	char why[128];
	size_t n;

	if (!wire_recs_check(f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)))
		return kterr_new(EPROTO, "pids: %s", why);
	out->pids = calloc(n ? n : 1, sizeof(*out->pids));
	if (!out->pids)
		return kterr_new(ENOMEM, "%zu pids", n);
	for (size_t i = 0; i < n; i++)
		out->pids[i] = wire_pid_at(f, i);
	out->npids = n;
	return NULL;
}

/* The "workers" records (guest/wire.h), one per worker. */
static struct kterr *take_workers(const struct wire_field *f, struct kt_greply *out)
{
	char why[128];
	size_t n;

	if (!wire_workers_check(f, &n, why, sizeof(why)))
		return kterr_new(EPROTO, "workers: %s", why);
	out->workers = calloc(n ? n : 1, sizeof(*out->workers));
	if (!out->workers)
		return kterr_new(ENOMEM, "%zu worker reports", n);
	for (size_t i = 0; i < n; i++) {
		struct kt_worker_report *w = &out->workers[i];
		struct wire_worker_rec r;

		wire_worker_at(f, i, &r);
		if (r.pid <= 0)
			return kterr_new(EPROTO, "worker report %zu has pid %d", i, (int)r.pid);
		*w = (struct kt_worker_report){
			.pid = r.pid, .iterations = r.iterations, .runtime_ns = r.cpu_ns,
			.nvcsw = r.nvcsw, .nivcsw = r.nivcsw, .migrations = r.migrations,
			.max_gap_ns = r.max_gap_ns, .max_wake_ns = r.max_wake_ns,
			.wake_p50_ns = r.wake_p50_ns, .wake_p99_ns = r.wake_p99_ns,
			.wake_samples = r.wake_samples, .run_delay_ns = r.run_delay_ns,
		};
		kt_cpuset_zero(&w->cpus_used);
		for (unsigned k = 0; k < WIRE_WORKER_CPU_WORDS && k < ARRAY_SIZE(w->cpus_used.bits); k++)
			w->cpus_used.bits[k] = r.cpus[k];
		out->nworkers = i + 1;
	}
	return NULL;
}

/* ---- the reply's fields: one handler a key, the fields walked once ---- */

static struct kterr *take_pids_field(const struct wire_field *f, struct kt_greply *out)
{
	struct kterr *e = take_pids(f, out);

	return e ? kterr_wrap(e, "the guest's pids") : NULL;
}

static struct kterr *take_workers_field(const struct wire_field *f, struct kt_greply *out)
{
	struct kterr *e = take_workers(f, out);

	return e ? kterr_wrap(e, "the guest's worker reports") : NULL;
}

static struct kterr *take_handle(const struct wire_field *f, struct kt_greply *out)
{
	wire_val_u64(f, &out->handle);
	return NULL;
}

static struct kterr *take_exit_status(const struct wire_field *f, struct kt_greply *out)
{
	int64_t i;

	if (wire_val_i64(f, &i))
		out->exit_status = (int)i;
	return NULL;
}

static struct kterr *take_runtime(const struct wire_field *f, struct kt_greply *out)
{
	wire_val_u64(f, &out->runtime_ns);
	return NULL;
}

static struct kterr *take_output(const struct wire_field *f, struct kt_greply *out)
{
	free(out->output);
	out->output = strdup(f->val);
	return out->output ? NULL : kterr_new(ENOMEM, "payload output");
}

static struct kterr *take_implicit(const struct wire_field *f, struct kt_greply *out)
{
	uint64_t u;

	if (wire_val_u64(f, &u))
		out->implicit = (unsigned)u;
	return NULL;
}

/* "1" or not: missing, frozen, populated. */
static bool one(const struct wire_field *f)
{
	int64_t i;

	return wire_val_i64(f, &i) && i == 1;
}

static struct kterr *take_missing(const struct wire_field *f, struct kt_greply *out)
{
	out->missing = one(f);
	return NULL;
}

static struct kterr *take_frozen(const struct wire_field *f, struct kt_greply *out)
{
	out->cgroup.frozen = one(f);
	return NULL;
}

static struct kterr *take_populated(const struct wire_field *f, struct kt_greply *out)
{
	out->cgroup.populated = one(f);
	return NULL;
}

static struct kterr *take_cpus(const struct wire_field *f, struct kt_greply *out)
{
	struct kterr *e;

	if (!*f->val)
		return NULL;
	e = kt_cpulist_parse(f->val, &out->cgroup.cpus);
	if (e)
		return kterr_wrap(e, "the guest's cpuset '%s'", f->val);
	out->cgroup.has_cpus = true;
	return NULL;
}

static struct kterr *take_state(const struct wire_field *f, struct kt_greply *out)
{
	out->sched.enabled = !strcmp(f->val, "enabled");
	return NULL;
}

static struct kterr *take_ops(const struct wire_field *f, struct kt_greply *out)
{
	snprintf(out->sched.ops, sizeof(out->sched.ops), "%s", f->val);
	return NULL;
}

static struct kterr *take_replaced(const struct wire_field *f, struct kt_greply *out)
{
	snprintf(out->sched.replaced, sizeof(out->sched.replaced), "%s", f->val);
	return NULL;
}

static struct kterr *take_window(const struct wire_field *f, struct kt_greply *out)
{
	wire_val_u64(f, &out->sched.window_ns);
	return NULL;
}

static const struct {
	const char *key;
	struct kterr *(*take)(const struct wire_field *f, struct kt_greply *out);
} reply_fields[] = {
	{ "pids", take_pids_field }, { "workers", take_workers_field },
	{ "handle", take_handle }, { "exit_status", take_exit_status },
	{ "runtime_ns", take_runtime }, { "output", take_output },
	{ "implicit", take_implicit }, { "missing", take_missing },
	{ "frozen", take_frozen }, { "populated", take_populated }, { "cpus", take_cpus },
	{ "state", take_state }, { "ops", take_ops }, { "replaced", take_replaced },
	{ "window_ns", take_window },
};
_Static_assert(ARRAY_SIZE(reply_fields) <= 32, "take_reply's seen mask");

/* The reply's fields as wire_next decoded them, walked once: a reply
 * without results ("ok" and nothing else: freeze, unfreeze, ...) reads
 * nothing more. A key the table does not know is another op's business
 * (the error chain, a batch's "done") or a newer agent's. */
static struct kterr *take_reply(const struct wire_msg *m, struct kt_greply *out)
{
	uint32_t seen = 0;	/* a key said twice: the first counts, as wire_get's */

	for (size_t i = 0; i < m->n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(reply_fields); k++) {
			struct kterr *e;

			if (strcmp(m->fields[i].key, reply_fields[k].key))
				continue;
			if (seen & (1u << k))
				break;
			seen |= 1u << k;
			if ((e = reply_fields[k].take(&m->fields[i], out)))
				return e;
			break;
		}
	return NULL;
}

static struct kterr *request(void *ctx, const struct kt_greq *req, struct kt_greply *reply,
			     const atomic_bool *cancel)
{
	struct agentlink *l = ((struct guestlink *)ctx)->l;
	const char *op = req->verb == KT_GREQ_OP ? kt_op_name(req->op) : kt_greq_name(req);
	const struct wire_msg *m;
	struct kterr *e;
	/* wait-payload has no timeout (the seed's rule); it stays cancellable. */
	int timeout = req->verb == KT_GREQ_OP && req->op == KT_OP_WAIT_PAYLOAD ? -1
										: (int)kt_limit_ms(KT_LIM_GUEST_REQUEST);

	struct wire_buf b;

	memset(reply, 0, sizeof(*reply));
	/* Encoded here, then handed to the channel: no hook called back. */
	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REQ, 0);
	wire_put_str(&b, "op", op);
	fill(&b, (void *)req);
	e = agentlink_request_frame(l, op, &b, timeout, cancel, &m);
	wire_buf_free(&b);
	if (e)
		return e;
	e = take_reply(m, reply);
	if (e)
		kt_greply_clear(reply);
	return e ? kterr_wrap(e, "%s: reply", op) : NULL;
}

/* ---- batches (guest/wire.h) ---- */

struct batch_fill {
	const struct kt_greq *reqs;
	size_t n;			/* requests to put, from reqs[0] */
	size_t put;			/* how many went in the frame */
};

/* As many of the requests as fit the batch bounds (f->n at most), each
 * encoded by fill() as it would go alone, numbered from 0. Also the dry
 * run that counts them, on a frame of its own. */
static void fill_batch(struct wire_buf *b, void *ctx)
{
	struct batch_fill *f = ctx;
	struct wire_buf item;

	wire_put_str(b, "of", kt_op_name(f->reqs[0].op));
	wire_buf_init(&item);
	for (f->put = 0; f->put < f->n && f->put < WIRE_BATCH_MAX_ITEMS; f->put++) {
		wire_begin(&item, WIRE_OP_REQ, 0);
		fill(&item, (void *)&f->reqs[f->put]);
		if (item.failed ||
		    b->len + (item.len - WIRE_HDR_SIZE) + 16 * item.nfields > WIRE_BATCH_MAX_BODY ||
		    b->nfields + item.nfields + 1 > WIRE_BATCH_MAX_FIELDS ||
		    !wire_put_item(b, (unsigned)f->put, &item))
			break;
	}
	wire_buf_free(&item);
	wire_put_u64(b, "n", f->put);
}

static size_t batch_fits(const struct kt_greq *reqs, size_t n)
{
	struct batch_fill f = { .reqs = reqs, .n = n };
	struct wire_buf b;
	bool failed;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REQ, 0);
	wire_put_str(&b, "op", "batch");
	fill_batch(&b, &f);
	failed = b.failed;
	wire_buf_free(&b);
	return failed ? 0 : f.put;
}

/* The items' replies into replies[]; *done from the reply's "done". */
static struct kterr *take_items(const struct wire_msg *m, struct wire_msg *view, size_t max,
				struct kt_greply *replies, size_t *done)
{
	size_t cursor = 0, first, count;
	unsigned index = 0;
	uint64_t d = 0;
	int r;

	if (!wire_get_u64(m, "done", &d) || d > max)
		return kterr_new(EPROTO, "batch reply: done=%s of %zu", wire_get(m, "done") ?
				 wire_get(m, "done") : "(missing)", max);
	*done = (size_t)d;
	while ((r = wire_next_item(m, &cursor, &index, &first, &count)) == 1) {
		struct kterr *e;

		if (index >= max || index > d)
			return kterr_new(EPROTO, "batch reply: item %u past done=%zu", index, *done);
		wire_item_msg(m, first, count, view);
		if ((e = take_reply(view, &replies[index])))
			return kterr_wrap(e, "batch reply: item %u", index);
	}
	return r < 0 ? kterr_new(EPROTO, "batch reply: malformed item fields") : NULL;
}

static struct kterr *batch(void *ctx, const struct kt_greq *reqs, size_t n,
			   struct kt_greply *replies, size_t *done, const atomic_bool *cancel)
{
	struct agentlink *l = ((struct guestlink *)ctx)->l;
	struct wire_msg *view = malloc(sizeof(*view));
	struct kterr *e = NULL;

	*done = 0;
	memset(replies, 0, n * sizeof(*replies));
	if (!view)
		return kterr_new(ENOMEM, "batch of %zu %s", n, kt_op_name(reqs[0].op));
	while (!e && *done < n) {
		struct batch_fill f = { .reqs = reqs + *done, .n = batch_fits(reqs + *done, n - *done) };
		const struct wire_msg *m;
		size_t k = 0;
		struct kterr *te;

		/* One that cannot go in a batch goes alone, for its own
		 * error (a request too large) or its success. */
		if (!f.n) {
			e = request(ctx, &reqs[*done], &replies[*done], cancel);
			*done += !e;
			continue;
		}
		e = agentlink_request(l, "batch", fill_batch, &f, (int)kt_limit_ms(KT_LIM_GUEST_REQUEST),
				      cancel, &m);
		/* The link broke, or the guest refused the batch itself:
		 * the error says why. */
		if (!m || (e && !wire_get(m, "done")))
			break;
		te = take_items(m, view, f.put, replies + *done, &k);
		*done += k;
		if (te) {
			kterr_free(e);
			e = te;
		} else if (!e && !k) {
			e = kterr_new(EPROTO, "batch of %zu %s: the guest did none", f.put,
				      kt_op_name(reqs[0].op));
		}
	}
	free(view);
	return e;
}

/* Drain the channel through the executor's holds; hand over a newer
 * state. Rounded up to whole ms, the channel's granularity. The state is
 * handed over, not copied: swapped with the empty one the executor gives,
 * so the link keeps nothing the executor has (it only ever hands the
 * newest on; its count says whether one is newer). */
static struct kterr *link_poll(void *ctx, uint64_t timeout_ns, uint64_t *gen,
			       struct kt_gstate *state)
{
	struct agentlink *l = ((struct guestlink *)ctx)->l;
	uint64_t ms = (timeout_ns + 999999) / 1000000;
	struct kterr *e = agentlink_pump(l, ms > INT_MAX ? INT_MAX : (int)ms);

	if (l->nstates != *gen && l->state.valid) {
		struct kt_gstate empty = *state;

		*state = l->state;
		l->state = empty;
		*gen = l->nstates;
	}
	return e;
}

/* A sched-exit EVENT: the kernel's words and the scheduler's, as fields. */
static void sched_exit(const struct wire_msg *m, struct kt_guest_event *ev)
{
	uint64_t ejected = 0;
	int64_t st = 0;

	ev->kind = KT_GEV_SCHED_EXIT;
	wire_get_u64(m, "ejected", &ejected);
	wire_get_u64(m, "kind_value", &ev->sched.kind_value);
	wire_get_i64(m, "status", &st);
	ev->status = (int)st;
	ev->ejected = ev->sched.ejected = ejected != 0;
	ev->sched.status = ev->status;
	ev->sched.kind = wire_get(m, "kind");
	ev->sched.why = wire_get(m, "why");
	ev->sched.detail = wire_get(m, "detail");
	ev->sched.kmsg = wire_get(m, "reason");
	ev->sched.output = wire_get(m, "output");
}

/* A payload-exit EVENT: a payload exited before anyone waited for it. */
static void payload_exit(const struct wire_msg *m, struct kt_guest_event *ev)
{
	int64_t st = 0;

	ev->kind = KT_GEV_PAYLOAD_EXIT;
	wire_get_u64(m, "handle", &ev->handle);
	wire_get_i64(m, "exit_status", &st);
	ev->status = (int)st;
}

static const struct {
	const char *event;
	void (*take)(const struct wire_msg *m, struct kt_guest_event *ev);
} event_kinds[] = {
	{ "sched-exit", sched_exit },
	{ "payload-exit", payload_exit },
};

bool guestlink_event(const struct wire_msg *m, struct kt_guest_event *ev)
{
	const char *kind = wire_get(m, "event");

	memset(ev, 0, sizeof(*ev));
	ev->name = wire_get(m, "name");
	for (size_t i = 0; kind && i < ARRAY_SIZE(event_kinds); i++)
		if (!strcmp(kind, event_kinds[i].event)) {
			event_kinds[i].take(m, ev);
			return true;
		}
	/* an agent newer than this host: not ours to guess */
	return false;
}

static const char *gone(void *ctx)
{
	return ((struct guestlink *)ctx)->l->gone;
}

static struct kt_guest_event *next_event(void *ctx)
{
	struct guestlink *g = ctx;

	if (g->check)
		g->check(g->check_ctx);
	return evqueue_pop(g->q);
}

static const struct kt_link_ops ops = {
	.request = request, .batch = batch, .poll = link_poll, .gone = gone,
	.next_event = next_event,
};

struct kt_link guestlink_link(struct guestlink *g)
{
	return (struct kt_link){ .ops = &ops, .ctx = g };
}

/* The agent's EVENT frames (while the link is pumped). */
static void on_event(const struct wire_msg *m, void *ctx)
{
	struct guestlink *g = ctx;
	struct kt_guest_event ev;

	if (guestlink_event(m, &ev))
		evqueue_push(g->q, &ev);
}

void guestlink_attach(struct guestlink *g, struct agentlink *l)
{
	g->l = l;
	l->on_event = on_event;
	l->event_ctx = g;
}

void guestlink_log(const char *line, void *ctx)
{
	struct guestlink *g = ctx;

	evqueue_push(g->q, &(struct kt_guest_event){ .kind = KT_GEV_LOG, .text = line });
}
