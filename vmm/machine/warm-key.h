/*
 * warm-key.h - what a saved ready state (warm start, warm.h) was made
 * from, and its small metadata file. Pure: no QEMU, no files but the one
 * read or written, so the unit tests cover it all.
 *
 * The key is every input that changes the guest's memory at the moment
 * the agent says HELLO: the kernel build (its files' identity), the vm
 * line (topology and memory), the initramfs' content (the agent, the boot
 * scheduler and its arguments, the staged schedulers and payloads), the
 * QEMU binary (its identity; its version string is checked against the
 * restoring QEMU's greeting), the accelerator, the TSC frequency the guest
 * was told, ktcon's wire version and this file's format. Its hash names
 * the state's directory, so a changed key simply misses; the fields are
 * also stored, and a state whose fields do not all match the run's is
 * refused with the first field that differs (an edited or colliding
 * state is never used).
 *
 * The metadata file is "name value" lines; unknown names are skipped (a
 * newer ktcon may add some), every field of the key and the sizes are
 * required.
 */
#ifndef KTCON_VMM_WARM_KEY_H
#define KTCON_VMM_WARM_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Bumped when the state's layout or what a restore expects changes. */
#define WARM_FORMAT 1

struct warm_key {
	char format[16];
	char kernel[512];	/* "bzImage SIZE MTIME_NS; vmlinux SIZE MTIME_NS" */
	char vm[128];		/* "numa=N llcs=N cores=N threads=N memory=MiB" */
	char initramfs[32];	/* 16 hex of its content's FNV-1a, and its size */
	char qemu[512];		/* "PATH SIZE MTIME_NS" */
	char accel[16];
	char tsc_khz[24];	/* the host TSC, to 10 MHz: "2600 MHz" */
	char wire[16];
};

struct warm_meta {
	struct warm_key key;
	char hash[17];			/* of key: the directory's name */
	char qemu_version[64];		/* QMP greeting of the saving QEMU */
	double timeout_scale;		/* measured at the cold boot */
	uint64_t boot_ms;		/* that boot, QEMU released to HELLO */
	int64_t created;		/* unix seconds */
	uint64_t stream_bytes;
	uint32_t stream_crc;		/* CRC-32C of the migration stream */
	uint64_t ram_bytes;		/* the RAM file's size (the guest's memory) */
	uint64_t ram_data_bytes;	/* of which written (not holes) */
	uint64_t ram_sum;		/* warm_ram_sum over the RAM's words */
	/* The agent's HELLO at the save, for the record (a restored agent
	 * sends a fresh one). */
	char hello_agent[32];
	char hello_release[128];
	char hello_cpus_online[128];
	char hello_scheduler[64];
	uint64_t hello_uptime_ms;
};

/* The key's hash: 16 hex digits over every field. */
void warm_key_hash(const struct warm_key *k, char hash[17]);

/* NULL when every field matches; else which differs, saved against
 * wanted: "kernel: saved for X, this run boots Y". */
struct kterr *warm_key_compare(const struct warm_key *saved, const struct warm_key *want);

/* The metadata as text (malloc'd). */
char *warm_meta_format(const struct warm_meta *m);

/* Parse metadata text; an error names the line and what is wrong or
 * which required field is missing. The hash is checked against the
 * fields. */
struct kterr *warm_meta_parse(const char *text, size_t len, struct warm_meta *m);

#endif
