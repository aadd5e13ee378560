/*
 * state-print.h - the guest's state (engine/gstate.h) as readable lines,
 * for `ktcon boot --state` and anything else that prints rather than
 * draws. One line per cgroup, one for sched_ext, one for the per-CPU IRQ
 * totals, then the IRQ rows that counted anything:
 *
 *   state: gen 4, guest uptime 2.41s, 0 rounds skipped
 *   cgroup x: cpus=0-1 populated=0 frozen=0 procs=0 cpu.weight=100 cpu.max="max 100000"
 *   sched_ext: state=disabled enable_seq=0 nr_rejected=0 switch_all=0 hotplug_seq=0
 *   irqs per cpu: cpu0=1520 cpu1=1388
 *   irq LOC: 1480 1370 (Local timer interrupts)
 */
#ifndef KTCON_TUI_STATE_PRINT_H
#define KTCON_TUI_STATE_PRINT_H

#include <stdio.h>

#include "engine/gstate.h"

void state_print(FILE *f, const struct kt_gstate *s);

#endif
