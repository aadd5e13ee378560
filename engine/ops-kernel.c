/* ops-kernel.c - host-side ops: snapshots, watchpoints, and kernel memory
 * reads and writes. They go to host introspection (host.h), not the guest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ktarget.h"
#include "engine/op-exec.h"
#include "engine/op.h"
#include "lib/kjson.h"

static struct kterr *need_tag(const struct kt_stmt *st, const struct kt_recipe *r)
{
	return kt_need_nonempty(st, 0, "tag");
}

/* A per-CPU target's @CPU exists on the guest of the vm line. */
static struct kterr *need_target_cpu(const struct kt_stmt *st, const char *target,
				     const struct kt_recipe *r)
{
	struct kt_ktarget t;
	struct kterr *e = target ? kt_ktarget_parse(target, &t) : NULL;

	if (e) {	/* the spelling is the parser's to report */
		kterr_free(e);
		return NULL;
	}
	return target && t.cpu >= 0 ? kt_need_cpu_fits(st, (unsigned)t.cpu, r) : NULL;
}

static struct kterr *validate_read(const struct kt_stmt *st, const struct kt_recipe *r)
{
	struct kterr *e = need_tag(st, r);

	return e ? e : need_target_cpu(st, kt_stmt_posval(st, 1), r);
}

/* TARGET WIDTH=VALUE pairs: the targets are the even words. */
static struct kterr *validate_write(const struct kt_stmt *st, const struct kt_recipe *r)
{
	struct kterr *e = NULL;

	for (size_t i = 0; !e && i < st->nargs; i += 2)
		if (!st->args[i].key)
			e = need_target_cpu(st, st->args[i].val, r);
	return e;
}

static struct kterr *no_host(const char *op)
{
	return kterr_hint(kterr_new(ENOTCONN, "%s: no host introspection", op),
			  "kernel memory ops need a booted guest (`ktcon run` or the console)");
}

/* ---- capture-snapshot ---- */

static struct kterr *exec_capture_snapshot(struct kt_exec *x, const struct kt_stmt *st)
{
	const struct kt_host *h = kt_exec_host(x);
	const char *tag = kt_stmt_posval(st, 0);
	struct kt_capture *c;
	uint64_t snap;
	struct json_object *tree;
	struct kterr *e;

	/* The seed: with no snapshot bridge, warn and continue, so recipes
	 * that snapshot still run where nothing can take one. */
	if (!h->ops || !h->ops->snapshot_capture) {
		kt_exec_warn(x, "capture-snapshot %s: no snapshot backend; nothing captured", tag);
		return NULL;
	}
	e = h->ops->snapshot_capture(h->ctx, tag, &snap);
	if (e)
		return e;
	c = kt_scn_add_capture(kt_exec_state(x), tag, KT_CAP_SNAPSHOT);
	if (c) {
		c->snap = snap;
		c->retake = true;
	}
	/* Text here: the results leave the process. */
	tree = h->ops->snapshot_tree ? h->ops->snapshot_tree(h->ctx, snap) : NULL;
	if (tree)
		kt_exec_captured(x, "%s", kjson_text(tree));
	else
		kt_exec_captured(x, "{\"snapshot\": %llu}", (unsigned long long)snap);
	json_object_put(tree);
	return NULL;
}

const struct kt_form kt_op_capture_snapshot = {
	.name = "capture-snapshot", .kind = KT_STMT_OP, .op = KT_OP_CAPTURE_SNAPSHOT,
	.side = KT_SIDE_HOST,
	.help = "Freeze every vCPU, capture BPF maps, registers and per-CPU counters under TAG, "
		"resume. One capture in flight at a time. With no snapshot backend: a warning.",
	.args = { { NULL, KT_T_TAG, 0 } },
	.validate = need_tag,
	.exec = exec_capture_snapshot,
};

/* ---- watch-snapshot ---- */

static struct kterr *exec_watch(struct kt_exec *x, const struct kt_stmt *st)
{
	const struct kt_host *h = kt_exec_host(x);
	struct kt_scenario *s = kt_exec_state(x);
	const char *sym = kt_stmt_posval(st, 0);
	unsigned slot;
	struct kterr *e = kt_scn_add_watch(s, sym, &slot);

	if (e)
		return e;
	if (!h->ops || !h->ops->watch_arm)
		e = no_host("watch-snapshot");
	else
		e = h->ops->watch_arm(h->ctx, sym, slot);
	if (e) {
		/* The slot was not armed: give it back. */
		kt_scn_drop_last_watch(s);
	}
	return e;
}

const struct kt_form kt_op_watch_snapshot = {
	.name = "watch-snapshot", .kind = KT_STMT_OP, .op = KT_OP_WATCH_SNAPSHOT,
	.side = KT_SIDE_HOST,
	.help = "Capture a snapshot, tagged with the symbol, whenever the guest writes SYMBOL (a "
		"verbatim vmlinux symbol, 4-byte aligned). At most 3 per scenario. A watch armed in "
		"a step is disarmed at the step's teardown; one armed in the backdrop lasts the "
		"scenario. The host captures at most 4 fires a second and counts the rest; fires "
		"are reported at most once a second, counted, with the latest.",
	.args = { { NULL, KT_T_SYMBOL, 0 } },
	.exec = exec_watch,
};

/* ---- writes ---- */

static size_t parse_writes(const struct kt_stmt *st, struct kt_kwrite *w, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i + 1 < st->nargs && n < max; i += 2) {
		struct kt_kwidth width;

		/* Checked by the parser (form.c); a failure here is a bug. */
		if (kt_ktarget_parse(st->args[i].val, &w[n].target) ||
		    kt_kwidth_parse(st->args[i + 1].key, &width) ||
		    kt_kvalue_parse(st->args[i + 1].val, width, &w[n].value))
			continue;
		n++;
	}
	return n;
}

#define MAX_WRITES 256

static struct kterr *exec_write(struct kt_exec *x, const struct kt_stmt *st)
{
	const struct kt_host *h = kt_exec_host(x);
	bool cold = st->form->op == KT_OP_WRITE_KERNEL_COLD;
	struct kt_kwrite *w = calloc(MAX_WRITES, sizeof(*w));
	const struct kt_stmt *const *batch;
	size_t nb, n = 0;
	struct kterr *e;

	if (!w)
		return kterr_new(ENOMEM, "%s", st->form->name);
	/* Merged cold writes arrive as a batch: all pairs, one call, one
	 * freeze window. */
	batch = kt_exec_batch(x, &nb);
	if (!nb) {
		batch = &st;
		nb = 1;
	}
	for (size_t i = 0; i < nb; i++)
		n += parse_writes(batch[i], w + n, MAX_WRITES - n);
	if (!h->ops || !h->ops->kernel_write)
		e = no_host(st->form->name);
	else
		e = h->ops->kernel_write(h->ctx, cold, w, n);
	if (!e && nb > 1)
		kt_exec_captured(x, "{\"merged_ops\": %zu, \"writes\": %zu}", nb, n);
	free(w);
	return e;
}

const struct kt_form kt_op_write_kernel_hot = {
	.name = "write-kernel-hot", .kind = KT_STMT_OP, .op = KT_OP_WRITE_KERNEL_HOT,
	.side = KT_SIDE_HOST,
	.usage = "write-kernel-hot TARGET WIDTH=VALUE [TARGET WIDTH=VALUE ...]",
	.help = "Write kernel memory while the vCPUs run, in order, with a release fence after the "
		"last; guest readers may race. TARGET: SYMBOL[@CPU][+OFFSET] or 0xADDR; WIDTH: u8 "
		"u16 u32 u64 bytes:N.",
	.flags = KT_FORM_PAIRS,
	.validate = validate_write,
	.exec = exec_write,
};

const struct kt_form kt_op_write_kernel_cold = {
	.name = "write-kernel-cold", .kind = KT_STMT_OP, .op = KT_OP_WRITE_KERNEL_COLD,
	.side = KT_SIDE_HOST,
	.usage = "write-kernel-cold TARGET WIDTH=VALUE [TARGET WIDTH=VALUE ...]",
	.help = "Write kernel memory with every vCPU parked: all pairs land in one freeze window. "
		"Adjacent write-kernel-cold lines are merged into one window too.",
	.flags = KT_FORM_PAIRS | KT_FORM_MERGE_ADJACENT,
	.validate = validate_write,
	.exec = exec_write,
};

/* ---- reads ---- */

static struct kterr *exec_read(struct kt_exec *x, const struct kt_stmt *st)
{
	const struct kt_host *h = kt_exec_host(x);
	struct kt_ktarget t;
	struct kt_kwidth w;
	struct kt_kvalue v;
	struct kt_capture *c;
	struct kterr *e;
	char buf[2 * KT_BYTES_MAX + 8];

	if ((e = kt_ktarget_parse(kt_stmt_posval(st, 1), &t)) ||
	    (e = kt_kwidth_parse(kt_stmt_posval(st, 2), &w)))
		return e;
	if (!h->ops || !h->ops->kernel_read)
		return no_host(st->form->name);
	memset(&v, 0, sizeof(v));
	e = h->ops->kernel_read(h->ctx, st->form->op == KT_OP_READ_KERNEL_COLD, &t, w, &v);
	if (e)
		return e;
	v.width = w;
	c = kt_scn_add_capture(kt_exec_state(x), kt_stmt_posval(st, 0), KT_CAP_READ);
	if (c) {
		c->value = v;
		c->target = t;
		c->cold = st->form->op == KT_OP_READ_KERNEL_COLD;
	}
	kt_exec_captured(x, "\"%s\"", kt_kvalue_format(&v, buf, sizeof(buf)));
	return NULL;
}

const struct kt_form kt_op_read_kernel_hot = {
	.name = "read-kernel-hot", .kind = KT_STMT_OP, .op = KT_OP_READ_KERNEL_HOT,
	.side = KT_SIDE_HOST,
	.help = "Read kernel memory while the vCPUs run into TAG (for `expect read`). Pick the "
		"field's own width: a u64 read of a u32 field reads 4 bytes more.",
	.args = { { NULL, KT_T_TAG, 0 }, { NULL, KT_T_TARGET, 0 }, { NULL, KT_T_WIDTH, 0 } },
	.validate = validate_read,
	.exec = exec_read,
};

const struct kt_form kt_op_read_kernel_cold = {
	.name = "read-kernel-cold", .kind = KT_STMT_OP, .op = KT_OP_READ_KERNEL_COLD,
	.side = KT_SIDE_HOST,
	.help = "Read kernel memory with every vCPU parked (its own freeze window; reads are not "
		"merged) into TAG.",
	.args = { { NULL, KT_T_TAG, 0 }, { NULL, KT_T_TARGET, 0 }, { NULL, KT_T_WIDTH, 0 } },
	.validate = validate_read,
	.exec = exec_read,
};
