/*
 * con-buf.h - an off-screen grid of character cells that panes render into.
 *
 * Panes never call curses: they write text with a semantic attribute into
 * a con_buf, con-screen.c copies the grid to the terminal, and unit tests
 * read it back as text. An attribute says what the text is (an error, a
 * title, a frozen cgroup), not its colour: the screen maps attributes to
 * colours where the terminal has them and to bold/reverse/plain where it
 * does not. One byte is one column: bytes outside printable ASCII are
 * shown as '?', tabs as a blank.
 *
 * Every write is clipped to a rectangle, so a pane cannot draw outside
 * the area the layout gave it, whatever the terminal size.
 */
#ifndef KTCON_TUI_CON_BUF_H
#define KTCON_TUI_CON_BUF_H

#include <stdbool.h>
#include <stddef.h>

enum con_attr {
	CON_A_NORMAL,
	CON_A_DIM,		/* the guest's kernel console, secondary text */
	CON_A_TITLE,		/* a pane's title bar */
	CON_A_TITLE_FOCUS,	/* the focused pane's title bar */
	CON_A_CMD,		/* a line the operator typed, echoed */
	CON_A_OK,
	CON_A_ERROR,
	CON_A_HINT,
	CON_A_WARN,
	CON_A_GUEST,		/* agent and scheduler output, guest events */
	CON_A_STATUS,		/* the status line */
	CON_A_BACKDROP,		/* a backdrop cgroup */
	CON_A_STEP,		/* a step-local cgroup */
	CON_A_FROZEN,
	CON_A_BAR,		/* the filled part of a bar */
	CON_A_LINE,		/* separators: '|' and '-' drawn as lines */
	CON_A__COUNT,
};

struct con_cell {
	char ch;
	unsigned char attr;
};

struct con_buf {
	int h, w;
	struct con_cell *cells;
};

/* A rectangle on the buffer: top row, left column, rows, columns. */
struct con_rect {
	int y, x, h, w;
};

/* 0, or -1 when out of memory (the buffer is then 0x0). */
int con_buf_init(struct con_buf *b, int h, int w);
void con_buf_free(struct con_buf *b);
void con_buf_clear(struct con_buf *b);

static inline const struct con_cell *con_buf_at(const struct con_buf *b, int y, int x)
{
	return &b->cells[(size_t)y * b->w + x];
}

/* Write s at row y, column x of r (relative to r), clipped to r and to
 * n bytes of s (n < 0: all of it). Returns the columns written. */
int con_put(struct con_buf *b, const struct con_rect *r, int y, int x, enum con_attr a,
	    const char *s, int n);
int con_putf(struct con_buf *b, const struct con_rect *r, int y, int x, enum con_attr a,
	     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* n copies of ch from (y, x) of r, clipped. */
void con_fill(struct con_buf *b, const struct con_rect *r, int y, int x, int n, char ch,
	      enum con_attr a);

/* A pane's title bar on row 0 of r: " title " then right-aligned text. */
void con_title(struct con_buf *b, const struct con_rect *r, const char *title,
	       const char *right, bool focus);

/*
 * Sparkline cells (con-hist.h): level 1 (lowest) to CON_SPARK_LEVELS
 * (full) is stored as that byte, which text never is (con_put shows
 * control bytes as '?'). The screen draws the level as a Unicode block
 * where the locale is UTF-8, else as con_spark_ascii's character; rows
 * read back (con_buf_row) hold the ASCII.
 */
#define CON_SPARK_LEVELS 8
void con_spark_cell(struct con_buf *b, const struct con_rect *r, int y, int x, int level,
		    enum con_attr a);
/* The level a cell holds (0: not a sparkline cell). */
int con_spark_level(const struct con_cell *c);
char con_spark_ascii(int level);
/* U+2581 (lower one eighth block) .. U+2588 (full block), as UTF-8. */
const char *con_spark_utf8(int level);

/* Row y of the buffer as text without trailing blanks; returns out. */
char *con_buf_row(const struct con_buf *b, int y, char *out, size_t size);

/* Whether some row of the buffer contains text (tests). */
bool con_buf_has(const struct con_buf *b, const char *text);

#endif
