/*
 * test_jdiff.c - the diff of two JSON trees (lib/jdiff.h): the walk a
 * snapshot diff is drawn from and `ktcon diff` exits by. Same trees, a
 * changed scalar, a per-CPU array element changed, a member added and
 * removed, a type changed, and arrays matched by identity (a CPU, a map's
 * name), not by position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/jdiff.h"
#include "lib/kjson.h"
#include "lib/util.h"

static struct json_object *J(const char *text)
{
	struct json_object *v = NULL;
	struct kterr *e = kjson_parse(text, strlen(text), &v);

	if (e) {
		char buf[256];

		fail_msg("%s: %s", text, kterr_str(e, buf, sizeof(buf)));
	}
	return v;
}

/* What the walk said, one "kind path" line per entry that differs (and
 * only those: the visitor walks into containers that differ only). */
struct seen {
	char text[2048];
	size_t entries;
};

static bool collect(void *ctx, const struct jdiff_entry *e)
{
	struct seen *s = ctx;
	size_t len = strlen(s->text);

	s->entries++;
	if (e->kind != JDIFF_SAME && !(e->container && e->kind == JDIFF_CHANGED))
		snprintf(s->text + len, sizeof(s->text) - len, "%s %s\n",
			 jdiff_kind_name(e->kind), e->path);
	return e->kind != JDIFF_SAME;
}

static size_t diff(const char *a, const char *b, struct seen *s, struct jdiff_count *c)
{
	struct json_object *ja = J(a), *jb = J(b);
	size_t n;

	memset(s, 0, sizeof(*s));
	n = jdiff_walk(ja, jb, collect, s, c);
	json_object_put(ja);
	json_object_put(jb);
	return n;
}

static void test_same_trees_have_no_difference(void **state)
{
	const char *snap = "{\"runqueues\": [{\"cpu\": 0, \"nr_running\": 1}, {\"cpu\": 1, "
			   "\"nr_running\": 2}], \"sched_ext\": {\"state\": \"SCX_ENABLED\", "
			   "\"nr_rejected\": 0}, \"big\": 18446744073709551615, \"x\": null}";
	/* the same values, members in another order */
	const char *reordered = "{\"x\": null, \"big\": 18446744073709551615, \"sched_ext\": "
				"{\"nr_rejected\": 0, \"state\": \"SCX_ENABLED\"}, \"runqueues\": "
				"[{\"nr_running\": 1, \"cpu\": 0}, {\"cpu\": 1, \"nr_running\": 2}]}";
	struct jdiff_count c;
	struct seen s;

	(void)state;
	assert_int_equal(diff(snap, snap, &s, &c), 0);
	assert_string_equal(s.text, "");
	assert_int_equal(s.entries, 4);		/* the top level's members, none walked into */
	assert_int_equal(diff(snap, reordered, &s, &c), 0);
	assert_string_equal(s.text, "");
	struct json_object *x = J("[1, \"a\", true, null, 1.5]"), *y = J("[1, \"a\", true, null, 1.5]");

	assert_true(jdiff_equal(x, y));
	json_object_put(x);
	json_object_put(y);
}

static void test_changed_scalar_is_named_by_its_path(void **state)
{
	struct jdiff_count c;
	struct seen s;

	(void)state;
	assert_int_equal(diff("{\"sched_ext\": {\"state\": \"SCX_ENABLED\", \"nr_rejected\": 0}}",
			      "{\"sched_ext\": {\"state\": \"SCX_ENABLED\", \"nr_rejected\": 3}}",
			      &s, &c), 1);
	assert_string_equal(s.text, "changed sched_ext.nr_rejected\n");
	assert_int_equal(c.changed, 1);
	/* u64 past INT64_MAX: json-c's int64 saturates, the walk does not */
	assert_int_equal(diff("{\"v\": 18446744073709551615}", "{\"v\": 18446744073709551614}",
			      &s, &c), 1);
	assert_string_equal(s.text, "changed v\n");
	/* a string's bytes, and booleans */
	assert_int_equal(diff("[\"qmap\", true]", "[\"qmaq\", false]", &s, &c), 2);
	assert_string_equal(s.text, "changed [0]\nchanged [1]\n");
}

static void test_per_cpu_element_changed(void **state)
{
	/* a BPF per-CPU array: values_per_cpu[index][cpu] */
	const char *a = "{\"bpf_maps\": [{\"id\": 7, \"name\": \"stats\", \"values_per_cpu\": "
			"[[10, 20], [0, 0]]}]}";
	const char *b = "{\"bpf_maps\": [{\"id\": 7, \"name\": \"stats\", \"values_per_cpu\": "
			"[[10, 25], [0, 0]]}]}";
	struct jdiff_count c;
	struct seen s;

	(void)state;
	assert_int_equal(diff(a, b, &s, &c), 1);
	assert_string_equal(s.text, "changed bpf_maps[name=stats].values_per_cpu[0][1]\n");
	assert_int_equal(c.changed, 1);
	assert_int_equal(c.added + c.removed + c.retyped, 0);
}

static void test_key_added_and_removed(void **state)
{
	struct jdiff_count c;
	struct seen s;

	(void)state;
	assert_int_equal(diff("{\"a\": 1, \"gone\": {\"x\": 1, \"y\": 2}}",
			      "{\"a\": 1, \"new\": 5}", &s, &c), 2);
	/* a removed subtree counts once; its members follow as removed */
	assert_string_equal(s.text, "removed gone\nremoved gone.x\nremoved gone.y\nadded new\n");
	assert_int_equal(c.removed, 1);
	assert_int_equal(c.added, 1);
	/* a null member is there: null -> absent is a removal */
	assert_int_equal(diff("{\"n\": null}", "{}", &s, &c), 1);
	assert_string_equal(s.text, "removed n\n");
	/* an array grown by index */
	assert_int_equal(diff("[1, 2]", "[1, 2, 3]", &s, &c), 1);
	assert_string_equal(s.text, "added [2]\n");
}

static void test_type_changed(void **state)
{
	struct jdiff_count c;
	struct seen s;

	(void)state;
	assert_int_equal(diff("{\"v\": 1, \"o\": {\"k\": 1}}", "{\"v\": \"1\", \"o\": [1]}",
			      &s, &c), 2);
	assert_string_equal(s.text, "type changed v\ntype changed o\n");
	assert_int_equal(c.retyped, 2);
	/* two values that are not containers: one entry for the top */
	assert_int_equal(diff("1", "null", &s, &c), 1);
	assert_string_equal(s.text, "type changed \n");
}

static void test_arrays_matched_by_identity_not_position(void **state)
{
	/* a map added before the others: "bss" is still compared with "bss" */
	const char *a = "{\"bpf_maps\": [{\"id\": 4, \"name\": \"bss\", \"globals\": "
			"{\"nr_enqueued\": 10}}]}";
	const char *b = "{\"bpf_maps\": [{\"id\": 9, \"name\": \"dsq_map\"}, {\"id\": 4, "
			"\"name\": \"bss\", \"globals\": {\"nr_enqueued\": 12}}]}";
	/* two maps of one name: the name is no identity, the id is */
	const char *twice_a = "[{\"id\": 1, \"name\": \"bss\", \"v\": 1}, {\"id\": 2, \"name\": "
			      "\"bss\", \"v\": 2}]";
	const char *twice_b = "[{\"id\": 2, \"name\": \"bss\", \"v\": 3}, {\"id\": 1, \"name\": "
			      "\"bss\", \"v\": 1}]";
	struct jdiff_count c;
	struct seen s;

	(void)state;
	assert_int_equal(diff(a, b, &s, &c), 2);
	assert_string_equal(s.text, "changed bpf_maps[name=bss].globals.nr_enqueued\n"
			    "added bpf_maps[name=dsq_map]\nadded bpf_maps[name=dsq_map].id\n"
			    "added bpf_maps[name=dsq_map].name\n");
	assert_int_equal(diff(twice_a, twice_b, &s, &c), 1);
	assert_string_equal(s.text, "changed [id=2].v\n");
	/* runqueues by CPU */
	assert_int_equal(diff("[{\"cpu\": 0, \"n\": 1}, {\"cpu\": 1, \"n\": 1}]",
			      "[{\"cpu\": 1, \"n\": 2}, {\"cpu\": 0, \"n\": 1}]", &s, &c), 1);
	assert_string_equal(s.text, "changed [cpu=1].n\n");
}

/* The visitor sees every row in order with its depth: what the console's
 * side-by-side browser is built from. */
struct rows {
	char text[1024];
};

static bool all_rows(void *ctx, const struct jdiff_entry *e)
{
	struct rows *r = ctx;
	size_t len = strlen(r->text);

	snprintf(r->text + len, sizeof(r->text) - len, "%d %s %s%s\n", e->depth, e->key,
		 jdiff_kind_name(e->kind), e->container ? " {}" : "");
	return true;
}

static void test_walk_visits_the_union_in_order(void **state)
{
	struct json_object *a = J("{\"t\": 1, \"rq\": [{\"cpu\": 0, \"n\": 1}], \"x\": 2}");
	struct json_object *b = J("{\"t\": 1, \"rq\": [{\"cpu\": 0, \"n\": 3}], \"y\": 2}");
	struct rows r = { "" };

	(void)state;
	assert_int_equal(jdiff_walk(a, b, all_rows, &r, NULL), 3);
	assert_string_equal(r.text, "0 t same\n0 rq changed {}\n1 [cpu=0] changed {}\n"
			    "2 cpu same\n2 n changed\n0 x removed\n0 y added\n");
	json_object_put(a);
	json_object_put(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_trees_have_no_difference),
		cmocka_unit_test(test_changed_scalar_is_named_by_its_path),
		cmocka_unit_test(test_per_cpu_element_changed),
		cmocka_unit_test(test_key_added_and_removed),
		cmocka_unit_test(test_type_changed),
		cmocka_unit_test(test_arrays_matched_by_identity_not_position),
		cmocka_unit_test(test_walk_visits_the_union_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
