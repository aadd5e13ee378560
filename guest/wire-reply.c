/* wire-reply.c - OP_REPLY bodies and the error chain as frames; see
 * wire-reply.h. */
#include "guest/wire-reply.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Text within a bound: cut at max bytes (a guest message is never that
 * long; the cut keeps the reply decodable). */
static void put_text(struct wire_buf *b, const char *key, const char *s, size_t max)
{
	size_t n = strlen(s);

	wire_put(b, key, s, n > max ? max : n);
}

static void put_frame(struct wire_buf *b, size_t k, const struct kterr_frame *f)
{
	char key[32];

	snprintf(key, sizeof(key), "e.%zu.msg", k);
	put_text(b, key, f->msg, WIRE_ERR_MAX_TEXT);
	if (f->errnum > 0 && f->errnum <= WIRE_ERR_MAX_ERRNO) {
		snprintf(key, sizeof(key), "e.%zu.errno", k);
		wire_put_u64(b, key, (uint64_t)f->errnum);
		if (f->quiet) {
			snprintf(key, sizeof(key), "e.%zu.quiet", k);
			wire_put_str(b, key, "1");
		}
	}
	if (f->hint) {
		snprintf(key, sizeof(key), "e.%zu.hint", k);
		put_text(b, key, f->hint, WIRE_ERR_MAX_TEXT);
	}
	if (f->notes) {
		snprintf(key, sizeof(key), "e.%zu.notes", k);
		put_text(b, key, f->notes, WIRE_ERR_MAX_NOTES);
	}
}

void wire_put_error(struct wire_buf *b, const struct kterr *e)
{
	struct kterr_frame f;
	size_t n = 0, k = 0;

	while (kterr_frame_at(e, n, &f))
		n++;
	if (!n) {
		struct kterr_frame none = { .msg = "error" };

		wire_put_u64(b, "error", 1);
		put_frame(b, 0, &none);
		return;
	}
	/* A chain deeper than the bound keeps its outer frames and its leaf
	 * (where the errno usually is). */
	wire_put_u64(b, "error", n > WIRE_ERR_MAX_FRAMES ? WIRE_ERR_MAX_FRAMES : n);
	for (size_t i = 0; i < n; i++) {
		if (n > WIRE_ERR_MAX_FRAMES && i >= WIRE_ERR_MAX_FRAMES - 1 && i != n - 1)
			continue;
		kterr_frame_at(e, i, &f);
		put_frame(b, k++, &f);
	}
}

static void build(struct wire_buf *out, uint32_t seq, const struct kterr *e,
		  const struct wire_buf *res)
{
	wire_begin(out, WIRE_OP_REPLY, seq);
	if (e) {
		wire_put_error(out, e);
		return;
	}
	wire_put_str(out, "ok", "1");
	if (res && res->len > WIRE_HDR_SIZE) {
		size_t extra = res->len - WIRE_HDR_SIZE;
		uint8_t *n = out->failed ? NULL : realloc(out->data, out->len + extra);

		if (!n) {
			out->failed = true;
			return;
		}
		out->data = n;
		out->cap = out->len + extra;
		memcpy(out->data + out->len, res->data + WIRE_HDR_SIZE, extra);
		out->len += extra;
	}
}

bool wire_reply_build(struct wire_buf *out, uint32_t seq, const char *op,
		      const struct kterr *e, const struct wire_buf *res)
{
	struct kterr *oom;
	bool big = false, ok;

	if (e) {
		build(out, seq, e, NULL);
		return !out->failed;
	}
	if (!(res && res->failed)) {
		build(out, seq, NULL, res);
		big = !out->failed && out->len - WIRE_HDR_SIZE > WIRE_MAX_BODY;
		if (!out->failed && !big)
			return true;
	}
	/* The result is lost: say so rather than "ok" without its fields. */
	oom = big ? kterr_new(EMSGSIZE, "%s: the agent's reply is over %u bytes",
			      op ? op : "request", WIRE_MAX_BODY)
		  : kterr_new(ENOMEM, "%s: the agent ran out of memory building its reply",
			      op ? op : "request");
	oom = kterr_hint(oom, "the op may have been done: look at the guest's state");
	wire_buf_free(out);
	build(out, seq, oom, NULL);
	ok = !out->failed;
	kterr_free(oom);
	return ok;
}

/* ---- reading ---- */

static struct kterr *bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct kterr *bad(const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kterr_hint(kterr_new(EPROTO, "malformed error reply from the agent: %s", what),
			  "the agent and ktcon come from different builds, or the channel "
			  "corrupts frames: rebuild, and look at the guest console");
}

/* A key as it may be printed: the guest's bytes, control and non-ASCII
 * bytes shown as '?', cut to fit. */
static const char *shown(const char *key, char *buf, size_t size)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < size; i++)
		buf[i] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* A decimal in [lo, hi], all digits, no sign. */
static bool number(const struct wire_field *f, unsigned long lo, unsigned long hi,
		   unsigned long *out)
{
	char *end;

	if (!f->len || f->len > 10 || strspn(f->val, "0123456789") != f->len)
		return false;
	*out = strtoul(f->val, &end, 10);
	return *out >= lo && *out <= hi;
}

enum { F_MSG, F_ERRNO, F_QUIET, F_HINT, F_NOTES, F__N };

static const struct {
	const char *name;
	size_t max;
} parts[F__N] = {
	[F_MSG] = { "msg", WIRE_ERR_MAX_TEXT }, [F_ERRNO] = { "errno", 4 },
	[F_QUIET] = { "quiet", 1 }, [F_HINT] = { "hint", WIRE_ERR_MAX_TEXT },
	[F_NOTES] = { "notes", WIRE_ERR_MAX_NOTES },
};

#define SHOW(key) shown(key, sk, sizeof(sk))

struct kterr *wire_get_error(const struct wire_msg *m)
{
	const struct wire_field *cnt = wire_field(m, "error");
	const struct wire_field *got[WIRE_ERR_MAX_FRAMES][F__N] = { { 0 } };
	struct kterr_frame fr[WIRE_ERR_MAX_FRAMES] = { { 0 } };
	unsigned long n, v;
	char sk[48];

	if (!cnt)
		return NULL;
	if (!number(cnt, 1, WIRE_ERR_MAX_FRAMES, &n))
		return bad("error: the frame count is not a number from 1 to %d",
			   WIRE_ERR_MAX_FRAMES);
	for (size_t i = 0; i < m->n; i++) {
		const struct wire_field *f = &m->fields[i];
		const char *key = f->key, *dot;
		unsigned long k;
		char *end;
		size_t p;

		if (strncmp(key, "e.", 2))
			continue;
		if (key[2] < '0' || key[2] > '9' || !(dot = strchr(key + 2, '.')))
			return bad("%s: not e.K.PART (field %zu)", SHOW(key), i);
		k = strtoul(key + 2, &end, 10);
		if (end != dot || dot - (key + 2) > 2)
			return bad("%s: not e.K.PART (field %zu)", SHOW(key), i);
		if (k >= n)
			return bad("%s: a frame past the %lu the count says", SHOW(key), n);
		for (p = 0; p < F__N && strcmp(dot + 1, parts[p].name); p++)
			;
		if (p == F__N)
			return bad("%s: unknown part (field %zu)", SHOW(key), i);
		if (got[k][p])
			return bad("%s: given twice (field %zu)", SHOW(key), i);
		if (f->len > parts[p].max)
			return bad("%s: longer than %zu bytes", SHOW(key), parts[p].max);
		if (memchr(f->val, '\0', f->len))
			return bad("%s: a NUL byte in the text (field %zu)", SHOW(key), i);
		got[k][p] = f;
	}
	for (size_t k = 0; k < n; k++) {
		char key[32];

		snprintf(key, sizeof(key), "e.%zu.msg", k);
		if (!got[k][F_MSG])
			return bad("%s: missing (frame %zu has no message)", key, k);
		fr[k].msg = got[k][F_MSG]->val;
		fr[k].hint = got[k][F_HINT] ? got[k][F_HINT]->val : NULL;
		fr[k].notes = got[k][F_NOTES] ? got[k][F_NOTES]->val : NULL;
		if (got[k][F_ERRNO]) {
			if (!number(got[k][F_ERRNO], 1, WIRE_ERR_MAX_ERRNO, &v))
				return bad("%s: not an errno from 1 to %d", SHOW(got[k][F_ERRNO]->key),
					   WIRE_ERR_MAX_ERRNO);
			fr[k].errnum = (int)v;
		}
		if (got[k][F_QUIET]) {
			if (!number(got[k][F_QUIET], 1, 1, &v) || !fr[k].errnum)
				return bad("%s: only 1, and only with an errno (frame %zu)",
					   SHOW(got[k][F_QUIET]->key), k);
			fr[k].quiet = true;
		}
	}
	return kterr_from_frames(fr, n);
}

#undef SHOW
