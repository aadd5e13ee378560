/*
 * header.h - the recipe header (vm, kernel, scheduler, stage-scheduler,
 * stage-payload, duration) and the section forms (backdrop, step).
 *
 * The header is what the engine knows before the guest boots: the guest's
 * topology (for cpuset specs), which names are staged payloads and which
 * are schedulers (run-payload rejects a scheduler), and the duration that
 * fractional holds divide.
 */
#ifndef KTCON_HEADER_H
#define KTCON_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/cpuset.h"
#include "engine/form.h"
#include "engine/recipe.h"

/* Without a `vm` line the guest has this many CPUs (one node, one LLC):
 * what TCG boots quickly. */
#define KT_DEFAULT_CPUS 2
#define KT_DEFAULT_MEMORY_MIB 512

extern const struct kt_form kt_dir_vm, kt_dir_kernel, kt_dir_scheduler,
	kt_dir_stage_scheduler, kt_dir_stage_payload, kt_dir_duration;
extern const struct kt_form kt_sec_backdrop, kt_sec_step;

struct kt_header {
	struct kt_topology topo;
	unsigned memory_mib;
	const char *kernel;		/* "default" or a path */
	const char *boot_scheduler;	/* NULL: none */
	const char *boot_scheduler_args;
	uint64_t duration_ns;		/* 0: none */
};

/* Read the header of a parsed recipe (r may be NULL: defaults). Strings
 * point into r. */
void kt_header_read(const struct kt_recipe *r, struct kt_header *h);

/* The stage-payload or stage-scheduler line (dir) naming name, or NULL. */
/* The sample schedulers built with the kernel (tools/sched_ext), staged in
 * every guest by name: attach-scheduler scx_qmap needs no stage line. */
extern const char *const kt_kernel_schedulers[];
bool kt_kernel_scheduler(const char *name);

const struct kt_stmt *kt_header_staged(const struct kt_recipe *r, const struct kt_form *dir,
				       const char *name);

#endif
