/* exec_harness.h - run recipe text through the executor against the fake
 * link, the fake host and a fake clock (holds take no real time). */
#ifndef KTCON_EXEC_HARNESS_H
#define KTCON_EXEC_HARNESS_H

#include <stdint.h>

#include "engine/executor.h"
#include "fake_host.h"
#include "fake_link.h"

struct harness {
	struct kt_recipe *r;
	struct kt_exec *x;
	struct fake_link link;
	struct fake_host host;
	uint64_t now;
	struct kt_clock clock;
	struct kt_events *events;
	struct kterr *err;
	char *errstr;
	bool no_host;
	bool no_snapshots;
	const char *sched_args;		/* kt_exec_config.sched_args */
};

void harness_init(struct harness *h);
/* Parse (failing the test on any diagnostic) and build the executor. */
void harness_load(struct harness *h, const char *text);
/* load + run; h->err / h->errstr hold the run's error. */
void harness_run(struct harness *h, const char *text);
/* The result of the statement on a 1-based line. */
const struct kt_stmt_result *harness_line(const struct harness *h, int line);
void harness_free(struct harness *h);

/* A harness named H that has run TEXT (declares it in the caller). */
#define RUN(h, text) \
	struct harness h; \
	harness_init(&h); \
	harness_run(&h, text)

/* Fail the test unless S holds WHAT (S may be NULL). */
void assert_contains(const char *s, const char *what);

#endif
