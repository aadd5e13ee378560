/*
 * op-exec.h - what an op's exec hook (form.h) may use of the executor.
 *
 * The hooks in ops-*.c and expect.c build a guest request or a host call,
 * apply the scenario rules, and record what they captured; they never see
 * the executor's internals.
 */
#ifndef KTCON_OP_EXEC_H
#define KTCON_OP_EXEC_H

#include <stddef.h>

#include "engine/executor.h"
#include "engine/header.h"

struct kt_scenario *kt_exec_state(struct kt_exec *x);
const struct kt_recipe *kt_exec_recipe(const struct kt_exec *x);
const struct kt_header *kt_exec_header(const struct kt_exec *x);
const struct kt_host *kt_exec_host(const struct kt_exec *x);
/* kt_exec_config.sched_args: NULL unless the run overrides them. */
const char *kt_exec_sched_args(const struct kt_exec *x);

/* Send a guest request (honouring cancellation); *reply is zeroed first
 * and the caller clears it with kt_greply_clear(). */
struct kterr *kt_exec_guest(struct kt_exec *x, struct kt_greq *req, struct kt_greply *reply);
/* A guest op on one cgroup, no results: the common case. */
struct kterr *kt_exec_guest_simple(struct kt_exec *x, enum kt_op_kind op, const char *cgroup);

/* The statements of the batch being applied: more than one when the
 * executor merged adjacent write-kernel-cold ops. */
const struct kt_stmt *const *kt_exec_batch(const struct kt_exec *x, size_t *n);

/* True while an expectation with within= is checked again after a
 * failed check: expect read and expect snapshot then take their capture
 * again (the same read, the same capture-snapshot) to see a change. */
bool kt_exec_rechecking(const struct kt_exec *x);

/* Mark the statement being applied as applied-with-a-warning. */
void kt_exec_warn(struct kt_exec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record captured data (a JSON value) for the statement being applied. */
void kt_exec_captured(struct kt_exec *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A cgroup name argument as the state keys it: @runner is "". */
const char *kt_cgroup_key(const char *arg);

/* Rules shared by validators: an empty name or tag (the empty argument
 * `""`) is rejected naming what is missing. */
/* {"cgroup": CG, "workers": [reports]} as JSON, malloc'd (NULL on OOM). */
struct kt_greply;
char *kt_workers_json(const char *cgroup, const struct kt_greply *r);

/* N workers of WORK (NULL: spin) are possible: ping-pong types need an
 * even count. The error names the statement. */
struct kterr *kt_need_worker_count(const struct kt_stmt *st, const char *work, unsigned n);
struct kterr *kt_need_nonempty(const struct kt_stmt *st, size_t pos, const char *what);

/* A cpuset SPEC (NULL: none) resolves against the topology of r's `vm`
 * line, so `ktcon check` names a CPU, LLC or node the guest will not
 * have. r NULL (a console line before any header): nothing to check. */
struct kterr *kt_need_cpuset_fits(const struct kt_stmt *st, const char *spec,
				  const struct kt_recipe *r);
/* CPU number cpu exists on the guest of r's `vm` line (r NULL: yes). */
struct kterr *kt_need_cpu_fits(const struct kt_stmt *st, unsigned cpu, const struct kt_recipe *r);

#endif
