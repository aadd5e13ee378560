/* wake-hist.c - percentiles of a wake-latency histogram; see wake-hist.h. */
#include "guest/wake-hist.h"

uint64_t wake_hist_upper(unsigned b)
{
	unsigned e, sub;

	if (b < WAKE_HIST_SUB)
		return b;
	if (b >= WAKE_HIST_BUCKETS - 1)
		return UINT64_MAX;
	e = b / WAKE_HIST_SUB - 1 + WAKE_HIST_SUB_LOG2;
	sub = b % WAKE_HIST_SUB;
	/* [2^e + sub * 2^(e-3), 2^e + (sub+1) * 2^(e-3)) */
	return (1ull << e) + ((uint64_t)(sub + 1) << (e - WAKE_HIST_SUB_LOG2)) - 1;
}

uint64_t wake_hist_pct(const uint32_t h[WAKE_HIST_BUCKETS], uint64_t n, uint64_t max,
		       unsigned pct)
{
	/* Nearest rank: the smallest value with at least ceil(pct% of n)
	 * samples at or below it. */
	uint64_t rank = (n * pct + 99) / 100, seen = 0;

	if (!n)
		return 0;
	if (!rank)
		rank = 1;
	for (unsigned b = 0; b < WAKE_HIST_BUCKETS; b++) {
		seen += h[b];
		if (seen >= rank) {
			uint64_t up = wake_hist_upper(b);

			return up < max ? up : max;
		}
	}
	/* The counts were read while the worker added to them: fewer than n. */
	return max;
}
