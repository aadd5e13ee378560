/* state-irqs.c - parse /proc/interrupts; see state-irqs.h. */
#include "guest/state-irqs.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void irq_table_free(struct irq_table *t)
{
	free(t->cpu);
	free(t->cpu_total);
	free(t->rows);
	free(t->counts);
	memset(t, 0, sizeof(*t));
}

/* The next line of *p, NUL-terminated into buf (cut to size). */
static bool next_line(const char **p, char *buf, size_t size)
{
	const char *s = *p, *nl;
	size_t n;

	if (!*s)
		return false;
	nl = strchr(s, '\n');
	n = nl ? (size_t)(nl - s) : strlen(s);
	*p = nl ? nl + 1 : s + n;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static struct kterr *parse_header(const char *line, struct irq_table *t)
{
	unsigned cap = 0;

	for (const char *s = line; *s; ) {
		char *end;
		unsigned long cpu;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (strncmp(s, "CPU", 3) || !isdigit((unsigned char)s[3]))
			return kterr_new(EINVAL, "/proc/interrupts header: '%.20s' is not CPUn", s);
		cpu = strtoul(s + 3, &end, 10);
		if (t->ncpus == IRQS_MAX_CPUS || cpu >= IRQS_MAX_CPUS)
			return kterr_new(E2BIG, "/proc/interrupts header: more than %d CPUs",
					 IRQS_MAX_CPUS);
		if (t->ncpus == cap) {
			unsigned *n = realloc(t->cpu, (cap = cap ? cap * 2 : 8) * sizeof(*n));

			if (!n)
				return kterr_new(ENOMEM, "/proc/interrupts header");
			t->cpu = n;
		}
		t->cpu[t->ncpus++] = (unsigned)cpu;
		s = end;
	}
	if (!t->ncpus)
		return kterr_new(EINVAL, "/proc/interrupts: no CPU columns in the first line '%.40s'",
				 line);
	t->cpu_total = calloc(t->ncpus, sizeof(*t->cpu_total));
	return t->cpu_total ? NULL : kterr_new(ENOMEM, "/proc/interrupts totals");
}

/* "a   b  c" -> "a b c", trimmed. */
static void squeeze(const char *s, char *out, size_t size)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s && n + 1 < size; s++) {
		bool space = *s == ' ' || *s == '\t';

		if (space && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = space ? ' ' : *s;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* One row; false when it fits neither form. vals has room for ncpus. */
static bool parse_row(const struct irq_table *t, const char *line, struct irq_row *row,
		      uint64_t *vals)
{
	const char *colon = strchr(line, ':'), *s;
	unsigned n = 0;
	char name[IRQS_NAME_MAX];

	if (!colon)
		return false;
	if (colon - line >= (ptrdiff_t)sizeof(name))
		return false;
	memcpy(name, line, colon - line);
	name[colon - line] = '\0';
	squeeze(name, row->name, sizeof(row->name));
	if (!row->name[0])
		return false;
	for (s = colon + 1; n < t->ncpus; n++) {
		char *end;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!isdigit((unsigned char)*s))
			break;
		errno = 0;
		vals[n] = strtoull(s, &end, 10);
		/* "2-edge" is a description, not a count */
		if (errno || (*end && *end != ' ' && *end != '\t'))
			break;
		s = end;
	}
	squeeze(s, row->desc, sizeof(row->desc));
	row->total = 0;
	/* Global first: with one CPU, "ERR: 0" also has ncpus counts, but
	 * a per-CPU row always has a description (a chip, or LOC's text). */
	if (n == 1 && !row->desc[0]) {
		row->per_cpu = false;
		row->total = vals[0];
		vals[0] = 0;
		return true;
	}
	if (n == t->ncpus) {
		row->per_cpu = true;
		for (unsigned i = 0; i < n; i++)
			row->total += vals[i];
		return true;
	}
	return false;
}

struct kterr *irq_table_parse(const char *text, struct irq_table *t)
{
	/* A row of 1024 CPUs is 11 KiB; longer lines are cut (then skipped). */
	enum { LINE_MAX_BYTES = 16384 };
	const char *p = text ? text : "";
	size_t cap = 0;
	uint64_t *vals;
	char *line;
	struct kterr *e;

	memset(t, 0, sizeof(*t));
	line = malloc(LINE_MAX_BYTES);
	if (!line)
		return kterr_new(ENOMEM, "/proc/interrupts line");
	if (!next_line(&p, line, LINE_MAX_BYTES)) {
		free(line);
		return kterr_new(EINVAL, "/proc/interrupts is empty");
	}
	e = parse_header(line, t);
	vals = e ? NULL : calloc(t->ncpus, sizeof(*vals));
	if (!e && !vals)
		e = kterr_new(ENOMEM, "/proc/interrupts row");
	while (!e && next_line(&p, line, LINE_MAX_BYTES)) {
		struct irq_row row;

		if (!line[strspn(line, " \t")])
			continue;
		memset(vals, 0, t->ncpus * sizeof(*vals));
		if (!parse_row(t, line, &row, vals)) {
			t->skipped++;
			continue;
		}
		if (t->nrows == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct irq_row *nr = realloc(t->rows, nc * sizeof(*nr));
			uint64_t *ncnt = nr ? realloc(t->counts, nc * t->ncpus * sizeof(*ncnt)) : NULL;

			if (nr)
				t->rows = nr;
			if (!ncnt) {
				e = kterr_new(ENOMEM, "/proc/interrupts: %zu rows", t->nrows);
				break;
			}
			t->counts = ncnt;
			cap = nc;
		}
		t->rows[t->nrows] = row;
		memcpy(t->counts + t->nrows * t->ncpus, vals, t->ncpus * sizeof(*vals));
		if (row.per_cpu)
			for (unsigned i = 0; i < t->ncpus; i++)
				t->cpu_total[i] += vals[i];
		t->nrows++;
	}
	free(vals);
	free(line);
	return e;
}
