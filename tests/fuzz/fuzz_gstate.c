/*
 * fuzz_gstate.c - libFuzzer target: the host's STATE reader
 * (vmm/link/gstate-wire.c) on arbitrary fields. Random bytes almost never pass
 * the frame's CRC, so this builds a valid frame from the input instead:
 * the first byte is the seq, then one "key=value" field a line. Every
 * array of a parsed state is read and copied, so a count that disagrees
 * with its allocation trips ASan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gstate.h"
#include "guest/wire.h"
#include "vmm/link/gstate-wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t touch(const struct kt_gstate *s)
{
	uint64_t sum = s->gen + s->uptime_ms + strlen(s->sched.state) + strlen(s->sched.ops);

	for (size_t i = 0; i < s->ncgroups; i++)
		sum += strlen(s->cgroups[i].path) + strlen(s->cgroups[i].cpus_effective) +
		       (uint64_t)s->cgroups[i].nprocs + strlen(s->cgroups[i].knobs[4]);
	for (unsigned c = 0; c < s->ncpus; c++)
		sum += s->cpu[c] + s->cpu_irqs[c];
	for (size_t r = 0; r < s->nirqs; r++) {
		sum += strlen(s->irqs[r].name) + strlen(s->irqs[r].desc) + s->irqs[r].total;
		for (unsigned c = 0; c < s->ncpus; c++)
			sum += kt_gstate_irq_counts(s, r)[c];
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_msg *m;
	struct wire_buf b;
	struct kt_gstate st, copy;
	size_t used;
	char *text, *save, *line;

	if (!m && !(m = malloc(sizeof(*m))))
		return 0;
	if (size == 0)
		return 0;
	text = strndup((const char *)data + 1, size - 1);
	if (!text)
		return 0;
	wire_buf_init(&b);
	wire_begin(&b, WIRE_STATE, data[0]);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq || eq == line || eq - line > WIRE_MAX_KEY)
			continue;
		*eq = '\0';
		wire_put_str(&b, line, eq + 1);
	}
	free(text);
	if (wire_finish(&b) && wire_decode(b.data, b.len, m, &used, NULL, 0) == WIRE_OK) {
		kt_gstate_init(&st);
		struct kterr *e = gstate_from_wire(m, &st);

		if (e) {
			if (st.valid || st.cgroups || st.irqs)
				abort();	/* an error leaves the state cleared */
			kterr_free(e);
		} else {
			touch(&st);
			if (!kt_gstate_copy(&copy, &st)) {
				touch(&copy);
				kt_gstate_clear(&copy);
			}
		}
		kt_gstate_clear(&st);
	}
	wire_buf_free(&b);
	return 0;
}
