/* con-log.c - the log pane's model; see con-log.h. */
#include "tui/con-log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Continuation lines of a wrapped line start this far in. */
#define WRAP_INDENT 4

struct line {
	enum con_attr a;
	char *text;
};

struct con_log {
	pthread_mutex_t lock;
	struct line *v;		/* ring of cap lines */
	size_t cap, head, n;	/* oldest at head */
	uint64_t gen;
	uint64_t next_seq;	/* lines ever pushed: the oldest is next_seq - n */
	con_log_rewrite_fn rewrite;	/* set before any writer starts */
	void *rewrite_ctx;
};

void con_log_set_rewrite(struct con_log *l, con_log_rewrite_fn fn, void *ctx)
{
	l->rewrite = fn;
	l->rewrite_ctx = ctx;
}

struct con_log *con_log_new(size_t max_lines)
{
	struct con_log *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->cap = max_lines ? max_lines : 1;
	l->v = calloc(l->cap, sizeof(*l->v));
	if (!l->v) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	return l;
}

void con_log_free(struct con_log *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[(l->head + i) % l->cap].text);
	free(l->v);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

/* With the lock held. */
static void push(struct con_log *l, enum con_attr a, const char *s, size_t len)
{
	char *t = strndup(s, len);
	struct line *slot;

	if (!t)
		return;
	if (l->n == l->cap) {
		slot = &l->v[l->head];
		free(slot->text);
		l->head = (l->head + 1) % l->cap;
		l->n--;
	}
	slot = &l->v[(l->head + l->n) % l->cap];
	slot->a = a;
	slot->text = t;
	l->n++;
	l->gen++;
	l->next_seq++;
}

static void add_text(struct con_log *l, enum con_attr a, const char *text)
{
	char *rewritten = l->rewrite ? l->rewrite(l->rewrite_ctx, text) : NULL;

	if (rewritten)
		text = rewritten;
	pthread_mutex_lock(&l->lock);
	for (const char *p = text;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		/* A trailing \r from a console line is not text. */
		while (len && p[len - 1] == '\r')
			len--;
		if (nl || len)
			push(l, a, p, len);
		if (!nl)
			break;
		p = nl + 1;
		if (!*p)
			break;
	}
	pthread_mutex_unlock(&l->lock);
	free(rewritten);
}

void con_log_add(struct con_log *l, enum con_attr a, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (!l)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	add_text(l, a, s ? s : "(out of memory)");
	free(s);
}

void con_log_update(struct con_log *l, enum con_attr a, const char *key, const char *text)
{
	struct line *last;
	char *t, *rewritten;

	if (!l)
		return;
	rewritten = l->rewrite ? l->rewrite(l->rewrite_ctx, text) : NULL;
	if (rewritten)
		text = rewritten;
	pthread_mutex_lock(&l->lock);
	last = l->n ? &l->v[(l->head + l->n - 1) % l->cap] : NULL;
	if (last && !strncmp(last->text, key, strlen(key)) && !strchr(text, '\n') &&
	    (t = strdup(text))) {
		free(last->text);
		last->text = t;
		last->a = a;
		l->gen++;
		pthread_mutex_unlock(&l->lock);
		free(rewritten);
		return;
	}
	pthread_mutex_unlock(&l->lock);
	add_text(l, a, text);
	free(rewritten);
}

void con_log_error(struct con_log *l, const char *prefix, const struct kterr *e)
{
	char *all = kterr_strdup(e), *nl, *h;
	const char *hint = kterr_hint_of(e);

	if (!l)
		return;
	if (!all) {
		con_log_add(l, CON_A_ERROR, "%s: (out of memory)", prefix);
		return;
	}
	/* The flattened chain is "chain (hint: ...)\nnotes": each on its
	 * own line, the hint in its own colour. */
	nl = strchr(all, '\n');
	if (nl)
		*nl = '\0';
	/* A chain that crossed the wire (the guest's) carries its hint in
	 * its text: "... (hint: ...)" at the end. */
	h = strstr(all, " (hint: ");
	if (h && !hint && all[strlen(all) - 1] == ')') {
		all[strlen(all) - 1] = '\0';
		hint = h + strlen(" (hint: ");
	}
	if (h)
		*h = '\0';
	con_log_add(l, CON_A_ERROR, "%s%s", prefix ? prefix : "", all);
	if (hint)
		con_log_add(l, CON_A_HINT, "  hint: %s", hint);
	if (nl && nl[1])
		con_log_add(l, CON_A_DIM, "%s", nl + 1);
	free(all);
}

uint64_t con_log_gen(struct con_log *l)
{
	uint64_t g;

	pthread_mutex_lock(&l->lock);
	g = l->gen;
	pthread_mutex_unlock(&l->lock);
	return g;
}

size_t con_log_count(struct con_log *l)
{
	size_t n;

	pthread_mutex_lock(&l->lock);
	n = l->n;
	pthread_mutex_unlock(&l->lock);
	return n;
}

/* How many bytes of s the next row of width w takes: up to the last
 * blank that fits (when it is past half the row), else w. */
static int take(const char *s, int w)
{
	int len = (int)strlen(s);

	if (len <= w)
		return len;
	for (int i = w; i > w / 2; i--)
		if (s[i] == ' ')
			return i;
	return w;
}

/* Rows a line takes at width w; with draw, drawn from row y of r, rows
 * before `skip` left out. Returns the rows. */
static int wrap(const struct line *ln, struct con_buf *b, const struct con_rect *r, int *y,
		int *skip, enum con_log_filter f)
{
	const char *p = ln->text;
	int rows = 0, w = r->w, cont = r->w - WRAP_INDENT;

	if (!con_log_keeps(f, ln->a, ln->text))
		return 0;

	for (bool first = true; first || *p; first = false) {
		int width = first || cont <= 0 ? w : cont, n = take(p, width);

		if (b) {
			if (*skip > 0)
				(*skip)--;
			else if (*y < r->h)
				con_put(b, r, (*y)++, first || cont <= 0 ? 0 : WRAP_INDENT, ln->a, p, n);
		}
		rows++;
		p += n;
		while (*p == ' ')	/* the blank it broke at */
			p++;
	}
	return rows;
}

/* What each filter keeps: errors (and their hints and warnings), the
 * host's notes (freezes, samples), lines about the scheduler. */
bool con_log_keeps(enum con_log_filter f, enum con_attr a, const char *text)
{
	switch (f) {
	case CON_LF_ERRORS:
		return a == CON_A_ERROR || a == CON_A_HINT || a == CON_A_WARN;
	case CON_LF_HOST:
		return !strncmp(text, "host ", 5);
	case CON_LF_SCHED:
		return strcasestr(text, "sched") || strstr(text, "scx_");
	default:
		return true;
	}
}

static const char *const filter_names[CON_LF__COUNT] = {
	[CON_LF_ALL] = "all", [CON_LF_ERRORS] = "errors", [CON_LF_HOST] = "host",
	[CON_LF_SCHED] = "sched",
};

const char *con_log_filter_name(enum con_log_filter f)
{
	return f < CON_LF__COUNT ? filter_names[f] : "?";
}

int con_log_filter_find(const char *name)
{
	for (int i = 0; i < CON_LF__COUNT; i++)
		if (!strcmp(filter_names[i], name))
			return i;
	return -1;
}

bool con_log_find(struct con_log *l, const char *text, enum con_log_filter f, uint64_t from,
		  int dir, uint64_t *found)
{
	bool ok = false;
	uint64_t first, end;

	pthread_mutex_lock(&l->lock);
	first = l->next_seq - l->n;
	end = l->next_seq;
	/* from is exclusive; out of range starts at the newest (older) or
	 * the oldest (newer) end. */
	uint64_t s = dir < 0 ? (from > first && from <= end ? from : end)
			     : (from >= first && from < end ? from + 1 : first);

	while (dir < 0 ? s > first : s < end) {
		const struct line *ln;

		if (dir < 0)
			s--;
		ln = &l->v[(l->head + (s - first)) % l->cap];
		if (con_log_keeps(f, ln->a, ln->text) && strstr(ln->text, text)) {
			*found = s;
			ok = true;
			break;
		}
		if (dir > 0)
			s++;
	}
	pthread_mutex_unlock(&l->lock);
	return ok;
}

void con_log_view_goto(struct con_log *l, struct con_log_view *v, uint64_t seq)
{
	pthread_mutex_lock(&l->lock);
	if (!v->anchored)
		v->seen_seq = l->next_seq;
	pthread_mutex_unlock(&l->lock);
	v->anchored = true;
	v->top_seq = seq;
	v->top_skip = 0;
	v->scroll = v->last_scroll = 1;	/* render: "scrolled, by nothing since" */
}

int con_log_render(struct con_log *l, struct con_buf *b, const struct con_rect *r, int scroll)
{
	struct con_log_view v = { .scroll = scroll };

	return con_log_render_view(l, b, r, &v);
}

int con_log_render_view(struct con_log *l, struct con_buf *b, const struct con_rect *r,
			struct con_log_view *v)
{
	int total = 0, skip, y, scroll = v->scroll;
	size_t i;
	uint64_t first;

	if (r->h <= 0 || r->w <= 0)
		return 0;
	pthread_mutex_lock(&l->lock);
	first = l->next_seq - l->n;
	for (i = 0; i < l->n; i++)
		total += wrap(&l->v[(l->head + i) % l->cap], NULL, r, NULL, NULL, v->filter);
	/* Scrolled back: the top stays on the line it showed, however many
	 * came in below; a scroll command since moved it by its rows. */
	if (v->anchored && scroll > 0) {
		int below = 0;

		for (i = v->top_seq > first ? (size_t)(v->top_seq - first) : 0; i < l->n; i++)
			below += wrap(&l->v[(l->head + i) % l->cap], NULL, r, NULL, NULL, v->filter);
		if (v->top_seq >= first)
			below -= v->top_skip;
		scroll = below - r->h + (scroll - v->last_scroll);
	}
	int max_scroll = total > r->h ? total - r->h : 0;
	if (scroll > max_scroll)
		scroll = max_scroll;
	if (scroll < 0)
		scroll = 0;
	/* Rows to skip from the top so the window ends `scroll` rows above
	 * the newest. */
	skip = total - r->h - scroll;
	if (skip < 0)
		skip = 0;
	/* Where the top is, for the next render. */
	v->top_seq = first;
	v->top_skip = skip;
	for (i = 0; i < l->n; i++) {
		int rows = wrap(&l->v[(l->head + i) % l->cap], NULL, r, NULL, NULL, v->filter);

		if (v->top_skip < rows)
			break;
		v->top_skip -= rows;
		v->top_seq++;
	}
	if (scroll > 0) {
		if (!v->anchored)
			v->seen_seq = l->next_seq;
		v->anchored = true;
		v->new_below = (size_t)(l->next_seq - v->seen_seq);
	} else {
		v->anchored = false;
		v->new_below = 0;
	}
	v->scroll = v->last_scroll = scroll;
	y = 0;
	for (i = 0; i < l->n && y < r->h; i++)
		wrap(&l->v[(l->head + i) % l->cap], b, r, &y, &skip, v->filter);
	pthread_mutex_unlock(&l->lock);
	return max_scroll;
}
