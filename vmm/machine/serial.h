/*
 * serial.h - the guest's kernel console on its serial port (the 8250 UART),
 * read on a thread. (serial_: tui/console.h is the console UI.)
 *
 * Every byte goes to a log file and into a bounded tail that an error can
 * quote ("the console said: ... Kernel panic ..."). Complete lines go to a
 * callback (the log pane, `ktcon boot` with --verbose). Lines that mean the
 * guest is dying are flagged as they pass, so a boot wait can stop early
 * with the reason instead of running into its timeout.
 */
#ifndef KTCON_VMM_SERIAL_H
#define KTCON_VMM_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define SERIAL_TAIL_BYTES (16 * 1024)

enum serial_alarm {
	SERIAL_OK,
	SERIAL_OOPS,		/* "Oops:", "BUG:", "general protection fault" */
	SERIAL_PANIC,		/* "Kernel panic - not syncing" */
};

struct serial {
	int fd;			/* the socket; owned */
	int log_fd;		/* -1: no log */
	void (*on_line)(const char *line, void *ctx);
	void *ctx;

	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	char tail[SERIAL_TAIL_BYTES];
	size_t tail_len;	/* bytes in tail, oldest first */
	uint64_t bytes;		/* total received */
	uint64_t first_byte_ns;	/* kt_now_ns() of the first byte, 0 before */
	enum serial_alarm alarm;
	char alarm_line[256];
	char line[1024];
	size_t line_len;
	bool eof;
};

/* Start reading fd on a thread. */
struct kterr *serial_start(struct serial *c, int fd, int log_fd,
			    void (*on_line)(const char *, void *), void *ctx);

/* Feed bytes as the thread does (exposed for tests). */
void serial_feed(struct serial *c, const char *data, size_t len);

/* The last up-to-max_lines lines, malloc'd. */
char *serial_tail(struct serial *c, int max_lines);

enum serial_alarm serial_alarm(struct serial *c, char *line, size_t size);

/* Stop the thread (shuts the socket down) and close fds. */
void serial_stop(struct serial *c);

/* Initialise for serial_feed() alone (tests). */
void serial_init_detached(struct serial *c);

#endif
