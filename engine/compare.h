/*
 * compare.h - A/B comparison of repeated runs of one recipe (`ktcon
 * compare`): each run's numbers (run-metrics.h), per side their mean and
 * sample standard deviation, the ratio of the means B/A, and Welch's
 * two-sided t-test (stats.h) at alpha 0.05, as a table for people and
 * JSON for machines with the same numbers.
 *
 * A run that did not pass is listed with its outcome and why, and left out
 * of every statistic: never averaged in.
 */
#ifndef KTCON_ENGINE_COMPARE_H
#define KTCON_ENGINE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/kjson.h"
#include "engine/run-metrics.h"
#include "engine/stats.h"

#define KT_CMP_ALPHA 0.05
/* Below this many passing runs a side, the table says the test has little
 * power (it still prints the p-value). */
#define KT_CMP_FEW_RUNS 5

/* What one side is: its label ("A"/"B") and what differs ("scx_qmap",
 * "kernel 7.3", "args '-T 5'"). */
struct kt_cmp_side {
	const char *label;
	const char *what;
};

struct kt_cmp_run {
	int side;		/* 0: A, 1: B */
	int index;		/* 1-based within its side */
	char *outcome;		/* "PASS", "FAIL", ... */
	char *why;		/* or NULL */
	bool used;		/* passed and read: in the statistics */
	struct kt_run_metrics m;
};

struct kt_cmp_side_stats {
	size_t n;
	double *v;		/* in the row's unit */
	double mean, sd;
};

struct kt_cmp_row {
	char *group;		/* a worker group, or NULL for the run's sched_ext counters */
	char *metric;
	const char *unit;
	struct kt_cmp_side_stats s[2];
	bool has_ratio;		/* both sides have values and A's mean is not 0 */
	double ratio;
	struct kt_welch w;
	const char *verdict;
};

struct kt_cmp_recipe {
	char *recipe;
	struct kt_cmp_run *runs;
	size_t nruns;
	struct kt_cmp_row *rows;
	size_t nrows;
};

void kt_cmp_init(struct kt_cmp_recipe *c, const char *recipe);
/* One run of side (0 or 1): outcome as `ktcon run` says it, why (NULL),
 * results (the results object, NULL when the run produced none) and its
 * timeline (NULL: none). */
void kt_cmp_add_run(struct kt_cmp_recipe *c, int side, const char *outcome, const char *why,
		    const struct json_object *results, const struct json_object *timeline);
/* Build the rows from the runs added. */
void kt_cmp_finish(struct kt_cmp_recipe *c);
void kt_cmp_free(struct kt_cmp_recipe *c);

/* The table: a header naming both sides and the test, the excluded runs,
 * a row per group and metric, a note when runs are few. */
void kt_cmp_print(const struct kt_cmp_recipe *c, const struct kt_cmp_side sides[2], FILE *f);
/* The same as one JSON object (see doc/ktcon.1, COMPARE). */
void kt_cmp_json(const struct kt_cmp_recipe *c, const struct kt_cmp_side sides[2], FILE *f);

#endif
