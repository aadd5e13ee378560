/*
 * watches.h - the scenario's watch-snapshot watches: who owns each, and
 * how their fires are told without burying everything else.
 *
 * Lifetime (the seed's ownership): a watch armed in a step is disarmed at
 * that step's teardown; one armed in the backdrop lives for the scenario
 * and goes at the backdrop's teardown. The console can drop one sooner
 * (`unwatch SYMBOL`). The cap stays the seed's: 3 watch ops per scenario,
 * disarmed ones included (the slot is not reused).
 *
 * Reporting: the first fire after arming is told as it comes; later fires
 * are counted and told at most once a second, as one line with the count
 * and the latest fire ("watch jiffies_64: 212 fires in the last 1.0 s (4
 * captured), latest fire 9 on vCPU 1 ..."); what is left untold when the
 * watch ends is told then, with the totals. The totals (fires, captures)
 * are exact; only the lines are rate-limited. Pure: the executor gives the
 * clock and prints the lines.
 */
#ifndef KTCON_ENGINE_WATCHES_H
#define KTCON_ENGINE_WATCHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/scenario.h"

/* At most one summary line per watch per this many ns. */
#define KT_WATCH_REPORT_NS 1000000000ull

/* A fire at now_ns (text: the host's description; captured: it took a
 * snapshot). True when a line is due now; it is written to line. */
bool kt_watch_fire(struct kt_watch *w, uint64_t now_ns, const char *text, bool captured,
		   char *line, size_t size);

/* Fires counted but not told, once the report interval has passed since
 * the last line (force: at once). True when a line was written. */
bool kt_watch_due(struct kt_watch *w, uint64_t now_ns, bool force, char *line, size_t size);

/* The armed watch on symbol, or NULL. */
struct kt_watch *kt_watch_armed(struct kt_scenario *s, const char *symbol);
/* The watch a fire on symbol belongs to: the armed one, or else the last
 * armed under that name (a fire queued before its disarm), or NULL. */
struct kt_watch *kt_watch_of(struct kt_scenario *s, const char *symbol);

#endif
