/*
 * con-live.h - the model behind the console's live views (the runqueue
 * table, con-rq.h, and the history, con-hist.h): what the session's
 * timeline (con-sampler.h) holds, copied on the UI thread.
 *
 * con_live_pull takes the samples the timeline added since the last pull
 * (kt_timeline_copy_seq: whole copies under the timeline's lock, so the
 * sampler thread may add more meanwhile) and the events of the last
 * window, and says whether anything changed: the console redraws only
 * then. It keeps
 * - the latest sample's CPUs, and each CPU's context switches per second
 *   between the two latest samples (nr_switches over their time apart);
 * - a ring of compact points for the history: time, the sum of every
 *   CPU's nr_switches, sched_ext's nr_rejected, the IRQ rate, each CPU
 *   busy or idle (a task other than the idle task running when sampled),
 *   the tasks sched_ext has queued, each worker group's iterations;
 * - the events a history strip shows (attach, detach, scheduler exit,
 *   freeze, unfreeze, watch fire) within the window.
 * Time is the timeline's (ns since the session's start); now is the
 * latest sample's or event's time, so once the guest is gone (no more
 * pulls) the views hold their last picture.
 */
#ifndef KTCON_TUI_CON_LIVE_H
#define KTCON_TUI_CON_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/timeline.h"

#define CON_LIVE_WINDOW_NS (60ull * 1000000000ull)	/* what the history shows */
#define CON_LIVE_POINTS 1024			/* > a window at 10 Hz, with slack */
#define CON_LIVE_EVENTS 64			/* the newest in the window */
#define CON_LIVE_EVTEXT 64

struct con_live_pt {
	uint64_t t_ns;
	bool has_sw, has_rej, has_irq, has_busy, has_queued;
	uint64_t switches;			/* every CPU's nr_switches */
	int64_t nr_rejected;
	double irq_rate;
	uint64_t busy[KT_TL_MAX_CPUS / 64];	/* bit c: CPU c was running a task */
	unsigned ncpus;
	uint32_t queued;			/* scx nr_running + local DSQs, every CPU */
	size_t ngroups;
	struct kt_tl_group groups[KT_TL_MAX_GROUPS];	/* names: the timeline's */
};

struct con_live_ev {
	uint64_t t_ns;
	enum kt_tl_kind kind;
	char text[CON_LIVE_EVTEXT];
};

struct con_live {
	uint64_t seq;				/* the next sample to take */
	uint64_t gen;				/* bumped when anything changed */
	uint64_t now_ns;
	/* the latest sample */
	bool have;
	unsigned ncpus;
	struct kt_tl_cpu cpu[KT_TL_MAX_CPUS];
	double sw_rate[KT_TL_MAX_CPUS];		/* < 0: not known */
	char scx_ops[64];
	/* the history */
	struct con_live_pt pts[CON_LIVE_POINTS];
	size_t head, npts;			/* head: the oldest */
	struct con_live_ev ev[CON_LIVE_EVENTS];
	size_t nev;				/* oldest first */
	size_t tl_nevents;			/* the timeline's count at the last look */
	uint64_t events_dropped;		/* the timeline's (a long session) */
	struct kt_tl_cpu scratch[KT_TL_MAX_CPUS];	/* a sample being copied */
};

/* Zeroed; malloc'd (it is some 400 KiB). NULL on OOM. */
struct con_live *con_live_new(void);
void con_live_free(struct con_live *m);

/* What tl added since the last pull; true when anything changed. */
bool con_live_pull(struct con_live *m, const struct kt_timeline *tl);
/* One sample, as con_live_pull takes each (tests feed it directly). */
void con_live_take(struct con_live *m, const struct kt_tl_sample *s);

/* Point i of the history, oldest first (i < m->npts). */
const struct con_live_pt *con_live_pt(const struct con_live *m, size_t i);
/* Whether CPU c was busy at p. */
bool con_live_busy(const struct con_live_pt *p, unsigned c);
/* The kinds a history strip shows, and their letters ('A' attach, 'D'
 * detach, 'X' scheduler exit, 'F' freeze, 'U' unfreeze, 'W' watch fire);
 * 0 for the others. */
char con_live_ev_letter(enum kt_tl_kind kind);

#endif
