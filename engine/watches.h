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
 * clock. A line is a typed report (struct kt_watch_report, the event's
 * .watch); kt_watch_text() makes its text where it is shown, as
 * kt_gev_text() does for a guest event.
 */
#ifndef KTCON_ENGINE_WATCHES_H
#define KTCON_ENGINE_WATCHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/scenario.h"

/* At most one summary line per watch per this many ns. */
#define KT_WATCH_REPORT_NS 1000000000ull

/* What a watch's line tells (KT_EV_WATCH's .watch). */
enum kt_watch_line {
	KT_WL_FIRED,		/* one fire on its own: a watch's first after arming,
				 * or the exit trigger's (no watch of the scenario's) */
	KT_WL_SUMMARY,		/* the fires since the last line */
	KT_WL_DISARMED,		/* the watch ended: its totals */
};

struct kt_watch_report {
	enum kt_watch_line kind;
	const char *symbol;		/* the watch's symbol (FIRED by the trigger: its tag) */
	const struct kt_watch_fire *fire;	/* FIRED: the fire; SUMMARY: the latest */
	bool no_snapshot;		/* FIRED (a watch's): it took no snapshot */
	uint64_t fires, captures;	/* SUMMARY: since the last line; DISARMED: in all */
	uint64_t span_ns;		/* SUMMARY: since the last line */
	const char *why;		/* DISARMED: "unwatch", "its step ended", ... */
};

/* A fire at now_ns (captured: it took a snapshot). True when a line is
 * due now; *r then says what it tells (it points into w and f). */
bool kt_watch_fire(struct kt_watch *w, uint64_t now_ns, const struct kt_watch_fire *f,
		   bool captured, struct kt_watch_report *r);

/* Fires counted but not told, once the report interval has passed since
 * the last line (force: at once). True when a line is due: *r. */
bool kt_watch_due(struct kt_watch *w, uint64_t now_ns, bool force, struct kt_watch_report *r);

/* The watch's totals as its last line (the watch ended, why). */
void kt_watch_disarmed(const struct kt_watch *w, const char *why, struct kt_watch_report *r);

/* The line, as the front ends print it (without their own prefix): "watch
 * on jiffies_64 fired: fire 1 on vCPU 1 ...", "watch jiffies_64: 212 fires
 * in the last 1.0 s (4 captured), latest fire 9 ...", "watch jiffies_64
 * disarmed (unwatch): 212 fires in all, 4 captured". */
void kt_watch_text(const struct kt_watch_report *r, char *buf, size_t size);

/* The armed watch on symbol, or NULL. */
struct kt_watch *kt_watch_armed(struct kt_scenario *s, const char *symbol);
/* The watch a fire on symbol belongs to: the armed one, or else the last
 * armed under that name (a fire queued before its disarm), or NULL. */
struct kt_watch *kt_watch_of(struct kt_scenario *s, const char *symbol);

#endif
