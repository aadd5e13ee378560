/*
 * sched-exit.h - the kernel's own account of a sched_ext scheduler's exit,
 * read from its sched_ext printk records. Pure: text in, reason out, so
 * tests feed it the records a real guest printed.
 *
 * The agent joins the records of the current scheduler's life with " | "
 * (agent-sched.c kmsg_reason), e.g.
 *
 *   sched_ext: BPF scheduler "qmap" enabled
 *   | sched_ext: BPF scheduler "qmap" disabled (runnable task stall)
 *   | sched_ext: qmap: kt-w:busy[39] failed to run for 5.055s
 *
 * WHY is the text in `disabled (WHY)` (kernel/sched/ext.c
 * scx_exit_reason()), DETAIL the record after it without its
 * "sched_ext: " prefix (scx_exit_info.msg: which task stalled, the
 * scx_bpf_error() text), and the exit kind the WHY stands for.
 */
#ifndef KTCON_GUEST_SCHED_EXIT_H
#define KTCON_GUEST_SCHED_EXIT_H

#include <stdbool.h>

struct sched_exit {
	char why[160];
	char detail[400];
	const char *kind;	/* "SCX_EXIT_ERROR_STALL", NULL when WHY is unknown */
	int kind_value;		/* enum scx_exit_kind (ABI), 0 when unknown */
};

/* False (out empty) when the records hold no "disabled (...)" yet. */
bool sched_exit_parse(const char *records, struct sched_exit *out);

/* WHY is user space letting go (the scheduler's process closed its link,
 * or died): its process's exit is the news, not an ejection. */
bool sched_exit_by_user_space(const struct sched_exit *x);

#endif
