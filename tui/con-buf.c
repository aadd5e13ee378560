/* con-buf.c - the off-screen grid; see con-buf.h. */
#include "tui/con-buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int con_buf_init(struct con_buf *b, int h, int w)
{
	b->h = b->w = 0;
	b->cells = NULL;
	if (h <= 0 || w <= 0)
		return 0;
	b->cells = calloc((size_t)h * w, sizeof(*b->cells));
	if (!b->cells)
		return -1;
	b->h = h;
	b->w = w;
	con_buf_clear(b);
	return 0;
}

void con_buf_free(struct con_buf *b)
{
	free(b->cells);
	b->cells = NULL;
	b->h = b->w = 0;
}

void con_buf_clear(struct con_buf *b)
{
	for (size_t i = 0; i < (size_t)b->h * b->w; i++)
		b->cells[i] = (struct con_cell){ ' ', CON_A_NORMAL };
}

static char shown(char c)
{
	if (c == '\t')
		return ' ';
	return c >= 0x20 && c < 0x7f ? c : '?';
}

int con_put(struct con_buf *b, const struct con_rect *r, int y, int x, enum con_attr a,
	    const char *s, int n)
{
	int ay = r->y + y, col = 0;

	if (y < 0 || y >= r->h || ay < 0 || ay >= b->h)
		return 0;
	for (int i = 0; s[i] && (n < 0 || i < n); i++) {
		int rx = x + i, ax = r->x + rx;

		if (rx >= r->w || ax >= b->w)
			break;
		if (rx < 0 || ax < 0)
			continue;
		b->cells[(size_t)ay * b->w + ax] = (struct con_cell){ shown(s[i]), (unsigned char)a };
		col++;
	}
	return col;
}

int con_putf(struct con_buf *b, const struct con_rect *r, int y, int x, enum con_attr a,
	     const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return con_put(b, r, y, x, a, line, -1);
}

void con_fill(struct con_buf *b, const struct con_rect *r, int y, int x, int n, char ch,
	      enum con_attr a)
{
	for (int i = 0; i < n; i++) {
		char s[2] = { ch, 0 };

		if (!con_put(b, r, y, x + i, a, s, 1) && x + i >= r->w)
			break;
	}
}

void con_title(struct con_buf *b, const struct con_rect *r, const char *title,
	       const char *right, bool focus)
{
	enum con_attr a = focus ? CON_A_TITLE_FOCUS : CON_A_TITLE;
	int n;

	con_fill(b, r, 0, 0, r->w, ' ', a);
	n = con_putf(b, r, 0, 0, a, "%s%s ", focus ? ">" : " ", title);
	if (right && *right) {
		int len = (int)strlen(right);
		int x = r->w - len - 1;

		if (x < n)
			x = n;
		con_put(b, r, 0, x, a, right, -1);
	}
}

void con_spark_cell(struct con_buf *b, const struct con_rect *r, int y, int x, int level,
		    enum con_attr a)
{
	int ay = r->y + y, ax = r->x + x;

	if (level < 1 || level > CON_SPARK_LEVELS || y < 0 || y >= r->h || x < 0 || x >= r->w ||
	    ay < 0 || ay >= b->h || ax < 0 || ax >= b->w)
		return;
	b->cells[(size_t)ay * b->w + ax] = (struct con_cell){ (char)level, (unsigned char)a };
}

int con_spark_level(const struct con_cell *c)
{
	return c->ch >= 1 && c->ch <= CON_SPARK_LEVELS ? c->ch : 0;
}

char con_spark_ascii(int level)
{
	/* Low to high by how much of the cell the glyph covers. */
	static const char ascii[CON_SPARK_LEVELS + 1] = " _.:-=+*#";

	return level >= 1 && level <= CON_SPARK_LEVELS ? ascii[level] : ' ';
}

const char *con_spark_utf8(int level)
{
	static const char *const blocks[CON_SPARK_LEVELS + 1] = {
		" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",	/* U+2581.. */
	};
	return level >= 1 && level <= CON_SPARK_LEVELS ? blocks[level] : " ";
}

char *con_buf_row(const struct con_buf *b, int y, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return out;
	for (int x = 0; y >= 0 && y < b->h && x < b->w && n + 1 < size; x++) {
		const struct con_cell *c = con_buf_at(b, y, x);

		out[n++] = con_spark_level(c) ? con_spark_ascii(con_spark_level(c)) : c->ch;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return out;
}

bool con_buf_has(const struct con_buf *b, const char *text)
{
	char row[1024];

	for (int y = 0; y < b->h; y++)
		if (strstr(con_buf_row(b, y, row, sizeof(row)), text))
			return true;
	return false;
}
