/* header.c - header directives and sections; see header.h. */
#include "engine/header.h"

#include <string.h>

#include "engine/hold.h"
#include "engine/ktarget.h"
#include "lib/limits.h"

static struct kterr *need_nonempty(const struct kt_stmt *st, size_t i, const char *what)
{
	const char *v = kt_stmt_posval(st, i);

	if (v && !*v)
		return kterr_hint(kterr_new(0, "%s: empty %s", st->form->name, what),
				  "write the %s", what);
	return NULL;
}

static struct kterr *validate_vm(const struct kt_stmt *st, const struct kt_recipe *r)
{
	if (kt_stmt_get(st, "cpus") && kt_stmt_get(st, "topology"))
		return kterr_hint(kterr_new(0, "vm: cpus= and topology= both given"),
				  "give one: topology=NUMA,LLCS,CORES,THREADS already says how many CPUs");
	return NULL;
}

static struct kterr *validate_named(const struct kt_stmt *st, const struct kt_recipe *r)
{
	return need_nonempty(st, 0, "name");
}

const struct kt_form kt_dir_vm = {
	.name = "vm", .kind = KT_STMT_DIRECTIVE, .op = -1,
	.help = "The guest machine: CPUs (or a NUMA,LLCS,CORES,THREADS topology) and memory in MiB.",
	.flags = KT_FORM_NEED_KEY,
	.args = {
		{ "cpus", KT_T_UINT, KT_ARG_KEY | KT_ARG_OPT, &kt_range_vm_cpus },
		{ "memory", KT_T_UINT, KT_ARG_KEY | KT_ARG_OPT, &kt_range_vm_memory },
		{ "topology", KT_T_TOPOLOGY, KT_ARG_KEY | KT_ARG_OPT },
	},
	.validate = validate_vm,
};

const struct kt_form kt_dir_kernel = {
	.name = "kernel", .kind = KT_STMT_DIRECTIVE, .op = -1,
	.help = "The guest kernel: `default` (the cached 6.12 build), a version such as `7.3` (its newest cached build: `ktcon kernel build --version 7.3`), or a bzImage with vmlinux beside it.",
	.args = { { NULL, KT_T_KERNEL, 0 } },
};

const struct kt_form kt_dir_scheduler = {
	.name = "scheduler", .kind = KT_STMT_DIRECTIVE, .op = -1,
	.flags = KT_FORM_SCHEDULER,
	.help = "The scheduler attached at boot (one of the kernel build's schedulers).",
	.args = { { NULL, KT_T_NAME, 0 }, { "args", KT_T_STRING, KT_ARG_KEY | KT_ARG_OPT } },
	.validate = validate_named,
};

const struct kt_form kt_dir_stage_scheduler = {
	.name = "stage-scheduler", .kind = KT_STMT_DIRECTIVE, .op = -1,
	.help = "Stage a scheduler binary in the guest for attach-scheduler and replace-scheduler.",
	.args = { { NULL, KT_T_NAME, 0 }, { NULL, KT_T_PATH, 0 },
		  { "args", KT_T_STRING, KT_ARG_KEY | KT_ARG_OPT } },
	.validate = validate_named,
};

const struct kt_form kt_dir_stage_payload = {
	.name = "stage-payload", .kind = KT_STMT_DIRECTIVE, .op = -1,
	.help = "Stage a binary payload in the guest for run-payload.",
	.args = { { NULL, KT_T_NAME, 0 }, { NULL, KT_T_PATH, 0 },
		  { "args", KT_T_STRING, KT_ARG_KEY | KT_ARG_OPT } },
	.validate = validate_named,
};

const struct kt_form kt_dir_duration = {
	.name = "duration", .kind = KT_STMT_DIRECTIVE, .op = -1,
	.help = "The scenario's total time, which fractional and loop holds divide.",
	.args = { { NULL, KT_T_DURATION, 0 } },
};

const struct kt_form kt_sec_backdrop = {
	.name = "backdrop", .kind = KT_STMT_SECTION, .op = -1,
	.help = "Ops that persist for the whole scenario; torn down at its end.",
};

const struct kt_form kt_sec_step = {
	.name = "step", .kind = KT_STMT_SECTION, .op = -1,
	.help = "A step: its cgroup setup lines, its ops, a hold, then teardown of what it created.",
	.args = { { "hold", KT_T_HOLD, KT_ARG_KEY | KT_ARG_OPT } },
};

const struct kt_form *const kt_directive_forms[] = {
	&kt_dir_vm, &kt_dir_kernel, &kt_dir_scheduler, &kt_dir_stage_scheduler,
	&kt_dir_stage_payload, &kt_dir_duration, NULL,
};

const struct kt_form *const kt_section_forms[] = {
	&kt_sec_backdrop, &kt_sec_step, NULL,
};

void kt_header_read(const struct kt_recipe *r, struct kt_header *h)
{
	memset(h, 0, sizeof(*h));
	h->topo = kt_topology_flat(KT_DEFAULT_CPUS);
	h->memory_mib = KT_DEFAULT_MEMORY_MIB;
	h->kernel = "default";
	/* The header is the lines before the first section (the parser
	 * refuses a directive after one): stop there, so validators that
	 * read it stay cheap on a long recipe. Values were range-checked by
	 * the parser (limits.h); one it refused never gets here, so nothing
	 * is replaced by a default behind the author's back. */
	for (size_t i = 0; r && i < r->nstmts && r->stmts[i].section < 0; i++) {
		const struct kt_stmt *st = &r->stmts[i];
		const char *v;
		uint64_t u;

		if (st->kind != KT_STMT_DIRECTIVE)
			continue;
		if (st->form == &kt_dir_vm) {
			if ((v = kt_stmt_get(st, "cpus")) && kt_parse_u64(v, &u) && u &&
			    u <= KT_GUEST_MAX_CPUS)
				h->topo = kt_topology_flat(u);
			if ((v = kt_stmt_get(st, "topology")))
				kterr_free(kt_topology_parse(v, &h->topo));
			if ((v = kt_stmt_get(st, "memory")) && kt_parse_u64(v, &u))
				h->memory_mib = u;
		} else if (st->form == &kt_dir_kernel) {
			h->kernel = kt_stmt_posval(st, 0);
		} else if (st->form == &kt_dir_scheduler) {
			h->boot_scheduler = kt_stmt_posval(st, 0);
			h->boot_scheduler_args = kt_stmt_get(st, "args");
		} else if (st->form == &kt_dir_duration) {
			kterr_free(kt_duration_parse(kt_stmt_posval(st, 0), &h->duration_ns));
		}
	}
}

/* 6.12's four, then what 7.3 adds. A kernel build stages whichever its
 * tools/sched_ext has; a name this kernel lacks fails when attached. */
const char *const kt_kernel_schedulers[] = {
	"scx_simple", "scx_qmap", "scx_central", "scx_flatcg",
	"scx_cpu0", "scx_pair", "scx_sdt", "scx_userland", NULL,
};

bool kt_kernel_scheduler(const char *name)
{
	for (size_t i = 0; name && kt_kernel_schedulers[i]; i++)
		if (!strcmp(kt_kernel_schedulers[i], name))
			return true;
	return false;
}

const struct kt_stmt *kt_header_staged(const struct kt_recipe *r, const struct kt_form *dir,
				       const char *name)
{
	for (size_t i = 0; r && i < r->nstmts; i++)
		if (r->stmts[i].form == dir && kt_stmt_posval(&r->stmts[i], 0) &&
		    !strcmp(kt_stmt_posval(&r->stmts[i], 0), name))
			return &r->stmts[i];
	return NULL;
}
