/* guestmem.c - guest RAM shared with QEMU; see guestmem.h. */
#include "vmm/machine/guestmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/util.h"

struct kterr *guestmem_create(struct guestmem *gm, uint64_t size)
{
	struct kterr *e;

	memset(gm, 0, sizeof(*gm));
	gm->fd = memfd_create("ktcon-guest-ram", MFD_CLOEXEC);
	if (gm->fd < 0)
		return kterr_hint(kterr_errno("create the guest RAM (memfd_create)"),
				  "ktcon needs Linux 3.17 or later");
	gm->path = kt_strfmt("/proc/self/fd/%d", gm->fd);
	if (!gm->path) {
		e = kterr_new(ENOMEM, "guest RAM");
		goto fail;
	}
	if (ftruncate(gm->fd, size) < 0) {
		e = kterr_hint(kterr_errno("size the guest RAM to %llu MiB",
					   (unsigned long long)(size >> 20)),
			       "it lives in shared memory (as /dev/shm): give the guest less "
			       "memory or free some");
		goto fail;
	}
	gm->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, gm->fd, 0);
	if (gm->base == MAP_FAILED) {
		gm->base = NULL;
		e = kterr_errno("map the guest RAM (%llu MiB)", (unsigned long long)(size >> 20));
		goto fail;
	}
	gm->size = size;
	return NULL;
fail:
	guestmem_destroy(gm);
	return e;
}

/* File offset of gpa and how many bytes from there stay in the same RAM
 * region; false when gpa is not RAM. */
static bool translate(const struct guestmem *gm, uint64_t gpa, uint64_t *off, uint64_t *avail)
{
	uint64_t low = gm->size < GUESTMEM_LOW_LIMIT ? gm->size : GUESTMEM_LOW_LIMIT;

	if (gpa < low) {
		*off = gpa;
		*avail = low - gpa;
		return true;
	}
	if (gm->size > GUESTMEM_LOW_LIMIT && gpa >= GUESTMEM_HIGH_BASE &&
	    gpa - GUESTMEM_HIGH_BASE < gm->size - GUESTMEM_LOW_LIMIT) {
		*off = GUESTMEM_LOW_LIMIT + (gpa - GUESTMEM_HIGH_BASE);
		*avail = gm->size - *off;
		return true;
	}
	return false;
}

void *guestmem_ptr(const struct guestmem *gm, uint64_t gpa, uint64_t len)
{
	uint64_t off, avail;

	if (!gm->base || !translate(gm, gpa, &off, &avail) || len > avail)
		return NULL;
	return gm->base + off;
}

static struct kterr *bad_range(uint64_t gpa, size_t len)
{
	return kterr_new(EFAULT, "guest-physical 0x%llx..0x%llx is not guest RAM",
			 (unsigned long long)gpa, (unsigned long long)(gpa + len));
}

struct kterr *guestmem_read(const struct guestmem *gm, uint64_t gpa, void *buf, size_t len)
{
	const void *p = guestmem_ptr(gm, gpa, len);

	if (!p)
		return bad_range(gpa, len);
	memcpy(buf, p, len);
	return NULL;
}

struct kterr *guestmem_write(struct guestmem *gm, uint64_t gpa, const void *buf, size_t len)
{
	void *p = guestmem_ptr(gm, gpa, len);

	if (!p)
		return bad_range(gpa, len);
	memcpy(p, buf, len);
	/* The guest may run on another host CPU: order our stores before
	 * whatever the caller does next (resume, a doorbell). */
	atomic_thread_fence(memory_order_release);
	return NULL;
}

void guestmem_destroy(struct guestmem *gm)
{
	if (gm->base)
		munmap(gm->base, gm->size);
	if (gm->fd >= 0)
		close(gm->fd);
	free(gm->path);
	memset(gm, 0, sizeof(*gm));
	gm->fd = -1;
}
