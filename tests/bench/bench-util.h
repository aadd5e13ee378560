/* bench-util.h - what the benchmarks share: the median of a series. */
#ifndef KTCON_BENCH_UTIL_H
#define KTCON_BENCH_UTIL_H

#include <stdint.h>

/* The median of v[0..n) in v's unit (sorts v in place; the mean of the
 * middle two when n is even; 0 when n is 0). */
uint64_t bench_median(uint64_t *v, int n);

#endif
