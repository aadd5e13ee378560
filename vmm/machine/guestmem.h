/*
 * guestmem.h - guest RAM, shared with QEMU through an anonymous memory file.
 *
 * The RAM is a memfd: it has no name anywhere, so nothing can be stranded
 * in /dev/shm whatever kills ktcon or QEMU, at whatever moment. QEMU
 * inherits the descriptor and opens it again as /proc/self/fd/N with
 * memory-backend-file,share=on (QEMU's own memory-backend-memfd would make
 * a memfd we cannot see); we map the same memory, so a snapshot or a kernel
 * read is a memcpy, not a protocol.
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

#include "lib/err.h"

#define GUESTMEM_LOW_LIMIT 0xC0000000ULL	/* 3 GiB below the PCI hole */
#define GUESTMEM_HIGH_BASE 0x100000000ULL

struct guestmem {
	char *path;	/* "/proc/self/fd/N": names the memory in a child that
			 * keeps fd N open across exec (it is close-on-exec
			 * until the child clears that) */
	int fd;
	uint8_t *base;
	uint64_t size;
};

/* Create and map SIZE bytes of anonymous shared memory. */
struct kterr *guestmem_create(struct guestmem *gm, uint64_t size);

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
