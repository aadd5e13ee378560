/* fake_host.h - host introspection for unit tests: counts freezes and
 * writes, returns scripted reads and snapshot variables. */
#ifndef KTCON_FAKE_HOST_H
#define KTCON_FAKE_HOST_H

#include "engine/host.h"

struct fake_host {
	int captures;
	int cold_calls, hot_calls;	/* kernel_write calls: one freeze per cold call */
	size_t last_nwrites;
	struct kt_kwrite writes[64];
	int reads;
	uint64_t read_value;
	uint64_t var_value;
	/* From the value_after'th read (kernel_read) or capture on, reads
	 * give read_late and variables var_late (0: never). */
	int value_after;
	uint64_t read_late, var_late;
	unsigned armed[8];
	int narmed;
	unsigned disarmed[8];	/* watch_disarm's slots, in order */
	int ndisarmed;
};

/* All ops; fake_host_no_snapshots has no snapshot_capture. */
extern const struct kt_host_ops fake_host_ops, fake_host_no_snapshots;

#endif
