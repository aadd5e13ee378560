/*
 * results.h - what a run produced, per statement: status, how long it took,
 * the error chain, and captured data; written as JSON (results-json.c) or
 * TAP (results-tap.c) for CI.
 */
#ifndef KTCON_RESULTS_H
#define KTCON_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/recipe.h"

enum kt_status {
	KT_RES_NOT_RUN,
	KT_RES_PASS,		/* op applied / expectation held */
	KT_RES_FAIL,		/* op failed unexpectedly / expectation failed */
	KT_RES_XFAIL,		/* op failed, as the `expect error` after it wanted */
	KT_RES_SKIP,		/* not run: an earlier op failed */
	KT_RES_WARN,		/* applied with a warning (no snapshot backend) */
};

struct kt_stmt_result {
	const struct kt_stmt *stmt;
	enum kt_status status;
	unsigned runs;		/* > 1 in loop steps */
	uint64_t ns;		/* time of the last run */
	char *error;		/* flattened chain, or the warning */
	char *captured;		/* a JSON value: [pids], "0x2a", {"snapshot": ...} */
};

struct kt_results {
	const char *file;
	struct kt_stmt_result *v;	/* one per statement, same order */
	size_t n;
	char **teardown_errors;		/* teardown keeps going and reports */
	size_t nteardown;
	char **guest_failures;		/* what the guest reported dying: a scheduler exit */
	size_t nguest_failures;
	char **failure_dumps;		/* JSON snapshots taken when a scheduler died */
	size_t nfailure_dumps;
	char **final_workers;		/* JSON objects: workers' last reports at teardown */
	size_t nfinal_workers;
	/* Watch fires by capture tag, in the order first heard: every fire
	 * counted, and the JSON of the last one captured (NULL: none was). */
	struct kt_fire_count {
		char *tag;
		uint64_t fires;
		char *last;
	} *fires;
	size_t nfires;
	bool passed;
	uint64_t ns;
};

const char *kt_status_name(enum kt_status s);
/* Counts by status. */
size_t kt_results_count(const struct kt_results *r, enum kt_status s);

/* One JSON object: file, passed, duration_ns, statements[] with line,
 * statement, status, runs, duration_ns, error, captured; teardown_errors[];
 * guest_failures[]; failure_dumps[] (snapshots); final_workers[] (each
 * {"cgroup", "workers": [reports]}). */
void kt_results_json(const struct kt_results *r, FILE *f);
/* The watch fires: [{"tag", "fires", "last": the capture or null}, ...]. */
void kt_results_fires_json(const struct kt_results *r, FILE *f);
/* TAP 13: one test point per op, cgroup line and expectation; skips as
 * `# SKIP`, the error chain in a YAML block. */
void kt_results_tap(const struct kt_results *r, FILE *f);


#endif
