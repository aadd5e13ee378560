/*
 * migrate.h - QEMU's migration stream to and from a file, over QMP: how a
 * warm state is saved and restored (warm.h).
 *
 * Guest RAM lives in a shared memory file (guestmem.h), so both sides set
 * the x-ignore-shared capability: QEMU then leaves that RAM out of the
 * stream (the caller saves it, and gives the restoring QEMU a RAM file that
 * already holds it). QEMU 7.2 has no file: URI (8.2+), so the stream goes
 * through exec: (`cat > FILE`, `cat FILE`), which runs /bin/sh; the path is
 * single-quoted and may not hold a quote.
 */
#ifndef KTCON_VMM_MIGRATE_H
#define KTCON_VMM_MIGRATE_H

#include "lib/err.h"

struct qmp;

/* Stop the VM and write its device state to fd (a file opened for
 * writing); returns once QEMU says the
 * migration completed (the VM stays stopped: `cont` resumes it). */
struct kterr *migrate_save(struct qmp *q, int fd, int timeout_ms);

/* In a QEMU started with -incoming defer: read the device state from fd;
 * returns once it is loaded (the VM paused, for `cont`). */
struct kterr *migrate_load(struct qmp *q, int fd, int timeout_ms);

#endif
