/*
 * fuzz_wire.c - libFuzzer target: the control channel's frame decoder on
 * arbitrary bytes. The host (vmm/link/agentlink.c) and the agent
 * (guest/agent-main.c) run this same decoder, so this covers both sides.
 *
 * The first byte picks a chunk size, so the streaming path (frames split
 * across reads, resync after garbage) is exercised as well as the
 * one-buffer decode. Every field of every decoded frame is read, so a bad
 * pointer or length trips ASan; every field is also tried as typed records
 * (pids, worker reports) and each record it accepts is decoded; every
 * frame is also read as a reply whose error chain the host rebuilds
 * (guest/wire-reply.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/wire.h"
#include "guest/wire-reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const struct wire_msg *m)
{
	size_t sum = 0;

	for (size_t i = 0; i < m->n; i++) {
		sum += strlen(m->fields[i].key);
		for (size_t k = 0; k < m->fields[i].len; k++)
			sum += (unsigned char)m->fields[i].val[k];
		if (m->fields[i].val[m->fields[i].len] != '\0')
			abort();	/* values are NUL-terminated views */
		size_t n;

		if (wire_recs_check(&m->fields[i], WIRE_PID_REC_SIZE, &n, NULL, 0))
			for (size_t k = 0; k < n; k++)
				sum += (uint32_t)wire_pid_at(&m->fields[i], k);
		if (wire_workers_check(&m->fields[i], &n, NULL, 0))
			for (size_t k = 0; k < n; k++) {
				struct wire_worker_rec r;

				wire_worker_at(&m->fields[i], k, &r);
				sum += r.iterations;
			}
	}
	{
		struct kterr *e = wire_get_error(m);
		char *s = kterr_strdup(e);

		sum += s ? strlen(s) : 0;
		free(s);
		kterr_free(e);
	}
	return sum;
}

/* A decoded frame's batch items (guest/wire.h), as the agent and the
 * host walk them: indexes only grow, ranges stay inside the frame. */
static size_t walk_items(const struct wire_msg *m)
{
	static struct wire_msg *view;
	size_t cursor = 0, first, count, sum = 0, last_end = 0;
	unsigned index = 0;
	int r;

	if (!view && !(view = malloc(sizeof(*view))))
		return 0;
	while ((r = wire_next_item(m, &cursor, &index, &first, &count)) == 1) {
		if (first < last_end || first + count > m->n || !count || index >= WIRE_BATCH_MAX_ITEMS)
			abort();
		last_end = first + count;
		wire_item_msg(m, first, count, view);
		sum += touch(view);
	}
	if (r != 0 && r != -1)
		abort();
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_msg *m;
	struct wire_decoder d;
	size_t chunk, used;

	if (!m && !(m = malloc(sizeof(*m))))
		return 0;
	if (size == 0)
		return 0;
	chunk = 1 + data[0] % 64;
	data++;
	size--;

	if (wire_decode(data, size, m, &used, NULL, 0) == WIRE_OK) {
		touch(m);
		walk_items(m);
	}
	if (used > size)
		abort();

	wire_decoder_init(&d);
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		wire_feed(&d, data + off, n);
		for (;;) {
			char why[128];
			enum wire_status st = wire_next(&d, m, why, sizeof(why));

			if (st == WIRE_NEED_MORE)
				break;
			if (st == WIRE_OK)
				touch(m);
		}
	}
	wire_decoder_free(&d);
	return 0;
}
