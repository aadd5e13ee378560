/*
 * con-replay.h - a recipe loaded into the console for replay: a cursor over
 * its statements, skipping the header (the guest is already booted). Each
 * `next` takes one statement (an op with the `expect error` after it, if
 * any, as one); `continue` takes them until the end or a failure.
 *
 * Pure bookkeeping: the console applies what it is given and reports back.
 */
#ifndef KTCON_TUI_CON_REPLAY_H
#define KTCON_TUI_CON_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "engine/recipe.h"

/* A console-only line of a recording (`# sh CMD  (console only: ...)`,
 * con-record.h): a comment to the parser, so the cursor tells it apart. */
struct con_replay_skip {
	int line;
	char *text;		/* the comment, '#' and all, trimmed */
};

struct con_replay {
	struct kt_recipe *r;	/* NULL: nothing loaded */
	size_t next;		/* index of the next statement */
	size_t napplied, total;	/* statements taken / to take (con_replay_count) */
	struct con_replay_skip *skips;	/* in line order */
	size_t nskips, skips_told;
};

/* What a replay applies: the statements after the header, an op and the
 * `expect error` after it counted once. `ktcon check` states the same
 * number beside its own count of every statement; *header (may be NULL):
 * the header's lines. */
size_t con_replay_count(const struct kt_recipe *r, size_t *header);

/* Load and parse path; a file with diagnostics is refused with them. */
struct kterr *con_replay_load(struct con_replay *p, const char *path);
void con_replay_clear(struct con_replay *p);

/* The next statement to apply, or NULL at the end; *xerr: the `expect
 * error` right after it, or NULL. Does not move. */
const struct kt_stmt *con_replay_peek(const struct con_replay *p, const struct kt_stmt **xerr);
/* Past the statement peeked (and its expect error). */
void con_replay_advance(struct con_replay *p);
bool con_replay_done(const struct con_replay *p);

/* The next console-only line (an `sh` the session ran) before the
 * statement on line `before` (INT_MAX: up to the end) not yet told; its
 * line in *line. Each is given once; NULL when none is left before it. */
const char *con_replay_skipped(struct con_replay *p, int before, int *line);

/* Where the header asks for a different guest than hdr (the console's):
 * a sentence for the log, or NULL when they agree; malloc'd. */
char *con_replay_header_diff(const struct con_replay *p, const struct kt_recipe *hdr);

#endif
