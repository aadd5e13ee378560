/* err.c - error chains; see err.h. */
#include "lib/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kterr {
	char *msg;
	int errnum;
	char *hint;
	char *notes;
	struct kterr *cause;
	bool is_static;
	bool quiet;		/* errnum not printed (kterr_silent) */
};

/* Returned when we cannot allocate an error; never freed. */
static struct kterr oom_err = {
	.msg = "out of memory while reporting an error",
	.errnum = ENOMEM,
	.is_static = true,
};

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

struct kterr *kterr_newv(int errnum, const char *fmt, va_list ap)
{
	struct kterr *e = calloc(1, sizeof(*e));

	if (!e)
		return &oom_err;
	e->msg = vfmt(fmt, ap);
	if (!e->msg) {
		free(e);
		return &oom_err;
	}
	e->errnum = errnum;
	return e;
}

struct kterr *kterr_new(int errnum, const char *fmt, ...)
{
	va_list ap;
	struct kterr *e;

	va_start(ap, fmt);
	e = kterr_newv(errnum, fmt, ap);
	va_end(ap);
	return e;
}

struct kterr *kterr_silent(int errnum, const char *fmt, ...)
{
	va_list ap;
	struct kterr *e;

	va_start(ap, fmt);
	e = kterr_newv(errnum, fmt, ap);
	va_end(ap);
	if (!e->is_static)
		e->quiet = true;
	return e;
}

struct kterr *kterr_wrap(struct kterr *cause, const char *fmt, ...)
{
	va_list ap;
	struct kterr *e;

	if (!cause)
		return NULL;
	va_start(ap, fmt);
	e = kterr_newv(0, fmt, ap);
	va_end(ap);
	if (e == &oom_err)
		return cause;	/* keep the real error rather than lose it */
	e->cause = cause;
	return e;
}

struct kterr *kterr_hint(struct kterr *e, const char *fmt, ...)
{
	va_list ap;
	char *h;

	if (!e || e->is_static)
		return e;
	va_start(ap, fmt);
	h = vfmt(fmt, ap);
	va_end(ap);
	if (h) {
		free(e->hint);
		e->hint = h;
	}
	return e;
}

struct kterr *kterr_note(struct kterr *e, const char *fmt, ...)
{
	va_list ap;
	char *n, *all;

	if (!e || e->is_static)
		return e;
	va_start(ap, fmt);
	n = vfmt(fmt, ap);
	va_end(ap);
	if (!n)
		return e;
	if (e->notes && asprintf(&all, "%s\n%s", e->notes, n) >= 0) {
		free(n);
		free(e->notes);
		e->notes = all;
	} else if (!e->notes) {
		e->notes = n;
	} else {
		free(n);
	}
	return e;
}

int kterr_errno_of(const struct kterr *e)
{
	int n = 0;

	for (; e; e = e->cause)
		if (e->errnum)
			n = e->errnum;
	return n;
}

const char *kterr_hint_of(const struct kterr *e)
{
	const char *h = NULL;

	/* The outermost hint is the one closest to what the user typed. */
	for (; e; e = e->cause)
		if (e->hint && !h)
			h = e->hint;
	return h;
}

const char *kterr_str(const struct kterr *e, char *buf, size_t size)
{
	size_t off = 0;
	const char *hint = kterr_hint_of(e);

	if (!size)
		return buf;
	buf[0] = '\0';
	for (const struct kterr *f = e; f; f = f->cause) {
		int n = snprintf(buf + off, size - off, "%s%s",
				 f == e ? "" : ": ", f->msg);
		if (n < 0 || (size_t)n >= size - off)
			return buf;
		off += n;
		if (f->errnum && !f->quiet) {
			n = snprintf(buf + off, size - off, ": %s",
				     strerror(f->errnum));
			if (n < 0 || (size_t)n >= size - off)
				return buf;
			off += n;
		}
	}
	if (hint) {
		int n = snprintf(buf + off, size - off, " (hint: %s)", hint);
		if (n < 0 || (size_t)n >= size - off)
			return buf;
		off += n;
	}
	for (const struct kterr *f = e; f; f = f->cause) {
		if (f->notes) {
			int n = snprintf(buf + off, size - off, "\n%s", f->notes);
			if (n < 0 || (size_t)n >= size - off)
				return buf;
			off += n;
		}
	}
	return buf;
}

char *kterr_strdup(const struct kterr *e)
{
	size_t need = 64;

	for (const struct kterr *f = e; f; f = f->cause)
		need += strlen(f->msg) + 64 + (f->hint ? strlen(f->hint) + 16 : 0) +
			(f->notes ? strlen(f->notes) + 2 : 0);
	char *s = malloc(need);
	if (!s)
		return NULL;
	return (char *)kterr_str(e, s, need);
}

bool kterr_contains(const struct kterr *e, const char *text)
{
	char *s = kterr_strdup(e);
	bool hit = s && strstr(s, text);

	free(s);
	return hit;
}

void kterr_free(struct kterr *e)
{
	while (e) {
		struct kterr *c = e->cause;

		if (e->is_static)
			return;
		free(e->msg);
		free(e->hint);
		free(e->notes);
		free(e);
		e = c;
	}
}

bool kterr_frame_at(const struct kterr *e, size_t i, struct kterr_frame *out)
{
	for (; e && i; i--)
		e = e->cause;
	if (!e)
		return false;
	*out = (struct kterr_frame){ .msg = e->msg, .errnum = e->errnum, .quiet = e->quiet,
				     .hint = e->hint, .notes = e->notes };
	return true;
}

struct kterr *kterr_from_frames(const struct kterr_frame *f, size_t n)
{
	struct kterr *e = NULL;

	/* Leaf first, each outer frame wrapping the one below it. */
	while (n--) {
		struct kterr *o = e ? kterr_wrap(e, "%s", f[n].msg) : kterr_new(0, "%s", f[n].msg);

		if (o == e)
			return e;	/* out of memory: keep what was built */
		e = o;
		if (e->is_static)
			return e;
		e->errnum = f[n].errnum;
		e->quiet = f[n].quiet;
		if (f[n].hint)
			kterr_hint(e, "%s", f[n].hint);
		if (f[n].notes)
			kterr_note(e, "%s", f[n].notes);
	}
	return e;
}
