/*
 * con-record.h - turning what the console applied into a recipe.
 *
 * The recorder keeps the whole session as recipe text from its start: the
 * header that reproduces the guest (given by the console: vm, kernel,
 * scheduler, staged binaries), `backdrop` (an interactive session starts
 * there), every statement applied, and `step` lines. `record FILE` writes
 * the text so far to FILE and from then on appends each statement as it
 * is applied, flushed and fsync'd: killing ktcon loses nothing applied.
 *
 * What is written so that `ktcon run FILE` gives what the session gave:
 * - an op that failed is followed by `expect error "TEXT"`, TEXT being the
 *   failure's chain below the statement itself (no hint, no notes);
 * - an expectation that did not hold is kept as a comment, with why, and
 *   so is an op cancelled with C-c (a replay would not cancel it); an op
 *   the guest completed in spite of a C-c is an op applied, and written so;
 * - an `sh` command is not a recipe statement: it is kept as a comment, so
 *   the recording says where the session did what a replay will not; so
 *   is `unwatch SYMBOL` (a replay's watch lasts until its step ends);
 * - a `cgroup` line typed after an op of the same section becomes
 *   `add-cgroup-def` with the same arguments (a setup line must come first);
 * - `step hold=...` is written as typed; a bare `step` gets the time the
 *   operator held it (from its last op to its end), patched into its line
 *   when the step ends (the line is padded so the patch fits in place).
 */
#ifndef KTCON_TUI_CON_RECORD_H
#define KTCON_TUI_CON_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "engine/recipe.h"

struct con_rec;

/* header: the header lines, each ending in '\n'. now_ns: the session's
 * clock (the backdrop begins). NULL when out of memory. */
struct con_rec *con_rec_new(const char *header, uint64_t now_ns);
void con_rec_free(struct con_rec *r);

/* A statement was applied (an op, a cgroup line, an expectation);
 * failure: why it failed, or NULL. */
struct kterr *con_rec_applied(struct con_rec *r, const struct kt_stmt *st,
			      const struct kterr *failure, uint64_t now_ns);
/* An `sh` command ran at the console (failure: why it failed, or NULL). */
struct kterr *con_rec_sh(struct con_rec *r, const char *cmd, const struct kterr *failure);
/* Any console-only command (name, its arguments) kept the same way. */
struct kterr *con_rec_console(struct con_rec *r, const char *name, const char *args,
			      const struct kterr *failure);
/* A comment line of the console's own (`restart`): "  # TEXT". */
struct kterr *con_rec_comment(struct con_rec *r, const char *text);
/* A new step begins (st: the `step` line typed); the one before ends. */
struct kterr *con_rec_step(struct con_rec *r, const struct kt_stmt *st, uint64_t now_ns);
/* The session ends: the last step's hold is settled. */
struct kterr *con_rec_end(struct con_rec *r, uint64_t now_ns);

/* How a console-only line's comment goes on ("# sh CMD  " then this, then
 * "; cancelled" or "; it failed" or nothing, then ")"): a replay finds
 * them by it (con-replay.h). */
#define CON_REC_CONSOLE_ONLY "(console only: a replay does not run it"

/* A header that starts with CON_REC_STAMP and a date (CON_REC_DATE_FMT,
 * CON_REC_DATE_W wide) gets the date the recording starts. */
#define CON_REC_STAMP "# recorded at the ktcon console, "
#define CON_REC_DATE_FMT "%Y-%m-%d %H:%M"
#define CON_REC_DATE_W 16

/* Write the session so far to path (created or truncated) and keep
 * appending to it; the header's date becomes now's (CON_REC_STAMP). */
struct kterr *con_rec_start(struct con_rec *r, const char *path);
/* Stop appending (the file stays a complete recipe). */
struct kterr *con_rec_stop(struct con_rec *r);
/* The file being written, or NULL. */
const char *con_rec_file(const struct con_rec *r);

/* The session as recipe text so far (valid until the next call). */
const char *con_rec_text(const struct con_rec *r);

/* TEXT for `expect error`: the failure of st without st's own frame, its
 * hint or its notes; malloc'd. */
char *con_rec_error_text(const struct kt_stmt *st, const struct kterr *failure);

#endif
