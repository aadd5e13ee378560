/* plot.c - see plot.h. */
#include "tui/plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/svg.h"
#include "lib/kjson.h"
#include "lib/util.h"

static const char *const side_color[2] = { "#4477aa", "#ee7733" };

char *plot_path(const char *dir, const char *recipe, const char *suffix)
{
	const char *b = strrchr(recipe, '/');
	size_t len;

	b = b ? b + 1 : recipe;
	len = strlen(b);
	if (len > 7 && !strcmp(b + len - 7, ".recipe"))
		len -= 7;
	return kt_strfmt("%s/%.*s.%s", dir, (int)len, b, suffix);
}

static FILE *open_chart(const char *dir, const char *path, FILE *msgs)
{
	FILE *f;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(msgs, "plot: cannot make %s: %s\n", dir, strerror(errno));
		return NULL;
	}
	if (!(f = fopen(path, "w")))
		fprintf(msgs, "plot: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

static int close_chart(FILE *f, const char *path, FILE *msgs)
{
	if (ferror(f) | fclose(f)) {
		fprintf(msgs, "plot: writing %s failed\n", path);
		return -1;
	}
	fprintf(msgs, "plot: wrote %s\n", path);
	return 0;
}

static size_t alen(const struct json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static double num(const struct json_object *o, const char *key)
{
	struct json_object *v = kjson_get(o, key);

	return v && (json_object_is_type(v, json_type_int) ||
		     json_object_is_type(v, json_type_double)) ? json_object_get_double(v) : 0;
}

static const char *str(const struct json_object *o, const char *key)
{
	struct json_object *v = kjson_get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* ---- timeline: a panel per CPU, events as markers ---- */

bool plot_marks(const char *kind)
{
	/* An op is marked where it starts: its end is a hair later at this
	 * scale, and a second label would hide the next op's. */
	return !kind || strcmp(kind, "op-end");
}

enum { TL_W = 960, TL_LEFT = 80, TL_RIGHT = 20, TL_TOP = 190, TL_PANEL = 90, TL_GAP = 24 };

static void timeline_body(FILE *f, const char *title, const struct json_object *samples,
			  const struct json_object *events, size_t ncpu, double tmax)
{
	size_t ns = alen(samples), ne = alen(events);
	double ymax = 1, plot_w = TL_W - TL_LEFT - TL_RIGHT;
	double *xs = calloc(ns ? ns : 1, sizeof(*xs)), *ys = calloc(ns ? ns : 1, sizeof(*ys));
	int height = TL_TOP + (int)ncpu * (TL_PANEL + TL_GAP) + 30;
	double lx = -100;	/* the last marker label's x */
	char buf[160];

	for (size_t i = 0; i < ns; i++) {
		const struct json_object *cpu = kjson_get(json_object_array_get_idx(samples, i), "cpu");

		for (size_t c = 0; c < alen(cpu); c++) {
			double v = num(json_object_array_get_idx(cpu, c), "nr_running");

			ymax = v > ymax ? v : ymax;
		}
	}
	svg_begin(f, TL_W, height, title);
	svg_text(f, TL_LEFT, 20, "start", "h", title);
	snprintf(buf, sizeof(buf), "nr_running per CPU over %.2f s; dashed: timeline events", tmax / 1e9);
	svg_text(f, TL_LEFT, 36, "start", "s", buf);
#define X(t) (TL_LEFT + (tmax > 0 ? (t) / tmax : 0) * plot_w)
	for (size_t c = 0; c < ncpu; c++) {
		double top = TL_TOP + (double)c * (TL_PANEL + TL_GAP), bot = top + TL_PANEL;
		size_t n = 0;

		snprintf(buf, sizeof(buf), "CPU %zu", c);
		svg_text(f, TL_LEFT - 8, top + TL_PANEL / 2.0, "end", "t", buf);
		svg_line(f, TL_LEFT, bot, TL_W - TL_RIGHT, bot, "#888", NULL);
		svg_line(f, TL_LEFT, top, TL_LEFT, bot, "#888", NULL);
		snprintf(buf, sizeof(buf), "%.0f", ymax);
		svg_text(f, TL_LEFT - 4, top + 8, "end", "s", buf);
		for (size_t i = 0; i < ns && xs && ys; i++) {
			const struct json_object *s = json_object_array_get_idx(samples, i);
			const struct json_object *cpu = kjson_get(s, "cpu");

			if (c >= alen(cpu))
				continue;
			xs[n] = X(num(s, "t_ns"));
			ys[n] = bot - num(json_object_array_get_idx(cpu, c), "nr_running") / ymax *
				(TL_PANEL - 4);
			n++;
		}
		svg_polyline(f, xs, ys, n, side_color[0]);
	}
	for (size_t i = 0; i < ne; i++) {
		const struct json_object *ev = json_object_array_get_idx(events, i);
		const char *kind = str(ev, "kind"), *text = str(ev, "text");
		double x = X(num(ev, "t_ns")), line = num(ev, "line");
		char *label;

		if (!plot_marks(kind))
			continue;

		svg_line(f, x, TL_TOP - 6, x, TL_TOP + (double)ncpu * (TL_PANEL + TL_GAP), "#aa3377",
			 "4 3");
		if (line > 0)
			label = kt_strfmt("%.0f: %s", line, text ? text : kind ? kind : "event");
		else
			label = kt_strfmt("%s", text ? text : kind ? kind : "event");
		if (label && strlen(label) > 28)	/* what fits above the panels */
			strcpy(label + 25, "...");
		/* Labels of events close in time would print over each other:
		 * each goes at least a line's height right of the one before,
		 * its marker staying at its time. */
		lx = x + 3 > lx + 11 ? x + 3 : lx + 11;
		svg_vtext(f, lx, TL_TOP - 10, "s", label ? label : "event");
		free(label);
	}
#undef X
	snprintf(buf, sizeof(buf), "%.2f s", tmax / 1e9);
	svg_text(f, TL_W - TL_RIGHT, height - 10, "end", "s", buf);
	svg_text(f, TL_LEFT, height - 10, "start", "s", "0 s");
	svg_end(f);
	free(xs);
	free(ys);
}

int plot_timeline(const char *dir, const char *name, const char *title,
		  const struct json_object *tl, FILE *msgs)
{
	const struct json_object *samples = kjson_get(tl, "samples"), *events = kjson_get(tl, "events");
	size_t ncpu = (size_t)num(tl, "cpus");
	double tmax = 0;
	char *path;
	FILE *f;
	int rc;

	if (!tl || !alen(samples)) {
		fprintf(msgs, "plot: %s: the timeline has no samples: no timeline chart\n", title);
		return 0;
	}
	for (size_t i = 0; i < alen(samples); i++) {
		const struct json_object *s = json_object_array_get_idx(samples, i);
		double t = num(s, "t_ns");

		ncpu = alen(kjson_get(s, "cpu")) > ncpu ? alen(kjson_get(s, "cpu")) : ncpu;
		tmax = t > tmax ? t : tmax;
	}
	for (size_t i = 0; i < alen(events); i++) {
		double t = num(json_object_array_get_idx(events, i), "t_ns");

		tmax = t > tmax ? t : tmax;
	}
	if (ncpu > 512)	/* a chart, not a wall */
		ncpu = 512;
	if (!(path = kt_strfmt("%s/%s", dir, name)))
		return -1;
	if (!(f = open_chart(dir, path, msgs))) {
		free(path);
		return -1;
	}
	timeline_body(f, title, samples, events, ncpu, tmax);
	rc = close_chart(f, path, msgs);
	free(path);
	return rc;
}

int plot_run_timeline(const char *dir, const char *recipe, size_t rep, const char *timeline_json,
		      FILE *msgs)
{
	struct json_object *res = NULL;
	struct kterr *e;
	char *path, *suffix, *name;
	int rc;

	if (!timeline_json) {
		fprintf(msgs, "plot: %s: no timeline (--no-timeline, or it never ran): no timeline "
			"chart\n", recipe);
		return 0;
	}
	e = kjson_parse(timeline_json, strlen(timeline_json), &res);
	if (e) {
		char *m = kterr_strdup(e);

		fprintf(msgs, "plot: %s: %s\n", recipe, m ? m : "bad timeline");
		free(m);
		kterr_free(e);
		return -1;
	}
	suffix = rep ? kt_strfmt("%zu.timeline.svg", rep + 1) : kt_strfmt("timeline.svg");
	path = suffix ? plot_path(dir, recipe, suffix) : NULL;
	name = path ? strrchr(path, '/') + 1 : NULL;
	rc = name ? plot_timeline(dir, name, recipe, res, msgs) : -1;
	free(suffix);
	free(path);
	json_object_put(res);
	return rc;
}

/* ---- compare: per group, bars A beside B ---- */

static const char *const bar_metrics[] = { "throughput", "wake_p50", "wake_p99", "wake_max" };
enum { CP_PW = 210, CP_PH = 190, CP_LEFT = 20, CP_TOP = 90 };

static const struct kt_cmp_row *find_row(const struct kt_cmp_recipe *c, const char *group,
					 const char *metric)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].group && !strcmp(c->rows[i].group, group) &&
		    !strcmp(c->rows[i].metric, metric))
			return &c->rows[i];
	return NULL;
}

static void bar_panel(FILE *f, const struct kt_cmp_row *r, const struct kt_cmp_side sides[2],
		      double x0, double y0)
{
	double top = y0 + 34, bot = y0 + CP_PH - 40, h = bot - top, vmax = 0;
	char buf[96];

	for (int s = 0; s < 2; s++) {
		double v = r->s[s].mean + (r->s[s].n > 1 ? r->s[s].sd : 0);

		vmax = v > vmax ? v : vmax;
	}
	vmax = vmax > 0 ? vmax * 1.1 : 1;
	snprintf(buf, sizeof(buf), "%s (%s)", r->metric, *r->unit ? r->unit : "count");
	svg_text(f, x0 + CP_PW / 2.0, y0 + 16, "middle", "t", buf);
	svg_line(f, x0 + 20, bot, x0 + CP_PW - 20, bot, "#888", NULL);
	for (int s = 0; s < 2; s++) {
		const struct kt_cmp_side_stats *st = &r->s[s];
		double bx = x0 + 40 + s * 70, bw = 50, bh = st->n ? st->mean / vmax * h : 0;

		svg_rect(f, bx, bot - bh, bw, bh, side_color[s]);
		if (st->n > 1) {	/* the whisker: mean +- one stddev */
			double y1 = bot - (st->mean + st->sd) / vmax * h;
			double y2 = bot - fmax(st->mean - st->sd, 0) / vmax * h;

			svg_line(f, bx + bw / 2, y1, bx + bw / 2, y2, "#222", NULL);
			svg_line(f, bx + bw / 2 - 6, y1, bx + bw / 2 + 6, y1, "#222", NULL);
			svg_line(f, bx + bw / 2 - 6, y2, bx + bw / 2 + 6, y2, "#222", NULL);
		}
		svg_text(f, bx + bw / 2, bot + 14, "middle", "s", sides[s].label);
		if (st->n)
			snprintf(buf, sizeof(buf), "%.4g", st->mean);
		else
			snprintf(buf, sizeof(buf), "-");
		svg_text(f, bx + bw / 2, bot + 27, "middle", "s", buf);
	}
	if (r->has_ratio && r->w.ok)
		snprintf(buf, sizeof(buf), "B/A %.3f, p %.3g", r->ratio, r->w.p);
	else if (r->has_ratio)
		snprintf(buf, sizeof(buf), "B/A %.3f", r->ratio);
	else
		snprintf(buf, sizeof(buf), "B/A -");
	svg_text(f, x0 + CP_PW / 2.0, y0 + 30, "middle", "s", buf);
}

int plot_compare(const char *dir, const struct kt_cmp_recipe *c,
		 const struct kt_cmp_side sides[2], FILE *msgs)
{
	char *path = plot_path(dir, c->recipe, "compare.svg"), *title, buf[256];
	const char *groups[64];
	size_t ng = 0, ncols = 0;
	FILE *f;
	int rc;

	for (size_t i = 0; i < c->nrows && ng < ARRAY_SIZE(groups); i++) {
		size_t g;

		if (!c->rows[i].group)
			continue;
		for (g = 0; g < ng && strcmp(groups[g], c->rows[i].group); g++)
			;
		if (g == ng)
			groups[ng++] = c->rows[i].group;
	}
	for (size_t m = 0; m < ARRAY_SIZE(bar_metrics); m++)
		for (size_t g = 0; g < ng; g++)
			if (find_row(c, groups[g], bar_metrics[m])) {
				ncols++;
				break;
			}
	if (!path)
		return -1;
	if (!ng || !ncols) {
		fprintf(msgs, "plot: %s: no worker group numbers on either side: no compare chart\n",
			c->recipe);
		free(path);
		return 0;
	}
	if (!(f = open_chart(dir, path, msgs))) {
		free(path);
		return -1;
	}
	title = kt_strfmt("%s: %s = %s vs %s = %s", c->recipe, sides[0].label, sides[0].what,
			  sides[1].label, sides[1].what);
	svg_begin(f, CP_LEFT * 2 + 110 + (int)ncols * CP_PW, CP_TOP + (int)ng * CP_PH + 20,
		  title ? title : c->recipe);
	svg_text(f, CP_LEFT, 22, "start", "h", c->recipe);
	for (int s = 0; s < 2; s++) {
		svg_rect(f, CP_LEFT, 34 + s * 18, 12, 12, side_color[s]);
		snprintf(buf, sizeof(buf), "%s = %s", sides[s].label, sides[s].what);
		svg_text(f, CP_LEFT + 18, 44 + s * 18, "start", "t", buf);
	}
	svg_text(f, CP_LEFT, 82, "start", "s", "bars: mean of the used runs; whiskers: +- one "
		 "sample stddev; p: " KT_STATS_TEST_NAME);
	for (size_t g = 0; g < ng; g++) {
		double y0 = CP_TOP + (double)g * CP_PH;
		size_t col = 0;

		svg_text(f, CP_LEFT, y0 + CP_PH / 2.0, "start", "h", groups[g]);
		for (size_t m = 0; m < ARRAY_SIZE(bar_metrics); m++) {
			const struct kt_cmp_row *r = find_row(c, groups[g], bar_metrics[m]);
			bool any = false;

			for (size_t k = 0; k < ng && !any; k++)
				any = find_row(c, groups[k], bar_metrics[m]) != NULL;
			if (!any)
				continue;
			if (r)
				bar_panel(f, r, sides, CP_LEFT + 110 + (double)col * CP_PW, y0);
			col++;
		}
	}
	svg_end(f);
	rc = close_chart(f, path, msgs);
	free(title);
	free(path);
	return rc;
}
