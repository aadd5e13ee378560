/*
 * results.h - what a run produced, per statement: status, how long it took,
 * the error chain, and captured data; written as JSON (results-json.c),
 * TAP (results-tap.c) or JUnit XML (results-junit.c) for CI.
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

/* ---- JUnit XML (results-junit.c) ----
 *
 * The de-facto schema Jenkins, GitLab and GitHub test reporters read:
 * <testsuites> holding one <testsuite name tests failures errors skipped
 * time>, one <testcase classname name file line time> per recipe, with a
 * <failure message type>, an <error message type> or a <skipped message>,
 * and <system-out> for what the guest said as it died. A recipe is one test
 * case (its statements are the TAP and JSON's business), so a CI page lists
 * recipes and a failure names its statement in the message.
 *
 * Every string may come from the guest (any bytes): the writer makes it
 * valid UTF-8 (as kjson.h does, U+FFFD for each bad byte), replaces the
 * characters XML 1.0 forbids (controls other than tab, LF and CR; U+FFFE,
 * U+FFFF) with U+FFFD, and escapes & < > " ' everywhere, and tab, LF and
 * CR inside attributes (so a reader's attribute normalisation keeps them). */
enum kt_junit_verdict {
	KT_JUNIT_PASS,
	KT_JUNIT_FAILURE,	/* the recipe ran and an expectation or op failed */
	KT_JUNIT_ERROR,		/* it could not run to the end: load, boot, signal */
	KT_JUNIT_SKIPPED,	/* pending: needs what this build cannot do */
};

struct kt_junit_case {
	const char *name;	/* the recipe as given: name= and file= */
	enum kt_junit_verdict verdict;
	const char *type;	/* failure/error type=: ktcon run's outcome word */
	const char *why;	/* the run's own reason (an error chain); may be NULL */
	const char *detail;	/* kt_junit_detail() of its results; may be NULL */
	int line;		/* the first failed statement's; 0: none known */
	const char *out;	/* kt_junit_out() of its results; may be NULL */
	uint64_t ns;
};

/* What failed in r, for a failure's body: each failed statement as
 * "FILE:LINE: STATEMENT: ERROR CHAIN", then teardown errors and guest
 * failures, one a line; *line is the first failed statement's line (0:
 * none). Call before r is freed. malloc'd; NULL when nothing failed. */
char *kt_junit_detail(const struct kt_results *r, int *line);
/* What the guest said as it failed, for system-out: its guest failures
 * (scheduler exits) and how many failure dumps the JSON holds. malloc'd;
 * NULL when there is none. */
char *kt_junit_out(const struct kt_results *r);
/* The document: one suite named suite holding c[0..n). The console's last
 * lines found in a case's why or detail (the "guest console, last lines:"
 * note of a dead guest) are added to its system-out. */
void kt_results_junit(FILE *f, const char *suite, const struct kt_junit_case *c, size_t n);
/* s as XML character data (attr: also escape tab, LF, CR for an attribute
 * value); see above. */
void kt_xml_text(FILE *f, const char *s, bool attr);

#endif
