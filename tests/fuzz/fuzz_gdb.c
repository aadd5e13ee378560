/*
 * fuzz_gdb.c - libFuzzer target: the gdb packet reader and every reply
 * parser (stop replies, thread lists, target description, `g` registers) on
 * arbitrary bytes. Built with tests/fuzz/run-fuzz (make fuzz); seed it
 * with the '<' lines of tests/data/gdb/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/machine/gdbstub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replies(const char *p, size_t n, struct gdb_tdesc *td)
{
	struct gdb_tid tids[8];
	struct gdb_x86_regs regs;
	struct gdb_xml_item it;
	struct gdb_stop stop;
	size_t count = 0, pos = 0;
	bool last;

	kterr_free(gdb_parse_stop(p, n, &stop));
	kterr_free(gdb_parse_thread_list(p, n, tids, 8, &count, &last));
	kterr_free(gdb_reply_ok("fuzz", p, n));
	for (;;) {
		struct kterr *e = gdb_xml_next(p, n, &pos, &it);

		if (e) {
			kterr_free(e);
			break;
		}
		if (it.kind == GDB_XML_END)
			break;
		if (it.kind == GDB_XML_REG)
			kterr_free(gdb_tdesc_add(td, it.name, it.bitsize, it.regnum));
	}
	gdb_tdesc_layout(td);
	kterr_free(gdb_x86_from_g(td, p, n, &regs));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gdb_reader rd;
	struct gdb_tdesc td;
	size_t off = 0;

	gdb_reader_init(&rd);
	gdb_tdesc_init(&td);
	/* A description every `g` can be cut with, as after a handshake. */
	kterr_free(gdb_tdesc_add(&td, "rax", 64, 0));
	kterr_free(gdb_tdesc_add(&td, "rip", 64, 16));
	kterr_free(gdb_tdesc_add(&td, "cr3", 64, -1));
	while (off < size) {
		struct gdb_rx rx;

		/* Odd-sized pieces so packets straddle feeds. */
		size_t piece = size - off < 7 ? size - off : 7;

		off += gdb_reader_feed(&rd, data + off, piece, &rx);
		if (rx.kind == GDB_RX_PACKET || rx.kind == GDB_RX_NOTIFY) {
			if (rx.data[rx.len] != '\0')
				abort();
			replies(rx.data, rx.len, &td);
		}
	}
	/* And the raw bytes as one reply. */
	replies((const char *)data, size, &td);
	gdb_tdesc_release(&td);
	return 0;
}
