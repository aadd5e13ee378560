/*
 * op.h - the 28 op kinds and the op table.
 *
 * The kinds are the op contract's 28 (doc/seed-rules.md, ktcon-recipe(5)),
 * in its order. The table maps each kind
 * to its form (form.h): kebab-case name, argument schema, side, validator
 * and executor. The entries live with their domain (ops-cgroup.c,
 * ops-workers.c, ops-payload.c, ops-kernel.c, ops-sched.c); op-table.c only
 * lists them.
 */
#ifndef KTCON_OP_H
#define KTCON_OP_H

#include "engine/form.h"

enum kt_op_kind {
	KT_OP_ADD_CGROUP,
	KT_OP_ADD_CGROUP_DEF,
	KT_OP_REMOVE_CGROUP,
	KT_OP_SET_CPUSET,
	KT_OP_CLEAR_CPUSET,
	KT_OP_SWAP_CPUSETS,
	KT_OP_SPAWN,
	KT_OP_STOP_CGROUP,
	KT_OP_SET_AFFINITY,
	KT_OP_MOVE_ALL_TASKS,
	KT_OP_RUN_PAYLOAD,
	KT_OP_WAIT_PAYLOAD,
	KT_OP_KILL_PAYLOAD,
	KT_OP_FREEZE_CGROUP,
	KT_OP_UNFREEZE_CGROUP,
	KT_OP_CAPTURE_SNAPSHOT,
	KT_OP_WATCH_SNAPSHOT,
	KT_OP_WRITE_KERNEL_HOT,
	KT_OP_WRITE_KERNEL_COLD,
	KT_OP_READ_KERNEL_HOT,
	KT_OP_READ_KERNEL_COLD,
	KT_OP_ATTACH_SCHEDULER,
	KT_OP_DETACH_SCHEDULER,
	KT_OP_RESTART_SCHEDULER,
	KT_OP_REPLACE_SCHEDULER,
	KT_OP_PIN_BPF_MAP,
	KT_OP_CAPTURE_CGROUP_PROCS,
	KT_OP_STEER_IRQ,
	KT_OP__COUNT,
};

/* Indexed by kind; NULL-terminated after the last kind so it can be
 * searched like the other form tables. */
extern const struct kt_form *const kt_op_table[KT_OP__COUNT + 1];

const struct kt_form *kt_op_find(const char *name);
const char *kt_op_name(enum kt_op_kind kind);

/* The entries, one per kind, defined in the ops-*.c files. */
extern const struct kt_form kt_op_add_cgroup, kt_op_add_cgroup_def, kt_op_remove_cgroup,
	kt_op_set_cpuset, kt_op_clear_cpuset, kt_op_swap_cpusets, kt_op_freeze_cgroup,
	kt_op_unfreeze_cgroup, kt_op_capture_cgroup_procs;
extern const struct kt_form kt_op_spawn, kt_op_stop_cgroup, kt_op_set_affinity,
	kt_op_move_all_tasks;
extern const struct kt_form kt_op_run_payload, kt_op_wait_payload, kt_op_kill_payload;
extern const struct kt_form kt_op_capture_snapshot, kt_op_watch_snapshot,
	kt_op_write_kernel_hot, kt_op_write_kernel_cold, kt_op_read_kernel_hot,
	kt_op_read_kernel_cold;
extern const struct kt_form kt_op_attach_scheduler, kt_op_detach_scheduler,
	kt_op_restart_scheduler, kt_op_replace_scheduler, kt_op_pin_bpf_map,
	kt_op_steer_irq;

#endif
