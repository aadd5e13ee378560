/*
 * svg.h - a small SVG writer for ktcon's charts (`--plot DIR`): shapes
 * and text, nothing else, no dependency.
 *
 * Every piece of text goes through svg_escape: the labels hold guest
 * strings (a task's comm may be any bytes), so the output is valid UTF-8
 * (bad bytes become U+FFFD, as in kjson.h), XML's five special characters
 * are escaped, and the characters XML 1.0 forbids (C0 controls other than
 * tab, newline and return; U+FFFE, U+FFFF) become U+FFFD, so the file is
 * always well-formed XML.
 */
#ifndef KTCON_ENGINE_SVG_H
#define KTCON_ENGINE_SVG_H

#include <stdio.h>

/* s as XML character data or attribute value to f. */
void svg_escape(FILE *f, const char *s);

void svg_begin(FILE *f, int width, int height, const char *title);
void svg_end(FILE *f);

/* Text at (x, y). anchor: "start", "middle" or "end"; cls: a class
 * from svg_begin's stylesheet ("t" plain, "s" small, "h" heading). */
void svg_text(FILE *f, double x, double y, const char *anchor, const char *cls,
	      const char *text);
/* As svg_text, rotated by -90 degrees about (x, y): a vertical label. */
void svg_vtext(FILE *f, double x, double y, const char *cls, const char *text);
/* A line; dash: NULL or a stroke-dasharray ("4 3"). */
void svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *color,
	      const char *dash);
void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill);
/* A polyline through n points xs[i], ys[i]. */
void svg_polyline(FILE *f, const double *xs, const double *ys, size_t n, const char *color);

#endif
