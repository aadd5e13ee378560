/*
 * limits.h - every numeric range the recipe language knows, in one place,
 * each with why it is what it is.
 *
 * `ktcon check` and `ktcon run` refuse a value outside its range at
 * file:line:col (the argument schema of form.h carries a kt_range; the
 * header validator and the ops' validators read the constants); nothing is
 * replaced by a default. The guest agent reads the same constants, so what
 * the checker lets through is what the guest does.
 */
#ifndef KTCON_LIMITS_H
#define KTCON_LIMITS_H

#include <stdint.h>

/* The guest kernel's CONFIG_NR_CPUS (guest/kernel.config): QEMU would
 * start more vCPUs, but the kernel brings up only this many. */
#define KT_GUEST_MAX_CPUS 64

/* Guest RAM in MiB. Below 128 the kernel, the initramfs (agent, staged
 * schedulers and payloads) and the workers do not fit; above 64 GiB the
 * RAM file in /dev/shm that the host maps is more than a test machine
 * has. */
#define KT_GUEST_MIN_MEMORY_MIB 128
#define KT_GUEST_MAX_MEMORY_MIB (64 * 1024)

/* microvm has no ACPI SRAT, so the guest cannot be told about more than
 * one NUMA node. */
#define KT_GUEST_MAX_NUMA 1

/* Workers one spawn (or one cgroup definition) may fork: the agent keeps
 * a report slot per worker and forks them all before opening their gate;
 * thousands of spinning workers on a few TCG vCPUs already make every op
 * time out. */
#define KT_MAX_WORKERS 4096

/* workers-pct=P: P percent of the cgroup's CPUs; ten workers a CPU is the
 * most any overcommit test needs (and stays under KT_MAX_WORKERS). */
#define KT_MAX_WORKERS_PCT 1000

/* Any duration (hold, duration, loop interval): longer than a day is a
 * typo (hold=600m for 600ms) rather than a test, and keeps every sum of
 * holds far from overflowing 64-bit nanoseconds. */
#define KT_MAX_DURATION_NS (24ULL * 3600 * 1000000000ULL)

/* IRQ numbers: x86's NR_IRQS for CONFIG_NR_CPUS=64 is NR_VECTORS (256) +
 * 64 * NR_VECTORS = 16640; /proc/irq/N exists for no N at or above it. */
#define KT_GUEST_NR_IRQS 16640

/* cgroup v2's own ranges (Documentation/admin-guide/cgroup-v2.rst):
 * cpu.weight and io.weight are 1..10000; cpu.max's period is 1ms..1s and
 * its quota at least 1ms (in microseconds); pids.max is at most
 * PID_MAX_LIMIT (4M on 64-bit). */
#define KT_CG_WEIGHT_MIN 1
#define KT_CG_WEIGHT_MAX 10000
#define KT_CG_CPU_PERIOD_MIN_US 1000
#define KT_CG_CPU_PERIOD_MAX_US 1000000
#define KT_CG_CPU_QUOTA_MIN_US 1000
#define KT_CG_PIDS_MAX (4u << 20)

/* Cgroup names: relative to the managed parent /sys/fs/cgroup/ktcon. The
 * state stream carries paths of at most 255 bytes and walks 16 levels
 * (CG_STATE_PATH_MAX, CG_STATE_MAX_DEPTH in guest/state-cgroups.h); a
 * longer or deeper name would be invisible there. */
#define KT_CGROUP_NAME_MAX 255
#define KT_CGROUP_MAX_DEPTH 16

/* A range an argument's number must fall in, and why (for the hint). */
struct kt_range {
	uint64_t min, max;
	const char *why;
};

/* The ranges the argument schemas (form.h) name; argtype.c has them. */
extern const struct kt_range kt_range_vm_cpus, kt_range_vm_memory, kt_range_spawn_workers,
	kt_range_def_workers, kt_range_workers_pct, kt_range_cg_weight, kt_range_pids_max,
	kt_range_irq;

#endif
