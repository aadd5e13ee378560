/*
 * cmd-compare.c - `ktcon compare`: each recipe N times under two sides
 * (two schedulers, two kernels or two argument sets), then a table per
 * recipe of the worker groups' numbers, mean and spread per side, the
 * ratio B/A and Welch's t-test (engine/compare.h), `--json` with the same
 * numbers, `--plot DIR` charts (tui/plot.h).
 *
 * The runs go through `ktcon run`'s machinery (tui/run-batch.h): the same
 * guests, events, signals and results. They alternate A1 B1 A2 B2 ... so
 * that a host getting busier weighs on both sides alike. `--from A.json
 * --from B.json` compares two saved `ktcon run --json` files instead of
 * running anything.
 */
#include "tui/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compare.h"
#include "engine/timeline.h"
#include "lib/timeouts.h"
#include "lib/util.h"
#include "tui/plot.h"
#include "tui/run-batch.h"

static const char usage_text[] =
	"usage: ktcon compare (--scheduler A --scheduler B | --kernel K1 --kernel K2 |\n"
	"                      --args ARGS1 --args ARGS2) [--runs N] [-j N] [--json FILE]\n"
	"                     [--plot DIR] [--accel auto|kvm|tcg] [--timeout-scale F]\n"
	"                     [--verbose] RECIPE...\n"
	"       ktcon compare --from A.json --from B.json [--json FILE] [--plot DIR] [RECIPE...]\n"
	"\n"
	"Runs each recipe N times (default 3) under side A and side B, alternating,\n"
	"and prints a table per recipe: each worker group's throughput, wake latency\n"
	"p50/p99/max, run delay, migrations and fairness (Jain's index), and the\n"
	"sched_ext counters at the end; per side the mean and sample stddev, the ratio\n"
	"B/A and Welch's two-sided t-test (p, alpha 0.05). An option given once applies\n"
	"to both sides. A run that fails is listed and left out of the numbers; then\n"
	"the exit status is 1. --from compares two saved `ktcon run --json` files.\n"
	"See ktcon(1), COMPARE.\n";

/* One option's values: 0, 1 (both sides) or 2 (A, B). */
struct two {
	const char *v[2];
	int n;
};

struct cmp_opts {
	struct two sched, kernel, args, from;
	struct run_opts run;	/* the options both sides share */
	const char *json, *plot;
	int runs;
};

static const char *side_val(const struct two *t, int side)
{
	return t->n ? t->v[t->n > 1 ? side : 0] : NULL;
}

static struct kterr *add_two(struct two *t, const char *flag, const char *v)
{
	if (t->n == 2)
		return kterr_hint(kterr_new(EINVAL, "%s given three times: a comparison has two "
					    "sides", flag), "give it once (both sides) or twice "
				  "(A, then B)");
	t->v[t->n++] = v;
	return NULL;
}

static struct kterr *parse(int argc, char **argv, struct cmp_opts *o, bool *help)
{
	static const struct option opts[] = {
		{ "scheduler", required_argument, NULL, 'S' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "args", required_argument, NULL, 'A' },
		{ "from", required_argument, NULL, 'F' },
		{ "runs", required_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", required_argument, NULL, 'J' },
		{ "plot", required_argument, NULL, 'p' },
		{ "accel", required_argument, NULL, 'a' },
		{ "timeout-scale", required_argument, NULL, 'X' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->runs = 3;
	o->run.jobs = 1;
	o->run.quiet = true;
	o->run.rate_hz = KT_TL_DEFAULT_HZ;	/* the timeline: throughput, charts, counters */
	*help = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
		struct kterr *e = NULL;
		char *end;
		long n;

		switch (c) {
		case 'S': e = add_two(&o->sched, "--scheduler", optarg); break;
		case 'k': e = add_two(&o->kernel, "--kernel", optarg); break;
		case 'A': e = add_two(&o->args, "--args", optarg); break;
		case 'F': e = add_two(&o->from, "--from", optarg); break;
		case 'n':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 100)
				e = kterr_new(EINVAL, "--runs '%s' is not a number of runs (1-100)",
					      optarg);
			o->runs = (int)n;
			break;
		case 'j':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 64)
				e = kterr_new(EINVAL, "-j '%s' is not a number of guests (1-64)", optarg);
			o->run.jobs = (int)n;
			break;
		case 'J': o->json = optarg; break;
		case 'p': o->plot = optarg; break;
		case 'a': e = accel_parse(optarg, &o->run.accel); break;
		case 'X': e = kt_scale_from_flag(optarg); break;
		case 'v': o->run.verbose = true; o->run.quiet = false; break;
		case 'h': *help = true; break;
		default:
			e = kterr_new(EINVAL, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
		if (e)
			return e;
	}
	if (*help)
		return NULL;
	if (o->from.n) {
		if (o->from.n != 2)
			return kterr_hint(kterr_new(EINVAL, "--from needs two files"),
					  "--from A.json --from B.json: saved `ktcon run --json` "
					  "results of side A and side B");
		if (o->sched.n || o->kernel.n || o->args.n)
			return kterr_new(EINVAL, "--from compares saved results: --scheduler, "
					 "--kernel and --args do not apply");
		return NULL;
	}
	if (o->sched.n < 2 && o->kernel.n < 2 && o->args.n < 2)
		return kterr_hint(kterr_new(EINVAL, "no two sides to compare"),
				  "give --scheduler, --kernel or --args twice: A, then B");
	if (optind >= argc)
		return kterr_new(EINVAL, "no recipe given");
	return NULL;
}

/* The scheduler saved results ran under: the first `scheduler` or
 * `attach-scheduler` statement of the first run that has statements. */
static const char *saved_scheduler(const struct json_object *arr)
{
	static const char *const forms[] = { "scheduler ", "attach-scheduler " };

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *res, *stmts, *text;

		if (!json_object_object_get_ex(json_object_array_get_idx(arr, i), "results", &res) ||
		    !json_object_object_get_ex(res, "statements", &stmts) ||
		    !json_object_is_type(stmts, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(stmts); k++) {
			const char *t;

			if (!json_object_object_get_ex(json_object_array_get_idx(stmts, k),
						       "statement", &text) ||
			    !(t = json_object_get_string(text)))
				continue;
			for (size_t f = 0; f < ARRAY_SIZE(forms); f++)
				if (!strncmp(t, forms[f], strlen(forms[f])))
					return t + strlen(forms[f]);
		}
	}
	return NULL;
}

/* "scx_qmap, kernel 7.3, args '-T 5'": what side s runs with; for saved
 * results, the scheduler they name and the file. */
static char *side_what(const struct cmp_opts *o, int s, const struct json_object *saved)
{
	const char *sc = side_val(&o->sched, s), *k = side_val(&o->kernel, s);
	const char *a = side_val(&o->args, s);

	if (o->from.n) {
		const char *name = saved_scheduler(saved);

		return name ? kt_strfmt("%.*s (%s)", (int)strcspn(name, " "), name, o->from.v[s])
			    : kt_strfmt("%s", o->from.v[s]);
	}
	return kt_strfmt("%s%s%s%s%s%s%s", sc ? sc : "the recipe's scheduler",
			 k ? ", kernel " : "", k ? k : "", a ? ", args '" : "", a ? a : "",
			 a ? "'" : "", "");
}

/* A run of one side, whatever produced it. */
struct run_rec {
	const char *recipe;
	int side;
	const char *outcome;
	const char *why;
	struct json_object *results;	/* owned; NULL when none */
	struct json_object *timeline;	/* owned; NULL when none */
};

static struct json_object *parse_text(const char *text)
{
	struct json_object *v = NULL;
	struct kterr *e = text ? kjson_parse(text, strlen(text), &v) : NULL;

	kterr_free(e);
	return v;
}

/* The kernel release a run's guest said in its HELLO ("" when it never
 * booted): with --kernel, each run line says which kernel it ran on. */
static void release_of(const char *guest, char *out, size_t size)
{
	struct json_object *g = parse_text(guest), *r = kjson_get(g, "release");

	snprintf(out, size, "%s", r && json_object_is_type(r, json_type_string) ?
		 json_object_get_string(r) : "");
	json_object_put(g);
}

/* The runs of a saved `ktcon run --json` file into recs (appending). */
static struct kterr *load_saved(const char *path, int side, struct json_object **keep,
				struct run_rec **recs, size_t *n)
{
	char *text = NULL;
	size_t len = 0;
	struct kterr *e = kt_read_file(path, (size_t)1 << 28, &text, &len);
	struct json_object *arr = NULL;

	if (!e)
		e = kjson_parse(text, len, &arr);
	free(text);
	if (e)
		return kterr_wrap(e, "--from %s", path);
	if (!json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return kterr_hint(kterr_new(EINVAL, "--from %s: not a JSON array", path),
				  "give the file `ktcon run --json FILE` wrote");
	}
	*keep = arr;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *it = json_object_array_get_idx(arr, i), *v;
		struct run_rec *r = realloc(*recs, (*n + 1) * sizeof(*r));

		if (!r)
			return kterr_new(ENOMEM, "--from %s", path);
		*recs = r;
		r = &r[(*n)++];
		memset(r, 0, sizeof(*r));
		r->side = side;
		r->recipe = json_object_object_get_ex(it, "recipe", &v) ? json_object_get_string(v)
									: "?";
		r->outcome = json_object_object_get_ex(it, "outcome", &v) ?
			json_object_get_string(v) : "?";
		r->why = json_object_object_get_ex(it, "why", &v) && v ? json_object_get_string(v)
								      : NULL;
		if (json_object_object_get_ex(it, "results", &v) && v)
			r->results = json_object_get(v);
		if (json_object_object_get_ex(it, "timeline", &v) && v)
			r->timeline = json_object_get(v);
	}
	return NULL;
}

static bool wanted(const char *recipe, char **names, int n)
{
	if (!n)
		return true;
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], recipe))
			return true;
	return false;
}

/* Report and chart each recipe's comparison. Returns true when every run
 * passed. */
static bool report(const struct cmp_opts *o, struct run_rec *recs, size_t n,
		   const struct kt_cmp_side sides[2], FILE *jf)
{
	bool all_ok = true, first = true;

	for (size_t i = 0; i < n; i++) {
		struct kt_cmp_recipe c;
		struct json_object *tl[2] = { 0 };
		size_t k;

		for (k = 0; k < i && strcmp(recs[k].recipe, recs[i].recipe); k++)
			;
		if (k < i)	/* reported with its first run */
			continue;
		kt_cmp_init(&c, recs[i].recipe);
		for (size_t j = i; j < n; j++) {
			if (strcmp(recs[j].recipe, recs[i].recipe))
				continue;
			kt_cmp_add_run(&c, recs[j].side, recs[j].outcome, recs[j].why,
				       recs[j].results, recs[j].timeline);
			if (!c.runs[c.nruns - 1].used)
				all_ok = false;
			else if (!tl[recs[j].side])
				tl[recs[j].side] = recs[j].timeline;
		}
		kt_cmp_finish(&c);
		kt_cmp_print(&c, sides, stdout);
		if (jf) {
			fputs(first ? "" : ",\n", jf);
			kt_cmp_json(&c, sides, jf);
			first = false;
		}
		if (o->plot) {
			plot_compare(o->plot, &c, sides, stdout);
			for (int s = 0; s < 2; s++) {
				char *suffix = kt_strfmt("%s.timeline.svg", sides[s].label);
				char *path = suffix ? plot_path(o->plot, c.recipe, suffix) : NULL;
				char *title = kt_strfmt("%s, %s = %s", c.recipe, sides[s].label,
							sides[s].what);

				if (path && title && tl[s])
					plot_timeline(o->plot, strrchr(path, '/') + 1, title, tl[s],
						      stdout);
				else if (path && title)
					printf("plot: %s: no used run with a timeline: no timeline "
					       "chart\n", title);
				free(suffix);
				free(path);
				free(title);
			}
		}
		kt_cmp_free(&c);
	}
	return all_ok;
}

static int cmd_compare_exec(int argc, char **argv)
{
	struct cmp_opts o;
	bool help;
	struct kterr *e = parse(argc, argv, &o, &help);
	struct run_opts side_opts[2];
	struct kt_cmp_side sides[2] = { { "A", NULL }, { "B", NULL } };
	char *what[2] = { 0 };
	struct run_rec *recs = NULL;
	struct run_item *items = NULL;
	struct json_object *saved[2] = { 0 };
	size_t n = 0;
	int sig = 0, rc = KTCMD_OK;
	FILE *jf = NULL;

	if (e || help) {
		if (e) {
			char *m = kterr_strdup(e);

			fprintf(stderr, "ktcon compare: %s\n", m ? m : "bad arguments");
			free(m);
			kterr_free(e);
		}
		fputs(usage_text, e ? stderr : stdout);
		return e ? KTCMD_USAGE : KTCMD_OK;
	}
	if (o.from.n)
		for (int s = 0; s < 2 && !e; s++)
			e = load_saved(o.from.v[s], s, &saved[s], &recs, &n);
	for (int s = 0; s < 2; s++) {
		what[s] = side_what(&o, s, saved[s]);
		sides[s].what = what[s] ? what[s] : "?";
		side_opts[s] = o.run;
		side_opts[s].scheduler = side_val(&o.sched, s);
		side_opts[s].kernel = side_val(&o.kernel, s);
		side_opts[s].sched_args = side_val(&o.args, s);
	}
	if (o.from.n) {
		/* Only the recipes asked for, when some were named. */
		size_t kept = 0;
		for (size_t i = 0; i < n; i++) {
			if (wanted(recs[i].recipe, argv + optind, argc - optind)) {
				recs[kept++] = recs[i];
			} else {
				json_object_put(recs[i].results);
				json_object_put(recs[i].timeline);
			}
		}
		n = kept;
	} else {
		size_t nrec = (size_t)(argc - optind);

		n = nrec * (size_t)o.runs * 2;
		items = calloc(n, sizeof(*items));
		recs = calloc(n, sizeof(*recs));
		if (!items || !recs)
			e = kterr_new(ENOMEM, "compare: %zu runs", n);
		for (size_t i = 0; !e && i < n; i++) {	/* recipe, run, side: A1 B1 A2 B2 */
			items[i].path = argv[optind + i / ((size_t)o.runs * 2)];
			items[i].o = &side_opts[i % 2];
		}
		if (!e) {
			printf("compare: %zu recipe%s, %d run%s each under A = %s and B = %s, "
			       "on %d guest%s at a time\n", nrec, nrec > 1 ? "s" : "", o.runs,
			       o.runs > 1 ? "s" : "", sides[0].what, sides[1].what, o.run.jobs,
			       o.run.jobs > 1 ? "s" : "");
			fflush(stdout);
			sig = run_batch(items, n, o.run.jobs, false);
		}
		for (size_t i = 0; !e && i < n; i++) {
			char d[32];

			recs[i] = (struct run_rec){
				.recipe = items[i].path, .side = (int)(i % 2),
				.outcome = run_outcome_names[items[i].outcome], .why = items[i].why,
				.results = parse_text(items[i].json),
				.timeline = parse_text(items[i].timeline),
			};
			char rel[160];

			release_of(items[i].guest, rel, sizeof(rel));
			printf("  %s run %zu of %s: %s (%s%s%s)%s%s\n", sides[i % 2].label,
			       (i % ((size_t)o.runs * 2)) / 2 + 1, items[i].path,
			       recs[i].outcome, kt_fmt_duration(items[i].ns, d, sizeof(d)),
			       rel[0] ? ", " : "", rel, items[i].why ? ": " : "",
			       items[i].why ? items[i].why : "");
		}
	}
	if (e) {
		char *m = kterr_strdup(e);

		fprintf(stderr, "ktcon compare: %s\n", m ? m : "failed");
		free(m);
		kterr_free(e);
		rc = KTCMD_FAIL;
		goto out;
	}
	if (o.json && !(jf = fopen(o.json, "w")))
		fprintf(stderr, "ktcon compare: cannot write %s: %s\n", o.json, strerror(errno));
	if (jf)
		fputs("[\n", jf);
	if (!report(&o, recs, n, sides, jf))
		rc = KTCMD_FAIL;
	if (jf) {
		fputs("\n]\n", jf);
		if (fclose(jf)) {
			fprintf(stderr, "ktcon compare: writing %s failed\n", o.json);
			rc = KTCMD_FAIL;
		}
	}
	if (!n) {
		fprintf(stderr, "ktcon compare: no runs to compare\n");
		rc = KTCMD_FAIL;
	}
	fflush(stdout);
out:
	for (size_t i = 0; i < n && recs; i++) {
		json_object_put(recs[i].results);
		json_object_put(recs[i].timeline);
	}
	for (size_t i = 0; items && i < n; i++)
		run_item_clear(&items[i]);
	json_object_put(saved[0]);
	json_object_put(saved[1]);
	free(items);
	free(recs);
	free(what[0]);
	free(what[1]);
	return sig > 0 ? 128 + sig : rc;
}

const struct ktcmd_entry ktcmd_compare_entry = {
	.name = "compare",
	.usage = "compare --scheduler A --scheduler B [--runs N] [--json FILE] [--plot DIR] "
		 "[-j N] RECIPE...",
	.summary = "run recipes under two schedulers, kernels or argument sets and compare",
	.exec = cmd_compare_exec,
};
