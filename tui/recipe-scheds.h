/*
 * recipe-scheds.h - whether the kernel a recipe boots can run the
 * schedulers it names.
 *
 * A recipe names schedulers in its `scheduler` line and in
 * attach-scheduler / replace-scheduler ops. Those it stages itself
 * (stage-scheduler) come with it; the others come from the kernel's
 * tools/sched_ext (ksched.h). A name followed by `expect error` is the
 * recipe testing a refusal, which needs no working scheduler.
 */
#ifndef KTCON_TUI_RECIPE_SCHEDS_H
#define KTCON_TUI_RECIPE_SCHEDS_H

#include "engine/recipe.h"
#include "vmm/kernel/ksched.h"

/* Why r cannot pass on kernel k: the first line naming a scheduler k does
 * not ship or one known broken on k's release (malloc'd), or NULL. */
char *recipe_scheds_pending(const struct kt_recipe *r, const struct ksched_kernel *k);

#endif
