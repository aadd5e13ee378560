/*
 * watch.h - write watchpoints on kernel symbols: the slot table and its
 * rules, apart from the gdb traffic (intro.c arms them through the
 * gdbstub, on every vCPU at once: QEMU's Z2 is machine-wide).
 *
 * Four slots, as x86 has four debug registers: slot 0 is kept for the
 * sched_ext exit trigger (a write to the exit kind with an error value
 * takes a failure dump); slots 1..3 are the scenario's watch-snapshot
 * ops (the engine's user slots 0..2). A watch covers the 4 bytes at the
 * symbol's address, which must be 4-byte aligned; the symbol is matched
 * verbatim against vmlinux (ksym.h) and must not be per-CPU (a
 * watchpoint has one address).
 *
 * QEMU reports a write watchpoint after the write: the stop names the
 * watch's address and the vCPU; rip is past the writing instruction.
 * Each fire records the 4 bytes before (the value at arming or at the
 * previous fire) and after.
 *
 * What a fire costs the guest: the stop itself (every vCPU halts until
 * the host continues) and, when it is captured, a snapshot read in that
 * window (runqueues, sched_ext state, BPF maps: far longer than the stop).
 * A symbol written every tick (jiffies_64: ~200 fires/s on 2 vCPUs) would
 * spend most of the guest's time in captures, so each watch captures at
 * most WATCH_CAPTURES_PER_S fires per second; the rest are counted and
 * resumed at once (stop, read the 4 bytes from shared RAM, continue, with
 * the vCPUs as the last freeze listed them): the count stays exact, only
 * the capture is skipped. The stop cannot be avoided while the watch is
 * armed: disarm it (unwatch) to make it free. Measured under TCG on a
 * loaded 2-core host: a guest shell loop took 1.6-1.8 times as long
 * while jiffies_64 was watched (~480 fires/s).
 */
#ifndef KTCON_VMM_WATCH_H
#define KTCON_VMM_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "engine/ktarget.h"
#include "vmm/intro/ksym.h"

#define WATCH_SLOTS 4
#define WATCH_TRIGGER_SLOT 0
#define WATCH_LEN 4
#define WATCH_CAPTURES_PER_S 4

struct watch {
	bool armed;
	bool trigger;			/* slot 0: the sched_ext exit trigger */
	char symbol[KT_SYMBOL_MAX];
	uint64_t addr;
	uint32_t last;			/* the watched bytes as last seen */
	uint64_t fires;
	uint64_t captures;		/* fires that took a snapshot */
	uint64_t window_ns;		/* when the current one-second window began */
	unsigned window_captures;	/* captures in it */
};

struct watches {
	struct watch w[WATCH_SLOTS];
};

/* The address to watch for symbol: exact, not per-CPU, 4-byte aligned.
 * Errors carry the resolved address. */
struct kterr *watch_resolve(const struct ksyms *ks, const char *symbol, uint64_t *addr);

/* Slot for the engine's user slot (0..2), or an error. */
struct kterr *watch_user_slot(const struct watches *ws, unsigned user_slot, unsigned *slot);

/* The armed watch a stop at addr belongs to, or NULL. */
struct watch *watch_find(struct watches *ws, uint64_t addr);

/* Whether a fire at now_ns (any monotonic ns) may take a capture: at most
 * WATCH_CAPTURES_PER_S in each one-second window; counts the capture. */
bool watch_may_capture(struct watch *w, uint64_t now_ns);

/* Whether this one-second window's captures are all taken (a fire at
 * now_ns would only be counted); takes nothing. */
bool watch_budget_spent(const struct watch *w, uint64_t now_ns);

/* Armed watches, counting the trigger. */
unsigned watch_armed(const struct watches *ws);

#endif
