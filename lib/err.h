/*
 * err.h - errors that carry their chain of context.
 *
 * Every fallible function in ktcon returns a `struct kterr *`: NULL on
 * success, otherwise an error whose outermost frame says what the caller was
 * doing and whose innermost frame says what the system said (errno, file).
 * Callers add a frame with kterr_wrap() as the error travels up, so the user
 * reads "add-cgroup workers: mkdir /sys/fs/cgroup/ktcon/workers: File exists"
 * rather than "failed".
 *
 * Errors are heap objects; the one who stops propagating frees them.
 * Allocation failure is absorbed into a static "out of memory" error so a
 * path that reports an error never itself fails.
 */
#ifndef KTCON_ERR_H
#define KTCON_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>

struct kterr;

/* A new leaf error. errnum is an errno (0 when the failure is ours). */
struct kterr *kterr_new(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct kterr *kterr_newv(int errnum, const char *fmt, va_list ap);

/* A leaf error whose errno callers can test (kterr_errno_of) but which is
 * not printed: the message says it better. A wait that ran out is
 * ETIMEDOUT, which strerror calls "Connection timed out". */
struct kterr *kterr_silent(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A leaf error from errno as it is now. */
#define kterr_errno(...) kterr_new(errno, __VA_ARGS__)

/* Wrap cause in a new outer frame; returns cause's replacement. NULL passes
 * through (so `return kterr_wrap(f(), "...")` is fine on success). */
struct kterr *kterr_wrap(struct kterr *cause, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A hint for the user ("use replace-scheduler or detach-scheduler first"),
 * shown after the chain. The last hint set wins. */
struct kterr *kterr_hint(struct kterr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Evidence for the user (a console tail, a tool's stderr), printed on
 * its own lines after the chain and the hint. Several notes accumulate in
 * the order given. */
struct kterr *kterr_note(struct kterr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The innermost errno in the chain, 0 when none. */
int kterr_errno_of(const struct kterr *e);

/* The chain flattened: "outer: ...: leaf: strerror" (plus " (hint: ...)").
 * Returns buf; truncates to size. */
const char *kterr_str(const struct kterr *e, char *buf, size_t size);

/* The flattened chain, malloc'd; the caller frees it. */
char *kterr_strdup(const struct kterr *e);

/* The hint alone, or NULL. */
const char *kterr_hint_of(const struct kterr *e);

/* True when TEXT occurs anywhere in the flattened chain. */
bool kterr_contains(const struct kterr *e, const char *text);

void kterr_free(struct kterr *e);

/*
 * One frame of a chain as plain fields, for carrying a chain across a
 * boundary (the agent's replies, guest/wire-reply.h) and rebuilding it on
 * the other side with its errno, hints and notes intact.
 */
struct kterr_frame {
	const char *msg;
	int errnum;
	bool quiet;		/* errnum kept but not printed (kterr_silent) */
	const char *hint;	/* this frame's own hint, or NULL */
	const char *notes;	/* this frame's notes, or NULL */
};

/* The frame at depth i (0: the outermost) viewed in place; false past the
 * leaf. The strings belong to e. */
bool kterr_frame_at(const struct kterr *e, size_t i, struct kterr_frame *out);

/* A chain of n >= 1 frames, outermost first (the strings are copied). */
struct kterr *kterr_from_frames(const struct kterr_frame *f, size_t n);

#endif
