/*
 * agent.h - ktcon-guest, the agent that runs as the guest's PID 1.
 *
 * It mounts what a scheduler test needs, prepares the managed cgroup
 * subtree, opens the ktcon.0 virtio-serial port, says HELLO, and answers
 * OP_REQ frames through a table of ops (agent-ops.c), one file per domain.
 * Unasked, it streams the guest's state in STATE frames (agent-state.c
 * builds them, agent-stream.c paces them; layout in guest/wire-state.h).
 * As PID 1 it also reaps every orphan; children an op is waiting for are
 * reaped by the same loop and their status handed over (agent_wait_child),
 * so the reaper never steals an op's child.
 */
#ifndef KTCON_GUEST_AGENT_H
#define KTCON_GUEST_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/timeouts.h"
#include "guest/wire.h"

#define AGENT_VERSION "0.1.0"
#define AGENT_CGROUP_ROOT "/sys/fs/cgroup"
#define AGENT_CGROUP_MANAGED "/sys/fs/cgroup/ktcon"
#define AGENT_CONTROLLERS "+cpuset +cpu +memory +io +pids"
/* How often the state stream looks for a change (agent-stream.c). Each
 * look reads every managed cgroup's files: under TCG, 100 ms cost PID 1
 * about 3% of a vCPU, 200 ms about 1.5%. Ops' effects go out at once
 * regardless (agent_stream_poke). */
#define AGENT_STATE_SAMPLE_MS 200
/* After an op the stream samples at once, but no more often than this: a
 * burst of ops (a thousand add-cgroup) would otherwise read the whole tree
 * after each one, O(n) per op. The look after the burst's last op is at
 * most this far away, so the last state always goes out. */
#define AGENT_STATE_POKE_MIN_MS 50

struct agent_state_src;

/* The STATE stream's memory (agent-stream.c). */
struct agent_stream {
	struct wire_buf b;		/* the frame being built, reused */
	uint8_t *last;			/* cg.* and sched.* of the last frame sent */
	size_t last_len, last_cap;
	uint32_t gen;			/* frames sent; the next frame's seq is gen + 1 */
	uint64_t next_tick_ns;		/* kt_now_ns() of the next look; 0: now */
	uint64_t last_sent_ns;
	uint64_t last_sample_ns;	/* kt_now_ns() of the last look */
	uint64_t skipped;		/* rounds skipped: the port was not writable */
	bool said_error;		/* a write error was told on the console once */
	const struct agent_state_src *src;	/* NULL: agent_state_live (tests set it) */
};

struct agent {
	int port_fd;			/* ktcon.0 */
	char port_path[64];
	struct wire_decoder dec;
	struct wire_msg *msg;		/* reused for every frame */
	char mount_errors[1024];	/* reported in HELLO, never ignored */
	bool shell;			/* ktcon.shell=1: a shell on hvc0 */
	pid_t shell_pid;
	pid_t con_shell_pid;		/* the console's shell (the shell op), 0: none */
	bool poweroff;			/* set by the poweroff op */
	bool deferred;			/* the op in hand replies later itself */
	struct agent_stream stream;
};

/* One op: name, handler. The handler reads its arguments from req and
 * adds result fields to reply (after "ok" is added by the dispatcher);
 * an error becomes the reply's "error" field with the whole chain. */
struct agent_op {
	const char *name;
	struct kterr *(*run)(struct agent *a, const struct wire_msg *req,
			     struct wire_buf *reply);
};

/* The op tables, one per domain, each ending with a NULL name; the
 * dispatcher searches them in order (agent-ops.c lists them). */
extern const struct agent_op agent_ops[];
extern const struct agent_op agent_cgroup_ops[];
extern const struct agent_op agent_worker_ops[];
extern const struct agent_op agent_sched_ops[];
extern const struct agent_op agent_bpf_ops[];
extern const struct agent_op agent_irq_ops[];
extern const struct agent_op agent_payload_ops[];
extern const struct agent_op agent_batch_ops[];
extern const struct agent_op *const agent_op_tables[];

const struct agent_op *agent_find_op(const char *name);

/* Send the reply to request SEQ: "ok" or the error chain (E is freed),
 * then RES's fields when given. Ops that set a->deferred call this
 * themselves once they have their answer. */
/* HELLO: the guest is ready (at boot, and again on `resume` after a warm
 * start); sched_err is the boot scheduler's failure, or NULL. */
struct kterr *agent_send_hello(struct agent *a, const struct kterr *sched_err);

void agent_reply(struct agent *a, uint32_t seq, const char *name, struct kterr *e,
		 struct wire_buf *res);

/* Schedulers (agent-sched.c): start the boot scheduler (/scheduler) if
 * there is one and wait until it is enabled; the attached one's name ("":
 * none of ours); forward its output and report an unasked-for exit. */
struct kterr *agent_sched_boot(void);
/* PID holds a struct_ops BPF link: it is a sched_ext scheduler (started as
 * a payload, say). Disable sched_ext through sysrq S and wait for it. */
bool agent_holds_struct_ops(pid_t pid);
struct kterr *agent_sched_disable(enum kt_limit limit);
const char *agent_sched_name(void);
void agent_sched_poll(struct agent *a);

/* Payloads (agent-payload.c): exits noticed, deferred waits answered. */
void agent_payloads_poll(struct agent *a);
bool agent_payloads_waiting(void);
/* The host cancelled request SEQ: if it is a deferred wait-payload, answer
 * it ECANCELED now and return true. */
bool agent_payload_cancel_wait(struct agent *a, uint32_t seq);

/* Cancellation (agent-main.c). An op that runs long in the agent's own
 * loop (sh) calls this when the control port is readable: it reads the
 * frames that came, answers a "cancel" of request SEQ (true: the op must
 * stop now and reply ECANCELED) and refuses any other request with EBUSY,
 * as the agent serves one request at a time. */
bool agent_take_cancel(struct agent *a, uint32_t seq);

/* Workers (agent-worker.c). Spawn req's workers=N work= policy= affinity=
 * into CGROUP ("" the runner's), replying "pids"; stop the workers of
 * CGROUP (and of its descendants when subtree), replying their final
 * reports as "workers" when reply is given; count those in CGROUP. */
struct kterr *agent_workers_spawn(const char *cgroup, const struct wire_msg *req,
				  struct wire_buf *reply);
struct kterr *agent_workers_stop(const char *cgroup, bool subtree, struct wire_buf *reply);
/* SIGKILL the workers agent_workers_stop would stop (pids, the pid
 * records of a stop-cgroup request: only those spawns' when given),
 * without waiting: a batch of stops or removals
 * signals them all first (agent-batch.c). */
void agent_workers_signal(const char *cgroup, bool subtree, const struct wire_field *pids);
unsigned agent_workers_in(const char *cgroup);
struct agent_wk;
size_t agent_workers_progress(struct agent_wk *out, size_t max);

/* NAME under the managed parent, refusing escapes (agent-cgroup.c). */
struct kterr *agent_cgroup_path(const char *name, char *path, size_t size);

/* Mounts and cgroups (agent-mounts.c). Problems go to a->mount_errors. */
void agent_mount_all(struct agent *a);
void agent_cgroup_setup(struct agent *a);

/* The control port (agent-chan.c). */
struct kterr *agent_chan_open(struct agent *a);
struct kterr *agent_send(struct agent *a, struct wire_buf *b);
void agent_send_log(struct agent *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Staged binaries (agent-spawn.c): the one binary in DIR/NAME besides its
 * args file; and starting one, in cgroup directory CGDIR (NULL: the
 * agent's), output to OUT (appended or truncated), through `sh -c "exec
 * BIN ARGS"`. An error before the exec is the child's own, with errno. */
struct kterr *agent_staged_binary(const char *dir, const char *kind, const char *name,
				  char *path, size_t size);
struct kterr *agent_spawn(const char *cgdir, const char *out, bool append, const char *bin,
			  const char *args, pid_t *pid);

/* Children (agent-reap.c). */
void agent_reap(void);
/* Wait for pid to exit, up to timeout_ms (<0: forever); true when it
 * did, with its wait status. */
bool agent_wait_child(pid_t pid, int timeout_ms, int *status);

/* The interactive shell on hvc0 (agent-shell.c): ktcon boot --shell's,
 * started at boot; the console's is the `shell` op's. */
void agent_shell_start(struct agent *a);
struct kterr *agent_op_shell(struct agent *a, const struct wire_msg *req, struct wire_buf *reply);

/* sched_ext state text ("enabled", "disabled", ...) or "absent". */
const char *agent_scx_state(char *buf, size_t size);

/* One cgroup's ktcon workers as a STATE frame carries them (wk.*):
 * straight from their shared reports, no syscall per worker. */
struct agent_wk {
	char cgroup[64];			/* "@runner": the runner's own */
	uint64_t iterations;			/* summed */
	struct wire_worker_rec *recs;		/* malloc'd, one per worker */
	size_t nrecs;
};
void agent_wk_free(struct agent_wk *w, size_t n);

/* Where a STATE frame's parts are read from: the live guest, or fixtures
 * in tests (agent-state.c; the layout is guest/wire-state.h). */
struct agent_state_src {
	const char *cgroups;		/* the managed parent */
	const char *interrupts;		/* /proc/interrupts */
	const char *sched_ext;		/* /sys/kernel/sched_ext */
	/* ktcon workers in a cgroup ("a/b"); NULL: not reported */
	unsigned (*workers)(const char *cgroup);
	/* Worker groups' progress: up to max of them, merged by cgroup, each
	 * with its workers' records (agent_wk_free frees them); NULL: not
	 * reported */
	size_t (*progress)(struct agent_wk *out, size_t max);
};
extern const struct agent_state_src agent_state_live;

/* Begin a STATE frame (seq gen) with its cg.* and sched.* fields; *fields
 * counts them for agent_state_end, which adds the IRQ table, the uptime
 * and the skipped-rounds count. wire_finish() then closes the frame. */
void agent_state_begin(struct wire_buf *b, uint32_t gen, const struct agent_state_src *src,
		       size_t *fields);
void agent_state_end(struct wire_buf *b, const struct agent_state_src *src, size_t fields,
		     uint64_t uptime_ms, uint64_t skipped_rounds);

/* The STATE stream (agent-stream.c): tick whenever the serve loop wakes;
 * sleep no longer than timeout_ms; poke after an op to sample at once, or
 * AGENT_STATE_POKE_MIN_MS after the last look if that is later. */
void agent_stream_tick(struct agent *a);
int agent_stream_timeout_ms(const struct agent *a);
void agent_stream_poke(struct agent *a);

/* Power off (agent-power.c): detach sched_ext, sync, reset. Never returns. */
void agent_power_off(void) __attribute__((noreturn));

/* The agent's scheduling class (agent-class.c): SCHED_FIFO at the lowest
 * priority with SCHED_RESET_ON_FORK, out of any sched_ext scheduler's
 * reach; children start as SCHED_NORMAL. agent_class_name() says what the
 * agent runs as now ("fifo:1 reset-on-fork"), for HELLO. */
struct kterr *agent_class_enter(void);
const char *agent_class_name(char *buf, size_t size);

/* Small file helpers (agent-util.c). */
struct kterr *agent_write_file(const char *path, const char *text);
struct kterr *agent_read_file(const char *path, char *buf, size_t size);
void agent_console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
