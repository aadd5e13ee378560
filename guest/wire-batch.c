/* wire-batch.c - many requests of one op in one frame; see wire.h. Both
 * sides compile it: the host builds batches (vmm/guestlink.c), the agent
 * runs them (guest/agent-batch.c). Nothing here trusts the frame. */
#include "guest/wire.h"

#include <stdio.h>
#include <string.h>

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Call fn for each field of a frame being built (after its header). */
static bool each_field(const struct wire_buf *src,
		       bool (*fn)(const char *key, size_t klen, const uint8_t *val, size_t vlen,
				  void *ctx),
		       void *ctx)
{
	size_t off = WIRE_HDR_SIZE;

	while (off < src->len) {
		size_t kl, vl;
		const char *key;

		kl = src->data[off++];
		if (off + kl + 4 > src->len)
			return false;
		key = (const char *)src->data + off;
		off += kl;
		vl = le32(src->data + off);
		off += 4;
		if (vl > src->len - off)
			return false;
		if (!fn(key, kl, src->data + off, vl, ctx))
			return false;
		off += vl;
	}
	return true;
}

struct put_ctx {
	struct wire_buf *b;
	char prefix[16];
	size_t plen;
};

static bool fits(const char *key, size_t klen, const uint8_t *val, size_t vlen, void *ctx)
{
	return ((struct put_ctx *)ctx)->plen + klen <= WIRE_MAX_KEY;
}

static bool put_one(const char *key, size_t klen, const uint8_t *val, size_t vlen, void *ctx)
{
	struct put_ctx *c = ctx;
	char k[WIRE_MAX_KEY + 1];

	memcpy(k, c->prefix, c->plen);
	memcpy(k + c->plen, key, klen);
	k[c->plen + klen] = '\0';
	wire_put(c->b, k, val, vlen);
	return !c->b->failed;
}

bool wire_put_item(struct wire_buf *b, unsigned index, const struct wire_buf *src)
{
	struct put_ctx c = { .b = b };

	if (b->failed || src->failed || src->len < WIRE_HDR_SIZE)
		return false;
	c.plen = (size_t)snprintf(c.prefix, sizeof(c.prefix), "%u.", index);
	/* Check every key first: an item goes in whole or not at all. */
	if (!each_field(src, fits, &c))
		return false;
	return each_field(src, put_one, &c);
}

/* "12.key" -> 12 and the offset of "key"; false if key is not an item's
 * field or is malformed (*item_like says which). */
static bool item_key(const char *key, unsigned *index, size_t *rest, bool *item_like)
{
	unsigned long v = 0;
	size_t i = 0;

	*item_like = key[0] >= '0' && key[0] <= '9';
	if (!*item_like)
		return false;
	for (; key[i] >= '0' && key[i] <= '9'; i++) {
		if (i == 9 || (i == 1 && key[0] == '0'))
			return false;	/* too long, or a leading zero */
		v = v * 10 + (unsigned long)(key[i] - '0');
	}
	if (key[i] != '.' || !key[i + 1] || v >= WIRE_BATCH_MAX_ITEMS)
		return false;
	*index = (unsigned)v;
	*rest = i + 1;
	return true;
}

int wire_next_item(const struct wire_msg *m, size_t *cursor, unsigned *index, size_t *first,
		   size_t *count)
{
	size_t i = *cursor, rest;
	unsigned idx, other;
	bool like;

	/* Indexes only grow: an item without fields (a reply with no
	 * results) is absent. *index holds the last between calls, so the
	 * walk needs no other state. */
	unsigned least = *cursor ? *index + 1 : 0;

	for (; i < m->n; i++) {
		if (item_key(m->fields[i].key, &idx, &rest, &like))
			break;
		if (like)
			return -1;
	}
	if (i == m->n) {
		*cursor = i;
		return 0;
	}
	if (idx < least)
		return -1;
	*first = i;
	while (i < m->n && item_key(m->fields[i].key, &other, &rest, &like) && other == idx)
		i++;
	*count = i - *first;
	*index = idx;
	*cursor = i;
	return 1;
}

void wire_item_msg(const struct wire_msg *m, size_t first, size_t count, struct wire_msg *out)
{
	out->type = m->type;
	out->seq = m->seq;
	out->n = 0;
	for (size_t i = first; i < first + count && i < m->n && out->n < WIRE_MAX_FIELDS; i++) {
		const char *dot = strchr(m->fields[i].key, '.');

		out->fields[out->n] = m->fields[i];
		out->fields[out->n].key = dot ? dot + 1 : m->fields[i].key;
		out->n++;
	}
}
