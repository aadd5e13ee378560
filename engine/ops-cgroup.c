/* ops-cgroup.c - the cgroup ops and the `cgroup` setup line: add, define,
 * remove, cpusets, freeze, and capturing cgroup.procs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "engine/op-exec.h"
#include "engine/op.h"

#define OPT (KT_ARG_KEY | KT_ARG_OPT)

/* The keys of a CgroupDef, shared by `cgroup` lines and add-cgroup-def. */
#define CGROUP_DEF_ARGS \
	{ NULL, KT_T_NAME, 0 }, \
	{ "cpuset", KT_T_CPUSET, OPT }, \
	{ "workers", KT_T_UINT, OPT, &kt_range_def_workers }, \
	{ "work", KT_T_WORK, OPT }, \
	{ "policy", KT_T_POLICY, OPT }, \
	{ "affinity", KT_T_AFFINITY, OPT }, \
	{ "cpu.weight", KT_T_UINT, OPT, &kt_range_cg_weight }, \
	{ "cpu.max", KT_T_CPUMAX, OPT }, \
	{ "memory.max", KT_T_MEMMAX, OPT }, \
	{ "io.weight", KT_T_UINT, OPT, &kt_range_cg_weight }, \
	{ "pids.max", KT_T_MAXUINT, OPT, &kt_range_pids_max }, \
	{ "swappable", KT_T_FLAG, 0 }

static struct kterr *need_name(const struct kt_stmt *st, const struct kt_recipe *r)
{
	return kt_need_nonempty(st, 0, "cgroup name");
}

static struct kterr *need_two_names(const struct kt_stmt *st, const struct kt_recipe *r)
{
	struct kterr *e = kt_need_nonempty(st, 0, "cgroup name");

	return e ? e : kt_need_nonempty(st, 1, "cgroup name");
}

static size_t exec_add_run(struct kt_exec *x, const struct kt_stmt *const *st, size_t n,
			   struct kterr **err);

/* ---- add-cgroup ---- */

static struct kterr *exec_add_cgroup(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *name = kt_stmt_posval(st, 0);
	struct kt_scenario *s = kt_exec_state(x);
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_ADD_CGROUP, .cgroup = name };
	struct kt_greply reply;
	struct kterr *e = kt_scn_check_add(s, name, false);

	if (e)
		return e;
	e = kt_exec_guest(x, &req, &reply);
	/* The levels above a nested name it made go with it. */
	if (!e)
		e = kt_scn_add_implicit(s, name, reply.implicit);
	kt_greply_clear(&reply);
	return e ? e : kt_scn_add_cgroup(s, name, false, NULL);
}

const struct kt_form kt_op_add_cgroup = {
	.name = "add-cgroup", .kind = KT_STMT_OP, .op = KT_OP_ADD_CGROUP, .side = KT_SIDE_GUEST,
	.help = "Create an empty cgroup (no cpuset, knobs or workers): a move target. For one "
		"with knobs or workers use add-cgroup-def, or a cgroup line in the step's setup. "
		"A nested name (x/y) makes the missing levels above it too; they belong to it and "
		"go when it goes. cgroup v2 gives children only to a cgroup without tasks.",
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = need_name,
	.exec = exec_add_cgroup,
	.exec_run = exec_add_run,
};

/* ---- add-cgroup-def and cgroup lines ---- */

static struct kterr *validate_def(const struct kt_stmt *st, const struct kt_recipe *r)
{
	struct kterr *e = need_name(st, r);
	const char *n = kt_stmt_get(st, "workers");

	if (!e)
		e = kt_need_cpuset_fits(st, kt_stmt_get(st, "cpuset"), r);
	return e || !n ? e : kt_need_worker_count(st, kt_stmt_get(st, "work"),
						  (unsigned)kt_checked_u64(n));
}

static struct kterr *validate_set_cpuset(const struct kt_stmt *st, const struct kt_recipe *r)
{
	struct kterr *e = need_name(st, r);

	return e ? e : kt_need_cpuset_fits(st, kt_stmt_posval(st, 1), r);
}

static struct kterr *def_from_stmt(struct kt_exec *x, const struct kt_stmt *st,
				   struct kt_cgroup_def *d)
{
	const char *v;
	struct kterr *e;

	memset(d, 0, sizeof(*d));
	d->name = kt_stmt_posval(st, 0);
	if ((v = kt_stmt_get(st, "cpuset"))) {
		e = kt_cpuset_resolve(v, &kt_exec_header(x)->topo, &d->cpus);
		if (e)
			return kterr_wrap(e, "cgroup %s", d->name);
		d->has_cpus = true;
	}
	if ((v = kt_stmt_get(st, "workers")))
		d->workers = (unsigned)kt_checked_u64(v);
	d->work = kt_stmt_get(st, "work");
	d->policy = kt_stmt_get(st, "policy");
	d->affinity = kt_stmt_get(st, "affinity");
	d->cpu_weight = kt_stmt_get(st, "cpu.weight");
	d->cpu_max = kt_stmt_get(st, "cpu.max");
	d->memory_max = kt_stmt_get(st, "memory.max");
	d->io_weight = kt_stmt_get(st, "io.weight");
	d->pids_max = kt_stmt_get(st, "pids.max");
	d->swappable = kt_stmt_flag(st, "swappable");
	return NULL;
}

/* Both the setup line and the mid-step op: the seed dedup-checks a def
 * against the backdrop's and the step's defs the same way. */
static struct kterr *exec_cgroup_def(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_scenario *s = kt_exec_state(x);
	struct kt_cgroup_def d;
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_ADD_CGROUP_DEF, .def = &d };
	struct kt_greply reply;
	struct kterr *e = def_from_stmt(x, st, &d);

	if (!e)
		e = kt_scn_check_add(s, d.name, true);
	if (e)
		return e;
	req.cgroup = d.name;
	e = kt_exec_guest(x, &req, &reply);
	if (!e)
		e = kt_scn_add_implicit(s, d.name, reply.implicit);
	if (!e)
		e = kt_scn_add_cgroup(s, d.name, true, d.has_cpus ? &d.cpus : NULL);
	if (!e && reply.npids)
		e = kt_scn_add_workers(s, d.name, reply.pids, reply.npids);
	kt_greply_clear(&reply);
	return e;
}

/* ---- runs of adds: `cgroup` lines, add-cgroup, add-cgroup-def ---- */

/* name is one an earlier add of the run makes: the same, or a level above
 * an earlier nested name (which that add tracks as its own). Those are
 * exec's errors to give, alone, once the earlier ones are tracked. */
static bool made_earlier(const char *name, const char *const *earlier, size_t n)
{
	size_t l = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(earlier[i], name, l) && (!earlier[i][l] || earlier[i][l] == '/'))
			return true;
	return false;
}

/*
 * The run's prefix that passes every host rule exec checks (validate, the
 * cpuset, the seed's dedup against backdrop and step, no clash within the
 * run) goes to the guest as one batch; what the guest made is tracked as
 * exec tracks it, in order. The first statement that fails a host rule
 * ends the prefix, untried: exec gives its error alone. A guest failure
 * part way is that statement's error, and the ones before it stand and
 * are tracked (teardown removes them), as when applied one by one; the
 * agent leaves nothing of the failed one (create_cgroup, add-cgroup-def).
 */
static size_t exec_add_run(struct kt_exec *x, const struct kt_stmt *const *st, size_t n,
			   struct kterr **err)
{
	struct kt_scenario *s = kt_exec_state(x);
	bool def = st[0]->form != &kt_op_add_cgroup;
	struct kt_cgroup_def *defs = calloc(n, sizeof(*defs));
	struct kt_greq *reqs = calloc(n, sizeof(*reqs));
	struct kt_greply *replies = calloc(n, sizeof(*replies));
	const char **names = calloc(n, sizeof(*names));
	size_t m = 0, done = 0;
	struct kterr *e = NULL;

	*err = NULL;
	for (; defs && reqs && replies && names && m < n; m++) {
		const char *name = kt_stmt_posval(st[m], 0);

		e = st[m]->form->validate ? st[m]->form->validate(st[m], kt_exec_recipe(x)) : NULL;
		if (!e && def)
			e = def_from_stmt(x, st[m], &defs[m]);
		if (!e)
			e = kt_scn_check_add(s, name, def);
		if (e || made_earlier(name, names, m))
			break;
		names[m] = name;
		reqs[m] = (struct kt_greq){ .verb = KT_GREQ_OP, .cgroup = name,
					    .op = def ? KT_OP_ADD_CGROUP_DEF : KT_OP_ADD_CGROUP,
					    .def = def ? &defs[m] : NULL };
	}
	kterr_free(e);
	e = NULL;
	/* One alone is exec's. */
	if (m >= 2) {
		e = kt_exec_guest_batch(x, reqs, m, replies, &done);
		for (size_t k = 0; k < done; k++) {
			struct kterr *te = kt_scn_add_implicit(s, names[k], replies[k].implicit);

			if (!te)
				te = kt_scn_add_cgroup(s, names[k], def,
						       def && defs[k].has_cpus ? &defs[k].cpus : NULL);
			if (!te && replies[k].npids)
				te = kt_scn_add_workers(s, names[k], replies[k].pids,
							replies[k].npids);
			/* Out of memory tracking it: that statement failed. */
			if (te) {
				kterr_free(e);
				e = te;
				done = k;
				break;
			}
		}
		/* A reply that broke the batch rules after the guest did them
		 * all (a protocol error): the last one carries the error. */
		if (e && done >= m)
			done = m - 1;
		*err = e;
	}
	for (size_t k = 0; replies && k < m; k++)
		kt_greply_clear(&replies[k]);
	free(defs);
	free(reqs);
	free(replies);
	free(names);
	return done;
}

const struct kt_form kt_op_add_cgroup_def = {
	.name = "add-cgroup-def", .kind = KT_STMT_OP, .op = KT_OP_ADD_CGROUP_DEF,
	.side = KT_SIDE_GUEST,
	.help = "Create a cgroup mid-step from a full definition (cpuset, cpu/memory/io/pids knobs, "
		"workers) in one op, like a cgroup setup line. A name that collides with a backdrop "
		"or step-local definition is rejected.",
	.args = { CGROUP_DEF_ARGS },
	.validate = validate_def,
	.exec = exec_cgroup_def,
	.exec_run = exec_add_run,
};

const struct kt_form kt_cgroup_form = {
	.name = "cgroup", .kind = KT_STMT_CGROUP, .op = -1,
	.help = "A setup line: the cgroup this step (or the backdrop) defines before its ops run. "
		"After an op, write add-cgroup-def instead.",
	.args = { CGROUP_DEF_ARGS },
	.validate = validate_def,
	.exec = exec_cgroup_def,
	.exec_run = exec_add_run,
};

/* ---- remove-cgroup ---- */

static struct kterr *exec_remove_cgroup(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *name = kt_stmt_posval(st, 0);
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_REMOVE_CGROUP, .cgroup = name };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);

	/* Tracking goes with the cgroup: a removed backdrop cgroup can be
	 * added again later. */
	if (!e)
		kt_scn_remove_cgroup(kt_exec_state(x), name);
	/* A parent made only for it (add-cgroup x/y made x) goes with it,
	 * and so on up. */
	if (!e) {
		char cur[512];
		const char *p;

		snprintf(cur, sizeof(cur), "%s", name);
		while (!e && (p = kt_scn_orphaned_parent(kt_exec_state(x), cur))) {
			snprintf(cur, sizeof(cur), "%s", p);
			e = kt_exec_guest_simple(x, KT_OP_REMOVE_CGROUP, cur);
			if (e)
				e = kterr_wrap(e, "remove %s, made as the parent of %s", cur, name);
			else
				kt_scn_remove_cgroup(kt_exec_state(x), cur);
		}
	}
	/* The seed: not an error at the remove; the next op naming it fails. */
	if (!e && reply.missing)
		kt_exec_warn(x, "remove-cgroup %s: no cgroup '%s' in the guest, nothing removed "
			     "(an op naming it later fails with the cgroup missing)", name, name);
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_op_remove_cgroup = {
	.name = "remove-cgroup", .kind = KT_STMT_OP, .op = KT_OP_REMOVE_CGROUP,
	.side = KT_SIDE_GUEST,
	.help = "Stop a cgroup's workers and remove it, with the cgroups nested in it; allowed on "
		"step-local and backdrop cgroups (a removed backdrop cgroup may be added again). "
		"A name that does not exist removes nothing and is not an error (a warning says "
		"so): the next op that names it fails.",
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = need_name,
	.exec = exec_remove_cgroup,
};

/* ---- cpusets ---- */

static struct kterr *exec_set_cpuset(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_SET_CPUSET,
			       .cgroup = kt_stmt_posval(st, 0) };
	struct kt_greply reply;
	struct kterr *e = kt_cpuset_resolve(kt_stmt_posval(st, 1), &kt_exec_header(x)->topo,
					    &req.cpus);
	struct kt_cg *cg;
	char list[256];

	if (e)
		return e;
	e = kt_exec_guest(x, &req, &reply);
	kt_greply_clear(&reply);
	if (e)
		return e;
	if ((cg = kt_scn_cgroup(kt_exec_state(x), req.cgroup))) {
		cg->has_cpus = true;
		cg->cpus = req.cpus;
	}
	kt_exec_captured(x, "\"%s\"", kt_cpulist_format(&req.cpus, list, sizeof(list)));
	return NULL;
}

const struct kt_form kt_op_set_cpuset = {
	.name = "set-cpuset", .kind = KT_STMT_OP, .op = KT_OP_SET_CPUSET, .side = KT_SIDE_GUEST,
	.help = "Set a cgroup's cpuset to a SPEC resolved against the guest topology: 0-3,6, "
		"llc:N, numa:N, range:A-B, disjoint:I/OF or overlap:I/OF/FRAC.",
	.args = { { NULL, KT_T_NAME, 0 }, { NULL, KT_T_CPUSET, 0 } },
	.validate = validate_set_cpuset,
	.exec = exec_set_cpuset,
};

/* After the guest cleared it (KT_FORM_GUEST_CGROUP_OP sent it). */
static struct kterr *exec_clear_cpuset(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_cg *cg = kt_scn_cgroup(kt_exec_state(x), kt_stmt_posval(st, 0));

	if (cg)
		cg->has_cpus = false;
	return NULL;
}

const struct kt_form kt_op_clear_cpuset = {
	.name = "clear-cpuset", .kind = KT_STMT_OP, .op = KT_OP_CLEAR_CPUSET,
	.side = KT_SIDE_GUEST,
	.help = "Clear a cgroup's cpuset (allow all CPUs): every CPU its parent allows. With tasks "
		"inside, where cgroup v2 refuses an empty cpuset, the parent's CPUs are written.",
	.flags = KT_FORM_GUEST_CGROUP_OP,
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = need_name,
	.exec = exec_clear_cpuset,
};

static struct kterr *exec_swap_cpusets(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_SWAP_CPUSETS,
			       .cgroup = kt_stmt_posval(st, 0), .cgroup2 = kt_stmt_posval(st, 1) };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);
	struct kt_cg *a = kt_scn_cgroup(kt_exec_state(x), req.cgroup);
	struct kt_cg *b = kt_scn_cgroup(kt_exec_state(x), req.cgroup2);

	kt_greply_clear(&reply);
	if (!e && a && b) {
		struct kt_cg t = *a;

		a->has_cpus = b->has_cpus;
		a->cpus = b->cpus;
		b->has_cpus = t.has_cpus;
		b->cpus = t.cpus;
	}
	return e;
}

const struct kt_form kt_op_swap_cpusets = {
	.name = "swap-cpusets", .kind = KT_STMT_OP, .op = KT_OP_SWAP_CPUSETS,
	.side = KT_SIDE_GUEST,
	.help = "Read both cgroups' cpusets and swap them: each holds what the other held, unset "
		"(all CPUs, as clear-cpuset) included. If the second write fails the first is put "
		"back.",
	.args = { { "A", KT_T_NAME, 0 }, { "B", KT_T_NAME, 0 } },
	.validate = need_two_names,
	.exec = exec_swap_cpusets,
};

/* ---- freeze ---- */

/* After the guest did it (KT_FORM_GUEST_CGROUP_OP sent it): tracked so
 * teardown thaws before stopping and removing. */
static struct kterr *set_frozen(struct kt_exec *x, const struct kt_stmt *st, bool frozen)
{
	struct kt_cg *cg = kt_scn_cgroup(kt_exec_state(x), kt_stmt_posval(st, 0));

	if (cg)
		cg->frozen = frozen;
	return NULL;
}

static struct kterr *exec_freeze(struct kt_exec *x, const struct kt_stmt *st)
{
	return set_frozen(x, st, true);
}

static struct kterr *exec_unfreeze(struct kt_exec *x, const struct kt_stmt *st)
{
	return set_frozen(x, st, false);
}

const struct kt_form kt_op_freeze_cgroup = {
	.name = "freeze-cgroup", .kind = KT_STMT_OP, .op = KT_OP_FREEZE_CGROUP,
	.side = KT_SIDE_GUEST,
	.help = "Freeze every task in a cgroup (cgroup.freeze = 1). Idempotent; a missing cgroup "
		"fails the step. Teardown thaws it if you do not. Never freeze a cgroup holding "
		"your own observers.",
	.flags = KT_FORM_GUEST_CGROUP_OP,
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = need_name,
	.exec = exec_freeze,
};

const struct kt_form kt_op_unfreeze_cgroup = {
	.name = "unfreeze-cgroup", .kind = KT_STMT_OP, .op = KT_OP_UNFREEZE_CGROUP,
	.side = KT_SIDE_GUEST,
	.help = "Thaw a cgroup (cgroup.freeze = 0). Idempotent.",
	.flags = KT_FORM_GUEST_CGROUP_OP,
	.args = { { NULL, KT_T_NAME, 0 } },
	.validate = need_name,
	.exec = exec_unfreeze,
};

/* ---- capture-cgroup-procs ---- */

static struct kterr *validate_capture_procs(const struct kt_stmt *st, const struct kt_recipe *r)
{
	struct kterr *e = kt_need_nonempty(st, 0, "tag");

	return e ? e : kt_need_nonempty(st, 1, "cgroup name");
}

static struct kterr *exec_capture_procs(struct kt_exec *x, const struct kt_stmt *st)
{
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_CAPTURE_CGROUP_PROCS,
			       .cgroup = kt_stmt_posval(st, 1) };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);
	struct kt_capture *c;
	char *json;
	size_t off;

	if (e)
		return e;
	c = kt_scn_add_capture(kt_exec_state(x), kt_stmt_posval(st, 0), KT_CAP_PROCS);
	if (c) {
		c->cgroup = strdup(req.cgroup);
		c->pids = reply.pids;
		c->npids = reply.npids;
		reply.pids = NULL;
		reply.npids = 0;
		json = malloc(c->npids * 12 + 3);
		if (json) {
			off = sprintf(json, "[");
			for (size_t i = 0; i < c->npids; i++)
				off += sprintf(json + off, "%s%d", i ? "," : "", c->pids[i]);
			sprintf(json + off, "]");
			kt_exec_captured(x, "%s", json);
			free(json);
		}
	}
	kt_greply_clear(&reply);
	return NULL;
}

const struct kt_form kt_op_capture_cgroup_procs = {
	.name = "capture-cgroup-procs", .kind = KT_STMT_OP, .op = KT_OP_CAPTURE_CGROUP_PROCS,
	.side = KT_SIDE_GUEST,
	.help = "Record a cgroup's cgroup.procs (thread-group leaders) under TAG for `expect procs`. "
		"Captures append; the first with a tag is the one expectations read. An empty tag "
		"is rejected.",
	.args = { { NULL, KT_T_TAG, 0 }, { "CGROUP", KT_T_NAME, 0 } },
	.validate = validate_capture_procs,
	.exec = exec_capture_procs,
};
