/*
 * gdbstub.h - GDB remote serial protocol client for QEMU's gdbstub, over a
 * unix socket (-chardev socket,id=g,path=P,server=on,wait=off -gdb chardev:g).
 *
 * It freezes the guest and reads vCPU state: interrupt (all vCPUs stop:
 * QEMU runs the stub in all-stop mode), list the vCPU threads, read the
 * x86_64 registers of each (general, rip, eflags, segments, fs/gs base and
 * the control registers cr0..cr8 and efer, so a page-table walker gets cr3
 * and cr4), insert and remove write watchpoints, continue, and report stop
 * replies (a watchpoint fire is "T05...watch:ADDR;thread:TID;"). The time
 * between the stop reply and the continue is measured: it is how long the
 * guest was frozen.
 *
 * Registers are located through the target description QEMU serves
 * (qXfer:features:read:target.xml and its includes), not a hard-coded
 * layout: register numbers and widths come from the XML, so the `g` reply
 * is cut by name. QEMU 7.2 also refuses `p` (single register) until the
 * client has read target.xml, so reading it is part of connecting.
 *
 * Layers: the packet reader and the reply parsers are pure (fed bytes) and
 * unit-tested on recorded transcripts (tests/data/gdb/); the client does the
 * socket I/O, acks, retransmission and timeouts.
 *
 * QEMU stops a running guest whenever a gdb client connects. One client,
 * one thread.
 */
#ifndef KTCON_VMM_GDBSTUB_H
#define KTCON_VMM_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"

/* Largest packet payload we accept (after unescaping); QEMU 7.2 announces
 * PacketSize=1000 (hex), and the biggest reply we ask for is smaller. */
#define GDB_MAX_PACKET 16384u
#define GDB_MAX_THREADS 1024u

/* ---- packet framing (pure) ---- */

enum gdb_rx_kind {
	GDB_RX_NONE,	/* all bytes consumed, nothing complete yet */
	GDB_RX_ACK,	/* '+' */
	GDB_RX_NAK,	/* '-': resend the last packet */
	GDB_RX_PACKET,	/* "$...#cc" with a good checksum */
	GDB_RX_NOTIFY,	/* "%...#cc" (non-stop notifications) */
	GDB_RX_BAD,	/* a packet with a bad checksum or too long: NAK it */
};

struct gdb_rx {
	enum gdb_rx_kind kind;
	const char *data;	/* PACKET/NOTIFY payload, NUL-terminated, unescaped
				 * and run-length expanded; valid until the next
				 * feed. BAD: why. */
	size_t len;
};

struct gdb_reader {
	int state;
	bool notify, escape, overflow;
	unsigned char sum, csum;
	size_t len;
	uint64_t junk;		/* bytes seen outside any packet */
	char buf[GDB_MAX_PACKET + 1];
};

void gdb_reader_init(struct gdb_reader *r);

/* Consume bytes from data until one item is complete (or data ends);
 * returns the number consumed. Call again with the rest. */
size_t gdb_reader_feed(struct gdb_reader *r, const void *data, size_t len,
		       struct gdb_rx *out);

/* "$payload#cc" into out (escaping $, #, } and *); *outlen excludes the NUL.
 * E2BIG when it does not fit. */
struct kterr *gdb_frame(const char *payload, size_t len, char *out, size_t size,
			size_t *outlen);

/* ---- replies (pure) ---- */

/* "OK" is success; "Enn" an error naming what and nn; an empty reply means
 * the stub does not know the request (ENOTSUP); anything else is EPROTO. */
struct kterr *gdb_reply_ok(const char *what, const char *p, size_t n);

struct gdb_tid {
	int64_t pid;	/* 0 unless the stub speaks multiprocess ("pPID.TID") */
	int64_t tid;	/* QEMU: vCPU index + 1; -1 all, 0 any */
};

struct kterr *gdb_parse_tid(const char *s, size_t n, struct gdb_tid *out);
/* "p1.2" or "2" (or "-1"); returns the length as snprintf does. */
int gdb_format_tid(struct gdb_tid t, char *buf, size_t size);

/* One qfThreadInfo/qsThreadInfo reply: "m1,2", "mp01.01,p01.02" or "l".
 * Appends up to max - *count ids to tids; *last is true on "l". */
struct kterr *gdb_parse_thread_list(const char *p, size_t n, struct gdb_tid *tids,
				    size_t max, size_t *count, bool *last);

enum gdb_stop_kind {
	GDB_STOP_SIGNAL,	/* S or T: the target stopped */
	GDB_STOP_EXITED,	/* W: QEMU is exiting */
	GDB_STOP_KILLED,	/* X */
};

enum gdb_watch_kind {
	GDB_WATCH_NONE,
	GDB_WATCH_WRITE,	/* watch: */
	GDB_WATCH_READ,		/* rwatch: */
	GDB_WATCH_ACCESS,	/* awatch: */
};

struct gdb_stop {
	enum gdb_stop_kind kind;
	unsigned code;		/* signal (5 = trap, 2 = interrupt) or exit status */
	bool has_thread;
	struct gdb_tid thread;	/* the vCPU that stopped */
	enum gdb_watch_kind watch;
	uint64_t watch_addr;
	bool swbreak, hwbreak;
	int core;		/* -1 when not given */
	uint64_t stopped_ns;	/* kt_now_ns() when the reply arrived (client) */
};

struct kterr *gdb_parse_stop(const char *p, size_t n, struct gdb_stop *out);

/* ---- target description (pure) ---- */

enum gdb_xml_kind { GDB_XML_END, GDB_XML_REG, GDB_XML_INCLUDE };

struct gdb_xml_item {
	enum gdb_xml_kind kind;
	char name[32];		/* REG: name; INCLUDE: href */
	unsigned bitsize;
	long regnum;		/* -1 when the XML leaves it implicit */
};

/* The next <reg> or <xi:include> at or after *pos, in document order,
 * skipping comments; kind END at the end. */
struct kterr *gdb_xml_next(const char *xml, size_t len, size_t *pos,
			   struct gdb_xml_item *out);

struct gdb_reg_desc {
	char name[32];
	unsigned regnum;
	unsigned bitsize;
	long g_offset;		/* byte offset in a `g` reply, -1 if not in it */
};

struct gdb_tdesc {
	struct gdb_reg_desc *regs;
	size_t n, cap;
	unsigned next_regnum;	/* implicit numbering: previous + 1 */
};

void gdb_tdesc_init(struct gdb_tdesc *td);
void gdb_tdesc_release(struct gdb_tdesc *td);
/* Add a register; regnum -1 takes the next number. */
struct kterr *gdb_tdesc_add(struct gdb_tdesc *td, const char *name, unsigned bitsize,
			    long regnum);
/* Compute g_offset: registers in number order from 0, while the numbering
 * is contiguous and widths are whole bytes. Call once all are added. */
void gdb_tdesc_layout(struct gdb_tdesc *td);
const struct gdb_reg_desc *gdb_tdesc_find(const struct gdb_tdesc *td, const char *name);

/* ---- x86_64 registers ---- */

struct gdb_x86_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, eflags;
	uint64_t cs, ss, ds, es, fs, gs;
	uint64_t fs_base, gs_base, k_gs_base;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t have;		/* bit i: gdb_x86_reg_name(i) was read */
};

/* The fields above by their gdb names, in struct order: i < count. */
size_t gdb_x86_reg_count(void);
const char *gdb_x86_reg_name(size_t i);

bool gdb_x86_has(const struct gdb_x86_regs *r, const char *name);

/* Fill the registers that a `g` reply (hex, target byte order) holds,
 * located through td. Bytes QEMU marks unavailable ("xx") leave a register
 * unset. */
struct kterr *gdb_x86_from_g(const struct gdb_tdesc *td, const char *hex, size_t n,
			     struct gdb_x86_regs *out);

/* ---- client ---- */

struct gdb;

/* Connect (retrying while the socket is not there, until deadline_ns),
 * negotiate features (QStartNoAckMode when offered), read the target
 * description, and ask why the target stopped. trace (may be NULL) is as
 * for gdb_set_trace, from the first byte. */
struct kterr *gdb_connect(const char *path, uint64_t deadline_ns, FILE *trace,
			  struct gdb **out);
void gdb_close(struct gdb *g);

void gdb_set_timeout(struct gdb *g, int timeout_ms);
/* Transcript trace, same format as qmp_set_trace. */
void gdb_set_trace(struct gdb *g, FILE *f);

const struct gdb_tdesc *gdb_target(const struct gdb *g);
bool gdb_is_stopped(const struct gdb *g);
bool gdb_acks(const struct gdb *g);	/* still in ack mode */

/* vCPU threads (the target must be stopped). */
struct kterr *gdb_threads(struct gdb *g, struct gdb_tid *tids, size_t max, size_t *n);

/* All x86_64 registers of one vCPU: `g`, then `p` for any the `g` reply
 * left out. */
struct kterr *gdb_read_regs(struct gdb *g, struct gdb_tid tid, struct gdb_x86_regs *out);

/* One register by its target-description name ("cr3"), up to 64 bits. */
struct kterr *gdb_read_register(struct gdb *g, struct gdb_tid tid, const char *name,
				uint64_t *val);

/* Guest-virtual memory through the current vCPU's page tables (slow; the
 * shared RAM mapping is the fast path). Short reads are errors. */
struct kterr *gdb_read_mem(struct gdb *g, uint64_t addr, void *buf, size_t len);

/* Write watchpoints (Z2/z2) on every vCPU; len 1, 2, 4 or 8. */
struct kterr *gdb_watch_insert(struct gdb *g, uint64_t addr, size_t len);
struct kterr *gdb_watch_remove(struct gdb *g, uint64_t addr, size_t len);

/* Stop every vCPU and return the stop reply. When a stop (a watchpoint
 * fire) was already on its way, that is the one returned. */
struct kterr *gdb_interrupt(struct gdb *g, struct gdb_stop *why);

/* Resume every vCPU; *paused_ns (may be NULL) is the time since the stop
 * reply arrived. */
struct kterr *gdb_continue(struct gdb *g, uint64_t *paused_ns);

/* The fd to poll() while the target runs: readable means a stop reply may
 * be there. */
int gdb_fd(const struct gdb *g);

/* Bytes or a packet already read from the socket and not yet handed
 * out (a stop reply that raced an ack lands here): poll() on gdb_fd
 * would not see them, so look with gdb_wait_stop(g, 0, ...) first. */
bool gdb_buffered(const struct gdb *g);

/* Wait up to timeout_ms (0: just look) for a stop reply while running.
 * *stopped tells whether one came. */
struct kterr *gdb_wait_stop(struct gdb *g, int timeout_ms, struct gdb_stop *why,
			    bool *stopped);

#endif
