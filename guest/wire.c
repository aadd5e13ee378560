/* wire.c - control channel frames; see wire.h. */
#include "guest/wire.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
	[WIRE_HELLO] = "HELLO", [WIRE_OP_REQ] = "OP_REQ", [WIRE_OP_REPLY] = "OP_REPLY",
	[WIRE_EVENT] = "EVENT", [WIRE_STATE] = "STATE", [WIRE_LOG] = "LOG",
};

const char *wire_type_name(uint16_t type)
{
	if (type == 0 || type > WIRE_TYPE_MAX)
		return "?";
	return type_names[type];
}

/* ---- CRC-32C ---- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t wire_crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!crc_table[1])
		crc_init();	/* idempotent: a race writes the same values */
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- little-endian helpers ---- */

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
static uint16_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- building ---- */

void wire_buf_init(struct wire_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void wire_buf_free(struct wire_buf *b)
{
	free(b->data);
	wire_buf_init(b);
}

static bool reserve(struct wire_buf *b, size_t more)
{
	if (b->failed)
		return false;
	if (b->len + more > WIRE_HDR_SIZE + WIRE_MAX_BODY) {
		b->failed = true;
		return false;
	}
	if (b->len + more > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + more)
			cap *= 2;
		uint8_t *n = realloc(b->data, cap);
		if (!n) {
			b->failed = true;
			return false;
		}
		b->data = n;
		b->cap = cap;
	}
	return true;
}

void wire_begin(struct wire_buf *b, uint16_t type, uint32_t seq)
{
	b->len = 0;
	b->nfields = 0;
	b->failed = false;
	if (!reserve(b, WIRE_HDR_SIZE))
		return;
	memset(b->data, 0, WIRE_HDR_SIZE);
	put32(b->data, WIRE_MAGIC);
	put16(b->data + 4, WIRE_VERSION);
	put16(b->data + 6, type);
	put32(b->data + 8, seq);
	b->len = WIRE_HDR_SIZE;
}

void wire_put(struct wire_buf *b, const char *key, const void *val, size_t len)
{
	size_t kl = strlen(key);

	if (kl == 0 || kl > WIRE_MAX_KEY || len > WIRE_MAX_BODY) {
		b->failed = true;
		return;
	}
	if (!reserve(b, 1 + kl + 4 + len))
		return;
	b->data[b->len++] = (uint8_t)kl;
	memcpy(b->data + b->len, key, kl);
	b->len += kl;
	put32(b->data + b->len, (uint32_t)len);
	b->len += 4;
	if (len)
		memcpy(b->data + b->len, val, len);
	b->len += len;
	b->nfields++;
}

void wire_put_str(struct wire_buf *b, const char *key, const char *val)
{
	wire_put(b, key, val ? val : "", val ? strlen(val) : 0);
}

void wire_put_u64(struct wire_buf *b, const char *key, uint64_t v)
{
	char s[24];

	wire_put(b, key, s, snprintf(s, sizeof(s), "%" PRIu64, v));
}

void wire_put_i64(struct wire_buf *b, const char *key, int64_t v)
{
	char s[24];

	wire_put(b, key, s, snprintf(s, sizeof(s), "%" PRId64, v));
}

void wire_set_seq(struct wire_buf *b, uint32_t seq)
{
	if (b->len >= WIRE_HDR_SIZE)
		put32(b->data + 8, seq);
}

bool wire_finish(struct wire_buf *b)
{
	uint32_t crc;

	if (b->failed || b->len < WIRE_HDR_SIZE || b->len - WIRE_HDR_SIZE > WIRE_MAX_BODY)
		return false;
	put32(b->data + 12, (uint32_t)(b->len - WIRE_HDR_SIZE));
	put32(b->data + 16, 0);
	crc = wire_crc32c(0, b->data, b->len);
	put32(b->data + 16, crc);
	return true;
}

/* ---- decoding ---- */

static void say(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!why || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

/* Split a verified body into fields, NUL-terminating keys and values in
 * msg->body. The layout is rewritten as key\0val\0 pairs. */
static bool parse_body(const uint8_t *body, uint32_t len, struct wire_msg *m,
		       char *why, size_t why_size)
{
	size_t in = 0, out = 0;

	m->n = 0;
	while (in < len) {
		uint8_t kl = body[in++];
		uint32_t vl;

		if (kl == 0 || in + kl + 4 > len) {
			say(why, why_size, "field %zu: key length %u overruns the body", m->n, kl);
			return false;
		}
		if (m->n == WIRE_MAX_FIELDS) {
			say(why, why_size, "more than %d fields", WIRE_MAX_FIELDS);
			return false;
		}
		const uint8_t *key = body + in;
		in += kl;
		vl = get32(body + in);
		in += 4;
		if (vl > len - in) {
			say(why, why_size, "field %zu: value length %u overruns the body", m->n, vl);
			return false;
		}
		for (size_t i = 0; i < kl; i++) {
			if (!key[i]) {
				say(why, why_size, "field %zu: NUL in key", m->n);
				return false;
			}
		}
		struct wire_field *f = &m->fields[m->n++];
		memcpy(m->body + out, key, kl);
		m->body[out + kl] = '\0';
		f->key = (const char *)m->body + out;
		out += kl + 1;
		memcpy(m->body + out, body + in, vl);
		m->body[out + vl] = '\0';
		f->val = (const char *)m->body + out;
		f->len = vl;
		out += vl + 1;
		in += vl;
	}
	return true;
}

enum wire_status wire_decode(const uint8_t *data, size_t len, struct wire_msg *m,
			     size_t *used, char *why, size_t why_size)
{
	uint32_t blen, crc;
	uint8_t hdr[WIRE_HDR_SIZE];

	*used = 0;
	if (len < WIRE_HDR_SIZE)
		return WIRE_NEED_MORE;
	if (get32(data) != WIRE_MAGIC) {
		say(why, why_size, "bad magic 0x%08x", get32(data));
		*used = 1;
		return WIRE_BAD;
	}
	if (get16(data + 4) != WIRE_VERSION) {
		say(why, why_size, "version %u, expected %u", get16(data + 4), WIRE_VERSION);
		*used = 4;	/* past the magic: resync on the next one */
		return WIRE_BAD;
	}
	blen = get32(data + 12);
	if (blen > WIRE_MAX_BODY) {
		say(why, why_size, "body length %u exceeds %u", blen, WIRE_MAX_BODY);
		*used = 4;
		return WIRE_BAD;
	}
	if (len - WIRE_HDR_SIZE < blen)
		return WIRE_NEED_MORE;
	memcpy(hdr, data, WIRE_HDR_SIZE);
	put32(hdr + 16, 0);
	crc = wire_crc32c(wire_crc32c(0, hdr, WIRE_HDR_SIZE), data + WIRE_HDR_SIZE, blen);
	if (crc != get32(data + 16)) {
		say(why, why_size, "CRC mismatch (type %u, seq %u, %u bytes)", get16(data + 6),
		    get32(data + 8), blen);
		*used = 4;
		return WIRE_BAD;
	}
	m->type = get16(data + 6);
	m->seq = get32(data + 8);
	*used = WIRE_HDR_SIZE + blen;
	if (m->type == 0 || m->type > WIRE_TYPE_MAX) {
		say(why, why_size, "unknown frame type %u (seq %u)", m->type, m->seq);
		return WIRE_BAD;
	}
	if (!parse_body(data + WIRE_HDR_SIZE, blen, m, why, why_size))
		return WIRE_BAD;
	return WIRE_OK;
}

void wire_decoder_init(struct wire_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

void wire_decoder_free(struct wire_decoder *d)
{
	free(d->buf);
	wire_decoder_init(d);
}

bool wire_feed(struct wire_decoder *d, const void *data, size_t len)
{
	/* Never hold more than one maximal frame plus a read's worth: a
	 * peer that sends garbage cannot make us grow without bound. */
	const size_t limit = 2 * (WIRE_HDR_SIZE + WIRE_MAX_BODY);

	if (d->len + len > limit) {
		size_t drop = d->len + len - limit;

		if (drop > d->len)
			drop = d->len;
		memmove(d->buf, d->buf + drop, d->len - drop);
		d->len -= drop;
		d->skipped += drop;
		if (len > limit) {
			d->skipped += len - limit;
			data = (const uint8_t *)data + (len - limit);
			len = limit;
		}
	}
	if (d->len + len > d->cap) {
		size_t cap = d->cap ? d->cap : 4096;

		while (cap < d->len + len)
			cap *= 2;
		uint8_t *n = realloc(d->buf, cap);
		if (!n)
			return false;
		d->buf = n;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, data, len);
	d->len += len;
	return true;
}

/* Length of the prefix of p that cannot start a frame: stops at a magic,
 * or at a partial magic at the very end (more bytes may complete it). */
static size_t junk_len(const uint8_t *p, size_t len)
{
	static const uint8_t magic[4] = { 'K', 'T', 'C', 'N' };
	size_t i;

	for (i = 0; i < len; i++) {
		size_t n = len - i < 4 ? len - i : 4;

		if (!memcmp(p + i, magic, n))
			break;
	}
	return i;
}

enum wire_status wire_next(struct wire_decoder *d, struct wire_msg *m,
			   char *why, size_t why_size)
{
	size_t used;
	enum wire_status st = wire_decode(d->buf, d->len, m, &used, why, why_size);

	if (st == WIRE_NEED_MORE)
		return st;
	if (st == WIRE_BAD) {
		/* Past what decode rejected, then on to the next magic. */
		size_t skip = used ? used : 1;

		skip += junk_len(d->buf + skip, d->len - skip);
		d->bad++;
		d->skipped += skip;
		used = skip;
	}
	memmove(d->buf, d->buf + used, d->len - used);
	d->len -= used;
	return st;
}

const struct wire_field *wire_field(const struct wire_msg *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->fields[i].key, key))
			return &m->fields[i];
	return NULL;
}

const char *wire_get(const struct wire_msg *m, const char *key)
{
	const struct wire_field *f = wire_field(m, key);

	return f ? f->val : NULL;
}

bool wire_val_u64(const struct wire_field *f, uint64_t *v)
{
	const char *s = f ? f->val : NULL;
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	*v = strtoull(s, &end, 10);
	return *end == '\0';
}

bool wire_val_i64(const struct wire_field *f, int64_t *v)
{
	const char *s = f ? f->val : NULL;
	char *end;

	if (!s || !*s)
		return false;
	*v = strtoll(s, &end, 10);
	return *end == '\0';
}

bool wire_get_u64(const struct wire_msg *m, const char *key, uint64_t *v)
{
	return wire_val_u64(wire_field(m, key), v);
}

bool wire_get_i64(const struct wire_msg *m, const char *key, int64_t *v)
{
	return wire_val_i64(wire_field(m, key), v);
}

/* ---- typed records ---- */

static void le_put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_get(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The header and room for n records of size bytes, zeroed; NULL (and b
 * failed) when they cannot be sent. */
static uint8_t *recs_begin(struct wire_buf *b, size_t n, size_t size,
			   uint8_t **val, size_t *len)
{
	if (n > WIRE_MAX_RECS) {
		b->failed = true;
		return NULL;
	}
	*len = WIRE_REC_HDR + n * size;
	*val = calloc(1, *len);
	if (!*val) {
		b->failed = true;
		return NULL;
	}
	le_put(*val, WIRE_REC_VERSION, 2);
	le_put(*val + 2, size, 2);
	le_put(*val + 4, n, 4);
	return *val + WIRE_REC_HDR;
}

void wire_put_pids(struct wire_buf *b, const char *key, const int32_t *pids, size_t n)
{
	uint8_t *val, *p;
	size_t len;

	if (!(p = recs_begin(b, n, WIRE_PID_REC_SIZE, &val, &len)))
		return;
	for (size_t i = 0; i < n; i++)
		le_put(p + i * WIRE_PID_REC_SIZE, (uint32_t)pids[i], 4);
	wire_put(b, key, val, len);
	free(val);
}

void wire_put_workers(struct wire_buf *b, const char *key, const struct wire_worker_rec *r,
		      size_t n)
{
	uint8_t *val, *p;
	size_t len;

	if (!(p = recs_begin(b, n, WIRE_WORKER_REC_SIZE, &val, &len)))
		return;
	for (size_t i = 0; i < n; i++, p += WIRE_WORKER_REC_SIZE) {
		const uint64_t u[] = {
			r[i].iterations, r[i].cpu_ns, r[i].nvcsw, r[i].nivcsw, r[i].migrations,
			r[i].max_gap_ns, r[i].max_wake_ns, r[i].wake_p50_ns, r[i].wake_p99_ns,
			r[i].wake_samples, r[i].run_delay_ns,
		};
		unsigned k;

		le_put(p, (uint32_t)r[i].pid, 4);
		for (k = 0; k < sizeof(u) / sizeof(u[0]); k++)
			le_put(p + 8 + 8 * k, u[k], 8);
		for (unsigned w = 0; w < WIRE_WORKER_CPU_WORDS; w++)
			le_put(p + 8 + 8 * (k + w), r[i].cpus[w], 8);
		le_put(p + WIRE_WORKER_REC_SIZE_V1, (uint32_t)r[i].cpu_now, 4);
	}
	wire_put(b, key, val, len);
	free(val);
}

static bool rec_fail(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool rec_fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (why && size) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return false;
}

bool wire_recs_check(const struct wire_field *f, size_t min_size, size_t *n, char *why,
		     size_t why_size)
{
	const uint8_t *p = (const uint8_t *)f->val;
	uint64_t ver, size, count;

	*n = 0;
	if (f->len < WIRE_REC_HDR)
		return rec_fail(why, why_size, "records: %llu bytes, shorter than the %llu-byte header",
				(unsigned long long)f->len, (unsigned long long)WIRE_REC_HDR);
	ver = le_get(p, 2);
	size = le_get(p + 2, 2);
	count = le_get(p + 4, 4);
	if (ver < WIRE_REC_VERSION_MIN || ver > WIRE_REC_VERSION)
		return rec_fail(why, why_size, "records: version %llu, this side reads %u to %u",
				(unsigned long long)ver, WIRE_REC_VERSION_MIN, WIRE_REC_VERSION);
	if (size < min_size)
		return rec_fail(why, why_size, "records: %llu bytes each, fewer than the %llu needed",
				(unsigned long long)size, (unsigned long long)min_size);
	if (count > WIRE_MAX_RECS)
		return rec_fail(why, why_size, "records: %llu of them, more than the %llu allowed",
				(unsigned long long)count, (unsigned long long)WIRE_MAX_RECS);
	if (f->len != WIRE_REC_HDR + count * size)
		return rec_fail(why, why_size, "records: %llu bytes of value, the header says %llu",
				(unsigned long long)f->len,
				(unsigned long long)(WIRE_REC_HDR + count * size));
	*n = (size_t)count;
	return true;
}

bool wire_workers_check(const struct wire_field *f, size_t *n, char *why, size_t why_size)
{
	const uint8_t *p = (const uint8_t *)f->val;

	if (!wire_recs_check(f, WIRE_WORKER_REC_SIZE_V1, n, why, why_size))
		return false;
	/* Checked above: the header is there. Version 2 promised cpu_now. */
	if (le_get(p, 2) >= 2 && le_get(p + 2, 2) < WIRE_WORKER_REC_SIZE) {
		*n = 0;
		return rec_fail(why, why_size, "records: version 2 worker records of %llu bytes, "
				"fewer than its %u", (unsigned long long)le_get(p + 2, 2),
				WIRE_WORKER_REC_SIZE);
	}
	return true;
}

static const uint8_t *rec_at(const struct wire_field *f, size_t i)
{
	const uint8_t *p = (const uint8_t *)f->val;

	return p + WIRE_REC_HDR + i * le_get(p + 2, 2);
}

int32_t wire_pid_at(const struct wire_field *f, size_t i)
{
	return (int32_t)(uint32_t)le_get(rec_at(f, i), 4);
}

void wire_worker_at(const struct wire_field *f, size_t i, struct wire_worker_rec *out)
{
	const uint8_t *p = rec_at(f, i), *hdr = (const uint8_t *)f->val;
	uint64_t *u[] = {
		&out->iterations, &out->cpu_ns, &out->nvcsw, &out->nivcsw, &out->migrations,
		&out->max_gap_ns, &out->max_wake_ns, &out->wake_p50_ns, &out->wake_p99_ns,
		&out->wake_samples, &out->run_delay_ns,
	};
	unsigned k;

	out->pid = (int32_t)(uint32_t)le_get(p, 4);
	for (k = 0; k < sizeof(u) / sizeof(u[0]); k++)
		*u[k] = le_get(p + 8 + 8 * k, 8);
	for (unsigned w = 0; w < WIRE_WORKER_CPU_WORDS; w++)
		out->cpus[w] = le_get(p + 8 + 8 * (k + w), 8);
	/* A version-1 record ends before cpu_now. */
	out->cpu_now = le_get(hdr, 2) >= 2 && le_get(hdr + 2, 2) >= WIRE_WORKER_REC_SIZE
		       ? (int32_t)(uint32_t)le_get(p + WIRE_WORKER_REC_SIZE_V1, 4) : -1;
}
