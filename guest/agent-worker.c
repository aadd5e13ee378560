/*
 * agent-worker.c - the worker ops: spawn, stop-cgroup, set-affinity,
 * move-all-tasks, query-workers, and the workers of add-cgroup-def.
 *
 * The agent keeps every group it forked with the cgroup it is in ("" is
 * the runner's own cgroup, the root, where the agent itself lives). A
 * spawn into a cgroup writes each pid to its cgroup.procs while the
 * workers wait at their gate; a spawn at the runner issues no cgroup
 * write at all (the runner's cgroup rule, doc/seed-rules.md). Reports go
 * back as one "workers" field of binary records, pids as a "pids" field of them
 * (guest/wire.h): the percentiles of each worker's wake latencies are
 * computed here, from the histogram in its shared report.
 */
#include "guest/agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "lib/util.h"
#include "guest/worker.h"

#define PATH_MAX_CG 512

struct agent_wgroup {
	char cgroup[256];
	struct worker_group g;
};

static struct agent_wgroup *groups;
static size_t ngroups;

static bool in_cgroup(const struct agent_wgroup *w, const char *cg, bool subtree)
{
	size_t l = strlen(cg);

	if (!strcmp(w->cgroup, cg))
		return true;
	return subtree && *cg && !strncmp(w->cgroup, cg, l) && w->cgroup[l] == '/';
}

/* The pids a request names (stop-cgroup's "pids" records); n = SIZE_MAX
 * when it names none: every group. */
struct pid_sel {
	const struct wire_field *f;
	size_t n;
};

/* True when the group holds one of the selected pids. A group is one
 * spawn: its workers always move together, so one of its pids names all
 * of them. */
static bool has_pid(const struct agent_wgroup *w, const struct pid_sel *sel)
{
	if (!sel)
		return true;
	for (size_t k = 0; k < sel->n; k++) {
		int32_t v = wire_pid_at(sel->f, k);

		for (unsigned i = 0; i < w->g.n; i++)
			if (w->g.pids[i] == (pid_t)v)
				return true;
	}
	return false;
}

static bool selected(const struct agent_wgroup *w, const char *cg, bool subtree,
		     const struct pid_sel *pids)
{
	return in_cgroup(w, cg, subtree) && has_pid(w, pids);
}

/* The directory of cgroup CG: the managed child, or the root for "". */
static struct kterr *cg_dir(const char *cg, char *path, size_t size)
{
	if (!*cg) {
		snprintf(path, size, "%s", AGENT_CGROUP_ROOT);
		return NULL;
	}
	return agent_cgroup_path(cg, path, size);
}

static const char *show(const char *cg)
{
	return *cg ? cg : "@runner";
}

unsigned agent_workers_in(const char *cgroup)
{
	unsigned n = 0;

	for (size_t i = 0; i < ngroups; i++)
		if (in_cgroup(&groups[i], cgroup, false))
			n += groups[i].g.n;
	return n;
}

/* ---- reports ---- */

static void to_rec(const struct worker_report *r, pid_t pid, struct wire_worker_rec *out)
{
	*out = (struct wire_worker_rec){
		.pid = (int32_t)pid, .iterations = r->iterations, .cpu_ns = r->cpu_ns,
		.nvcsw = r->nvcsw, .nivcsw = r->nivcsw, .migrations = r->migrations,
		.max_gap_ns = r->max_gap_ns, .max_wake_ns = r->max_wake_ns,
		.wake_p50_ns = worker_report_wake_pct(r, 50),
		.wake_p99_ns = worker_report_wake_pct(r, 99),
		.wake_samples = r->wake_samples, .run_delay_ns = r->run_delay_ns,
		.cpu_now = r->last_cpu,
	};
	for (unsigned w = 0; w < WIRE_WORKER_CPU_WORDS && w < WORKER_CPU_WORDS; w++)
		out->cpus[w] = r->cpus[w];
}

static void put_reports(struct wire_buf *reply, const char *cg, bool subtree,
			const struct pid_sel *pids)
{
	struct wire_worker_rec *recs;
	size_t n = 0, cap = 0;

	for (size_t k = 0; k < ngroups; k++)
		if (selected(&groups[k], cg, subtree, pids))
			cap += groups[k].g.n;
	recs = calloc(cap ? cap : 1, sizeof(*recs));
	if (!recs) {
		reply->failed = true;	/* no reply beats a reply without reports */
		return;
	}
	for (size_t k = 0; k < ngroups; k++) {
		const struct agent_wgroup *w = &groups[k];

		if (!selected(w, cg, subtree, pids))
			continue;
		for (unsigned i = 0; i < w->g.n && n < cap; i++) {
			struct worker_report r;

			worker_group_report(&w->g, i, &r);
			to_rec(&r, w->g.pids[i], &recs[n++]);
		}
	}
	wire_put_workers(reply, "workers", recs, n);
	free(recs);
}

/* Groups merged by cgroup, straight from the shared reports (a memcpy
 * and a histogram walk per worker, no syscall): cheap enough to ride on
 * every STATE frame. A cgroup past max is left out. */
size_t agent_workers_progress(struct agent_wk *out, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < ngroups; k++) {
		const struct agent_wgroup *g = &groups[k];
		const char *name = show(g->cgroup);
		struct wire_worker_rec *recs;
		size_t i;

		for (i = 0; i < n && strcmp(out[i].cgroup, name); i++)
			;
		if (i == n) {
			if (n == max)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].cgroup, sizeof(out[n].cgroup), "%.63s", name);	/* longer: cut */
			n++;
		}
		recs = realloc(out[i].recs, (out[i].nrecs + g->g.n) * sizeof(*recs));
		if (!recs)
			continue;	/* out of memory: this group is left out of the frame */
		out[i].recs = recs;
		for (unsigned w = 0; w < g->g.n; w++) {
			struct worker_report r;

			worker_group_report(&g->g, w, &r);
			to_rec(&r, g->g.pids[w], &recs[out[i].nrecs++]);
			out[i].iterations += r.iterations;
		}
	}
	return n;
}

/* ---- affinity ---- */

static struct kterr *read_cpus(const char *path, struct kt_cpuset *out)
{
	char buf[1024];
	struct kterr *e = agent_read_file(path, buf, sizeof(buf));

	if (e)
		return e;
	buf[strcspn(buf, "\n")] = '\0';
	e = kt_cpulist_parse(buf, out);
	return e ? kterr_wrap(e, "%s", path) : NULL;
}

static struct kterr *apply_affinity(struct agent_wgroup *w, const struct worker_affinity *a)
{
	char dir[PATH_MAX_CG], p[PATH_MAX_CG + 64];
	struct worker_topo t = { .sysfs_root = "/sys", .seed = kt_now_ns() };
	struct kterr *e = cg_dir(w->cgroup, dir, sizeof(dir));

	if (!e) {
		snprintf(p, sizeof(p), "%s/cpuset.cpus.effective", dir);
		e = read_cpus(p, &t.effective);
	}
	if (!e)
		e = read_cpus("/sys/devices/system/cpu/online", &t.online);
	for (unsigned i = 0; !e && i < w->g.n; i++) {
		struct kt_cpuset mask;

		e = worker_affinity_mask(a, &t, i, &mask);
		if (!e)
			e = worker_set_affinity(w->g.pids[i], &mask);
		if (e)
			e = kterr_wrap(e, "worker %d of %s", (int)w->g.pids[i], show(w->cgroup));
	}
	return e;
}

/* ---- spawn ---- */

static struct kterr *place(struct agent_wgroup *w)
{
	char dir[PATH_MAX_CG], p[PATH_MAX_CG + 64], pid[16];
	struct kterr *e;

	if (!*w->cgroup)
		return NULL;	/* the runner: zero cgroup ops */
	if ((e = agent_cgroup_path(w->cgroup, dir, sizeof(dir))))
		return e;
	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	for (unsigned i = 0; i < w->g.n; i++) {
		snprintf(pid, sizeof(pid), "%d", (int)w->g.pids[i]);
		if ((e = agent_write_file(p, pid)))
			return kterr_wrap(e, "place worker %s", pid);
	}
	return NULL;
}

struct kterr *agent_workers_spawn(const char *cg, const struct wire_msg *req,
				  struct wire_buf *reply)
{
	struct worker_spec spec = { .label = *cg ? cg : "runner" };
	struct worker_affinity aff;
	const char *affinity = wire_get(req, "affinity");
	struct agent_wgroup *w, *n;
	uint64_t count = 0;
	char dir[PATH_MAX_CG];
	int32_t *pids;
	struct kterr *e = NULL;

	if (!wire_get_u64(req, "workers", &count) || !count || count > KT_MAX_WORKERS)
		return kterr_hint(kterr_new(EINVAL, "workers=%s", wire_get(req, "workers") ?
					    wire_get(req, "workers") : "(missing)"),
				  "ask for 1..%d workers", KT_MAX_WORKERS);
	spec.n = (unsigned)count;
	e = kt_work_parse(wire_get(req, "work"), &spec.work);
	if (!e)
		e = kt_policy_parse(wire_get(req, "policy"), &spec.policy);
	if (!e)
		e = worker_affinity_parse(affinity, &aff);
	if (!e && (e = cg_dir(cg, dir, sizeof(dir))) == NULL && !kt_is_dir(dir))
		e = kterr_hint(kterr_new(ENOENT, "cgroup %s: %s does not exist", cg, dir),
			       "create it first (add-cgroup, add-cgroup-def, or a `cgroup` line)");
	if (e)
		return e;
	n = realloc(groups, (ngroups + 1) * sizeof(*groups));
	if (!n)
		return kterr_new(ENOMEM, "worker groups");
	groups = n;
	w = &groups[ngroups];
	memset(w, 0, sizeof(*w));
	snprintf(w->cgroup, sizeof(w->cgroup), "%s", cg);
	e = worker_group_fork(&w->g, &spec, agent_wait_child);
	if (e)
		return kterr_wrap(e, "spawn %u %s workers", spec.n, kt_work_info[spec.work.type].name);
	ngroups++;
	e = place(w);
	if (!e && affinity)
		e = apply_affinity(w, &aff);
	if (e) {
		/* Half a group is worse than none: nothing ran yet. */
		kterr_free(worker_group_kill(&w->g, agent_wait_child,
					     (int)kt_limit_ms(KT_LIM_STOP)));
		worker_group_free(&w->g);
		ngroups--;
		return e;
	}
	worker_group_start(&w->g);
	pids = calloc(w->g.n, sizeof(*pids));
	if (!pids)
		return kterr_new(ENOMEM, "the pids of %u workers (they run)", w->g.n);
	for (unsigned i = 0; i < w->g.n; i++)
		pids[i] = (int32_t)w->g.pids[i];
	wire_put_pids(reply, "pids", pids, w->g.n);
	free(pids);
	return NULL;
}

/* ---- stop ---- */

/* Stop the selected groups (see selected()) and reply their final reports. */
static struct kterr *stop_groups(const char *cg, bool subtree, const struct pid_sel *pids,
				 struct wire_buf *reply)
{
	struct kterr *first = NULL;

	for (size_t k = 0; k < ngroups; k++) {
		if (!selected(&groups[k], cg, subtree, pids))
			continue;
		struct kterr *e = worker_group_kill(&groups[k].g, agent_wait_child,
						    (int)kt_limit_ms(KT_LIM_STOP));

		if (e && !first)
			first = kterr_wrap(e, "stop the workers of %s", show(groups[k].cgroup));
		else
			kterr_free(e);
	}
	/* The reports after the kill are the final ones. */
	if (reply)
		put_reports(reply, cg, subtree, pids);
	for (size_t k = 0; k < ngroups; ) {
		if (!selected(&groups[k], cg, subtree, pids)) {
			k++;
			continue;
		}
		worker_group_free(&groups[k].g);
		groups[k] = groups[--ngroups];
	}
	return first;
}

void agent_workers_signal(const char *cg, bool subtree, const struct wire_field *pids)
{
	struct pid_sel sel = { .f = pids };
	char why[128];

	/* A malformed list signals nothing: its stop says why. */
	if (pids && !wire_recs_check(pids, WIRE_PID_REC_SIZE, &sel.n, why, sizeof(why)))
		return;
	for (size_t k = 0; k < ngroups; k++)
		if (selected(&groups[k], cg, subtree, pids ? &sel : NULL))
			worker_group_signal(&groups[k].g, agent_wait_child);
}

struct kterr *agent_workers_stop(const char *cg, bool subtree, struct wire_buf *reply)
{
	return stop_groups(cg, subtree, NULL, reply);
}

static struct kterr *op_spawn(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	const char *cg = wire_get(req, "cgroup");

	return agent_workers_spawn(cg ? cg : "", req, reply);
}

static struct kterr *op_stop_cgroup(struct agent *a, const struct wire_msg *req,
				    struct wire_buf *reply)
{
	const char *cg = wire_get(req, "cgroup");
	char dir[PATH_MAX_CG];
	struct kterr *e;

	const struct wire_field *pf = wire_field(req, "pids");
	struct pid_sel sel = { .f = pf };
	char why[128];

	cg = cg ? cg : "";
	if ((e = cg_dir(cg, dir, sizeof(dir))))
		return e;
	if (*cg && !kt_is_dir(dir) && !agent_workers_in(cg))
		return kterr_hint(kterr_new(ENOENT, "cgroup %s: %s does not exist", cg, dir),
				  "create it first (add-cgroup, add-cgroup-def, or a `cgroup` line)");
	if (pf && !wire_recs_check(pf, WIRE_PID_REC_SIZE, &sel.n, why, sizeof(why)))
		return kterr_new(EPROTO, "stop-cgroup pids: %s", why);
	/* pids: only those spawns (teardown of one owner's runner workers). */
	return stop_groups(cg, false, pf ? &sel : NULL, reply);
}

static struct kterr *op_query_workers(struct agent *a, const struct wire_msg *req,
				      struct wire_buf *reply)
{
	const char *cg = wire_get(req, "cgroup");

	put_reports(reply, cg ? cg : "", false, NULL);
	return NULL;
}

static struct kterr *op_set_affinity(struct agent *a, const struct wire_msg *req,
				     struct wire_buf *reply)
{
	const char *cg = wire_get(req, "cgroup"), *kind = wire_get(req, "affinity");
	struct worker_affinity aff;
	struct kterr *e = worker_affinity_parse(kind, &aff);
	bool any = false;

	cg = cg ? cg : "";
	if (!e && !kind)
		e = kterr_new(EINVAL, "no affinity kind");
	for (size_t k = 0; !e && k < ngroups; k++) {
		if (!in_cgroup(&groups[k], cg, false))
			continue;
		any = true;
		e = apply_affinity(&groups[k], &aff);
	}
	if (!e && !any)
		e = kterr_hint(kterr_new(ENOENT, "set-affinity %s: no ktcon workers in %s", show(cg),
					 show(cg)),
			       "spawn %s workers=N first (or give the cgroup workers=N)", show(cg));
	return e;
}

/* ---- move-all-tasks ---- */

/* One pid at a time through TO's cgroup.procs; the first failure stops
 * the move and names the pid. From the runner, only its workers move: the
 * root cgroup also holds the agent and the kernel's threads. */
static struct kterr *op_move_all(struct agent *a, const struct wire_msg *req,
				 struct wire_buf *reply)
{
	const char *from = wire_get(req, "cgroup"), *to = wire_get(req, "cgroup2");
	char fdir[PATH_MAX_CG], tdir[PATH_MAX_CG], procs[PATH_MAX_CG + 64], *list = NULL;
	size_t moved = 0;
	struct kterr *e;

	from = from ? from : "";
	to = to ? to : "";
	if (!strcmp(from, to))
		return kterr_new(EINVAL, "move-all-tasks: self-move from '%s' to '%s'", show(from),
				 show(to));
	if ((e = cg_dir(from, fdir, sizeof(fdir))) || (e = cg_dir(to, tdir, sizeof(tdir))))
		return e;
	if (!kt_is_dir(tdir))
		return kterr_hint(kterr_new(ENOENT, "cgroup %s: %s does not exist", to, tdir),
				  "create it first (add-cgroup %s)", to);
	if (*from) {
		static char buf[65536];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", fdir);
		if ((e = agent_read_file(procs, buf, sizeof(buf))))
			return kterr_hint(e, "cgroup %s must exist", from);
		list = buf;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", tdir);
	if (list) {
		for (char *save, *t = strtok_r(list, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
			e = agent_write_file(procs, t);
			if (e && kterr_errno_of(e) == ESRCH) {	/* it exited meanwhile */
				kterr_free(e);
				e = NULL;
				continue;
			}
			if (e)
				return kterr_wrap(e, "move pid %s from %s to %s (%zu moved before it)",
						  t, show(from), show(to), moved);
			moved++;
		}
	} else {
		for (size_t k = 0; k < ngroups; k++) {
			if (!in_cgroup(&groups[k], "", false))
				continue;
			for (unsigned i = 0; i < groups[k].g.n; i++) {
				char pid[16];

				if (groups[k].g.exited[i])
					continue;
				snprintf(pid, sizeof(pid), "%d", (int)groups[k].g.pids[i]);
				if ((e = agent_write_file(procs, pid)))
					return kterr_wrap(e, "move pid %s from @runner to %s (%zu "
							  "moved before it)", pid, show(to), moved);
				moved++;
			}
		}
	}
	/* The workers now live in TO: their records follow them. */
	for (size_t k = 0; k < ngroups; k++)
		if (in_cgroup(&groups[k], from, false))
			snprintf(groups[k].cgroup, sizeof(groups[k].cgroup), "%s", to);
	wire_put_u64(reply, "moved", moved);
	return NULL;
}

const struct agent_op agent_worker_ops[] = {
	{ "spawn", op_spawn },
	{ "stop-cgroup", op_stop_cgroup },
	{ "set-affinity", op_set_affinity },
	{ "move-all-tasks", op_move_all },
	{ "query-workers", op_query_workers },
	{ NULL, NULL },
};
