/*
 * agent-state.c - build a STATE frame (layout: guest/wire-state.h) from
 * the guest as it is now: the managed cgroup tree (state-cgroups.c),
 * sched_ext's sysfs files, and /proc/interrupts (state-irqs.c).
 *
 * Building is split in two so the stream (agent-stream.c) can tell a
 * change cheaply: agent_state_begin() writes the cg.* and sched.* fields,
 * which only change when something happened; agent_state_end() adds the
 * IRQ table and the uptime, which change all the time. Where things are
 * read from is a parameter, so tests build frames from fixtures.
 *
 * A frame never exceeds WIRE_STATE_MAX_FRAME: lists that do not fit are
 * cut at a whole row and say so (cg.truncated, irq.truncated). What cannot
 * be read is reported in the frame (cg.error, irq.error), not dropped.
 */
#include "guest/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/state-cgroups.h"
#include "guest/state-irqs.h"
#include "guest/wire-state.h"

/* The cgroups may take this much of a frame; the IRQ table the rest,
 * less room for the last few fields. */
#define CG_BUDGET (WIRE_STATE_MAX_FRAME * 5 / 8)
#define TAIL_RESERVE 256
/* Well under the decoder's WIRE_MAX_FIELDS. */
#define MAX_FIELDS 3500
#define CG_FIELDS (6 + CG_NKNOBS)
#define IRQ_FIELDS 3
#define INTERRUPTS_MAX (256 * 1024)
/* The worker part (wk.*) may take this much: 50-odd workers' records. */
#define WK_BUDGET (8 * 1024)

struct cg_out {
	struct wire_buf *b;
	size_t n;
	size_t *fields;
	const struct agent_state_src *src;
};

static bool put_cgroup(const struct cg_state *cg, void *ctx)
{
	struct cg_out *o = ctx;
	struct wire_buf *b = o->b;
	size_t mark = b->len;
	char k[48];

	if (o->n == WIRE_STATE_MAX_CGROUPS || *o->fields + CG_FIELDS > MAX_FIELDS)
		return false;
#define KEY(sub) (snprintf(k, sizeof(k), "cg.%zu.%s", o->n, (sub)), k)
	wire_put_str(b, KEY("path"), cg->path);
	if (cg->has_cpus)
		wire_put_str(b, KEY("cpus"), cg->cpus);
	wire_put_i64(b, KEY("populated"), cg->populated);
	wire_put_i64(b, KEY("frozen"), cg->frozen);
	wire_put_i64(b, KEY("nprocs"), cg->nprocs);
	for (int i = 0; i < CG_NKNOBS; i++)
		if (cg->has_knob[i])
			wire_put_str(b, KEY(cg_knob_files[i]), cg->knob[i]);
	if (o->src->workers)
		wire_put_u64(b, KEY("workers"), o->src->workers(cg->path));
#undef KEY
	if (b->len > CG_BUDGET) {
		b->len = mark;	/* this row does not fit: cut the list here */
		return false;
	}
	o->n++;
	*o->fields += CG_FIELDS;
	return true;
}

static void put_cgroups(struct wire_buf *b, const struct agent_state_src *src, size_t *fields)
{
	const char *root = src->cgroups;
	struct cg_out o = { b, 0, fields, src };
	bool stopped = false;
	struct kterr *e = cg_walk(root, put_cgroup, &o, &stopped);

	if (e) {
		char buf[256];

		wire_put_str(b, "cg.error", kterr_str(e, buf, sizeof(buf)));
		kterr_free(e);
	}
	wire_put_u64(b, "cg.n", o.n);
	if (stopped)
		wire_put_str(b, "cg.truncated", "1");
	*fields += 3;
}

/* /sys/kernel/sched_ext/NAME when it exists. */
static bool scx_file(const char *dir, const char *name, char *buf, size_t size)
{
	char path[256];
	struct kterr *e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	e = agent_read_file(path, buf, size);
	kterr_free(e);
	return !e;
}

static void put_sched(struct wire_buf *b, const char *dir, size_t *fields)
{
	/* The 6.12 counters; later kernels add files we do not read yet. */
	static const char *const counters[] = {
		"switch_all", "nr_rejected", "hotplug_seq", "enable_seq",
	};
	char v[128], k[32];

	wire_put_str(b, "sched.state", scx_file(dir, "state", v, sizeof(v)) ? v : "absent");
	if (scx_file(dir, "root/ops", v, sizeof(v)))
		wire_put_str(b, "sched.ops", v);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		if (!scx_file(dir, counters[i], v, sizeof(v)))
			continue;
		snprintf(k, sizeof(k), "sched.%s", counters[i]);
		wire_put_str(b, k, v);
	}
	*fields += 6;
}

void agent_state_begin(struct wire_buf *b, uint32_t gen, const struct agent_state_src *src,
		       size_t *fields)
{
	*fields = 0;
	wire_begin(b, WIRE_STATE, gen);
	put_cgroups(b, src, fields);
	put_sched(b, src->sched_ext, fields);
}

/* The whole file: procfs hands a seq_file out in pieces. */
static struct kterr *read_all(const char *path, char **out)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct kterr *e = NULL;

	*out = NULL;
	if (!buf || fd < 0) {
		e = !buf ? kterr_new(ENOMEM, "read %s", path) : kterr_errno("open %s", path);
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			char *n = cap < INTERRUPTS_MAX ? realloc(buf, cap * 2) : NULL;

			if (!n) {
				e = kterr_new(EFBIG, "%s is larger than %d bytes", path, INTERRUPTS_MAX);
				goto out;
			}
			buf = n;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = kterr_errno("read %s", path);
			goto out;
		}
		if (r == 0)
			break;
		len += r;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return e;
}

/* "1 2 3" into buf; false when it does not fit. */
static bool join_u64(const uint64_t *v, unsigned n, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		int w = snprintf(buf + o, size - o, "%s%llu", i ? " " : "", (unsigned long long)v[i]);

		if (w < 0 || (size_t)w >= size - o)
			return false;
		o += w;
	}
	return true;
}

static void put_irqs(struct wire_buf *b, const char *path, size_t fields)
{
	struct irq_table t;
	char *text = NULL, k[48], why[256];
	/* ncpus numbers of up to 20 digits and a space */
	size_t vsize;
	char *vals;
	uint64_t *ids;
	size_t n = 0, start = b->len;
	bool cut = false;
	struct kterr *e = read_all(path, &text);

	if (!e)
		e = irq_table_parse(text, &t);
	else
		memset(&t, 0, sizeof(t));
	free(text);
	vsize = (size_t)t.ncpus * 21 + 1;
	vals = malloc(vsize);
	ids = calloc(t.ncpus + 1, sizeof(*ids));
	if (!e && (!vals || !ids))
		e = kterr_new(ENOMEM, "IRQ table of %u CPUs", t.ncpus);
	if (e) {
		wire_put_str(b, "irq.error", kterr_str(e, why, sizeof(why)));
		kterr_free(e);
		goto out;
	}
	for (unsigned i = 0; i < t.ncpus; i++)
		ids[i] = t.cpu[i];
	if (join_u64(ids, t.ncpus, vals, vsize))
		wire_put_str(b, "irq.cpus", vals);
	if (join_u64(t.cpu_total, t.ncpus, vals, vsize))
		wire_put_str(b, "irq.cpu_totals", vals);
	for (size_t r = 0; r < t.nrows; r++) {
		const struct irq_row *row = &t.rows[r];
		size_t mark = b->len;

		if (n == WIRE_STATE_MAX_IRQS || fields + IRQ_FIELDS > MAX_FIELDS) {
			cut = true;
			break;
		}
		snprintf(k, sizeof(k), "irq.%zu.name", n);
		wire_put_str(b, k, row->name);
		if (row->per_cpu) {
			snprintf(k, sizeof(k), "irq.%zu.counts", n);
			join_u64(irq_row_counts(&t, r), t.ncpus, vals, vsize);
			wire_put_str(b, k, vals);
		} else {
			snprintf(k, sizeof(k), "irq.%zu.total", n);
			wire_put_u64(b, k, row->total);
		}
		snprintf(k, sizeof(k), "irq.%zu.desc", n);
		wire_put_str(b, k, row->desc);
		if (b->len > WIRE_STATE_MAX_FRAME - TAIL_RESERVE) {
			b->len = mark;
			cut = true;
			break;
		}
		n++;
		fields += IRQ_FIELDS;
	}
	wire_put_u64(b, "irq.n", n);
	if (cut)
		wire_put_str(b, "irq.truncated", "1");
	if (t.skipped)
		wire_put_u64(b, "irq.skipped", t.skipped);
	if (b->len > WIRE_STATE_MAX_FRAME - TAIL_RESERVE) {
		/* Only the per-CPU lines of a very wide guest get here. */
		b->len = start;
		snprintf(why, sizeof(why), "the IRQ table of %u CPUs does not fit in a %d-byte "
			 "STATE frame", t.ncpus, WIRE_STATE_MAX_FRAME);
		wire_put_str(b, "irq.error", why);
	}
out:
	free(vals);
	free(ids);
	irq_table_free(&t);
}

void agent_wk_free(struct agent_wk *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i].recs);
}

/* The cgroup's cpu.stat as wk.I.cpu.KEY, the keys it has. One read per
 * worker cgroup per frame; none for the runner (its cgroup is the root,
 * whose cpu.stat is the whole guest's). */
static void put_cpustat(struct wire_buf *b, const char *root, const char *cg, size_t i)
{
	char path[512], text[1024], k[48];
	int64_t v[CG_NCPUSTAT];
	struct kterr *e;

	if (!root || *cg == '@')
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/cpu.stat", root, cg) >= sizeof(path))
		return;
	e = agent_read_file(path, text, sizeof(text));
	if (e) {
		kterr_free(e);
		return;
	}
	cg_cpustat_parse(text, v);
	for (int f = 0; f < CG_NCPUSTAT; f++) {
		if (v[f] < 0)
			continue;
		snprintf(k, sizeof(k), "wk.%zu.cpu.%s", i, cg_cpustat_keys[f]);
		wire_put_u64(b, k, (uint64_t)v[f]);
	}
}

/* wk.*: every worker cgroup, its iterations, its workers' records while
 * they fit in WK_BUDGET, and its cpu.stat. Before the IRQ table, which
 * takes what is left. */
static void put_progress(struct wire_buf *b, const struct agent_state_src *src, size_t *fields)
{
	struct agent_wk wk[WIRE_STATE_MAX_WGROUPS];
	size_t n, start = b->len;
	char k[48];	/* "wk.<index>.<the longest field>" */

	if (!src->progress)
		return;
	n = src->progress(wk, WIRE_STATE_MAX_WGROUPS);
	wire_put_u64(b, "wk.n", n);
	for (size_t i = 0; i < n; i++) {
		size_t used = b->len - start, room = used < WK_BUDGET ? WK_BUDGET - used : 0;
		size_t fit = room > WIRE_REC_HDR + 128 ? (room - WIRE_REC_HDR - 128) /
							 WIRE_WORKER_REC_SIZE : 0;

		if (fit > wk[i].nrecs)
			fit = wk[i].nrecs;
		snprintf(k, sizeof(k), "wk.%zu.cgroup", i);
		wire_put_str(b, k, wk[i].cgroup);
		snprintf(k, sizeof(k), "wk.%zu.iter", i);
		wire_put_u64(b, k, wk[i].iterations);
		snprintf(k, sizeof(k), "wk.%zu.workers", i);
		wire_put_workers(b, k, wk[i].recs, fit);
		if (fit < wk[i].nrecs) {
			snprintf(k, sizeof(k), "wk.%zu.unlisted", i);
			wire_put_u64(b, k, wk[i].nrecs - fit);
		}
		put_cpustat(b, src->cgroups, wk[i].cgroup, i);
		*fields += 4 + CG_NCPUSTAT;
	}
	agent_wk_free(wk, n);
}

void agent_state_end(struct wire_buf *b, const struct agent_state_src *src, size_t fields,
		     uint64_t uptime_ms, uint64_t skipped_rounds)
{
	put_progress(b, src, &fields);
	put_irqs(b, src->interrupts, fields);
	wire_put_u64(b, "uptime_ms", uptime_ms);
	if (skipped_rounds)
		wire_put_u64(b, "skipped_rounds", skipped_rounds);
}
