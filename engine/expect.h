/*
 * expect.h - expectations: `expect KIND ...` lines that turn a replay into a
 * test. Each kind is a form (form.h) whose exec hook returns NULL when the
 * expectation holds, else an error saying what was found instead.
 *
 *   expect procs TAG count=N
 *   expect snapshot TAG var NAME OP VALUE
 *   expect read TAG OP VALUE
 *   expect cgroup NAME [frozen=0|1] [cpuset=SPEC] [populated=0|1]
 *   expect sched state=enabled|disabled [ops=NAME]
 *   expect workers CGROUP progress|isolation|fairness<=RATIO
 *   expect payload NAME [cgroup=CG] exit=N
 *   expect error ["TEXT"]     the op just before failed (with TEXT)
 *
 * `expect error` has no exec hook: the executor pairs it with the op
 * before it (executor.c).
 */
#ifndef KTCON_EXPECT_H
#define KTCON_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/form.h"

extern const struct kt_form kt_expect_procs, kt_expect_snapshot, kt_expect_read,
	kt_expect_cgroup, kt_expect_sched, kt_expect_workers, kt_expect_payload, kt_expect_error;

/* a OP b for OP in == != < <= > >= (the text of KT_T_CMPOP). */
bool kt_compare(int64_t a, const char *op, int64_t b);

#endif
