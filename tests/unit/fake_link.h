/*
 * fake_link.h - a guest link for unit tests: records every request as a
 * line of text ("add-cgroup workers", "move-all-tasks a -> b"), answers
 * with made-up pids and handles, and fails the requests a test scripts.
 */
#ifndef KTCON_FAKE_LINK_H
#define KTCON_FAKE_LINK_H

#include <stdbool.h>

#include "engine/executor.h"
#include "engine/link.h"

#define FAKE_LOG_MAX 256

struct fake_link {
	char *log[FAKE_LOG_MAX];
	int nlog;
	/* Fail the request whose logged text starts with fail_prefix
	 * (fail_count times; 0 = always) with fail_errno and fail_msg. */
	const char *fail_prefix;
	int fail_errno;
	const char *fail_msg;
	int next_pid;
	uint64_t next_handle;
	int exit_status;		/* wait/kill-payload */
	bool block_wait;		/* wait-payload blocks until cancelled */
	struct kt_greply query;		/* copied into query replies */
	/* Queries (cgroup, sched) counted; from the query_after'th one on,
	 * query_late is the answer (0: never): a state that comes true. */
	int nqueries;
	int query_after;
	struct kt_greply query_late;
	struct kt_worker_report workers[8];
	size_t nworkers;
	int procs_count;		/* pids capture-cgroup-procs returns */
	const char *missing;		/* remove-cgroup of this name: nothing there */
	/* The cgroups the fake guest has, to answer how many levels above
	 * a nested name an add made (reply->implicit). */
	char *cgs[64];
	int ncgs;
	/* with_poll: the link has a poll hook, which advances *now by its
	 * timeout (the harness's fake clock), counts calls, and hands over
	 * state when state_gen is newer; poll_fail makes it fail. */
	bool with_poll;
	uint64_t *now;
	int npolls;
	uint64_t poll_ns;		/* time spent in poll */
	struct kt_gstate state;
	uint64_t state_gen;
	const char *poll_fail;
	/* After the event_at'th poll, the next_event hook hands event over
	 * once (a guest event arriving while the executor waits); 0: none. */
	int event_at;
	struct kt_guest_event event;
	bool event_due;
	/* The request starting with die_at fails and the guest is gone from
	 * then on (the link's gone hook says so). */
	const char *die_at;
	bool dead;
	/* The request starting with late_cancel completes, but the operator's
	 * C-c lands while it runs (the flag is set before it returns): the
	 * cancel came too late. */
	const char *late_cancel;
	/* with_batch: the link has a batch hook (link.h) that answers each
	 * item as request() would, at most batch_max per round trip (0: all),
	 * stopping at the first failure; nbatches counts the round trips. */
	bool with_batch;
	size_t batch_max;
	int nbatches;
};

extern const struct kt_link_ops fake_link_ops;
extern const struct kt_link_ops fake_link_poll_ops;
extern const struct kt_link_ops fake_link_batch_ops;

void fake_link_init(struct fake_link *f);
void fake_link_free(struct fake_link *f);
struct kt_link fake_link_of(struct fake_link *f);
/* Index of the first log line starting with prefix at or after from, -1. */
int fake_link_find(const struct fake_link *f, const char *prefix, int from);
int fake_link_count(const struct fake_link *f, const char *prefix);

#endif
