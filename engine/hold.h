/*
 * hold.h - durations and a step's HoldSpec.
 *
 * `hold=2s` and `hold=500ms` are fixed; `hold=0.3` is that fraction of the
 * recipe's `duration`; `hold=loop:200ms` repeats the step's ops every
 * 200ms for the step's share of the duration (what is left of `duration`
 * after the fixed and fractional holds, split evenly between the loop
 * steps). Fractions and loops need a `duration` line.
 */
#ifndef KTCON_HOLD_H
#define KTCON_HOLD_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum kt_hold_kind {
	KT_HOLD_FIXED,
	KT_HOLD_FRAC,
	KT_HOLD_LOOP,
};

struct kt_hold {
	enum kt_hold_kind kind;
	uint64_t ns;		/* FIXED */
	double frac;		/* FRAC, in (0, 1] */
	uint64_t interval_ns;	/* LOOP */
};

/* "2s", "500ms", "1.5s", "250us", "2m": a positive time. */
struct kterr *kt_duration_parse(const char *s, uint64_t *ns);
struct kterr *kt_hold_parse(const char *s, struct kt_hold *out);

/* The time each of n steps holds, given the recipe's duration (0 when the
 * recipe has none). Fails, naming the step, when a fraction or loop has no
 * duration to divide. A loop step with nothing left to divide holds 0. */
struct kterr *kt_hold_plan(const struct kt_hold *holds, size_t n, uint64_t duration_ns,
			   uint64_t *out_ns);

#endif
