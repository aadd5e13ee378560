/*
 * host.h - host introspection: what the engine asks of the VMM about the
 * guest's memory and vCPUs, without going through the guest.
 *
 * Snapshots (capture-snapshot), watchpoints (watch-snapshot), and kernel
 * memory reads and writes, hot (vCPUs running) or cold (every vCPU parked
 * at the freeze rendezvous; a cold write batch lands in ONE freeze window).
 * Implemented by vmm/ and by a fake in tests (tests/unit/fake_host.c).
 *
 * A NULL snapshot_capture means there is no snapshot backend (a session
 * without a VM): capture-snapshot then warns and continues, as the seed's
 * executor does with no SnapshotBridge installed.
 */
#ifndef KTCON_HOST_H
#define KTCON_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "engine/ktarget.h"

struct json_object;

struct kt_host_ops {
	/* Freeze, capture, resume; *snap identifies the capture for
	 * snapshot_var. */
	struct kterr *(*snapshot_capture)(void *ctx, const char *tag, uint64_t *snap);
	/* A variable of a capture as a number (BTF-rendered by the VMM). */
	struct kterr *(*snapshot_var)(void *ctx, uint64_t snap, const char *var, uint64_t *value);
	/* The whole capture as one JSON object: a json-c tree of the
	 * caller's own (a copy; json_object_put it), NULL when there is none.
	 * Text is made from it only where it leaves the process (the results,
	 * a saved file); the console browses and diffs the tree. May be NULL:
	 * the results then hold the id only. */
	struct json_object *(*snapshot_tree)(void *ctx, uint64_t snap);
	/* Arm a 4-byte write watchpoint on symbol in user slot 0..2 (the
	 * VMM keeps its own slot for the error trigger). Each fire is a
	 * capture tagged with the symbol, reported as a guest event. */
	struct kterr *(*watch_arm)(void *ctx, const char *symbol, unsigned slot);
	/* Disarm the watch in user slot (its step ended, or unwatch); a slot
	 * not armed is not an error. May be NULL: watches then live until
	 * the host closes. A fire may be reported without a capture (snap 0):
	 * the host captures at most a few fires a second and counts the rest. */
	struct kterr *(*watch_disarm)(void *ctx, unsigned slot);
	/* Write n pairs in order; cold: all inside one freeze window. */
	struct kterr *(*kernel_write)(void *ctx, bool cold, const struct kt_kwrite *w, size_t n);
	/* Read one target; cold: its own freeze window. */
	struct kterr *(*kernel_read)(void *ctx, bool cold, const struct kt_ktarget *t,
				     struct kt_kwidth width, struct kt_kvalue *out);
};

struct kt_host {
	const struct kt_host_ops *ops;	/* NULL: no host (unit tests, dry runs) */
	void *ctx;
};

#endif
