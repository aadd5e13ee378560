/*
 * test_kbtf.c - BTF lookups and rendering over types the test builds with
 * libbpf's writer: member paths through nested and anonymous structs,
 * bitfields, atomic_t-like structs as numbers, enum names, JSON of a
 * struct with arrays, text and pointers, a DATASEC's variables by name.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/kjson.h"
#include "vmm/intro/kbtf.h"

/* Types, as a kernel would have them:
 *   struct dsq { u32 lock; u32 pad; u32 nr; };
 *   struct scx_rq { struct dsq local_dsq; u32 nr_running; u32 flags:3, kick:5; };
 *   typedef struct { int counter; } atomic_t;
 *   enum state { S_ENABLING, S_ENABLED, S_DISABLED = 7 };
 *   struct rq { u32 nr_running; union { struct task *curr; u64 curr_raw; };
 *               struct scx_rq scx; atomic_t seq; const volatile enum state st;
 *               char comm[8]; u16 hist[3]; };
 */
struct types {
	struct btf *btf;
	int u16, u32, u64, s32, chr, rq, scx_rq, atomic, state;
};

static void build(struct types *t)
{
	struct btf *b = btf__new_empty();
	int dsq, anon, task, ptr, cvol, arr_c, arr_h, at_s, vol;

	assert_non_null(b);
	t->btf = b;
	t->u16 = btf__add_int(b, "u16", 2, 0);
	t->u32 = btf__add_int(b, "u32", 4, 0);
	t->u64 = btf__add_int(b, "u64", 8, 0);
	t->s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t->chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);

	dsq = btf__add_struct(b, "dsq", 12);
	btf__add_field(b, "lock", t->u32, 0, 0);
	btf__add_field(b, "pad", t->u32, 32, 0);
	btf__add_field(b, "nr", t->u32, 64, 0);

	t->scx_rq = btf__add_struct(b, "scx_rq", 20);
	btf__add_field(b, "local_dsq", dsq, 0, 0);
	btf__add_field(b, "nr_running", t->u32, 96, 0);
	btf__add_field(b, "flags", t->u32, 128, 3);
	btf__add_field(b, "kick", t->u32, 131, 5);

	at_s = btf__add_struct(b, NULL, 4);
	btf__add_field(b, "counter", t->s32, 0, 0);
	t->atomic = btf__add_typedef(b, "atomic_t", at_s);

	t->state = btf__add_enum(b, "state", 4);
	btf__add_enum_value(b, "S_ENABLING", 0);
	btf__add_enum_value(b, "S_ENABLED", 1);
	btf__add_enum_value(b, "S_DISABLED", 7);

	task = btf__add_struct(b, "task", 8);
	btf__add_field(b, "pid", t->s32, 0, 0);
	ptr = btf__add_ptr(b, task);
	anon = btf__add_union(b, NULL, 8);
	btf__add_field(b, "curr", ptr, 0, 0);
	btf__add_field(b, "curr_raw", t->u64, 0, 0);
	vol = btf__add_volatile(b, t->state);
	cvol = btf__add_const(b, vol);
	arr_c = btf__add_array(b, t->u32, t->chr, 8);
	arr_h = btf__add_array(b, t->u32, t->u16, 3);

	/* offsets: nr_running 0, anon 8, scx 16 (20 bytes), seq 36, st 40,
	 * comm 44, hist 52; size 58 -> 64 */
	t->rq = btf__add_struct(b, "rq", 64);
	btf__add_field(b, "nr_running", t->u32, 0, 0);
	btf__add_field(b, NULL, anon, 64, 0);
	btf__add_field(b, "scx", t->scx_rq, 128, 0);
	btf__add_field(b, "seq", t->atomic, 288, 0);
	btf__add_field(b, "st", cvol, 320, 0);
	btf__add_field(b, "comm", arr_c, 352, 0);
	btf__add_field(b, "hist", arr_h, 416, 0);
}

static void test_member_paths_through_nested_and_anonymous(void **state)
{
	struct types t;
	struct kbtf_field f;
	uint32_t id;

	(void)state;
	build(&t);
	assert_null(kbtf_struct(t.btf, "rq", &id));
	assert_int_equal(id, t.rq);
	assert_null(kbtf_member(t.btf, id, "scx.local_dsq.nr", &f));
	assert_int_equal(f.offset, 16 + 8);
	assert_int_equal(f.size, 4);
	assert_null(kbtf_member(t.btf, id, "scx.nr_running", &f));
	assert_int_equal(f.offset, 16 + 12);
	/* curr is in an anonymous union at 8 */
	assert_null(kbtf_member(t.btf, id, "curr", &f));
	assert_int_equal(f.offset, 8);
	assert_int_equal(f.size, 8);
	assert_null(kbtf_member(t.btf, id, "curr_raw", &f));
	assert_int_equal(f.offset, 8);
	btf__free(t.btf);
}

static void test_member_errors_name_the_struct(void **state)
{
	struct types t;
	struct kbtf_field f;
	struct kterr *e;
	uint32_t id;

	(void)state;
	build(&t);
	e = kbtf_member(t.btf, t.rq, "scx.local_dsq.depth", &f);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "struct dsq has no member 'depth'"));
	kterr_free(e);
	e = kbtf_struct(t.btf, "scx_sched", &id);
	assert_true(kterr_contains(e, "no struct scx_sched"));
	kterr_free(e);
	e = kbtf_member(t.btf, t.rq, "scx.flags.x", &f);
	assert_true(kterr_contains(e, "bitfield"));
	kterr_free(e);
	btf__free(t.btf);
}

static void test_bitfields_come_with_their_word(void **state)
{
	struct types t;
	struct kbtf_field f;

	(void)state;
	build(&t);
	assert_null(kbtf_member(t.btf, t.rq, "scx.kick", &f));
	/* bit 128+131 = 259 from rq: word at byte 32, bit 3 */
	assert_int_equal(f.bit_size, 5);
	assert_int_equal(f.offset, 32);
	assert_int_equal(f.bit_offset, 3);
	btf__free(t.btf);
}

static void test_scalars_atomics_enums_through_modifiers(void **state)
{
	struct types t;
	struct kbtf_field f;
	struct kbtf_scalar s;
	uint8_t b[4] = { 0xfe, 0xff, 0xff, 0xff };

	(void)state;
	build(&t);
	assert_null(kbtf_member(t.btf, t.rq, "seq", &f));
	assert_true(kbtf_scalar(t.btf, f.type_id, &s));	/* atomic_t is an int */
	assert_int_equal(s.size, 4);
	assert_true(s.is_signed);
	assert_int_equal((int64_t)kbtf_load(b, 4, true), -2);
	assert_int_equal(kbtf_load(b, 4, false), 0xfffffffe);
	assert_null(kbtf_member(t.btf, t.rq, "st", &f));	/* const volatile enum */
	assert_true(kbtf_scalar(t.btf, f.type_id, &s));
	assert_int_not_equal(s.enum_id, 0);
	assert_string_equal(kbtf_enum_name(t.btf, s.enum_id, 7), "S_DISABLED");
	assert_null(kbtf_enum_name(t.btf, s.enum_id, 5));
	int64_t v;
	assert_true(kbtf_enum_value(t.btf, "S_ENABLED", &v));
	assert_int_equal(v, 1);
	assert_false(kbtf_enum_value(t.btf, "S_NOPE", &v));
	/* a struct of several members is not a number */
	assert_false(kbtf_scalar(t.btf, t.scx_rq, &s));
	assert_null(kbtf_member(t.btf, t.rq, "curr", &f));
	assert_true(kbtf_scalar(t.btf, f.type_id, &s));
	assert_true(s.is_ptr);
	btf__free(t.btf);
}

/* The tree kbtf builds, as the text it leaves the process as (malloc'd). */
static char *render(const struct btf *btf, uint32_t id, const void *data, size_t size,
		    unsigned depth, unsigned max_elems)
{
	struct json_object *v = kbtf_to_json(btf, id, data, size, depth, max_elems);
	char *text = strdup(v ? kjson_text(v) : "null");

	json_object_put(v);
	return text;
}

static void test_json_renders_by_type(void **state)
{
	struct types t;
	uint8_t rq[64] = { 0 };
	char *out = NULL;

	(void)state;
	build(&t);
	rq[0] = 3;				/* nr_running */
	rq[8] = 0x40; rq[15] = 0xff;		/* curr */
	rq[16 + 8] = 2;				/* scx.local_dsq.nr */
	rq[32] = 0x5 | (0x3 << 3);		/* flags 5, kick 3 */
	memset(rq + 36, 0xff, 4);		/* seq -1 */
	rq[40] = 1;				/* S_ENABLED */
	memcpy(rq + 44, "qmap\0\0\0\0", 8);
	rq[52] = 1; rq[54] = 2; rq[56] = 3;
	out = render(t.btf, t.rq, rq, sizeof(rq), 4, 2);
	assert_string_equal(out,
		"{\"nr_running\":3,\"(anon)\":{\"curr\":\"0xff00000000000040\","
		"\"curr_raw\":18374686479671623744},\"scx\":{\"local_dsq\":{\"lock\":0,"
		"\"pad\":0,\"nr\":2},\"nr_running\":0,\"flags\":5,\"kick\":3},"
		"\"seq\":-1,\"st\":\"S_ENABLED\",\"comm\":\"qmap\","
		"\"hist\":[1,2,\"... 1 more\"]}");
	/* it parses back, the u64 past INT64_MAX exact (the browser reads it) */
	struct json_object *doc, *anon;

	assert_null(kjson_parse(out, strlen(out), &doc));
	assert_null(kjson_member(doc, "(anon)", json_type_object, &anon));
	assert_true(json_object_get_uint64(json_object_object_get(anon, "curr_raw")) ==
		    18374686479671623744ull);
	json_object_put(doc);
	free(out);
	/* a comm from guest memory that is not UTF-8: each bad byte becomes
	 * U+FFFD and the snapshot stays valid JSON (it used to be '?') */
	memcpy(rq + 44, "q\xffm\xe2\x82\x01\0\0", 8);
	out = render(t.btf, t.rq, rq, sizeof(rq), 4, 2);
	assert_non_null(strstr(out, "\"comm\":\"q\xef\xbf\xbdm\xef\xbf\xbd\xef\xbf\xbd\\u0001\""));
	assert_null(kjson_parse(out, strlen(out), &doc));
	json_object_put(doc);
	free(out);
	/* too little data: null, never a read past the end */
	out = render(t.btf, t.rq, rq, 10, 4, 2);
	assert_string_equal(out, "null");
	free(out);
	btf__free(t.btf);
}

/* A BPF program's .bss as libbpf lays it out: a DATASEC of VARs. */
static void test_datasec_vars_by_name_and_as_json(void **state)
{
	struct types t;
	struct kbtf_secvar v;
	uint8_t bss[24] = { 0 };
	char *out = NULL;
	int sec, nr, onln, name, arr;

	(void)state;
	build(&t);
	nr = btf__add_var(t.btf, "nr_enqueued", BTF_VAR_GLOBAL_ALLOCATED, t.u64);
	onln = btf__add_var(t.btf, "nr_cpus_onln", BTF_VAR_GLOBAL_ALLOCATED, t.s32);
	arr = btf__add_array(t.btf, t.u32, t.chr, 8);
	name = btf__add_var(t.btf, "tag", BTF_VAR_STATIC, arr);
	sec = btf__add_datasec(t.btf, ".bss", 24);
	btf__add_datasec_var_info(t.btf, nr, 0, 8);
	btf__add_datasec_var_info(t.btf, onln, 8, 4);
	btf__add_datasec_var_info(t.btf, name, 12, 8);
	bss[0] = 42;
	bss[8] = 2;
	memcpy(bss + 12, "qmap", 5);

	assert_true(kbtf_datasec_var(t.btf, sec, "nr_cpus_onln", &v));
	assert_int_equal(v.offset, 8);
	assert_int_equal(v.size, 4);
	assert_false(kbtf_datasec_var(t.btf, sec, "nr_dispatched", &v));
	assert_false(kbtf_datasec_var(t.btf, t.rq, "nr_running", &v));	/* not a DATASEC */

	out = render(t.btf, sec, bss, sizeof(bss), 4, 8);
	assert_string_equal(out, "{\"nr_enqueued\":42,\"nr_cpus_onln\":2,\"tag\":\"qmap\"}");
	free(out);
	/* a short section leaves out what does not fit */
	out = render(t.btf, sec, bss, 12, 4, 8);
	assert_string_equal(out, "{\"nr_enqueued\":42,\"nr_cpus_onln\":2}");
	free(out);
	btf__free(t.btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_paths_through_nested_and_anonymous),
		cmocka_unit_test(test_member_errors_name_the_struct),
		cmocka_unit_test(test_bitfields_come_with_their_word),
		cmocka_unit_test(test_scalars_atomics_enums_through_modifiers),
		cmocka_unit_test(test_json_renders_by_type),
		cmocka_unit_test(test_datasec_vars_by_name_and_as_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
