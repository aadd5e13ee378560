/* tsc.c - measure the host TSC; see tsc.h. */
#include "vmm/machine/tsc.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

static unsigned long cached_khz;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint64_t raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void measure(void)
{
	/* Best of three 20 ms windows: a preemption only ever lengthens
	 * one, so the median ratio is the honest one. */
	unsigned long khz[3];

	for (int i = 0; i < 3; i++) {
		uint64_t n0 = raw_ns(), t0 = __rdtsc(), n1, t1;
		struct timespec d = { 0, 20 * 1000 * 1000 };

		nanosleep(&d, NULL);
		t1 = __rdtsc();
		n1 = raw_ns();
		khz[i] = (unsigned long)((t1 - t0) * 1000000ULL / (n1 - n0));
	}
	/* median of three */
	unsigned long a = khz[0], b = khz[1], c = khz[2];
	cached_khz = a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
}

unsigned long tsc_host_khz(void)
{
	pthread_once(&once, measure);
	return cached_khz;
}
