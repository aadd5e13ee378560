/*
 * fuzz_state.c - libFuzzer target: the host's STATE parser (vmm/gstate-wire.c)
 * on whatever the frame decoder lets through. A STATE frame comes from the
 * guest, which may be running a scheduler that scribbles memory: counts,
 * indexes and lengths in it are untrusted.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/gstate.h"
#include "guest/wire.h"
#include "vmm/gstate-wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_msg *m;
	size_t used;

	if (!m && !(m = malloc(sizeof(*m))))
		return 0;
	while (size && wire_decode(data, size, m, &used, NULL, 0) != WIRE_NEED_MORE && used) {
		struct kt_gstate st;

		kt_gstate_init(&st);
		kterr_free(gstate_from_wire(m, &st));
		kt_gstate_clear(&st);
		data += used;
		size -= used;
	}
	return 0;
}
