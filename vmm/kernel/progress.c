/* progress.c - a progress line; see progress.h. */
#include "vmm/kernel/progress.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

#define TTY_INTERVAL_NS (250ULL * 1000000)
#define LOG_INTERVAL_NS (30ULL * 1000000000)

static void draw(struct progress *p, bool force)
{
	uint64_t now = kt_now_ns();
	char el[32];

	if (!force && now - p->last_draw_ns < (p->tty ? TTY_INTERVAL_NS : LOG_INTERVAL_NS))
		return;
	p->last_draw_ns = now;
	kt_fmt_duration(now - p->start_ns, el, sizeof(el));
	if (p->tty)
		fputs("\r\033[K", p->out);
	fprintf(p->out, "[%s] %-10s", p->what, p->phase ? p->phase : "");
	if (p->count && p->expect && p->count <= p->expect)
		fprintf(p->out, " %lu/~%lu files", p->count, p->expect);
	else if (p->count)
		fprintf(p->out, " %lu files", p->count);
	fprintf(p->out, "  %s", el);
	if (p->tty) {
		p->dirty = true;
	} else {
		fputc('\n', p->out);
	}
	fflush(p->out);
}

void progress_init(struct progress *p, FILE *out, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->what = what;
	p->tty = isatty(fileno(out));
	p->start_ns = p->phase_ns = kt_now_ns();
}

void progress_phase(struct progress *p, const char *phase)
{
	p->phase = phase;
	p->phase_ns = kt_now_ns();
	draw(p, true);
}

void progress_tick(struct progress *p, unsigned long count)
{
	p->count = count;
	draw(p, false);
}

void progress_note(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p->dirty) {
		fputs("\r\033[K", p->out);
		p->dirty = false;
	}
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
	fputc('\n', p->out);
	if (p->tty)
		draw(p, true);
	fflush(p->out);
}

void progress_done(struct progress *p, uint64_t *total_ns)
{
	if (p->dirty)
		fputc('\n', p->out);
	p->dirty = false;
	fflush(p->out);
	if (total_ns)
		*total_ns = kt_now_ns() - p->start_ns;
}

bool progress_is_kbuild_compile(const char *line)
{
	/* kbuild's quiet lines: two spaces, a tag, spaces, a target. */
	static const char *const tags[] = { "CC ", "AS ", "HOSTCC ", "CLNG-BPF " };

	if (strncmp(line, "  ", 2))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++)
		if (!strncmp(line + 2, tags[i], strlen(tags[i])))
			return true;
	return false;
}
