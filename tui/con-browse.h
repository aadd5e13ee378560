/*
 * con-browse.h - a JSON document (a snapshot's tree as the VMM keeps it,
 * or any JSON file) as a tree to browse: one row per member or element,
 * "key: value" indented by depth, objects and arrays folded to a count
 * until opened (an array's element by its name when it has one: a BPF
 * map reads "[3] bss"), a cursor, and search that unfolds the path to the
 * next row whose key or value contains the text.
 *
 * Or two documents side by side (a snapshot diff): one row per member of
 * either, marked '~' changed, '+' only in B, '-' only in A, '!' of
 * another type, A's value and B's in two columns under a head row; what
 * differs is unfolded, the rest folded. The rows come from lib/jdiff.h's
 * walk.
 *
 * Pure: it renders into a con_buf rectangle and moves on commands; the
 * console maps keys to those commands while the browser is open.
 */
#ifndef KTCON_TUI_CON_BROWSE_H
#define KTCON_TUI_CON_BROWSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "tui/con-buf.h"

struct con_browse;

enum con_browse_move {
	CON_BR_UP,
	CON_BR_DOWN,
	CON_BR_PAGE_UP,
	CON_BR_PAGE_DOWN,
	CON_BR_TOP,
	CON_BR_BOTTOM,
	CON_BR_TOGGLE,		/* fold or unfold the row under the cursor */
	CON_BR_OPEN_ALL,
	CON_BR_CLOSE_ALL,
};

struct json_object;

/* Browse doc (read while opening; the caller keeps it); title names it in
 * the pane. The top level is open. */
struct kterr *con_browse_open_tree(const char *title, struct json_object *doc,
				   struct con_browse **out);
/* Parse json (len bytes, a file), then as con_browse_open_tree. */
struct kterr *con_browse_open(const char *title, const char *json, size_t len,
			      struct con_browse **out);
/* a and b side by side, their columns headed name_a and name_b. */
struct kterr *con_browse_open_diff(const char *title, const char *name_a,
				   struct json_object *a, const char *name_b,
				   struct json_object *b, struct con_browse **out);
/* A diff: the cursor to the next (dir > 0) or previous difference,
 * wrapping, its parents opened; false when there is none (or b is not a
 * diff). */
bool con_browse_next_change(struct con_browse *b, int dir);
/* A diff's count of differences (lib/jdiff.h's total); 0 otherwise. */
size_t con_browse_changes(const struct con_browse *b);
void con_browse_free(struct con_browse *b);
const char *con_browse_title(const struct con_browse *b);

/* page: rows a page moves (the pane's height). */
void con_browse_move(struct con_browse *b, enum con_browse_move m, int page);
/* From the row after the cursor, wrapping: true when found (the cursor is
 * on it, its parents open). */
bool con_browse_search(struct con_browse *b, const char *text);

/* Rows shown now (for a title: "row 3/120"), and the cursor's. */
size_t con_browse_rows(const struct con_browse *b);
size_t con_browse_cursor(const struct con_browse *b);

void con_browse_render(struct con_browse *b, struct con_buf *buf, const struct con_rect *r);

#endif
