/*
 * progress.h - one progress line for long work (a kernel build).
 *
 * On a terminal the line is redrawn in place at most 4 times a second; to
 * a file or pipe a line is printed when the phase changes and every 30 s,
 * so a CI log shows life without drowning in it.
 */
#ifndef KTCON_VMM_PROGRESS_H
#define KTCON_VMM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *out;
	const char *what;	/* "kernel build" */
	const char *phase;	/* "compile" */
	uint64_t start_ns, phase_ns, last_draw_ns;
	unsigned long count;	/* files compiled */
	unsigned long expect;	/* 0 when unknown */
	bool tty;
	bool dirty;		/* a tty line is on screen without its newline */
};

void progress_init(struct progress *p, FILE *out, const char *what);
void progress_phase(struct progress *p, const char *phase);
void progress_tick(struct progress *p, unsigned long count);
/* Print a message on its own line without losing the progress line. */
void progress_note(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Finish the line; elapsed time of the whole work in *total_ns. */
void progress_done(struct progress *p, uint64_t *total_ns);

/* True when LINE from kbuild's output is a compiled file ("  CC  x.o"). */
bool progress_is_kbuild_compile(const char *line);

#endif
