/*
 * wire-state.h - the body of a STATE frame (guest/wire.h), compiled by
 * both sides: the agent writes it (guest/agent-state.c), the host reads it
 * into a struct kt_gstate (vmm/link/gstate-wire.c).
 *
 * Plain key/value fields; a list is a count and indexed keys ("cg.0.path",
 * "cg.1.path", ...). Numbers are decimal text. The frame header's seq is
 * the agent's STATE generation (1, 2, ...), so the host can tell a newer
 * state from one it has.
 *
 *   cg.n              cgroups below the managed parent (/sys/fs/cgroup/ktcon),
 *                     parents before children, siblings by name
 *   cg.truncated      "1" when there were more than fit in one frame
 *   cg.error          why the tree could not be read, when it could not
 *   cg.I.path         relative to the managed parent: "a", "a/b"
 *   cg.I.cpus         cpuset.cpus.effective (absent without cpuset)
 *   cg.I.populated    cgroup.events populated: 0 | 1
 *   cg.I.frozen       cgroup.events frozen: 0 | 1
 *   cg.I.nprocs       lines of cgroup.procs
 *   cg.I.<knob>       cpu.weight, cpu.max, memory.max, io.weight, pids.max
 *                     as read (newlines become "; "), absent when the file is
 *   cg.I.workers      ktcon workers the agent placed in it
 *   sched.state       /sys/kernel/sched_ext/state, or "absent"
 *   sched.ops         root/ops, present while a scheduler is attached
 *   sched.switch_all, sched.nr_rejected, sched.hotplug_seq, sched.enable_seq
 *                     the 6.12 counters, each only when its file exists
 *   irq.cpus          the CPU of each /proc/interrupts column: "0 1 2 3"
 *   irq.cpu_totals    per column, the sum of every per-CPU row: "812 640 ..."
 *   irq.n             rows of /proc/interrupts
 *   irq.truncated     "1" when there were more than fit
 *   irq.skipped       lines that were neither a per-CPU nor a global row
 *   irq.error         why /proc/interrupts could not be read, when it could not
 *   irq.I.name        "0", "24", "LOC", "ERR"
 *   irq.I.counts      a per-CPU row's counts, one per column: "40 0 3 1"
 *   irq.I.total       instead of counts, a global row's one count (ERR, MIS)
 *   irq.I.desc        the rest of the line: "IO-APIC 2-edge timer"
 *   wk.n              worker groups by cgroup (at most WIRE_STATE_MAX_WGROUPS)
 *   wk.I.cgroup       the cgroup ("@runner" for the runner's own)
 *   wk.I.iter         its workers' iterations, summed (their shared reports:
 *                     no round trip, no syscall per worker)
 *   wk.I.workers      its workers, one worker record each (guest/wire.h:
 *                     pid, cpu_now, iterations, CPU time, CPUs seen, worst
 *                     wake latency, migrations, ...), as many as fit in the
 *                     frame's worker budget
 *   wk.I.unlisted     workers left out of wk.I.workers for room, when any
 *   wk.I.cpu.KEY      the cgroup's cpu.stat, KEY each of usage_usec,
 *                     user_usec, system_usec, nr_periods, nr_throttled,
 *                     throttled_usec the file has (none for "@runner")
 *   uptime_ms         guest CLOCK_BOOTTIME when the frame was built
 *   skipped_rounds    frames the agent did not send because the port was
 *                     full (the host was not reading)
 *
 * The cg.* and sched.* fields come first: the agent sends a frame as soon
 * as they change, and at least every WIRE_STATE_PERIOD_MS regardless; IRQ
 * counts and worker progress change all the time and ride on every frame. Unknown keys are
 * ignored by the reader, so either side can grow fields first.
 */
#ifndef KTCON_WIRE_STATE_H
#define KTCON_WIRE_STATE_H

/* The agent's promise: a STATE at least this often while it is idle.
 * Below 500 ms so that jitter under TCG still gives two a second. */
#define WIRE_STATE_PERIOD_MS 450

/* One write(2) to a virtio-serial port moves at most 32 KiB, and one
 * write after POLLOUT never waits (drivers/char/virtio_console.c,
 * port_fops_write): a frame this size goes out whole or not at all. */
#define WIRE_STATE_MAX_FRAME (32 * 1024)

/* Rows of each list the agent sends at most (the frame size may cut a
 * list shorter; the reader accepts up to WIRE_MAX_FIELDS anyway). */
#define WIRE_STATE_MAX_CGROUPS 256
#define WIRE_STATE_MAX_IRQS 512
#define WIRE_STATE_MAX_WGROUPS 16

#endif
