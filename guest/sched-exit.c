/* sched-exit.c - the kernel's account of a scheduler's exit; see sched-exit.h. */
#include "guest/sched-exit.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

/* scx_exit_reason()'s texts and the enum scx_exit_kind values they stand
 * for (kernel/sched/ext.c; the values are ABI, the same in 6.12 and 7.x). */
static const struct {
	const char *why;
	const char *kind;
	int value;
} kinds[] = {
	{ "unregistered from user space", "SCX_EXIT_UNREG", 64 },
	{ "unregistered from BPF", "SCX_EXIT_UNREG_BPF", 65 },
	{ "unregistered from the main kernel", "SCX_EXIT_UNREG_KERN", 66 },
	{ "disabled by sysrq-S", "SCX_EXIT_SYSRQ", 67 },
	{ "runtime error", "SCX_EXIT_ERROR", 1024 },
	{ "scx_bpf_error", "SCX_EXIT_ERROR_BPF", 1025 },
	{ "runnable task stall", "SCX_EXIT_ERROR_STALL", 1026 },
};

#define DISABLED "\" disabled ("
#define SEP " | "
#define PREFIX "sched_ext: "

bool sched_exit_parse(const char *records, struct sched_exit *out)
{
	const char *p = strstr(records, DISABLED), *end, *next;

	memset(out, 0, sizeof(*out));
	if (!p)
		return false;
	p += strlen(DISABLED);
	/* WHY ends at the ")" that ends its record. */
	next = strstr(p, SEP);
	end = next ? next : p + strlen(p);
	while (end > p && end[-1] != ')')
		end--;
	if (end > p)
		end--;
	snprintf(out->why, sizeof(out->why), "%.*s", (int)(end - p), p);
	if (next) {
		next += strlen(SEP);
		if (!strncmp(next, PREFIX, strlen(PREFIX)))
			next += strlen(PREFIX);
		snprintf(out->detail, sizeof(out->detail), "%.*s", (int)strcspn(next, "|"), next);
		kt_strtrim(out->detail);
	}
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(out->why, kinds[i].why)) {
			out->kind = kinds[i].kind;
			out->kind_value = kinds[i].value;
		}
	return true;
}

bool sched_exit_by_user_space(const struct sched_exit *x)
{
	return x->kind_value == 64;
}
