/* compare.c - see compare.h. */
#include "engine/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void kt_cmp_init(struct kt_cmp_recipe *c, const char *recipe)
{
	memset(c, 0, sizeof(*c));
	c->recipe = strdup(recipe ? recipe : "");
}

void kt_cmp_add_run(struct kt_cmp_recipe *c, int side, const char *outcome, const char *why,
		    const struct json_object *results, const struct json_object *timeline)
{
	struct kt_cmp_run *r = realloc(c->runs, (c->nruns + 1) * sizeof(*r)), *run;
	int index = 1;

	if (!r)
		return;
	c->runs = r;
	for (size_t i = 0; i < c->nruns; i++)
		index += r[i].side == side;
	run = &r[c->nruns++];
	memset(run, 0, sizeof(*run));
	run->side = side;
	run->index = index;
	run->outcome = strdup(outcome ? outcome : "?");
	if (why)
		run->why = strdup(why);
	if (outcome && !strcmp(outcome, "PASS")) {
		struct kterr *e = results ? kt_run_metrics_read(results, timeline, &run->m) : NULL;

		if (!results && !run->why)
			run->why = strdup("no results");
		else if (e && !run->why)
			run->why = kterr_strdup(e);
		run->used = results && !e;
		kterr_free(e);
	}
}

/* The row for (group, metric), added when new. */
static struct kt_cmp_row *row(struct kt_cmp_recipe *c, const char *group, const char *metric,
			      const char *unit)
{
	struct kt_cmp_row *r;

	for (size_t i = 0; i < c->nrows; i++) {
		r = &c->rows[i];
		if (!strcmp(r->metric, metric) && (group ? r->group && !strcmp(r->group, group)
						       : !r->group))
			return r;
	}
	r = realloc(c->rows, (c->nrows + 1) * sizeof(*r));
	if (!r)
		return NULL;
	c->rows = r;
	r = &r[c->nrows];
	memset(r, 0, sizeof(*r));
	r->group = group ? strdup(group) : NULL;
	r->metric = strdup(metric);
	r->unit = unit;
	if (!r->metric)
		return NULL;
	c->nrows++;
	return r;
}

static void push(struct kt_cmp_row *r, int side, double v)
{
	struct kt_cmp_side_stats *s = &r->s[side];
	double *nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

	if (nv) {
		s->v = nv;
		nv[s->n++] = v;
	}
}

static const char *verdict(const struct kt_cmp_row *r)
{
	if (!r->s[0].n || !r->s[1].n)
		return "one side has no values";
	if (!r->w.ok)
		return "too few runs to test";
	if (r->s[0].sd == 0 && r->s[1].sd == 0 && r->s[0].mean == r->s[1].mean)
		return "the same in every run";
	return r->w.p < KT_CMP_ALPHA ? "differs" : "no evidence of a difference";
}

void kt_cmp_finish(struct kt_cmp_recipe *c)
{
	for (size_t i = 0; i < c->nruns; i++) {
		const struct kt_cmp_run *run = &c->runs[i];

		if (!run->used)
			continue;
		for (size_t g = 0; g < run->m.ngroups; g++) {
			const struct kt_group_metrics *gm = &run->m.groups[g];

			for (int m = 0; m < KT_M_N; m++) {
				const struct kt_metric_def *d = &kt_metric_defs[m];
				struct kt_cmp_row *r;

				if (gm->have[m] && (r = row(c, gm->cgroup, d->name, d->unit)))
					push(r, run->side, gm->v[m] / d->scale);
			}
		}
		for (size_t k = 0; k < run->m.nscx; k++) {
			struct kt_cmp_row *r = row(c, NULL, run->m.scx[k].name, "");

			if (r)
				push(r, run->side, run->m.scx[k].v);
		}
	}
	for (size_t i = 0; i < c->nrows; i++) {
		struct kt_cmp_row *r = &c->rows[i];

		for (int s = 0; s < 2; s++) {
			r->s[s].mean = kt_mean(r->s[s].v, r->s[s].n);
			r->s[s].sd = kt_stddev(r->s[s].v, r->s[s].n);
		}
		r->has_ratio = r->s[0].n && r->s[1].n && r->s[0].mean != 0;
		if (r->has_ratio)
			r->ratio = r->s[1].mean / r->s[0].mean;
		r->w = kt_welch_test(r->s[0].v, r->s[0].n, r->s[1].v, r->s[1].n);
		r->verdict = verdict(r);
	}
}

void kt_cmp_free(struct kt_cmp_recipe *c)
{
	for (size_t i = 0; i < c->nruns; i++) {
		free(c->runs[i].outcome);
		free(c->runs[i].why);
		kt_run_metrics_free(&c->runs[i].m);
	}
	for (size_t i = 0; i < c->nrows; i++) {
		free(c->rows[i].group);
		free(c->rows[i].metric);
		free(c->rows[i].s[0].v);
		free(c->rows[i].s[1].v);
	}
	free(c->runs);
	free(c->rows);
	free(c->recipe);
	memset(c, 0, sizeof(*c));
}

static size_t used(const struct kt_cmp_recipe *c, int side, size_t *total)
{
	size_t n = 0;

	*total = 0;
	for (size_t i = 0; i < c->nruns; i++) {
		if (c->runs[i].side != side)
			continue;
		(*total)++;
		n += c->runs[i].used;
	}
	return n;
}

static void fmt_stats(char *buf, size_t size, const struct kt_cmp_side_stats *s)
{
	if (!s->n)
		snprintf(buf, size, "-");
	else if (s->n == 1)
		snprintf(buf, size, "%.4g", s->mean);
	else
		snprintf(buf, size, "%.4g ± %.3g", s->mean, s->sd);
}

void kt_cmp_print(const struct kt_cmp_recipe *c, const struct kt_cmp_side sides[2], FILE *f)
{
	size_t total[2], n[2] = { used(c, 0, &total[0]), used(c, 1, &total[1]) };
	char a[64], b[64], ratio[32], p[32];

	fprintf(f, "\n== %s\n", c->recipe);
	for (int s = 0; s < 2; s++)
		fprintf(f, "  %s = %s: %zu of %zu runs used\n", sides[s].label, sides[s].what, n[s],
			total[s]);
	for (size_t i = 0; i < c->nruns; i++)
		if (!c->runs[i].used)
			fprintf(f, "  excluded: %s run %d: %s%s%s\n", sides[c->runs[i].side].label,
				c->runs[i].index, c->runs[i].outcome, c->runs[i].why ? ": " : "",
				c->runs[i].why ? c->runs[i].why : "");
	fprintf(f, "  mean ± sample stddev per side; B/A = mean B / mean A; p: %s, "
		"alpha %.2f\n", KT_STATS_TEST_NAME, KT_CMP_ALPHA);
	if (!c->nrows) {
		fprintf(f, "  no numbers to compare: no run on either side reported workers\n");
		return;
	}
	fprintf(f, "  %-12s %-18s %-7s %-22s %-22s %8s %8s  %s\n", "group", "metric", "unit",
		"A", "B", "B/A", "p", "verdict");
	for (size_t i = 0; i < c->nrows; i++) {
		const struct kt_cmp_row *r = &c->rows[i];

		fmt_stats(a, sizeof(a), &r->s[0]);
		fmt_stats(b, sizeof(b), &r->s[1]);
		if (r->has_ratio)
			snprintf(ratio, sizeof(ratio), "%.3f", r->ratio);
		else
			snprintf(ratio, sizeof(ratio), "-");
		if (r->w.ok)
			snprintf(p, sizeof(p), "%.3g", r->w.p);
		else
			snprintf(p, sizeof(p), "-");
		/* "±" is 2 bytes and one column: widen its fields by one. */
		fprintf(f, "  %-12s %-18s %-7s %-*s %-*s %8s %8s  %s\n",
			r->group ? r->group : "(sched_ext)", r->metric, *r->unit ? r->unit : "-",
			22 + (r->s[0].n > 1), a, 22 + (r->s[1].n > 1), b, ratio, p, r->verdict);
	}
	if (n[0] < KT_CMP_FEW_RUNS || n[1] < KT_CMP_FEW_RUNS)
		fprintf(f, "  note: %zu and %zu runs: with fewer than %d a side %s has little power; "
			"\"no evidence\" is not evidence of no difference, and a p < %.2f from so "
			"few runs is worth confirming with more (--runs)\n", n[0], n[1],
			KT_CMP_FEW_RUNS, KT_STATS_TEST_NAME, KT_CMP_ALPHA);
}

static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.17g", v);
	else
		fputs("null", f);
}

static void json_side(FILE *f, const struct kt_cmp_side_stats *s)
{
	fprintf(f, "{\"n\": %zu, \"mean\": ", s->n);
	if (s->n)
		json_num(f, s->mean);
	else
		fputs("null", f);
	fputs(", \"stddev\": ", f);
	if (s->n > 1)
		json_num(f, s->sd);
	else
		fputs("null", f);
	fputs(", \"values\": [", f);
	for (size_t i = 0; i < s->n; i++) {
		fputs(i ? ", " : "", f);
		json_num(f, s->v[i]);
	}
	fputs("]}", f);
}

void kt_cmp_json(const struct kt_cmp_recipe *c, const struct kt_cmp_side sides[2], FILE *f)
{
	fputs("{\"recipe\": ", f);
	kt_json_string(f, c->recipe);
	fputs(", \"sides\": [", f);
	for (int s = 0; s < 2; s++) {
		fprintf(f, "%s{\"label\": ", s ? ", " : "");
		kt_json_string(f, sides[s].label);
		fputs(", \"what\": ", f);
		kt_json_string(f, sides[s].what);
		fputc('}', f);
	}
	fprintf(f, "], \"test\": \"%s\", \"alpha\": %.2f, \"runs\": [", KT_STATS_TEST_NAME,
		KT_CMP_ALPHA);
	for (size_t i = 0; i < c->nruns; i++) {
		const struct kt_cmp_run *r = &c->runs[i];

		fprintf(f, "%s\n  {\"side\": \"%s\", \"run\": %d, \"outcome\": ", i ? "," : "",
			sides[r->side].label, r->index);
		kt_json_string(f, r->outcome);
		fputs(", \"why\": ", f);
		if (r->why)
			kt_json_string(f, r->why);
		else
			fputs("null", f);
		fprintf(f, ", \"used\": %s}", r->used ? "true" : "false");
	}
	fputs("], \"rows\": [", f);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct kt_cmp_row *r = &c->rows[i];

		fprintf(f, "%s\n  {\"group\": ", i ? "," : "");
		if (r->group)
			kt_json_string(f, r->group);
		else
			fputs("null", f);
		fputs(", \"metric\": ", f);
		kt_json_string(f, r->metric);
		fputs(", \"unit\": ", f);
		kt_json_string(f, r->unit);
		fputs(", \"a\": ", f);
		json_side(f, &r->s[0]);
		fputs(", \"b\": ", f);
		json_side(f, &r->s[1]);
		fputs(", \"ratio\": ", f);
		if (r->has_ratio)
			json_num(f, r->ratio);
		else
			fputs("null", f);
		fputs(", \"t\": ", f);
		if (r->w.ok)
			json_num(f, r->w.t);
		else
			fputs("null", f);
		fputs(", \"df\": ", f);
		if (r->w.ok)
			json_num(f, r->w.df);
		else
			fputs("null", f);
		fputs(", \"p\": ", f);
		if (r->w.ok)
			json_num(f, r->w.p);
		else
			fputs("null", f);
		fputs(", \"verdict\": ", f);
		kt_json_string(f, r->verdict);
		fputc('}', f);
	}
	fputs("\n]}", f);
}
