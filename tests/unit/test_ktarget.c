/* test_ktarget.c - kernel targets, widths and values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "engine/ktarget.h"

static void test_targets_with_cpu_offset_and_address(void **state)
{
	struct kt_ktarget t;
	char buf[64];

	assert_null(kt_ktarget_parse("runqueues@3+0x10", &t));
	assert_string_equal(t.symbol, "runqueues");
	assert_int_equal(t.cpu, 3);
	assert_int_equal(t.offset, 16);
	assert_string_equal(kt_ktarget_format(&t, buf, sizeof(buf)), "runqueues@3+16");
	assert_null(kt_ktarget_parse("0xffffffff81000000", &t));
	assert_string_equal(t.symbol, "");
	assert_int_equal(t.addr, 0xffffffff81000000ULL);
	for (const char *const *b = (const char *const[]){ "", "@1", "sym@", "sym+", "sym@x",
							 "0xzz", "a b", NULL }; *b; b++) {
		struct kterr *e = kt_ktarget_parse(*b, &t);

		if (!e)
			fail_msg("'%s' should be rejected", *b);
		kterr_free(e);
	}
}

static void test_values_fit_their_width(void **state)
{
	struct kt_kwidth w;
	struct kt_kvalue v;
	struct kterr *e;
	char buf[32];

	assert_null(kt_kwidth_parse("u16", &w));
	assert_null(kt_kvalue_parse("65535", w, &v));
	e = kt_kvalue_parse("65536", w, &v);
	assert_true(kterr_contains(e, "does not fit in 16 bits"));
	kterr_free(e);
	assert_null(kt_kwidth_parse("bytes:3", &w));
	assert_null(kt_kvalue_parse("0xa0b0c0", w, &v));
	assert_int_equal(v.bytes[2], 0xc0);
	assert_string_equal(kt_kvalue_format(&v, buf, sizeof(buf)), "a0b0c0");
	e = kt_kwidth_parse("bytes:0", &w);
	assert_non_null(e);
	kterr_free(e);
}

static void test_numbers_are_decimal_or_hex_never_octal(void **state)
{
	uint64_t u;
	int64_t i;

	assert_true(kt_parse_u64("010", &u));
	assert_int_equal(u, 10);
	assert_true(kt_parse_u64("0x10", &u));
	assert_int_equal(u, 16);
	assert_true(kt_parse_i64("-9", &i));
	assert_int_equal(i, -9);
	assert_false(kt_parse_u64("-1", &u));
	assert_false(kt_parse_u64("12abc", &u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets_with_cpu_offset_and_address),
		cmocka_unit_test(test_values_fit_their_width),
		cmocka_unit_test(test_numbers_are_decimal_or_hex_never_octal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
