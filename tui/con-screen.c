/* con-screen.c - curses; see con-screen.h. */
#include "tui/con-screen.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>

static chtype attrs[CON_A__COUNT];
static bool started;
/* Line-drawing characters only where the locale says UTF-8: elsewhere
 * (and in a capture of the pane) they would read as 'x' and 'q'. */
static bool lines;

/* Colour pair numbers: one per attribute that has a colour. */
static void colours(void)
{
	static const struct { enum con_attr a; short fg, bg; attr_t extra; } t[] = {
		{ CON_A_DIM, COLOR_BLUE, -1, A_BOLD },
		{ CON_A_TITLE, COLOR_BLACK, COLOR_CYAN, 0 },
		{ CON_A_TITLE_FOCUS, COLOR_BLACK, COLOR_YELLOW, A_BOLD },
		{ CON_A_CMD, COLOR_CYAN, -1, A_BOLD },
		{ CON_A_OK, COLOR_GREEN, -1, 0 },
		{ CON_A_ERROR, COLOR_RED, -1, A_BOLD },
		{ CON_A_HINT, COLOR_YELLOW, -1, 0 },
		{ CON_A_WARN, COLOR_YELLOW, -1, A_BOLD },
		{ CON_A_GUEST, COLOR_MAGENTA, -1, 0 },
		{ CON_A_STATUS, COLOR_BLACK, COLOR_GREEN, 0 },
		{ CON_A_BACKDROP, COLOR_CYAN, -1, 0 },
		{ CON_A_STEP, COLOR_GREEN, -1, A_BOLD },
		{ CON_A_FROZEN, COLOR_CYAN, -1, A_BOLD | A_REVERSE },
		{ CON_A_BAR, COLOR_GREEN, -1, A_BOLD },
		{ CON_A_LINE, COLOR_CYAN, -1, 0 },
	};

	start_color();
	use_default_colors();
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		init_pair((short)(i + 1), t[i].fg, t[i].bg);
		attrs[t[i].a] = COLOR_PAIR(i + 1) | t[i].extra;
	}
}

/* Without colours: what each attribute is, in bold, reverse and dim. */
static void monochrome(void)
{
	attrs[CON_A_DIM] = A_DIM;
	attrs[CON_A_TITLE] = A_REVERSE;
	attrs[CON_A_TITLE_FOCUS] = A_REVERSE | A_BOLD;
	attrs[CON_A_CMD] = A_BOLD;
	attrs[CON_A_ERROR] = A_BOLD;
	attrs[CON_A_WARN] = A_BOLD;
	attrs[CON_A_STATUS] = A_REVERSE;
	attrs[CON_A_STEP] = A_BOLD;
	attrs[CON_A_FROZEN] = A_REVERSE;
	attrs[CON_A_BAR] = A_BOLD;
}

int con_screen_start(char *msg, size_t size)
{
	const char *term = getenv("TERM");

	if (!isatty(0) || !isatty(1)) {
		snprintf(msg, size, "the console needs a terminal (stdin and stdout are not one); "
			 "`ktcon run RECIPE` replays without one");
		return -1;
	}
	setlocale(LC_CTYPE, "");
	lines = !strcmp(nl_langinfo(CODESET), "UTF-8");
	if (!newterm(NULL, stdout, stdin)) {
		snprintf(msg, size, "cannot drive the terminal '%s' (no terminfo entry?); "
			 "try TERM=xterm-256color", term ? term : "");
		return -1;
	}
	started = true;
	raw();
	noecho();
	nonl();
	keypad(stdscr, FALSE);
	memset(attrs, 0, sizeof(attrs));
	if (has_colors())
		colours();
	else
		monochrome();
	curs_set(1);
	return 0;
}

void con_screen_end(void)
{
	if (!started)
		return;
	endwin();
	started = false;
}

void con_screen_suspend(void)
{
	if (!started)
		return;
	def_prog_mode();
	endwin();
}

void con_screen_resume(void)
{
	if (!started)
		return;
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

void con_screen_resize(int *rows, int *cols)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	*rows = LINES;
	*cols = COLS;
}

void con_screen_show_rect(const struct con_buf *b, const struct con_rect *r)
{
	for (int y = r->y; y < r->y + r->h && y < b->h && y < LINES; y++) {
		move(y, r->x);
		for (int x = r->x; x < r->x + r->w && x < b->w && x < COLS; x++) {
			const struct con_cell *c = con_buf_at(b, y, x);
			chtype ch = (unsigned char)c->ch;

			if (c->attr == CON_A_LINE && lines)
				ch = c->ch == '|' ? ACS_VLINE : c->ch == '-' ? ACS_HLINE : ch;
			/* The last cell of the screen would scroll it. */
			if (y == LINES - 1 && x == COLS - 1)
				break;
			if (con_spark_level(c)) {
				/* a sparkline: a block where UTF-8 shows one */
				attrset(attrs[c->attr]);
				if (lines)
					addstr(con_spark_utf8(con_spark_level(c)));
				else
					addch((chtype)con_spark_ascii(con_spark_level(c)));
				attrset(A_NORMAL);
				continue;
			}
			addch(ch | attrs[c->attr]);
		}
	}
	wnoutrefresh(stdscr);
}

void con_screen_prompt(const struct con_rect *r, const char *prompt, const char *text,
		       size_t point)
{
	int pl = (int)strlen(prompt), room = r->w - pl - 1, start = 0;
	int len = (int)strlen(text);

	if (room < 1)
		room = 1;
	/* Scroll the text so point stays on screen. */
	if ((int)point > room)
		start = (int)point - room;
	move(r->y, r->x);
	clrtoeol();
	attron(A_BOLD);
	addnstr(prompt, r->w);
	attroff(A_BOLD);
	if (start < len)
		addnstr(text + start, room);
	move(r->y, r->x + pl + (int)point - start);
	wnoutrefresh(stdscr);
	doupdate();
}

void con_screen_invalidate(void)
{
	clearok(curscr, TRUE);
}
