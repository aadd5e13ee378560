/* con-scn.c - the console's copy of the scenario; see con-scn.h. */
#include "tui/con-scn.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

void con_scn_clear(struct con_scn *v)
{
	for (size_t i = 0; i < v->ncgs; i++)
		free(v->cgs[i].name);
	free(v->cgs);
	for (size_t i = 0; i < v->ncaps; i++) {
		free(v->caps[i].tag);
		free(v->caps[i].what);
	}
	free(v->caps);
	for (size_t i = 0; i < v->nwatches; i++)
		free(v->watches[i].symbol);
	free(v->sched);
	memset(v, 0, sizeof(*v));
}

static char *cap_what(const struct kt_capture *c)
{
	switch (c->kind) {
	case KT_CAP_PROCS:
		return kt_strfmt("%zu pid%s in %s", c->npids, c->npids == 1 ? "" : "s",
				 c->cgroup ? c->cgroup : "?");
	case KT_CAP_SNAPSHOT:
		return kt_strfmt("snapshot %" PRIu64, c->snap);
	case KT_CAP_READ: {
		char v[64];

		return kt_strfmt("read %s", kt_kvalue_format(&c->value, v, sizeof(v)));
	}
	}
	return strdup("?");
}

int con_scn_fill(struct con_scn *v, const struct kt_scenario *s, int step)
{
	memset(v, 0, sizeof(*v));
	v->in_backdrop = s->in_backdrop;
	v->step = step;
	v->sched_attached = s->sched_attached;
	if (s->sched_name && !(v->sched = strdup(s->sched_name)))
		goto oom;
	if (s->ncgs && !(v->cgs = calloc(s->ncgs, sizeof(*v->cgs))))
		goto oom;
	for (size_t i = 0; i < s->ncgs; i++) {
		if (!(v->cgs[i].name = strdup(s->cgs[i].name)))
			goto oom;
		v->cgs[i].owner = s->cgs[i].owner;
		v->cgs[i].frozen = s->cgs[i].frozen;
		v->ncgs++;
	}
	if (s->ncaptures && !(v->caps = calloc(s->ncaptures, sizeof(*v->caps))))
		goto oom;
	for (size_t i = 0; i < s->ncaptures; i++) {
		struct con_scn_cap *c = &v->caps[i];

		c->kind = s->captures[i].kind;
		c->tag = strdup(s->captures[i].tag ? s->captures[i].tag : "");
		c->what = cap_what(&s->captures[i]);
		v->ncaps++;
		if (!c->tag || !c->what)
			goto oom;
	}
	for (size_t i = 0; i < s->nwatches && i < KT_MAX_WATCHES; i++) {
		v->watches[i] = s->watches[i];
		if (!(v->watches[i].symbol = strdup(s->watches[i].symbol)))
			goto oom;
		v->nwatches++;
	}
	return 0;
oom:
	con_scn_clear(v);
	return -1;
}

const struct con_scn_cg *con_scn_cgroup(const struct con_scn *v, const char *name)
{
	for (size_t i = 0; i < v->ncgs; i++)
		if (!strcmp(v->cgs[i].name, name))
			return &v->cgs[i];
	return NULL;
}
