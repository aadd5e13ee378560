/* con-record.c - the session as a recipe; see con-record.h. */
#include "tui/con-record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

/* A bare `step` line is written this wide so its hold can be patched in
 * place: "step hold=" and up to 12 digits of milliseconds. */
#define STEP_LINE_W 24
/* `expect error` text is cut at a frame boundary past this length. */
#define XERR_MAX 120

struct con_rec {
	char *text;
	size_t len, cap;
	int fd;			/* -1 when not recording to a file */
	char *path;
	bool op_in_section;	/* an op was applied in the current section */
	long step_line;		/* offset of a bare step line to patch, -1 */
	uint64_t last_ns;	/* the section began or its last op was applied */
};

struct con_rec *con_rec_new(const char *header, uint64_t now_ns)
{
	struct con_rec *r = calloc(1, sizeof(*r));
	size_t hl = strlen(header);

	if (!r)
		return NULL;
	r->fd = -1;
	r->step_line = -1;
	r->last_ns = now_ns;
	/* The header, then the backdrop the session starts in. */
	r->cap = hl + 4096;
	r->text = malloc(r->cap);
	if (!r->text) {
		free(r);
		return NULL;
	}
	memcpy(r->text, header, hl);
	r->len = hl + (size_t)snprintf(r->text + hl, r->cap - hl, "%sbackdrop\n",
				       hl ? "\n" : "");
	return r;
}

void con_rec_free(struct con_rec *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	free(r->text);
	free(r);
}

static struct kterr *write_all(int fd, const char *s, size_t n, off_t at, const char *path)
{
	while (n) {
		ssize_t w = at < 0 ? write(fd, s, n) : pwrite(fd, s, n, at);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return kterr_errno("writing %s", path);
		}
		s += w;
		n -= (size_t)w;
		if (at >= 0)
			at += w;
	}
	if (fsync(fd) < 0)
		return kterr_errno("fsync %s", path);
	return NULL;
}

/* Append to the text and, when recording, to the file. */
static struct kterr *emit(struct con_rec *r, const char *s)
{
	size_t n = strlen(s);

	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->len + n + 1) * 2;
		char *t = realloc(r->text, cap);

		if (!t)
			return kterr_new(ENOMEM, "recording");
		r->text = t;
		r->cap = cap;
	}
	memcpy(r->text + r->len, s, n + 1);
	r->len += n;
	if (r->fd >= 0)
		return write_all(r->fd, s, n, -1, r->path);
	return NULL;
}

static struct kterr *emitf(struct con_rec *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct kterr *emitf(struct con_rec *r, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	struct kterr *e;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return kterr_new(ENOMEM, "recording");
	e = emit(r, s);
	free(s);
	return e;
}

char *con_rec_error_text(const struct kt_stmt *st, const struct kterr *failure)
{
	char *all = kterr_strdup(failure), *stmt = kt_stmt_print(st), *p, *cut;
	size_t sl;

	if (!all) {
		free(stmt);
		return NULL;
	}
	if ((cut = strchr(all, '\n')))
		*cut = '\0';
	if ((cut = strstr(all, " (hint: ")))
		*cut = '\0';
	p = all;
	/* The executor wraps a console statement's failure in its text. */
	sl = stmt ? strlen(stmt) : 0;
	if (stmt && !strncmp(p, stmt, sl) && !strncmp(p + sl, ": ", 2))
		p += sl + 2;
	/* Long chains: keep whole frames up to the cap. */
	if (strlen(p) > XERR_MAX) {
		char *q = p, *last = NULL;

		while ((q = strstr(q, ": ")) && q - p <= XERR_MAX) {
			last = q;
			q += 2;
		}
		if (last)
			*last = '\0';
		else
			p[XERR_MAX] = '\0';
	}
	p = strdup(p);
	free(all);
	free(stmt);
	return p;
}

/* With a bare step open, its hold is now - last op: patch it in. */
static struct kterr *settle_step(struct con_rec *r, uint64_t now_ns)
{
	char line[64];
	uint64_t ms = now_ns > r->last_ns ? (now_ns - r->last_ns) / 1000000 : 0;
	struct kterr *e = NULL;

	if (r->step_line < 0)
		return NULL;
	if (ms > 999999999999ULL)	/* 12 digits: what the padding has room for */
		ms = 999999999999ULL;
	snprintf(line, sizeof(line), "step hold=%" PRIu64 "ms", ms);
	memset(line + strlen(line), ' ', STEP_LINE_W - strlen(line));
	memcpy(r->text + r->step_line, line, STEP_LINE_W);
	if (r->fd >= 0)
		e = write_all(r->fd, line, STEP_LINE_W, r->step_line, r->path);
	r->step_line = -1;
	return e;
}

struct kterr *con_rec_applied(struct con_rec *r, const struct kt_stmt *st,
			      const struct kterr *failure, uint64_t now_ns)
{
	char *text = kt_stmt_print(st), *why;
	struct kterr *e;

	if (!text)
		return kterr_new(ENOMEM, "recording");
	/* Cancelled at the console: a replay would not cancel it, so the
	 * op is kept as a comment, not as an op that must fail. */
	if (failure && kterr_errno_of(failure) == ECANCELED) {
		e = emitf(r, "  # %s  (cancelled at the console)\n", text);
		free(text);
		return e;
	}
	if (st->kind == KT_STMT_EXPECT && failure) {
		char *m = kterr_strdup(failure);

		e = emitf(r, "  # %s  (did not hold here: %s)\n", text, m ? m : "?");
		free(m);
		free(text);
		return e;
	}
	if (st->kind == KT_STMT_CGROUP && r->op_in_section)
		e = emitf(r, "  add-cgroup-def%s\n", text + strlen("cgroup"));
	else
		e = emitf(r, "  %s\n", text);
	free(text);
	if (st->kind == KT_STMT_OP || st->kind == KT_STMT_CGROUP) {
		if (st->kind == KT_STMT_OP)
			r->op_in_section = true;
		r->last_ns = now_ns;
	}
	if (e || !failure || st->kind == KT_STMT_EXPECT)
		return e;
	why = con_rec_error_text(st, failure);
	text = why ? kt_quote(why, false) : NULL;
	e = text ? emitf(r, "  expect error %s\n", text) : emit(r, "  expect error\n");
	free(why);
	free(text);
	return e;
}

struct kterr *con_rec_sh(struct con_rec *r, const char *cmd, const struct kterr *failure)
{
	return con_rec_console(r, "sh", cmd, failure);
}

struct kterr *con_rec_console(struct con_rec *r, const char *name, const char *args,
			      const struct kterr *failure)
{
	return emitf(r, "  # %s %s  " CON_REC_CONSOLE_ONLY "%s)\n", name, args,
		     !failure ? "" : kterr_errno_of(failure) == ECANCELED ? "; cancelled"
		     : "; it failed");
}

struct kterr *con_rec_comment(struct con_rec *r, const char *text)
{
	return emitf(r, "  # %s\n", text);
}

struct kterr *con_rec_step(struct con_rec *r, const struct kt_stmt *st, uint64_t now_ns)
{
	struct kterr *e = settle_step(r, now_ns);
	char *text;

	if (e)
		return e;
	r->op_in_section = false;
	r->last_ns = now_ns;
	if (st && kt_stmt_get(st, "hold")) {
		text = kt_stmt_print(st);
		e = text ? emitf(r, "\n%s\n", text) : kterr_new(ENOMEM, "recording");
		free(text);
		return e;
	}
	e = emit(r, "\n");
	if (e)
		return e;
	r->step_line = (long)r->len;
	return emitf(r, "%-*s\n", STEP_LINE_W, "step hold=0ms");
}

struct kterr *con_rec_end(struct con_rec *r, uint64_t now_ns)
{
	return settle_step(r, now_ns);
}

/* The header's first line says when: the recording's start, not the
 * session's. Patched in place (same width), so the offsets of a step line
 * to patch stay right. */
static void stamp(struct con_rec *r)
{
	size_t pl = strlen(CON_REC_STAMP);
	char date[32];
	time_t now = time(NULL);
	struct tm tm;

	if (r->len < pl + CON_REC_DATE_W || strncmp(r->text, CON_REC_STAMP, pl))
		return;
	localtime_r(&now, &tm);
	if (strftime(date, sizeof(date), CON_REC_DATE_FMT, &tm) == CON_REC_DATE_W)
		memcpy(r->text + pl, date, CON_REC_DATE_W);
}

struct kterr *con_rec_start(struct con_rec *r, const char *path)
{
	struct kterr *e;
	int fd;

	if (r->fd >= 0)
		return kterr_hint(kterr_new(EBUSY, "already recording to %s", r->path),
				  "`record stop` first");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return kterr_errno("record: open %s", path);
	stamp(r);
	e = write_all(fd, r->text, r->len, -1, path);
	if (e) {
		close(fd);
		return kterr_wrap(e, "record");
	}
	free(r->path);
	r->path = strdup(path);
	if (!r->path) {
		close(fd);
		return kterr_new(ENOMEM, "record");
	}
	r->fd = fd;
	return NULL;
}

struct kterr *con_rec_stop(struct con_rec *r)
{
	if (r->fd < 0)
		return kterr_hint(kterr_new(0, "not recording"), "`record FILE` starts a recording");
	close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
	return NULL;
}

const char *con_rec_file(const struct con_rec *r)
{
	return r && r->fd >= 0 ? r->path : NULL;
}

const char *con_rec_text(const struct con_rec *r)
{
	return r->text;
}
