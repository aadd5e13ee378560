/* hold.c - durations and HoldSpec; see hold.h. */
#include "engine/hold.h"

#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "lib/util.h"

static const struct {
	const char *suffix;
	uint64_t ns;
} units[] = {
	/* Longest suffix first so "ms" is not read as "m" + junk. */
	{ "ms", 1000000ULL },
	{ "us", 1000ULL },
	{ "ns", 1ULL },
	{ "s", 1000000000ULL },
	{ "m", 60000000000ULL },
};

struct kterr *kt_duration_parse(const char *s, uint64_t *ns)
{
	size_t digits = strspn(s, "0123456789.");
	char *end;
	double v;

	if (digits && digits < 24) {
		char num[24];

		memcpy(num, s, digits);
		num[digits] = '\0';
		v = strtod(num, &end);
		for (size_t i = 0; *end == '\0' && i < ARRAY_SIZE(units); i++) {
			if (strcmp(s + digits, units[i].suffix))
				continue;
			if (v <= 0)
				break;
			if (v * units[i].ns > (double)KT_MAX_DURATION_NS)
				return kterr_hint(kterr_new(0, "duration '%s' is longer than a day", s),
						  "a recipe's times are at most 24h (1440m): is the "
						  "unit right?");
			*ns = (uint64_t)(v * units[i].ns + 0.5);
			return NULL;
		}
	}
	return kterr_hint(kterr_new(0, "bad duration '%s'", s),
			  "write a positive time with a unit: 2s, 500ms, 250us, 1m");
}

struct kterr *kt_hold_parse(const char *s, struct kt_hold *out)
{
	struct kterr *e;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!strncmp(s, "loop:", 5)) {
		out->kind = KT_HOLD_LOOP;
		e = kt_duration_parse(s + 5, &out->interval_ns);
		return e ? kterr_hint(kterr_wrap(e, "hold '%s'", s),
				      "write hold=loop:INTERVAL, e.g. hold=loop:200ms") : NULL;
	}
	/* A bare number is a fraction of `duration`; with a unit, a time. */
	if (s[0] && strspn(s, "0123456789.") == strlen(s)) {
		out->kind = KT_HOLD_FRAC;
		out->frac = strtod(s, &end);
		if (*end || out->frac <= 0 || out->frac > 1)
			return kterr_hint(kterr_new(0, "bad hold fraction '%s'", s),
					  "a fraction of `duration` is in (0, 1], e.g. hold=0.3; "
					  "for a time add a unit: hold=%ss", s);
		return NULL;
	}
	out->kind = KT_HOLD_FIXED;
	/* A zero hold is a fixed hold of no time (ktcon-recipe(5)): the step
	 * tears down as soon as its ops are done. */
	if (!strcmp(s, "0s") || !strcmp(s, "0ms") || !strcmp(s, "0us")) {
		out->ns = 0;
		return NULL;
	}
	e = kt_duration_parse(s, &out->ns);
	return e ? kterr_hint(kterr_wrap(e, "bad hold '%s'", s),
			      "write hold=2s, hold=500ms, hold=0.3 (fraction of duration) "
			      "or hold=loop:200ms") : NULL;
}

struct kterr *kt_hold_plan(const struct kt_hold *holds, size_t n, uint64_t duration_ns,
			   uint64_t *out_ns)
{
	uint64_t used = 0;
	size_t loops = 0;

	for (size_t i = 0; i < n; i++) {
		switch (holds[i].kind) {
		case KT_HOLD_FIXED:
			out_ns[i] = holds[i].ns;
			break;
		case KT_HOLD_FRAC:
		case KT_HOLD_LOOP:
			if (!duration_ns)
				return kterr_hint(kterr_new(0, "step %zu: hold=%s needs a `duration` line",
							    i + 1, holds[i].kind == KT_HOLD_FRAC ?
							    "FRACTION" : "loop:INTERVAL"),
						  "add `duration 10s` to the header, or give the step a "
						  "time: hold=2s");
			if (holds[i].kind == KT_HOLD_LOOP) {
				loops++;
				out_ns[i] = 0;
				continue;
			}
			out_ns[i] = (uint64_t)(holds[i].frac * (double)duration_ns);
			break;
		}
		used += out_ns[i];
	}
	if (loops) {
		uint64_t left = used < duration_ns ? duration_ns - used : 0;

		for (size_t i = 0; i < n; i++)
			if (holds[i].kind == KT_HOLD_LOOP)
				out_ns[i] = left / loops;
	}
	return NULL;
}
