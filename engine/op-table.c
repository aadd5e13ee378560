/* op-table.c - the op table: one line per kind; see op.h. */
#include "engine/op.h"

#include <string.h>

const struct kt_form *const kt_op_table[KT_OP__COUNT + 1] = {
	[KT_OP_ADD_CGROUP] = &kt_op_add_cgroup,
	[KT_OP_ADD_CGROUP_DEF] = &kt_op_add_cgroup_def,
	[KT_OP_REMOVE_CGROUP] = &kt_op_remove_cgroup,
	[KT_OP_SET_CPUSET] = &kt_op_set_cpuset,
	[KT_OP_CLEAR_CPUSET] = &kt_op_clear_cpuset,
	[KT_OP_SWAP_CPUSETS] = &kt_op_swap_cpusets,
	[KT_OP_SPAWN] = &kt_op_spawn,
	[KT_OP_STOP_CGROUP] = &kt_op_stop_cgroup,
	[KT_OP_SET_AFFINITY] = &kt_op_set_affinity,
	[KT_OP_MOVE_ALL_TASKS] = &kt_op_move_all_tasks,
	[KT_OP_RUN_PAYLOAD] = &kt_op_run_payload,
	[KT_OP_WAIT_PAYLOAD] = &kt_op_wait_payload,
	[KT_OP_KILL_PAYLOAD] = &kt_op_kill_payload,
	[KT_OP_FREEZE_CGROUP] = &kt_op_freeze_cgroup,
	[KT_OP_UNFREEZE_CGROUP] = &kt_op_unfreeze_cgroup,
	[KT_OP_CAPTURE_SNAPSHOT] = &kt_op_capture_snapshot,
	[KT_OP_WATCH_SNAPSHOT] = &kt_op_watch_snapshot,
	[KT_OP_WRITE_KERNEL_HOT] = &kt_op_write_kernel_hot,
	[KT_OP_WRITE_KERNEL_COLD] = &kt_op_write_kernel_cold,
	[KT_OP_READ_KERNEL_HOT] = &kt_op_read_kernel_hot,
	[KT_OP_READ_KERNEL_COLD] = &kt_op_read_kernel_cold,
	[KT_OP_ATTACH_SCHEDULER] = &kt_op_attach_scheduler,
	[KT_OP_DETACH_SCHEDULER] = &kt_op_detach_scheduler,
	[KT_OP_RESTART_SCHEDULER] = &kt_op_restart_scheduler,
	[KT_OP_REPLACE_SCHEDULER] = &kt_op_replace_scheduler,
	[KT_OP_PIN_BPF_MAP] = &kt_op_pin_bpf_map,
	[KT_OP_CAPTURE_CGROUP_PROCS] = &kt_op_capture_cgroup_procs,
	[KT_OP_STEER_IRQ] = &kt_op_steer_irq,
	[KT_OP__COUNT] = NULL,
};

const struct kt_form *kt_op_find(const char *name)
{
	return kt_form_find(kt_op_table, name);
}

const char *kt_op_name(enum kt_op_kind kind)
{
	return (unsigned)kind < KT_OP__COUNT ? kt_op_table[kind]->name : "?";
}
