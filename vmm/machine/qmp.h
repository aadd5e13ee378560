/*
 * qmp.h - QEMU Machine Protocol client over a unix socket.
 *
 * Two layers. The reader is pure: fed bytes, it cuts lines (QEMU ends each
 * message with "\r\n"), parses each as JSON and classifies it as greeting,
 * return, error or event. It never trusts QEMU's lengths: a line longer
 * than QMP_MAX_LINE is dropped with an error and the reader resyncs at the
 * next newline; a line that is not a QMP message is reported and skipped.
 * Unit tests feed it recorded transcripts (tests/data/qmp/).
 *
 * The client owns the socket: it connects (retrying while QEMU creates the
 * socket, until a deadline), reads the greeting, negotiates capabilities,
 * and runs one command at a time, matching the reply by "id". Events that
 * arrive before the reply (QEMU sends STOP before the return of "stop", and
 * SHUTDOWN before the return of "quit") are queued, in arrival order, for
 * the caller to pop. To watch for events between commands, poll() qmp_fd()
 * for POLLIN, call qmp_pump(), then pop; pop after every command too, as
 * the queue may have filled while it waited.
 *
 * Not thread-safe: one thread drives a client.
 */
#ifndef KTCON_VMM_QMP_H
#define KTCON_VMM_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "lib/kjson.h"

#define QMP_MAX_LINE (1u << 20)
/* Events kept when nobody pops them; the oldest are dropped (and counted)
 * past this, so a stuck caller cannot make us grow without bound. */
#define QMP_MAX_QUEUED_EVENTS 1024u

/* ---- messages (pure) ---- */

enum qmp_msg_kind {
	QMP_MSG_GREETING,
	QMP_MSG_RETURN,
	QMP_MSG_ERROR,
	QMP_MSG_EVENT,
};

/* The events ktcon acts on; the rest are QMP_EV_OTHER with their name. */
enum qmp_event {
	QMP_EV_OTHER,
	QMP_EV_SHUTDOWN,
	QMP_EV_POWERDOWN,
	QMP_EV_RESET,
	QMP_EV_STOP,
	QMP_EV_RESUME,
	QMP_EV_SUSPEND,
	QMP_EV_WAKEUP,
	QMP_EV_GUEST_PANICKED,
	QMP_EV_GUEST_CRASHLOADED,
	QMP_EV_WATCHDOG,
};

struct qmp_msg {
	enum qmp_msg_kind kind;
	struct json_object *root;	/* the message; owns everything below */
	struct json_object *id;		/* echoed "id", or NULL */
	/* RETURN: the "return" value. EVENT: "data" or NULL. GREETING: the
	 * "QMP" object. ERROR: the "error" object. */
	struct json_object *body;
	/* ERROR */
	const char *err_class;
	const char *err_desc;
	/* EVENT */
	const char *event;
	enum qmp_event event_kind;
	int64_t ts_sec, ts_usec;	/* QEMU's host timestamp, -1 when absent */
};

void qmp_msg_free(struct qmp_msg *m);

/* Classify one line (without its line ending). *out is NULL on error. */
struct kterr *qmp_msg_parse(const char *line, size_t len, struct qmp_msg **out);

/* The event's enum from its name (QMP_EV_OTHER when not in the table). */
enum qmp_event qmp_event_from_name(const char *name);
const char *qmp_event_name(enum qmp_event ev);

/* The error as a kterr: "CLASS: desc" (EIO), for callers that hold an
 * ERROR message. */
struct kterr *qmp_msg_error(const struct qmp_msg *m);

struct qmp_reader {
	char *buf;
	size_t len, cap;
	bool discarding;	/* inside an overlong line, dropping to '\n' */
};

void qmp_reader_init(struct qmp_reader *r);
void qmp_reader_release(struct qmp_reader *r);

/* Append bytes. Fails only on OOM. */
struct kterr *qmp_reader_feed(struct qmp_reader *r, const void *data, size_t len);

/* The next complete message, or *out = NULL when more bytes are needed.
 * A bad line (not JSON, not QMP, too long) is consumed and returned as an
 * error; calling again continues with the next line. Empty lines are
 * skipped. */
struct kterr *qmp_reader_next(struct qmp_reader *r, struct qmp_msg **out);

/* ---- client ---- */

struct qmp;

/* Connect to the QMP socket at path, retrying while it does not exist or
 * refuses, until deadline_ns (kt_now_ns() clock); read the greeting and
 * negotiate capabilities. trace (may be NULL) is as for qmp_set_trace,
 * from the first byte. */
struct kterr *qmp_connect(const char *path, uint64_t deadline_ns, FILE *trace,
			  struct qmp **out);

void qmp_close(struct qmp *q);

/* Per-command reply timeout (default: the qmp-reply limit, scaled;
 * lib/timeouts.h). */
void qmp_set_timeout(struct qmp *q, int timeout_ms);

/* Write every byte sent and received to f in the transcript format of
 * tests/data/qmp/ ("> " sent, "< " received, one chunk a line, escaped).
 * NULL stops. For debugging and for recording new transcripts. */
void qmp_set_trace(struct qmp *q, FILE *f);

/* The greeting's "QEMU major.minor.micro". */
const char *qmp_version(const struct qmp *q);

/* Run command with args_json (a JSON object as text, or NULL). args_json
 * is parsed before sending, so a malformed one never reaches QEMU. On
 * success *reply (when not NULL) is the RETURN message (reply->body is the
 * return value); the caller frees it. A QMP error comes back as
 * "qmp CMD: CLASS: desc". */
struct kterr *qmp_execute(struct qmp *q, const char *command, const char *args_json,
			  struct qmp_msg **reply);

/* qmp_execute, passing fd to QEMU with the command (SCM_RIGHTS), as
 * getfd and add-fd want. */
struct kterr *qmp_execute_fd(struct qmp *q, const char *command, const char *args_json,
			     int fd, struct qmp_msg **reply);

/* The fd to poll() for POLLIN: readable means qmp_pump() has work. */
int qmp_fd(const struct qmp *q);

/* Read whatever the socket holds without blocking and queue the events.
 * EOF is an error (ECONNRESET) once; events received before it stay
 * queued. */
struct kterr *qmp_pump(struct qmp *q);

/* The oldest queued event (the caller frees it), or NULL. */
struct qmp_msg *qmp_event_pop(struct qmp *q);

/* Events dropped because the queue was full. */
uint64_t qmp_events_dropped(const struct qmp *q);

/* True once QEMU closed the socket. */
bool qmp_eof(const struct qmp *q);

/* ---- commands ---- */

struct qmp_status {
	char status[32];	/* "running", "paused", "prelaunch", ... */
	bool running;
};

struct kterr *qmp_query_status(struct qmp *q, struct qmp_status *out);

/* Ask QEMU to exit. QEMU replies and then closes the socket; closing
 * without a reply also counts as done, as that is what quit asked for. */
struct kterr *qmp_quit(struct qmp *q);

/* A human monitor command ("info registers"); *out is its text, malloc'd. */
struct kterr *qmp_hmp(struct qmp *q, const char *command_line, char **out);

#endif
