/* ops-payload.c - userspace payloads: run, wait, kill, looked up by
 * (name, cgroup). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/op-exec.h"
#include "engine/op.h"
#include "engine/results.h"
#include "lib/util.h"
#include "lib/kjson.h"

#define OPT (KT_ARG_KEY | KT_ARG_OPT)

/* The payload namespace is the header: stage-payload names binaries; a
 * scheduler (stage-scheduler or the boot `scheduler`) is a different kind
 * of payload that run-payload must refuse. */
static struct kterr *validate_run(const struct kt_stmt *st, const struct kt_recipe *r)
{
	const char *name = kt_stmt_posval(st, 0);
	const struct kt_stmt *sched;
	struct kt_header h;
	struct kterr *e = kt_need_nonempty(st, 0, "payload name");

	if (e)
		return e;
	if (kt_header_staged(r, &kt_dir_stage_payload, name))
		return NULL;
	kt_header_read(r, &h);
	sched = kt_header_staged(r, &kt_dir_stage_scheduler, name);
	if (!sched && h.boot_scheduler && !strcmp(h.boot_scheduler, name))
		sched = kt_header_staged(r, &kt_dir_scheduler, name);
	if (sched || kt_kernel_scheduler(name)) {
		char where[64];

		if (sched)
			snprintf(where, sizeof(where), "%s on line %d", sched->form->name,
				 sched->line);
		else
			snprintf(where, sizeof(where), "one of the kernel's schedulers");
		return kterr_hint(kterr_new(0, "run-payload %s: '%s' is a scheduler-kind payload "
					    "(%s), and run-payload only runs binary payloads",
					    name, name, where),
				  "use attach-scheduler %s or replace-scheduler %s; for a binary, "
				  "stage it with stage-payload NAME PATH", name, name);
	}
	return kterr_hint(kterr_new(0, "run-payload %s: unknown payload: no stage-payload %s in "
				    "the header", name, name),
			  "add `stage-payload %s /path/to/binary` to the header", name);
}

static struct kterr *exec_run(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *name = kt_stmt_posval(st, 0);
	const char *cg = kt_stmt_get(st, "cgroup");
	const struct kt_stmt *staged = kt_header_staged(kt_exec_recipe(x), &kt_dir_stage_payload,
							name);
	const char *dflt, *extra = kt_stmt_get(st, "args");
	char *args = NULL;
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_RUN_PAYLOAD, .name = name,
			       .cgroup = cg ? cg : "" };
	struct kt_greply reply;
	struct kterr *e;
	struct kt_payload *live;

	if (!staged)
		return validate_run(st, kt_exec_recipe(x));
	dflt = kt_stmt_get(staged, "args");
	req.path = kt_stmt_posval(staged, 1);
	/* A second live copy in the same place would make wait ambiguous
	 * even with cgroup=; refuse before starting it (add reports it). */
	kterr_free(kt_scn_find_payload(kt_exec_state(x), "run-payload", name, req.cgroup, &live));
	if (live)
		return kt_scn_add_payload(kt_exec_state(x), name, req.cgroup, 0);
	/* args= is appended to the staged default args. */
	if (dflt && extra)
		args = kt_strfmt("%s %s", dflt, extra);
	req.args = args ? args : extra ? extra : dflt;
	e = kt_exec_guest(x, &req, &reply);
	free(args);
	if (!e)
		e = kt_scn_add_payload(kt_exec_state(x), name, req.cgroup, reply.handle);
	if (!e)
		kt_exec_captured(x, "{\"handle\": %llu}", (unsigned long long)reply.handle);
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_op_run_payload = {
	.name = "run-payload", .kind = KT_STMT_OP, .op = KT_OP_RUN_PAYLOAD, .side = KT_SIDE_GUEST,
	.help = "Start a staged binary payload in the background, in cgroup= (else the runner's "
		"cgroup), with args= appended to its staged args. Scheduler-kind payloads are "
		"rejected. Unconsumed payloads are killed at teardown.",
	.args = { { NULL, KT_T_NAME, 0 }, { "cgroup", KT_T_NAME, OPT },
		  { "args", KT_T_STRING, OPT } },
	.validate = validate_run,
	.exec = exec_run,
};

static struct kterr *need_payload_name(const struct kt_stmt *st, const struct kt_recipe *r)
{
	return kt_need_nonempty(st, 0, "payload name");
}

/* {"exit": N, "runtime_ns": T, "output": "tail"} for the results. */
static void captured_exit(struct kt_exec *x, const struct kt_greply *r)
{
	char *json = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&json, &len);

	if (!f)
		return;
	fprintf(f, "{\"exit\": %d, \"runtime_ns\": %llu, \"output\": ", r->exit_status,
		(unsigned long long)r->runtime_ns);
	kt_json_string(f, r->output ? r->output : "");
	fputc('}', f);
	fclose(f);
	kt_exec_captured(x, "%s", json);
	free(json);
}

/* wait and kill: look up by (name, cgroup), ask the guest, consume. */
static struct kterr *finish_payload(struct kt_exec *x, const struct kt_stmt *st)
{
	const char *name = kt_stmt_posval(st, 0);
	struct kt_payload *p;
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = st->form->op, .name = name };
	struct kt_greply reply;
	struct kterr *e = kt_scn_find_payload(kt_exec_state(x), st->form->name, name,
					      kt_stmt_get(st, "cgroup"), &p);

	if (e)
		return e;
	req.cgroup = p->cgroup;
	req.handle = p->handle;
	e = kt_exec_guest(x, &req, &reply);
	if (!e) {
		p->state = KT_PAYLOAD_CONSUMED;
		p->exit_status = reply.exit_status;
		captured_exit(x, &reply);
	}
	kt_greply_clear(&reply);
	return e;
}

const struct kt_form kt_op_wait_payload = {
	.name = "wait-payload", .kind = KT_STMT_OP, .op = KT_OP_WAIT_PAYLOAD,
	.side = KT_SIDE_GUEST,
	.help = "Wait, with no timeout, for a payload to exit (Ctrl-C aborts the wait). Without "
		"cgroup= the unique live copy is meant; two live copies are ambiguous. A consumed "
		"or unknown (name, cgroup) is an error.",
	.args = { { NULL, KT_T_NAME, 0 }, { "cgroup", KT_T_NAME, OPT } },
	.validate = need_payload_name,
	.exec = finish_payload,
};

const struct kt_form kt_op_kill_payload = {
	.name = "kill-payload", .kind = KT_STMT_OP, .op = KT_OP_KILL_PAYLOAD,
	.side = KT_SIDE_GUEST,
	.help = "SIGKILL a payload and reap it; looked up like wait-payload.",
	.args = { { NULL, KT_T_NAME, 0 }, { "cgroup", KT_T_NAME, OPT } },
	.validate = need_payload_name,
	.exec = finish_payload,
};
