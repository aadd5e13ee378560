/*
 * con-backdrop.h - the backdrop a console session has built, kept to be
 * built again: `restart` boots a fresh guest and re-applies these
 * statements, in the order they were applied, before anything else runs.
 *
 * What is kept is what the recording would replay in the backdrop: every
 * op and cgroup line applied there that succeeded. Left out: expectations
 * (they check, they build nothing), an op that failed (a replay would
 * fail it again), one whose failure an `expect error` wanted, and a
 * watch-snapshot the operator has since dropped with `unwatch` (at any
 * step: a backdrop watch lasts the session otherwise). Statements of a
 * step are never kept: the step's own setup died with the guest.
 *
 * The engine thread owns it (con-engine.c); pure, unit-tested.
 */
#ifndef KTCON_TUI_CON_BACKDROP_H
#define KTCON_TUI_CON_BACKDROP_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "engine/recipe.h"

struct con_backdrop {
	struct kt_stmt *st;
	size_t n, cap;
};

/* st was applied in the backdrop; failed: it failed, or failed as an
 * `expect error` wanted. Kept (a copy) when it builds something. */
struct kterr *con_backdrop_keep(struct con_backdrop *bd, const struct kt_stmt *st, bool failed);
/* `unwatch SYMBOL` disarmed the watch on symbol: a restart does not arm
 * it again. */
void con_backdrop_unwatch(struct con_backdrop *bd, const char *symbol);
void con_backdrop_clear(struct con_backdrop *bd);

#endif
