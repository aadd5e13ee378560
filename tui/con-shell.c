/*
 * con-shell.c - `sh` with no command: the guest's interactive shell in the
 * console's own terminal, as virtme-ng gives one.
 *
 * The screen is handed over (con_screen_suspend: curses leaves the
 * terminal as it found it) and the terminal, in raw mode, is relayed to
 * the guest's hvc0 and back (con_engine_console_fd), while a SHELL job
 * (con-engine.h) keeps the guest's end attached: the agent starts a shell
 * there if none lives, gives it the terminal's size, and answers when it
 * exits. `exit` ends the shell and comes back; C-] comes back and keeps
 * it, with its directory and variables, for the next `sh`. A resize
 * detaches and attaches again with the new size, which the guest's kernel
 * hands the shell as SIGWINCH. While the shell runs, jobs finished before
 * it are taken as usual and the engine's events go on filling the log; the
 * panes are drawn again, whole, on the way back.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tui/con-screen.h"
#include "tui/console.h"

#define DETACH_KEY 0x1d		/* C-] */
/* While a detach is asked for and not yet answered, it is asked again
 * this often: one asked before the job was taken is dropped. */
#define ASK_AGAIN_MS 100

struct relay {
	struct ktconsole *c;
	int hvc;		/* -1 once it broke (the descriptor is fd's) */
	int fd;
	bool leaving;		/* C-], or the terminal went away */
	bool resize;		/* detaching to attach with a new size */
	bool eof;		/* the terminal went away */
	bool ended;		/* the SHELL job came back for good */
	struct con_job *done;	/* ...and here it is */
};

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0) {
		/* the terminal may be gone; the console finds out */
	}
}

static bool put(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, 100);
			continue;
		}
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

static bool attach(struct ktconsole *c)
{
	struct winsize ws = { 0 };
	struct con_job *j = calloc(1, sizeof(*j));
	const char *term = getenv("TERM");

	if (!j)
		return false;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0) {
		j->rows = ws.ws_row;
		j->cols = ws.ws_col;
	}
	j->kind = CON_JOB_SHELL;
	j->text = term ? strdup(term) : NULL;
	con_engine_submit(c->eng, j);
	return true;
}

/* Jobs that finished: the SHELL job ends the visit (or, after a detach
 * for a resize, attaches again); others go where they always go. */
static void take_jobs(struct relay *r)
{
	struct con_job *j = con_engine_take(r->c->eng), *next;

	for (; j; j = next) {
		next = j->next;
		j->next = NULL;
		if (j->kind != CON_JOB_SHELL) {
			console_job_done(r->c, j);
			con_job_free(j);
			continue;
		}
		if (!j->err && j->detached && r->resize && !r->leaving) {
			r->resize = false;
			con_job_free(j);
			if (!attach(r->c))
				r->ended = true;
			continue;
		}
		con_job_free(r->done);
		r->done = j;
		r->ended = true;
	}
}

/* The shell exited: what it said last (its `exit`, echoed) must not greet
 * the next one. */
static void drain(int fd)
{
	char buf[4096];

	for (int i = 0; i < 20; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 50) <= 0 || read(fd, buf, sizeof(buf)) <= 0)
			return;
	}
}

static void from_terminal(struct relay *r)
{
	char buf[4096];
	ssize_t n = read(0, buf, sizeof(buf));
	char *k;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		r->eof = r->leaving = true;
		con_engine_detach(r->c->eng);
		return;
	}
	k = memchr(buf, DETACH_KEY, (size_t)n);
	if (r->hvc >= 0 && !put(r->hvc, buf, k ? (size_t)(k - buf) : (size_t)n))
		r->hvc = -1;
	if (k) {
		r->leaving = true;
		con_engine_detach(r->c->eng);
	}
}

static void relay(struct relay *r, int sig_fd)
{
	while (!r->ended) {
		struct pollfd p[4] = {
			{ .fd = r->leaving ? -1 : 0, .events = POLLIN },
			{ .fd = r->hvc, .events = POLLIN },
			{ .fd = con_engine_wake_fd(r->c->eng), .events = POLLIN },
			{ .fd = sig_fd, .events = POLLIN },
		};
		bool asking = r->leaving || r->resize;
		char buf[4096];
		ssize_t n;

		if (poll(p, 4, asking ? ASK_AGAIN_MS : 1000) < 0 && errno != EINTR)
			break;
		if (p[3].revents & POLLIN) {
			while (read(sig_fd, buf, sizeof(buf)) > 0)
				;
			r->c->rows = -1;	/* the console's own size, on the way back */
			r->resize = !r->leaving;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(r->hvc, buf, sizeof(buf));
			if (n > 0)
				put(1, buf, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				r->hvc = -1;	/* QEMU went: the job says so */
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			from_terminal(r);
		if (p[2].revents & POLLIN)
			take_jobs(r);
		if (!r->ended && (r->leaving || r->resize))
			con_engine_detach(r->c->eng);
	}
}

void console_shell(struct ktconsole *c, int sig_fd)
{
	struct relay r = { .c = c };
	struct termios saved, raw;
	bool tty;
	uint64_t since;
	char *busy = con_engine_busy(c->eng, &since);

	if (busy) {
		con_log_add(c->log, CON_A_ERROR, "sh: %s is in flight", busy);
		con_log_add(c->log, CON_A_HINT, "  hint: wait for it, or C-c cancels it");
		free(busy);
		return;
	}
	r.hvc = r.fd = con_engine_console_fd(c->eng);
	if (r.fd < 0) {
		con_log_add(c->log, CON_A_ERROR, "sh: no guest");
		con_log_add(c->log, CON_A_HINT, "  hint: `restart` boots it again");
		return;
	}
	con_screen_suspend();
	tty = tcgetattr(0, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	/* A shell left running waits at its prompt, which it does not draw
	 * again by itself. */
	say(c->shell_kept ? "\r\n[ktcon] back in the guest's shell you left (Enter shows its "
	    "prompt); `exit` ends it, C-] returns to the console\r\n"
	    : "\r\n[ktcon] the guest's shell: `exit` ends it; C-] returns to the console and "
	    "keeps it for the next `sh`\r\n");
	if (attach(c))
		relay(&r, sig_fd);
	if (r.done && !r.done->err && !r.done->detached && r.hvc >= 0)
		drain(r.hvc);
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	con_screen_resume();
	c->rows = -1;		/* repaint all, at the size the terminal has now */
	c->shell_kept = r.done && !r.done->err && r.done->detached;
	if (!r.done)
		con_log_add(c->log, CON_A_ERROR, "sh: out of memory");
	else if (r.done->err)
		con_log_error(c->log, "sh: ", r.done->err);
	else if (r.done->detached)
		con_log_add(c->log, CON_A_DIM, "      sh: back at the console; the guest's shell "
			    "lives on (`sh` returns to it)");
	else
		con_log_add(c->log, r.done->status ? CON_A_WARN : CON_A_DIM, "      sh: the guest's "
			    "shell exited with status %d", r.done->status);
	if (c->rec) {
		struct kterr *e = con_rec_console(c->rec, "sh", "(the guest's interactive shell)",
						  r.done ? r.done->err : NULL);

		if (e) {
			con_log_error(c->log, "recording: ", e);
			kterr_free(e);
		}
	}
	con_job_free(r.done);
	close(r.fd);
	if (r.eof)
		console_quit(c);
	c->dirty = true;
}
