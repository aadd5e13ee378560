/*
 * agentlink.h - the host's end of the control channel to ktcon-guest.
 *
 * Frames (guest/wire.h) over the ktcon.0 socket: wait for HELLO, send an
 * OP_REQ and wait for the OP_REPLY with its sequence, pass LOG frames to a
 * callback, and keep the latest STATE (parsed, in l->state). Every wait is
 * bounded and checks the machine's health on the way (QEMU gone, kernel
 * panic), so a dead guest is an error with evidence, never a hang.
 *
 * Frames the guest sends unasked (STATE twice a second, LOG) are handled
 * whenever the link reads: while a request waits for its reply, and in
 * agentlink_pump(), which whoever drives the link calls when it has
 * nothing to ask (the executor, during holds), so the guest's writes never
 * back up.
 *
 * One thread drives a link.
 */
#ifndef KTCON_VMM_AGENTLINK_H
#define KTCON_VMM_AGENTLINK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "engine/gstate.h"
#include "guest/wire.h"

struct agent_hello {
	char agent[32];
	char release[128];
	unsigned cpus;
	char cpus_online[128];
	char sched_ext[32];		/* "enabled", "disabled", "absent" */
	uint64_t uptime_ms;		/* guest uptime when the agent said hello */
	char controllers[128];		/* of the managed cgroup parent */
	char mount_errors[1024];
	char scheduler[64];		/* the boot scheduler, enabled; "" none */
	char scheduler_error[2048];	/* why the boot scheduler failed */
	char features[4096];		/* every op name: grows with the agent */
	char agent_class[64];		/* "fifo:1 reset-on-fork"; "" from an old agent */
};

struct agentlink {
	int fd;
	struct wire_decoder dec;
	struct wire_msg *msg;
	uint32_t next_seq;
	bool have_hello;
	struct agent_hello hello;
	uint64_t hello_ns;		/* kt_now_ns() when HELLO arrived */
	uint64_t bad_frames;
	/* Why the guest is gone (panic, QEMU exit, closed channel), once it
	 * is: every later call fails at once with EHOSTDOWN. */
	char *gone;
	/* The latest good STATE; nstates counts those taken, so a caller can
	 * tell a newer one from the one it has. A bad STATE is logged and
	 * counted in bad_states, and the previous one kept. */
	struct kt_gstate state;
	uint64_t nstates;
	uint64_t bad_states;
	size_t state_bytes;		/* size of the last STATE frame taken */
	/* Why the guest might not answer: NULL while healthy. */
	struct kterr *(*health)(void *ctx);
	void *health_ctx;
	void (*on_log)(const char *line, void *ctx);
	void *log_ctx;
	/* EVENT frames (a scheduler exited, ...): the frame, valid during
	 * the call. */
	void (*on_event)(const struct wire_msg *m, void *ctx);
	void *event_ctx;
};

struct kterr *agentlink_init(struct agentlink *l, int fd,
			     struct kterr *(*health)(void *), void *health_ctx);
void agentlink_release(struct agentlink *l);

/* Wait for HELLO (the guest is ready). */
struct kterr *agentlink_wait_hello(struct agentlink *l, int timeout_ms);

/* How long a cancelled request's own reply is waited for (see below). */

/* Send one OP_REQ built by fill() and wait for its reply. The reply's
 * "error" becomes the returned error (the guest's whole chain); on success,
 * and with the guest's error (a batch's "done" rides on it), *reply points
 * at the link's message buffer, valid until the next call; else NULL.
 * timeout_ms < 0 waits forever (still checking health and cancel).
 *
 * When *cancel turns true, the agent is sent `cancel seq=N` (it kills an
 * `sh` command, drops a wait-payload; anything else runs to its end) and
 * the request's own reply is awaited for the limit cancel-grace (lib/timeouts.h): an op
 * the guest completed anyway returns NULL with its reply, as done (the
 * caller must say the cancel came too late, and count it applied); one
 * stopped or failed returns ECANCELED with the guest's words. */
struct kterr *agentlink_request(struct agentlink *l, const char *op,
				void (*fill)(struct wire_buf *b, void *ctx), void *ctx,
				int timeout_ms, const atomic_bool *cancel,
				const struct wire_msg **reply);

/* The same with the frame built by the caller: b was begun with
 * wire_begin(b, WIRE_OP_REQ, 0) and holds "op" and the request's fields;
 * the link numbers it, finishes and sends it (b is the caller's to free).
 * The guest link encodes its requests so, without a hook called back. */
struct kterr *agentlink_request_frame(struct agentlink *l, const char *op, struct wire_buf *b,
				      int timeout_ms, const atomic_bool *cancel,
				      const struct wire_msg **reply);

/* Handle every frame that has arrived or arrives within timeout_ms (0:
 * only what is already there), then return. An error only when the guest
 * is gone or the channel broke. */
struct kterr *agentlink_pump(struct agentlink *l, int timeout_ms);

/* Pump until a STATE newer than the nstates given has been taken. */
struct kterr *agentlink_wait_state(struct agentlink *l, uint64_t after, int timeout_ms);

/* `sh CMD`: run a command in the guest; its output is malloc'd. The guest
 * kills the command's process group after timeout_ms (0: its own cap,
 * WIRE_SH_MAX_TIMEOUT_MS in guest/wire.h), or when *cancel turns true. */
struct kterr *agentlink_sh(struct agentlink *l, const char *cmd, int timeout_ms,
			   int *status, char **output);
struct kterr *agentlink_sh_cancellable(struct agentlink *l, const char *cmd, int timeout_ms,
				       const atomic_bool *cancel, int *status, char **output);

/* The console's interactive shell (the `shell` op, guest/agent-shell.c):
 * attach to the guest's shell on hvc0, starting one if none lives, with
 * the terminal's size (rows, cols; 0: leave it) and TERM (NULL: "linux").
 * Waits, with no limit, until the shell exits (*detached false, *status
 * its exit status) or *cancel turns true: then the guest detaches and the
 * shell lives on (*detached true). The caller relays the terminal and
 * hvc0 meanwhile; no byte of the shell crosses this link. */
struct kterr *agentlink_shell(struct agentlink *l, unsigned rows, unsigned cols, const char *term,
			      const atomic_bool *cancel, bool *detached, int *status);

/* Ask the guest to power off; returns once it has acknowledged. */
struct kterr *agentlink_poweroff(struct agentlink *l, int timeout_ms);

#endif
