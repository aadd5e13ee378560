/* test_wire.c - control channel frames: round trips and every way a frame
 * can arrive broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest/wire.h"

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

/* A HELLO with a few fields, finished. */
static void hello(struct wire_buf *b, uint32_t seq)
{
	wire_buf_init(b);
	wire_begin(b, WIRE_HELLO, seq);
	wire_put_str(b, "release", "6.12.117-ktcon");
	wire_put_u64(b, "cpus", 4);
	wire_put_i64(b, "delta", -5);
	wire_put(b, "blob", "a\0b", 3);
	wire_put_str(b, "empty", "");
	assert_true(wire_finish(b));
}

static void test_round_trip_keeps_fields(void **state)
{
	struct wire_buf b;
	struct wire_decoder d;
	uint64_t u;
	int64_t i;
	char why[128];

	hello(&b, 7);
	wire_decoder_init(&d);
	assert_true(wire_feed(&d, b.data, b.len));
	assert_int_equal(wire_next(&d, msg, why, sizeof(why)), WIRE_OK);
	assert_int_equal(msg->type, WIRE_HELLO);
	assert_int_equal(msg->seq, 7);
	assert_int_equal(msg->n, 5);
	assert_string_equal(wire_get(msg, "release"), "6.12.117-ktcon");
	assert_true(wire_get_u64(msg, "cpus", &u));
	assert_int_equal(u, 4);
	assert_true(wire_get_i64(msg, "delta", &i));
	assert_int_equal(i, -5);
	assert_false(wire_get_u64(msg, "delta", &u));
	assert_int_equal(wire_field(msg, "blob")->len, 3);
	assert_memory_equal(wire_field(msg, "blob")->val, "a\0b", 3);
	assert_string_equal(wire_get(msg, "empty"), "");
	assert_null(wire_get(msg, "missing"));
	assert_int_equal(wire_next(&d, msg, why, sizeof(why)), WIRE_NEED_MORE);
	wire_decoder_free(&d);
	wire_buf_free(&b);
}

static void test_split_byte_by_byte(void **state)
{
	struct wire_buf b;
	struct wire_decoder d;
	int frames = 0;

	hello(&b, 1);
	wire_decoder_init(&d);
	for (size_t i = 0; i < b.len; i++) {
		assert_true(wire_feed(&d, b.data + i, 1));
		enum wire_status st = wire_next(&d, msg, NULL, 0);
		assert_int_not_equal(st, WIRE_BAD);
		frames += st == WIRE_OK;
		assert_int_equal(frames, i + 1 == b.len);
	}
	wire_decoder_free(&d);
	wire_buf_free(&b);
}

static void test_flipped_bit_is_skipped_and_next_frame_decodes(void **state)
{
	struct wire_buf a, b;
	struct wire_decoder d;
	char why[128];

	hello(&a, 1);
	hello(&b, 2);
	a.data[WIRE_HDR_SIZE + 3] ^= 0x10;	/* body corrupt: CRC fails */
	wire_decoder_init(&d);
	wire_feed(&d, a.data, a.len);
	wire_feed(&d, b.data, b.len);
	assert_int_equal(wire_next(&d, msg, why, sizeof(why)), WIRE_BAD);
	assert_non_null(strstr(why, "CRC mismatch"));
	assert_int_equal(wire_next(&d, msg, why, sizeof(why)), WIRE_OK);
	assert_int_equal(msg->seq, 2);
	assert_int_equal(d.bad, 1);
	wire_decoder_free(&d);
	wire_buf_free(&a);
	wire_buf_free(&b);
}

static void test_garbage_before_magic_is_skipped_once(void **state)
{
	struct wire_buf b;
	struct wire_decoder d;
	const char junk[] = "hello from a confused console KTC\n";
	char why[128];

	hello(&b, 9);
	wire_decoder_init(&d);
	wire_feed(&d, junk, sizeof(junk) - 1);
	wire_feed(&d, b.data, b.len);
	assert_int_equal(wire_next(&d, msg, why, sizeof(why)), WIRE_BAD);
	assert_non_null(strstr(why, "bad magic"));
	assert_int_equal(wire_next(&d, msg, why, sizeof(why)), WIRE_OK);
	assert_int_equal(msg->seq, 9);
	assert_int_equal(d.skipped, sizeof(junk) - 1);
	wire_decoder_free(&d);
	wire_buf_free(&b);
}

static void test_oversize_length_is_rejected_without_waiting(void **state)
{
	struct wire_buf b;
	struct wire_decoder d;
	char why[128];

	hello(&b, 3);
	b.data[12] = 0xff;
	b.data[13] = 0xff;
	b.data[14] = 0xff;
	b.data[15] = 0x7f;	/* 2 GiB body */
	wire_decoder_init(&d);
	wire_feed(&d, b.data, b.len);
	/* Not NEED_MORE: a lying length must not stall the channel. */
	assert_int_equal(wire_next(&d, msg, why, sizeof(why)), WIRE_BAD);
	assert_non_null(strstr(why, "exceeds"));
	wire_decoder_free(&d);
	wire_buf_free(&b);
}

static void test_truncated_frame_waits(void **state)
{
	struct wire_buf b;
	struct wire_decoder d;

	hello(&b, 4);
	wire_decoder_init(&d);
	wire_feed(&d, b.data, b.len - 1);
	assert_int_equal(wire_next(&d, msg, NULL, 0), WIRE_NEED_MORE);
	wire_feed(&d, b.data + b.len - 1, 1);
	assert_int_equal(wire_next(&d, msg, NULL, 0), WIRE_OK);
	wire_decoder_free(&d);
	wire_buf_free(&b);
}

static void test_wrong_version_and_unknown_type(void **state)
{
	struct wire_buf b;
	size_t used;
	char why[128];

	wire_buf_init(&b);
	wire_begin(&b, 99, 1);
	assert_true(wire_finish(&b));
	assert_int_equal(wire_decode(b.data, b.len, msg, &used, why, sizeof(why)), WIRE_BAD);
	assert_non_null(strstr(why, "unknown frame type 99"));
	assert_int_equal(used, b.len);	/* the whole (well-formed) frame is dropped */
	wire_buf_free(&b);

	hello(&b, 1);
	b.data[4] = 2;
	assert_int_equal(wire_decode(b.data, b.len, msg, &used, why, sizeof(why)), WIRE_BAD);
	assert_non_null(strstr(why, "version 2"));
	wire_buf_free(&b);
}

/* Rebuild a frame's CRC after editing its body. */
static void refresh_crc(struct wire_buf *b)
{
	memset(b->data + 16, 0, 4);
	uint32_t crc = wire_crc32c(0, b->data, b->len);
	memcpy(b->data + 16, &crc, 4);	/* x86 is little-endian, as the wire */
}

static void test_field_lengths_are_not_trusted(void **state)
{
	struct wire_buf b;
	size_t used;
	char why[128];

	wire_buf_init(&b);
	wire_begin(&b, WIRE_LOG, 1);
	wire_put_str(&b, "line", "x");
	assert_true(wire_finish(&b));
	/* value length says 1000, body has 1 byte left */
	b.data[WIRE_HDR_SIZE + 1 + 4] = 0xe8;
	b.data[WIRE_HDR_SIZE + 1 + 4 + 1] = 0x03;
	refresh_crc(&b);
	assert_int_equal(wire_decode(b.data, b.len, msg, &used, why, sizeof(why)), WIRE_BAD);
	assert_non_null(strstr(why, "value length 1000 overruns"));
	/* key length 0 */
	wire_begin(&b, WIRE_LOG, 1);
	wire_put_str(&b, "line", "x");
	assert_true(wire_finish(&b));
	b.data[WIRE_HDR_SIZE] = 0;
	refresh_crc(&b);
	assert_int_equal(wire_decode(b.data, b.len, msg, &used, why, sizeof(why)), WIRE_BAD);
	wire_buf_free(&b);
}

static void test_builder_refuses_bad_keys_and_huge_bodies(void **state)
{
	struct wire_buf b;
	char *big = calloc(1, WIRE_MAX_BODY);

	wire_buf_init(&b);
	wire_begin(&b, WIRE_LOG, 1);
	wire_put_str(&b, "", "x");
	assert_false(wire_finish(&b));
	wire_begin(&b, WIRE_LOG, 1);
	wire_put(&b, "big", big, WIRE_MAX_BODY);	/* + key overhead: too big */
	assert_false(wire_finish(&b));
	wire_begin(&b, WIRE_LOG, 1);
	wire_put_str(&b, "ok", "fine");
	assert_true(wire_finish(&b));
	wire_buf_free(&b);
	free(big);
}

static void test_crc32c_known_value(void **state)
{
	/* The standard check value of CRC-32C. */
	assert_int_equal(wire_crc32c(0, "123456789", 9), 0xe3069283);
}

/* ---- typed records ---- */

/* Frame fields through a real encode/decode, then the records of key. */
static const struct wire_field *records_through(struct wire_buf *b, const char *key)
{
	size_t used;

	assert_true(wire_finish(b));
	assert_int_equal(wire_decode(b->data, b->len, msg, &used, NULL, 0), WIRE_OK);
	return wire_field(msg, key);
}

static void test_worker_records_round_trip(void **state)
{
	struct wire_worker_rec in[3] = {
		{ .pid = 41, .iterations = 1ull << 40, .cpu_ns = 7, .nvcsw = 8, .nivcsw = 9,
		  .migrations = 10, .max_gap_ns = 11, .max_wake_ns = 900, .wake_p50_ns = 100,
		  .wake_p99_ns = 800, .wake_samples = 12345, .run_delay_ns = UINT64_MAX,
		  .cpus = { 0x5, 0, 0, 1ull << 63 }, .cpu_now = 3 },
		{ .pid = 42, .cpu_now = -1 },
		{ .pid = INT32_MAX, .iterations = UINT64_MAX, .cpu_now = 255 },
	}, out;
	struct wire_buf b;
	const struct wire_field *f;
	size_t n;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REPLY, 3);
	wire_put_workers(&b, "workers", in, 3);
	f = records_through(&b, "workers");
	assert_non_null(f);
	assert_int_equal(f->len, WIRE_REC_HDR + 3 * WIRE_WORKER_REC_SIZE);
	assert_true(wire_workers_check(f, &n, NULL, 0));
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 3; i++) {
		wire_worker_at(f, i, &out);
		assert_int_equal(out.pid, in[i].pid);
		assert_int_equal(out.cpu_now, in[i].cpu_now);
		/* the u64 members after the pid */
		assert_memory_equal(&out.iterations, &in[i].iterations,
				    offsetof(struct wire_worker_rec, cpu_now) -
				    offsetof(struct wire_worker_rec, iterations));
	}
	wire_buf_free(&b);
}

static void test_pid_records_round_trip_and_empty(void **state)
{
	int32_t pids[] = { 1, 2, -3, 65536 };
	struct wire_buf b;
	const struct wire_field *f;
	size_t n;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REPLY, 1);
	wire_put_pids(&b, "pids", pids, 4);
	wire_put_pids(&b, "none", NULL, 0);
	f = records_through(&b, "pids");
	assert_true(wire_recs_check(f, WIRE_PID_REC_SIZE, &n, NULL, 0));
	assert_int_equal(n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(wire_pid_at(f, i), pids[i]);
	f = wire_field(msg, "none");
	assert_true(wire_recs_check(f, WIRE_PID_REC_SIZE, &n, NULL, 0));
	assert_int_equal(n, 0);
	wire_buf_free(&b);
}

/* A value built by hand: version, size, count and body bytes. */
static struct wire_field hand(uint8_t *buf, size_t len, unsigned ver, unsigned size,
			      uint32_t count)
{
	buf[0] = (uint8_t)ver;
	buf[1] = (uint8_t)(ver >> 8);
	buf[2] = (uint8_t)size;
	buf[3] = (uint8_t)(size >> 8);
	for (int k = 0; k < 4; k++)
		buf[4 + k] = (uint8_t)(count >> (8 * k));
	return (struct wire_field){ .key = "x", .val = (const char *)buf, .len = len };
}

static void test_malformed_records_are_refused_with_a_reason(void **state)
{
	static uint8_t buf[WIRE_REC_HDR + 64 * WIRE_WORKER_REC_SIZE];
	char why[128];
	size_t n = 99;
	struct wire_field f;

	/* shorter than the header */
	f = hand(buf, 5, 1, 4, 0);
	assert_false(wire_recs_check(&f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)));
	assert_int_equal(n, 0);
	assert_non_null(strstr(why, "shorter than the 8-byte header"));
	/* an unknown version, newer or older */
	f = hand(buf, WIRE_REC_HDR + 4, WIRE_REC_VERSION + 1, 4, 1);
	assert_false(wire_recs_check(&f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)));
	assert_non_null(strstr(why, "version 3, this side reads 1 to 2"));
	f = hand(buf, WIRE_REC_HDR + 4, 0, 4, 1);
	assert_false(wire_recs_check(&f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)));
	/* records smaller than this side needs (an old, shorter worker record) */
	f = hand(buf, WIRE_REC_HDR + 2 * 64, 1, 64, 2);
	assert_false(wire_recs_check(&f, WIRE_WORKER_REC_SIZE, &n, why, sizeof(why)));
	assert_non_null(strstr(why, "64 bytes each"));
	/* a count the value does not hold (lying header) */
	f = hand(buf, WIRE_REC_HDR + 4 * 3, 1, 4, 4);
	assert_false(wire_recs_check(&f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)));
	assert_non_null(strstr(why, "header says 24"));
	/* trailing bytes past the records */
	f = hand(buf, WIRE_REC_HDR + 4 * 3 + 1, 1, 4, 3);
	assert_false(wire_recs_check(&f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)));
	/* a count beyond the bound, even with the bytes for it */
	f = hand(buf, sizeof(buf), 1, 0xffff, WIRE_MAX_RECS + 1);
	assert_false(wire_recs_check(&f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)));
	assert_non_null(strstr(why, "more than the 4096"));
	/* size 0 with any count */
	f = hand(buf, WIRE_REC_HDR, 1, 0, 1000);
	assert_false(wire_recs_check(&f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)));
	/* a newer, longer record: accepted, the extra bytes skipped */
	memset(buf, 0, sizeof(buf));
	f = hand(buf, WIRE_REC_HDR + 2 * 8, 1, 8, 2);
	buf[WIRE_REC_HDR + 8] = 77;
	assert_true(wire_recs_check(&f, WIRE_PID_REC_SIZE, &n, why, sizeof(why)));
	assert_int_equal(n, 2);
	assert_int_equal(wire_pid_at(&f, 1), 77);
	/* every truncation of a real worker value is refused */
	{
		struct wire_worker_rec r = { .pid = 5 };
		struct wire_buf b;
		const struct wire_field *real;

		wire_buf_init(&b);
		wire_begin(&b, WIRE_OP_REPLY, 1);
		wire_put_workers(&b, "workers", &r, 1);
		real = records_through(&b, "workers");
		for (size_t len = 0; len < real->len; len++) {
			struct wire_field cut = *real;

			cut.len = len;
			assert_false(wire_workers_check(&cut, &n, NULL, 0));
		}
		wire_buf_free(&b);
	}
}

/* Version 2 appended cpu_now: a version-1 worker record (an older agent)
 * still reads, its cpu_now unknown; a version-2 record cut back to
 * version 1's size is refused (it promised cpu_now). */
static void test_worker_record_versions(void **state)
{
	static uint8_t buf[WIRE_REC_HDR + 2 * (WIRE_WORKER_REC_SIZE + 8)];
	struct wire_worker_rec r;
	char why[128];
	size_t n;
	struct wire_field f;

	memset(buf, 0, sizeof(buf));
	f = hand(buf, WIRE_REC_HDR + WIRE_WORKER_REC_SIZE_V1, 1, WIRE_WORKER_REC_SIZE_V1, 1);
	buf[WIRE_REC_HDR] = 9;				/* pid 9 */
	buf[WIRE_REC_HDR + 8] = 4;			/* 4 iterations */
	assert_true(wire_workers_check(&f, &n, why, sizeof(why)));
	assert_int_equal(n, 1);
	wire_worker_at(&f, 0, &r);
	assert_int_equal(r.pid, 9);
	assert_int_equal(r.iterations, 4);
	assert_int_equal(r.cpu_now, -1);
	/* the same bytes said to be version 2 */
	f = hand(buf, WIRE_REC_HDR + WIRE_WORKER_REC_SIZE_V1, 2, WIRE_WORKER_REC_SIZE_V1, 1);
	assert_false(wire_workers_check(&f, &n, why, sizeof(why)));
	assert_int_equal(n, 0);
	assert_non_null(strstr(why, "version 2 worker records of 128 bytes, fewer than its 136"));
	/* shorter than version 1 */
	f = hand(buf, WIRE_REC_HDR + 64, 1, 64, 1);
	assert_false(wire_workers_check(&f, &n, why, sizeof(why)));
	/* version 2, a longer record from a newer sender: cpu_now read, the rest skipped */
	memset(buf, 0, sizeof(buf));
	f = hand(buf, WIRE_REC_HDR + 2 * (WIRE_WORKER_REC_SIZE + 8), 2, WIRE_WORKER_REC_SIZE + 8,
		 2);
	buf[WIRE_REC_HDR + WIRE_WORKER_REC_SIZE + 8] = 7;		/* record 1: pid 7 */
	buf[WIRE_REC_HDR + WIRE_WORKER_REC_SIZE + 8 + WIRE_WORKER_REC_SIZE_V1] = 2;	/* cpu 2 */
	assert_true(wire_workers_check(&f, &n, why, sizeof(why)));
	assert_int_equal(n, 2);
	wire_worker_at(&f, 1, &r);
	assert_int_equal(r.pid, 7);
	assert_int_equal(r.cpu_now, 2);
}

static void test_builder_refuses_too_many_records(void **state)
{
	static int32_t pids[WIRE_MAX_RECS + 1];
	struct wire_buf b;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REPLY, 1);
	wire_put_pids(&b, "pids", pids, WIRE_MAX_RECS + 1);
	assert_true(b.failed);
	assert_false(wire_finish(&b));
	wire_buf_free(&b);
}

/* ---- batches ---- */

/* A request frame with the given keys (values "v"), decoded into msg. */
static void decode_keys(const char *const *keys, size_t n)
{
	struct wire_buf b;
	size_t used;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REQ, 9);
	for (size_t i = 0; i < n; i++)
		wire_put_str(&b, keys[i], "v");
	assert_true(wire_finish(&b));
	assert_int_equal(wire_decode(b.data, b.len, msg, &used, NULL, 0), WIRE_OK);
	wire_buf_free(&b);
}

/* Items go in with their prefix and come back out as messages of their
 * own; an item with no fields is absent, and the walk skips it. */
static void test_batch_items_round_trip(void **state)
{
	static struct wire_msg view;
	struct wire_buf b, item;
	size_t used, cursor = 0, first, count;
	unsigned index = 0;

	wire_buf_init(&b);
	wire_buf_init(&item);
	wire_begin(&b, WIRE_OP_REQ, 7);
	wire_put_str(&b, "op", "batch");
	for (unsigned i = 0; i < 3; i++) {
		wire_begin(&item, WIRE_OP_REQ, 0);
		if (i != 1) {
			wire_put_str(&item, "cgroup", i ? "c2" : "c0");
			wire_put_u64(&item, "workers", i);
		}
		assert_true(wire_put_item(&b, i, &item));
	}
	assert_int_equal(b.nfields, 1 + 2 + 2);
	wire_put_u64(&b, "n", 3);
	assert_true(wire_finish(&b));
	assert_int_equal(wire_decode(b.data, b.len, msg, &used, NULL, 0), WIRE_OK);
	assert_string_equal(wire_get(msg, "0.cgroup"), "c0");

	assert_int_equal(wire_next_item(msg, &cursor, &index, &first, &count), 1);
	assert_int_equal(index, 0);
	assert_int_equal(count, 2);
	wire_item_msg(msg, first, count, &view);
	assert_string_equal(wire_get(&view, "cgroup"), "c0");
	assert_null(wire_get(&view, "n"));
	assert_int_equal(view.seq, 7);
	assert_int_equal(wire_next_item(msg, &cursor, &index, &first, &count), 1);
	assert_int_equal(index, 2);
	wire_item_msg(msg, first, count, &view);
	assert_string_equal(wire_get(&view, "cgroup"), "c2");
	assert_string_equal(wire_get(&view, "workers"), "2");
	assert_int_equal(wire_next_item(msg, &cursor, &index, &first, &count), 0);
	wire_buf_free(&b);
	wire_buf_free(&item);
}

/* A key that would pass WIRE_MAX_KEY with its prefix: the item is refused
 * whole, nothing of it added. */
static void test_batch_item_too_long_a_key_adds_nothing(void **state)
{
	struct wire_buf b, item;
	char key[WIRE_MAX_KEY + 1];
	size_t len, fields;

	memset(key, 'k', WIRE_MAX_KEY - 1);
	key[WIRE_MAX_KEY - 1] = '\0';
	wire_buf_init(&b);
	wire_buf_init(&item);
	wire_begin(&b, WIRE_OP_REQ, 1);
	wire_begin(&item, WIRE_OP_REQ, 0);
	wire_put_str(&item, "cgroup", "ok");
	wire_put_str(&item, key, "x");	/* fits alone, not as "12.KEY" */
	assert_false(item.failed);
	len = b.len;
	fields = b.nfields;
	assert_false(wire_put_item(&b, 12, &item));
	assert_int_equal(b.len, len);
	assert_int_equal(b.nfields, fields);
	assert_false(b.failed);
	wire_buf_free(&b);
	wire_buf_free(&item);
}

/* Malformed item keys: out of order, an item's fields apart, leading
 * zeros, no key after the dot, an index past the bound. */
static void test_batch_malformed_items_are_refused(void **state)
{
	static const struct {
		const char *keys[4];
		size_t n;
	} bad[] = {
		{ { "1.cgroup", "0.cgroup" }, 2 },
		{ { "0.cgroup", "1.cgroup", "0.cpus" }, 3 },
		{ { "0.cgroup", "op", "0.cpus" }, 3 },
		{ { "01.cgroup" }, 1 },
		{ { "0." }, 1 },
		{ { "0cgroup" }, 1 },
		{ { "99999999999.cgroup" }, 1 },
		{ { "1024.cgroup" }, 1 },
	};

	for (size_t t = 0; t < sizeof(bad) / sizeof(bad[0]); t++) {
		size_t cursor = 0, first, count;
		unsigned index = 0;
		int r;

		decode_keys(bad[t].keys, bad[t].n);
		while ((r = wire_next_item(msg, &cursor, &index, &first, &count)) == 1)
			;
		assert_int_equal(r, -1);
	}
	/* and the good shape, for contrast: other fields around items */
	{
		const char *keys[] = { "op", "0.cgroup", "0.cpus", "5.cgroup", "n" };
		size_t cursor = 0, first, count;
		unsigned index = 0;

		decode_keys(keys, 5);
		assert_int_equal(wire_next_item(msg, &cursor, &index, &first, &count), 1);
		assert_int_equal(count, 2);
		assert_int_equal(wire_next_item(msg, &cursor, &index, &first, &count), 1);
		assert_int_equal(index, 5);
		assert_int_equal(wire_next_item(msg, &cursor, &index, &first, &count), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_keeps_fields),
		cmocka_unit_test(test_split_byte_by_byte),
		cmocka_unit_test(test_flipped_bit_is_skipped_and_next_frame_decodes),
		cmocka_unit_test(test_garbage_before_magic_is_skipped_once),
		cmocka_unit_test(test_oversize_length_is_rejected_without_waiting),
		cmocka_unit_test(test_truncated_frame_waits),
		cmocka_unit_test(test_wrong_version_and_unknown_type),
		cmocka_unit_test(test_field_lengths_are_not_trusted),
		cmocka_unit_test(test_builder_refuses_bad_keys_and_huge_bodies),
		cmocka_unit_test(test_crc32c_known_value),
		cmocka_unit_test(test_worker_records_round_trip),
		cmocka_unit_test(test_worker_record_versions),
		cmocka_unit_test(test_pid_records_round_trip_and_empty),
		cmocka_unit_test(test_malformed_records_are_refused_with_a_reason),
		cmocka_unit_test(test_builder_refuses_too_many_records),
		cmocka_unit_test(test_batch_items_round_trip),
		cmocka_unit_test(test_batch_item_too_long_a_key_adds_nothing),
		cmocka_unit_test(test_batch_malformed_items_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
