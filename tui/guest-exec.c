/* guest-exec.c - a booted guest wired to an executor; see guest-exec.h. */
#include "tui/guest-exec.h"

#include <errno.h>
#include <string.h>

#include "lib/timeouts.h"

/* With no executor to take them: the boot's news, straight to events. */
static void tell_boot_events(struct kt_backend *b, struct kt_events *events)
{
	struct kt_guest_event *ev;

	while ((ev = kt_backend_next_event(b))) {
		kt_events_emit_news(events, 0, ev);
		kt_gev_free(ev);
	}
}

struct kterr *guest_exec_start(const struct kt_backend_opts *o, const struct kt_recipe *r,
			       const struct kt_exec_config *cfg, struct guest_exec *g)
{
	struct kterr *e;

	memset(g, 0, sizeof(*g));
	e = kt_backend_boot(o, &g->b);
	if (!e) {
		struct kt_exec_config c = *cfg;

		c.link = kt_backend_link(g->b);
		c.host = kt_backend_host(g->b);
		g->x = kt_exec_new(r, &c);
		if (!g->x)
			e = kterr_new(ENOMEM, "starting the executor");
	}
	if (e) {
		if (g->b) {
			kt_backend_shutdown(g->b, (int)kt_limit_ms(KT_LIM_POWEROFF));
			tell_boot_events(g->b, cfg->events);
		}
		guest_exec_free(g);
	}
	return e;
}

void guest_exec_free(struct guest_exec *g)
{
	kt_exec_free(g->x);
	kt_backend_free(g->b);
	memset(g, 0, sizeof(*g));
}
