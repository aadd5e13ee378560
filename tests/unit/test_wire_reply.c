/* test_wire_reply.c - the agent's replies: an error chain crosses the wire
 * as frames and comes back the same chain (errno, hints, notes); malformed
 * frames are refused by name; a result lost for memory is an error, not a
 * bare "ok". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest/wire-reply.h"

static struct wire_msg *msg;

static int setup(void **state)
{
	msg = malloc(sizeof(*msg));
	return msg ? 0 : -1;
}

static int teardown(void **state)
{
	free(msg);
	return 0;
}

/* Decode a finished frame into msg. */
static void decode(struct wire_buf *b)
{
	size_t used;

	assert_true(wire_finish(b));
	assert_int_equal(wire_decode(b->data, b->len, msg, &used, NULL, 0), WIRE_OK);
}

static char *str(const struct kterr *e)
{
	char *s = kterr_strdup(e);

	assert_non_null(s);
	return s;
}

static void test_chain_crosses_whole(void **state)
{
	/* The second chain checks that a quiet errno stays quiet. */
	struct kterr *e = kterr_wrap(kterr_silent(ETIMEDOUT, "inner wait"), "outer");
	struct kterr *back;
	struct wire_buf b;
	char *want, *got;

	wire_buf_init(&b);
	{
		struct kterr *c = kterr_wrap(kterr_new(EEXIST, "mkdir /sys/fs/cgroup/ktcon/w"),
					     "add-cgroup w");

		c = kterr_note(kterr_hint(c, "remove it first"), "a note\nof two lines");
		c = kterr_wrap(c, "step 1");
		assert_true(wire_reply_build(&b, 9, "add-cgroup", c, NULL));
		decode(&b);
		assert_int_equal(msg->type, WIRE_OP_REPLY);
		assert_int_equal(msg->seq, 9);
		assert_null(wire_get(msg, "ok"));
		back = wire_get_error(msg);
		assert_non_null(back);
		want = str(c);
		got = str(back);
		assert_string_equal(got, want);
		assert_int_equal(kterr_errno_of(back), EEXIST);
		assert_string_equal(kterr_hint_of(back), "remove it first");
		for (size_t i = 0; i < 3; i++) {
			struct kterr_frame a, z;

			assert_true(kterr_frame_at(c, i, &a));
			assert_true(kterr_frame_at(back, i, &z));
			assert_string_equal(a.msg, z.msg);
			assert_int_equal(a.errnum, z.errnum);
			assert_int_equal(!a.hint, !z.hint);
			assert_int_equal(!a.notes, !z.notes);
		}
		assert_false(kterr_frame_at(back, 3, &(struct kterr_frame){ 0 }));
		free(want);
		free(got);
		kterr_free(back);
		kterr_free(c);
	}
	assert_true(wire_reply_build(&b, 10, "wait", e, NULL));
	decode(&b);
	back = wire_get_error(msg);
	want = str(e);
	got = str(back);
	assert_string_equal(got, want);
	assert_null(strstr(got, "timed out"));
	assert_int_equal(kterr_errno_of(back), ETIMEDOUT);
	free(want);
	free(got);
	kterr_free(back);
	kterr_free(e);
	wire_buf_free(&b);
}

static void test_ok_reply_carries_results(void **state)
{
	struct wire_buf b, res;

	wire_buf_init(&b);
	wire_buf_init(&res);
	wire_begin(&res, WIRE_OP_REPLY, 3);
	wire_put_u64(&res, "pid", 42);
	assert_true(wire_reply_build(&b, 3, "spawn", NULL, &res));
	decode(&b);
	assert_string_equal(wire_get(msg, "ok"), "1");
	assert_string_equal(wire_get(msg, "pid"), "42");
	assert_null(wire_get_error(msg));
	/* No result buffer at all: a bare ok. */
	assert_true(wire_reply_build(&b, 4, "cancel", NULL, NULL));
	decode(&b);
	assert_string_equal(wire_get(msg, "ok"), "1");
	wire_buf_free(&b);
	wire_buf_free(&res);
}

/* The agent ran out of memory building its results: ENOMEM, not "ok". */
static void test_lost_results_are_an_error(void **state)
{
	struct wire_buf b, res;
	struct kterr *e;

	wire_buf_init(&b);
	wire_buf_init(&res);
	wire_begin(&res, WIRE_OP_REPLY, 5);
	wire_put_u64(&res, "pid", 42);
	res.failed = true;
	assert_true(wire_reply_build(&b, 5, "spawn", NULL, &res));
	decode(&b);
	assert_null(wire_get(msg, "ok"));
	assert_null(wire_get(msg, "pid"));
	e = wire_get_error(msg);
	assert_non_null(e);
	assert_int_equal(kterr_errno_of(e), ENOMEM);
	assert_true(kterr_contains(e, "spawn: the agent ran out of memory building its reply"));
	kterr_free(e);
	wire_buf_free(&b);
	wire_buf_free(&res);
}

/* Long text is cut to the bounds and a deep chain folded, so whatever the
 * agent builds decodes. */
static void test_builder_keeps_within_bounds(void **state)
{
	char *big = malloc(WIRE_ERR_MAX_NOTES * 2 + 1);
	struct kterr *e, *back;
	struct kterr_frame f;
	struct wire_buf b;
	size_t n = 0;

	memset(big, 'x', WIRE_ERR_MAX_NOTES * 2);
	big[WIRE_ERR_MAX_NOTES * 2] = '\0';
	e = kterr_new(ENOENT, "leaf %s", big);
	for (int i = 0; i < 40; i++)
		e = kterr_wrap(e, "frame %d", i);
	e = kterr_note(kterr_hint(e, "%s", big), "%s", big);
	wire_buf_init(&b);
	assert_true(wire_reply_build(&b, 1, "x", e, NULL));
	decode(&b);
	back = wire_get_error(msg);
	assert_non_null(back);
	while (kterr_frame_at(back, n, &f))
		n++;
	assert_int_equal(n, WIRE_ERR_MAX_FRAMES);
	assert_true(kterr_frame_at(back, 0, &f));
	assert_string_equal(f.msg, "frame 39");
	assert_int_equal(strlen(f.hint), WIRE_ERR_MAX_TEXT);
	assert_int_equal(strlen(f.notes), WIRE_ERR_MAX_NOTES);
	assert_true(kterr_frame_at(back, n - 1, &f));
	assert_int_equal(f.errnum, ENOENT);
	assert_int_equal(strlen(f.msg), WIRE_ERR_MAX_TEXT);
	kterr_free(back);
	kterr_free(e);
	wire_buf_free(&b);
	free(big);
}

/* One malformed reply per case: its fields, and what the error names. */
static void test_malformed_frames_are_refused(void **state)
{
	static const struct {
		const char *fields[8][2];
		const char *says;
	} cases[] = {
		{ { { "error", "0" }, { "e.0.msg", "m" } }, "error: the frame count" },
		{ { { "error", "17" }, { "e.0.msg", "m" } }, "error: the frame count" },
		{ { { "error", "-1" }, { "e.0.msg", "m" } }, "error: the frame count" },
		{ { { "error", "mkdir failed" } }, "error: the frame count" },
		{ { { "error", "1" } }, "e.0.msg: missing" },
		{ { { "error", "2" }, { "e.0.msg", "m" } }, "e.1.msg: missing" },
		{ { { "error", "1" }, { "e.1.msg", "m" } }, "e.1.msg: a frame past the 1" },
		{ { { "error", "1" }, { "e.0.msg", "m" }, { "e.0.msg", "n" } }, "e.0.msg: given twice" },
		{ { { "error", "1" }, { "e.0.msg", "m" }, { "e.0.path", "/x" } }, "e.0.path: unknown part" },
		{ { { "error", "1" }, { "e.x.msg", "m" } }, "e.x.msg: not e.K.PART" },
		{ { { "error", "1" }, { "e.0", "m" } }, "e.0: not e.K.PART" },
		{ { { "error", "1" }, { "e.000.msg", "m" } }, "e.000.msg: not e.K.PART" },
		{ { { "error", "1" }, { "e.0.msg", "m" }, { "e.0.errno", "0" } }, "e.0.errno: not an errno" },
		{ { { "error", "1" }, { "e.0.msg", "m" }, { "e.0.errno", "4096" } }, "e.0.errno: not an errno" },
		{ { { "error", "1" }, { "e.0.msg", "m" }, { "e.0.errno", "2x" } }, "e.0.errno: not an errno" },
		{ { { "error", "1" }, { "e.0.msg", "m" }, { "e.0.quiet", "1" } }, "e.0.quiet: only 1" },
		{ { { "error", "1" }, { "e.0.msg", "m" }, { "e.0.errno", "2" }, { "e.0.quiet", "2" } },
		  "e.0.quiet: only 1" },
		{ { { "error", "1" }, { "e.0.msg", "m\x1b[2J" }, { "e.0.\x1b[2J", "m" } },
		  "e.0.?[2J: unknown part" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wire_buf b;
		struct kterr *e;

		wire_buf_init(&b);
		wire_begin(&b, WIRE_OP_REPLY, 1);
		for (size_t k = 0; k < 8 && cases[i].fields[k][0]; k++)
			wire_put_str(&b, cases[i].fields[k][0], cases[i].fields[k][1]);
		decode(&b);
		e = wire_get_error(msg);
		assert_non_null(e);
		if (!kterr_contains(e, cases[i].says)) {
			char *s = str(e);

			print_error("case %zu: wanted \"%s\" in \"%s\"\n", i, cases[i].says, s);
			free(s);
			fail();
		}
		assert_true(kterr_contains(e, "malformed error reply from the agent"));
		assert_int_equal(kterr_errno_of(e), EPROTO);
		kterr_free(e);
		wire_buf_free(&b);
	}
	/* Binary values: a NUL inside a message, text over its bound. */
	{
		struct wire_buf b;
		struct kterr *e;
		char *big = calloc(1, WIRE_ERR_MAX_TEXT + 2);

		memset(big, 'y', WIRE_ERR_MAX_TEXT + 1);
		wire_buf_init(&b);
		wire_begin(&b, WIRE_OP_REPLY, 1);
		wire_put_str(&b, "error", "1");
		wire_put(&b, "e.0.msg", "a\0b", 3);
		decode(&b);
		e = wire_get_error(msg);
		assert_true(kterr_contains(e, "e.0.msg: a NUL byte"));
		kterr_free(e);
		wire_begin(&b, WIRE_OP_REPLY, 1);
		wire_put_str(&b, "error", "1");
		wire_put_str(&b, "e.0.msg", big);
		decode(&b);
		e = wire_get_error(msg);
		assert_true(kterr_contains(e, "e.0.msg: longer than 4096 bytes"));
		kterr_free(e);
		wire_buf_free(&b);
		free(big);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_crosses_whole),
		cmocka_unit_test(test_ok_reply_carries_results),
		cmocka_unit_test(test_lost_results_are_an_error),
		cmocka_unit_test(test_builder_keeps_within_bounds),
		cmocka_unit_test(test_malformed_frames_are_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
