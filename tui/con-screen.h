/*
 * con-screen.h - the one module that talks to curses.
 *
 * It owns the terminal while the console runs: raw mode (so C-c and C-z
 * reach the key table instead of signalling), no echo, the alternate
 * screen. It copies a con_buf to the terminal, mapping each semantic
 * attribute to colours where the terminal has them and to bold, reverse
 * and dim where it does not, and draws the prompt row with the cursor in
 * it. Input is not read here: the UI reads the terminal's bytes itself and
 * gives them to readline (con-prompt.h).
 */
#ifndef KTCON_TUI_CON_SCREEN_H
#define KTCON_TUI_CON_SCREEN_H

#include <stddef.h>

#include "tui/con-buf.h"

/* 0, or -1 when the terminal cannot be driven (not a terminal, no
 * terminfo entry): why is in msg. */
int con_screen_start(char *msg, size_t size);
void con_screen_end(void);

/* Hand the terminal to someone else (the guest's shell, con-shell.c):
 * curses leaves it as it found it, main screen and all; resume takes it
 * back as it was and repaints everything on the next update. */
void con_screen_suspend(void);
void con_screen_resume(void);

/* The terminal's size now (after a SIGWINCH: asks the terminal, and
 * tells curses). */
void con_screen_resize(int *rows, int *cols);

/* Copy rectangle r of b to the screen (not yet shown): the console copies
 * only the panes whose cells changed. */
void con_screen_show_rect(const struct con_buf *b, const struct con_rect *r);
/* Draw the prompt row r (prompt, then text scrolled so that point is
 * visible), put the cursor at point and update the terminal. */
void con_screen_prompt(const struct con_rect *r, const char *prompt, const char *text,
		       size_t point);
/* Repaint everything on the next update (C-l, after a resize). */
void con_screen_invalidate(void);

#endif
