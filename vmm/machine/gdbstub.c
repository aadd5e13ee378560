/* gdbstub.c - GDB remote protocol framing, replies and client; see gdbstub.h. */
#include "vmm/machine/gdbstub.h"
#include "lib/util.h"
#include "lib/wait.h"
#include "vmm/machine/unixsock.h"

/* Every gdb timeout's hint. */
#define STUCK_HINT "QEMU's gdb stub is stuck or the host is starved; on a loaded host " \
	"raise --timeout-scale"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define GDB_CONNECT_RETRY_NS (20 * 1000 * 1000ull)
/* A NAK'd packet is resent this many times before we give up: a link
 * that corrupts every packet is not one to keep talking over. */
#define GDB_MAX_RESENDS 3
/* Bound on a target description (QEMU's x86_64 one is ~10 KiB). */
#define GDB_MAX_XML (256u << 10)
#define GDB_MAX_XML_DEPTH 4

/* ---- hex ---- */

/* 1..16 hex digits, nothing else. */
static bool parse_hex64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 16)
		return false;
	for (i = 0; i < n; i++) {
		int h = kt_hexval((unsigned char)s[i]);

		if (h < 0)
			return false;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return true;
}

/* ---- packet reader ---- */

enum { R_IDLE, R_DATA, R_RLE, R_CSUM1, R_CSUM2 };

void gdb_reader_init(struct gdb_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->state = R_IDLE;
}

static void start_packet(struct gdb_reader *r, bool notify)
{
	r->state = R_DATA;
	r->notify = notify;
	r->escape = r->overflow = false;
	r->sum = 0;
	r->len = 0;
}

static void put(struct gdb_reader *r, char c)
{
	if (r->len < GDB_MAX_PACKET)
		r->buf[r->len++] = c;
	else
		r->overflow = true;
}

static void finish(struct gdb_reader *r, struct gdb_rx *out)
{
	static const char too_long[] = "packet longer than the limit";
	static const char bad_sum[] = "bad checksum";

	r->state = R_IDLE;
	r->buf[r->len] = '\0';
	if (r->overflow || r->csum != r->sum) {
		out->kind = GDB_RX_BAD;
		out->data = r->overflow ? too_long : bad_sum;
		out->len = strlen(out->data);
		return;
	}
	out->kind = r->notify ? GDB_RX_NOTIFY : GDB_RX_PACKET;
	out->data = r->buf;
	out->len = r->len;
}

size_t gdb_reader_feed(struct gdb_reader *r, const void *data, size_t len,
		       struct gdb_rx *out)
{
	const unsigned char *p = data;
	size_t i;

	out->kind = GDB_RX_NONE;
	out->data = NULL;
	out->len = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];
		int h;

		switch (r->state) {
		case R_IDLE:
			if (c == '+' || c == '-') {
				out->kind = c == '+' ? GDB_RX_ACK : GDB_RX_NAK;
				return i + 1;
			}
			if (c == '$' || c == '%')
				start_packet(r, c == '%');
			else
				r->junk++;
			break;
		case R_DATA:
			if (c == '#') {
				r->state = R_CSUM1;
				break;
			}
			if (c == '$' && !r->escape) {
				/* A new packet before this one ended: the rest
				 * was lost; resync on the new one. */
				r->junk += r->len + 1;
				start_packet(r, false);
				break;
			}
			r->sum += c;
			if (r->escape) {
				put(r, (char)(c ^ 0x20));
				r->escape = false;
			} else if (c == '}') {
				r->escape = true;
			} else if (c == '*') {
				r->state = R_RLE;
			} else {
				put(r, (char)c);
			}
			break;
		case R_RLE:
			r->sum += c;
			r->state = R_DATA;
			/* "X*c" repeats X c-29 more times; a run with no X
			 * before it, or a count char that is not printable,
			 * is corruption. */
			if (!r->len || c < 32 || c > 126) {
				r->overflow = true;
				break;
			}
			for (h = 0; h < c - 29; h++)
				put(r, r->buf[r->len - 1]);
			break;
		case R_CSUM1:
		case R_CSUM2:
			h = kt_hexval(c);
			if (h < 0) {
				r->csum = (unsigned char)~r->sum;	/* force BAD */
				finish(r, out);
				return i + 1;
			}
			if (r->state == R_CSUM1) {
				r->csum = (unsigned char)(h << 4);
				r->state = R_CSUM2;
				break;
			}
			r->csum |= (unsigned char)h;
			finish(r, out);
			return i + 1;
		}
	}
	return len;
}

struct kterr *gdb_frame(const char *payload, size_t len, char *out, size_t size,
			size_t *outlen)
{
	unsigned char sum = 0;
	size_t o = 0, i;

	if (size < 5)
		return kterr_new(E2BIG, "gdb: no room to frame a packet");
	out[o++] = '$';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)payload[i];
		bool esc = c == '$' || c == '#' || c == '}' || c == '*';

		if (o + (esc ? 2 : 1) + 4 > size)
			return kterr_new(E2BIG, "gdb: packet of %zu bytes does not fit %zu",
					 len, size);
		if (esc) {
			out[o++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[o++] = (char)c;
		sum += c;
	}
	o += (size_t)snprintf(out + o, size - o, "#%02x", sum);
	*outlen = o;
	return NULL;
}

/* ---- replies ---- */

struct kterr *gdb_reply_ok(const char *what, const char *p, size_t n)
{
	if (n == 2 && !memcmp(p, "OK", 2))
		return NULL;
	if (!n)
		return kterr_new(ENOTSUP, "%s: not supported by this gdbstub", what);
	if (p[0] == 'E')
		return kterr_new(EIO, "%s: gdbstub error %.*s", what, (int)(n > 8 ? 8 : n), p);
	return kterr_new(EPROTO, "%s: unexpected reply \"%.*s\"", what, (int)(n > 40 ? 40 : n), p);
}

struct kterr *gdb_parse_tid(const char *s, size_t n, struct gdb_tid *out)
{
	const char *dot;
	uint64_t v;

	out->pid = 0;
	if (n == 2 && !memcmp(s, "-1", 2)) {
		out->tid = -1;
		return NULL;
	}
	if (n && s[0] == 'p') {
		dot = memchr(s, '.', n);
		if (!parse_hex64(s + 1, (size_t)((dot ? dot : s + n) - s - 1), &v) ||
		    v > INT64_MAX)
			goto bad;
		out->pid = (int64_t)v;
		if (!dot) {
			out->tid = -1;	/* "pPID": all threads of the process */
			return NULL;
		}
		n -= (size_t)(dot + 1 - s);
		s = dot + 1;
		if (n == 2 && !memcmp(s, "-1", 2)) {
			out->tid = -1;
			return NULL;
		}
	}
	if (!parse_hex64(s, n, &v) || v > INT64_MAX)
		goto bad;
	out->tid = (int64_t)v;
	return NULL;
bad:
	return kterr_new(EPROTO, "gdb: bad thread id \"%.*s\"", (int)(n > 40 ? 40 : n), s);
}

int gdb_format_tid(struct gdb_tid t, char *buf, size_t size)
{
	char tid[24];

	if (t.tid < 0)
		snprintf(tid, sizeof(tid), "-1");
	else
		snprintf(tid, sizeof(tid), "%" PRIx64, (uint64_t)t.tid);
	if (t.pid > 0)
		return snprintf(buf, size, "p%" PRIx64 ".%s", (uint64_t)t.pid, tid);
	return snprintf(buf, size, "%s", tid);
}

struct kterr *gdb_parse_thread_list(const char *p, size_t n, struct gdb_tid *tids,
				    size_t max, size_t *count, bool *last)
{
	size_t i, start;

	*last = false;
	if (n == 1 && p[0] == 'l') {
		*last = true;
		return NULL;
	}
	if (n < 2 || p[0] != 'm')
		return kterr_new(EPROTO, "gdb: bad thread list \"%.*s\"",
				 (int)(n > 40 ? 40 : n), p);
	for (start = i = 1; i <= n; i++) {
		struct kterr *e;

		if (i < n && p[i] != ',')
			continue;
		if (*count >= max)
			return kterr_new(E2BIG, "gdb: more than %zu threads", max);
		e = gdb_parse_tid(p + start, i - start, &tids[*count]);
		if (e)
			return kterr_wrap(e, "gdb: thread list");
		(*count)++;
		start = i + 1;
	}
	return NULL;
}

/* Stop-reply fields (T packets, "name:value;"), by name. Names not here and
 * not register numbers are ignored, as the protocol asks. */
static struct kterr *f_thread(struct gdb_stop *s, const char *v, size_t n, int arg)
{
	s->has_thread = true;
	return gdb_parse_tid(v, n, &s->thread);
}

static struct kterr *f_watch(struct gdb_stop *s, const char *v, size_t n, int arg)
{
	if (!parse_hex64(v, n, &s->watch_addr))
		return kterr_new(EPROTO, "gdb: bad watch address \"%.*s\"",
				 (int)(n > 40 ? 40 : n), v);
	s->watch = (enum gdb_watch_kind)arg;
	return NULL;
}

static struct kterr *f_flag(struct gdb_stop *s, const char *v, size_t n, int arg)
{
	if (arg)
		s->hwbreak = true;
	else
		s->swbreak = true;
	return NULL;
}

static struct kterr *f_core(struct gdb_stop *s, const char *v, size_t n, int arg)
{
	uint64_t c;

	if (!parse_hex64(v, n, &c) || c > INT32_MAX)
		return kterr_new(EPROTO, "gdb: bad core \"%.*s\"", (int)(n > 40 ? 40 : n), v);
	s->core = (int)c;
	return NULL;
}

static const struct {
	const char *name;
	struct kterr *(*fn)(struct gdb_stop *s, const char *v, size_t n, int arg);
	int arg;
} stop_fields[] = {
	{ "thread", f_thread, 0 },
	{ "watch", f_watch, GDB_WATCH_WRITE },
	{ "rwatch", f_watch, GDB_WATCH_READ },
	{ "awatch", f_watch, GDB_WATCH_ACCESS },
	{ "swbreak", f_flag, 0 },
	{ "hwbreak", f_flag, 1 },
	{ "core", f_core, 0 },
};

static struct kterr *stop_field(struct gdb_stop *s, const char *f, size_t n)
{
	const char *colon = memchr(f, ':', n);
	size_t nl, i;
	uint64_t ignored;

	if (!colon)
		return kterr_new(EPROTO, "gdb: stop reply field \"%.*s\" has no ':'",
				 (int)(n > 40 ? 40 : n), f);
	nl = (size_t)(colon - f);
	for (i = 0; i < ARRAY_SIZE(stop_fields); i++)
		if (strlen(stop_fields[i].name) == nl && !memcmp(f, stop_fields[i].name, nl))
			return stop_fields[i].fn(s, colon + 1, n - nl - 1, stop_fields[i].arg);
	/* A register number with its value: valid hex or corrupt. */
	if (parse_hex64(f, nl, &ignored)) {
		for (i = nl + 1; i < n; i++)
			if (kt_hexval((unsigned char)f[i]) < 0 && f[i] != 'x')
				return kterr_new(EPROTO, "gdb: bad register value in \"%.*s\"",
						 (int)(n > 40 ? 40 : n), f);
	}
	return NULL;
}

struct kterr *gdb_parse_stop(const char *p, size_t n, struct gdb_stop *out)
{
	uint64_t code;
	size_t i, start;

	memset(out, 0, sizeof(*out));
	out->core = -1;
	if (n < 3)
		goto bad;
	switch (p[0]) {
	case 'S':
	case 'T':
		out->kind = GDB_STOP_SIGNAL;
		break;
	case 'W':
		out->kind = GDB_STOP_EXITED;
		break;
	case 'X':
		out->kind = GDB_STOP_KILLED;
		break;
	default:
		goto bad;
	}
	if (!parse_hex64(p + 1, 2, &code))
		goto bad;
	out->code = (unsigned)code;
	if (p[0] == 'S') {
		if (n != 3)
			goto bad;
		return NULL;
	}
	if (p[0] != 'T')
		return NULL;	/* W/X: ";process:PID" may follow; nothing we use */
	for (start = i = 3; i <= n; i++) {
		struct kterr *e;

		if (i < n && p[i] != ';')
			continue;
		if (i > start) {
			e = stop_field(out, p + start, i - start);
			if (e)
				return e;
		}
		start = i + 1;
	}
	return NULL;
bad:
	return kterr_new(EPROTO, "gdb: not a stop reply: \"%.*s\"", (int)(n > 40 ? 40 : n), p);
}

/* ---- target description ---- */

static const char *find(const char *s, size_t n, const char *what)
{
	size_t wl = strlen(what), i;

	for (i = 0; i + wl <= n; i++)
		if (!memcmp(s + i, what, wl))
			return s + i;
	return NULL;
}

/* attr="value" (or '...') inside tag[0..n); false when absent. */
static bool tag_attr(const char *tag, size_t n, const char *attr, char *buf, size_t size)
{
	size_t al = strlen(attr), i;

	for (i = 1; i + al + 2 < n; i++) {
		const char *v, *end;
		char q;

		if (tag[i - 1] != ' ' && tag[i - 1] != '\t' && tag[i - 1] != '\n' &&
		    tag[i - 1] != '\r')
			continue;
		if (memcmp(tag + i, attr, al) || tag[i + al] != '=')
			continue;
		q = tag[i + al + 1];
		if (q != '"' && q != '\'')
			return false;
		v = tag + i + al + 2;
		end = memchr(v, q, n - (size_t)(v - tag));
		if (!end || (size_t)(end - v) >= size)
			return false;
		memcpy(buf, v, (size_t)(end - v));
		buf[end - v] = '\0';
		return true;
	}
	return false;
}

static bool parse_dec(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static struct kterr *xml_reg(const char *tag, size_t n, size_t at, struct gdb_xml_item *out)
{
	char bits[16], num[16];
	unsigned long v;

	out->kind = GDB_XML_REG;
	out->regnum = -1;
	if (!tag_attr(tag, n, "name", out->name, sizeof(out->name)) || !out->name[0])
		return kterr_new(EPROTO, "gdb target xml: byte %zu: <reg> without a usable name", at);
	if (!tag_attr(tag, n, "bitsize", bits, sizeof(bits)) || !parse_dec(bits, 4096, &v) || !v)
		return kterr_new(EPROTO, "gdb target xml: byte %zu: <reg name=\"%s\"> has no valid bitsize",
				 at, out->name);
	out->bitsize = (unsigned)v;
	if (tag_attr(tag, n, "regnum", num, sizeof(num))) {
		if (!parse_dec(num, 4096, &v))
			return kterr_new(EPROTO, "gdb target xml: byte %zu: <reg name=\"%s\"> bad regnum",
					 at, out->name);
		out->regnum = (long)v;
	}
	return NULL;
}

struct kterr *gdb_xml_next(const char *xml, size_t len, size_t *pos,
			   struct gdb_xml_item *out)
{
	memset(out, 0, sizeof(*out));
	while (*pos < len) {
		const char *lt = memchr(xml + *pos, '<', len - *pos), *gt, *end;
		size_t at, rest, n;

		if (!lt)
			break;
		at = (size_t)(lt - xml);
		rest = len - at;
		if (rest >= 4 && !memcmp(lt, "<!--", 4)) {
			end = find(lt + 4, rest - 4, "-->");
			if (!end)
				return kterr_new(EPROTO, "gdb target xml: byte %zu: unterminated comment", at);
			*pos = (size_t)(end - xml) + 3;
			continue;
		}
		gt = memchr(lt, '>', rest);
		if (!gt)
			return kterr_new(EPROTO, "gdb target xml: byte %zu: unterminated tag", at);
		n = (size_t)(gt - lt) + 1;
		*pos = at + n;
		if (n > 5 && !memcmp(lt, "<reg", 4) && (lt[4] == ' ' || lt[4] == '\t' || lt[4] == '\n'))
			return xml_reg(lt, n, at, out);
		if (n > 12 && !memcmp(lt, "<xi:include", 11)) {
			out->kind = GDB_XML_INCLUDE;
			if (!tag_attr(lt, n, "href", out->name, sizeof(out->name)) || !out->name[0])
				return kterr_new(EPROTO, "gdb target xml: byte %zu: <xi:include> without href", at);
			return NULL;
		}
	}
	out->kind = GDB_XML_END;
	*pos = len;
	return NULL;
}

void gdb_tdesc_init(struct gdb_tdesc *td)
{
	memset(td, 0, sizeof(*td));
}

void gdb_tdesc_release(struct gdb_tdesc *td)
{
	free(td->regs);
	gdb_tdesc_init(td);
}

struct kterr *gdb_tdesc_add(struct gdb_tdesc *td, const char *name, unsigned bitsize,
			    long regnum)
{
	struct gdb_reg_desc *r;

	if (regnum < 0)
		regnum = td->next_regnum;
	if (regnum > 4096 || td->n >= 4096)
		return kterr_new(E2BIG, "gdb target: register %s number %ld out of range",
				 name, regnum);
	if (td->n == td->cap) {
		size_t cap = td->cap ? td->cap * 2 : 64;
		struct gdb_reg_desc *nr = realloc(td->regs, cap * sizeof(*nr));

		if (!nr)
			return kterr_new(ENOMEM, "gdb target: out of memory");
		td->regs = nr;
		td->cap = cap;
	}
	r = &td->regs[td->n++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->regnum = (unsigned)regnum;
	r->bitsize = bitsize;
	r->g_offset = -1;
	td->next_regnum = (unsigned)regnum + 1;
	return NULL;
}

static int regnum_cmp(const void *a, const void *b)
{
	const struct gdb_reg_desc *x = a, *y = b;

	return (x->regnum > y->regnum) - (x->regnum < y->regnum);
}

/* GDB's `g` packet is the registers in number order, each its bitsize
 * wide; a gap in the numbering means we cannot know what follows. */
void gdb_tdesc_layout(struct gdb_tdesc *td)
{
	long off = 0;
	unsigned expect = 0;
	size_t i;

	if (!td->n)
		return;
	qsort(td->regs, td->n, sizeof(*td->regs), regnum_cmp);
	for (i = 0; i < td->n; i++)
		td->regs[i].g_offset = -1;
	for (i = 0; i < td->n; i++) {
		struct gdb_reg_desc *r = &td->regs[i];

		if (r->regnum != expect || r->bitsize % 8)
			break;
		r->g_offset = off;
		off += r->bitsize / 8;
		expect++;
	}
}

const struct gdb_reg_desc *gdb_tdesc_find(const struct gdb_tdesc *td, const char *name)
{
	size_t i;

	for (i = 0; i < td->n; i++)
		if (!strcmp(td->regs[i].name, name))
			return &td->regs[i];
	return NULL;
}

/* ---- x86_64 registers ---- */

#define X86(f) { #f, offsetof(struct gdb_x86_regs, f) }
static const struct {
	const char *name;
	size_t off;
} x86_fields[] = {
	X86(rax), X86(rbx), X86(rcx), X86(rdx), X86(rsi), X86(rdi), X86(rbp), X86(rsp),
	X86(r8), X86(r9), X86(r10), X86(r11), X86(r12), X86(r13), X86(r14), X86(r15),
	X86(rip), X86(eflags),
	X86(cs), X86(ss), X86(ds), X86(es), X86(fs), X86(gs),
	X86(fs_base), X86(gs_base), X86(k_gs_base),
	X86(cr0), X86(cr2), X86(cr3), X86(cr4), X86(cr8), X86(efer),
};
#undef X86

_Static_assert(ARRAY_SIZE(x86_fields) <= 64, "have is a 64-bit mask");

size_t gdb_x86_reg_count(void)
{
	return ARRAY_SIZE(x86_fields);
}

const char *gdb_x86_reg_name(size_t i)
{
	return i < ARRAY_SIZE(x86_fields) ? x86_fields[i].name : NULL;
}

static long x86_index(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(x86_fields); i++)
		if (!strcmp(x86_fields[i].name, name))
			return (long)i;
	return -1;
}

bool gdb_x86_has(const struct gdb_x86_regs *r, const char *name)
{
	long i = x86_index(name);

	return i >= 0 && (r->have >> i & 1);
}

static void x86_set(struct gdb_x86_regs *r, size_t i, uint64_t v)
{
	memcpy((char *)r + x86_fields[i].off, &v, sizeof(v));
	r->have |= 1ull << i;
}

/* Little-endian hex of nbytes (<= 8) at hex; false when unavailable. */
static bool decode_le(const char *hex, unsigned nbytes, uint64_t *out, bool *corrupt)
{
	uint64_t v = 0;
	unsigned i;

	*corrupt = false;
	for (i = 0; i < nbytes; i++) {
		int hi = kt_hexval((unsigned char)hex[2 * i]);
		int lo = kt_hexval((unsigned char)hex[2 * i + 1]);

		if (hex[2 * i] == 'x' && hex[2 * i + 1] == 'x')
			return false;
		if (hi < 0 || lo < 0) {
			*corrupt = true;
			return false;
		}
		v |= (uint64_t)(hi << 4 | lo) << (8 * i);
	}
	*out = v;
	return true;
}

struct kterr *gdb_x86_from_g(const struct gdb_tdesc *td, const char *hex, size_t n,
			     struct gdb_x86_regs *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (n % 2)
		return kterr_new(EPROTO, "gdb: register reply has an odd length %zu", n);
	for (i = 0; i < ARRAY_SIZE(x86_fields); i++) {
		const struct gdb_reg_desc *d = gdb_tdesc_find(td, x86_fields[i].name);
		uint64_t v;
		bool corrupt;

		if (!d || d->g_offset < 0 || d->bitsize > 64)
			continue;
		if ((size_t)d->g_offset * 2 + d->bitsize / 4 > n)
			continue;	/* not in `g`: read with `p` */
		if (decode_le(hex + d->g_offset * 2, d->bitsize / 8, &v, &corrupt))
			x86_set(out, i, v);
		else if (corrupt)
			return kterr_new(EPROTO, "gdb: register %s: bad hex in the reply", d->name);
	}
	return NULL;
}

/* ---- client ---- */

struct gdb {
	int fd;
	char *path;
	int timeout_ms;
	FILE *trace;
	bool ack_mode, stopped, eof;
	size_t packet_size;
	struct gdb_reader rd;
	unsigned char in[4096];
	size_t in_off, in_len;
	char *early;		/* a packet that came while we waited for an ack */
	size_t early_len;
	char *reply;		/* the last packet received */
	size_t reply_len;
	struct gdb_tdesc td;
	struct gdb_tid cur_g;
	bool cur_g_valid;
	struct gdb_stop last_stop;
};

static uint64_t deadline_of(const struct gdb *g)
{
	return kt_now_ns() + (uint64_t)g->timeout_ms * 1000000;
}

static struct kterr *write_all(struct gdb *g, const void *data, size_t len)
{
	unixsock_trace(g->trace, '>', data, len);
	return unixsock_send_all(g->fd, data, len, deadline_of(g), "gdb", g->path, "gdb");
}

/* The next ack, nak or packet; packets are acked (or nak'd when corrupt)
 * here in ack mode. *none is set when deadline_ns passes first. */
static struct kterr *next_item(struct gdb *g, uint64_t deadline_ns, struct gdb_rx *rx,
			       bool *none)
{
	struct kt_wait w;
	bool waiting = false;

	*none = false;
	for (;;) {
		struct pollfd pfd = { .fd = g->fd, .events = POLLIN };
		ssize_t n;
		int rc;

		while (g->in_off < g->in_len) {
			g->in_off += gdb_reader_feed(&g->rd, g->in + g->in_off,
						     g->in_len - g->in_off, rx);
			if (rx->kind == GDB_RX_NONE)
				continue;
			if (g->ack_mode && (rx->kind == GDB_RX_PACKET || rx->kind == GDB_RX_BAD)) {
				struct kterr *e = write_all(g, rx->kind == GDB_RX_BAD ? "-" : "+", 1);

				if (e)
					return e;
			}
			if (rx->kind == GDB_RX_BAD && !g->ack_mode)
				return kterr_new(EPROTO, "gdb %s: %s (no-ack mode: cannot ask again)",
						 g->path, rx->data);
			if (rx->kind == GDB_RX_BAD || rx->kind == GDB_RX_NOTIFY)
				continue;	/* the stub resends; notifications are non-stop only */
			return NULL;
		}
		if (g->eof)
			return kterr_new(ECONNRESET, "gdb %s: QEMU closed the socket", g->path);
		n = read(g->fd, g->in, sizeof(g->in));
		if (n > 0) {
			unixsock_trace(g->trace, '<', g->in, (size_t)n);
			g->in_off = 0;
			g->in_len = (size_t)n;
			continue;
		}
		if (n == 0) {
			g->eof = true;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return kterr_errno("gdb %s: read", g->path);
		if (!waiting) {
			/* The deadline's rest, measured: a poll that returns
			 * late because ktcon was not running does not count. */
			kt_wait_begin_ms(&w, unixsock_ms_until(deadline_ns), "gdb %s", g->path);
			waiting = true;
		}
		rc = poll(&pfd, 1, kt_wait_nap_ms(&w, 100));
		if (rc < 0 && errno != EINTR)
			return kterr_errno("gdb %s: poll", g->path);
		if (rc == 0 && kt_wait_expired(&w)) {
			*none = true;
			return NULL;
		}
	}
}

static struct kterr *keep(char **dst, size_t *dlen, const struct gdb_rx *rx)
{
	char *c = realloc(*dst, rx->len + 1);

	if (!c)
		return kterr_new(ENOMEM, "gdb: out of memory");
	memcpy(c, rx->data, rx->len);
	c[rx->len] = '\0';
	*dst = c;
	*dlen = rx->len;
	return NULL;
}

static struct kterr *send_packet(struct gdb *g, const char *payload)
{
	char frame[GDB_MAX_PACKET + 8];
	size_t flen;
	int tries;
	struct kterr *e = gdb_frame(payload, strlen(payload), frame, sizeof(frame), &flen);

	if (e)
		return e;
	for (tries = 0; tries <= GDB_MAX_RESENDS; tries++) {
		uint64_t deadline = deadline_of(g);
		struct gdb_rx rx;
		bool none;

		e = write_all(g, frame, flen);
		if (e || !g->ack_mode)
			return e;
		for (;;) {
			e = next_item(g, deadline, &rx, &none);
			if (e)
				return e;
			if (none)
				return kterr_hint(kterr_silent(ETIMEDOUT, "gdb %s: no ack for \"%.20s\" "
							       "within %d ms (gdb-reply x scale %g)",
							       g->path, payload, g->timeout_ms,
							       kt_scale()), "%s", STUCK_HINT);
			if (rx.kind == GDB_RX_ACK)
				return NULL;
			if (rx.kind == GDB_RX_NAK)
				break;
			/* A packet before the ack (a stop reply racing
			 * our request): keep it, it implies the ack. */
			return keep(&g->early, &g->early_len, &rx);
		}
	}
	return kterr_new(EIO, "gdb %s: \"%.20s\" refused %d times (bad checksum)",
			 g->path, payload, GDB_MAX_RESENDS + 1);
}

/* The next packet; *none when the deadline passes first. */
static struct kterr *recv_packet(struct gdb *g, uint64_t deadline_ns, bool *none)
{
	struct gdb_rx rx;
	struct kterr *e;

	*none = false;
	if (g->early) {
		free(g->reply);
		g->reply = g->early;
		g->reply_len = g->early_len;
		g->early = NULL;
		return NULL;
	}
	for (;;) {
		e = next_item(g, deadline_ns, &rx, none);
		if (e || *none)
			return e;
		if (rx.kind == GDB_RX_PACKET)
			return keep(&g->reply, &g->reply_len, &rx);
		/* a stray ack or nak: nothing was waiting for it */
	}
}

static bool is_stop_reply(const char *p, size_t n)
{
	return n >= 3 && (p[0] == 'T' || p[0] == 'S') && kt_hexval((unsigned char)p[1]) >= 0 &&
	       kt_hexval((unsigned char)p[2]) >= 0;
}

/* Send a request and wait for its reply in g->reply. */
static struct kterr *transact(struct gdb *g, const char *req)
{
	bool none;
	struct kterr *e;

	if (!g->stopped)
		return kterr_hint(kterr_new(EBUSY, "gdb %s: \"%.20s\" needs the guest stopped",
					    g->path, req), "interrupt first");
	e = send_packet(g, req);
	while (!e) {
		e = recv_packet(g, deadline_of(g), &none);
		if (!e && none)
			e = kterr_hint(kterr_silent(ETIMEDOUT, "gdb %s: no reply to \"%.20s\" within "
						    "%d ms (gdb-reply x scale %g)", g->path, req,
						    g->timeout_ms, kt_scale()), "%s", STUCK_HINT);
		/* QEMU announces the stop that a connecting client causes
		 * ("T02thread:01;") on its own, before it answers the first
		 * request: a stop is the reply to "?" only. */
		if (e || !strcmp(req, "?") || !is_stop_reply(g->reply, g->reply_len))
			break;
		if (!gdb_parse_stop(g->reply, g->reply_len, &g->last_stop))
			g->last_stop.stopped_ns = kt_now_ns();
	}
	return e;
}

void gdb_set_timeout(struct gdb *g, int timeout_ms)
{
	g->timeout_ms = timeout_ms > 0 ? timeout_ms : (int)kt_limit_ms(KT_LIM_GDB_REPLY);
}

void gdb_set_trace(struct gdb *g, FILE *f)
{
	g->trace = f;
}

const struct gdb_tdesc *gdb_target(const struct gdb *g)
{
	return &g->td;
}

bool gdb_is_stopped(const struct gdb *g)
{
	return g->stopped;
}

bool gdb_acks(const struct gdb *g)
{
	return g->ack_mode;
}

bool gdb_buffered(const struct gdb *g)
{
	return g->early || g->in_off < g->in_len;
}

int gdb_fd(const struct gdb *g)
{
	return g->fd;
}

static bool is_feature(const char *f, size_t fl, const char *name)
{
	return fl == strlen(name) && !memcmp(f, name, fl);
}

static void features(struct gdb *g, const char *p, size_t n, bool *xfer, bool *noack)
{
	static const char psize[] = "PacketSize=";
	size_t i, start, pl = sizeof(psize) - 1;

	for (start = i = 0; i <= n; i++) {
		const char *f = p + start;
		size_t fl = i - start;
		uint64_t v;

		if (i < n && p[i] != ';')
			continue;
		start = i + 1;
		if (fl > pl && !memcmp(f, psize, pl) && parse_hex64(f + pl, fl - pl, &v) && v >= 64)
			g->packet_size = v < GDB_MAX_PACKET ? (size_t)v : GDB_MAX_PACKET;
		else if (is_feature(f, fl, "qXfer:features:read+"))
			*xfer = true;
		else if (is_feature(f, fl, "QStartNoAckMode+"))
			*noack = true;
	}
}

/* Read an annex of the target description (qXfer, in chunks). */
static struct kterr *read_annex(struct gdb *g, const char *annex, char **out, size_t *len)
{
	size_t chunk = g->packet_size - 8, total = 0;
	char *buf = NULL, req[128];
	struct kterr *e;

	for (;;) {
		char *nb;

		snprintf(req, sizeof(req), "qXfer:features:read:%s:%zx,%zx", annex, total, chunk);
		e = transact(g, req);
		if (e)
			goto fail;
		if (!g->reply_len || (g->reply[0] != 'm' && g->reply[0] != 'l')) {
			e = gdb_reply_ok(req, g->reply, g->reply_len);
			if (!e)
				e = kterr_new(EPROTO, "%s: unexpected OK", req);
			goto fail;
		}
		if (total + g->reply_len > GDB_MAX_XML) {
			e = kterr_new(E2BIG, "gdb target %s: larger than %u bytes", annex, GDB_MAX_XML);
			goto fail;
		}
		nb = realloc(buf, total + g->reply_len);
		if (!nb) {
			e = kterr_new(ENOMEM, "gdb: out of memory");
			goto fail;
		}
		buf = nb;
		memcpy(buf + total, g->reply + 1, g->reply_len - 1);
		total += g->reply_len - 1;
		if (g->reply[0] == 'l')
			break;
		if (g->reply_len == 1) {
			e = kterr_new(EPROTO, "gdb target %s: empty 'm' chunk", annex);
			goto fail;
		}
	}
	*out = buf;
	*len = total;
	return NULL;
fail:
	free(buf);
	return e;
}

static struct kterr *load_tdesc(struct gdb *g, const char *annex, int depth)
{
	struct gdb_xml_item it;
	size_t len = 0, pos = 0;
	char *xml = NULL;
	struct kterr *e;

	if (depth > GDB_MAX_XML_DEPTH)
		return kterr_new(ELOOP, "gdb target %s: includes nested deeper than %d",
				 annex, GDB_MAX_XML_DEPTH);
	e = read_annex(g, annex, &xml, &len);
	while (!e) {
		e = gdb_xml_next(xml, len, &pos, &it);
		if (e || it.kind == GDB_XML_END)
			break;
		if (it.kind == GDB_XML_REG)
			e = gdb_tdesc_add(&g->td, it.name, it.bitsize, it.regnum);
		else
			e = load_tdesc(g, it.name, depth + 1);
	}
	free(xml);
	return kterr_wrap(e, "gdb: reading %s", annex);
}

static struct kterr *dial(const char *path, uint64_t deadline_ns, int *fdp)
{
	bool waited_out;
	struct kterr *e = unixsock_connect("gdb", path, deadline_ns, GDB_CONNECT_RETRY_NS, fdp,
					   &waited_out);

	return waited_out ? kterr_hint(e, "is QEMU running with -chardev socket,id=g,path=%s,"
				       "server=on,wait=off -gdb chardev:g?", path) : e;
}

static struct kterr *handshake(struct gdb *g)
{
	bool xfer = false, noack = false;
	struct kterr *e;

	/* multiprocess+ makes QEMU's thread ids "pPID.TID" always; it keeps
	 * the setting across connections, so asking fixes the form. */
	e = transact(g, "qSupported:multiprocess+;xmlRegisters=i386;swbreak+;hwbreak+");
	if (e)
		return e;
	features(g, g->reply, g->reply_len, &xfer, &noack);
	if (noack) {
		e = transact(g, "QStartNoAckMode");
		if (e)
			return e;
		if (g->reply_len == 2 && !memcmp(g->reply, "OK", 2))
			g->ack_mode = false;
	}
	if (!xfer)
		return kterr_hint(kterr_new(ENOTSUP, "gdb %s: the stub offers no target description",
					    g->path),
				  "ktcon needs QEMU's gdbstub (qXfer:features:read)");
	e = load_tdesc(g, "target.xml", 0);
	if (e)
		return e;
	gdb_tdesc_layout(&g->td);
	if (!gdb_tdesc_find(&g->td, "rip") || !gdb_tdesc_find(&g->td, "cr3"))
		return kterr_new(ENOTSUP, "gdb %s: target has no rip or cr3: not x86_64?", g->path);

	e = transact(g, "?");
	if (e)
		return e;
	e = gdb_parse_stop(g->reply, g->reply_len, &g->last_stop);
	if (e)
		return e;
	g->last_stop.stopped_ns = kt_now_ns();
	return NULL;
}

struct kterr *gdb_connect(const char *path, uint64_t deadline_ns, FILE *trace,
			  struct gdb **out)
{
	struct gdb *g;
	struct kterr *e;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (g && !(g->path = strdup(path))) {
		free(g);
		g = NULL;
	}
	if (!g)
		return kterr_new(ENOMEM, "gdb %s: out of memory", path);
	g->fd = -1;
	g->timeout_ms = (int)kt_limit_ms(KT_LIM_GDB_REPLY);
	g->trace = trace;
	g->ack_mode = true;
	g->packet_size = 1024;	/* until the stub says */
	/* A fresh connection: QEMU has just stopped the guest. */
	g->stopped = true;
	gdb_reader_init(&g->rd);
	gdb_tdesc_init(&g->td);

	e = dial(path, deadline_ns, &g->fd);
	if (!e && fcntl(g->fd, F_SETFL, fcntl(g->fd, F_GETFL) | O_NONBLOCK) < 0)
		e = kterr_errno("gdb %s: set non-blocking", path);
	if (!e)
		e = handshake(g);
	if (e) {
		gdb_close(g);
		return e;
	}
	*out = g;
	return NULL;
}

void gdb_close(struct gdb *g)
{
	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd);
	gdb_tdesc_release(&g->td);
	free(g->early);
	free(g->reply);
	free(g->path);
	free(g);
}

struct kterr *gdb_threads(struct gdb *g, struct gdb_tid *tids, size_t max, size_t *n)
{
	const char *req = "qfThreadInfo";
	struct kterr *e;
	bool last = false;

	*n = 0;
	while (!last) {
		e = transact(g, req);
		if (!e)
			e = gdb_parse_thread_list(g->reply, g->reply_len, tids, max, n, &last);
		if (e)
			return kterr_wrap(e, "gdb %s: listing vCPU threads", g->path);
		req = "qsThreadInfo";
	}
	return NULL;
}

static struct kterr *select_g(struct gdb *g, struct gdb_tid tid)
{
	char req[48];
	struct kterr *e;

	if (g->cur_g_valid && g->cur_g.pid == tid.pid && g->cur_g.tid == tid.tid)
		return NULL;
	req[0] = 'H';
	req[1] = 'g';
	gdb_format_tid(tid, req + 2, sizeof(req) - 2);
	e = transact(g, req);
	if (!e)
		e = gdb_reply_ok(req, g->reply, g->reply_len);
	if (e) {
		g->cur_g_valid = false;
		return kterr_wrap(e, "gdb %s: selecting vCPU thread", g->path);
	}
	g->cur_g = tid;
	g->cur_g_valid = true;
	return NULL;
}

/* `p` of one described register into *val (<= 64 bits). */
static struct kterr *read_p(struct gdb *g, const struct gdb_reg_desc *d, uint64_t *val)
{
	char req[16];
	bool corrupt;
	struct kterr *e;

	if (d->bitsize > 64 || d->bitsize % 8)
		return kterr_new(EINVAL, "gdb: register %s is %u bits, not a 64-bit value",
				 d->name, d->bitsize);
	snprintf(req, sizeof(req), "p%x", d->regnum);
	e = transact(g, req);
	if (e)
		return e;
	if (g->reply_len != d->bitsize / 4)
		return kterr_wrap(gdb_reply_ok(req, g->reply, g->reply_len) ?:
				  kterr_new(EPROTO, "%s: unexpected OK", req),
				  "gdb: reading register %s", d->name);
	if (!decode_le(g->reply, d->bitsize / 8, val, &corrupt))
		return kterr_new(corrupt ? EPROTO : ENODATA, "gdb: register %s is %s",
				 d->name, corrupt ? "not hex" : "unavailable");
	return NULL;
}

struct kterr *gdb_read_regs(struct gdb *g, struct gdb_tid tid, struct gdb_x86_regs *out)
{
	struct kterr *e = select_g(g, tid);
	char t[48];
	size_t i;

	gdb_format_tid(tid, t, sizeof(t));
	if (!e)
		e = transact(g, "g");
	if (!e && g->reply_len && g->reply[0] == 'E')
		e = gdb_reply_ok("g", g->reply, g->reply_len);
	if (!e)
		e = gdb_x86_from_g(&g->td, g->reply, g->reply_len, out);
	/* Whatever `g` left out (a stub whose `g` stops at the general
	 * registers) comes one `p` at a time. */
	for (i = 0; !e && i < ARRAY_SIZE(x86_fields); i++) {
		const struct gdb_reg_desc *d;
		uint64_t v;

		if (out->have >> i & 1)
			continue;
		d = gdb_tdesc_find(&g->td, x86_fields[i].name);
		if (!d)
			continue;
		e = read_p(g, d, &v);
		if (!e)
			x86_set(out, i, v);
	}
	return kterr_wrap(e, "gdb: reading registers of vCPU thread %s", t);
}

struct kterr *gdb_read_register(struct gdb *g, struct gdb_tid tid, const char *name,
				uint64_t *val)
{
	const struct gdb_reg_desc *d = gdb_tdesc_find(&g->td, name);
	struct kterr *e;

	if (!d)
		return kterr_new(ENOENT, "gdb: the target has no register \"%s\"", name);
	e = select_g(g, tid);
	if (!e)
		e = read_p(g, d, val);
	return e;
}

struct kterr *gdb_read_mem(struct gdb *g, uint64_t addr, void *buf, size_t len)
{
	size_t max = (g->packet_size - 8) / 2, done = 0;
	unsigned char *out = buf;

	while (done < len) {
		size_t n = len - done < max ? len - done : max, i;
		uint64_t a = addr + done;
		char req[48];
		struct kterr *e;

		snprintf(req, sizeof(req), "m%" PRIx64 ",%zx", a, n);
		e = transact(g, req);
		if (!e && g->reply_len != 2 * n) {
			if (g->reply_len && g->reply[0] == 'E')
				e = kterr_hint(kterr_new(EFAULT, "gdb: memory at 0x%" PRIx64
							 " is not mapped (gdbstub %.4s)",
							 a, g->reply),
					       "gdb reads through the current vCPU's page tables");
			else
				e = kterr_new(EIO, "gdb: short read at 0x%" PRIx64 ": %zu of %zu bytes",
					      a, g->reply_len / 2, n);
		}
		if (e)
			return e;
		for (i = 0; i < n; i++) {
			int hi = kt_hexval((unsigned char)g->reply[2 * i]);
			int lo = kt_hexval((unsigned char)g->reply[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return kterr_new(EPROTO, "gdb: memory reply at 0x%" PRIx64 " is not hex", a);
			out[done + i] = (unsigned char)(hi << 4 | lo);
		}
		done += n;
	}
	return NULL;
}

static struct kterr *watch(struct gdb *g, char op, uint64_t addr, size_t len)
{
	char req[64];
	struct kterr *e;

	/* QEMU (like the hardware) takes aligned power-of-two lengths only. */
	if ((len != 1 && len != 2 && len != 4 && len != 8) || addr % len)
		return kterr_hint(kterr_new(EINVAL, "gdb: watchpoint at 0x%" PRIx64 " length %zu",
					    addr, len),
				  "a watch covers 1, 2, 4 or 8 bytes at an address aligned to its length");
	snprintf(req, sizeof(req), "%c2,%" PRIx64 ",%zx", op, addr, len);
	e = transact(g, req);
	if (!e)
		e = gdb_reply_ok(req, g->reply, g->reply_len);
	return kterr_wrap(e, "gdb: %s write watchpoint at 0x%" PRIx64,
			  op == 'Z' ? "inserting" : "removing", addr);
}

struct kterr *gdb_watch_insert(struct gdb *g, uint64_t addr, size_t len)
{
	return watch(g, 'Z', addr, len);
}

struct kterr *gdb_watch_remove(struct gdb *g, uint64_t addr, size_t len)
{
	return watch(g, 'z', addr, len);
}

/* Wait for a stop reply until deadline; console output ('O') is skipped. */
static struct kterr *await_stop(struct gdb *g, uint64_t deadline_ns, struct gdb_stop *why,
				bool *stopped)
{
	*stopped = false;
	for (;;) {
		bool none;
		struct kterr *e = recv_packet(g, deadline_ns, &none);

		if (e || none)
			return e;
		if (g->reply_len && g->reply[0] == 'O')
			continue;
		e = gdb_parse_stop(g->reply, g->reply_len, &g->last_stop);
		if (e)
			return e;
		g->last_stop.stopped_ns = kt_now_ns();
		g->stopped = true;
		g->cur_g_valid = false;	/* QEMU selects the stopping vCPU */
		*why = g->last_stop;
		*stopped = true;
		return NULL;
	}
}

struct kterr *gdb_interrupt(struct gdb *g, struct gdb_stop *why)
{
	struct kterr *e;
	bool stopped;

	if (g->stopped) {
		*why = g->last_stop;
		return NULL;
	}
	/* A stop reply already sent (a watch fire) wins over our interrupt;
	 * QEMU ignores the 0x03 once stopped. */
	e = await_stop(g, kt_now_ns(), why, &stopped);
	if (e || stopped)
		return e;
	e = write_all(g, "\x03", 1);
	if (!e)
		e = await_stop(g, deadline_of(g), why, &stopped);
	if (!e && !stopped)
		e = kterr_hint(kterr_silent(ETIMEDOUT, "gdb %s: guest did not stop within %d ms "
					    "(gdb-reply x scale %g)", g->path, g->timeout_ms,
					    kt_scale()), "%s", STUCK_HINT);
	return kterr_wrap(e, "gdb: stopping the guest");
}

struct kterr *gdb_continue(struct gdb *g, uint64_t *paused_ns)
{
	struct kterr *e;

	if (!g->stopped)
		return kterr_new(EALREADY, "gdb %s: continue: the guest is running", g->path);
	e = send_packet(g, "c");
	if (e)
		return kterr_wrap(e, "gdb: continuing the guest");
	if (paused_ns)
		*paused_ns = kt_now_ns() - g->last_stop.stopped_ns;
	g->stopped = false;
	g->cur_g_valid = false;
	return NULL;
}

struct kterr *gdb_wait_stop(struct gdb *g, int timeout_ms, struct gdb_stop *why,
			    bool *stopped)
{
	if (g->stopped) {
		*why = g->last_stop;
		*stopped = true;
		return NULL;
	}
	return await_stop(g, kt_now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000,
			  why, stopped);
}
