/* svg.c - see svg.h. */
#include "engine/svg.h"

#include <stdlib.h>
#include <string.h>

#include "lib/kjson.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

void svg_escape(FILE *f, const char *s)
{
	size_t n;
	char *u = kjson_utf8(s ? s : "", s ? strlen(s) : 0, &n);

	if (!u)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\t': case '\n': case '\r': fputc(c, f); break;
		default:
			if (c < 0x20) {
				fputs(REPLACEMENT, f);
			} else if (c == 0xef && i + 2 < n && (unsigned char)u[i + 1] == 0xbf &&
				   ((unsigned char)u[i + 2] == 0xbe || (unsigned char)u[i + 2] == 0xbf)) {
				fputs(REPLACEMENT, f);	/* U+FFFE, U+FFFF */
				i += 2;
			} else {
				fputc(c, f);
			}
		}
	}
	free(u);
}

void svg_begin(FILE *f, int width, int height, const char *title)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n<title>", width, height, width, height);
	svg_escape(f, title);
	fputs("</title>\n<style>text{font-family:sans-serif;fill:#222}"
	      ".t{font-size:12px}.s{font-size:10px}.h{font-size:14px;font-weight:bold}</style>\n"
	      "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
}

void svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

void svg_text(FILE *f, double x, double y, const char *anchor, const char *cls,
	      const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor,
		cls);
	svg_escape(f, text);
	fputs("</text>\n", f);
}

void svg_vtext(FILE *f, double x, double y, const char *cls, const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\" class=\"%s\" "
		"transform=\"rotate(-90 %.1f %.1f)\">", x, y, cls, x, y);
	svg_escape(f, text);
	fputs("</text>\n", f);
}

void svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *color,
	      const char *dash)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"", x1, y1,
		x2, y2, color);
	if (dash)
		fprintf(f, " stroke-dasharray=\"%s\"", dash);
	fputs("/>\n", f);
}

void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x,
		y, w < 0 ? 0 : w, h < 0 ? 0 : h, fill);
}

void svg_polyline(FILE *f, const double *xs, const double *ys, size_t n, const char *color)
{
	fputs("<polyline fill=\"none\" stroke-width=\"1.5\" points=\"", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%.1f,%.1f", i ? " " : "", xs[i], ys[i]);
	fprintf(f, "\" stroke=\"%s\"/>\n", color);
}
