/*
 * wire.h - the control channel's frames, shared by the host (vmm/) and the
 * agent (guest/). One header, compiled by both sides.
 *
 * A frame is a fixed little-endian header and a body:
 *
 *   magic   u32  "KTCN" (0x4e43544b)
 *   version u16  WIRE_VERSION
 *   type    u16  enum wire_type
 *   seq     u32  a request's sequence; its reply carries the same
 *   len     u32  body length, at most WIRE_MAX_BODY
 *   crc     u32  CRC-32C of the header (crc field zero) and the body
 *
 * The body is a list of key/value fields, each
 *
 *   klen u8, key[klen], vlen u32, val[vlen]
 *
 * with text values for text and decimal for numbers, so any op can carry
 * its arguments and results without a new frame layout. Neither side
 * trusts the other: lengths are bounded before use, a bad frame is skipped
 * and the decoder resyncs on the next magic, and nothing here can crash on
 * arbitrary bytes (tests/fuzz/fuzz_wire.c).
 *
 * After a warm start (the host's vmm/machine/warm.h) the guest resumes
 * mid-serve, its port never seen closing: the host's first request is
 * OP_REQ `resume realtime_ns=N scale=F`, and the agent answers with a
 * fresh HELLO and then the reply. A frame the saved QEMU had half-sent
 * reaches the new host as a bad frame, skipped by the resync.
 *
 * No allocation in the decoder's hot path beyond its own buffer; no libc
 * beyond string.h/stdlib.h, so the static agent carries it cheaply.
 */
#ifndef KTCON_WIRE_H
#define KTCON_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC 0x4e43544bu	/* "KTCN" little-endian */
#define WIRE_VERSION 1
#define WIRE_HDR_SIZE 20
#define WIRE_MAX_BODY (1u << 20)
#define WIRE_MAX_FIELDS 4096
#define WIRE_MAX_KEY 255

enum wire_type {
	WIRE_HELLO = 1,		/* agent -> host: ready; release, cpus, ... */
	WIRE_OP_REQ = 2,	/* host -> agent: run an op ("op" names it) */
	WIRE_OP_REPLY = 3,	/* agent -> host: "ok"=1, or the error chain (wire-reply.h) */
	WIRE_EVENT = 4,		/* agent -> host: something happened */
	WIRE_STATE = 5,		/* agent -> host: cgroup tree, sched_ext state */
	WIRE_LOG = 6,		/* agent -> host: a line for the log */
	WIRE_TYPE_MAX = 6,
};

const char *wire_type_name(uint16_t type);

/* ---- building ---- */

struct wire_buf {
	uint8_t *data;
	size_t len, cap;
	size_t nfields;		/* fields put since wire_begin */
	bool failed;		/* OOM or a field too big: do not send */
};

void wire_buf_init(struct wire_buf *b);
void wire_buf_free(struct wire_buf *b);

/* Start a frame (resets b); add fields; then finish it. */
void wire_begin(struct wire_buf *b, uint16_t type, uint32_t seq);
void wire_put(struct wire_buf *b, const char *key, const void *val, size_t len);
void wire_put_str(struct wire_buf *b, const char *key, const char *val);
void wire_put_u64(struct wire_buf *b, const char *key, uint64_t v);
void wire_put_i64(struct wire_buf *b, const char *key, int64_t v);
/* Number a frame begun before its sequence was known (the host's link
 * numbers a request as it sends it). */
void wire_set_seq(struct wire_buf *b, uint32_t seq);
/* Fill in length and CRC. False when the frame cannot be sent (failed, or
 * the body exceeds WIRE_MAX_BODY). */
bool wire_finish(struct wire_buf *b);

/* ---- decoding ---- */

struct wire_field {
	const char *key;	/* NUL-terminated, points into the frame */
	const char *val;	/* NUL-terminated copy-free view; may contain NULs */
	size_t len;
};

/* Large (about 1.1 MiB): allocate one per reader and reuse it. */
struct wire_msg {
	uint16_t type;
	uint32_t seq;
	size_t n;
	struct wire_field fields[WIRE_MAX_FIELDS];
	/* The frame's bytes, rewritten so keys and values are NUL-terminated. */
	uint8_t body[WIRE_MAX_BODY + 2 * WIRE_MAX_FIELDS];
};

enum wire_status {
	WIRE_NEED_MORE,		/* nothing complete yet */
	WIRE_OK,		/* *msg holds a frame */
	WIRE_BAD,		/* a bad frame was skipped; why says why */
};

struct wire_decoder {
	uint8_t *buf;
	size_t len, cap;
	uint64_t skipped;	/* bytes dropped while resyncing */
	uint64_t bad;		/* bad frames */
};

void wire_decoder_init(struct wire_decoder *d);
void wire_decoder_free(struct wire_decoder *d);

/* Append received bytes; false on OOM (the bytes are dropped). */
bool wire_feed(struct wire_decoder *d, const void *data, size_t len);

/* Take the next frame out of what was fed. On WIRE_BAD, why (may be NULL)
 * gets a reason and the caller may call again at once. */
enum wire_status wire_next(struct wire_decoder *d, struct wire_msg *msg,
			   char *why, size_t why_size);

/* Decode one frame from a complete buffer (the fuzzer's entry point). */
enum wire_status wire_decode(const uint8_t *data, size_t len, struct wire_msg *msg,
			     size_t *used, char *why, size_t why_size);

/* Field lookup: the first field named key, or NULL / false. */
const struct wire_field *wire_field(const struct wire_msg *m, const char *key);
const char *wire_get(const struct wire_msg *m, const char *key);
bool wire_get_u64(const struct wire_msg *m, const char *key, uint64_t *v);
bool wire_get_i64(const struct wire_msg *m, const char *key, int64_t *v);
/* The same for a field in hand (a reader that walks m->fields once). */
bool wire_val_u64(const struct wire_field *f, uint64_t *v);
bool wire_val_i64(const struct wire_field *f, int64_t *v);

/*
 * ---- batches (wire-batch.c) ----
 *
 * One OP_REQ may carry many requests of one op, so a thousand `cgroup`
 * lines or a teardown's thousand removals cost a few round trips, not a
 * thousand. The request is
 *
 *   op=batch  of=OP  n=N  then each item's fields as "I.KEY"
 *
 * with I decimal (no sign, no leading zero), items 0..N-1 in order and an
 * item's fields together (an item with no fields is simply absent); an
 * item is exactly the request OP would take alone. The reply carries
 * "done"=K, the items that ran, in order, and each one's result fields as
 * "I.KEY". An error is item K's own ("failed"=K
 * beside the usual "error"): items before it stand, nothing after it ran.
 * The agent may also stop early without an error (the reply reached
 * WIRE_BATCH_MAX_BODY, or it ran WIRE_BATCH_SLICE_MS): the host sends the
 * rest as a new batch. A frame breaking these rules is refused whole
 * (EPROTO) before any item runs.
 */
#define WIRE_BATCH_MAX_ITEMS 1024
#define WIRE_BATCH_MAX_BODY (WIRE_MAX_BODY / 2)
#define WIRE_BATCH_MAX_FIELDS (WIRE_MAX_FIELDS - 16)
#define WIRE_BATCH_SLICE_MS 2000

/* Append the fields src holds (a frame begun, not finished) to b as item
 * `index`. False, adding nothing, when a prefixed key would be too long
 * or b failed. */
bool wire_put_item(struct wire_buf *b, unsigned index, const struct wire_buf *src);

/* Walk m's items: from *cursor (0 to begin), the next item's index and the
 * range [*first, *first + *count) of m->fields it spans. 1: an item; 0: no
 * more; -1: malformed (an index not above the last one's, so out of order
 * or an item's fields apart, or unparsable). *index carries the last
 * item's index between calls.
 * Fields whose key does not start with a digit are not items' and are
 * skipped. */
int wire_next_item(const struct wire_msg *m, size_t *cursor, unsigned *index, size_t *first,
		   size_t *count);

/* m's fields [first, first + count) as a message of its own in *out, keys
 * without their "I." prefix (the values still point into m: valid while
 * m is). Type and seq are m's. */
void wire_item_msg(const struct wire_msg *m, size_t first, size_t count, struct wire_msg *out);

/* ---- typed records: worker reports and pid lists ----
 *
 * A field's value may be an array of fixed binary records instead of text:
 *
 *   version u16  WIRE_REC_VERSION
 *   size    u16  bytes per record, at least the version's own size (a
 *                newer sender may append members; a reader skips them)
 *   count   u32  records, at most WIRE_MAX_RECS
 *   count * size bytes of records, little-endian members
 *
 * The decoder checks version, size, count and that the value is exactly
 * that long before anything is read, so a short, long or lying field is an
 * error with a reason, never a read past the value.
 *
 * "pids": one record per pid, an i32 (4 bytes).
 * "workers": struct wire_worker_rec, WIRE_WORKER_REC_SIZE bytes:
 *   pid i32, pad u32, then u64 iterations, cpu_ns, nvcsw, nivcsw,
 *   migrations, max_gap_ns, max_wake_ns, wake_p50_ns, wake_p99_ns,
 *   wake_samples, run_delay_ns (UINT64_MAX: unknown), cpus[4] (a bitmap of
 *   CPUs 0..255 it ran on); from version 2, cpu_now i32 (the CPU of its
 *   last iteration, -1 before the first) and a pad u32.
 *
 * Versions: 1 is the layout up to cpus[4] (WIRE_WORKER_REC_SIZE_V1 bytes);
 * 2 appends cpu_now. A reader takes both (WIRE_REC_VERSION_MIN up to
 * WIRE_REC_VERSION): a version-1 worker has cpu_now -1. A version-2
 * worker record shorter than version 2's own size is refused
 * (wire_workers_check), as is a version this side does not know.
 */
#define WIRE_REC_VERSION 2
#define WIRE_REC_VERSION_MIN 1
#define WIRE_REC_HDR 8
#define WIRE_MAX_RECS 4096
#define WIRE_PID_REC_SIZE 4
#define WIRE_WORKER_CPU_WORDS 4
#define WIRE_WORKER_REC_SIZE_V1 (8 + 8 * (11 + WIRE_WORKER_CPU_WORDS))
#define WIRE_WORKER_REC_SIZE (WIRE_WORKER_REC_SIZE_V1 + 8)

struct wire_worker_rec {
	int32_t pid;
	uint64_t iterations, cpu_ns, nvcsw, nivcsw, migrations, max_gap_ns, max_wake_ns;
	uint64_t wake_p50_ns, wake_p99_ns, wake_samples, run_delay_ns;
	uint64_t cpus[WIRE_WORKER_CPU_WORDS];
	int32_t cpu_now;	/* -1: unknown (before the first iteration, or version 1) */
};

void wire_put_pids(struct wire_buf *b, const char *key, const int32_t *pids, size_t n);
void wire_put_workers(struct wire_buf *b, const char *key, const struct wire_worker_rec *r,
		      size_t n);
/* Check field f as records of at least min_size bytes: true with *n
 * records; false with why. */
bool wire_recs_check(const struct wire_field *f, size_t min_size, size_t *n, char *why,
		     size_t why_size);
/* The same for worker records, of either version (see above). */
bool wire_workers_check(const struct wire_field *f, size_t *n, char *why, size_t why_size);
/* Record i of a checked field. */
int32_t wire_pid_at(const struct wire_field *f, size_t i);
void wire_worker_at(const struct wire_field *f, size_t i, struct wire_worker_rec *out);

/* CRC-32C (Castagnoli), chainable from 0. */
uint32_t wire_crc32c(uint32_t crc, const void *data, size_t len);

#endif
