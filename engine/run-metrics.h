/*
 * run-metrics.h - the numbers `ktcon compare` compares, read from one
 * run's results object and its timeline (doc/results-json.md: RESULTS and
 * TIMELINE, the members "results" and "timeline" of a recipe's object).
 *
 * Per worker group (a final_workers entry; entries of one cgroup merge):
 *   throughput   iterations per second over the group's lifetime: with a
 *                timeline that has the group's counter in two or more
 *                samples, (last - first counter) / (last - first sample
 *                time); without one, the group's total iterations / the
 *                recipe's duration_ns (an under-estimate when the group
 *                lived for part of the recipe).
 *   wake_p50     the median over the group's workers of wake_p50_ns.
 *   wake_p99     the worst worker's wake_p99_ns.
 *   wake_max     the worst worker's wake_max_ns, else max_wake_ns.
 *   run_delay    the mean over workers of run_delay_ns.
 *   migrations   the sum over workers.
 *   fairness     Jain's fairness index of the workers' iterations,
 *                (sum x)^2 / (n sum x^2): 1 when equal, 1/n when one
 *                worker did everything.
 * A value whose fields the results lack is absent (shown as "-"); so are
 * the wake latencies of a worker with wake_samples 0 (it never slept).
 * Per run: the numeric members of the timeline's last sample's "scx"
 * object (nr_rejected, enable_seq, ...), sched_ext's counters at the end
 * (a null one is absent).
 */
#ifndef KTCON_ENGINE_RUN_METRICS_H
#define KTCON_ENGINE_RUN_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "lib/kjson.h"

enum kt_metric {
	KT_M_THROUGHPUT, KT_M_WAKE_P50, KT_M_WAKE_P99, KT_M_WAKE_MAX, KT_M_RUN_DELAY,
	KT_M_MIGRATIONS, KT_M_FAIRNESS, KT_M_N,
};

struct kt_metric_def {
	const char *name;	/* in the table and the JSON */
	const char *unit;	/* as printed: values are divided by scale */
	double scale;
};
extern const struct kt_metric_def kt_metric_defs[KT_M_N];

struct kt_group_metrics {
	char *cgroup;
	double v[KT_M_N];
	bool have[KT_M_N];
};

struct kt_counter {
	char *name;
	double v;
};

struct kt_run_metrics {
	struct kt_group_metrics *groups;
	size_t ngroups;
	struct kt_counter *scx;		/* the last sample's sched_ext counters */
	size_t nscx;
	bool timeline;			/* the results have a timeline */
};

/* Read results (a results object) and timeline (a timeline object, or
 * NULL: none). Fails (EINVAL) only when results is not an object; every
 * missing field is an absent value. */
struct kterr *kt_run_metrics_read(const struct json_object *results,
				  const struct json_object *timeline, struct kt_run_metrics *out);
void kt_run_metrics_free(struct kt_run_metrics *m);

#endif
