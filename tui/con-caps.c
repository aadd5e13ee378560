/* con-caps.c - the captures pane; see con-caps.h. */
#include "tui/con-caps.h"

#include <stdio.h>

static const char *kind_name(enum kt_capture_kind k)
{
	switch (k) {
	case KT_CAP_PROCS: return "procs";
	case KT_CAP_SNAPSHOT: return "snapshot";
	case KT_CAP_READ: return "read";
	}
	return "?";
}

int con_caps_render(const struct con_scn *v, char *const *fires, size_t nfires,
		    struct con_buf *b, const struct con_rect *r, int scroll)
{
	char line[256];
	int rows = 0, y = -scroll;

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
	for (size_t i = 0; v && i < v->ncaps; i++)
		LINE(CON_A_NORMAL, "%-8s %-12s %s", kind_name(v->caps[i].kind), v->caps[i].tag,
		     v->caps[i].what);
	for (size_t i = 0; v && i < v->nwatches; i++)
		LINE(v->watches[i].armed ? CON_A_NORMAL : CON_A_DIM, "watch    %-12s %s, %llu "
		     "fires (%llu captured)%s", v->watches[i].symbol,
		     v->watches[i].armed ? "armed" : "ended",
		     (unsigned long long)v->watches[i].fires,
		     (unsigned long long)v->watches[i].captures,
		     v->watches[i].armed ? (v->watches[i].owner == KT_OWN_STEP ? " until the step "
					    "ends" : " for the scenario") : "");
	for (size_t i = 0; i < nfires; i++)
		LINE(CON_A_GUEST, "%s", fires[i]);
#undef LINE
	return rows;
}
