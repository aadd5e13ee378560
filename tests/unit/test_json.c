/* test_json.c - the strict JSON parser: values, escapes, limits, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/json.h"

static struct json_doc *parse_ok(const char *s)
{
	struct json_doc *d = NULL;
	struct kterr *e = json_parse(s, strlen(s), NULL, &d);

	if (e) {
		char buf[256];

		fail_msg("parse of %s failed: %s", s, kterr_str(e, buf, sizeof(buf)));
	}
	return d;
}

/* The parse fails with an error that contains want. */
static void parse_bad(const char *s, size_t len, const char *want)
{
	struct json_doc *d = (struct json_doc *)1;
	struct kterr *e = json_parse(s, len, NULL, &d);
	char buf[256];

	if (!e)
		fail_msg("parse of \"%.*s\" succeeded", (int)len, s);
	assert_null(d);
	if (!kterr_contains(e, want))
		fail_msg("\"%.*s\": error \"%s\" lacks \"%s\"", (int)len, s,
			 kterr_str(e, buf, sizeof(buf)), want);
	kterr_free(e);
}

static void test_parses_a_qmp_reply(void **state)
{
	struct json_doc *d = parse_ok("{\"return\": {\"status\": \"running\", \"singlestep\": false, "
				      "\"running\": true}, \"id\": 7}\r\n");
	const struct json *ret = json_get(d->root, "return");
	const char *st;
	bool running;
	int64_t id;

	assert_non_null(ret);
	assert_null(json_get_str(ret, "status", &st));
	assert_string_equal(st, "running");
	assert_null(json_get_bool(ret, "running", &running));
	assert_true(running);
	assert_null(json_get_int(d->root, "id", &id));
	assert_int_equal(id, 7);
	assert_null(json_get(ret, "nope"));
	assert_null(json_get(json_get(ret, "nope"), "deeper"));
	json_doc_free(d);
}

static void test_scalars_and_arrays(void **state)
{
	struct json_doc *d = parse_ok("[null, true, false, 0, -0, 1.5e3, -2E-2, \"\", [], {}]");
	const struct json *a = d->root;

	assert_int_equal(a->arr.n, 10);
	assert_int_equal(json_at(a, 0)->type, JSON_NULL);
	assert_true(json_at(a, 1)->b);
	assert_false(json_at(a, 2)->b);
	assert_int_equal(json_at(a, 3)->type, JSON_INT);
	assert_int_equal(json_at(a, 4)->num.i, 0);
	assert_int_equal(json_at(a, 5)->type, JSON_DOUBLE);
	assert_true(json_at(a, 5)->d == 1500.0);
	assert_true(json_at(a, 6)->d == -0.02);
	assert_int_equal(json_at(a, 7)->str.len, 0);
	assert_int_equal(json_at(a, 8)->arr.n, 0);
	assert_int_equal(json_at(a, 9)->obj.n, 0);
	assert_null(json_at(a, 10));
	json_doc_free(d);
}

static void test_integers_stay_exact_to_uint64(void **state)
{
	struct json_doc *d = parse_ok("{\"min\": -9223372036854775808, \"max\": 9223372036854775807,"
				      " \"u\": 18446744073709551615, \"over\": 18446744073709551616,"
				      " \"neg_over\": -9223372036854775809}");
	int64_t i;
	uint64_t u;
	double x;

	assert_null(json_get_int(d->root, "min", &i));
	assert_true(i == INT64_MIN);
	assert_null(json_get_int(d->root, "max", &i));
	assert_true(i == INT64_MAX);
	assert_null(json_get_u64(d->root, "u", &u));
	assert_true(u == UINT64_MAX);
	/* uint64 beyond int64 is not an int64 */
	struct kterr *e = json_get_int(d->root, "u", &i);

	assert_non_null(e);
	assert_true(kterr_contains(e, "does not fit int64"));
	kterr_free(e);
	e = json_get_u64(d->root, "min", &u);
	assert_true(kterr_contains(e, "negative"));
	kterr_free(e);
	assert_int_equal(json_get(d->root, "over")->type, JSON_DOUBLE);
	assert_int_equal(json_get(d->root, "neg_over")->type, JSON_DOUBLE);
	assert_null(json_get_double(d->root, "max", &x));
	json_doc_free(d);
}

static void test_string_escapes_and_unicode(void **state)
{
	struct json_doc *d = parse_ok("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac"
				      "\\ud83d\\ude00\\u0000z\"");
	const struct json *s = d->root;
	const char want[] = "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z";

	assert_int_equal(s->str.len, sizeof(want) - 1);
	assert_memory_equal(s->str.s, want, sizeof(want) - 1);
	json_doc_free(d);

	d = parse_ok("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	assert_string_equal(json_str(d->root), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	json_doc_free(d);
}

static void test_rejects_what_rfc8259_rejects(void **state)
{
	static const struct {
		const char *in;
		const char *why;
	} cases[] = {
		{ "", "byte 0: expected a value" },
		{ "[1,]", "byte 3: expected a value" },
		{ "{\"a\":1,}", "byte 7: expected a string key" },
		{ "{'a':1}", "byte 1: expected a string key" },
		{ "{\"a\" 1}", "byte 5: expected ':'" },
		{ "[1 2]", "byte 3: expected ',' or ']'" },
		{ "01", "byte 0: leading zero" },
		{ "-", "byte 1: expected a digit" },
		{ "1.", "byte 2: expected a digit after '.'" },
		{ "1e", "byte 2: expected a digit in the exponent" },
		{ "+1", "byte 0: expected a value" },
		{ "tru", "byte 0: expected a value" },
		{ "nul", "byte 0: expected a value" },
		{ "\"abc", "byte 0: unterminated string" },
		{ "\"a\tb\"", "byte 2: control byte 0x09" },
		{ "\"\\x\"", "byte 2: invalid escape" },
		{ "\"\\u12g4\"", "byte 5: expected a hex digit" },
		{ "\"\\udc00\"", "lone low surrogate" },
		{ "\"\\ud800\"", "without a low one" },
		{ "\"\\ud800\\u0041\"", "expected a low surrogate" },
		{ "\"\xc0\xaf\"", "byte 1: invalid UTF-8" },		/* overlong '/' */
		{ "\"\xed\xa0\x80\"", "byte 1: invalid UTF-8" },	/* surrogate */
		{ "\"\xf4\x90\x80\x80\"", "invalid UTF-8" },		/* > U+10FFFF */
		{ "\"\xe2\x82\"", "invalid UTF-8" },			/* truncated */
		{ "{\"a\":1,\"a\":2}", "duplicate key \"a\"" },
		{ "{} x", "byte 3: trailing 'x'" },
		{ "1e999", "number out of range" },
		{ "[1] // c", "trailing '/'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_bad(cases[i].in, strlen(cases[i].in), cases[i].why);
}

static void test_nul_byte_outside_a_string_is_an_error(void **state)
{
	parse_bad("[1,\0 2]", 7, "byte 3");
}

static void test_depth_limit(void **state)
{
	char deep[200];
	struct json_limits lim = { .max_depth = 8 };
	struct json_doc *d;
	struct kterr *e;

	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	e = json_parse(deep, 200, &lim, &d);
	assert_non_null(e);
	assert_int_equal(kterr_errno_of(e), E2BIG);
	assert_true(kterr_contains(e, "nesting deeper than 8"));
	kterr_free(e);
	/* 8 levels are fine */
	assert_null(json_parse("[[[[[[[[]]]]]]]]", 16, &lim, &d));
	json_doc_free(d);
	/* the default limit holds without any lim */
	char *huge = malloc(20000);

	memset(huge, '[', 10000);
	memset(huge + 10000, ']', 10000);
	e = json_parse(huge, 20000, NULL, &d);
	assert_true(kterr_contains(e, "nesting deeper than"));
	kterr_free(e);
	free(huge);
}

static void test_size_and_node_limits(void **state)
{
	struct json_limits bytes = { .max_bytes = 4 }, nodes = { .max_nodes = 3 };
	struct json_doc *d;
	struct kterr *e;

	e = json_parse("[1,2]", 5, &bytes, &d);
	assert_true(kterr_contains(e, "more than the limit of 4"));
	kterr_free(e);
	e = json_parse("[1,2,3]", 7, &nodes, &d);
	assert_true(kterr_contains(e, "more than 3 values"));
	kterr_free(e);
	assert_null(json_parse("[1,2]", 5, &nodes, &d));
	json_doc_free(d);
}

static void test_typed_getters_name_key_and_type(void **state)
{
	struct json_doc *d = parse_ok("{\"n\": 1, \"s\": \"x\", \"a\": [], \"o\": {}}");
	const struct json *v;
	const char *s;
	struct kterr *e;
	bool b;

	e = json_get_str(d->root, "n", &s);
	assert_true(kterr_contains(e, "member \"n\" is integer, expected string"));
	kterr_free(e);
	e = json_get_bool(d->root, "missing", &b);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "no member \"missing\""));
	kterr_free(e);
	e = json_get_str(json_get(d->root, "a"), "k", &s);
	assert_true(kterr_contains(e, "not an object"));
	kterr_free(e);
	assert_null(json_get_array(d->root, "a", &v));
	assert_null(json_get_object(d->root, "o", &v));
	assert_null(json_str(json_get(d->root, "n")));
	json_doc_free(d);
}

static void test_quote_round_trips(void **state)
{
	const char *raw = "info \"regs\"\\\n\t\x01 caf\xc3\xa9";
	char *q = json_quote(raw);
	struct json_doc *d = parse_ok(q);

	assert_string_equal(json_str(d->root), raw);
	assert_null(strchr(q, '\n'));
	json_doc_free(d);
	free(q);
}

static void test_large_array_is_linear_not_quadratic(void **state)
{
	/* 100k members with distinct keys: the duplicate check sorts. */
	size_t n = 100000, i, off = 0;
	char *buf = malloc(n * 16 + 4);
	struct json_doc *d;

	buf[off++] = '{';
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(buf + off, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	buf[off++] = '}';
	assert_null(json_parse(buf, off, NULL, &d));
	assert_int_equal(d->root->obj.n, n);
	assert_int_equal(json_get(d->root, "k99999")->num.i, 99999);
	json_doc_free(d);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_a_qmp_reply),
		cmocka_unit_test(test_scalars_and_arrays),
		cmocka_unit_test(test_integers_stay_exact_to_uint64),
		cmocka_unit_test(test_string_escapes_and_unicode),
		cmocka_unit_test(test_rejects_what_rfc8259_rejects),
		cmocka_unit_test(test_nul_byte_outside_a_string_is_an_error),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_size_and_node_limits),
		cmocka_unit_test(test_typed_getters_name_key_and_type),
		cmocka_unit_test(test_quote_round_trips),
		cmocka_unit_test(test_large_array_is_linear_not_quadratic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
