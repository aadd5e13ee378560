/*
 * state-irqs.h - /proc/interrupts as a table. Pure: text in, table out,
 * so tests feed it fixture text.
 *
 * The first line names the columns ("CPU0 CPU1 ..."; only online CPUs, so
 * the numbers may have gaps). Every other line is a row:
 *
 *   per-CPU   "NAME: c0 c1 ... cN-1 description"   (IRQs, NMI, LOC, ...)
 *   global    "NAME: n"                           (ERR, MIS: one count)
 *
 * A line that is neither is counted in skipped, never fatal: the kernel's
 * format differs a little across architectures and releases. A text
 * without a CPU header is an error.
 */
#ifndef KTCON_GUEST_STATE_IRQS_H
#define KTCON_GUEST_STATE_IRQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define IRQS_MAX_CPUS 1024
#define IRQS_NAME_MAX 16
#define IRQS_DESC_MAX 64

struct irq_row {
	char name[IRQS_NAME_MAX];	/* "0", "24", "LOC", "ERR" */
	char desc[IRQS_DESC_MAX];	/* the rest, runs of spaces squeezed */
	bool per_cpu;			/* false: a global row (ERR, MIS) */
	uint64_t total;			/* the row's sum, or its one count */
};

struct irq_table {
	unsigned ncpus;			/* columns */
	unsigned *cpu;			/* [ncpus] CPU number of each column */
	uint64_t *cpu_total;		/* [ncpus] sum over the per-CPU rows */
	size_t nrows;
	struct irq_row *rows;
	uint64_t *counts;		/* [nrows * ncpus]; zero for global rows */
	size_t skipped;			/* lines that fit neither form */
};

/* Parse text into t (which it initialises; free with irq_table_free even
 * on error). */
struct kterr *irq_table_parse(const char *text, struct irq_table *t);
void irq_table_free(struct irq_table *t);

/* Row r's ncpus counts. */
static inline const uint64_t *irq_row_counts(const struct irq_table *t, size_t r)
{
	return t->counts + r * t->ncpus;
}

#endif
