/*
 * guestmem.h - guest RAM, shared with QEMU through a file in /dev/shm.
 *
 * QEMU backs the guest's RAM with memory-backend-file,share=on on a file we
 * create; we map the same file, so a snapshot or a kernel read is a memcpy,
 * not a protocol. The file is unlinked once QEMU has opened it, so nothing
 * is left in /dev/shm whatever happens to either process.
 *
 * Guest-physical layout of QEMU's microvm (seen with `info mtree -f` on
 * QEMU 7.2): RAM is mapped at 0 up to 3 GiB, and the rest at 4 GiB:
 *   [0, min(size, 3G))       -> file offset gpa
 *   [4G, 4G + size - 3G)     -> file offset 3G + (gpa - 4G)
 * Every access is bounds-checked against that map; guest addresses come
 * from an untrusted guest.
 */
#ifndef KTCON_VMM_GUESTMEM_H
#define KTCON_VMM_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"

#define GUESTMEM_LOW_LIMIT 0xC0000000ULL	/* 3 GiB below the PCI hole */
#define GUESTMEM_HIGH_BASE 0x100000000ULL

struct guestmem {
	char *path;	/* NULL once unlinked */
	int fd;
	uint8_t *base;
	uint64_t size;
};

/* Create and map DIR/ktcon-<pid>-<n>.ram of SIZE bytes. */
struct kterr *guestmem_create(struct guestmem *gm, const char *dir, uint64_t size);

/* Remove the file name (the mapping and QEMU's stay valid). */
void guestmem_unlink(struct guestmem *gm);

/* Host pointer for [gpa, gpa+len), or NULL when any byte of it is not RAM
 * or the range crosses from low to high RAM. */
void *guestmem_ptr(const struct guestmem *gm, uint64_t gpa, uint64_t len);

/* Copy guest memory in or out; ranges may cross the low/high boundary
 * only where both sides are RAM (they never are contiguous, so: no). The
 * error names the first guest-physical address that is not RAM. */
struct kterr *guestmem_read(const struct guestmem *gm, uint64_t gpa, void *buf, size_t len);
struct kterr *guestmem_write(struct guestmem *gm, uint64_t gpa, const void *buf, size_t len);

void guestmem_destroy(struct guestmem *gm);

#endif
