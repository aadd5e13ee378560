/*
 * sched-override.h - run a recipe written for one scheduler under another:
 * `ktcon run --scheduler NAME` and each side of `ktcon compare`.
 *
 * The recipe's scheduler under test is the header's `scheduler` line, or,
 * without one, the first `attach-scheduler`. Every `scheduler`,
 * `attach-scheduler` and `replace-scheduler` naming it is rewritten to
 * name NAME instead; a recipe that replaces its scheduler by a second one
 * keeps the second. The statements are changed in place after parsing, so
 * the results print what actually ran.
 *
 * Arguments (`--scheduler-args`) are not a rewrite: the header's
 * `scheduler args=` goes to the boot (session_opts.boot_scheduler_args)
 * and the executor passes kt_exec_config.sched_args to every attach and
 * replace in place of the staged default.
 */
#ifndef KTCON_ENGINE_SCHED_OVERRIDE_H
#define KTCON_ENGINE_SCHED_OVERRIDE_H

#include "lib/err.h"
#include "engine/recipe.h"

/* The scheduler under test (a string in r), or NULL when r names none. */
const char *kt_recipe_scheduler(const struct kt_recipe *r);

/* Rewrite r's scheduler under test to name. Fails (EINVAL, naming the
 * recipe) when r names no scheduler, or when name is neither staged by a
 * `stage-scheduler` line nor one of the kernel's schedulers. */
struct kterr *kt_recipe_set_scheduler(struct kt_recipe *r, const char *name);

#endif
