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
		if (wire_recs_check(&m->fields[i], WIRE_WORKER_REC_SIZE, &n, NULL, 0))
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

	if (wire_decode(data, size, m, &used, NULL, 0) == WIRE_OK)
		touch(m);
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
