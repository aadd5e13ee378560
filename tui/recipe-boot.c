/* recipe-boot.c - see recipe-boot.h. */
#include "tui/recipe-boot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/header.h"

static size_t count(const struct kt_recipe *r, const struct kt_form *dir)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nstmts; i++)
		if (r->stmts[i].form == dir)
			n++;
	return n;
}

/* Every DIR line of R as an initramfs item (name, path, args=). */
static struct kterr *collect(const struct kt_recipe *r, const struct kt_form *dir,
			     struct initramfs_item **out, size_t *n)
{
	size_t cap = count(r, dir);

	*out = NULL;
	*n = 0;
	if (!cap)
		return NULL;
	*out = calloc(cap, sizeof(**out));
	if (!*out)
		return kterr_new(ENOMEM, "%s lines", dir->name);
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct kt_stmt *st = &r->stmts[i];

		if (st->form != dir)
			continue;
		(*out)[(*n)++] = (struct initramfs_item){
			.name = kt_stmt_posval(st, 0),
			.path = kt_stmt_posval(st, 1),
			.args = kt_stmt_get(st, "args"),
		};
	}
	return NULL;
}

struct kterr *recipe_boot_opts(const struct kt_recipe *r, struct session_opts *so,
			       struct recipe_boot *rb)
{
	struct kt_header h;
	struct kterr *e;

	memset(rb, 0, sizeof(*rb));
	kt_header_read(r, &h);
	topology_default(&so->topo);
	so->topo.numa = h.topo.numa;
	so->topo.llcs = h.topo.llcs;
	so->topo.cores = h.topo.cores;
	so->topo.threads = h.topo.threads;
	so->topo.memory_mib = h.memory_mib;
	if (!so->kernel && h.kernel && strcmp(h.kernel, "default"))
		so->kernel = h.kernel;
	e = collect(r, &kt_dir_stage_payload, &rb->payloads, &rb->npayloads);
	if (!e)
		e = collect(r, &kt_dir_stage_scheduler, &rb->schedulers, &rb->nschedulers);
	if (e) {
		recipe_boot_free(rb);
		return e;
	}
	so->payloads = rb->payloads;
	so->n_payloads = rb->npayloads;
	so->schedulers = rb->schedulers;
	so->n_schedulers = rb->nschedulers;
	so->boot_scheduler = h.boot_scheduler;
	so->boot_scheduler_args = h.boot_scheduler_args;
	return NULL;
}

void recipe_boot_free(struct recipe_boot *rb)
{
	free(rb->payloads);
	free(rb->schedulers);
	memset(rb, 0, sizeof(*rb));
}
