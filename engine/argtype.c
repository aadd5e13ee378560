/* argtype.c - the argument types of form.h: metavar, syntax check, choices. */
#include "engine/form.h"

#include <stdlib.h>
#include <string.h>

#include "lib/cgroup-name.h"
#include "lib/cpuset.h"
#include "lib/limits.h"
#include "engine/hold.h"
#include "engine/ktarget.h"
#include "lib/util.h"
#include "lib/work.h"

/* For completion; the spelling rules are lib/work.c's. */
static const char *const work_choices[] = {
	"spin", "yield", "mixed", "io-sync", "bursty", "bursty:BURST_MS/SLEEP_MS",
	"pipe-pingpong", "futex-pingpong", "cache-pressure", "sleep", "sleep:MS", "fork-exit",
	"page-fault-churn", NULL,
};

static const char *const policy_choices[] = {
	"normal", "batch", "idle", "fifo:PRIO", "rr:PRIO", NULL,
};

static const char *const affinity_choices[] = {
	"inherit", "random-subset", "llc-aligned", "cross-cgroup", "single-cpu", "exact:LIST", NULL,
};

static const char *const width_choices[] = { "u8", "u16", "u32", "u64", "bytes:N", NULL };
static const char *const cmp_choices[] = { "==", "!=", "<", "<=", ">", ">=", NULL };
static const char *const bool_choices[] = { "0", "1", NULL };
static const char *const state_choices[] = { "enabled", "disabled", NULL };
static const char *const check_choices[] = { "progress", "isolation", "fairness<=RATIO", NULL };
static const char *const var_choices[] = { "var", NULL };
static const char *const kernel_choices[] = { "default", NULL };

static bool in_list(const char *const *list, const char *v)
{
	for (; *list; list++)
		if (!strcmp(*list, v))
			return true;
	return false;
}

static struct kterr *check_any(const char *v)
{
	return NULL;
}

static struct kterr *check_name(const char *v)
{
	/* Empty is a rule of the op that needs the name (validators), so
	 * that `expect error` can catch it; here only the spelling, the same
	 * rule the guest agent applies. */
	return kt_cgroup_name_check(v);
}

static struct kterr *check_cg_or_runner(const char *v)
{
	if (!strcmp(v, "@runner"))
		return NULL;
	if (v[0] == '@')
		return kterr_hint(kterr_new(0, "unknown placement '%s'", v),
				  "write @runner for the runner's own cgroup, or a cgroup name");
	return check_name(v);
}

static struct kterr *check_tag(const char *v)
{
	if (strpbrk(v, " \t\n"))
		return kterr_hint(kterr_new(0, "bad tag '%s'", v),
				  "a tag is one word (letters, digits, _-.)");
	return NULL;
}

static struct kterr *check_uint(const char *v)
{
	uint64_t u;

	if (!kt_parse_u64(v, &u))
		return kterr_hint(kterr_new(0, "'%s' is not a number", v),
				  "write a whole number such as 4");
	if (u > 0xffffffffULL)
		return kterr_hint(kterr_new(0, "'%s' is too large", v),
				  "write a number below 2^32");
	return NULL;
}

static struct kterr *check_int(const char *v)
{
	int64_t i;

	if (!kt_parse_i64(v, &i))
		return kterr_hint(kterr_new(0, "'%s' is not a number", v),
				  "write a whole number such as -1, 0 or 42");
	return NULL;
}

static struct kterr *check_cpu(const char *v)
{
	uint64_t u;

	if (!kt_parse_u64(v, &u) || u >= KT_GUEST_MAX_CPUS)
		return kterr_hint(kterr_new(0, "'%s' is not a CPU number", v),
				  "write a CPU number 0..%d (the guest kernel has at most %d CPUs)",
				  KT_GUEST_MAX_CPUS - 1, KT_GUEST_MAX_CPUS);
	return NULL;
}

static struct kterr *check_choice(const char *v, const char *const *list, const char *what)
{
	char all[256] = "";

	if (in_list(list, v))
		return NULL;
	for (size_t i = 0; list[i]; i++) {
		strncat(all, i ? ", " : "", sizeof(all) - strlen(all) - 1);
		strncat(all, list[i], sizeof(all) - strlen(all) - 1);
	}
	return kterr_hint(kterr_new(0, "unknown %s '%s'", what, v), "write one of %s", all);
}

static struct kterr *check_cpuset(const char *v)
{
	return kt_cpuset_spec_check(v);
}

static struct kterr *check_work(const char *v)
{
	struct kt_work w;

	return kt_work_parse(v, &w);
}

static struct kterr *check_policy(const char *v)
{
	struct kt_policy p;

	return kt_policy_parse(v, &p);
}

static struct kterr *check_affinity(const char *v)
{
	struct kt_cpuset s;
	struct kterr *e;

	if (!strncmp(v, "exact:", 6)) {
		e = kt_cpulist_parse(v + 6, &s);
		return e ? kterr_hint(kterr_wrap(e, "affinity '%s'", v),
				      "write exact:LIST with a CPU list, e.g. exact:0-1,4") : NULL;
	}
	if (!strcmp(v, "exact:LIST"))
		return check_choice("", affinity_choices, "affinity");
	return check_choice(v, affinity_choices, "affinity");
}

static struct kterr *check_target(const char *v)
{
	struct kt_ktarget t;

	return kt_ktarget_parse(v, &t);
}

static struct kterr *check_width(const char *v)
{
	struct kt_kwidth w;

	return kt_kwidth_parse(v, &w);
}

static struct kterr *check_symbol(const char *v)
{
	struct kt_ktarget t;

	struct kterr *e = kt_ktarget_parse(v, &t);

	if (!e && t.symbol[0] && t.cpu < 0 && !t.offset)
		return NULL;
	kterr_free(e);
	return kterr_hint(kterr_new(0, "bad symbol '%s'", v),
			  "write a vmlinux symbol as `nm vmlinux` prints it, e.g. jiffies_64");
}

static struct kterr *check_duration(const char *v)
{
	uint64_t ns;

	return kt_duration_parse(v, &ns);
}

static struct kterr *check_hold(const char *v)
{
	struct kt_hold h;

	return kt_hold_parse(v, &h);
}

static struct kterr *check_path(const char *v)
{
	if (!*v)
		return kterr_hint(kterr_new(0, "empty path"), "write the path of the binary");
	return NULL;
}

static struct kterr *check_kernel(const char *v)
{
	return check_path(v);
}

/* The vm line's topology: well formed, and what the guest can be given. */
static struct kterr *check_topology(const char *v)
{
	struct kt_topology t;
	struct kterr *e = kt_topology_parse(v, &t);

	if (e)
		return e;
	if (t.numa > KT_GUEST_MAX_NUMA)
		return kterr_hint(kterr_new(0, "topology '%s': %u NUMA nodes", v, t.numa),
				  "the microvm machine cannot describe NUMA to the guest (no ACPI "
				  "SRAT): use one node; LLCs, cores and threads are supported");
	if (kt_topology_cpus(&t) > KT_GUEST_MAX_CPUS)
		return kterr_hint(kterr_new(0, "topology '%s' is %u CPUs", v, kt_topology_cpus(&t)),
				  "the guest kernel is built with CONFIG_NR_CPUS=%d", KT_GUEST_MAX_CPUS);
	return NULL;
}

static struct kterr *check_cmpop(const char *v)
{
	return check_choice(v, cmp_choices, "comparison");
}

static struct kterr *check_bool01(const char *v)
{
	return check_choice(v, bool_choices, "value (0 or 1)");
}

static struct kterr *check_state(const char *v)
{
	return check_choice(v, state_choices, "scheduler state");
}

/* fairness<=RATIO: the largest worker runtime over the smallest. */
static struct kterr *check_worker_check(const char *v)
{
	char *end;
	double r;

	if (!strncmp(v, "fairness<=", 10)) {
		r = strtod(v + 10, &end);
		if (v[10] && !*end && r >= 1.0)
			return NULL;
		return kterr_hint(kterr_new(0, "bad fairness bound '%s'", v),
				  "write fairness<=RATIO with RATIO >= 1, e.g. fairness<=1.5");
	}
	if (!strcmp(v, "fairness<=RATIO"))
		return check_choice("", check_choices, "worker check");
	return check_choice(v, check_choices, "worker check");
}

static struct kterr *check_var(const char *v)
{
	return check_choice(v, var_choices, "word");
}

static struct kterr *check_value(const char *v)
{
	uint64_t u;
	int64_t i;

	if (kt_parse_u64(v, &u) || kt_parse_i64(v, &i))
		return NULL;
	/* Wider than 64 bits: the hex bytes of a bytes:N read. */
	if (!strncmp(v, "0x", 2) && v[2] && strspn(v + 2, "0123456789abcdefABCDEF") == strlen(v + 2))
		return NULL;
	return kterr_hint(kterr_new(0, "bad value '%s'", v),
			  "write a number (42, -1, 0x2a) or, for bytes:N reads, 0x and the hex bytes");
}

static struct kterr *check_max_or(const char *v, struct kterr *(*num)(const char *), const char *eg)
{
	struct kterr *e;

	if (!strcmp(v, "max"))
		return NULL;
	e = num(v);
	if (!e)
		return NULL;
	kterr_free(e);
	return kterr_hint(kterr_new(0, "bad limit '%s'", v), "write max or %s", eg);
}

/* One microsecond count of cpu.max within [lo, hi]. */
static struct kterr *check_us(const char *v, const char *what, uint64_t lo, uint64_t hi)
{
	uint64_t u;

	if (!kt_parse_u64(v, &u))
		return kterr_hint(kterr_new(0, "bad cpu.max %s '%s'", what, v),
				  "write max or QUOTA[/PERIOD] in microseconds, e.g. 50000/100000");
	if (u < lo || u > hi)
		return kterr_hint(kterr_new(0, "cpu.max %s %s is out of range %llu..%llu", what, v,
					    (unsigned long long)lo, (unsigned long long)hi),
				  "cgroup v2 takes a period of 1000..1000000 us and a quota of at "
				  "least 1000 us");
	return NULL;
}

/* cpu.max: QUOTA or QUOTA/PERIOD in microseconds, as cgroup v2 takes it
 * ("QUOTA PERIOD" there; the slash keeps it one word); QUOTA may be max. */
static struct kterr *check_cpumax(const char *v)
{
	const char *slash = strchr(v, '/');
	char q[32];
	struct kterr *e;

	if (!slash)
		return strcmp(v, "max") ? check_us(v, "quota", KT_CG_CPU_QUOTA_MIN_US, UINT32_MAX)
					: NULL;
	if ((size_t)(slash - v) >= sizeof(q))
		return check_us(v, "quota", 0, 0);
	memcpy(q, v, slash - v);
	q[slash - v] = '\0';
	e = strcmp(q, "max") ? check_us(q, "quota", KT_CG_CPU_QUOTA_MIN_US, UINT32_MAX) : NULL;
	return e ? e : check_us(slash + 1, "period", KT_CG_CPU_PERIOD_MIN_US,
				KT_CG_CPU_PERIOD_MAX_US);
}

/* BYTES[K|M|G], as memory.max takes it: any size that fits 64 bits. */
static struct kterr *check_memnum(const char *v)
{
	static const char suffix[] = "KMGkmg";
	char buf[32];
	size_t n = strlen(v);
	const char *s;
	uint64_t u;
	unsigned shift = 0;

	if (!n || n >= sizeof(buf))
		return kterr_new(0, "bad size");
	memcpy(buf, v, n + 1);
	if ((s = strchr(suffix, buf[n - 1])) && buf[n - 1]) {
		shift = 10 * (1 + (unsigned)(s - suffix) % 3);
		buf[n - 1] = '\0';
	}
	if (!kt_parse_u64(buf, &u) || (shift && u >> (64 - shift)))
		return kterr_new(0, "bad size");
	return NULL;
}

static struct kterr *check_memmax(const char *v)
{
	return check_max_or(v, check_memnum, "a size such as 512M");
}

static struct kterr *check_maxuint(const char *v)
{
	return check_max_or(v, check_uint, "a number such as 64");
}

const struct kt_range kt_range_vm_cpus = {
	1, KT_GUEST_MAX_CPUS, "the guest kernel is built with CONFIG_NR_CPUS=64",
};
const struct kt_range kt_range_vm_memory = {
	KT_GUEST_MIN_MEMORY_MIB, KT_GUEST_MAX_MEMORY_MIB,
	"in MiB: the guest needs 128 to boot, and its RAM is shared memory of that size (an anonymous memfd)",
};
const struct kt_range kt_range_spawn_workers = {
	1, KT_MAX_WORKERS, "the agent forks them all before any starts",
};
const struct kt_range kt_range_def_workers = {
	0, KT_MAX_WORKERS, "0 is none; the agent forks them all before any starts",
};
const struct kt_range kt_range_workers_pct = {
	1, KT_MAX_WORKERS_PCT, "percent of the cgroup's CPUs: ten workers a CPU at most",
};
const struct kt_range kt_range_cg_weight = {
	KT_CG_WEIGHT_MIN, KT_CG_WEIGHT_MAX, "cgroup v2's range; the kernel's default is 100",
};
const struct kt_range kt_range_pids_max = {
	0, KT_CG_PIDS_MAX, "cgroup v2 takes up to PID_MAX_LIMIT; max is no limit",
};
const struct kt_range kt_range_irq = {
	0, KT_GUEST_NR_IRQS - 1, "the guest kernel's NR_IRQS is 16640",
};

const struct kt_argtype_def kt_argtypes[KT_T__COUNT] = {
	[KT_T_NAME] = { "NAME", check_name, NULL },
	[KT_T_CGROUP_OR_RUNNER] = { "CGROUP|@runner", check_cg_or_runner, NULL },
	[KT_T_TAG] = { "TAG", check_tag, NULL },
	[KT_T_STRING] = { "TEXT", check_any, NULL },
	[KT_T_UINT] = { "N", check_uint, NULL },
	[KT_T_CPU] = { "CPU", check_cpu, NULL },
	[KT_T_CPUSET] = { "SPEC", check_cpuset, NULL },
	[KT_T_WORK] = { "TYPE", check_work, work_choices },
	[KT_T_POLICY] = { "POLICY", check_policy, policy_choices },
	[KT_T_AFFINITY] = { "KIND", check_affinity, affinity_choices },
	[KT_T_TARGET] = { "TARGET", check_target, NULL },
	[KT_T_WIDTH] = { "WIDTH", check_width, width_choices },
	[KT_T_SYMBOL] = { "SYMBOL", check_symbol, NULL },
	[KT_T_DURATION] = { "TIME", check_duration, NULL },
	[KT_T_HOLD] = { "HOLD", check_hold, NULL },
	[KT_T_PATH] = { "PATH", check_path, NULL },
	[KT_T_KERNEL] = { "default|X.Y|PATH", check_kernel, kernel_choices },
	[KT_T_TOPOLOGY] = { "NUMA,LLCS,CORES,THREADS", check_topology, NULL },
	[KT_T_CMPOP] = { "OP", check_cmpop, cmp_choices },
	[KT_T_BOOL01] = { "0|1", check_bool01, bool_choices },
	[KT_T_SCHED_STATE] = { "enabled|disabled", check_state, state_choices },
	[KT_T_WORKER_CHECK] = { "progress|isolation|fairness<=RATIO", check_worker_check,
				check_choices },
	[KT_T_VAR] = { "var", check_var, var_choices },
	[KT_T_VALUE] = { "VALUE", check_value, NULL },
	[KT_T_INT] = { "N", check_int, NULL },
	[KT_T_CPUMAX] = { "max|QUOTA[/PERIOD]", check_cpumax, NULL },
	[KT_T_MEMMAX] = { "max|BYTES", check_memmax, NULL },
	[KT_T_MAXUINT] = { "max|N", check_maxuint, NULL },
	[KT_T_FLAG] = { "", check_any, NULL },
};
