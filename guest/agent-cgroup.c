/*
 * agent-cgroup.c - the cgroup ops, on the real cgroup v2 files under the
 * managed parent (/sys/fs/cgroup/ktcon). Names are relative to it and may
 * nest ("a/b"). Every error names the file it was about and keeps errno,
 * so the host shows "freeze-cgroup x: open /sys/fs/cgroup/ktcon/x/
 * cgroup.freeze: No such file or directory".
 */
#include "guest/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cgroup-name.h"
#include "lib/util.h"
#include "lib/wait.h"
#include "guest/state-cgroups.h"

#define CGROUP_PATH_MAX 512


/* Resolve NAME under the managed parent. The host checked the name
 * already; the agent checks again with the same rule (cgroup-name.h), so
 * no frame, however it was made, reaches outside the managed parent. */
struct kterr *agent_cgroup_path(const char *name, char *path, size_t size)
{
	struct kterr *e;

	if (!name || !*name)
		return kterr_new(EINVAL, "empty cgroup name");
	if ((e = kt_cgroup_name_check(name)))
		return e;
	if ((size_t)snprintf(path, size, "%s/%s", AGENT_CGROUP_MANAGED, name) >= size)
		return kterr_new(ENAMETOOLONG, "cgroup name '%s'", name);
	return NULL;
}

static struct kterr *need_cgroup(const struct wire_msg *req, const char *key, char *path)
{
	const char *name = wire_get(req, key);
	struct kterr *e = agent_cgroup_path(name, path, CGROUP_PATH_MAX);

	if (e)
		return e;
	if (!kt_is_dir(path))
		return kterr_hint(kterr_new(ENOENT, "cgroup %s: %s does not exist", name, path),
				  "create it first (add-cgroup, add-cgroup-def, or a `cgroup` line)");
	return NULL;
}

static struct kterr *cg_write(const char *dir, const char *file, const char *val)
{
	char p[CGROUP_PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return agent_write_file(p, val);
}

static struct kterr *cg_read(const char *dir, const char *file, char *buf, size_t size)
{
	char p[CGROUP_PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return agent_read_file(p, buf, size);
}

/* "frozen 1" / "populated 0" out of cgroup.events. */
static int events_field(const char *dir, const char *key)
{
	char buf[256];
	struct kterr *e = cg_read(dir, "cgroup.events", buf, sizeof(buf));
	size_t kl = strlen(key);

	if (e) {
		kterr_free(e);
		return -1;
	}
	for (char *l = buf; l && *l; ) {
		if (!strncmp(l, key, kl) && l[kl] == ' ')
			return atoi(l + kl + 1);
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return -1;
}

/* The same, through an open cgroup.events: reading it from the start
 * also arms poll(2)'s POLLPRI for the next change. */
static int fd_events_field(int fd, const char *key)
{
	char buf[256];
	ssize_t n;
	size_t kl = strlen(key);

	if (lseek(fd, 0, SEEK_SET) < 0 || (n = read(fd, buf, sizeof(buf) - 1)) < 0)
		return -1;
	buf[n] = '\0';
	for (char *l = buf; *l; ) {
		if (!strncmp(l, key, kl) && l[kl] == ' ')
			return atoi(l + kl + 1);
		l = strchr(l, '\n');
		if (!l)
			break;
		l++;
	}
	return -1;
}

static struct kterr *remove_tree(const char *dir);

/* Undo the levels create_cgroup made, deepest first: path's last `made`
 * levels (path is the full name's path). */
static void unmake(char *path, unsigned made)
{
	char *copy = strdup(path);

	for (unsigned i = 0; copy && i < made; i++) {
		rmdir(copy);
		char *slash = strrchr(copy, '/');

		if (!slash)
			break;
		*slash = '\0';
	}
	free(copy);
}

/*
 * mkdir NAME and every missing level above it ("x/y" makes x too), with
 * the controllers enabled down to it. *implicit is how many levels above
 * NAME it made, the host tracks them with NAME's owner; on failure it
 * leaves nothing it made.
 */
static struct kterr *create_cgroup(const char *name, char *path, unsigned *implicit)
{
	struct kterr *e = agent_cgroup_path(name, path, CGROUP_PATH_MAX);
	unsigned made = 0;

	*implicit = 0;
	if (e)
		return e;
	if (kt_is_dir(path))
		return kterr_hint(kterr_new(EEXIST, "cgroup %s already exists (%s)", name, path),
				  "remove-cgroup it first, or use another name");
	/* Each new level below the managed parent needs the controllers
	 * enabled in its parent for the child to get its knobs. */
	for (char *s = path + strlen(AGENT_CGROUP_MANAGED) + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(path, 0755) == 0)
			made++;
		else if (errno != EEXIST)
			e = kterr_errno("mkdir %s", path);
		if (!e && c == '/') {
			e = cg_write(path, "cgroup.subtree_control", AGENT_CONTROLLERS);
			/* cgroup v2: a cgroup with tasks cannot hand its
			 * controllers down (no internal processes). */
			if (e && kterr_errno_of(e) == EBUSY)
				e = kterr_hint(kterr_wrap(e, "enable controllers for the children of "
							  "%s", path),
					       "%s holds tasks, and cgroup v2's no-internal-processes "
					       "rule lets only a cgroup without tasks have children "
					       "with controllers: put workers in the leaves. Create "
					       "the child before the parent gets workers, or empty "
					       "the parent first (move-all-tasks PARENT OTHER, or "
					       "stop-cgroup PARENT), add the child, then move the "
					       "tasks into it", path);
			else if (e)
				e = kterr_wrap(e, "enable controllers for the children of %s", path);
		}
		*s = c;
		if (e) {
			/* path is cut at the failing level; made counts from there */
			char at[CGROUP_PATH_MAX];

			snprintf(at, sizeof(at), "%.*s", (int)(s - path), path);
			unmake(at, made);
			return e;
		}
		if (!c)
			break;
	}
	*implicit = made ? made - 1 : 0;
	return NULL;
}

static struct kterr *op_add_cgroup(struct agent *a, const struct wire_msg *req,
				   struct wire_buf *reply)
{
	char path[CGROUP_PATH_MAX];
	unsigned implicit;
	struct kterr *e = create_cgroup(wire_get(req, "cgroup"), path, &implicit);

	if (!e && implicit)
		wire_put_u64(reply, "implicit", implicit);
	return e;
}

/* The kernel option behind each knob file (cg_knob_files' order), for the
 * hint when a kernel given with --kernel lacks one. */
static const char *const knob_config[CG_NKNOBS] = {
	"CONFIG_FAIR_GROUP_SCHED", "CONFIG_CFS_BANDWIDTH", "CONFIG_MEMCG",
	"CONFIG_BLK_CGROUP_IOCOST", "CONFIG_CGROUP_PIDS",
};

static struct kterr *op_add_cgroup_def(struct agent *a, const struct wire_msg *req,
				       struct wire_buf *reply)
{
	const char *name = wire_get(req, "cgroup");
	char path[CGROUP_PATH_MAX];
	uint64_t workers = 0;
	unsigned implicit;
	struct kterr *e;

	e = create_cgroup(name, path, &implicit);
	if (!e && wire_get(req, "cpus"))
		e = cg_write(path, "cpuset.cpus", wire_get(req, "cpus"));
	/* The knobs the state stream reports, under their file names (the
	 * recipe's keys). A recipe writes cpu.max as QUOTA/PERIOD, the file
	 * takes "QUOTA PERIOD"; no other knob's value has a slash. */
	for (size_t i = 0; !e && i < CG_NKNOBS; i++) {
		const char *v = wire_get(req, cg_knob_files[i]);
		char val[128];

		if (!v)
			continue;
		snprintf(val, sizeof(val), "%s", v);
		for (char *c = val; *c; c++)
			if (*c == '/')
				*c = ' ';
		e = cg_write(path, cg_knob_files[i], val);
		if (e && kterr_errno_of(e) == ENOENT)
			e = kterr_hint(e, "this guest kernel has no %s: build it with %s (the "
				       "shipped guest/kernel.config has it)", cg_knob_files[i],
				       knob_config[i]);
	}
	/* Workers last: they are placed into the finished cgroup. */
	if (!e && wire_get_u64(req, "workers", &workers) && workers)
		e = agent_workers_spawn(name, req, reply);
	if (e) {
		/* Half a definition is worse than none: nor the levels above
		 * it that it made. */
		if (kt_is_dir(path)) {
			kterr_free(remove_tree(path));
			unmake(path, implicit + 1);
		}
		return kterr_wrap(e, "add-cgroup-def %s", name ? name : "");
	}
	if (implicit)
		wire_put_u64(reply, "implicit", implicit);
	return NULL;
}

/* Move every process of dir to the root cgroup (the managed parent holds
 * none: it has controllers enabled for its children). */
static struct kterr *drain(const char *dir)
{
	char buf[65536];
	struct kterr *e = cg_read(dir, "cgroup.procs", buf, sizeof(buf));

	if (e)
		return e;
	for (char *save, *tok = strtok_r(buf, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		e = agent_write_file(AGENT_CGROUP_ROOT "/cgroup.procs", tok);
		/* a task that exited meanwhile is fine */
		if (e && kterr_errno_of(e) != ESRCH)
			return kterr_wrap(e, "move pid %s out of %s", tok, dir);
		kterr_free(e);
	}
	return NULL;
}

/* Remove dir and its children, deepest first. */
static struct kterr *remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct kterr *e = NULL;

	if (!d)
		return kterr_errno("open %s", dir);
	while (!e && (de = readdir(d))) {
		char sub[CGROUP_PATH_MAX + 256];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		e = remove_tree(sub);
	}
	closedir(d);
	if (e)
		return e;
	/* Auto-unfreeze before draining: a frozen task moved to an unfrozen
	 * cgroup thaws (cgroup_freezer_migrate_task). */
	kterr_free(cg_write(dir, "cgroup.freeze", "0"));
	e = drain(dir);
	if (!e && rmdir(dir) < 0)
		e = kterr_errno("rmdir %s", dir);
	return e;
}

/*
 * After its last child went, a parent hands no controllers down any more:
 * with them enabled in its cgroup.subtree_control, cgroup v2 would refuse
 * it tasks (no internal processes), so add-cgroup x/y, remove-cgroup x/y,
 * spawn x would fail. Best effort: the managed parent keeps them.
 */
static void release_parent(const char *path)
{
	char parent[CGROUP_PATH_MAX], off[] = AGENT_CONTROLLERS;
	char *slash;
	DIR *d;
	struct dirent *de;
	bool children = false;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (!slash)
		return;
	*slash = '\0';
	if (!strcmp(parent, AGENT_CGROUP_MANAGED) || !(d = opendir(parent)))
		return;
	while (!children && (de = readdir(d)))
		children = de->d_type == DT_DIR && de->d_name[0] != '.';
	closedir(d);
	if (children)
		return;
	for (char *c = off; *c; c++)
		if (*c == '+')
			*c = '-';
	kterr_free(cg_write(parent, "cgroup.subtree_control", off));
}

static struct kterr *op_remove_cgroup(struct agent *a, const struct wire_msg *req,
				      struct wire_buf *reply)
{
	char path[CGROUP_PATH_MAX];
	struct kterr *e = agent_cgroup_path(wire_get(req, "cgroup"), path, sizeof(path));

	/* The seed: a typo'd name is not an error here; it surfaces as a
	 * missing cgroup on the next op that names it. Say nothing was
	 * removed so the host can log it. */
	if (!e && !kt_is_dir(path)) {
		wire_put_i64(reply, "missing", 1);
		return NULL;
	}
	/* Stop the workers first (theirs and their children's): a worker
	 * drained to the root would outlive its cgroup. */
	if (!e)
		e = agent_workers_stop(wire_get(req, "cgroup"), true, reply);
	if (!e)
		e = remove_tree(path);
	if (!e)
		release_parent(path);
	return e;
}

static struct kterr *op_set_cpuset(struct agent *a, const struct wire_msg *req,
				   struct wire_buf *reply)
{
	char path[CGROUP_PATH_MAX];
	const char *cpus = wire_get(req, "cpus");
	struct kterr *e = need_cgroup(req, "cgroup", path);

	if (!e && !cpus)
		e = kterr_new(EINVAL, "set-cpuset: no cpus");
	if (!e)
		e = cg_write(path, "cpuset.cpus", cpus);
	if (e && kterr_errno_of(e) == EINVAL)
		e = kterr_hint(e, "the CPUs must be online and allowed by the parent's cpuset");
	return e;
}

/*
 * Set dir's cpuset.cpus to LIST, where "" means unset: allow every CPU the
 * parent allows. An empty cpuset.cpus is that (it takes a newline: kernfs
 * ignores a zero-length write), but cgroup v2 refuses to empty the cpuset
 * of a cgroup with tasks (ENOSPC, cpuset's validate_change); then the
 * parent's effective CPUs are written instead, which the tasks may use
 * just the same (the state shows the effective set either way).
 */
static struct kterr *write_cpus(const char *dir, const char *list)
{
	char parent[CGROUP_PATH_MAX], cpus[1024];
	struct kterr *e;
	char *slash;

	if (*list)
		return cg_write(dir, "cpuset.cpus", list);
	e = cg_write(dir, "cpuset.cpus", "\n");
	if (!e || kterr_errno_of(e) != ENOSPC)
		return e;
	kterr_free(e);
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	e = cg_read(parent, "cpuset.cpus.effective", cpus, sizeof(cpus));
	if (!e)
		e = cg_write(dir, "cpuset.cpus", cpus);
	return e ? kterr_wrap(e, "allow %s's tasks every CPU of %s (cgroup v2 refuses to empty "
			      "the cpuset of a cgroup with tasks)", dir, parent) : NULL;
}

static struct kterr *op_clear_cpuset(struct agent *a, const struct wire_msg *req,
				     struct wire_buf *reply)
{
	char path[CGROUP_PATH_MAX];
	struct kterr *e = need_cgroup(req, "cgroup", path);

	return e ? e : write_cpus(path, "");
}

/* Each cgroup gets what the other held, "unset" included (see write_cpus),
 * or neither changes: a failed second write puts the first back. */
static struct kterr *op_swap_cpusets(struct agent *a, const struct wire_msg *req,
				     struct wire_buf *reply)
{
	char pa[CGROUP_PATH_MAX], pb[CGROUP_PATH_MAX], ca[1024], cb[1024];
	struct kterr *e = need_cgroup(req, "cgroup", pa);

	if (!e)
		e = need_cgroup(req, "cgroup2", pb);
	/* Read both first: a half-done swap must not lose either set. */
	if (!e)
		e = cg_read(pa, "cpuset.cpus", ca, sizeof(ca));
	if (!e)
		e = cg_read(pb, "cpuset.cpus", cb, sizeof(cb));
	if (!e)
		e = write_cpus(pa, cb);
	if (!e) {
		e = write_cpus(pb, ca);
		if (e) {
			struct kterr *u = write_cpus(pa, ca);
			char why[256];

			if (u)
				e = kterr_wrap(e, "and putting %s back to '%s' failed too (%s): the "
					       "swap is half done", pa, ca,
					       kterr_str(u, why, sizeof(why)));
			kterr_free(u);
		}
	}
	return e;
}

/* The threads of a cgroup that are not parked in the freezer's trap, as
 * "TID (comm, state S, in WCHAN)" items: what the operator needs when a
 * freeze does not complete. */
static void not_parked(const char *dir, char *out, size_t size)
{
	static char tids[65536];
	size_t len = 0;

	struct kterr *e = cg_read(dir, "cgroup.threads", tids, sizeof(tids));

	out[0] = '\0';
	if (e) {
		snprintf(out, size, "(cgroup.threads unreadable)");
		kterr_free(e);
		return;
	}
	for (char *save, *t = strtok_r(tids, "\n", &save); t && len + 80 < size;
	     t = strtok_r(NULL, "\n", &save)) {
		char p[64], wchan[64] = "?", stat[512] = "", comm[32] = "?", state = '?';
		struct kterr *se;

		snprintf(p, sizeof(p), "/proc/%s/wchan", t);
		kterr_free(agent_read_file(p, wchan, sizeof(wchan)));
		if (!strcmp(wchan, "do_freezer_trap"))
			continue;
		snprintf(p, sizeof(p), "/proc/%s/stat", t);
		se = agent_read_file(p, stat, sizeof(stat));
		if (!se) {
			char *l = strchr(stat, '('), *r = strrchr(stat, ')');

			if (l && r && r > l) {
				snprintf(comm, sizeof(comm), "%.*s", (int)(r - l - 1), l + 1);
				state = r[1] == ' ' ? r[2] : '?';
			}
		}
		kterr_free(se);
		len += (size_t)snprintf(out + len, size - len, "%s%s (%s, state %c, in %s)",
					len ? ", " : "", t, comm, state, wchan[0] ? wchan : "-");
	}
}

static struct kterr *set_frozen(const struct wire_msg *req, bool freeze)
{
	char path[CGROUP_PATH_MAX];
	struct kterr *e = need_cgroup(req, "cgroup", path);

	if (!e)
		e = cg_write(path, "cgroup.freeze", freeze ? "1" : "0");
	if (e || !freeze)
		return e;
	/* The freeze is asynchronous; it is done when every task parked. The
	 * kernel says so on cgroup.events: poll(2) wakes with POLLPRI when
	 * the file changes, once this open file has read it. Without the
	 * file, a 10 ms nap. */
	struct kt_wait w;
	char evpath[CGROUP_PATH_MAX + 16];
	int fd;

	snprintf(evpath, sizeof(evpath), "%s/cgroup.events", path);
	fd = open(evpath, O_RDONLY | O_CLOEXEC);
	kt_wait_begin(&w, KT_LIM_FREEZE, "%s to report frozen", path);
	while (fd >= 0 ? fd_events_field(fd, "frozen") != 1 : events_field(path, "frozen") != 1) {
		if (kt_wait_expired(&w)) {
			char unparked[1024];

			if (fd >= 0)
				close(fd);
			not_parked(path, unparked, sizeof(unparked));
			kt_wait_seen(&w, "not parked: %s", unparked[0] ? unparked : "(none found)");
			return kt_wait_error(&w, "a task in D state or in a kernel loop cannot "
					     "park; see /proc/PID/stack in the guest");
		}
		if (fd >= 0) {
			struct pollfd p = { .fd = fd, .events = POLLPRI };

			poll(&p, 1, kt_wait_nap_ms(&w, 100));
		} else {
			usleep(kt_wait_nap_ms(&w, 10) * 1000);
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static struct kterr *op_freeze(struct agent *a, const struct wire_msg *req, struct wire_buf *r)
{
	return set_frozen(req, true);
}

static struct kterr *op_unfreeze(struct agent *a, const struct wire_msg *req, struct wire_buf *r)
{
	return set_frozen(req, false);
}

static struct kterr *op_capture_procs(struct agent *a, const struct wire_msg *req,
				      struct wire_buf *reply)
{
	char path[CGROUP_PATH_MAX], buf[65536];
	const char *name = wire_get(req, "cgroup");
	struct kterr *e = agent_cgroup_path(name, path, sizeof(path));

	if (!e)
		e = cg_read(path, "cgroup.procs", buf, sizeof(buf));
	if (e)
		return kterr_hint(e, "cgroup %s must exist: add-cgroup it first", name ? name : "");
	static int32_t pids[WIRE_MAX_RECS];
	size_t n = 0;
	char *p = buf, *end;

	for (; n < WIRE_MAX_RECS; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		pids[n++] = (int32_t)v;
	}
	if (strtol(p, &end, 10), end != p)
		return kterr_new(E2BIG, "cgroup %s holds more than %d processes, more than one "
				 "reply carries", name ? name : "", WIRE_MAX_RECS);
	wire_put_pids(reply, "pids", pids, n);
	return NULL;
}

static struct kterr *op_query_cgroup(struct agent *a, const struct wire_msg *req,
				     struct wire_buf *reply)
{
	char path[CGROUP_PATH_MAX], cpus[1024] = "";
	struct kterr *e = need_cgroup(req, "cgroup", path);

	if (e)
		return e;
	wire_put_i64(reply, "frozen", events_field(path, "frozen"));
	wire_put_i64(reply, "populated", events_field(path, "populated"));
	e = cg_read(path, "cpuset.cpus.effective", cpus, sizeof(cpus));
	kterr_free(e);
	wire_put_str(reply, "cpus", cpus);
	return NULL;
}

static struct kterr *op_query_sched(struct agent *a, const struct wire_msg *req,
				    struct wire_buf *reply)
{
	char st[32], ops[64] = "";

	agent_scx_state(st, sizeof(st));
	kterr_free(agent_read_file("/sys/kernel/sched_ext/root/ops", ops, sizeof(ops)));
	wire_put_str(reply, "state", st);
	wire_put_str(reply, "ops", ops);
	return NULL;
}

const struct agent_op agent_cgroup_ops[] = {
	{ "add-cgroup", op_add_cgroup },
	{ "add-cgroup-def", op_add_cgroup_def },
	{ "remove-cgroup", op_remove_cgroup },
	{ "set-cpuset", op_set_cpuset },
	{ "clear-cpuset", op_clear_cpuset },
	{ "swap-cpusets", op_swap_cpusets },
	{ "freeze-cgroup", op_freeze },
	{ "unfreeze-cgroup", op_unfreeze },
	{ "capture-cgroup-procs", op_capture_procs },
	{ "query-cgroup", op_query_cgroup },
	{ "query-sched", op_query_sched },
	{ NULL, NULL },
};
