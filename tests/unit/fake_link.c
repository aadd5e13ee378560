/* fake_link.c - see fake_link.h. */
#include "fake_link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"

void fake_link_init(struct fake_link *f)
{
	memset(f, 0, sizeof(*f));
	f->next_pid = 100;
	f->next_handle = 1;
	f->procs_count = -1;
	kt_gstate_init(&f->state);
}

void fake_link_free(struct fake_link *f)
{
	for (int i = 0; i < f->ncgs; i++)
		free(f->cgs[i]);
	f->ncgs = 0;
	for (int i = 0; i < f->nlog; i++)
		free(f->log[i]);
	f->nlog = 0;
	kt_gstate_clear(&f->state);
}

struct kt_link fake_link_of(struct fake_link *f)
{
	return (struct kt_link){ f->with_batch ? &fake_link_batch_ops :
				 f->with_poll ? &fake_link_poll_ops : &fake_link_ops, f };
}

int fake_link_find(const struct fake_link *f, const char *prefix, int from)
{
	for (int i = from < 0 ? 0 : from; i < f->nlog; i++)
		if (!strncmp(f->log[i], prefix, strlen(prefix)))
			return i;
	return -1;
}

int fake_link_count(const struct fake_link *f, const char *prefix)
{
	int n = 0;

	for (int i = 0; i < f->nlog; i++)
		n += !strncmp(f->log[i], prefix, strlen(prefix));
	return n;
}

static char *describe(const struct kt_greq *req)
{
	const char *cg = req->cgroup ? (*req->cgroup ? req->cgroup : "@runner") : "";

	if (req->cgroup2)
		return kt_strfmt("%s %s -> %s", kt_greq_name(req), cg,
				 *req->cgroup2 ? req->cgroup2 : "@runner");
	if (req->name && req->args && req->verb == KT_GREQ_OP &&
	    (req->op == KT_OP_ATTACH_SCHEDULER || req->op == KT_OP_REPLACE_SCHEDULER))
		return kt_strfmt("%s %s args=%s", kt_greq_name(req), req->name, req->args);
	if (req->name)
		return kt_strfmt("%s %s%s%s", kt_greq_name(req), req->name, *cg ? " in " : "", cg);
	if (req->op == KT_OP_SPAWN && req->verb == KT_GREQ_OP)
		return kt_strfmt("%s %s workers=%u", kt_greq_name(req), cg, req->workers);
	if (req->npids) {
		char pids[256] = "";
		size_t len = 0;

		for (size_t i = 0; i < req->npids && len + 12 < sizeof(pids); i++)
			len += (size_t)snprintf(pids + len, sizeof(pids) - len, "%s%d",
						i ? "," : "", req->pids[i]);
		return kt_strfmt("%s %s pids=%s", kt_greq_name(req), cg, pids);
	}
	return kt_strfmt("%s%s%s", kt_greq_name(req), *cg ? " " : "", cg);
}

static bool has_cg(const struct fake_link *f, const char *name, size_t len)
{
	for (int i = 0; i < f->ncgs; i++)
		if (strlen(f->cgs[i]) == len && !strncmp(f->cgs[i], name, len))
			return true;
	return false;
}

/* add-cgroup NAME: make the missing levels, count those above NAME. */
static unsigned fake_mkdir(struct fake_link *f, const char *name)
{
	unsigned made = 0;

	for (size_t l = 0; ; l++) {
		if (name[l] && name[l] != '/')
			continue;
		if (!has_cg(f, name, l) && f->ncgs < 64) {
			f->cgs[f->ncgs++] = strndup(name, l);
			made += name[l] == '/';
		}
		if (!name[l])
			break;
	}
	return made;
}

static void fake_rmdir(struct fake_link *f, const char *name)
{
	size_t l = strlen(name);

	for (int i = 0; i < f->ncgs;)
		if (!strncmp(f->cgs[i], name, l) && (!f->cgs[i][l] || f->cgs[i][l] == '/')) {
			free(f->cgs[i]);
			f->cgs[i] = f->cgs[--f->ncgs];
		} else {
			i++;
		}
}

static struct kterr *request(void *ctx, const struct kt_greq *req, struct kt_greply *reply,
			     const atomic_bool *cancel)
{
	struct fake_link *f = ctx;
	char *line = describe(req);
	unsigned n;

	if (f->nlog < FAKE_LOG_MAX)
		f->log[f->nlog++] = line;
	if (f->die_at && line && !strncmp(line, f->die_at, strlen(f->die_at))) {
		f->dead = true;
		return kterr_new(ECONNRESET, "control channel closed: guest kernel panic");
	}
	if (f->late_cancel && line && !strncmp(line, f->late_cancel, strlen(f->late_cancel)))
		atomic_store((atomic_bool *)cancel, true);
	if (f->fail_prefix && line && !strncmp(line, f->fail_prefix, strlen(f->fail_prefix)))
		return kterr_new(f->fail_errno, "%s", f->fail_msg ? f->fail_msg : "fake failure");
	if (f->block_wait && req->op == KT_OP_WAIT_PAYLOAD && req->verb == KT_GREQ_OP) {
		struct timespec ts = { 0, 1000000 };

		/* The real link polls the same flag between reads. */
		while (!atomic_load(cancel))
			nanosleep(&ts, NULL);
		return kterr_new(ECANCELED, "wait-payload %s: interrupted", req->name);
	}
	switch (req->verb) {
	case KT_GREQ_QUERY_CGROUP:
	case KT_GREQ_QUERY_SCHED:
		f->nqueries++;
		*reply = f->query_after && f->nqueries >= f->query_after ? f->query_late : f->query;
		reply->pids = NULL;
		reply->workers = NULL;
		return NULL;
	case KT_GREQ_QUERY_WORKERS:
		reply->workers = calloc(f->nworkers + 1, sizeof(*reply->workers));
		memcpy(reply->workers, f->workers, f->nworkers * sizeof(*f->workers));
		reply->nworkers = f->nworkers;
		return NULL;
	default:
		break;
	}
	n = req->op == KT_OP_SPAWN ? req->workers
	    : req->op == KT_OP_ADD_CGROUP_DEF && req->def ? req->def->workers
	    : req->op == KT_OP_CAPTURE_CGROUP_PROCS ? (unsigned)(f->procs_count >= 0 ? f->procs_count : 0)
	    : 0;
	if (n) {
		reply->pids = calloc(n, sizeof(int));
		for (unsigned i = 0; i < n; i++)
			reply->pids[i] = f->next_pid++;
		reply->npids = n;
	}
	if (req->verb == KT_GREQ_OP && req->cgroup && *req->cgroup &&
	    (req->op == KT_OP_ADD_CGROUP || req->op == KT_OP_ADD_CGROUP_DEF))
		reply->implicit = fake_mkdir(f, req->cgroup);
	if (req->verb == KT_GREQ_OP && req->cgroup && req->op == KT_OP_REMOVE_CGROUP)
		fake_rmdir(f, req->cgroup);
	if (req->op == KT_OP_REMOVE_CGROUP && f->missing && req->cgroup &&
	    !strcmp(req->cgroup, f->missing))
		reply->missing = true;
	if (req->op == KT_OP_RUN_PAYLOAD)
		reply->handle = f->next_handle++;
	if (req->op == KT_OP_WAIT_PAYLOAD || req->op == KT_OP_KILL_PAYLOAD)
		reply->exit_status = f->exit_status;
	return NULL;
}

static const char *gone(void *ctx)
{
	return ((struct fake_link *)ctx)->dead ? "guest kernel panic (fake)" : NULL;
}

const struct kt_link_ops fake_link_ops = { .request = request, .gone = gone };

static struct kterr *fake_batch(void *ctx, const struct kt_greq *reqs, size_t n,
				struct kt_greply *replies, size_t *done, const atomic_bool *cancel)
{
	struct fake_link *f = ctx;
	struct kterr *e = NULL;

	*done = 0;
	memset(replies, 0, n * sizeof(*replies));
	while (!e && *done < n) {
		size_t chunk = f->batch_max && n - *done > f->batch_max ? f->batch_max : n - *done;

		f->nbatches++;
		for (size_t i = 0; !e && i < chunk; i++) {
			e = request(ctx, &reqs[*done], &replies[*done], cancel);
			*done += !e;
		}
	}
	return e;
}

const struct kt_link_ops fake_link_batch_ops = { .request = request, .batch = fake_batch,
						 .gone = gone };

static struct kterr *fake_poll(void *ctx, uint64_t timeout_ns, uint64_t *gen,
			       struct kt_gstate *state)
{
	struct fake_link *f = ctx;

	f->npolls++;
	if (f->now)
		*f->now += timeout_ns;
	f->poll_ns += timeout_ns;
	if (f->event_at && f->npolls == f->event_at)
		f->event_due = true;
	if (f->poll_fail)
		return kterr_new(ECONNRESET, "%s", f->poll_fail);
	if (f->state_gen != *gen && f->state.valid) {
		struct kterr *e = kt_gstate_copy(state, &f->state);

		if (e)
			return e;
		*gen = f->state_gen;
	}
	return NULL;
}

/* The event, once, through the hook the executor drains (link.h). */
static struct kt_guest_event *fake_next_event(void *ctx)
{
	struct fake_link *f = ctx;

	if (!f->event_due)
		return NULL;
	f->event_due = false;
	return kt_gev_dup(&f->event);
}

const struct kt_link_ops fake_link_poll_ops = { .request = request, .poll = fake_poll,
						 .gone = gone, .next_event = fake_next_event };
