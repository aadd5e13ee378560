/*
 * agent-batch.c - `batch of=OP n=N`: N requests of one op in one round
 * trip (the frame layout is guest/wire.h's). Each item runs through OP's
 * own handler, so an item behaves and fails exactly as the op alone would;
 * the batch only saves the round trips and the STATE look after each op
 * (the serve loop looks once, after the batch).
 *
 * Only the ops in the table below batch: those a step's setup and
 * teardown repeat by the thousand. Stops and removals kill first: every
 * item's workers get their SIGKILL before the first item waits, so the
 * exits overlap and the batch waits about once, not once per cgroup.
 */
#include "guest/agent.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* Signal the workers an item of a stop or removal will wait for. */
static void kill_stop(const struct wire_msg *item)
{
	const char *cg = wire_get(item, "cgroup");

	agent_workers_signal(cg ? cg : "", false, wire_field(item, "pids"));
}

static void kill_remove(const struct wire_msg *item)
{
	const char *cg = wire_get(item, "cgroup");

	if (cg && *cg)
		agent_workers_signal(cg, true, NULL);
}

static const struct batchable {
	const char *op;
	void (*first)(const struct wire_msg *item);	/* on every item, before any runs */
} batchable[] = {
	{ "add-cgroup", NULL },
	{ "add-cgroup-def", NULL },
	{ "remove-cgroup", kill_remove },
	{ "stop-cgroup", kill_stop },
};

static const struct batchable *find_batchable(const char *op)
{
	for (size_t i = 0; op && i < ARRAY_SIZE(batchable); i++)
		if (!strcmp(batchable[i].op, op))
			return &batchable[i];
	return NULL;
}

/* Check the whole frame before running anything: a malformed batch is
 * refused whole, never half run. */
static struct kterr *check_items(const struct wire_msg *req, uint64_t n)
{
	size_t cursor = 0, first, count;
	unsigned index = 0;
	int r;

	while ((r = wire_next_item(req, &cursor, &index, &first, &count)) == 1)
		if (index >= n)
			return kterr_new(EPROTO, "batch: item %u of n=%" PRIu64, index, n);
	if (r < 0)
		return kterr_new(EPROTO, "batch: item fields out of order or malformed near field "
				 "%zu (items go 0..n-1, each one's fields together)", cursor);
	return NULL;
}

static struct kterr *op_batch(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	static struct wire_msg *item;	/* a view of one item, reused */
	const char *of = wire_get(req, "of");
	const struct batchable *b = find_batchable(of);
	const struct agent_op *op = b ? agent_find_op(of) : NULL;
	size_t cursor = 0, first, count;
	unsigned index = 0, done = 0;
	bool more;
	uint64_t n = 0, t0 = kt_now_ns();
	struct wire_buf sub;
	struct kterr *e;

	if (!op)
		return kterr_hint(kterr_new(EINVAL, "batch of '%s': not an op that batches",
					    of ? of : "(none)"),
				  "add-cgroup, add-cgroup-def, remove-cgroup and stop-cgroup do");
	if (!wire_get_u64(req, "n", &n) || !n || n > WIRE_BATCH_MAX_ITEMS)
		return kterr_new(EPROTO, "batch: n=%s (1..%u)", wire_get(req, "n") ?
				 wire_get(req, "n") : "(missing)", WIRE_BATCH_MAX_ITEMS);
	if ((e = check_items(req, n)))
		return e;
	if (!item && !(item = malloc(sizeof(*item))))
		return kterr_new(ENOMEM, "batch: an item's view");
	if (b->first)
		while (wire_next_item(req, &cursor, &index, &first, &count) == 1) {
			wire_item_msg(req, first, count, item);
			b->first(item);
		}
	wire_buf_init(&sub);
	cursor = 0;
	index = 0;
	e = NULL;
	/* the next item that has fields: [first, first + count) */
	more = wire_next_item(req, &cursor, &index, &first, &count) == 1;
	for (unsigned k = 0; k < n; k++) {
		/* Room and time are bounded: the host sends the rest again. */
		if (done && (reply->len > WIRE_BATCH_MAX_BODY ||
			     reply->nfields > WIRE_BATCH_MAX_FIELDS ||
			     kt_now_ns() - t0 > WIRE_BATCH_SLICE_MS * 1000000ULL))
			break;
		if (more && index == k) {
			wire_item_msg(req, first, count, item);
			more = wire_next_item(req, &cursor, &index, &first, &count) == 1;
		} else {
			wire_item_msg(req, 0, 0, item);
		}
		wire_begin(&sub, WIRE_OP_REPLY, req->seq);
		e = op->run(a, item, &sub);
		/* An item's results go with it, a failed one's too (a stop's
		 * last reports). */
		wire_put_item(reply, k, &sub);
		if (e) {
			wire_put_u64(reply, "failed", k);
			break;
		}
		done++;
	}
	wire_buf_free(&sub);
	wire_put_u64(reply, "done", done);
	return e;
}

const struct agent_op agent_batch_ops[] = {
	{ "batch", op_batch },
	{ NULL, NULL },
};
