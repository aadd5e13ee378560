/* ops-workers.c - workers: spawn, stop, affinity, and moving tasks between
 * cgroups with the seed's ownership rules. */
#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "engine/op-exec.h"
#include "engine/op.h"
#include "lib/work.h"

#define OPT (KT_ARG_KEY | KT_ARG_OPT)

static struct kterr *need_name(const struct kt_stmt *st, const struct kt_recipe *r)
{
	return kt_need_nonempty(st, 0, "cgroup name");
}

/* ---- spawn ---- */

static struct kterr *validate_spawn(const struct kt_stmt *st, const struct kt_recipe *r)
{
	const char *where = kt_stmt_posval(st, 0);
	bool runner = !strcmp(kt_cgroup_key(where), KT_RUNNER);
	const char *n = kt_stmt_get(st, "workers"), *pct = kt_stmt_get(st, "workers-pct");

	if (!*where)
		return kterr_hint(kterr_new(0, "spawn: empty placement rejected"),
				  "write spawn @runner workers=N, or spawn CGROUP workers=N");
	if (runner && pct)
		return kterr_hint(kterr_new(0, "spawn @runner: workers-pct is rejected for runner "
					    "placement: no managed cgroup's cpuset gives the "
					    "percentage its denominator"),
				  "write spawn @runner workers=N, or spawn into a cgroup: "
				  "spawn NAME workers-pct=%s", pct);
	if (!n && !pct)
		return kterr_hint(kterr_new(0, "spawn %s: how many workers?", where),
				  "write workers=N (or workers-pct=P for a cgroup)");
	if (n && pct)
		return kterr_hint(kterr_new(0, "spawn %s: workers= and workers-pct= both given", where),
				  "give one of them");
	if (pct && (kt_checked_u64(pct) == 0 || kt_checked_u64(pct) > KT_MAX_WORKERS_PCT))
		return kterr_hint(kterr_new(0, "spawn %s: workers-pct=%s out of range", where, pct),
				  "write a percentage of the cgroup's CPUs, 1..%d", KT_MAX_WORKERS_PCT);
	return n ? kt_need_worker_count(st, kt_stmt_get(st, "work"),
					(unsigned)kt_checked_u64(n)) : NULL;
}

static struct kterr *exec_spawn(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_scenario *s = kt_exec_state(x);
	const char *cg = kt_cgroup_key(kt_stmt_posval(st, 0));
	const char *n = kt_stmt_get(st, "workers"), *pct = kt_stmt_get(st, "workers-pct");
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_SPAWN, .cgroup = cg,
			       .work = kt_stmt_get(st, "work") };
	struct kt_greply reply;
	const struct kt_cg *c = kt_scn_cgroup(s, cg);
	struct kterr *e;

	if (*cg && !c)
		return kterr_hint(kterr_new(0, "spawn %s: cgroup '%s' does not exist", cg, cg),
				  "create it first: add-cgroup %s, add-cgroup-def %s ..., or a "
				  "`cgroup %s` setup line (or use @runner)", cg, cg, cg);
	if (pct) {
		/* The share of the CPUs the cgroup may use, rounded up so
		 * a small percentage still spawns one worker. */
		unsigned cpus = c && c->has_cpus ? kt_cpuset_count(&c->cpus)
						 : kt_topology_cpus(&kt_exec_header(x)->topo);
		unsigned long p = kt_checked_u64(pct);

		req.workers = (unsigned)((p * cpus + 99) / 100);
		if (!req.workers)
			req.workers = 1;
		/* Pairs: round up to an even count rather than fail on a
		 * cpuset size the recipe cannot see. */
		struct kt_work w;
		struct kterr *we = kt_work_parse(req.work, &w);

		if (!we && kt_work_info[w.type].pairs && req.workers % 2)
			req.workers++;
		kterr_free(we);
	} else {
		req.workers = (unsigned)kt_checked_u64(n);
	}
	e = kt_exec_guest(x, &req, &reply);
	if (!e)
		e = kt_scn_add_workers(s, cg, reply.pids, reply.npids);
	if (!e)
		kt_exec_captured(x, "{\"workers\": %u, \"pids\": %zu}", req.workers, reply.npids);
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_op_spawn = {
	.name = "spawn", .kind = KT_STMT_OP, .op = KT_OP_SPAWN, .side = KT_SIDE_GUEST,
	.usage = "spawn @runner workers=N [work=TYPE] | spawn NAME workers=N|workers-pct=P [work=TYPE]",
	.help = "Spawn workers into the runner's own cgroup (@runner: no cgroup ops; workers-pct "
		"is rejected there) or into an existing cgroup. The work type is used as given. "
		"Workers live as long as their cgroup; at @runner, as long as the pass that spawned "
		"them (a step's die at its end, the backdrop's survive it).",
	.args = {
		{ "CGROUP|@runner", KT_T_CGROUP_OR_RUNNER, 0 },
		{ "workers", KT_T_UINT, OPT, &kt_range_spawn_workers },
		{ "workers-pct", KT_T_UINT, OPT, &kt_range_workers_pct },
		{ "work", KT_T_WORK, OPT },
	},
	.validate = validate_spawn,
	.exec = exec_spawn,
};

/* ---- stop-cgroup ---- */

char *kt_workers_json(const char *cgroup, const struct kt_greply *r)
{
	size_t cap = 128 + strlen(cgroup) * 6 + r->nworkers * 1600, off = 0;
	char *json = malloc(cap), cpus[1024];

	if (!json)
		return NULL;
	off += (size_t)snprintf(json + off, cap - off, "{\"cgroup\": \"");
	for (const char *c = *cgroup ? cgroup : "@runner"; *c; c++)	/* names: no quotes */
		if (*c != '"' && *c != '\\' && (unsigned char)*c >= 0x20)
			json[off++] = *c;
	off += (size_t)snprintf(json + off, cap - off, "\", \"workers\": [");
	for (size_t i = 0; i < r->nworkers; i++) {
		const struct kt_worker_report *w = &r->workers[i];

		char delay[24] = "null";

		/* Unknown (a kernel without CONFIG_SCHED_INFO) is null, not 0. */
		if (w->run_delay_ns != UINT64_MAX)
			snprintf(delay, sizeof(delay), "%llu", (unsigned long long)w->run_delay_ns);
		off += (size_t)snprintf(json + off, cap - off,
			"%s{\"pid\": %d, \"iterations\": %llu, \"cpu_ns\": %llu, \"nvcsw\": %llu, "
			"\"nivcsw\": %llu, \"migrations\": %llu, \"max_gap_ns\": %llu, "
			"\"max_wake_ns\": %llu, \"wake_p50_ns\": %llu, \"wake_p99_ns\": %llu, "
			"\"wake_max_ns\": %llu, \"wake_samples\": %llu, \"run_delay_ns\": %s, "
			"\"cpus\": \"%s\"}", i ? ", " : "", w->pid,
			(unsigned long long)w->iterations, (unsigned long long)w->runtime_ns,
			(unsigned long long)w->nvcsw, (unsigned long long)w->nivcsw,
			(unsigned long long)w->migrations, (unsigned long long)w->max_gap_ns,
			(unsigned long long)w->max_wake_ns, (unsigned long long)w->wake_p50_ns,
			(unsigned long long)w->wake_p99_ns, (unsigned long long)w->max_wake_ns,
			(unsigned long long)w->wake_samples, delay,
			kt_cpulist_format(&w->cpus_used, cpus, sizeof(cpus)));
	}
	snprintf(json + off, cap - off, "]}");
	return json;
}

static struct kterr *exec_stop_cgroup(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *cg = kt_stmt_posval(st, 0);
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_STOP_CGROUP, .cgroup = cg };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);

	if (!e) {
		char *json = kt_workers_json(cg, &reply);

		if (json)
			kt_exec_captured(x, "%s", json);
		free(json);
		kt_scn_drop_workers(kt_exec_state(x), cg);
	}
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_op_stop_cgroup = {
	.name = "stop-cgroup", .kind = KT_STMT_OP, .op = KT_OP_STOP_CGROUP, .side = KT_SIDE_GUEST,
	.help = "Stop all workers in a cgroup; the cgroup stays. Allowed on backdrop cgroups too.",
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = need_name,
	.exec = exec_stop_cgroup,
};

/* ---- set-affinity ---- */

/* exact:LIST names CPUs the guest of the vm line has. */
static struct kterr *validate_affinity(const struct kt_stmt *st, const struct kt_recipe *r)
{
	const char *kind = kt_stmt_posval(st, 1);
	struct kterr *e = need_name(st, r);
	struct kt_cpuset set;

	if (e || !kind || strncmp(kind, "exact:", 6))
		return e;
	/* The spelling is the parser's to report. */
	if ((e = kt_cpulist_parse(kind + 6, &set))) {
		kterr_free(e);
		return NULL;
	}
	for (unsigned c = KT_MAX_CPUS; c-- > 0;)
		if (kt_cpuset_has(&set, c))
			return kt_need_cpu_fits(st, c, r);
	return NULL;
}

static struct kterr *exec_set_affinity(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_SET_AFFINITY,
			       .cgroup = kt_stmt_posval(st, 0), .affinity = kt_stmt_posval(st, 1) };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);

	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_op_set_affinity = {
	.name = "set-affinity", .kind = KT_STMT_OP, .op = KT_OP_SET_AFFINITY,
	.side = KT_SIDE_GUEST,
	.help = "Set the affinity of a cgroup's workers, resolved in the guest at apply time: "
		"inherit, random-subset, llc-aligned, cross-cgroup, single-cpu or exact:LIST.",
	.args = { { NULL, KT_T_NAME, 0 }, { NULL, KT_T_AFFINITY, 0 } },
	.validate = validate_affinity,
	.exec = exec_set_affinity,
};

/* ---- move-all-tasks ---- */

/* Self-move needs no state: check it here so `ktcon check` sees it too. */
static struct kterr *validate_move(const struct kt_stmt *st, const struct kt_recipe *r)
{
	const char *from = kt_cgroup_key(kt_stmt_posval(st, 0));
	const char *to = kt_cgroup_key(kt_stmt_posval(st, 1));
	struct kt_scenario empty;
	struct kterr *e;

	kt_scn_init(&empty);
	e = kt_scn_check_move(&empty, from, to);
	kt_scn_free(&empty);
	return e ? kterr_wrap(e, "move-all-tasks") : NULL;
}

static struct kterr *exec_move(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *from = kt_cgroup_key(kt_stmt_posval(st, 0));
	const char *to = kt_cgroup_key(kt_stmt_posval(st, 1));
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_MOVE_ALL_TASKS, .cgroup = from,
			       .cgroup2 = to };
	struct kt_greply reply;
	struct kterr *e = kt_scn_check_move(kt_exec_state(x), from, to);

	if (e)
		return kterr_wrap(e, "move-all-tasks");
	e = kt_exec_guest(x, &req, &reply);
	kt_greply_clear(&reply);
	/* On failure the handles stay under `from`, as the seed says. */
	if (!e)
		kt_scn_move_handles(kt_exec_state(x), from, to);
	return e;
}

const struct kt_form kt_op_move_all_tasks = {
	.name = "move-all-tasks", .kind = KT_STMT_OP, .op = KT_OP_MOVE_ALL_TASKS,
	.side = KT_SIDE_GUEST,
	.help = "Move every task of FROM into TO (@runner: the runner's own cgroup). A self-move is "
		"rejected; so is backdrop -> step-local (the tasks would be stranded at step end), "
		"except in the backdrop. step-local -> backdrop hands the workers to the backdrop. "
		"The same holds for @runner's workers, each by its owner (moving the backdrop's "
		"runner workers to a step-local cgroup is rejected); moved into @runner, workers "
		"keep their lifetime.",
	.args = { { "FROM", KT_T_CGROUP_OR_RUNNER, 0 }, { "TO", KT_T_CGROUP_OR_RUNNER, 0 } },
	.validate = validate_move,
	.exec = exec_move,
};
