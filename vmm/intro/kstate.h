/*
 * kstate.h - the scheduler's kernel state, read from guest memory: per-CPU
 * runqueue fields (struct rq: nr_running, nr_switches, clock, the running
 * task, and sched_ext's scx.nr_running, scx.local_dsq.nr, scx.flags) and
 * the sched_ext globals (state, ops name, nr_rejected, enable_seq,
 * bypass_depth, exit_kind, switching_all, watchdog).
 *
 * Nothing assumes one kernel version: member offsets come from the
 * kernel's BTF, and each global is looked for under the names the kernel
 * releases give it (6.12: scx_ops_enable_state_var, scx_ops,
 * scx_ops_bypass_depth, scx_exit_kind; later: scx_enable_state_var,
 * scx_root->ops, scx_bypass_depth, scx_root->exit_kind). Whatever this
 * kernel does not have is kept as absent with the reason, and said so.
 *
 * A plan (kstate_plan_new) resolves symbols and offsets once; kstate_read
 * then only reads memory, so it fits in a freeze window, and a sampler can
 * call it with the guest running (values may then be mutually
 * inconsistent).
 */
#ifndef KTCON_VMM_KSTATE_H
#define KTCON_VMM_KSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "vmm/intro/kmem.h"

struct btf;

#define KSTATE_MAX_CPUS 64
#define KSTATE_TEXT_MAX 128

enum kstate_rq_field {
	KRQ_NR_RUNNING,
	KRQ_NR_SWITCHES,
	KRQ_CLOCK,
	KRQ_SCX_NR_RUNNING,
	KRQ_SCX_LOCAL_DSQ_NR,
	KRQ_SCX_FLAGS,
	KRQ_CURR_PID,		/* rq->curr->pid */
	KRQ_N
};

enum kstate_scx_field {
	KSCX_STATE,
	KSCX_OPS,		/* text: the scheduler's name */
	KSCX_NR_REJECTED,
	KSCX_ENABLE_SEQ,
	KSCX_BYPASS_DEPTH,
	KSCX_EXIT_KIND,
	KSCX_SWITCHING_ALL,
	KSCX_WATCHDOG_TIMEOUT,
	KSCX_N
};

struct kstate_val {
	bool present;		/* false: absent in this kernel, or unreadable */
	uint64_t v;
	bool is_signed;
	const char *vname;	/* an enum's name for v (owned by the BTF) */
	char text[KSTATE_TEXT_MAX];	/* text fields (ops name, curr comm) */
};

struct kstate_cpu {
	struct kstate_val f[KRQ_N];
	char curr_comm[17];
};

struct kstate {
	unsigned ncpus;
	struct kstate_cpu cpu[KSTATE_MAX_CPUS];
	struct kstate_val scx[KSCX_N];
};

struct kstate_plan;

/* btf: the kernel's (vmlinux). Never fails for absent fields; only for
 * what makes the whole thing impossible (no runqueues). */
struct kterr *kstate_plan_new(const struct ksyms *ks, const struct btf *btf,
			      struct kstate_plan **out);
void kstate_plan_free(struct kstate_plan *p);

/* "scx.state", "cpu.nr_running" (for the per-CPU ones), as snapshots and
 * JSON name them. */
const char *kstate_rq_name(enum kstate_rq_field f);
const char *kstate_scx_name(enum kstate_scx_field f);
/* Why a field is absent in this kernel ("no symbol scx_ops_enable_state_var
 * or scx_enable_state_var"), or NULL when it is there. */
const char *kstate_rq_absent(const struct kstate_plan *p, enum kstate_rq_field f);
const char *kstate_scx_absent(const struct kstate_plan *p, enum kstate_scx_field f);

/* Read everything now, for up to KSTATE_MAX_CPUS possible CPUs. Fields that
 * cannot be read are left not present. */
struct kterr *kstate_read(const struct kstate_plan *p, const struct kmem *km, struct kstate *out);

/* Adds "runqueues": [...] and "sched_ext": {..., "absent": {...},
 * "layout": {...}} to the object snap (a json-c tree). */
struct json_object;
void kstate_to_json(struct json_object *snap, const struct kstate_plan *p, const struct kstate *s);

/* A value by name: "scx.nr_rejected", "cpu1.nr_running", "cpu0.scx.nr_running".
 * Returns false when no such name exists; an absent field sets *why. */
bool kstate_var(const struct kstate_plan *p, const struct kstate *s, const char *name,
		uint64_t *v, const char **why);

#endif
