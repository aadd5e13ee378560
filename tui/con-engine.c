/* con-engine.c - the console's engine thread; see con-engine.h. */
#include "tui/con-engine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/timeouts.h"
#include "engine/executor.h"
#include "engine/scenario.h"
#include "lib/kjson.h"
#include "lib/util.h"
#include "tui/con-backdrop.h"
#include "tui/guest-exec.h"

/* How long an idle pump lasts before the queue is looked at again. */
#define IDLE_PUMP_NS 50000000ULL

struct con_engine {
	struct con_engine_opts o;
	pthread_t thread;
	int wake[2];

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct con_job *qhead, *qtail;		/* queued */
	struct con_job *dhead, *dtail;		/* done */
	struct con_job *cur;			/* in flight */
	uint64_t cur_since;
	bool cancel_hold;
	atomic_bool cancel_sh;		/* C-c on the `sh` in flight */
	atomic_bool cancel_boot;	/* C-c on the restart in flight: its boot gives up */
	atomic_int sh_timeout_ms;
	enum con_guest_state gs;
	uint64_t ui_gver;		/* the UI's kt_exec_gstate reader version (lock) */
	int hvc;			/* the guest's hvc0 while up (the session's), -1 */
	char desc[256];
	char kernel[512], release[128];
	struct con_scn scn;
	uint64_t scn_gen;		/* bumped with each new copy of scn */
	bool scn_fresh;			/* scn not yet handed to the UI */
	bool quit_seen;

	/* The engine thread's own. */
	struct kt_events *events;
	struct guest_exec ge;		/* the guest and the executor wired to it */
	bool up;
	struct kt_exec *x;		/* ge.x once published, under lock */
	struct kt_host host;		/* the backend's, as the executor has them */
	int step;
	/* restart: the session's steps before the executor's own (a
	 * restarted executor counts from 1 again), the backdrop to apply
	 * again, and the kernel first booted (by path). */
	int step_base;
	struct con_backdrop bd;
	char pinned[512];
	struct con_sampler live;	/* the timeline the live views read (any thread) */
};

void con_job_free(struct con_job *j)
{
	if (!j)
		return;
	kt_stmt_clear(&j->st);
	free(j->text);
	free(j->echo);
	free(j->text2);
	free(j->out);
	json_object_put(j->tree[0]);
	json_object_put(j->tree[1]);
	kterr_free(j->err);
	kterr_free(j->xfail);
	free(j);
}

void con_engine_wake(struct con_engine *g)
{
	char b = 1;

	if (write(g->wake[1], &b, 1) < 0) {
		/* Full pipe: the UI wakes anyway. */
	}
}

int con_engine_wake_fd(const struct con_engine *g)
{
	return g->wake[0];
}

static void finish(struct con_engine *g, struct con_job *j)
{
	pthread_mutex_lock(&g->lock);
	if (g->cur == j)
		g->cur = NULL;
	j->next = NULL;
	if (g->dtail)
		g->dtail->next = j;
	else
		g->dhead = j;
	g->dtail = j;
	pthread_mutex_unlock(&g->lock);
	con_engine_wake(g);
}

/* With the scenario changed: the UI's copy. Engine thread only. */
static void publish_scn(struct con_engine *g)
{
	struct con_scn v;

	if (!g->x || con_scn_fill(&v, kt_exec_scenario(g->x), g->step))
		return;
	pthread_mutex_lock(&g->lock);
	con_scn_clear(&g->scn);
	g->scn = v;
	g->scn_gen++;
	g->scn_fresh = true;
	pthread_mutex_unlock(&g->lock);
}

static void on_event(void *ctx, const struct kt_event *ev)
{
	struct con_engine *g = ctx;
	struct kt_event shifted;

	/* After a restart the executor counts steps from 1: the session's
	 * go on. */
	if (g->step_base && (ev->kind == KT_EV_STEP_BEGIN || ev->kind == KT_EV_STEP_END) &&
	    ev->step > 0) {
		shifted = *ev;
		shifted.step += g->step_base;
		ev = &shifted;
	}

	/* A guest event may add a capture (a watch fire). */
	if (ev->kind == KT_EV_STATE || ev->kind == KT_EV_STEP_BEGIN || ev->kind == KT_EV_GUEST ||
	    ev->kind == KT_EV_WATCH)
		publish_scn(g);
	/* QEMU went away: the console says so (the event) and has no guest. */
	if (ev->kind == KT_EV_DIED) {
		pthread_mutex_lock(&g->lock);
		if (g->gs == CON_G_UP)
			g->gs = CON_G_DOWN;
		pthread_mutex_unlock(&g->lock);
	}
	/* The failure an `expect error` wanted: the recording needs it (this
	 * thread set cur; it reads it). */
	if (ev->kind == KT_EV_OP_FAILED && ev->expected && ev->err && g->cur && !g->cur->xfail) {
		char *m = kterr_strdup(ev->err);

		g->cur->xfail = kterr_new(0, "%s", m ? m : "failed");
		free(m);
	}
	/* The caller's handler was told first, straight from the events
	 * (con_engine_start): wake the UI for both. */
	con_engine_wake(g);
}

static void set_guest(struct con_engine *g, enum con_guest_state gs)
{
	pthread_mutex_lock(&g->lock);
	g->gs = gs;
	pthread_mutex_unlock(&g->lock);
}

static struct kterr *boot(struct con_engine *g)
{
	struct kt_backend_opts bo = { .so = g->o.so };
	struct kterr *e = guest_exec_start(&bo, g->o.header,
					   &(struct kt_exec_config){ .events = g->events }, &g->ge);
	const struct session *s;
	const struct agent_hello *h;

	if (e)
		return e;
	g->up = true;
	s = kt_backend_session(g->ge.b);
	h = &s->link.hello;
	g->host = kt_backend_host(g->ge.b);
	pthread_mutex_lock(&g->lock);
	g->x = g->ge.x;
	snprintf(g->desc, sizeof(g->desc), "%.128s %ucpu %s", h->release, h->cpus,
		 accel_name(s->m.accel));
	snprintf(g->kernel, sizeof(g->kernel), "%s", s->kernel ? s->kernel : "");
	if (!g->pinned[0])
		snprintf(g->pinned, sizeof(g->pinned), "%s", g->kernel);
	snprintf(g->release, sizeof(g->release), "%s", h->release);
	g->gs = CON_G_UP;
	g->hvc = s->m.hvc_fd;
	pthread_mutex_unlock(&g->lock);
	publish_scn(g);
	/* The live views' samples; the console works without them. */
	e = con_sampler_start(&g->live, h->cpus, kt_backend_intro(g->ge.b), g->ge.x, g->events,
			      h->scheduler);
	if (e) {
		char *m = kterr_strdup(e);

		kt_events_emit(g->events, &(struct kt_event){ .kind = KT_EV_WARN,
							     .text = m ? m : "no live sampler" });
		free(m);
		kterr_free(e);
	}
	return NULL;
}

/* The guest and its executor go (powered off if still up); the UI sees
 * no executor from here on. */
static void drop_guest(struct con_engine *g)
{
	/* The sampler reads the guest through its introspection: it stops
	 * before the guest goes (a restart starts it on the new one). */
	con_sampler_halt(&g->live);
	pthread_mutex_lock(&g->lock);
	g->gs = CON_G_BOOTING;
	g->x = NULL;
	g->hvc = -1;
	pthread_mutex_unlock(&g->lock);
	if (g->up)
		kt_backend_shutdown(g->ge.b, (int)kt_limit_ms(KT_LIM_POWEROFF));
	g->up = false;
	guest_exec_free(&g->ge);
	memset(&g->host, 0, sizeof(g->host));
}

/* The backdrop again, in order; the first failure ends it. */
static struct kterr *reapply(struct con_engine *g, int *done)
{
	*done = 0;
	for (size_t i = 0; i < g->bd.n; i++) {
		struct kterr *e = kt_exec_apply(g->x, &g->bd.st[i]);

		if (e) {
			char *text = kt_stmt_print(&g->bd.st[i]);

			e = kterr_hint(kterr_wrap(e, "re-applying the backdrop: %s", text ? text : "?"),
				       "the guest is up again with the backdrop up to there: the "
				       "rest of it was skipped (the log says what each did)");
			free(text);
			return e;
		}
		(*done)++;
	}
	return NULL;
}

/* CON_JOB_RESTART (con-engine.h). */
static struct kterr *restart(struct con_engine *g, int *done)
{
	int step = g->step;
	struct kterr *e, *se;

	*done = 0;
	drop_guest(g);
	if (g->pinned[0])
		g->o.so.kernel = g->pinned;
	g->o.so.cancel = &g->cancel_boot;
	e = boot(g);
	if (e) {
		set_guest(g, CON_G_DOWN);
		return kterr_wrap(e, "restart");
	}
	g->step = 0;
	g->step_base = 0;
	publish_scn(g);
	e = reapply(g, done);
	/* The step the session was in died with the guest: a fresh one. */
	if (step > 0) {
		g->step_base = step;
		se = kt_exec_next_step(g->x);
		if (se && !e)
			e = kterr_wrap(se, "restart: beginning step %d", step + 1);
		else
			kterr_free(se);
		g->step = step + 1;
	}
	return e;
}

static struct kterr *no_guest(void)
{
	return kterr_hint(kterr_new(ENOTCONN, "no guest"),
			  "the guest did not boot or has gone down (the log says why); `restart` "
			  "boots it again, `quit` leaves");
}

/* The snapshot tagged tag, as the host's tree (a copy the job owns). */
static struct kterr *snapshot_tree(struct con_engine *g, const char *tag,
				   struct json_object **out)
{
	const struct kt_host *h = &g->host;
	const struct kt_capture *cap = g->x ? kt_scn_capture(kt_exec_scenario(g->x), tag,
							      KT_CAP_SNAPSHOT) : NULL;

	*out = NULL;
	if (!g->x)
		return no_guest();
	if (!cap)
		return kterr_hint(kterr_new(ENOENT, "no snapshot tagged '%s'", tag),
				  "`snapshots` lists them");
	if (!h->ops || !h->ops->snapshot_tree || !(*out = h->ops->snapshot_tree(h->ctx, cap->snap)))
		return kterr_new(ENODATA, "snapshot %s: nothing from the host", tag);
	return NULL;
}

static void run_job(struct con_engine *g, struct con_job *j)
{
	uint64_t t0 = kt_now_ns();

	switch (j->kind) {
	case CON_JOB_APPLY:
		if (g->x) {
			j->err = kt_exec_apply_expect(g->x, &j->st, j->xerr);
			if (g->step == 0 && !j->err) {
				struct kterr *e = con_backdrop_keep(&g->bd, &j->st, j->xfail != NULL);

				if (e) {	/* the op stands; only a restart would miss it */
					char *m = kterr_strdup(e);

					kt_events_emit(g->events, &(struct kt_event){
						.kind = KT_EV_WARN, .text = m ? m : "out of memory" });
					free(m);
					kterr_free(e);
				}
			}
		} else {
			char *text = kt_stmt_print(&j->st);

			j->err = kterr_wrap(no_guest(), "%s", text ? text : j->st.form->name);
			free(text);
		}
		break;
	case CON_JOB_STEP:
		j->err = g->x ? kt_exec_next_step(g->x) : no_guest();
		if (!j->err)
			g->step++;
		break;
	case CON_JOB_SH:
		if (!g->up)
			j->err = no_guest();
		else
			j->err = agentlink_sh_cancellable(&kt_backend_session(g->ge.b)->link, j->text,
							  atomic_load(&g->sh_timeout_ms),
							  &g->cancel_sh, &j->status, &j->out);
		atomic_store(&g->cancel_sh, false);
		break;
	case CON_JOB_HOLD:
		for (;;) {
			uint64_t now = kt_now_ns();
			bool stop;

			pthread_mutex_lock(&g->lock);
			stop = g->cancel_hold;
			g->cancel_hold = false;
			pthread_mutex_unlock(&g->lock);
			if (stop) {
				j->err = kterr_new(ECANCELED, "hold cancelled");
				break;
			}
			if (now - t0 >= j->ns)
				break;
			uint64_t left = j->ns - (now - t0);
			if (g->x)
				kt_exec_pump(g->x, left < IDLE_PUMP_NS ? left : IDLE_PUMP_NS);
			else
				usleep(20000);
		}
		break;
	case CON_JOB_SNAPSHOT:
		j->err = snapshot_tree(g, j->text, &j->tree[0]);
		if (!j->err && j->use == CON_SNAP_DIFF)
			j->err = snapshot_tree(g, j->text2, &j->tree[1]);
		break;
	case CON_JOB_UNWATCH:
		j->err = g->x ? kt_exec_unwatch(g->x, j->text) : no_guest();
		if (!j->err)
			con_backdrop_unwatch(&g->bd, j->text);
		break;
	case CON_JOB_RESTART:
		j->err = restart(g, &j->status);
		atomic_store(&g->cancel_boot, false);
		break;
	case CON_JOB_SHELL:
		if (!g->up)
			j->err = no_guest();
		else
			j->err = agentlink_shell(&kt_backend_session(g->ge.b)->link, j->rows, j->cols,
						 j->text, &g->cancel_sh, &j->detached, &j->status);
		atomic_store(&g->cancel_sh, false);
		break;
	case CON_JOB_QUIT:
		con_sampler_halt(&g->live);
		set_guest(g, CON_G_OFF);
		pthread_mutex_lock(&g->lock);
		g->hvc = -1;
		pthread_mutex_unlock(&g->lock);
		if (g->x)
			j->err = kt_exec_finish(g->x);
		if (g->up)
			kt_backend_shutdown(g->ge.b, (int)kt_limit_ms(KT_LIM_POWEROFF));
		g->up = false;
		break;
	case CON_JOB_BOOT:
		break;
	}
	j->took_ns = kt_now_ns() - t0;
	publish_scn(g);
}

/* Nothing left to sample once QEMU is gone: the views keep the last. */
static void halt_if_down(struct con_engine *g)
{
	bool down;

	pthread_mutex_lock(&g->lock);
	down = g->gs == CON_G_DOWN;
	pthread_mutex_unlock(&g->lock);
	if (down)
		con_sampler_halt(&g->live);
}

static void *thread_main(void *arg)
{
	struct con_engine *g = arg;
	struct con_job *bj = calloc(1, sizeof(*bj));
	uint64_t t0 = kt_now_ns();
	bool quit = false;

	if (bj) {
		bj->kind = CON_JOB_BOOT;
		bj->err = boot(g);
		bj->took_ns = kt_now_ns() - t0;
		if (bj->err)
			set_guest(g, CON_G_DOWN);
		finish(g, bj);
	}
	while (!quit) {
		struct con_job *j;

		pthread_mutex_lock(&g->lock);
		j = g->qhead;
		if (j) {
			g->qhead = j->next;
			if (!g->qhead)
				g->qtail = NULL;
			g->cur = j;
			g->cur_since = kt_now_ns();
			g->cancel_hold = false;
		} else if (!g->x) {
			/* Nothing to pump: wait for a job. */
			pthread_cond_wait(&g->cond, &g->lock);
		}
		pthread_mutex_unlock(&g->lock);
		/* Idle: the executor takes the guest's news (states, fires,
		 * log lines, the guest going down) and tells them. */
		if (!j) {
			if (g->x)
				kt_exec_pump(g->x, IDLE_PUMP_NS);
			halt_if_down(g);
			continue;
		}
		if (g->o.on_job)
			g->o.on_job(g->o.event_ctx, j, false);
		run_job(g, j);
		if (g->o.on_job)
			g->o.on_job(g->o.event_ctx, j, true);
		halt_if_down(g);
		quit = j->kind == CON_JOB_QUIT;
		finish(g, j);
	}
	return NULL;
}

struct kterr *con_engine_start(const struct con_engine_opts *o, struct con_engine **out)
{
	struct con_engine *g = calloc(1, sizeof(*g));
	int rc;

	*out = NULL;
	if (!g)
		return kterr_new(ENOMEM, "the engine thread");
	g->o = *o;
	g->gs = CON_G_BOOTING;
	g->hvc = -1;
	con_sampler_init(&g->live);
	if (o->live_hz)
		kterr_free(con_sampler_set_rate(&g->live, o->live_hz < 0 ? 0 : (unsigned)o->live_hz));
	atomic_init(&g->cancel_sh, false);
	atomic_init(&g->cancel_boot, false);
	atomic_init(&g->sh_timeout_ms, (int)kt_limit_ms(KT_LIM_SH));
	if (pipe2(g->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(g);
		return kterr_errno("the engine thread: pipe");
	}
	g->events = kt_events_new();
	if (!g->events) {
		close(g->wake[0]);
		close(g->wake[1]);
		free(g);
		return kterr_new(ENOMEM, "the engine thread");
	}
	/* The caller's handler (the console's log) hears the events
	 * straight from them, before this thread's bookkeeping, which wakes
	 * the UI last. */
	if (o->on_event)
		kt_events_subscribe(g->events, o->on_event, o->event_ctx);
	kt_events_subscribe(g->events, on_event, g);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	rc = pthread_create(&g->thread, NULL, thread_main, g);
	if (rc) {
		kt_events_free(g->events);
		close(g->wake[0]);
		close(g->wake[1]);
		free(g);
		return kterr_new(rc, "starting the engine thread");
	}
	*out = g;
	return NULL;
}

void con_engine_submit(struct con_engine *g, struct con_job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&g->lock);
	if (j->kind == CON_JOB_QUIT)
		g->quit_seen = true;
	if (g->qtail)
		g->qtail->next = j;
	else
		g->qhead = j;
	g->qtail = j;
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

bool con_engine_submit_stmt(struct con_engine *g, enum con_job_kind kind, struct kt_stmt *st,
			    const struct kt_stmt *xerr, int origin, char *echo)
{
	struct con_job *j = calloc(1, sizeof(*j));

	if (!j) {
		kt_stmt_clear(st);
		free(echo);
		return false;
	}
	j->echo = echo;
	j->kind = kind;
	j->st = *st;
	memset(st, 0, sizeof(*st));
	j->xerr = xerr;
	j->origin = origin;
	con_engine_submit(g, j);
	return true;
}

struct con_job *con_engine_take(struct con_engine *g)
{
	struct con_job *j;
	char buf[64];

	while (read(g->wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&g->lock);
	j = g->dhead;
	g->dhead = g->dtail = NULL;
	pthread_mutex_unlock(&g->lock);
	return j;
}

void con_engine_cancel(struct con_engine *g)
{
	pthread_mutex_lock(&g->lock);
	if (g->cur && g->cur->kind == CON_JOB_HOLD)
		g->cancel_hold = true;
	else if (g->cur && (g->cur->kind == CON_JOB_SH || g->cur->kind == CON_JOB_SHELL))
		atomic_store(&g->cancel_sh, true);
	else if (g->cur && g->cur->kind == CON_JOB_RESTART) {
		atomic_store(&g->cancel_boot, true);
		if (g->x)	/* up: the backdrop is being applied again */
			kt_exec_cancel(g->x);
	}
	else if (g->cur && g->x && (g->cur->kind == CON_JOB_APPLY || g->cur->kind == CON_JOB_STEP))
		kt_exec_cancel(g->x);
	pthread_mutex_unlock(&g->lock);
}

void con_engine_detach(struct con_engine *g)
{
	pthread_mutex_lock(&g->lock);
	if (g->cur && g->cur->kind == CON_JOB_SHELL)
		atomic_store(&g->cancel_sh, true);
	pthread_mutex_unlock(&g->lock);
}

int con_engine_console_fd(struct con_engine *g)
{
	int fd = -1;

	pthread_mutex_lock(&g->lock);
	if (g->gs == CON_G_UP && g->hvc >= 0)
		fd = fcntl(g->hvc, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&g->lock);
	return fd;
}

void con_engine_set_sh_timeout(struct con_engine *g, int ms)
{
	atomic_store(&g->sh_timeout_ms, ms);
}

int con_engine_sh_timeout(struct con_engine *g)
{
	return atomic_load(&g->sh_timeout_ms);
}

bool con_engine_gstate(struct con_engine *g, struct kt_gstate *out)
{
	bool have = false;

	/* Under the lock: a restart frees the executor (after taking it
	 * away here, under the same lock). */
	pthread_mutex_lock(&g->lock);
	if ((g->gs == CON_G_UP || g->gs == CON_G_DOWN) && g->x)
		have = kt_exec_gstate(g->x, &g->ui_gver, out);
	else
		kt_gstate_init(out);
	pthread_mutex_unlock(&g->lock);
	return have;
}

int con_engine_scn(struct con_engine *g, struct con_scn *out)
{
	int rc = 1;

	/* Handed over, not copied: the view was built for the UI alone. */
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&g->lock);
	if (g->scn_fresh) {
		*out = g->scn;
		memset(&g->scn, 0, sizeof(g->scn));
		g->scn_fresh = false;
		rc = 0;
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

uint64_t con_engine_scn_gen(struct con_engine *g)
{
	uint64_t gen;

	pthread_mutex_lock(&g->lock);
	gen = g->scn_gen;
	pthread_mutex_unlock(&g->lock);
	return gen;
}

char *con_engine_busy(struct con_engine *g, uint64_t *since_ns)
{
	char *s = NULL;

	pthread_mutex_lock(&g->lock);
	if (g->cur) {
		*since_ns = g->cur_since;
		switch (g->cur->kind) {
		case CON_JOB_APPLY:
			s = kt_stmt_print(&g->cur->st);
			break;
		case CON_JOB_STEP:
			s = strdup("step (teardown)");
			break;
		case CON_JOB_SH:
			s = kt_strfmt("sh %s", g->cur->text);
			break;
		case CON_JOB_UNWATCH:
			s = kt_strfmt("unwatch %s", g->cur->text);
			break;
		case CON_JOB_QUIT:
			s = strdup("power off");
			break;
		case CON_JOB_RESTART:
			s = strdup("restart");
			break;
		case CON_JOB_SHELL:
			s = strdup("sh (the guest's shell)");
			break;
		case CON_JOB_HOLD: {
			char d[32];

			s = kt_strfmt("hold %s", kt_fmt_duration(g->cur->ns, d, sizeof(d)));
			break;
		}
		default:
			break;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return s;
}

enum con_guest_state con_engine_guest(struct con_engine *g, char *desc, size_t size)
{
	enum con_guest_state gs;

	pthread_mutex_lock(&g->lock);
	gs = g->gs;
	snprintf(desc, size, "%s", g->desc);
	pthread_mutex_unlock(&g->lock);
	return gs;
}

bool con_engine_booted(struct con_engine *g, char *kernel, size_t ksize, char *release,
		       size_t rsize)
{
	bool up;

	pthread_mutex_lock(&g->lock);
	up = g->desc[0] != '\0';
	snprintf(kernel, ksize, "%s", g->kernel);
	snprintf(release, rsize, "%s", g->release);
	pthread_mutex_unlock(&g->lock);
	return up;
}

struct con_sampler *con_engine_sampler(struct con_engine *g)
{
	return &g->live;
}

bool con_engine_idle(struct con_engine *g)
{
	bool idle;

	pthread_mutex_lock(&g->lock);
	idle = !g->cur && !g->qhead;
	pthread_mutex_unlock(&g->lock);
	return idle;
}

void con_engine_free(struct con_engine *g)
{
	struct con_job *j;

	if (!g)
		return;
	pthread_join(g->thread, NULL);
	while ((j = g->qhead)) {
		g->qhead = j->next;
		con_job_free(j);
	}
	while ((j = g->dhead)) {
		g->dhead = j->next;
		con_job_free(j);
	}
	con_sampler_free(&g->live);	/* stopped before the guest and its events go */
	guest_exec_free(&g->ge);
	con_backdrop_clear(&g->bd);
	kt_events_free(g->events);
	con_scn_clear(&g->scn);
	close(g->wake[0]);
	close(g->wake[1]);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
	free(g);
}
