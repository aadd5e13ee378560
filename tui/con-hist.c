/* con-hist.c - the history view; see con-hist.h. */
#include "tui/con-hist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_W 11		/* "switches/s " */
#define VALUE_W 14		/* " 1234 ^12.3k": the latest, the largest */
#define VALUE_W_NARROW 6	/* " 1234": the latest only */
#define MAX_COLS 512

enum kind { RATE, LEVEL, SHARE };

struct series {
	char label[16];
	enum kind kind;
	/* The value at a point, false when it has none. */
	bool (*get)(const struct con_live_pt *p, const void *arg, double *v);
	const void *arg;
	unsigned cpu;
};

static bool get_sw(const struct con_live_pt *p, const void *arg, double *v)
{
	*v = (double)p->switches;
	return p->has_sw;
}

static bool get_rej(const struct con_live_pt *p, const void *arg, double *v)
{
	*v = (double)p->nr_rejected;
	return p->has_rej;
}

static bool get_queued(const struct con_live_pt *p, const void *arg, double *v)
{
	*v = p->queued;
	return p->has_queued;
}

static bool get_irq(const struct con_live_pt *p, const void *arg, double *v)
{
	*v = p->irq_rate;
	return p->has_irq;
}

static bool get_busy(const struct con_live_pt *p, const void *arg, double *v)
{
	unsigned c = *(const unsigned *)arg;

	*v = con_live_busy(p, c) ? 1 : 0;
	return p->has_busy && c < p->ncpus;
}

/* arg: the group's name, interned by the timeline (compared by text all
 * the same: the pointer is an implementation detail). */
static bool get_group(const struct con_live_pt *p, const void *arg, double *v)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (p->groups[i].cgroup && !strcmp(p->groups[i].cgroup, arg)) {
			*v = (double)p->groups[i].iterations;
			return true;
		}
	return false;
}

void con_hist_levels(const double *v, const bool *has, int n, unsigned char *level)
{
	double max = 0;

	for (int i = 0; i < n; i++)
		if (has[i] && v[i] > max)
			max = v[i];
	for (int i = 0; i < n; i++) {
		if (!has[i])
			level[i] = 0;
		else if (v[i] <= 0 || max <= 0)
			level[i] = 1;
		else
			level[i] = (unsigned char)(1 + (int)(v[i] / max * (CON_SPARK_LEVELS - 1) + 0.5));
	}
}

const char *con_hist_fmt(double v, char *buf, size_t size)
{
	if (v < 0)
		v = 0;
	if (v < 10 && v != (double)(long long)v)
		snprintf(buf, size, "%.1f", v);
	else if (v < 10000)
		snprintf(buf, size, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, size, "%.*fk", v < 1e5 ? 1 : 0, v / 1e3);
	else
		snprintf(buf, size, "%.1fM", v / 1e6);
	return buf;
}

/* The column of time t, or -1 outside the window (which starts before
 * the session does while the session is younger than a minute). */
static int column(int64_t start, uint64_t t, int ncols)
{
	int c;

	if ((int64_t)t < start)
		return -1;
	c = (int)((double)((int64_t)t - start) * ncols / (double)CON_LIVE_WINDOW_NS);
	return c >= ncols ? ncols - 1 : c;
}

/* A series' value per column. */
static void bucket(const struct con_live *m, const struct series *s, int64_t start, int ncols,
		   double *val, bool *has)
{
	double sum[MAX_COLS] = { 0 };
	int cnt[MAX_COLS] = { 0 }, first = -1, last = -1;
	/* A rate runs from the last change: a counter the agent reports
	 * twice a second, sampled four times, repeats itself, and 0 then
	 * twice the rate would be a lie. Unchanged for a second is 0. */
	uint64_t lt = 0;
	double lv = 0;
	bool have_last = false;

	for (size_t i = 0; i < m->npts; i++) {
		const struct con_live_pt *p = con_live_pt(m, i);
		double v;
		bool h = s->get(p, s->arg ? s->arg : &s->cpu, &v);
		int c = column(start, p->t_ns, ncols);

		if (s->kind != RATE) {
			if (c >= 0 && h) {
				sum[c] += v;
				cnt[c]++;
			}
			continue;
		}
		if (!h || (have_last && v < lv)) {	/* gone, or reset */
			have_last = h;
			lt = p->t_ns;
			lv = v;
			continue;
		}
		if (have_last && p->t_ns > lt && (v != lv || p->t_ns - lt >= 1000000000ull)) {
			if (c >= 0) {
				sum[c] += (v - lv) * 1e9 / (double)(p->t_ns - lt);
				cnt[c]++;
			}
			lt = p->t_ns;
			lv = v;
		} else if (!have_last) {
			have_last = true;
			lt = p->t_ns;
			lv = v;
		}
	}
	for (int c = 0; c < ncols; c++) {
		has[c] = cnt[c] > 0;
		val[c] = has[c] ? sum[c] / cnt[c] : 0;
		if (has[c]) {
			if (first < 0)
				first = c;
			last = c;
		}
	}
	/* Gaps the sampler left between columns: the value before. */
	for (int c = first + 1; first >= 0 && c < last; c++)
		if (!has[c]) {
			has[c] = true;
			val[c] = val[c - 1];
		}
}

static size_t make_series(const struct con_live *m, struct series *out, size_t max,
			  unsigned *cpus)
{
	const struct con_live_pt *latest = m->npts ? con_live_pt(m, m->npts - 1) : NULL;
	size_t n = 0;

	out[n++] = (struct series){ "switches/s", RATE, get_sw, NULL, 0 };
	out[n++] = (struct series){ "rejected/s", RATE, get_rej, NULL, 0 };
	for (unsigned c = 0; latest && c < latest->ncpus && n < max; c++) {
		cpus[c] = c;
		out[n] = (struct series){ "", SHARE, get_busy, &cpus[c], c };
		snprintf(out[n].label, sizeof(out[n].label), "cpu%u busy", c);
		n++;
	}
	for (size_t g = 0; latest && g < latest->ngroups && n < max; g++) {
		const char *name = latest->groups[g].cgroup;

		if (!name)
			continue;
		out[n] = (struct series){ "", RATE, get_group, name, 0 };
		snprintf(out[n].label, sizeof(out[n].label), "%.7s it/s", name);
		n++;
	}
	if (n < max)
		out[n++] = (struct series){ "scx queued", LEVEL, get_queued, NULL, 0 };
	if (n < max)
		out[n++] = (struct series){ "irq/s", LEVEL, get_irq, NULL, 0 };
	return n;
}

static void value_text(const struct series *s, double v, char *buf, size_t size)
{
	char t[16];

	if (s->kind == SHARE)
		snprintf(buf, size, "%.0f%%", v * 100);
	else
		snprintf(buf, size, "%s", con_hist_fmt(v, t, sizeof(t)));
}

static void series_row(const struct con_live *m, const struct series *s, int64_t start,
		       int ncols, bool show_max, enum con_attr a, struct con_buf *b,
		       const struct con_rect *r, int y)
{
	double val[MAX_COLS], max = 0;
	bool has[MAX_COLS];
	unsigned char level[MAX_COLS];
	char now[16] = "-", top[16];
	int lastc = -1;

	bucket(m, s, start, ncols, val, has);
	con_hist_levels(val, has, ncols, level);
	con_put(b, r, y, 1, a, s->label, LABEL_W - 1);
	for (int c = 0; c < ncols; c++) {
		con_spark_cell(b, r, y, 1 + LABEL_W + c, level[c], a == CON_A_DIM ? a : CON_A_BAR);
		if (has[c]) {
			lastc = c;
			if (val[c] > max)
				max = val[c];
		}
	}
	if (lastc >= 0)
		value_text(s, val[lastc], now, sizeof(now));
	if (s->kind == SHARE || !show_max)
		snprintf(top, sizeof(top), "%s", "");
	else
		value_text(s, max, top, sizeof(top));
	con_putf(b, r, y, 1 + LABEL_W + ncols, a, " %5s%s%s", now, top[0] ? " ^" : "", top);
}

/* Which of two events a shared column shows: the rarer, graver kind. */
static int rank(enum kt_tl_kind k)
{
	switch (k) {
	case KT_TL_SCHED_EXIT: return 6;
	case KT_TL_ATTACH: return 5;
	case KT_TL_DETACH: return 4;
	case KT_TL_FREEZE: return 3;
	case KT_TL_UNFREEZE: return 2;
	case KT_TL_WATCH_FIRE: return 1;
	default: return 0;
	}
}

static enum con_attr ev_attr(enum kt_tl_kind k)
{
	switch (k) {
	case KT_TL_SCHED_EXIT: return CON_A_ERROR;
	case KT_TL_ATTACH: return CON_A_OK;
	case KT_TL_DETACH: return CON_A_WARN;
	case KT_TL_FREEZE:
	case KT_TL_UNFREEZE: return CON_A_FROZEN;
	default: return CON_A_HINT;
	}
}

static void event_rows(const struct con_live *m, int64_t start, int ncols, bool dim,
		       struct con_buf *b, const struct con_rect *r, int y_strip, int y_last)
{
	int best[MAX_COLS];
	int n = 0;

	for (int c = 0; c < ncols; c++)
		best[c] = -1;
	con_put(b, r, y_strip, 1, dim ? CON_A_DIM : CON_A_NORMAL, "events", -1);
	for (size_t i = 0; i < m->nev; i++) {
		int c = column(start, m->ev[i].t_ns, ncols);

		if (c < 0)
			continue;
		n++;
		if (best[c] < 0 || rank(m->ev[i].kind) >= rank(m->ev[best[c]].kind))
			best[c] = (int)i;
	}
	for (int c = 0; c < ncols; c++) {
		char l[2] = { best[c] >= 0 ? con_live_ev_letter(m->ev[best[c]].kind) : ' ', 0 };

		if (best[c] >= 0)
			con_put(b, r, y_strip, 1 + LABEL_W + c, dim ? CON_A_DIM :
				ev_attr(m->ev[best[c]].kind), l, 1);
	}
	con_putf(b, r, y_strip, 1 + LABEL_W + ncols, CON_A_DIM, " %5d", n);
	if (y_last < 0)
		return;
	if (!m->nev || column(start, m->ev[m->nev - 1].t_ns, ncols) < 0) {
		con_put(b, r, y_last, 1 + LABEL_W, CON_A_DIM, "no attach, detach, exit, freeze or "
			"watch fire this minute", -1);
		return;
	}
	{
		const struct con_live_ev *e = &m->ev[m->nev - 1];
		uint64_t ago = m->now_ns > e->t_ns ? m->now_ns - e->t_ns : 0;

		con_putf(b, r, y_last, 1 + LABEL_W, dim ? CON_A_DIM : ev_attr(e->kind), "%c %s -%llus %s",
			 con_live_ev_letter(e->kind), kt_tl_kind_name(e->kind),
			 (unsigned long long)(ago / 1000000000ull), e->text);
	}
	if (m->events_dropped)
		con_putf(b, r, y_last, 1, CON_A_WARN, "+%llu lost", (unsigned long long)m->events_dropped);
}

static void axis(struct con_buf *b, const struct con_rect *r, int y, int ncols)
{
	int x0 = 1 + LABEL_W;

	con_put(b, r, y, 1, CON_A_DIM, "last 60s", -1);
	con_put(b, r, y, x0, CON_A_DIM, "|-60s", -1);
	if (ncols >= 24)
		con_put(b, r, y, x0 + ncols / 2 - 2, CON_A_DIM, "-30s", -1);
	con_put(b, r, y, x0 + ncols - 4, CON_A_DIM, "now|", -1);
}

int con_hist_render(const struct con_live *m, bool dim, struct con_buf *b,
		    const struct con_rect *r, int scroll)
{
	struct series s[8 + KT_TL_MAX_CPUS + KT_TL_MAX_GROUPS];
	unsigned cpus[KT_TL_MAX_CPUS];
	bool show_max = r->w - 1 - LABEL_W - VALUE_W >= 24;
	int ncols = r->w - 1 - LABEL_W - (show_max ? VALUE_W : VALUE_W_NARROW), fixed, rows, max;
	size_t n;
	int64_t start;

	if (r->h <= 0)
		return 0;
	if (!m->have && !m->nev) {
		con_put(b, r, 0, 1, CON_A_DIM, "no samples yet (`live` says why)", -1);
		return 0;
	}
	if (ncols > MAX_COLS)
		ncols = MAX_COLS;
	if (ncols < 8) {
		con_put(b, r, 0, 1, CON_A_DIM, "too narrow: C-z zooms", -1);
		return 0;
	}
	start = (int64_t)m->now_ns - (int64_t)CON_LIVE_WINDOW_NS;
	n = make_series(m, s, sizeof(s) / sizeof(s[0]), cpus);
	fixed = r->h >= 5 ? 3 : r->h >= 3 ? 2 : 1;
	rows = r->h - fixed;
	max = (int)n > rows ? (int)n - rows : 0;
	if (scroll > max)
		scroll = max;
	if (scroll < 0)
		scroll = 0;
	for (int y = 0; y < rows && scroll + y < (int)n; y++)
		series_row(m, &s[scroll + y], start, ncols, show_max, dim ? CON_A_DIM : CON_A_NORMAL, b, r, y);
	event_rows(m, start, ncols, dim, b, r, r->h - fixed, fixed >= 3 ? r->h - 2 : -1);
	if (fixed >= 2)
		axis(b, r, r->h - 1, ncols);
	return max;
}
