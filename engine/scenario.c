/* scenario.c - scenario state and its rules; see scenario.h. */
#include "engine/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* Grow an array of elements of size sz by one zeroed slot. */
static void *grow(void *arr, size_t *n, size_t sz)
{
	char *na = realloc(arr, (*n + 1) * sz);

	if (!na)
		return NULL;
	memset(na + *n * sz, 0, sz);
	(*n)++;
	return na;
}

/* How a cgroup is named to the operator: @runner for the runner key. */
static const char *show(const char *cg)
{
	return *cg ? cg : "@runner";
}

static const char *owner_name(enum kt_owner o)
{
	static const char *const names[] = {
		[KT_OWN_STEP] = "step-local",
		[KT_OWN_BACKDROP] = "backdrop",
	};

	return names[o];
}

void kt_scn_init(struct kt_scenario *s)
{
	memset(s, 0, sizeof(*s));
}

static void free_workers(struct kt_workers *w)
{
	free(w->cgroup);
	free(w->pids);
}

void kt_scn_free(struct kt_scenario *s)
{
	for (size_t i = 0; i < s->ncgs; i++)
		free(s->cgs[i].name);
	for (size_t i = 0; i < s->nworkers; i++)
		free_workers(&s->workers[i]);
	for (size_t i = 0; i < s->npayloads; i++) {
		free(s->payloads[i].name);
		free(s->payloads[i].cgroup);
	}
	for (size_t i = 0; i < s->ncaptures; i++) {
		free(s->captures[i].tag);
		free(s->captures[i].cgroup);
		free(s->captures[i].pids);
	}
	for (size_t i = 0; i < s->nwatches; i++)
		free(s->watches[i].symbol);
	for (size_t i = 0; i < s->npinned; i++)
		free(s->pinned[i]);
	free(s->cgs);
	free(s->workers);
	free(s->payloads);
	free(s->captures);
	free(s->pinned);
	free(s->sched_name);
	memset(s, 0, sizeof(*s));
}

enum kt_owner kt_scn_scope(const struct kt_scenario *s)
{
	return s->in_backdrop ? KT_OWN_BACKDROP : KT_OWN_STEP;
}

struct kt_cg *kt_scn_cgroup(const struct kt_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->ncgs; i++)
		if (!strcmp(s->cgs[i].name, name))
			return &s->cgs[i];
	return NULL;
}

struct kterr *kt_scn_check_add(const struct kt_scenario *s, const char *name, bool from_def)
{
	const struct kt_cg *cg = kt_scn_cgroup(s, name);

	if (!cg)
		return NULL;
	if (cg->implicit)
		return kterr_hint(kterr_new(EEXIST, "cgroup '%s' already exists: it was made as the "
					    "parent of a nested name (%s)", name,
					    owner_name(cg->owner)),
				  "add %s before its children, or pick another name", name);
	if (from_def)
		return kterr_hint(kterr_new(EEXIST, "cgroup definition '%s' collides with the %s %s '%s'",
					    name, owner_name(cg->owner),
					    cg->from_def ? "cgroup definition" : "cgroup", name),
				  "pick another name, or remove-cgroup %s first", name);
	return kterr_hint(kterr_new(EEXIST, "cgroup '%s' already exists (%s%s)", name,
				    owner_name(cg->owner), cg->from_def ? ", from a cgroup definition" : ""),
			  "pick another name, or remove-cgroup %s first", name);
}

struct kterr *kt_scn_add_cgroup(struct kt_scenario *s, const char *name, bool from_def,
				const struct kt_cpuset *cpus)
{
	struct kterr *e = kt_scn_check_add(s, name, from_def);
	struct kt_cg *na;
	char *dup;

	if (e)
		return e;
	dup = strdup(name);
	na = dup ? grow(s->cgs, &s->ncgs, sizeof(*s->cgs)) : NULL;
	if (!na) {
		free(dup);
		return kterr_new(ENOMEM, "tracking cgroup %s", name);
	}
	s->cgs = na;
	na[s->ncgs - 1] = (struct kt_cg){
		.name = dup, .owner = kt_scn_scope(s), .from_def = from_def,
		.has_cpus = cpus != NULL,
	};
	if (cpus)
		na[s->ncgs - 1].cpus = *cpus;
	return NULL;
}

/* Append n pids to the (cgroup, owner) handle, creating it. */
static struct kterr *add_handle(struct kt_scenario *s, const char *cgroup, enum kt_owner o,
				const int *pids, size_t n)
{
	struct kt_workers *w = kt_scn_workers_of(s, cgroup, o);
	int *np;

	if (!w) {
		struct kt_workers *nw = grow(s->workers, &s->nworkers, sizeof(*nw));

		if (!nw)
			return kterr_new(ENOMEM, "tracking workers of %s", show(cgroup));
		s->workers = nw;
		w = &nw[s->nworkers - 1];
		w->cgroup = strdup(cgroup);
		w->owner = o;
		if (!w->cgroup) {
			s->nworkers--;
			return kterr_new(ENOMEM, "tracking workers of %s", show(cgroup));
		}
	}
	np = realloc(w->pids, (w->npids + n + 1) * sizeof(int));
	if (!np)
		return kterr_new(ENOMEM, "tracking workers of %s", show(cgroup));
	memcpy(np + w->npids, pids, n * sizeof(int));
	w->pids = np;
	w->npids += n;
	return NULL;
}

static void drop_handle(struct kt_scenario *s, struct kt_workers *w)
{
	free_workers(w);
	memmove(w, w + 1, (s->workers + s->nworkers - w - 1) * sizeof(*w));
	s->nworkers--;
}

/* NAME itself or a cgroup nested below it ("a/b" is below "a"). */
static bool in_subtree(const char *cg, const char *name)
{
	size_t l = strlen(name);

	return !strncmp(cg, name, l) && (cg[l] == '\0' || cg[l] == '/');
}

struct kterr *kt_scn_add_implicit(struct kt_scenario *s, const char *name, unsigned levels)
{
	char buf[512];
	size_t depth = 0;

	for (const char *c = name; *c; c++)
		depth += *c == '/';
	/* The deepest `levels` ancestors, shallowest first. */
	for (size_t keep = depth - (levels < depth ? levels : depth) + 1; keep <= depth; keep++) {
		size_t n = 0, len = 0;
		struct kterr *e;

		while (name[len] && !(name[len] == '/' && ++n == keep))
			len++;
		snprintf(buf, sizeof(buf), "%.*s", (int)len, name);
		if (kt_scn_cgroup(s, buf))
			continue;
		e = kt_scn_add_cgroup(s, buf, false, NULL);
		if (e)
			return e;
		kt_scn_cgroup(s, buf)->implicit = true;
	}
	return NULL;
}

const char *kt_scn_orphaned_parent(const struct kt_scenario *s, const char *name)
{
	static char parent[512];
	const char *slash = strrchr(name, '/');
	const struct kt_cg *p;

	if (!slash)
		return NULL;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - name), name);
	p = kt_scn_cgroup(s, parent);
	if (!p || !p->implicit)
		return NULL;
	for (size_t i = 0; i < s->ncgs; i++)
		if (s->cgs[i].name != p->name && in_subtree(s->cgs[i].name, parent))
			return NULL;
	return parent;
}

/* The guest removes a cgroup with everything nested in it; so does this. */
void kt_scn_remove_cgroup(struct kt_scenario *s, const char *name)
{
	char *copy = strdup(name);

	if (!copy)
		return;
	for (size_t i = 0; i < s->nworkers;)
		if (!strcmp(s->workers[i].cgroup, copy) ||
		    (*copy && in_subtree(s->workers[i].cgroup, copy)))
			drop_handle(s, &s->workers[i]);
		else
			i++;
	for (size_t i = 0; i < s->ncgs;) {
		struct kt_cg *cg = &s->cgs[i];

		if (!in_subtree(cg->name, copy)) {
			i++;
			continue;
		}
		free(cg->name);
		memmove(cg, cg + 1, (s->cgs + s->ncgs - cg - 1) * sizeof(*cg));
		s->ncgs--;
	}
	free(copy);
}

/* The owner of what sits in a cgroup as a move's source: the cgroup's, or
 * for the runner the owner of its workers, backdrop when any of them is
 * (those are the ones a move could strand). */
static bool source_owner(const struct kt_scenario *s, const char *cg, enum kt_owner *o)
{
	const struct kt_cg *c = kt_scn_cgroup(s, cg);

	if (c) {
		*o = c->owner;
		return true;
	}
	if (*cg)
		return false;
	if (kt_scn_workers_of(s, cg, KT_OWN_BACKDROP)) {
		*o = KT_OWN_BACKDROP;
		return true;
	}
	if (kt_scn_workers_of(s, cg, KT_OWN_STEP)) {
		*o = KT_OWN_STEP;
		return true;
	}
	return false;
}

/* The lifetime of a move's destination: a tracked cgroup's. The runner's
 * own cgroup is never removed, so it strands nothing and gives the tasks
 * no new lifetime: they keep their own. */
static bool dest_owner(const struct kt_scenario *s, const char *cg, enum kt_owner *o)
{
	const struct kt_cg *c = *cg ? kt_scn_cgroup(s, cg) : NULL;

	if (c)
		*o = c->owner;
	return c != NULL;
}

struct kterr *kt_scn_check_move(const struct kt_scenario *s, const char *from, const char *to)
{
	enum kt_owner fo, to_o;

	if (!strcmp(from, to))
		return kterr_hint(kterr_new(0, "self-move from '%s' to '%s' rejected: both sides are "
					    "the same cgroup, so the kernel would move nothing and hide "
					    "a stale op or a typo", show(from), show(to)),
				  "remove the op, or fix FROM or TO (move-all-tasks %s OTHER)", show(from));
	if (s->in_backdrop)
		return NULL;	/* no step-local cgroup exists in the backdrop pass */
	if (source_owner(s, from, &fo) && dest_owner(s, to, &to_o) && fo == KT_OWN_BACKDROP &&
	    to_o == KT_OWN_STEP)
		return kterr_hint(kterr_new(0, "move from backdrop '%s'%s to step-local '%s' "
					    "rejected: the tasks would be stranded when the step "
					    "removes '%s'", show(from),
					    *from ? "" : " (the backdrop's runner workers)", to, to),
				  "declare '%s' in the backdrop too (add-cgroup %s in the backdrop "
				  "section), or move the tasks into a backdrop-owned cgroup instead",
				  to, to);
	return NULL;
}

void kt_scn_move_handles(struct kt_scenario *s, const char *from, const char *to)
{
	enum kt_owner d;
	bool tracked = dest_owner(s, to, &d);

	/* Each handle of `from` (the runner has one per owner) takes the
	 * lifetime of where it now lives; into the runner, which has none,
	 * it keeps its own. */
	for (size_t i = 0; i < s->nworkers;) {
		struct kt_workers *w = &s->workers[i];
		enum kt_owner o = tracked ? d : w->owner;

		if (strcmp(w->cgroup, from)) {
			i++;
			continue;
		}
		/* The pids go to a handle created or grown at the end of the
		 * array, or already there: take a copy first, the array moves. */
		int *pids = w->pids;
		size_t n = w->npids;

		w->pids = NULL;
		w->npids = 0;
		drop_handle(s, w);
		kterr_free(add_handle(s, to, o, pids, n));
		free(pids);
	}
}

struct kt_workers *kt_scn_workers(const struct kt_scenario *s, const char *cgroup)
{
	for (size_t i = 0; i < s->nworkers; i++)
		if (!strcmp(s->workers[i].cgroup, cgroup))
			return &s->workers[i];
	return NULL;
}

struct kt_workers *kt_scn_workers_of(const struct kt_scenario *s, const char *cgroup,
				     enum kt_owner o)
{
	for (size_t i = 0; i < s->nworkers; i++)
		if (s->workers[i].owner == o && !strcmp(s->workers[i].cgroup, cgroup))
			return &s->workers[i];
	return NULL;
}

struct kterr *kt_scn_add_workers(struct kt_scenario *s, const char *cgroup, const int *pids,
				 size_t n)
{
	const struct kt_cg *cg = *cgroup ? kt_scn_cgroup(s, cgroup) : NULL;

	/* A cgroup's workers live as long as it does; the runner's cgroup
	 * lives for the scenario, so its workers belong to the pass that
	 * spawned them: a step's die with the step, the backdrop's survive. */
	return add_handle(s, cgroup, cg ? cg->owner : kt_scn_scope(s), pids, n);
}

void kt_scn_drop_workers(struct kt_scenario *s, const char *cgroup)
{
	struct kt_workers *w;

	while ((w = kt_scn_workers(s, cgroup)))
		drop_handle(s, w);
}

void kt_scn_drop_workers_of(struct kt_scenario *s, const char *cgroup, enum kt_owner o)
{
	struct kt_workers *w = kt_scn_workers_of(s, cgroup, o);

	if (w)
		drop_handle(s, w);
}

struct kterr *kt_scn_add_payload(struct kt_scenario *s, const char *name, const char *cgroup,
				 uint64_t handle)
{
	struct kt_payload *np;

	for (size_t i = 0; i < s->npayloads; i++)
		if (s->payloads[i].state == KT_PAYLOAD_LIVE && !strcmp(s->payloads[i].name, name) &&
		    !strcmp(s->payloads[i].cgroup, cgroup))
			return kterr_hint(kterr_new(EEXIST, "payload '%s' is already running in %s%s%s",
						    name, *cgroup ? "cgroup '" : "the runner's cgroup",
						    cgroup, *cgroup ? "'" : ""),
					  "wait-payload or kill-payload it first, or run this copy in "
					  "another cgroup=");
	np = grow(s->payloads, &s->npayloads, sizeof(*np));
	if (!np)
		return kterr_new(ENOMEM, "tracking payload %s", name);
	s->payloads = np;
	np += s->npayloads - 1;
	np->name = strdup(name);
	np->cgroup = strdup(cgroup);
	/* Handles belong to the pass that started them (the seed tracks
	 * them in the step's or the backdrop's handle set), not to the cgroup. */
	np->owner = kt_scn_scope(s);
	np->handle = handle;
	if (!np->name || !np->cgroup) {
		free(np->name);
		free(np->cgroup);
		s->npayloads--;
		return kterr_new(ENOMEM, "tracking payload %s", name);
	}
	return NULL;
}

struct kterr *kt_scn_find_payload(const struct kt_scenario *s, const char *op, const char *name,
				  const char *cgroup, struct kt_payload **out)
{
	struct kt_payload *live = NULL, *other = NULL;
	bool consumed = false, torn = false;

	*out = NULL;
	for (size_t i = 0; i < s->npayloads; i++) {
		struct kt_payload *p = &s->payloads[i];

		if (strcmp(p->name, name) || (cgroup && strcmp(p->cgroup, cgroup)))
			continue;
		if (p->state == KT_PAYLOAD_CONSUMED) {
			consumed = true;
			torn = p->by_teardown;
			continue;
		}
		if (live) {
			other = p;
			continue;
		}
		live = p;
	}
	if (live && other)
		return kterr_hint(kterr_new(0, "%s %s: ambiguous — specify cgroup: it is live in "
					    "'%s' and '%s'", op, name, show(live->cgroup),
					    show(other->cgroup)),
				  "write %s %s cgroup=%s", op, name, live->cgroup);
	if (live) {
		*out = live;
		return NULL;
	}
	if (consumed && torn)
		return kterr_hint(kterr_new(0, "%s %s%s%s%s: it was killed when the step that "
					    "started it ended", op, name, cgroup ? " (cgroup '" : "",
					    cgroup ? cgroup : "", cgroup ? "')" : ""),
				  "a step's payloads end with it: wait for it in the same step, or "
				  "start it in the backdrop");
	if (consumed)
		return kterr_hint(kterr_new(0, "%s %s%s%s%s: already consumed by an earlier "
					    "wait-payload or kill-payload", op, name,
					    cgroup ? " (cgroup '" : "", cgroup ? cgroup : "",
					    cgroup ? "')" : ""),
				  "start it again with run-payload %s before waiting for or killing it",
				  name);
	return kterr_hint(kterr_new(0, "%s %s%s%s%s: unknown payload: no run-payload started it",
				    op, name, cgroup ? " (cgroup '" : "", cgroup ? cgroup : "",
				    cgroup ? "')" : ""),
			  "start it first with run-payload %s%s%s", name, cgroup ? " cgroup=" : "",
			  cgroup ? cgroup : "");
}

struct kt_payload *kt_scn_last_payload(const struct kt_scenario *s, const char *name,
				       const char *cgroup)
{
	for (size_t i = s->npayloads; i-- > 0;)
		if (!strcmp(s->payloads[i].name, name) &&
		    (!cgroup || !strcmp(s->payloads[i].cgroup, cgroup)))
			return &s->payloads[i];
	return NULL;
}

struct kterr *kt_scn_add_watch(struct kt_scenario *s, const char *symbol, unsigned *slot)
{
	if (s->nwatches >= KT_MAX_WATCHES)
		return kterr_hint(kterr_new(ENOSPC, "watch-snapshot %s: a 4th watch is over the cap "
					    "of %d per scenario (watching %s, %s, %s)", symbol,
					    KT_MAX_WATCHES, s->watches[0].symbol,
					    s->watches[1].symbol, s->watches[2].symbol),
				  "the hardware keeps one of its 4 watchpoints for the scheduler-error "
				  "trigger; use capture-snapshot at chosen times instead");
	struct kt_watch *w = &s->watches[s->nwatches];

	memset(w, 0, sizeof(*w));
	if (!(w->symbol = strdup(symbol)))
		return kterr_new(ENOMEM, "watch-snapshot %s", symbol);
	w->owner = s->in_backdrop ? KT_OWN_BACKDROP : KT_OWN_STEP;
	w->armed = true;
	*slot = s->nwatches++;
	return NULL;
}

void kt_scn_drop_last_watch(struct kt_scenario *s)
{
	if (!s->nwatches)
		return;
	s->nwatches--;
	free(s->watches[s->nwatches].symbol);
	memset(&s->watches[s->nwatches], 0, sizeof(s->watches[s->nwatches]));
}

bool kt_scn_pin(struct kt_scenario *s, const char *map)
{
	char **np;

	for (size_t i = 0; i < s->npinned; i++)
		if (!strcmp(s->pinned[i], map))
			return false;
	np = realloc(s->pinned, (s->npinned + 1) * sizeof(*np));
	if (!np)
		return true;
	s->pinned = np;
	np[s->npinned] = strdup(map);
	if (np[s->npinned])
		s->npinned++;
	return true;
}

struct kt_capture *kt_scn_add_capture(struct kt_scenario *s, const char *tag,
				      enum kt_capture_kind kind)
{
	struct kt_capture *nc;

	/* Snapshots are keyed by tag: a watch firing again overwrites its
	 * capture (watch-snapshot), so does capture-snapshot. */
	if (kind == KT_CAP_SNAPSHOT) {
		for (size_t i = 0; i < s->ncaptures; i++)
			if (s->captures[i].kind == kind && !strcmp(s->captures[i].tag, tag))
				return &s->captures[i];
	}
	nc = grow(s->captures, &s->ncaptures, sizeof(*nc));

	if (!nc)
		return NULL;
	s->captures = nc;
	nc += s->ncaptures - 1;
	nc->tag = strdup(tag);
	nc->kind = kind;
	if (!nc->tag) {
		s->ncaptures--;
		return NULL;
	}
	return nc;
}

const struct kt_capture *kt_scn_capture(const struct kt_scenario *s, const char *tag,
					enum kt_capture_kind kind)
{
	return kt_scn_capture_mut((struct kt_scenario *)s, tag, kind);
}

struct kt_capture *kt_scn_capture_mut(struct kt_scenario *s, const char *tag,
				      enum kt_capture_kind kind)
{
	for (size_t i = 0; i < s->ncaptures; i++)
		if (s->captures[i].kind == kind && !strcmp(s->captures[i].tag, tag))
			return &s->captures[i];
	return NULL;
}

static size_t depth(const char *name)
{
	size_t d = 0;

	for (; *name; name++)
		d += *name == '/';
	return d;
}

static size_t owned_deepest_first(const struct kt_scenario *s, enum kt_owner o, size_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ncgs; i++)
		if (s->cgs[i].owner == o)
			out[n++] = i;
	/* Insertion sort, stable: deeper first, then latest created first
	 * (so a child created after its parent goes before it). */
	for (size_t i = 1; i < n; i++) {
		size_t v = out[i], j = i;

		while (j > 0 && (depth(s->cgs[out[j - 1]].name) < depth(s->cgs[v].name) ||
				 (depth(s->cgs[out[j - 1]].name) == depth(s->cgs[v].name) &&
				  out[j - 1] < v))) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = v;
	}
	return n;
}

size_t kt_scn_step_cgroups(const struct kt_scenario *s, size_t *out)
{
	return owned_deepest_first(s, KT_OWN_STEP, out);
}

size_t kt_scn_backdrop_cgroups(const struct kt_scenario *s, size_t *out)
{
	return owned_deepest_first(s, KT_OWN_BACKDROP, out);
}
