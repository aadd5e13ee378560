/* con-workers.c - the workers view; see con-workers.h. */
#include "tui/con-workers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpuset.h"

void con_workers_open(struct con_workers *w, const char *cgroup)
{
	con_workers_close(w);
	w->open = true;
	snprintf(w->cgroup, sizeof(w->cgroup), "%s", cgroup);
}

void con_workers_close(struct con_workers *w)
{
	free(w->seen);
	memset(w, 0, sizeof(*w));
	w->usage_usec = -1;
}

bool con_rate(uint64_t v0, uint64_t v1, uint64_t t0_ms, uint64_t t1_ms, double *per_s)
{
	if (t1_ms <= t0_ms || v1 < v0)
		return false;
	*per_s = (double)(v1 - v0) * 1000.0 / (double)(t1_ms - t0_ms);
	return true;
}

const struct con_wk_seen *con_workers_seen(const struct con_workers *w, int pid)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].pid == pid)
			return &w->seen[i];
	return NULL;
}

void con_workers_update(struct con_workers *w, const struct kt_gstate *g)
{
	const struct kt_gstate_wgroup *grp;
	struct con_wk_seen *now;
	size_t n;
	int64_t usage;

	if (!w->open || !g->valid || g->gen == w->gen)
		return;
	grp = kt_gstate_wgroup(g, w->cgroup);
	n = grp ? grp->nworkers : 0;
	now = calloc(n ? n : 1, sizeof(*now));
	if (!now)
		return;		/* keep the last rates; the next state tries again */
	for (size_t i = 0; i < n; i++) {
		const struct kt_gstate_worker *k = &g->workers[grp->first + i];
		const struct con_wk_seen *was = con_workers_seen(w, k->pid);
		double cpu_per_s;

		now[i] = (struct con_wk_seen){ .pid = k->pid, .iterations = k->iterations,
					       .cpu_ns = k->cpu_ns };
		if (!was || !w->gen)
			continue;
		now[i].has_rate = con_rate(was->iterations, k->iterations, w->uptime_ms,
					   g->uptime_ms, &now[i].iter_per_s);
		if (now[i].has_rate && con_rate(was->cpu_ns, k->cpu_ns, w->uptime_ms, g->uptime_ms,
						&cpu_per_s))
			now[i].cpu_pct = cpu_per_s / 1e7;	/* ns/s -> % of a CPU */
	}
	usage = grp ? grp->cpustat[KT_GSTATE_CPUSTAT_USAGE] : -1;
	w->has_usage_rate = usage >= 0 && w->usage_usec >= 0 && w->gen &&
			    con_rate((uint64_t)w->usage_usec, (uint64_t)usage, w->uptime_ms,
				     g->uptime_ms, &w->usage_pct);
	if (w->has_usage_rate)
		w->usage_pct /= 1e4;	/* us/s -> % of a CPU */
	w->usage_usec = usage;
	free(w->seen);
	w->seen = now;
	w->nseen = n;
	w->gen = g->gen;
	w->uptime_ms = g->uptime_ms;
}

/* ---- formatting ---- */

static void fmt_ns(char *buf, size_t size, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, size, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.0fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.1fms", ns / 1e6);
	else if (ns < 60000000000ull)
		snprintf(buf, size, "%.2fs", ns / 1e9);
	else
		snprintf(buf, size, "%llum%02llus", (unsigned long long)(ns / 60000000000ull),
			 (unsigned long long)(ns / 1000000000ull % 60));
}

static void fmt_count(char *buf, size_t size, double v)
{
	if (v < 10000)
		snprintf(buf, size, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, size, "%.1fk", v / 1e3);
	else if (v < 1e9)
		snprintf(buf, size, "%.1fM", v / 1e6);
	else
		snprintf(buf, size, "%.1fG", v / 1e9);
}

/* ---- columns ---- */

struct cell_ctx {
	const struct kt_gstate_worker *k;
	const struct con_wk_seen *s;	/* NULL: no rate yet */
};

typedef void (*cell_fn)(const struct cell_ctx *c, char *buf, size_t size);

static void c_pid(const struct cell_ctx *c, char *b, size_t n)
{
	snprintf(b, n, "%d", c->k->pid);
}

static void c_cpu(const struct cell_ctx *c, char *b, size_t n)
{
	if (c->k->cpu_now < 0)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%d", c->k->cpu_now);
}

static void c_seen(const struct cell_ctx *c, char *b, size_t n)
{
	struct kt_cpuset s;

	kt_cpuset_zero(&s);
	for (unsigned w = 0; w < KT_GSTATE_WORKER_CPU_WORDS; w++)
		s.bits[w] = c->k->cpus[w];
	if (!kt_cpuset_count(&s))
		snprintf(b, n, "-");
	else
		kt_cpulist_format(&s, b, n);
}

static void c_rate(const struct cell_ctx *c, char *b, size_t n)
{
	if (!c->s || !c->s->has_rate)
		snprintf(b, n, "-");
	else
		fmt_count(b, n, c->s->iter_per_s);
}

static void c_cpu_pct(const struct cell_ctx *c, char *b, size_t n)
{
	if (!c->s || !c->s->has_rate)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.0f%%", c->s->cpu_pct);
}

static void c_cpu_time(const struct cell_ctx *c, char *b, size_t n)
{
	fmt_ns(b, n, c->k->cpu_ns);
}

static void c_iters(const struct cell_ctx *c, char *b, size_t n)
{
	fmt_count(b, n, (double)c->k->iterations);
}

/* Work that never sleeps (spin) has no wake latency: "-", not 0ns. */
static void c_wake(const struct cell_ctx *c, char *b, size_t n)
{
	if (!c->k->wake_samples)
		snprintf(b, n, "-");
	else
		fmt_ns(b, n, c->k->max_wake_ns);
}

static void c_p99(const struct cell_ctx *c, char *b, size_t n)
{
	if (!c->k->wake_samples)
		snprintf(b, n, "-");
	else
		fmt_ns(b, n, c->k->wake_p99_ns);
}

static void c_migr(const struct cell_ctx *c, char *b, size_t n)
{
	fmt_count(b, n, (double)c->k->migrations);
}

static void c_delay(const struct cell_ctx *c, char *b, size_t n)
{
	if (c->k->run_delay_ns == UINT64_MAX)
		snprintf(b, n, "?");
	else
		fmt_ns(b, n, c->k->run_delay_ns);
}

static void c_vcsw(const struct cell_ctx *c, char *b, size_t n)
{
	fmt_count(b, n, (double)c->k->nvcsw);
}

static void c_ivcsw(const struct cell_ctx *c, char *b, size_t n)
{
	fmt_count(b, n, (double)c->k->nivcsw);
}

/* In the order shown; prio: the lower, the longer it stays as the pane
 * narrows. Numbers right-aligned, the CPU list left. */
static const struct col {
	const char *head;
	int width;
	int prio;
	bool left;
	cell_fn fn;
} cols[] = {
	{ "pid", 7, 0, false, c_pid },
	{ "cpu", 3, 2, false, c_cpu },
	{ "cpus seen", 9, 6, true, c_seen },
	{ "it/s", 8, 1, false, c_rate },
	{ "cpu%", 5, 7, false, c_cpu_pct },
	{ "cpu time", 8, 3, false, c_cpu_time },
	{ "iters", 8, 8, false, c_iters },
	{ "wake max", 8, 4, false, c_wake },
	{ "wake p99", 8, 9, false, c_p99 },
	{ "migr", 6, 5, false, c_migr },
	{ "run delay", 9, 10, false, c_delay },
	{ "vcsw", 7, 11, false, c_vcsw },
	{ "ivcsw", 7, 12, false, c_ivcsw },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* Which columns fit w (a space between two), the most important first. */
static void pick(int w, bool *on)
{
	int used = 0;

	for (size_t i = 0; i < NCOLS; i++)
		on[i] = false;
	for (int p = 0; p < (int)NCOLS; p++)
		for (size_t i = 0; i < NCOLS; i++) {
			if (cols[i].prio != p)
				continue;
			if (used + (used ? 1 : 0) + cols[i].width <= w) {
				on[i] = true;
				used += (used ? 1 : 0) + cols[i].width;
			}
		}
}

/* One row of cells (head: the titles) at row y, from column 1. */
static void put_row(struct con_buf *b, const struct con_rect *r, int y, const bool *on,
		    const struct cell_ctx *c, enum con_attr a)
{
	char cell[64], text[64];
	int x = 1;

	for (size_t i = 0; i < NCOLS; i++) {
		int len;

		if (!on[i])
			continue;
		if (c)
			cols[i].fn(c, cell, sizeof(cell));
		else
			snprintf(cell, sizeof(cell), "%s", cols[i].head);
		len = (int)strlen(cell);
		if (len > cols[i].width) {	/* cut, and say so */
			cell[cols[i].width - 1] = '+';
			cell[cols[i].width] = '\0';
		}
		snprintf(text, sizeof(text), cols[i].left ? "%-*s" : "%*s", cols[i].width, cell);
		con_put(b, r, y, x, a, text, -1);
		x += cols[i].width + 1;
	}
}

/* The cgroup's cpu.stat: CPU time on one line, throttling on the next
 * when the file has it. Returns the rows used. */
static int put_cpustat(const struct con_workers *w, const struct kt_gstate_wgroup *g,
		       struct con_buf *b, const struct con_rect *r)
{
	const int64_t *v = g->cpustat;
	char u[24], us[24], sy[24], th[24];
	int y = 0, x;

	if (v[KT_GSTATE_CPUSTAT_USAGE] < 0) {
		con_put(b, r, y++, 1, CON_A_DIM, "cpu.stat: not read (no cpu controller?)", -1);
		return y;
	}
	fmt_ns(u, sizeof(u), (uint64_t)v[KT_GSTATE_CPUSTAT_USAGE] * 1000);
	fmt_ns(us, sizeof(us), (uint64_t)(v[KT_GSTATE_CPUSTAT_USER] < 0 ? 0 :
					  v[KT_GSTATE_CPUSTAT_USER]) * 1000);
	fmt_ns(sy, sizeof(sy), (uint64_t)(v[KT_GSTATE_CPUSTAT_SYSTEM] < 0 ? 0 :
					  v[KT_GSTATE_CPUSTAT_SYSTEM]) * 1000);
	x = 1 + con_put(b, r, y, 1, CON_A_DIM, "cpu.stat", -1);
	x += con_putf(b, r, y, x, CON_A_NORMAL, " usage %s  user %s  system %s", u, us, sy);
	if (w->has_usage_rate)
		con_putf(b, r, y, x, CON_A_NORMAL, "  now %.0f%%", w->usage_pct);
	y++;
	if (v[KT_GSTATE_CPUSTAT_NR_PERIODS] == 0 && r->h > 3) {
		con_put(b, r, y++, 10, CON_A_DIM, "no bandwidth periods (cpu.max has no quota)", -1);
	} else if (v[KT_GSTATE_CPUSTAT_NR_PERIODS] > 0 && r->h > 3) {
		fmt_ns(th, sizeof(th), (uint64_t)(v[KT_GSTATE_CPUSTAT_THROTTLED] < 0 ? 0 :
						  v[KT_GSTATE_CPUSTAT_THROTTLED]) * 1000);
		con_putf(b, r, y++, 10, v[KT_GSTATE_CPUSTAT_NR_THROTTLED] > 0 ? CON_A_WARN
			 : CON_A_NORMAL, "throttled %lld of %lld periods, %s",
			 (long long)(v[KT_GSTATE_CPUSTAT_NR_THROTTLED] < 0 ? 0
				     : v[KT_GSTATE_CPUSTAT_NR_THROTTLED]),
			 (long long)v[KT_GSTATE_CPUSTAT_NR_PERIODS], th);
	}
	return y;
}

int con_workers_render(const struct con_workers *w, const struct kt_gstate *g,
		       struct con_buf *b, const struct con_rect *r, int scroll)
{
	const struct kt_gstate_wgroup *grp;
	bool on[NCOLS];
	int y, rows;

	if (r->h <= 0)
		return 0;
	if (!g || !g->valid) {
		con_put(b, r, 0, 1, CON_A_DIM, "waiting for the guest's state...", -1);
		return 1;
	}
	grp = kt_gstate_wgroup(g, w->cgroup);
	if (!grp) {
		if (*w->cgroup != '@' && !kt_gstate_cgroup(g, w->cgroup)) {
			con_putf(b, r, 0, 1, CON_A_WARN, "cgroup %s is gone", w->cgroup);
		} else {
			con_putf(b, r, 0, 1, CON_A_DIM, "no ktcon workers in %s", w->cgroup);
			con_putf(b, r, 1, 3, CON_A_DIM, "spawn %s workers=2", w->cgroup);
		}
		con_put(b, r, 2, 1, CON_A_DIM, "Esc or q: back", -1);
		return 3;
	}
	y = put_cpustat(w, grp, b, r);
	pick(r->w - 1, on);
	put_row(b, r, y++, on, NULL, CON_A_DIM);
	rows = y + (int)grp->nworkers + (grp->unlisted ? 1 : 0);
	if (scroll > rows - r->h)
		scroll = rows - r->h;
	if (scroll < 0)
		scroll = 0;
	for (size_t i = (size_t)scroll; i < grp->nworkers && y < r->h; i++, y++) {
		struct cell_ctx c = { &g->workers[grp->first + i], NULL };

		c.s = con_workers_seen(w, c.k->pid);
		put_row(b, r, y, on, &c, CON_A_NORMAL);
	}
	if (grp->unlisted && y < r->h)
		con_putf(b, r, y, 1, CON_A_WARN, "+%zu more workers (no room in the guest's frame)",
			 grp->unlisted);
	return rows;
}

const char *con_workers_summary(const struct con_workers *w, const struct kt_gstate *g,
				char *buf, size_t size)
{
	const struct kt_gstate_wgroup *grp = g && g->valid ? kt_gstate_wgroup(g, w->cgroup) : NULL;
	double sum = 0;
	bool any = false;
	char rate[24];

	if (!grp) {
		snprintf(buf, size, "%s", "");
		return buf;
	}
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].has_rate) {
			sum += w->seen[i].iter_per_s;
			any = true;
		}
	fmt_count(rate, sizeof(rate), sum);
	snprintf(buf, size, "%zu worker%s%s%s%s", grp->nworkers + grp->unlisted,
		 grp->nworkers + grp->unlisted == 1 ? "" : "s", any ? ", " : "", any ? rate : "",
		 any ? " it/s" : "");
	return buf;
}
