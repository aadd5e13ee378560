/*
 * test_kjson.c - ktcon's JSON through json-c: the one writer keeps every
 * document valid UTF-8 whatever bytes it is given (a task's comm from guest
 * memory), and the one reader is as strict as RFC 8259 where it matters to
 * QMP and the browser.
 */
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

static struct json_object *parse_ok(const char *s, size_t len)
{
	struct json_object *v = NULL;
	struct kterr *e = kjson_parse(s, len, &v);

	if (e) {
		char buf[256];

		fail_msg("parse of %.*s failed: %s", (int)len, s, kterr_str(e, buf, sizeof(buf)));
	}
	return v;
}

/* The parse fails, and the error contains want. */
static void parse_bad(const char *s, size_t len, const char *want)
{
	struct json_object *v = (struct json_object *)1;
	struct kterr *e = kjson_parse(s, len, &v);
	char buf[256];

	if (!e)
		fail_msg("parse of \"%.*s\" succeeded", (int)len, s);
	assert_null(v);
	assert_int_equal(kterr_errno_of(e), EINVAL);
	if (!kterr_contains(e, want))
		fail_msg("\"%.*s\": error \"%s\" lacks \"%s\"", (int)len, s,
			 kterr_str(e, buf, sizeof(buf)), want);
	kterr_free(e);
}

/* What kt_json_string writes for s[0..n), malloc'd. */
static char *written(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kt_json_stringn(f, s, n);
	fclose(f);
	return buf;
}

#define R "\xef\xbf\xbd"	/* U+FFFD */

/* A task's comm as the kernel keeps it: 16 bytes the task chose, read from
 * guest memory. Before json-c, the results/snapshot escaper copied bytes
 * >= 0x80 as they were, and the snapshot could not be parsed back. */
static void test_a_comm_with_invalid_utf8_stays_valid_json(void **state)
{
	static const char comm[] = "kw\xff\xfe-\xc3(\xe2\x82\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80z";
	char *out = written(comm, sizeof(comm) - 1);
	struct json_object *v;

	/* each byte that starts no well-formed sequence is one U+FFFD */
	assert_string_equal(out, "\"kw" R R "-" R "(" R R R R R R R R R R R "z\"");
	v = parse_ok(out, strlen(out));
	assert_true(json_object_is_type(v, json_type_string));
	json_object_put(v);
	free(out);

	/* in a document, as a snapshot writes it */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fputs("{\"runqueues\": [{\"cpu\": 0, \"curr.comm\": ", f);
	kt_json_string(f, "\x80\x81\x82\x83");
	fputs("}]}", f);
	fclose(f);
	v = parse_ok(buf, len);
	json_object_put(v);
	free(buf);
}

static void test_valid_utf8_and_escapes_are_kept(void **state)
{
	char *out = written("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14);

	assert_string_equal(out, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	free(out);
	out = written("a\"b\\c/d\n\t\x01", 10);
	assert_string_equal(out, "\"a\\\"b\\\\c/d\\n\\t\\u0001\"");
	free(out);
	/* a NUL inside the bytes is escaped, not a truncation */
	out = written("a\0b", 3);
	assert_string_equal(out, "\"a\\u0000b\"");
	free(out);
}

static void test_utf8_repair_alone(void **state)
{
	size_t n;
	char *s = kjson_utf8("ok\xe2\x82", 4, &n);	/* truncated at the end */

	assert_string_equal(s, "ok\xef\xbf\xbd\xef\xbf\xbd");
	assert_int_equal(n, 8);
	free(s);
	s = kjson_utf8("", 0, &n);
	assert_string_equal(s, "");
	free(s);
}

static void test_parses_a_qmp_reply_with_exact_integers(void **state)
{
	static const char in[] = "{\"return\": {\"status\": \"running\", \"running\": true,"
				 " \"min\": -9223372036854775808, \"u\": 18446744073709551615,"
				 " \"x\": 1.5}, \"id\": 7}";
	struct json_object *v = parse_ok(in, sizeof(in) - 1), *r;
	const char *s;
	int64_t i;
	bool b;

	assert_null(kjson_member(v, "return", json_type_object, &r));
	assert_null(kjson_member_str(r, "status", &s));
	assert_string_equal(s, "running");
	assert_null(kjson_member_bool(r, "running", &b));
	assert_true(b);
	assert_null(kjson_member_int(r, "min", &i));
	assert_true(i == INT64_MIN);
	/* a u64 past INT64_MAX (a DSQ id in a snapshot) stays exact */
	assert_true(json_object_get_uint64(json_object_object_get(r, "u")) == UINT64_MAX);
	assert_null(kjson_member_int(v, "id", &i));
	assert_int_equal(i, 7);
	json_object_put(v);
}

static void test_members_name_key_and_type(void **state)
{
	struct json_object *v = parse_ok("{\"a\": \"s\"}", 10);
	const char *s;
	int64_t i;
	struct kterr *e = kjson_member_int(v, "a", &i);

	assert_true(kterr_contains(e, "member \"a\" is string, expected integer"));
	kterr_free(e);
	e = kjson_member_str(v, "b", &s);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "no member \"b\""));
	kterr_free(e);
	e = kjson_member_str(NULL, "b", &s);
	assert_true(kterr_contains(e, "in null, not an object"));
	kterr_free(e);
	json_object_put(v);
	/* a member that is null is there, and says so */
	v = parse_ok("{\"a\": null}", 11);
	e = kjson_member_str(v, "a", &s);
	assert_true(kterr_contains(e, "member \"a\" is null, expected string"));
	kterr_free(e);
	json_object_put(v);
}

static void test_rejects_what_rfc8259_rejects(void **state)
{
	static const char *const bad[] = {
		"", "[1,]", "{\"a\":1,}", "['a']", "{\"a\" 1}", "[1 2]", "01", "-",
		"+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12g4\"",
		"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"",
		"\"\xff\"", "{} x", "[1] // c", "/* c */ 1", "[nan]",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_bad(bad[i], strlen(bad[i]), "json: byte ");
	/* where it went wrong */
	parse_bad("{,}", 3, "byte 1");
	parse_bad("{\"a\":", 5, "byte 5");
	parse_bad("{} x", 4, "byte 3");
	/* overlong '/', a surrogate, past U+10FFFF: json-c alone lets them by */
	parse_bad("\"\xc0\xaf\"", 4, "byte 1: invalid UTF-8 (0xc0)");
	parse_bad("[\"ok\", \"\xed\xa0\x80\"]", 11, "byte 8: invalid UTF-8");
	parse_bad("\"\xf4\x90\x80\x80\"", 6, "byte 1: invalid UTF-8");
}

static void test_nul_bytes_outside_a_string_are_errors(void **state)
{
	parse_bad("[1,\0 2]", 7, "byte 3");
	parse_bad("[1]\0", 4, "byte 3: unexpected bytes after the value");
}

static void test_depth_limit(void **state)
{
	char deep[2 * KJSON_MAX_DEPTH + 8];
	size_t n;

	for (n = 0; n < KJSON_MAX_DEPTH; n++)
		deep[n] = '[';
	for (size_t k = 0; k < KJSON_MAX_DEPTH; k++)
		deep[n++] = ']';
	json_object_put(parse_ok(deep, n));
	memmove(deep + 1, deep, n);
	deep[0] = '[';
	deep[++n] = ']';
	parse_bad(deep, n + 1, "json: byte ");
}

/* A snapshot is built as a tree with these: exact u64, hex strings, a
 * fixed number whose value is its text's, a NULL as JSON null. */
static void test_tree_builders(void **state)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	(void)state;
	kjson_add(o, "big", kjson_u64(18446744073709551615ull));
	kjson_add(o, "small", kjson_u64(7));
	kjson_add(o, "neg", kjson_i64(-1));
	kjson_add(o, "rip", kjson_hex(0xffffffff81000000ull));
	kjson_add(o, "us", kjson_fixed(682.134, 1));
	kjson_add(o, "none", NULL);
	kjson_push(a, NULL);
	kjson_add(o, "a", a);
	kjson_add(NULL, "dropped", kjson_u64(1));	/* freed, not leaked */
	assert_string_equal(kjson_text(o), "{\"big\":18446744073709551615,\"small\":7,"
			    "\"neg\":-1,\"rip\":\"0xffffffff81000000\",\"us\":682.1,"
			    "\"none\":null,\"a\":[null]}");
	assert_true(json_object_get_double(kjson_get(o, "us")) == 682.1);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_builders),
		cmocka_unit_test(test_a_comm_with_invalid_utf8_stays_valid_json),
		cmocka_unit_test(test_valid_utf8_and_escapes_are_kept),
		cmocka_unit_test(test_utf8_repair_alone),
		cmocka_unit_test(test_parses_a_qmp_reply_with_exact_integers),
		cmocka_unit_test(test_members_name_key_and_type),
		cmocka_unit_test(test_rejects_what_rfc8259_rejects),
		cmocka_unit_test(test_nul_bytes_outside_a_string_are_errors),
		cmocka_unit_test(test_depth_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
