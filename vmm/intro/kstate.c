/* kstate.c - runqueues and sched_ext globals from guest memory; see kstate.h. */
#include "vmm/intro/kstate.h"

#include <bpf/btf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/results.h"
#include "lib/util.h"
#include "vmm/intro/kbtf.h"
#include "lib/kjson.h"

#define WHY_MAX 192

static const char *const rq_names[KRQ_N] = {
	[KRQ_NR_RUNNING] = "nr_running",
	[KRQ_NR_SWITCHES] = "nr_switches",
	[KRQ_CLOCK] = "clock",
	[KRQ_SCX_NR_RUNNING] = "scx.nr_running",
	[KRQ_SCX_LOCAL_DSQ_NR] = "scx.local_dsq.nr",
	[KRQ_SCX_FLAGS] = "scx.flags",
	[KRQ_CURR_PID] = "curr.pid",
};

static const char *const scx_names[KSCX_N] = {
	[KSCX_STATE] = "state",
	[KSCX_OPS] = "ops",
	[KSCX_NR_REJECTED] = "nr_rejected",
	[KSCX_ENABLE_SEQ] = "enable_seq",
	[KSCX_BYPASS_DEPTH] = "bypass_depth",
	[KSCX_EXIT_KIND] = "exit_kind",
	[KSCX_SWITCHING_ALL] = "switching_all",
	[KSCX_WATCHDOG_TIMEOUT] = "watchdog_timeout",
};

/* Where each sched_ext global lives, by kernel release; the first source
 * this kernel has wins. type/member: the value is a member of the struct
 * the symbol is (or points to, deref). */
static const struct scx_src {
	enum kstate_scx_field field;
	const char *sym;
	const char *type;
	const char *member;
	bool deref;
	const char *enum_type;
} scx_srcs[] = {
	{ KSCX_STATE, "scx_ops_enable_state_var", NULL, NULL, false, "scx_ops_enable_state" },
	{ KSCX_STATE, "scx_enable_state_var", NULL, NULL, false, "scx_enable_state" },
	{ KSCX_OPS, "scx_ops", "sched_ext_ops", "name", false, NULL },
	{ KSCX_OPS, "scx_root", "scx_sched", "ops.name", true, NULL },
	{ KSCX_NR_REJECTED, "scx_nr_rejected", NULL, NULL, false, NULL },
	{ KSCX_ENABLE_SEQ, "scx_enable_seq", NULL, NULL, false, NULL },
	{ KSCX_BYPASS_DEPTH, "scx_ops_bypass_depth", NULL, NULL, false, NULL },
	{ KSCX_BYPASS_DEPTH, "scx_bypass_depth", NULL, NULL, false, NULL },
	{ KSCX_BYPASS_DEPTH, "scx_root", "scx_sched", "bypass_depth", true, NULL },
	{ KSCX_EXIT_KIND, "scx_exit_kind", NULL, NULL, false, "scx_exit_kind" },
	{ KSCX_EXIT_KIND, "scx_root", "scx_sched", "exit_kind", true, "scx_exit_kind" },
	{ KSCX_SWITCHING_ALL, "scx_switching_all", NULL, NULL, false, NULL },
	{ KSCX_WATCHDOG_TIMEOUT, "scx_watchdog_timeout", NULL, NULL, false, NULL },
	{ KSCX_WATCHDOG_TIMEOUT, "scx_root", "scx_sched", "watchdog_timeout", true, NULL },
};

struct rq_plan {
	bool present;
	char why[WHY_MAX];
	uint64_t off;		/* in struct rq; KRQ_CURR_PID: in task_struct */
	struct kbtf_scalar sc;
};

struct scx_plan {
	bool present;
	char why[WHY_MAX];
	uint64_t va;		/* the symbol */
	bool deref;
	uint64_t off;		/* of the value, from the symbol or the pointee */
	uint32_t size;
	bool is_signed;
	uint32_t text_len;	/* > 0: a char array */
	uint32_t enum_id;
	const struct scx_src *src;	/* which source this kernel has */
};

struct kstate_plan {
	const struct btf *btf;
	uint64_t runqueues;	/* per-CPU offset */
	uint64_t curr_off, comm_off;
	bool have_curr, have_comm;
	struct rq_plan rq[KRQ_N];
	struct scx_plan scx[KSCX_N];
};

const char *kstate_rq_name(enum kstate_rq_field f)
{
	return f < KRQ_N ? rq_names[f] : "?";
}

const char *kstate_scx_name(enum kstate_scx_field f)
{
	return f < KSCX_N ? scx_names[f] : "?";
}

const char *kstate_rq_absent(const struct kstate_plan *p, enum kstate_rq_field f)
{
	return p->rq[f].present ? NULL : p->rq[f].why;
}

const char *kstate_scx_absent(const struct kstate_plan *p, enum kstate_scx_field f)
{
	return p->scx[f].present ? NULL : p->scx[f].why;
}

static void plan_rq(struct kstate_plan *p, uint32_t rq_id, uint32_t task_id)
{
	static const char *const paths[KRQ_N] = {
		[KRQ_NR_RUNNING] = "nr_running", [KRQ_NR_SWITCHES] = "nr_switches",
		[KRQ_CLOCK] = "clock", [KRQ_SCX_NR_RUNNING] = "scx.nr_running",
		[KRQ_SCX_LOCAL_DSQ_NR] = "scx.local_dsq.nr", [KRQ_SCX_FLAGS] = "scx.flags",
	};
	struct kbtf_field fl;
	struct kterr *e;

	for (int i = 0; i < KRQ_N; i++) {
		struct rq_plan *r = &p->rq[i];

		if (i == KRQ_CURR_PID) {
			e = task_id ? kbtf_member(p->btf, task_id, "pid", &fl)
				    : kterr_new(ENOENT, "no struct task_struct in the BTF");
		} else {
			e = kbtf_member(p->btf, rq_id, paths[i], &fl);
		}
		if (!e && (fl.bit_size || !kbtf_scalar(p->btf, fl.type_id, &r->sc)))
			e = kterr_new(EINVAL, "%s is not a plain number", paths[i]);
		if (e) {
			kterr_str(e, r->why, sizeof(r->why));
			kterr_free(e);
			continue;
		}
		r->off = fl.offset;
		r->present = true;
	}
	if (!(e = kbtf_member(p->btf, rq_id, "curr", &fl))) {
		p->curr_off = fl.offset;
		p->have_curr = true;
	}
	kterr_free(e);
	if (!p->have_curr) {
		p->rq[KRQ_CURR_PID].present = false;
		snprintf(p->rq[KRQ_CURR_PID].why, WHY_MAX, "struct rq has no member curr");
	}
	if (task_id && !(e = kbtf_member(p->btf, task_id, "comm", &fl))) {
		p->comm_off = fl.offset;
		p->have_comm = true;
	}
	kterr_free(e);
}

/* One source for a field: fills sp and returns true when this kernel has it. */
static bool plan_src(struct kstate_plan *p, const struct ksyms *ks, const struct scx_src *src,
		     struct scx_plan *sp, char *why, size_t why_size)
{
	const struct ksym *s = ksyms_find(ks, src->sym);

	memset(sp, 0, sizeof(*sp));
	if (!s || s->percpu) {
		snprintf(why, why_size, "no symbol %s", src->sym);
		return false;
	}
	sp->va = s->addr;
	sp->deref = src->deref;
	if (src->member) {
		struct kbtf_field fl;
		struct kbtf_scalar sc;
		uint32_t id;
		struct kterr *e = kbtf_struct(p->btf, src->type, &id);

		if (!e)
			e = kbtf_member(p->btf, id, src->member, &fl);
		if (e) {
			kterr_str(e, why, why_size);
			kterr_free(e);
			return false;
		}
		sp->off = fl.offset;
		if (kbtf_is_char_array(p->btf, fl.type_id, &sp->text_len)) {
			sp->size = sp->text_len;
		} else if (!fl.bit_size && kbtf_scalar(p->btf, fl.type_id, &sc)) {
			sp->size = sc.size;
			sp->is_signed = sc.is_signed;
			sp->enum_id = sc.enum_id;
		} else {
			snprintf(why, why_size, "%s.%s is neither text nor a number", src->type,
				 src->member);
			return false;
		}
	} else {
		if (s->size != 1 && s->size != 2 && s->size != 4 && s->size != 8) {
			snprintf(why, why_size, "%s is %" PRIu64 " bytes, not a number", src->sym,
				 s->size);
			return false;
		}
		sp->size = (uint32_t)s->size;
		sp->is_signed = s->size >= 4;	/* int, atomic_t, long: counters */
	}
	if (src->enum_type && !sp->enum_id) {
		int32_t id = btf__find_by_name_kind(p->btf, src->enum_type, BTF_KIND_ENUM);

		if (id <= 0)
			id = btf__find_by_name_kind(p->btf, src->enum_type, BTF_KIND_ENUM64);
		sp->enum_id = id > 0 ? (uint32_t)id : 0;
	}
	sp->src = src;
	sp->present = true;
	return true;
}

static void plan_scx(struct kstate_plan *p, const struct ksyms *ks)
{
	for (int f = 0; f < KSCX_N; f++) {
		struct scx_plan *sp = &p->scx[f];
		char why[WHY_MAX] = "", one[WHY_MAX];

		for (size_t i = 0; i < ARRAY_SIZE(scx_srcs) && !sp->present; i++) {
			if (scx_srcs[i].field != (enum kstate_scx_field)f)
				continue;
			if (plan_src(p, ks, &scx_srcs[i], sp, one, sizeof(one)))
				break;
			size_t n = strlen(why);

			if (n + 2 + strlen(one) < sizeof(why))
				sprintf(why + n, "%s%s", n ? "; " : "", one);
		}
		if (!sp->present)
			snprintf(sp->why, sizeof(sp->why), "%s", why);
	}
}

struct kterr *kstate_plan_new(const struct ksyms *ks, const struct btf *btf,
			      struct kstate_plan **out)
{
	struct kstate_plan *p = calloc(1, sizeof(*p));
	const struct ksym *rq = ksyms_find(ks, "runqueues");
	uint32_t rq_id = 0, task_id = 0;
	struct kterr *e;

	*out = NULL;
	if (!p)
		return kterr_new(ENOMEM, "kernel state plan");
	p->btf = btf;
	if (!rq || !rq->percpu) {
		free(p);
		return kterr_new(ENOENT, "no per-CPU runqueues in %s", ksyms_path(ks));
	}
	p->runqueues = rq->addr;
	if ((e = kbtf_struct(btf, "rq", &rq_id))) {
		free(p);
		return kterr_wrap(e, "kernel state");
	}
	kterr_free(kbtf_struct(btf, "task_struct", &task_id));
	plan_rq(p, rq_id, task_id);
	plan_scx(p, ks);
	*out = p;
	return NULL;
}

void kstate_plan_free(struct kstate_plan *p)
{
	free(p);
}

static void read_scx(const struct kstate_plan *p, const struct kmem *km, int f,
		     struct kstate_val *v)
{
	const struct scx_plan *sp = &p->scx[f];
	uint64_t base = sp->va;
	uint8_t buf[KSTATE_TEXT_MAX];
	struct kterr *e = NULL;

	memset(v, 0, sizeof(*v));
	if (!sp->present)
		return;
	if (sp->deref) {
		e = kmem_read_uint(km, sp->va, 8, &base);
		if (!e && !base) {	/* no scheduler: nothing behind the pointer */
			v->present = true;
			return;
		}
	}
	if (!e && sp->text_len) {
		uint32_t n = sp->text_len < sizeof(buf) - 1 ? sp->text_len : sizeof(buf) - 1;

		e = kmem_read(km, base + sp->off, buf, n);
		if (!e) {
			buf[n] = '\0';
			snprintf(v->text, sizeof(v->text), "%s", (char *)buf);
		}
	} else if (!e) {
		e = kmem_read(km, base + sp->off, buf, sp->size);
		if (!e) {
			v->v = kbtf_load(buf, sp->size, sp->is_signed);
			v->is_signed = sp->is_signed;
			if (sp->enum_id)
				v->vname = kbtf_enum_name(p->btf, sp->enum_id, (int64_t)v->v);
		}
	}
	v->present = !e;
	kterr_free(e);
}

static void read_cpu(const struct kstate_plan *p, const struct kmem *km, unsigned cpu,
		     struct kstate_cpu *c)
{
	uint64_t rq, curr = 0;
	uint8_t buf[8];
	struct kterr *e = kmem_percpu(km, p->runqueues, cpu, &rq);

	memset(c, 0, sizeof(*c));
	if (e) {
		kterr_free(e);
		return;
	}
	if (p->have_curr && (e = kmem_read_uint(km, rq + p->curr_off, 8, &curr))) {
		kterr_free(e);
		curr = 0;
	}
	for (int i = 0; i < KRQ_N; i++) {
		const struct rq_plan *r = &p->rq[i];
		uint64_t at = i == KRQ_CURR_PID ? curr + r->off : rq + r->off;

		if (!r->present || (i == KRQ_CURR_PID && !curr))
			continue;
		e = kmem_read(km, at, buf, r->sc.size);
		if (e) {
			kterr_free(e);
			continue;
		}
		c->f[i].present = true;
		c->f[i].is_signed = r->sc.is_signed;
		c->f[i].v = kbtf_load(buf, r->sc.size, r->sc.is_signed);
	}
	if (curr && p->have_comm) {
		e = kmem_read(km, curr + p->comm_off, c->curr_comm, sizeof(c->curr_comm) - 1);
		if (e)
			c->curr_comm[0] = '\0';
		kterr_free(e);
		c->curr_comm[sizeof(c->curr_comm) - 1] = '\0';
	}
}

struct kterr *kstate_read(const struct kstate_plan *p, const struct kmem *km, struct kstate *out)
{
	unsigned n = 0;
	struct kterr *e = kmem_nr_cpu_ids(km, &n);

	memset(out, 0, sizeof(*out));
	if (e)
		return kterr_wrap(e, "kernel state");
	out->ncpus = n < KSTATE_MAX_CPUS ? n : KSTATE_MAX_CPUS;
	for (unsigned cpu = 0; cpu < out->ncpus; cpu++)
		read_cpu(p, km, cpu, &out->cpu[cpu]);
	for (int f = 0; f < KSCX_N; f++)
		read_scx(p, km, f, &out->scx[f]);
	return NULL;
}

static struct json_object *json_val(const struct kstate_val *v, bool text)
{
	if (!v->present)
		return NULL;
	if (text)
		return kjson_string(v->text);
	if (v->vname)
		return kjson_string(v->vname);
	if (v->is_signed)
		return kjson_i64((int64_t)v->v);
	return kjson_u64(v->v);
}

static struct json_object *json_runqueues(const struct kstate_plan *p, const struct kstate *s)
{
	struct json_object *arr = json_object_new_array();

	for (unsigned cpu = 0; arr && cpu < s->ncpus; cpu++) {
		const struct kstate_cpu *c = &s->cpu[cpu];
		struct json_object *o = json_object_new_object();

		kjson_add(o, "cpu", kjson_u64(cpu));
		for (int i = 0; i < KRQ_N; i++)
			if (p->rq[i].present)
				kjson_add(o, rq_names[i], json_val(&c->f[i], false));
		if (p->have_comm)
			kjson_add(o, "curr.comm", kjson_string(c->curr_comm));
		kjson_push(arr, o);
	}
	return arr;
}

/* Why each absent value is absent. */
static struct json_object *json_absent(const struct kstate_plan *p)
{
	struct json_object *o = json_object_new_object();
	char key[64];

	for (int i = 0; i < KSCX_N; i++)
		if (!p->scx[i].present)
			kjson_add(o, scx_names[i], kjson_string(p->scx[i].why));
	for (int i = 0; i < KRQ_N; i++) {
		if (p->rq[i].present)
			continue;
		snprintf(key, sizeof(key), "cpu.%s", rq_names[i]);
		kjson_add(o, key, kjson_string(p->rq[i].why));
	}
	return o;
}

/* Where each value was read, as this kernel's BTF laid it out: the same
 * name sits at different offsets (or behind scx_root) across releases. */
static struct json_object *json_layout(const struct kstate_plan *p)
{
	struct json_object *o = json_object_new_object();
	char key[64], where[128];

	for (int i = 0; i < KSCX_N; i++) {
		const struct scx_plan *sp = &p->scx[i];

		if (!sp->present)
			continue;
		if (sp->src->member)	/* scx_root->exit_kind at +N, scx_ops.name at +N */
			snprintf(where, sizeof(where), "%s%s%s at +%" PRIu64, sp->src->sym,
				 sp->deref ? "->" : ".", sp->src->member, sp->off);
		else
			snprintf(where, sizeof(where), "%s", sp->src->sym);
		kjson_add(o, scx_names[i], kjson_string(where));
	}
	for (int i = 0; i < KRQ_N; i++) {
		if (!p->rq[i].present)
			continue;
		snprintf(key, sizeof(key), "cpu.%s", rq_names[i]);
		snprintf(where, sizeof(where), "%s.%s at +%" PRIu64,
			 i == KRQ_CURR_PID ? "task_struct" : "rq",
			 i == KRQ_CURR_PID ? "pid" : rq_names[i], p->rq[i].off);
		kjson_add(o, key, kjson_string(where));
	}
	return o;
}

void kstate_to_json(struct json_object *snap, const struct kstate_plan *p, const struct kstate *s)
{
	struct json_object *scx = json_object_new_object();
	char key[64];

	kjson_add(snap, "runqueues", json_runqueues(p, s));
	for (int i = 0; i < KSCX_N; i++) {
		if (!p->scx[i].present)
			continue;
		kjson_add(scx, scx_names[i], json_val(&s->scx[i], p->scx[i].text_len > 0));
		if (s->scx[i].vname) {	/* the number too, for comparisons */
			snprintf(key, sizeof(key), "%s_value", scx_names[i]);
			kjson_add(scx, key, kjson_i64((int64_t)s->scx[i].v));
		}
	}
	kjson_add(scx, "absent", json_absent(p));
	kjson_add(scx, "layout", json_layout(p));
	kjson_add(snap, "sched_ext", scx);
}

bool kstate_var(const struct kstate_plan *p, const struct kstate *s, const char *name,
		uint64_t *v, const char **why)
{
	*why = NULL;
	if (!strncmp(name, "scx.", 4)) {
		for (int i = 0; i < KSCX_N; i++) {
			if (strcmp(name + 4, scx_names[i]))
				continue;
			if (!p->scx[i].present) {
				*why = p->scx[i].why;
			} else if (p->scx[i].text_len) {
				*why = "a text field (see the snapshot's JSON), not a number";
			} else if (!s->scx[i].present) {
				*why = "could not be read";
			} else {
				*v = s->scx[i].v;
			}
			return true;
		}
		return false;
	}
	if (!strncmp(name, "cpu", 3) && name[3] >= '0' && name[3] <= '9') {
		char *end;
		unsigned long cpu = strtoul(name + 3, &end, 10);

		if (*end != '.')
			return false;
		for (int i = 0; i < KRQ_N; i++) {
			if (strcmp(end + 1, rq_names[i]))
				continue;
			if (!p->rq[i].present)
				*why = p->rq[i].why;
			else if (cpu >= s->ncpus)
				*why = "no such CPU in the snapshot";
			else if (!s->cpu[cpu].f[i].present)
				*why = "could not be read";
			else
				*v = s->cpu[cpu].f[i].v;
			return true;
		}
	}
	return false;
}
