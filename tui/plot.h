/*
 * plot.h - the SVG charts of `--plot DIR` (engine/svg.h draws them):
 *
 *   RECIPE.timeline.svg      `ktcon run`: a run's timeline, one panel per
 *                            CPU (nr_running over time from the timeline's
 *                            samples), each timeline event (an op's start,
 *                            a step, an attach, a fire; not op-end) a
 *                            vertical marker labelled "LINE: TEXT".
 *   RECIPE.A.timeline.svg    `ktcon compare`: the same for the first used
 *   RECIPE.B.timeline.svg    run of each side.
 *   RECIPE.compare.svg       `ktcon compare`: per worker group, throughput
 *                            and wake latencies as bars A beside B, the
 *                            whiskers one sample stddev either side.
 *
 * RECIPE is the recipe file's name without directory and ".recipe". A
 * chart whose data the results lack (--no-timeline) is not written, and a
 * line to msgs says so; every chart written is said too. Timelines are
 * doc/results-json.md's TIMELINE objects.
 */
#ifndef KTCON_TUI_PLOT_H
#define KTCON_TUI_PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/compare.h"

/* timeline_json: a timeline as text (NULL: nothing to plot). rep > 0
 * numbers the chart of the same recipe's rep-th repeat (RECIPE.N.timeline.svg,
 * N = rep + 1). Returns 0 written or nothing to write, -1 failed. */
int plot_run_timeline(const char *dir, const char *recipe, size_t rep, const char *timeline_json,
		      FILE *msgs);

/* A timeline object to DIR/NAME (title above it). */
int plot_timeline(const char *dir, const char *name, const char *title,
		  const struct json_object *timeline, FILE *msgs);

/* Whether an event of this kind gets a marker (every kind but op-end). */
bool plot_marks(const char *kind);

int plot_compare(const char *dir, const struct kt_cmp_recipe *c,
		 const struct kt_cmp_side sides[2], FILE *msgs);

/* "DIR/BASE.SUFFIX" with BASE the recipe's name; malloc'd. */
char *plot_path(const char *dir, const char *recipe, const char *suffix);

#endif
