/*
 * cmd-diff.c - `ktcon diff A B`: two saved captures compared, one line per
 * field that differs (the console's `diff snapshot A B` shows the same walk
 * side by side). Exits as diff(1) does: 0 the same, 1 different, 2 trouble
 * (a file missing, not JSON, holding no snapshot, or several without a
 * TAG), the error naming the file.
 */
#include "tui/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/snapfile.h"
#include "lib/jdiff.h"
#include "lib/kjson.h"

static const char usage[] =
	"usage: ktcon diff [--all] A B\n"
	"Compare two saved snapshots field by field: runqueues, sched_ext globals,\n"
	"registers, BPF maps (per-CPU values included) and their .bss/.data globals.\n"
	"A and B are files: a snapshot saved by the console's `save snapshot TAG FILE`,\n"
	"or results from `ktcon run --json FILE` (FILE:TAG picks a capture when the\n"
	"file holds more than one). Arrays of CPUs and maps are matched by CPU and\n"
	"by map name, not by position.\n"
	"Each line: '~ PATH: A -> B' changed, '+ PATH: B' only in B, '- PATH: A'\n"
	"only in A, '! PATH: A -> B' of another type.\n"
	"  --all   also list the fields that are the same\n"
	"Exit status: 0 the same, 1 different, 2 trouble.\n";

struct printer {
	bool all;
};

/* A value as one line: a scalar's JSON text, a container's size. */
static const char *shown(struct json_object *v, char *buf, size_t size)
{
	if (json_object_is_type(v, json_type_array))
		snprintf(buf, size, "[%zu]", json_object_array_length(v));
	else if (json_object_is_type(v, json_type_object))
		snprintf(buf, size, "{%d}", json_object_object_length(v));
	else
		snprintf(buf, size, "%s", v ? kjson_text(v) : "null");
	return buf;
}

static bool print_entry(void *ctx, const struct jdiff_entry *e)
{
	static const char marks[] = {
		[JDIFF_SAME] = ' ', [JDIFF_CHANGED] = '~', [JDIFF_ADDED] = '+',
		[JDIFF_REMOVED] = '-', [JDIFF_RETYPED] = '!',
	};
	const struct printer *p = ctx;
	char a[256], b[256];
	const char *path = *e->path ? e->path : "(top)";

	/* A container on both sides: its members tell what changed. */
	if (e->container && (e->kind == JDIFF_SAME || e->kind == JDIFF_CHANGED))
		return e->kind == JDIFF_CHANGED || p->all;
	if (e->kind == JDIFF_SAME && !p->all)
		return false;
	if (e->kind == JDIFF_ADDED)
		printf("%c %s: %s\n", marks[e->kind], path, shown(e->b, b, sizeof(b)));
	else if (e->kind == JDIFF_REMOVED)
		printf("%c %s: %s\n", marks[e->kind], path, shown(e->a, a, sizeof(a)));
	else if (e->kind == JDIFF_SAME)
		printf("%c %s: %s\n", marks[e->kind], path, shown(e->a, a, sizeof(a)));
	else
		printf("%c %s: %s -> %s\n", marks[e->kind], path, shown(e->a, a, sizeof(a)),
		       shown(e->b, b, sizeof(b)));
	return false;	/* a one-sided subtree is one line */
}

static void head(char mark, const char *arg, struct json_object *snap)
{
	printf("%c%c%c %s (snapshot %s, tag %s)\n", mark, mark, mark, arg,
	       json_object_get_string(kjson_get(snap, "snapshot")),
	       json_object_get_string(kjson_get(snap, "tag")));
}

static int cmd_diff_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct printer p = { 0 };
	struct json_object *snap[2] = { NULL, NULL };
	struct jdiff_count n;
	size_t total;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ah", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			p.all = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return KTCMD_OK;
		default:
			fputs(usage, stderr);
			return KTCMD_USAGE;
		}
	}
	if (argc - optind != 2) {
		fputs(usage, stderr);
		return KTCMD_USAGE;
	}
	for (int i = 0; i < 2; i++) {
		struct kterr *e = kt_snapfile_load(argv[optind + i], &snap[i]);
		char buf[1024];

		if (e) {
			fprintf(stderr, "ktcon diff: %s\n", kterr_str(e, buf, sizeof(buf)));
			kterr_free(e);
			json_object_put(snap[0]);
			return 2;	/* diff(1)'s trouble, not a difference */
		}
	}
	head('-', argv[optind], snap[0]);
	head('+', argv[optind + 1], snap[1]);
	total = jdiff_walk(snap[0], snap[1], print_entry, &p, &n);
	printf("%zu difference%s (%zu changed, %zu added, %zu removed, %zu of another type)\n",
	       total, total == 1 ? "" : "s", n.changed, n.added, n.removed, n.retyped);
	json_object_put(snap[0]);
	json_object_put(snap[1]);
	return total ? 1 : 0;
}

const struct ktcmd_entry ktcmd_diff_entry = {
	.name = "diff",
	.usage = "diff [--all] A B",
	.summary = "compare two saved snapshots field by field (exit 0 same, 1 different)",
	.exec = cmd_diff_exec,
};
