/* expect.c - the expectation kinds; see expect.h. */
#include "engine/expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ktarget.h"
#include "engine/op-exec.h"
#include "lib/util.h"

#define OPT (KT_ARG_KEY | KT_ARG_OPT)
#define KEY KT_ARG_KEY
/* within=DURATION: the executor checks again until the deadline
 * (executor.c run_expect); the hooks below only retake a capture when
 * kt_exec_rechecking() says this is not the first check. */
#define WITHIN { "within", KT_T_DURATION, OPT }
#define WITHIN_HELP " With within=TIME it is checked again every 100 ms until it holds or TIME " \
	"has passed; the failure then says what the last check saw and how long it waited."

static const struct {
	const char *op;
	int lt, eq, gt;		/* does a<b, a==b, a>b satisfy it */
} cmps[] = {
	{ "==", 0, 1, 0 }, { "!=", 1, 0, 1 }, { "<", 1, 0, 0 },
	{ "<=", 1, 1, 0 }, { ">", 0, 0, 1 }, { ">=", 0, 1, 1 },
};

bool kt_compare(int64_t a, const char *op, int64_t b)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmps); i++)
		if (!strcmp(cmps[i].op, op))
			return a < b ? cmps[i].lt : a == b ? cmps[i].eq : cmps[i].gt;
	return false;
}

static bool parse_value(const char *s, int64_t *v)
{
	uint64_t u;

	if (kt_parse_i64(s, v))
		return true;
	if (kt_parse_u64(s, &u)) {
		*v = (int64_t)u;	/* compare as two's complement bits */
		return true;
	}
	return false;
}

static struct kterr *need_tag(const struct kt_stmt *st, const struct kt_recipe *r)
{
	return kt_need_nonempty(st, 0, "tag");
}

static struct kterr *need_name(const struct kt_stmt *st, const struct kt_recipe *r)
{
	return kt_need_nonempty(st, 0, "name");
}

/* within= is a key too, but not a thing to check: one of these must be. */
static struct kterr *need_cgroup_check(const struct kt_stmt *st, const struct kt_recipe *r)
{
	if (!kt_stmt_get(st, "frozen") && !kt_stmt_get(st, "cpuset") &&
	    !kt_stmt_get(st, "populated"))
		return kterr_hint(kterr_new(0, "expect cgroup %s: nothing to check",
					    kt_stmt_posval(st, 0)),
				  "add frozen=0|1, cpuset=SPEC or populated=0|1");
	return need_name(st, r);
}

static struct kterr *not_captured(const char *what, const char *tag, const char *how)
{
	return kterr_hint(kterr_new(0, "expect %s %s: nothing captured under '%s'", what, tag, tag),
			  "put `%s %s ...` before this line", how, tag);
}

/* ---- procs ---- */

static struct kterr *exec_procs(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *tag = kt_stmt_posval(st, 0);
	const struct kt_capture *c = kt_scn_capture(kt_exec_state(x), tag, KT_CAP_PROCS);
	unsigned long want = kt_checked_u64(kt_stmt_get(st, "count"));

	if (!c)
		return not_captured("procs", tag, "capture-cgroup-procs");
	if (c->npids != want)
		return kterr_new(0, "expect procs %s: %zu pid%s in cgroup %s, expected count=%lu", tag,
				 c->npids, c->npids == 1 ? "" : "s", c->cgroup ? c->cgroup : "?",
				 want);
	return NULL;
}

const struct kt_form kt_expect_procs = {
	.name = "procs", .kind = KT_STMT_EXPECT, .op = -1,
	.help = "The capture-cgroup-procs capture TAG holds exactly N pids.",
	.args = { { NULL, KT_T_TAG, 0 }, { "count", KT_T_UINT, KEY } },
	.validate = need_tag,
	.exec = exec_procs,
};

/* ---- snapshot ---- */

static struct kterr *exec_snapshot(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *tag = kt_stmt_posval(st, 0), *var = kt_stmt_posval(st, 2);
	const char *op = kt_stmt_posval(st, 3), *val = kt_stmt_posval(st, 4);
	struct kt_capture *c = kt_scn_capture_mut(kt_exec_state(x), tag, KT_CAP_SNAPSHOT);
	const struct kt_host *h = kt_exec_host(x);
	uint64_t got;
	int64_t want;
	struct kterr *e;

	if (!c)
		return not_captured("snapshot", tag, "capture-snapshot");
	if (!h->ops || !h->ops->snapshot_var)
		return kterr_new(0, "expect snapshot %s: no snapshot backend to read %s from", tag, var);
	/* within=: a capture-snapshot is taken again to see a change; a watch
	 * fire's capture is replaced by the next fire (drained between
	 * checks), so it is only read again. */
	if (kt_exec_rechecking(x) && c->retake && h->ops->snapshot_capture) {
		uint64_t snap;

		e = h->ops->snapshot_capture(h->ctx, tag, &snap);
		if (e)
			return kterr_wrap(e, "expect snapshot %s: capturing it again", tag);
		c->snap = snap;
	}
	e = h->ops->snapshot_var(h->ctx, c->snap, var, &got);
	if (e)
		return kterr_wrap(e, "expect snapshot %s var %s", tag, var);
	parse_value(val, &want);
	if (!kt_compare((int64_t)got, op, want))
		return kterr_new(0, "expect snapshot %s: %s is %lld (0x%llx), wanted %s %s", tag, var,
				 (long long)got, (unsigned long long)got, op, val);
	return NULL;
}

const struct kt_form kt_expect_snapshot = {
	.name = "snapshot", .kind = KT_STMT_EXPECT, .op = -1,
	.help = "A variable of snapshot TAG compares as given with VALUE. NAME: scx.FIELD (state, "
		"nr_rejected, enable_seq, bypass_depth, exit_kind, ...), cpuN.FIELD (nr_running, "
		"scx.nr_running, scx.local_dsq.nr, ...), vcpuN.REG (rip, cr3, ...), freeze_us, a "
		"BPF global of the scheduler (nr_enqueued, or MAP.nr_enqueued) or a kernel "
		"variable in .data/.bss (nr_cpu_ids)." WITHIN_HELP " Each check after the first "
		"takes the capture-snapshot that made TAG again (a new freeze); a tag made by a "
		"watch fire or a failure dump is not retaken but waited for: the next fire "
		"replaces it.",
	.args = { { NULL, KT_T_TAG, 0 }, { NULL, KT_T_VAR, 0 }, { "NAME", KT_T_STRING, 0 },
		  { NULL, KT_T_CMPOP, 0 }, { NULL, KT_T_VALUE, 0 }, WITHIN },
	.validate = need_tag,
	.exec = exec_snapshot,
};

/* ---- read ---- */

static struct kterr *exec_read(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *tag = kt_stmt_posval(st, 0), *op = kt_stmt_posval(st, 1);
	const char *val = kt_stmt_posval(st, 2);
	struct kt_capture *c = kt_scn_capture_mut(kt_exec_state(x), tag, KT_CAP_READ);
	const struct kt_host *h = kt_exec_host(x);
	char got[2 * KT_BYTES_MAX + 8];
	struct kt_kvalue want;
	struct kterr *e;
	int64_t w;
	bool eq;

	if (!c)
		return not_captured("read", tag, "read-kernel-hot or read-kernel-cold");
	/* within=: read the same target again, hot or cold as before. */
	if (kt_exec_rechecking(x) && h->ops && h->ops->kernel_read) {
		struct kt_kvalue v;

		memset(&v, 0, sizeof(v));
		e = h->ops->kernel_read(h->ctx, c->cold, &c->target, c->value.width, &v);
		if (e)
			return kterr_wrap(e, "expect read %s: reading it again", tag);
		v.width = c->value.width;
		c->value = v;
	}
	kt_kvalue_format(&c->value, got, sizeof(got));
	if (c->value.width.kind != KT_W_BYTES) {
		if (!parse_value(val, &w))
			return kterr_new(0, "expect read %s: '%s' is not a number", tag, val);
		if (kt_compare((int64_t)c->value.u, op, w))
			return NULL;
		return kterr_new(0, "expect read %s: read %s, wanted %s %s", tag, got, op, val);
	}
	/* Bytes compare for equality only: there is no order on them. */
	if (strcmp(op, "==") && strcmp(op, "!="))
		return kterr_hint(kterr_new(0, "expect read %s: bytes compare with == or != only", tag),
				  "write expect read %s == 0x...", tag);
	e = kt_kvalue_parse(val, c->value.width, &want);
	if (e)
		return kterr_wrap(e, "expect read %s", tag);
	eq = !memcmp(want.bytes, c->value.bytes, c->value.width.len);
	if (eq == !strcmp(op, "=="))
		return NULL;
	return kterr_new(0, "expect read %s: read %s, wanted %s %s", tag, got, op, val);
}

const struct kt_form kt_expect_read = {
	.name = "read", .kind = KT_STMT_EXPECT, .op = -1,
	.help = "The value read into TAG by read-kernel-hot/cold compares as given with VALUE."
		WITHIN_HELP " Each check after the first reads the same target again, hot or cold "
		"as the read that made TAG.",
	.args = { { NULL, KT_T_TAG, 0 }, { NULL, KT_T_CMPOP, 0 }, { NULL, KT_T_VALUE, 0 }, WITHIN },
	.validate = need_tag,
	.exec = exec_read,
};

/* ---- cgroup ---- */

static struct kterr *exec_cgroup(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *name = kt_stmt_posval(st, 0), *v;
	struct kt_greq req = { .verb = KT_GREQ_QUERY_CGROUP, .cgroup = name };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);
	char got[256], want_s[256];

	if (e)
		return kterr_wrap(e, "expect cgroup %s", name);
	if ((v = kt_stmt_get(st, "frozen")) && reply.cgroup.frozen != (*v == '1'))
		e = kterr_new(0, "expect cgroup %s: frozen=%d, wanted frozen=%s", name,
			      reply.cgroup.frozen, v);
	if (!e && (v = kt_stmt_get(st, "populated")) && reply.cgroup.populated != (*v == '1'))
		e = kterr_new(0, "expect cgroup %s: populated=%d, wanted populated=%s", name,
			      reply.cgroup.populated, v);
	if (!e && (v = kt_stmt_get(st, "cpuset"))) {
		struct kt_cpuset want;

		e = kt_cpuset_resolve(v, &kt_exec_header(x)->topo, &want);
		if (!e && !kt_cpuset_equal(&want, &reply.cgroup.cpus))
			e = kterr_new(0, "expect cgroup %s: cpuset is %s, wanted %s (%s)", name,
				      reply.cgroup.has_cpus ? kt_cpulist_format(&reply.cgroup.cpus, got,
										sizeof(got)) : "unset",
				      v, kt_cpulist_format(&want, want_s, sizeof(want_s)));
	}
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_expect_cgroup = {
	.name = "cgroup", .kind = KT_STMT_EXPECT, .op = -1,
	.help = "The guest's view of a cgroup: frozen, its effective cpuset, populated."
		WITHIN_HELP,
	.flags = KT_FORM_NEED_KEY,
	.args = { { NULL, KT_T_NAME, 0 }, { "frozen", KT_T_BOOL01, OPT },
		  { "cpuset", KT_T_CPUSET, OPT }, { "populated", KT_T_BOOL01, OPT }, WITHIN },
	.validate = need_cgroup_check,
	.exec = exec_cgroup,
};

/* ---- sched ---- */

static struct kterr *exec_sched(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *state = kt_stmt_get(st, "state"), *ops = kt_stmt_get(st, "ops");
	struct kt_greq req = { .verb = KT_GREQ_QUERY_SCHED };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);
	bool want = !strcmp(state, "enabled");

	if (e)
		return kterr_wrap(e, "expect sched");
	if (reply.sched.enabled != want)
		e = kterr_new(0, "expect sched: sched_ext is %s, wanted %s",
			      reply.sched.enabled ? "enabled" : "disabled", state);
	else if (ops && strcmp(reply.sched.ops, ops))
		e = kterr_new(0, "expect sched: ops is '%s', wanted '%s'", reply.sched.ops, ops);
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_expect_sched = {
	.name = "sched", .kind = KT_STMT_EXPECT, .op = -1,
	.help = "sched_ext is enabled or disabled (and, when enabled, runs ops=NAME)."
		WITHIN_HELP " Use it, not a hold, to wait for a scheduler to load.",
	.args = { { "state", KT_T_SCHED_STATE, KEY }, { "ops", KT_T_NAME, OPT }, WITHIN },
	.exec = exec_sched,
};

/* ---- workers ---- */

static struct kterr *exec_workers(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *cg = kt_cgroup_key(kt_stmt_posval(st, 0)), *check = kt_stmt_posval(st, 1);
	struct kt_greq req = { .verb = KT_GREQ_QUERY_WORKERS, .cgroup = cg };
	struct kt_greply reply;
	struct kterr *e = kt_exec_guest(x, &req, &reply);
	const struct kt_cg *c = kt_scn_cgroup(kt_exec_state(x), cg);
	const char *show = *cg ? cg : "@runner";

	if (e)
		return kterr_wrap(e, "expect workers %s", show);
	if (!reply.nworkers) {
		kt_greply_clear(&reply);
		return kterr_hint(kterr_new(0, "expect workers %s: no workers there", show),
				  "spawn %s workers=N before this line", show);
	}
	if (!strcmp(check, "progress")) {
		for (size_t i = 0; i < reply.nworkers && !e; i++)
			if (!reply.workers[i].iterations)
				e = kterr_new(0, "expect workers %s progress: worker %d made no "
					      "progress", show, reply.workers[i].pid);
	} else if (!strcmp(check, "isolation")) {
		struct kt_cpuset allowed;

		kt_cpuset_zero(&allowed);
		if (c && c->has_cpus)
			allowed = c->cpus;
		else
			for (unsigned i = 0; i < kt_topology_cpus(&kt_exec_header(x)->topo); i++)
				kt_cpuset_set(&allowed, i);
		for (size_t i = 0; i < reply.nworkers && !e; i++) {
			char used[256], ok[256];

			if (kt_cpuset_subset(&reply.workers[i].cpus_used, &allowed))
				continue;
			e = kterr_new(0, "expect workers %s isolation: worker %d ran on CPUs %s, "
				      "outside %s", show, reply.workers[i].pid,
				      kt_cpulist_format(&reply.workers[i].cpus_used, used, sizeof(used)),
				      kt_cpulist_format(&allowed, ok, sizeof(ok)));
		}
	} else {
		/* fairness<=RATIO: the most CPU time over the least. */
		double bound = strtod(check + strlen("fairness<="), NULL);
		uint64_t lo = UINT64_MAX, hi = 0;

		for (size_t i = 0; i < reply.nworkers; i++) {
			if (reply.workers[i].runtime_ns < lo)
				lo = reply.workers[i].runtime_ns;
			if (reply.workers[i].runtime_ns > hi)
				hi = reply.workers[i].runtime_ns;
		}
		if (!lo || (double)hi / (double)lo > bound)
			e = kterr_new(0, "expect workers %s %s: runtimes range %llu..%llu ns "
				      "(ratio %.2f)", show, check, (unsigned long long)lo,
				      (unsigned long long)hi, lo ? (double)hi / (double)lo : 0.0);
	}
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_expect_workers = {
	.name = "workers", .kind = KT_STMT_EXPECT, .op = -1,
	.help = "The workers of a cgroup all made progress, ran only on its cpuset (isolation), or "
		"got CPU time within RATIO of each other (fairness)." WITHIN_HELP,
	.args = { { "CGROUP|@runner", KT_T_CGROUP_OR_RUNNER, 0 }, { NULL, KT_T_WORKER_CHECK, 0 },
		  WITHIN },
	.exec = exec_workers,
};

/* ---- payload ---- */

static struct kterr *exec_payload(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *name = kt_stmt_posval(st, 0), *cg = kt_stmt_get(st, "cgroup");
	long want = strtol(kt_stmt_get(st, "exit"), NULL, 0);
	const struct kt_payload *p = kt_scn_last_payload(kt_exec_state(x), name, cg);

	if (!p)
		return kterr_hint(kterr_new(0, "expect payload %s: it never ran", name),
				  "run-payload %s before this line", name);
	if (p->state == KT_PAYLOAD_LIVE && !p->exited)
		return kterr_hint(kterr_new(0, "expect payload %s: still running, no exit status yet",
					    name),
				  "wait-payload %s (or kill-payload) before this line, or give it "
				  "time: within=DURATION", name);
	if (p->exit_status != want)
		return kterr_new(0, "expect payload %s: exited %d, wanted exit=%ld", name,
				 p->exit_status, want);
	return NULL;
}

const struct kt_form kt_expect_payload = {
	.name = "payload", .kind = KT_STMT_EXPECT, .op = -1,
	.help = "A payload exited with status N: it was waited for or killed, or the guest "
		"reported its exit." WITHIN_HELP " A payload nobody waited for passes once the guest "
		"reports its exit.",
	.args = { { NULL, KT_T_NAME, 0 }, { "cgroup", KT_T_NAME, OPT }, { "exit", KT_T_INT, KEY },
		  WITHIN },
	.validate = need_name,
	.exec = exec_payload,
};

/* ---- error ---- */

const struct kt_form kt_expect_error = {
	.name = "error", .kind = KT_STMT_EXPECT, .op = -1,
	.help = "The op on the line before must fail (with an error containing TEXT, when given); "
		"that failure then counts as a pass.",
	.flags = KT_FORM_CATCHES_ERROR,
	.args = { { "TEXT", KT_T_STRING, KT_ARG_OPT } },
};

const struct kt_form *const kt_expect_forms[] = {
	&kt_expect_procs, &kt_expect_snapshot, &kt_expect_read, &kt_expect_cgroup,
	&kt_expect_sched, &kt_expect_workers, &kt_expect_payload, &kt_expect_error, NULL,
};
