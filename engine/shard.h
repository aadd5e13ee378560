/*
 * shard.h - split a list of recipes into N deterministic shards, so that a
 * CI matrix of N jobs, job K running shard K/N, runs every recipe exactly
 * once (`ktcon run --shard K/N`, `--list`, `--timings`).
 *
 * The contract:
 * - A recipe's key is its path as given with leading "./" and repeated
 *   slashes taken out ("./recipes//a.recipe" is "recipes/a.recipe"). Keys
 *   are compared bytewise (strcmp), never by locale. Only the key decides,
 *   never the order of the command line nor the file's contents: every job
 *   of the matrix, given the same paths in any order from the same
 *   directory, computes the same split.
 * - Without timings: the recipes sorted by key are dealt round-robin,
 *   the i-th (from 0) to shard i mod N + 1, so shard sizes differ by at
 *   most one.
 * - With timings: each recipe's estimate is its last known duration plus
 *   KT_SHARD_BOOT_NS (a --json run records the executor's time, not the
 *   boot); a recipe the timings do not know gets the median of the known
 *   estimates, or KT_SHARD_DEFAULT_NS when none is known. Then, longest
 *   first (equal estimates by key), each goes onto the shard with the least
 *   estimated load so far (equal loads: the lowest shard number): the
 *   greedy LPT rule, deterministic because every tie has a rule.
 * - Within a shard recipes keep key order.
 */
#ifndef KTCON_ENGINE_SHARD_H
#define KTCON_ENGINE_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* N beyond this is a typo, not a CI matrix (GitHub caps a matrix at 256
 * jobs, GitLab's parallel: at 200). */
#define KT_SHARD_MAX 256
/* Added to each known duration: the cold boot under TCG on a loaded
 * 2-core host, which the recorded duration_ns does not count. */
#define KT_SHARD_BOOT_NS (3ULL * 1000000000ULL)
/* The estimate when no recipe's duration is known. */
#define KT_SHARD_DEFAULT_NS (10ULL * 1000000000ULL)

struct kt_shard_item {
	const char *path;	/* as given (not owned) */
	bool known;		/* the timings had it */
	uint64_t est_ns;	/* estimate (with timings) */
	unsigned shard;		/* 1..N, set by kt_shard_assign */
};

/* "K/N" with 1 <= K <= N <= KT_SHARD_MAX; EINVAL naming spec and what is
 * accepted otherwise. */
struct kterr *kt_shard_parse(const char *spec, unsigned *k, unsigned *n);

/* The key of a path, malloc'd (see above); NULL on OOM. */
char *kt_shard_key(const char *path);

/* Sets each item's shard (1..nshards). timed: use est_ns and known as set
 * by the caller or kt_timings_estimate; otherwise round-robin by key. Sorts
 * v by key. ENOMEM only. */
struct kterr *kt_shard_assign(struct kt_shard_item *v, size_t n, unsigned nshards, bool timed);

/* Durations from earlier runs. */
struct kt_timings;

/* Read a `ktcon run --json` file: an array of {"recipe", "results":
 * {"duration_ns"}} records, or an array of such arrays (several shards'
 * files merged with `jq -s .`; `jq -s add` gives the plain form). A record
 * whose results are null (pending, error) is skipped; a recipe listed
 * twice keeps the last. Errors name the file and the byte or record. */
struct kterr *kt_timings_load(const char *file, struct kt_timings **out);
/* A recipe's last duration (executor time): by key, else by file name when
 * exactly one recorded recipe has it. false when unknown. */
bool kt_timings_find(const struct kt_timings *t, const char *path, uint64_t *ns);
/* Fill est_ns and known for every item from t (see the contract above). */
void kt_timings_estimate(const struct kt_timings *t, struct kt_shard_item *v, size_t n);
size_t kt_timings_count(const struct kt_timings *t);
void kt_timings_free(struct kt_timings *t);

#endif
