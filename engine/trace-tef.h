/*
 * trace-tef.h - a timeline (timeline.h) as a Trace Event Format file, the
 * JSON that Perfetto's UI and chrome://tracing open:
 *
 *   {"traceEvents": [...], "displayTimeUnit": "ms"}
 *
 * One process (pid) per recipe, named after it (M process_name), so one
 * file holds every recipe of a `ktcon run -j N`. Within it:
 *   - a thread per CPU, tid N+1, named "CPU N" (M thread_name, sorted by
 *     thread_sort_index): the task running there as complete events (X,
 *     name the comm, args.pid), one per run of consecutive samples with the
 *     same task, from its first sample to the next task's;
 *   - a thread "events", tid ncpus+1: steps, ops, scheduler attach, detach
 *     and exit, freezes, watch fires and failures as thread-scoped instant
 *     events (i, s "t") named "KIND: TEXT", args kind, text, line;
 *   - counters (C; process-local, one series "value" each): "CPU N
 *     nr_running", "CPU N scx_nr_running", "CPU N local_dsq", "scx NAME"
 *     for each sched_ext counter, "irqs/s", and "iterations CGROUP" per
 *     worker group. A value the sample lacks is not written.
 * ts is in microseconds since the run's start (fractional: ns kept).
 * Every event is built and printed by json-c (kjson.h): any bytes in a
 * comm or a text come out as valid JSON and valid UTF-8.
 */
#ifndef KTCON_ENGINE_TRACE_TEF_H
#define KTCON_ENGINE_TRACE_TEF_H

#include <stddef.h>
#include <stdio.h>

#include "engine/timeline.h"

/* The whole file for n timelines; names[i] names process i+1 (NULL
 * entries in tls are skipped: a recipe that did not run). */
void kt_tef_write(FILE *f, const struct kt_timeline *const *tls, const char *const *names,
		  size_t n);

#endif
