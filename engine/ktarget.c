/* ktarget.c - kernel targets, widths and values; see ktarget.h. */
#include "engine/ktarget.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static bool is_sym_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '$';
}

struct kterr *kt_ktarget_parse(const char *s, struct kt_ktarget *out)
{
	const char *p = s;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->cpu = -1;
	if (!strncmp(s, "0x", 2)) {
		if (!kt_parse_u64(s, &out->addr))
			goto bad;
		return NULL;
	}
	n = 0;
	while (is_sym_char(p[n]))
		n++;
	if (!n || n >= KT_SYMBOL_MAX || (p[0] >= '0' && p[0] <= '9'))
		goto bad;
	memcpy(out->symbol, p, n);
	p += n;
	if (*p == '@') {
		char num[16];
		uint64_t cpu;
		size_t d = strspn(p + 1, "0123456789");

		if (!d || d >= sizeof(num))
			goto bad;
		memcpy(num, p + 1, d);
		num[d] = '\0';
		if (!kt_parse_u64(num, &cpu) || cpu > 4095)
			goto bad;
		out->cpu = (int)cpu;
		p += 1 + d;
	}
	if (*p == '+') {
		if (!kt_parse_u64(p + 1, &out->offset))
			goto bad;
		return NULL;
	}
	if (*p)
		goto bad;
	return NULL;
bad:
	return kterr_hint(kterr_new(0, "bad kernel target '%s'", s),
			  "write SYMBOL, SYMBOL@CPU, SYMBOL+OFFSET, SYMBOL@CPU+OFFSET or an "
			  "address 0x...");
}

static const struct {
	const char *name;
	enum kt_kwidth_kind kind;
	size_t len;
} widths[] = {
	{ "u8", KT_W_U8, 1 },
	{ "u16", KT_W_U16, 2 },
	{ "u32", KT_W_U32, 4 },
	{ "u64", KT_W_U64, 8 },
};

struct kterr *kt_kwidth_parse(const char *s, struct kt_kwidth *out)
{
	uint64_t n;

	for (size_t i = 0; i < ARRAY_SIZE(widths); i++) {
		if (!strcmp(s, widths[i].name)) {
			out->kind = widths[i].kind;
			out->len = widths[i].len;
			return NULL;
		}
	}
	if (!strncmp(s, "bytes:", 6) && kt_parse_u64(s + 6, &n) && n && n <= KT_BYTES_MAX) {
		out->kind = KT_W_BYTES;
		out->len = n;
		return NULL;
	}
	return kterr_hint(kterr_new(0, "bad width '%s'", s),
			  "write u8, u16, u32, u64 or bytes:N with 1 <= N <= %d", KT_BYTES_MAX);
}

struct kterr *kt_kvalue_parse(const char *s, struct kt_kwidth w, struct kt_kvalue *out)
{
	memset(out, 0, sizeof(*out));
	out->width = w;
	if (w.kind == KT_W_BYTES) {
		const char *h = strncmp(s, "0x", 2) ? s : s + 2;

		if (strlen(h) != 2 * w.len)
			return kterr_hint(kterr_new(0, "value '%s' is not %zu hex bytes", s, w.len),
					  "write exactly %zu hex digits for bytes:%zu", 2 * w.len, w.len);
		for (size_t i = 0; i < w.len; i++) {
			int hi = kt_hexval((unsigned char)h[2 * i]);
			int lo = kt_hexval((unsigned char)h[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return kterr_hint(kterr_new(0, "value '%s' is not hex", s),
						  "write hex digits 0-9a-f");
			out->bytes[i] = (uint8_t)(hi << 4 | lo);
		}
		return NULL;
	}
	if (!kt_parse_u64(s, &out->u))
		return kterr_hint(kterr_new(0, "bad value '%s'", s),
				  "write a number: 42 or 0x2a");
	if (w.len < 8 && out->u >> (8 * w.len))
		return kterr_hint(kterr_new(0, "value '%s' does not fit in %zu bits", s, 8 * w.len),
				  "use a wider width or a smaller value");
	return NULL;
}

const char *kt_ktarget_format(const struct kt_ktarget *t, char *buf, size_t size)
{
	char cpu[16] = "", off[32] = "";

	if (!t->symbol[0]) {
		snprintf(buf, size, "0x%llx", (unsigned long long)t->addr);
		return buf;
	}
	if (t->cpu >= 0)
		snprintf(cpu, sizeof(cpu), "@%d", t->cpu);
	if (t->offset)
		snprintf(off, sizeof(off), "+%llu", (unsigned long long)t->offset);
	snprintf(buf, size, "%s%s%s", t->symbol, cpu, off);
	return buf;
}

const char *kt_kvalue_format(const struct kt_kvalue *v, char *buf, size_t size)
{
	if (v->width.kind != KT_W_BYTES) {
		snprintf(buf, size, "0x%llx", (unsigned long long)v->u);
		return buf;
	}
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < v->width.len && 2 * i + 2 < size; i++)
		snprintf(buf + 2 * i, size - 2 * i, "%02x", v->bytes[i]);
	return buf;
}
