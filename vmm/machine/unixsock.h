/*
 * unixsock.h - the host's end of QEMU's Unix sockets (QMP, the gdbstub,
 * the serial console and the agent's chardev): connect, waiting for a
 * socket QEMU has not made yet, and a transcript line of what crossed.
 */
#ifndef KTCON_VMM_UNIXSOCK_H
#define KTCON_VMM_UNIXSOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"

/*
 * Connect to the stream socket at path; *fdp gets the descriptor
 * (close-on-exec). Errors read "WHAT PATH: connect: ..." (what names the
 * peer: "qmp", "gdb"). A socket that is not there yet or refuses (QEMU
 * makes it a little after it starts) is tried again every retry_ns until
 * deadline_ns (kt_now_ns() time; 0: one try); *waited_out (may be NULL)
 * says the error is that nobody listened by then, for the caller's hint
 * on how QEMU should have been started.
 */
struct kterr *unixsock_connect(const char *what, const char *path, uint64_t deadline_ns,
			       uint64_t retry_ns, int *fdp, bool *waited_out);

/*
 * Send all of data before deadline_ns on a non-blocking socket, through
 * EINTR and a full buffer (it waits for room). Errors read "WHAT PATH:
 * write: ..."; a peer that reads nothing by the deadline gives a quiet
 * ETIMEDOUT "WHAT PATH: QEMU does not read its SOCKNAME socket".
 */
struct kterr *unixsock_send_all(int fd, const void *data, size_t len, uint64_t deadline_ns,
				const char *what, const char *path, const char *sockname);

/* Milliseconds from now to deadline_ns for poll(), 0 once it passed,
 * rounded up, at most INT32_MAX. */
int unixsock_ms_until(uint64_t deadline_ns);

/* One transcript line: dir ('>' sent, '<' received), a space, the bytes
 * with backslash, newline and unprintable bytes escaped (\\ \n \xHH), and
 * a newline; flushed. Nothing when f is NULL. */
void unixsock_trace(FILE *f, char dir, const void *data, size_t len);

#endif
