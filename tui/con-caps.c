/* con-caps.c - the captures pane; see con-caps.h. */
#include "tui/con-caps.h"

#include <stdio.h>
#include <string.h>

static const char *kind_name(enum kt_capture_kind k)
{
	switch (k) {
	case KT_CAP_PROCS: return "procs";
	case KT_CAP_SNAPSHOT: return "snapshot";
	case KT_CAP_READ: return "read";
	}
	return "?";
}

/* tag as a column of width w: padded, or cut with a '~' where it is
 * longer (the whole tag is in `snapshots` and the log). */
static const char *column(const char *tag, int w, char *buf, size_t size)
{
	int len = (int)strlen(tag);

	if (len <= w)
		snprintf(buf, size, "%-*s", w, tag);
	else
		snprintf(buf, size, "%.*s~", w - 1, tag);
	return buf;
}

int con_caps_render(const struct con_scn *v, char *const *fires, size_t nfires,
		    struct con_buf *b, const struct con_rect *r, int scroll)
{
	char line[256], tag[128];
	int rows = 0, y = -scroll, w = 6;

#define LINE(attr, ...)                                                  \
	do {                                                             \
		snprintf(line, sizeof(line), __VA_ARGS__);               \
		con_put(b, r, y++, 1, attr, line, -1);                   \
		rows++;                                                  \
	} while (0)

	if (r->h <= 0)
		return 0;
	if ((!v || (!v->ncaps && !v->nwatches)) && !nfires) {
		LINE(CON_A_DIM, "none yet; capture with:");
		LINE(CON_A_DIM, "  capture-cgroup-procs TAG CGROUP");
		LINE(CON_A_DIM, "  capture-snapshot TAG");
		LINE(CON_A_DIM, "  watch-snapshot SYMBOL");
		return rows;
	}
	/* The tag column: as wide as the longest tag, up to half the pane
	 * after the kind's column, so what follows keeps its place. */
	for (size_t i = 0; v && i < v->ncaps; i++)
		if ((int)strlen(v->caps[i].tag) > w)
			w = (int)strlen(v->caps[i].tag);
	for (size_t i = 0; v && i < v->nwatches; i++)
		if ((int)strlen(v->watches[i].symbol) > w)
			w = (int)strlen(v->watches[i].symbol);
	if (w > (r->w - 10) / 2)
		w = (r->w - 10) / 2;
	if (w < 4)
		w = 4;
	if (w > (int)sizeof(tag) - 2)
		w = (int)sizeof(tag) - 2;
	for (size_t i = 0; v && i < v->ncaps; i++)
		LINE(CON_A_NORMAL, "%-8s %s %s", kind_name(v->caps[i].kind),
		     column(v->caps[i].tag, w, tag, sizeof(tag)), v->caps[i].what);
	for (size_t i = 0; v && i < v->nwatches; i++)
		LINE(v->watches[i].armed ? CON_A_NORMAL : CON_A_DIM, "watch    %s %s %s: %llu "
		     "fires, %llu captured", column(v->watches[i].symbol, w, tag, sizeof(tag)),
		     v->watches[i].armed ? "armed" : "ended",
		     v->watches[i].owner == KT_OWN_STEP ? "(step)" : "(backdrop)",
		     (unsigned long long)v->watches[i].fires,
		     (unsigned long long)v->watches[i].captures);
	for (size_t i = 0; i < nfires; i++)
		LINE(CON_A_GUEST, "%s", fires[i]);
#undef LINE
	return rows;
}
