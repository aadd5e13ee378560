/* ops-sched.c - scheduler lifecycle, BPF map pinning, IRQ steering. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "engine/op-exec.h"
#include "engine/op.h"
#include "lib/util.h"

/* BPF_OBJ_NAME_LEN is 16 with the NUL: the kernel keeps 15 characters. */
#define BPF_MAP_NAME_MAX 15

static struct kterr *validate_staged_sched(const struct kt_stmt *st, const struct kt_recipe *r)
{
	const char *name = kt_stmt_posval(st, 0);
	struct kterr *e = kt_need_nonempty(st, 0, "scheduler name");

	if (e || !r || kt_header_staged(r, &kt_dir_stage_scheduler, name) ||
	    kt_kernel_scheduler(name))
		return e;
	return kterr_hint(kterr_new(0, "%s %s: no stage-scheduler %s in the header, and not one "
				    "of the kernel's schedulers", st->form->name, name, name),
			  "add `stage-scheduler %s /path/to/%s` to the header, or use one the "
			  "kernel built (`ktcon help %s` lists them)", name, name, st->form->name);
}

static struct kterr *need_attached(struct kt_exec *x, const struct kt_stmt *st,
				   const char *instead)
{
	if (kt_exec_state(x)->sched_attached)
		return NULL;
	return kterr_hint(kterr_new(0, "%s: no scheduler is attached", st->form->name), "%s",
			  instead);
}

static struct kterr *sched_request(struct kt_exec *x, const struct kt_stmt *st, const char *name)
{
	const struct kt_stmt *staged = name ? kt_header_staged(kt_exec_recipe(x),
								&kt_dir_stage_scheduler, name) : NULL;
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = st->form->op, .name = name,
			       .path = staged ? kt_stmt_posval(staged, 1) : NULL,
			       .args = name && kt_exec_sched_args(x) ? kt_exec_sched_args(x)
				       : staged ? kt_stmt_get(staged, "args") : NULL };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);

	/* Each phase's scheduler in the results, and a replace's window. */
	if (!e && st->form->op == KT_OP_REPLACE_SCHEDULER)
		kt_exec_captured(x, "{\"scheduler\": \"%s\", \"ops\": \"%s\", \"replaced\": "
				 "\"%s\", \"window_ns\": %llu}", name, reply.sched.ops,
				 reply.sched.replaced, (unsigned long long)reply.sched.window_ns);
	else if (!e && (name || st->form->op == KT_OP_RESTART_SCHEDULER))
		kt_exec_captured(x, "{\"scheduler\": \"%s\", \"ops\": \"%s\"}",
				 name ? name : kt_exec_header(x)->boot_scheduler, reply.sched.ops);
	else if (!e)
		kt_exec_captured(x, "{\"scheduler\": null, \"state\": \"%s\"}",
				 reply.sched.enabled ? "enabled" : "disabled");
	kt_greply_clear(&reply);
	return e;
}

static void set_attached(struct kt_exec *x, const char *name)
{
	struct kt_scenario *s = kt_exec_state(x);

	free(s->sched_name);
	s->sched_name = name ? strdup(name) : NULL;
	s->sched_attached = name != NULL;
}

/* No engine-side guard when one is attached: the kernel refuses a second
 * sched_ext scheduler (-EBUSY), and the guest reports that. */
static struct kterr *exec_attach(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kterr *e = sched_request(x, st, kt_stmt_posval(st, 0));

	if (!e)
		set_attached(x, kt_stmt_posval(st, 0));
	return e;
}

/* Not idempotent: detaching nothing is an error, as in the seed. */
static struct kterr *exec_detach(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kterr *e = need_attached(x, st, "detach is not idempotent: attach-scheduler NAME "
					"first, or drop this line");

	if (!e)
		e = sched_request(x, st, NULL);
	if (!e)
		set_attached(x, NULL);
	return e;
}

/* Restart always respawns the BOOT scheduler (doc/seed-rules.md). */
static struct kterr *exec_restart(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *boot = kt_exec_header(x)->boot_scheduler;
	struct kterr *e = need_attached(x, st, "attach-scheduler NAME first");

	if (!e && !boot)
		e = kterr_hint(kterr_new(0, "restart-scheduler: it respawns the boot scheduler, and "
					 "the header has no `scheduler` line"),
			       "add `scheduler NAME` to the header, or use replace-scheduler NAME");
	if (!e)
		e = sched_request(x, st, NULL);
	if (!e)
		set_attached(x, boot);
	return e;
}

static struct kterr *exec_replace(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kterr *e = need_attached(x, st, "there is nothing to replace: use "
					"attach-scheduler NAME for the first attach");

	if (!e)
		e = sched_request(x, st, kt_stmt_posval(st, 0));
	if (!e)
		set_attached(x, kt_stmt_posval(st, 0));
	return e;
}

const struct kt_form kt_op_attach_scheduler = {
	.name = "attach-scheduler", .kind = KT_STMT_OP, .op = KT_OP_ATTACH_SCHEDULER,
	.side = KT_SIDE_GUEST,
	.help = "Start a staged scheduler (stage-scheduler) and wait for it to attach. With one "
		"already attached the kernel refuses it: use replace-scheduler.",
	.flags = KT_FORM_SCHEDULER,
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = validate_staged_sched,
	.exec = exec_attach,
};

const struct kt_form kt_op_detach_scheduler = {
	.name = "detach-scheduler", .kind = KT_STMT_OP, .op = KT_OP_DETACH_SCHEDULER,
	.side = KT_SIDE_GUEST,
	.help = "Detach the running scheduler (sysrq S, SIGTERM, wait for SCX_DISABLED). Not "
		"idempotent: with none attached it fails.",
	.exec = exec_detach,
};

const struct kt_form kt_op_restart_scheduler = {
	.name = "restart-scheduler", .kind = KT_STMT_OP, .op = KT_OP_RESTART_SCHEDULER,
	.side = KT_SIDE_GUEST,
	.help = "Kill the running scheduler and respawn the BOOT scheduler (the header's "
		"`scheduler`), whichever was attached last. Fails with none attached.",
	.exec = exec_restart,
};

const struct kt_form kt_op_replace_scheduler = {
	.name = "replace-scheduler", .kind = KT_STMT_OP, .op = KT_OP_REPLACE_SCHEDULER,
	.side = KT_SIDE_GUEST,
	.help = "Detach the running scheduler and attach a staged one in a single op. Fails with "
		"none attached.",
	.flags = KT_FORM_SCHEDULER,
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = validate_staged_sched,
	.exec = exec_replace,
};

/* ---- pin-bpf-map ---- */

static struct kterr *validate_pin(const struct kt_stmt *st, const struct kt_recipe *r)
{
	const char *name = kt_stmt_posval(st, 0);
	struct kterr *e = kt_need_nonempty(st, 0, "map name");

	if (!e && strlen(name) > BPF_MAP_NAME_MAX)
		e = kterr_hint(kterr_new(0, "pin-bpf-map %s: BPF map names have at most %d "
					 "characters, so no map has this name", name, BPF_MAP_NAME_MAX),
			       "write the kernel-visible, truncated name (bpftool map list shows it): "
			       "%.*s", BPF_MAP_NAME_MAX, name);
	return e;
}

static struct kterr *exec_pin_named(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_PIN_BPF_MAP,
			       .name = kt_stmt_posval(st, 0) };
	struct kt_greply reply;
	struct kterr *e;

	for (size_t i = 0; i < kt_exec_state(x)->npinned; i++)
		if (!strcmp(kt_exec_state(x)->pinned[i], req.name))
			return NULL;
	e = kt_exec_guest(x, &req, &reply);
	kt_greply_clear(&reply);
	if (!e)
		kt_scn_pin(kt_exec_state(x), req.name);
	return e;
}

const struct kt_form kt_op_pin_bpf_map = {
	.name = "pin-bpf-map", .kind = KT_STMT_OP, .op = KT_OP_PIN_BPF_MAP, .side = KT_SIDE_GUEST,
	.help = "Hold a BPF map (by its kernel-visible name, at most 15 characters) open until the "
		"scenario ends, so it outlives its scheduler. Pinning a name twice is a no-op.",
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = validate_pin,
	.exec = exec_pin_named,
};

/* ---- steer-irq ---- */

static struct kterr *validate_steer(const struct kt_stmt *st, const struct kt_recipe *r)
{
	const char *cpu = kt_stmt_posval(st, 1);
	uint64_t u;

	return cpu && kt_parse_u64(cpu, &u) ? kt_need_cpu_fits(st, (unsigned)u, r) : NULL;
}

static struct kterr *exec_steer(struct kt_exec *x, const struct kt_stmt *st)
{
	unsigned ncpus = kt_topology_cpus(&kt_exec_header(x)->topo);
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_STEER_IRQ };
	struct kt_greply reply;
	struct kterr *e;

	req.irq = (unsigned)kt_checked_u64(kt_stmt_posval(st, 0));
	req.cpu = (unsigned)kt_checked_u64(kt_stmt_posval(st, 1));
	/* Name the CPU rather than let the kernel answer a bare EINVAL. */
	if (req.cpu >= ncpus)
		return kterr_hint(kterr_new(EINVAL, "steer-irq %u %u: CPU %u is not online (the guest "
					    "has %u CPUs)", req.irq, req.cpu, req.cpu, ncpus),
				  "pick a CPU 0..%u", ncpus - 1);
	e = kt_exec_guest(x, &req, &reply);
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_op_steer_irq = {
	.name = "steer-irq", .kind = KT_STMT_OP, .op = KT_OP_STEER_IRQ, .side = KT_SIDE_GUEST,
	.help = "Route a hardware IRQ to one CPU by writing /proc/irq/IRQ/smp_affinity_list in the "
		"guest (the full set-affinity path, not a memory poke). The CPU must be online.",
	.args = { { "IRQ", KT_T_UINT, 0, &kt_range_irq }, { NULL, KT_T_CPU, 0 } },
	.validate = validate_steer,
	.exec = exec_steer,
};
