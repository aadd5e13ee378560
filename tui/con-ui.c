/*
 * con-ui.c - the console's UI thread: one loop that waits on the terminal,
 * the engine's wake fd and a signal pipe, feeds typed bytes to readline,
 * takes finished jobs back, refreshes the pane models from the engine's
 * copies, and redraws. It never waits for the guest.
 *
 * Signals: SIGWINCH resizes (through the pipe). SIGTERM, SIGHUP (the
 * terminal or tmux pane went away) and SIGINT from outside restore the
 * terminal, kill the guest (teardown_now) and die of the same signal.
 * C-c at the keyboard is not a signal here (raw mode): it cancels the op
 * in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "engine/header.h"
#include "tui/con-caps.h"
#include "tui/con-hist.h"
#include "tui/con-prompt.h"
#include "tui/con-screen.h"
#include "tui/con-status.h"
#include "tui/con-tabs.h"
#include "tui/con-tree.h"
#include "tui/console.h"
#include "vmm/machine/teardown.h"

#define TICK_MS 250
#define PROMPT "ktcon> "

static int sig_pipe[2] = { -1, -1 };
static struct termios saved_tio;
static bool have_tio;

static void on_winch(int sig)
{
	int saved = errno;
	char b = 'W';

	if (write(sig_pipe[1], &b, 1) < 0) {
		/* full: a resize is already pending */
	}
	errno = saved;
}

/* Async-signal-safe: put the terminal back, kill the guest, die. */
static void on_fatal(int sig)
{
	static const char reset[] = "\033[?1049l\033[0m\r\n";

	if (have_tio)
		tcsetattr(0, TCSANOW, &saved_tio);
	if (write(1, reset, sizeof(reset) - 1) < 0) {
		/* the terminal may be gone */
	}
	teardown_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		sig_pipe[0] = sig_pipe[1] = -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = 0;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

/* ---- models ---- */

static void refresh_models(struct ktconsole *c)
{
	struct kt_gstate g;
	struct con_scn v;
	uint64_t scn_gen = con_engine_scn_gen(c->eng);

	if (con_engine_gstate(c->eng, &g) && (!c->g.valid || g.gen != c->g.gen ||
					      g.received_ns != c->g.received_ns)) {
		kt_gstate_clear(&c->g);
		c->g = g;
		con_sched_update(&c->sched, &c->g);
		con_treeslot_update(c);
	} else {
		kt_gstate_clear(&g);
	}
	/* The live views: what the sampler added (nothing once the guest
	 * is gone: they keep the last). */
	if (c->live && !c->down.down)
		con_live_pull(c->live, con_sampler_timeline(con_engine_sampler(c->eng)));
	/* The scenario is copied only when the engine published a new one. */
	if (scn_gen != c->scn_gen && !con_engine_scn(c->eng, &v)) {
		con_scn_clear(&c->scn);
		c->scn = v;
		c->scn_gen = scn_gen;
	}
}

/* What the panes and the status line draw from, as one number (see
 * console.h): when it has not moved and nothing made the view dirty, a
 * wake-up draws nothing. */
static uint64_t view_sig(struct ktconsole *c)
{
	uint64_t v[8], since = 0, h;
	char desc[128];
	char *busy = con_engine_busy(c->eng, &since);
	int gs = con_engine_guest(c->eng, desc, sizeof(desc));

	pthread_mutex_lock(&c->fires_lock);
	v[0] = c->fires_gen;
	pthread_mutex_unlock(&c->fires_lock);
	v[1] = con_log_gen(c->log);
	v[2] = c->g.valid ? c->g.gen : 0;
	v[3] = c->g.valid ? c->g.received_ns : 0;
	v[4] = c->scn_gen;
	/* A job in flight: the status line shows its clock, in tenths. */
	v[5] = busy ? (kt_now_ns() - since) / 100000000u + 1 : 0;
	/* The scheduler's tab moves only while it is shown. */
	v[6] = c->logslot.tab == CON_LT_SCHED && c->logslot.sched ? con_log_gen(c->logslot.sched)
								    : 0;
	/* The live views move only while the scheduler's place is shown. */
	v[7] = c->live && c->lay.pane[CON_P_SCHED].h > 0 ? c->live->gen : 0;
	h = kt_fnv1a64(KT_FNV_INIT, v, sizeof(v));
	h = kt_fnv1a64(h, &gs, sizeof(gs));
	h = kt_fnv1a64(h, desc, strlen(desc));
	if (busy)
		h = kt_fnv1a64(h, busy, strlen(busy));
	free(busy);
	return h;
}

/* ---- drawing ---- */

static void status(struct ktconsole *c, struct con_buf *b, const struct con_rect *r)
{
	struct con_status s = { 0 };
	char desc[128], sched[128], replay[320], hold[64];
	uint64_t since = 0;
	char *busy = con_engine_busy(c->eng, &since);

	s.gs = con_engine_guest(c->eng, desc, sizeof(desc));
	s.guest = desc[0] ? desc : NULL;
	if (c->g.valid)
		snprintf(sched, sizeof(sched), "%s %s", c->g.sched.ops[0] ? c->g.sched.ops : "none",
			 c->g.sched.state);
	else
		snprintf(sched, sizeof(sched), "?");
	s.sched = sched;
	s.step = c->step;
	s.busy = busy;
	s.busy_ns = busy ? kt_now_ns() - since : 0;
	if (c->replay_hold_ns && c->continuing) {
		char d[32];

		snprintf(hold, sizeof(hold), "hold %s", kt_fmt_duration(c->replay_hold_ns, d, sizeof(d)));
		s.hold = hold;
	}
	s.record = c->rec ? con_rec_file(c->rec) : NULL;
	if (c->replay.r) {
		const char *f = strrchr(c->replay.r->file, '/');

		snprintf(replay, sizeof(replay), "%s %zu/%zu%s", f ? f + 1 : c->replay.r->file,
			 c->replay.napplied, c->replay.total, c->continuing ? " running" : "");
		s.replay = replay;
	}
	con_status_render(&s, b, r);
	free(busy);
}

static struct con_rect body(const struct con_rect *r)
{
	return (struct con_rect){ r->y + 1, r->x, r->h - 1, r->w };
}

/* Rectangle r differs between two buffers of the same size. */
static bool rect_changed(const struct con_buf *a, const struct con_buf *b,
			 const struct con_rect *r)
{
	for (int y = r->y; y < r->y + r->h && y < a->h; y++) {
		int x0 = r->x < 0 ? 0 : r->x, x1 = r->x + r->w > a->w ? a->w : r->x + r->w;

		if (x1 > x0 && memcmp(con_buf_at(a, y, x0), con_buf_at(b, y, x0),
				      (size_t)(x1 - x0) * sizeof(struct con_cell)))
			return true;
	}
	return false;
}

/* Send the terminal the panes (and the separator and status line) whose
 * cells changed since the last draw; all of them after a resize. Keeps b
 * as the new frame. */
static void show_changed(struct ktconsole *c, struct con_buf *b)
{
	bool all = c->frame.h != b->h || c->frame.w != b->w;
	int shown = 0;

	for (int p = 0; p < CON_P__COUNT + 2; p++) {
		const struct con_rect *r = p < CON_P__COUNT ? &c->lay.pane[p] :
					   p == CON_P__COUNT ? &c->lay.vsep : &c->lay.status;

		if (r->h <= 0 || r->w <= 0 || (!all && !rect_changed(&c->frame, b, r)))
			continue;
		con_screen_show_rect(b, r);
		shown++;
	}
	con_buf_free(&c->frame);
	c->frame = *b;
	/* Showing moved the cursor: put it back at the prompt. */
	if (shown)
		con_prompt_redraw();
}

/* The scheduler's place: sched_ext's lines and the live runqueues
 * (con-rq.h), or the history (con-hist.h); greyed, with the last data,
 * once the guest is gone. */
static void sched_place(struct ktconsole *c, struct con_buf *b, const struct con_rect *pr,
			const struct con_rect *r, bool focus)
{
	struct kt_header h;
	bool dim = c->down.down;

	kt_header_read(c->header, &h);
	if (c->history && c->live) {
		c->scroll_max[CON_P_SCHED] = con_hist_render(c->live, dim, b, r,
							     c->scroll[CON_P_SCHED]);
		con_title(b, pr, "history", c->live->seq ? NULL : "no samples", focus);
		return;
	}
	/* Without kernel state (no vmlinux) samples have no CPUs: the IRQ
	 * bars, as before. */
	if (c->live && c->live->ncpus && r->h > 4) {
		/* sched_ext's counters take one line where they fit, else two */
		int th = r->w >= 46 ? 2 : 3;
		struct con_rect top = { r->y, r->x, th, r->w };
		struct con_rect rq = { r->y + th, r->x, r->h - th, r->w };

		con_sched_render(&c->sched, &c->g, b, &top);
		c->scroll_max[CON_P_SCHED] = con_rq_render(c->live, &c->sched, &h.topo, c->fold, dim,
							   b, &rq, c->scroll[CON_P_SCHED]);
	} else {
		con_sched_render(&c->sched, &c->g, b, r);
		c->scroll_max[CON_P_SCHED] = 0;
	}
	con_title(b, pr, "scheduler", c->g.valid ? c->g.sched.ops : "", focus);
}

static void draw(struct ktconsole *c)
{
	struct con_buf b;
	struct con_rect r;
	char right[64];
	int rows;

	if (con_buf_init(&b, c->rows, c->cols))
		return;
	con_down_update(&c->down, con_engine_guest(c->eng, NULL, 0), !c->booted, time(NULL));
	con_layout_compute(c->rows, c->cols, c->zoom, c->focus, &c->lay);
	for (int p = 0; p < CON_P__COUNT; p++) {
		const struct con_rect *pr = &c->lay.pane[p];
		bool focus = (int)c->focus == p;

		if (pr->h <= 0)
			continue;
		r = body(pr);
		right[0] = '\0';
		switch (p) {
		case CON_P_TREE:
			if (con_treeslot_draw_workers(c, &b, pr, &r, focus))
				break;		/* a workers view has the slot */
			rows = con_tree_render(&c->g, &c->scn, &b, &r, c->scroll[p],
					       con_treeslot_sel(c, focus));
			c->scroll_max[p] = rows > r.h ? rows - r.h : 0;
			con_title(&b, pr, "cgroups", con_tree_summary(&c->g, right, sizeof(right)),
				  focus);
			break;
		case CON_P_SCHED:
			sched_place(c, &b, pr, &r, focus);
			break;
		case CON_P_CAPS:
			if (c->browse) {
				con_browse_render(c->browse, &b, &r);
				snprintf(right, sizeof(right), "%zu/%zu  Enter folds, /TEXT, q closes",
					 con_browse_cursor(c->browse) + 1, con_browse_rows(c->browse));
				con_title(&b, pr, con_browse_title(c->browse), right, focus);
				break;
			}
			pthread_mutex_lock(&c->fires_lock);
			rows = con_caps_render(&c->scn, c->fires, c->nfires, &b, &r, c->scroll[p]);
			pthread_mutex_unlock(&c->fires_lock);
			c->scroll_max[p] = rows > r.h ? rows - r.h : 0;
			snprintf(right, sizeof(right), "%zu", c->scn.ncaps);
			con_title(&b, pr, "captures", right, focus);
			break;
		case CON_P_LOG:
			con_logslot_draw(c, &b, pr, &r, focus);	/* tabs, search, filter */
			break;
		}
		if (p != CON_P_LOG) {	/* the log's title has its own tabs */
			/* the scheduler's views are tabs too */
			static const char *const views[] = { "scheduler", "history" };

			con_tabs_slot_views(&b, pr, c->rows, c->cols, c->zoom, p, focus, CON_P_SCHED,
					    views, 2, c->history);
		}
		con_down_title(&c->down, &b, pr);
	}
	for (int y = 0; y < c->lay.vsep.h; y++)
		con_put(&b, &c->lay.vsep, y, 0, CON_A_LINE, "|", 1);
	con_tabs_min_size(&b, c->rows, c->cols);
	con_cands_render(&c->cands, &b, 1, c->lay.status.y);
	status(c, &b, &c->lay.status);
	show_changed(c, &b);
	c->dirty = false;
}

/* ---- prompt hooks ---- */

/* A /TEXT search while a snapshot is open (console_line's reading) is not
 * a command to recall. */
static bool on_remember(void *ctx, const char *line)
{
	struct ktconsole *c = ctx;

	while (*line == ' ')
		line++;
	return !(c->browse && *line == '/');
}

static bool on_key(void *ctx, const struct con_key *k)
{
	return console_key(ctx, k);
}

static size_t on_live(void *ctx, const char *line, enum kt_argtype t, const char *prefix,
		      char **out, size_t max)
{
	return console_complete(ctx, line, t, prefix, out, max);
}

/* Tab's candidates: above the prompt until the line changes, not in the
 * log (con-cands.h). */
static void on_matches(void *ctx, const char *line, char **words, size_t n)
{
	struct ktconsole *c = ctx;

	con_cands_set(&c->cands, line, words, n);
	draw(c);
}

static void on_draw(void *ctx, const char *prompt, const char *text, size_t point)
{
	struct ktconsole *c = ctx;

	if (con_cands_seen(&c->cands, text))
		c->dirty = true;	/* the loop draws them away */

	if (c->lay.prompt.w > 0)
		con_screen_prompt(&c->lay.prompt, prompt, text, point);
}

/* ---- the loop ---- */

int console_ui_run(struct ktconsole *c)
{
	char msg[256], *hist;
	struct con_prompt_ops ops = {
		.line = console_line, .key = on_key, .live = on_live, .matches = on_matches,
		.remember = on_remember,
		.draw = on_draw, .ctx = c,
	};

	have_tio = tcgetattr(0, &saved_tio) == 0;
	if (con_screen_start(msg, sizeof(msg))) {
		fprintf(stderr, "ktcon: %s\n", msg);
		return -1;
	}
	install_signals();
	con_screen_resize(&c->rows, &c->cols);
	con_layout_compute(c->rows, c->cols, c->zoom, c->focus, &c->lay);
	hist = con_prompt_history_path();
	con_prompt_init(&ops, PROMPT, hist);
	free(hist);
	draw(c);
	int in_fd = 0;
	while (!c->done) {
		struct pollfd p[3] = {
			{ .fd = in_fd, .events = POLLIN },
			{ .fd = con_engine_wake_fd(c->eng), .events = POLLIN },
			{ .fd = sig_pipe[0], .events = POLLIN },
		};
		char buf[256];
		ssize_t n;
		uint64_t sig;

		if (poll(p, 3, TICK_MS) < 0 && errno != EINTR)
			break;
		if (p[2].revents & POLLIN) {
			while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
				;
			c->rows = -1;
		}
		if (p[1].revents & POLLIN) {
			struct con_job *j = con_engine_take(c->eng), *next;

			for (; j; j = next) {
				next = j->next;
				console_job_done(c, j);
				con_job_free(j);
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* A key may change the view (scroll, focus, zoom). */
			c->dirty = true;
			n = read(0, buf, sizeof(buf));
			if (n > 0)
				con_prompt_feed(buf, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				in_fd = -1;		/* the terminal is gone */
				console_quit(c);
			}
		}
		if (c->shell_wanted) {		/* `sh` alone (con-shell.c) */
			c->shell_wanted = false;
			console_shell(c, sig_pipe[0]);
		}
		if (c->rows < 0) {
			con_screen_resize(&c->rows, &c->cols);
			con_screen_invalidate();
			con_buf_free(&c->frame);	/* show every pane again */
			c->dirty = true;
		}
		refresh_models(c);
		sig = view_sig(c);
		if (c->dirty || sig != c->drawn_sig) {
			c->drawn_sig = sig;
			draw(c);
		}
	}
	con_buf_free(&c->frame);
	con_cands_clear(&c->cands);
	con_prompt_end();
	con_screen_end();
	return c->exit_status;
}
