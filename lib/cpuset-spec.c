/* cpuset-spec.c - CPU sets and cpuset SPECs; see cpuset.h. */
#include "lib/cpuset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* floor/ceil for non-negative values, without dragging in libm. */
static unsigned floor_u(double v)
{
	return (unsigned)v;
}

static unsigned ceil_u(double v)
{
	unsigned f = (unsigned)v;

	/* 0.3 * 10 is 3.0000000000000004: do not round that up to 4. */
	return v - (double)f > 1e-9 ? f + 1 : f;
}

#define SPEC_FORMS "0-3,6 | llc:N | numa:N | range:0.0-0.5 | disjoint:I/OF | overlap:I/OF/FRAC"

struct kt_topology kt_topology_flat(unsigned cpus)
{
	return (struct kt_topology){ .numa = 1, .llcs = 1, .cores = cpus, .threads = 1 };
}

unsigned kt_topology_cpus(const struct kt_topology *t)
{
	return t->numa * t->llcs * t->cores * t->threads;
}

/* Strict unsigned parse: digits only, no sign, no trailing junk. */
static bool parse_uint(const char *s, const char *end, unsigned long *out)
{
	unsigned long v = 0;

	if (s == end)
		return false;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 1000000)
			return false;
	}
	*out = v;
	return true;
}

/* A fraction in [0, 1]: "0", "1", "0.25", ".5". */
static bool parse_frac(const char *s, const char *end, double *out)
{
	char buf[32];
	char *e;
	size_t n = end - s;

	if (!n || n >= sizeof(buf) || strspn(s, "0123456789.") < n)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, &e);
	return *e == '\0' && *out >= 0.0 && *out <= 1.0;
}

struct kterr *kt_topology_parse(const char *s, struct kt_topology *out)
{
	unsigned long v[4];
	const char *p = s;

	for (int i = 0; i < 4; i++) {
		const char *e = strchr(p, ',');

		if (!e)
			e = p + strlen(p);
		if ((i < 3) != (*e == ',') || !parse_uint(p, e, &v[i]) || !v[i])
			return kterr_hint(kterr_new(0, "bad topology '%s'", s),
					  "write NUMA,LLCS,CORES,THREADS, each at least 1 (e.g. 1,2,2,1)");
		p = e + 1;
	}
	*out = (struct kt_topology){ v[0], v[1], v[2], v[3] };
	if ((unsigned long long)v[0] * v[1] * v[2] * v[3] > KT_MAX_CPUS)
		return kterr_hint(kterr_new(0, "topology '%s' has more than %d CPUs", s, KT_MAX_CPUS),
				  "use fewer nodes, LLCs, cores or threads");
	return NULL;
}

void kt_cpuset_zero(struct kt_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void kt_cpuset_set(struct kt_cpuset *s, unsigned cpu)
{
	if (cpu < KT_MAX_CPUS)
		s->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

bool kt_cpuset_has(const struct kt_cpuset *s, unsigned cpu)
{
	return cpu < KT_MAX_CPUS && (s->bits[cpu / 64] >> (cpu % 64) & 1);
}

unsigned kt_cpuset_count(const struct kt_cpuset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(s->bits); i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

bool kt_cpuset_equal(const struct kt_cpuset *a, const struct kt_cpuset *b)
{
	return !memcmp(a, b, sizeof(*a));
}

bool kt_cpuset_subset(const struct kt_cpuset *a, const struct kt_cpuset *of)
{
	for (size_t i = 0; i < ARRAY_SIZE(a->bits); i++)
		if (a->bits[i] & ~of->bits[i])
			return false;
	return true;
}

struct kterr *kt_cpulist_parse(const char *s, struct kt_cpuset *out)
{
	const char *p = s;

	kt_cpuset_zero(out);
	if (!*s)
		return kterr_hint(kterr_new(0, "empty CPU list"), "write CPUs like 0-3,6");
	while (*p) {
		const char *e = p + strcspn(p, ",");
		const char *dash = memchr(p, '-', e - p);
		unsigned long lo, hi;

		if (dash ? !parse_uint(p, dash, &lo) || !parse_uint(dash + 1, e, &hi)
			 : !parse_uint(p, e, &lo))
			return kterr_hint(kterr_new(0, "bad CPU list '%s' at '%.*s'", s, (int)(e - p), p),
					  "write CPUs and ranges like 0-3,6");
		if (!dash)
			hi = lo;
		if (hi < lo || hi >= KT_MAX_CPUS)
			return kterr_hint(kterr_new(0, "bad CPU range '%.*s' in '%s'", (int)(e - p), p, s),
					  "a range is LOW-HIGH with LOW <= HIGH < %d", KT_MAX_CPUS);
		for (unsigned long c = lo; c <= hi; c++)
			kt_cpuset_set(out, c);
		p = *e ? e + 1 : e;
		if (*e && !*p)
			return kterr_hint(kterr_new(0, "CPU list '%s' ends with a comma", s),
					  "drop the trailing comma");
	}
	return NULL;
}

const char *kt_cpulist_format(const struct kt_cpuset *s, char *buf, size_t size)
{
	size_t off = 0;

	if (size)
		buf[0] = '\0';
	for (unsigned c = 0; c < KT_MAX_CPUS; c++) {
		unsigned e = c;
		int n;

		if (!kt_cpuset_has(s, c))
			continue;
		while (e + 1 < KT_MAX_CPUS && kt_cpuset_has(s, e + 1))
			e++;
		n = e == c ? snprintf(buf + off, size - off, "%s%u", off ? "," : "", c)
			   : snprintf(buf + off, size - off, "%s%u-%u", off ? "," : "", c, e);
		if (n < 0 || (size_t)n >= size - off)
			return buf;
		off += n;
		c = e;
	}
	return buf;
}

/*
 * Each spec form is one row: its prefix and a function that resolves the
 * rest against a topology. With t == NULL a row checks syntax only.
 */
typedef struct kterr *(*spec_fn)(const char *arg, const struct kt_topology *t,
				 struct kt_cpuset *out);

static void set_range(struct kt_cpuset *out, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c < hi; c++)
		kt_cpuset_set(out, c);
}

static struct kterr *bad_spec(const char *form, const char *arg)
{
	return kterr_hint(kterr_new(0, "bad cpuset spec '%s%s'", form, arg),
			  "write %s", SPEC_FORMS);
}

static struct kterr *spec_block(const char *form, const char *arg, const struct kt_topology *t,
				struct kt_cpuset *out, unsigned count, unsigned size)
{
	unsigned long i;

	if (!parse_uint(arg, arg + strlen(arg), &i))
		return bad_spec(form, arg);
	if (!t)
		return NULL;
	if (i >= count)
		return kterr_hint(kterr_new(0, "cpuset spec '%s%s': the guest has %u %s",
					    form, arg, count, !strcmp(form, "llc:") ? "LLCs" : "NUMA nodes"),
				  "pick %s0..%s%u", form, form, count - 1);
	set_range(out, i * size, (i + 1) * size);
	return NULL;
}

static struct kterr *spec_llc(const char *arg, const struct kt_topology *t, struct kt_cpuset *out)
{
	return spec_block("llc:", arg, t, out, t ? t->numa * t->llcs : 0,
			  t ? t->cores * t->threads : 0);
}

static struct kterr *spec_numa(const char *arg, const struct kt_topology *t, struct kt_cpuset *out)
{
	return spec_block("numa:", arg, t, out, t ? t->numa : 0,
			  t ? t->llcs * t->cores * t->threads : 0);
}

/* range:A-B: the CPUs from fraction A to fraction B of all CPUs. */
static struct kterr *spec_range(const char *arg, const struct kt_topology *t, struct kt_cpuset *out)
{
	const char *dash = strchr(arg, '-');
	double a, b;
	unsigned n;

	if (!dash || !parse_frac(arg, dash, &a) || !parse_frac(dash + 1, dash + strlen(dash), &b) ||
	    b <= a)
		return kterr_hint(kterr_new(0, "bad cpuset spec 'range:%s'", arg),
				  "write range:A-B with fractions 0 <= A < B <= 1, e.g. range:0.0-0.5");
	if (!t)
		return NULL;
	n = kt_topology_cpus(t);
	set_range(out, floor_u(a * n), ceil_u(b * n));
	return NULL;
}

/* I/OF[/FRAC] split out of arg; frac < 0 when absent. */
static bool parse_parts(const char *arg, unsigned long *i, unsigned long *of, double *frac)
{
	const char *s1 = strchr(arg, '/');
	const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	const char *end = arg + strlen(arg);

	*frac = -1;
	if (!s1 || !parse_uint(arg, s1, i) || !parse_uint(s1 + 1, s2 ? s2 : end, of))
		return false;
	if (s2 && !parse_frac(s2 + 1, end, frac))
		return false;
	return *of > 0 && *i < *of;
}

/* disjoint:I/OF: part I of OF equal, non-overlapping parts of all CPUs. */
static struct kterr *spec_disjoint(const char *arg, const struct kt_topology *t,
				   struct kt_cpuset *out)
{
	unsigned long i, of;
	double frac;
	unsigned n;

	if (!parse_parts(arg, &i, &of, &frac) || frac >= 0)
		return kterr_hint(kterr_new(0, "bad cpuset spec 'disjoint:%s'", arg),
				  "write disjoint:I/OF with 0 <= I < OF, e.g. disjoint:0/2");
	if (!t)
		return NULL;
	n = kt_topology_cpus(t);
	if (of > n)
		return kterr_hint(kterr_new(0, "cpuset spec 'disjoint:%s': %lu parts of %u CPUs",
					    arg, of, n), "use at most %u parts", n);
	set_range(out, i * n / of, (i + 1) * n / of);
	return NULL;
}

/* overlap:I/OF/FRAC: part I of OF, grown by FRAC of a part's size into
 * its right-hand neighbour, so neighbouring parts share CPUs. */
static struct kterr *spec_overlap(const char *arg, const struct kt_topology *t,
				  struct kt_cpuset *out)
{
	unsigned long i, of;
	double frac;
	unsigned n, lo, hi;

	if (!parse_parts(arg, &i, &of, &frac) || frac < 0)
		return kterr_hint(kterr_new(0, "bad cpuset spec 'overlap:%s'", arg),
				  "write overlap:I/OF/FRAC with 0 <= I < OF and 0 <= FRAC <= 1, e.g. overlap:0/2/0.5");
	if (!t)
		return NULL;
	n = kt_topology_cpus(t);
	if (of > n)
		return kterr_hint(kterr_new(0, "cpuset spec 'overlap:%s': %lu parts of %u CPUs",
					    arg, of, n), "use at most %u parts", n);
	lo = i * n / of;
	hi = (i + 1) * n / of + ceil_u(frac * n / of);
	set_range(out, lo, hi > n ? n : hi);
	return NULL;
}

static const struct {
	const char *prefix;
	spec_fn fn;
} spec_forms[] = {
	{ "llc:", spec_llc },
	{ "numa:", spec_numa },
	{ "range:", spec_range },
	{ "disjoint:", spec_disjoint },
	{ "overlap:", spec_overlap },
};

static struct kterr *spec_do(const char *spec, const struct kt_topology *t, struct kt_cpuset *out)
{
	struct kt_cpuset tmp;
	struct kterr *e;

	kt_cpuset_zero(out);
	for (size_t i = 0; i < ARRAY_SIZE(spec_forms); i++) {
		size_t n = strlen(spec_forms[i].prefix);

		if (!strncmp(spec, spec_forms[i].prefix, n))
			return spec_forms[i].fn(spec + n, t, out);
	}
	if (spec[0] < '0' || spec[0] > '9')
		return bad_spec("", spec);
	e = kt_cpulist_parse(spec, &tmp);
	if (e) {
		kterr_free(e);
		return bad_spec("", spec);
	}
	if (!t)
		return NULL;
	for (unsigned c = kt_topology_cpus(t); c < KT_MAX_CPUS; c++)
		if (kt_cpuset_has(&tmp, c))
			return kterr_hint(kterr_new(0, "cpuset spec '%s': CPU %u is not in the guest (%u CPUs)",
						    spec, c, kt_topology_cpus(t)),
					  "use CPUs 0-%u", kt_topology_cpus(t) - 1);
	*out = tmp;
	return NULL;
}

struct kterr *kt_cpuset_spec_check(const char *spec)
{
	struct kt_cpuset s;

	return spec_do(spec, NULL, &s);
}

struct kterr *kt_cpuset_resolve(const char *spec, const struct kt_topology *t,
				struct kt_cpuset *out)
{
	struct kterr *e = spec_do(spec, t, out);

	if (!e && !kt_cpuset_count(out))
		e = kterr_hint(kterr_new(0, "cpuset spec '%s' resolves to no CPU on %u CPUs",
					 spec, kt_topology_cpus(t)), "pick a wider range");
	return e;
}
