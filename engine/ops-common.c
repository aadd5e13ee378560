/* ops-common.c - helpers the op hooks share; see op-exec.h and link.h. */
#include "engine/op-exec.h"
#include "lib/work.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

const char *kt_cgroup_key(const char *arg)
{
	/* @runner and the empty string both name the runner's cgroup: its
	 * worker handles are keyed under "" (scenario.h). */
	return arg && strcmp(arg, "@runner") ? arg : KT_RUNNER;
}

struct kterr *kt_need_nonempty(const struct kt_stmt *st, size_t pos, const char *what)
{
	const char *v = kt_stmt_posval(st, pos);
	char *text;
	struct kterr *e;

	if (!v || *v)
		return NULL;
	text = kt_stmt_print(st);
	e = kterr_hint(kterr_new(0, "%s: empty %s rejected", st->form->name, what),
		       "give the %s a name: the empty argument \"\" in `%s` names nothing", what,
		       text ? text : st->form->name);
	free(text);
	return e;
}

void kt_greply_clear(struct kt_greply *r)
{
	free(r->pids);
	free(r->workers);
	free(r->output);
	memset(r, 0, sizeof(*r));
}

const char *kt_greq_name(const struct kt_greq *req)
{
	static const char *const verbs[] = {
		[KT_GREQ_OP] = NULL,
		[KT_GREQ_QUERY_CGROUP] = "query-cgroup",
		[KT_GREQ_QUERY_SCHED] = "query-sched",
		[KT_GREQ_QUERY_WORKERS] = "query-workers",
		[KT_GREQ_UNPIN_BPF_MAPS] = "unpin-bpf-maps",
	};

	if ((unsigned)req->verb >= ARRAY_SIZE(verbs))
		return "?";
	return verbs[req->verb] ? verbs[req->verb] : kt_op_name(req->op);
}

struct kterr *kt_need_cpuset_fits(const struct kt_stmt *st, const char *spec,
				  const struct kt_recipe *r)
{
	struct kt_header h;
	struct kt_cpuset cpus;
	struct kterr *e;

	if (!r || !spec)
		return NULL;
	kt_header_read(r, &h);
	e = kt_cpuset_resolve(spec, &h.topo, &cpus);
	return e ? kterr_wrap(e, "%s %s", st->form->name, kt_stmt_posval(st, 0)) : NULL;
}

struct kterr *kt_need_cpu_fits(const struct kt_stmt *st, unsigned cpu, const struct kt_recipe *r)
{
	struct kt_header h;
	unsigned n;

	if (!r)
		return NULL;
	kt_header_read(r, &h);
	n = kt_topology_cpus(&h.topo);
	if (cpu < n)
		return NULL;
	return kterr_hint(kterr_new(0, "%s: CPU %u is not online (the guest has %u CPUs)",
				    st->form->name, cpu, n),
			  "pick a CPU 0..%u, or give the guest more: vm cpus=%u", n - 1, cpu + 1);
}

struct kterr *kt_need_worker_count(const struct kt_stmt *st, const char *work, unsigned n)
{
	struct kt_work w;
	struct kterr *e = kt_work_parse(work, &w);

	if (!e)
		e = kt_work_check_count(&w, n);
	return e ? kterr_wrap(e, "%s %s", st->form->name, kt_stmt_posval(st, 0)) : NULL;
}
