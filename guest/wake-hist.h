/*
 * wake-hist.h - a fixed-size log2/linear histogram of wake latencies, kept
 * by a worker in its shared report (no allocation, one store per wakeup)
 * and turned into percentiles by the parent.
 *
 * Values below 8 ns have a bucket each; above, every power of two is split
 * into 8 linear sub-buckets, so a bucket is at most 12.5% wide. Values of
 * 2^WAKE_HIST_MAX_LOG2 ns (about 9 minutes) and more share the last one.
 * A percentile is the upper bound of the bucket holding it, clamped to the
 * exact maximum: never below the true value by more than a bucket's width,
 * never above the max, and p50 <= p99 <= max always.
 */
#ifndef KTCON_GUEST_WAKE_HIST_H
#define KTCON_GUEST_WAKE_HIST_H

#include <stdint.h>

#define WAKE_HIST_SUB_LOG2 3
#define WAKE_HIST_SUB (1u << WAKE_HIST_SUB_LOG2)
#define WAKE_HIST_MAX_LOG2 39
#define WAKE_HIST_BUCKETS ((WAKE_HIST_MAX_LOG2 - WAKE_HIST_SUB_LOG2 + 1) * WAKE_HIST_SUB + \
			   WAKE_HIST_SUB)

/* The bucket of a value in ns. */
static inline unsigned wake_hist_bucket(uint64_t ns)
{
	unsigned e;

	if (ns < WAKE_HIST_SUB)
		return (unsigned)ns;
	e = 63u - (unsigned)__builtin_clzll(ns);
	if (e > WAKE_HIST_MAX_LOG2)
		return WAKE_HIST_BUCKETS - 1;
	return (e - WAKE_HIST_SUB_LOG2 + 1) * WAKE_HIST_SUB +
	       (unsigned)((ns >> (e - WAKE_HIST_SUB_LOG2)) & (WAKE_HIST_SUB - 1));
}

/* The largest value bucket b holds (UINT64_MAX for the last). */
uint64_t wake_hist_upper(unsigned b);

/* The pct/100 percentile (nearest rank) of n samples in h, clamped to max;
 * 0 when n is 0. */
uint64_t wake_hist_pct(const uint32_t h[WAKE_HIST_BUCKETS], uint64_t n, uint64_t max,
		       unsigned pct);

#endif
