/*
 * cmd-help.c - `ktcon help [NAME]` and `ktcon help --roff`.
 *
 * Everything here is read from the engine's tables (op, expectation,
 * directive and section forms: usage, help paragraph, argument types and
 * their choices), so the help at the prompt, this command and the reference
 * section of ktcon-recipe(5) cannot drift from what the checker accepts.
 * --roff prints that reference section; doc/ktcon-recipe.5 carries it
 * between markers and a test checks it is current.
 */
#include "tui/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "engine/form.h"
#include "engine/op.h"
#include "lib/timeouts.h"
#include "vmm/kernel/kpick.h"

/* The forms in the order the manual lists them. */
struct group {
	const char *title;
	const struct kt_form *const *forms;
};

static const struct kt_form *const *op_forms(void)
{
	return kt_op_table;
}

static const struct kt_form *const cgroup_line[] = { &kt_cgroup_form, NULL };

static void groups(struct group out[5])
{
	out[0] = (struct group){ "HEADER DIRECTIVES", kt_directive_forms };
	out[1] = (struct group){ "SECTIONS", kt_section_forms };
	out[2] = (struct group){ "SETUP LINES", cgroup_line };
	out[3] = (struct group){ "OPS", op_forms() };
	out[4] = (struct group){ "EXPECTATIONS", kt_expect_forms };
}

static const char *side_name(const struct kt_form *f)
{
	if (f->kind != KT_STMT_OP)
		return NULL;
	return f->side == KT_SIDE_HOST ? "host (guest memory, no agent)" : "guest (the agent)";
}

/* Each argument on a line: its spelling, what it must be, its choices. */
static void print_args(FILE *o, const struct kt_form *f, bool roff)
{
	for (const struct kt_argspec *a = f->args; a->type != KT_T_NONE; a++) {
		const struct kt_argtype_def *t = &kt_argtypes[a->type];
		char spell[96];

		if (a->type == KT_T_FLAG)
			snprintf(spell, sizeof(spell), "%s", a->name);
		else if (a->flags & KT_ARG_KEY)
			snprintf(spell, sizeof(spell), "%s=%s", a->name, t->metavar);
		else
			snprintf(spell, sizeof(spell), "%s", a->name ? a->name : t->metavar);
		const char *need = a->type == KT_T_FLAG ? "a flag: present or not"
				   : a->flags & KT_ARG_OPT ? "optional" : "required";

		if (roff)
			fprintf(o, ".IP \"\\fB%s\\fR\" 4\n%s", spell, need);
		else
			fprintf(o, "  %-28s %s", spell, need);
		if (t->choices) {
			fputs(roff ? "; one of: " : "; one of: ", o);
			for (size_t i = 0; t->choices[i]; i++)
				fprintf(o, "%s%s", i ? ", " : "", t->choices[i]);
		}
		if (a->range)	/* limits.h: the range and its reason */
			fprintf(o, "; %llu to %llu: %s", (unsigned long long)a->range->min,
				(unsigned long long)a->range->max, a->range->why);
		fputc('\n', o);
	}
}

/* roff-escape a help paragraph: backslashes, and a leading dot or quote. */
static void roff_text(FILE *o, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", o);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", o);
		else if (*s == '-')
			fputs("\\-", o);
		else
			fputc(*s, o);
	}
	fputc('\n', o);
}

static void print_form(FILE *o, const struct kt_form *f, bool roff)
{
	char usage[512];
	const char *side = side_name(f);

	kt_form_usage(f, usage, sizeof(usage));
	if (roff) {
		fputs(".TP\n.B ", o);
		roff_text(o, usage);
		if (f->help)
			roff_text(o, f->help);
		if (side)
			fprintf(o, ".br\nRuns on the %s side.\n", side);
		if (f->args[0].type != KT_T_NONE) {
			fputs(".RS\n", o);
			print_args(o, f, true);
			fputs(".RE\n", o);
		}
		return;
	}
	fprintf(o, "%s\n\n", usage);
	if (f->help)
		fprintf(o, "%s\n\n", f->help);
	if (side)
		fprintf(o, "Runs on the %s side.\n\n", side);
	if (f->args[0].type != KT_T_NONE) {
		fputs("Arguments:\n", o);
		print_args(o, f, false);
	}
	if (f->flags & KT_FORM_SCHEDULER) {
		char *line = kpick_schedulers_line(NULL);

		fprintf(o, "\n%s\n", line ? line : "Schedulers: (out of memory)");
		free(line);
	}
}

static int roff(void)
{
	struct group g[5];

	groups(g);
	puts(".\\\" BEGIN GENERATED REFERENCE (ktcon help --roff)");
	for (size_t i = 0; i < 5; i++) {
		printf(".SS %s\n", g[i].title);
		for (size_t k = 0; g[i].forms[k]; k++)
			print_form(stdout, g[i].forms[k], true);
	}
	puts(".\\\" END GENERATED REFERENCE");
	return KTCMD_OK;
}

static int cmd_help_exec(int argc, char **argv)
{
	struct group g[5];
	const char *name;

	if (argc == 2 && !strcmp(argv[1], "--roff"))
		return roff();
	groups(g);
	/* No name: the list, as the hint below promises (stdout, success). */
	if (argc == 1 || argc != 2 || argv[1][0] == '-') {
		FILE *o = argc == 1 ? stdout : stderr;

		fputs("usage: ktcon help NAME | --roff\n\nNAME is an op, an expectation (", o);
		fputs("`expect NAME`), a header directive, a section, or `timeouts` (every\n"
		      "limit ktcon waits under). Known:\n", o);
		for (size_t i = 0; i < 5; i++) {
			fprintf(o, "  %s:", g[i].title);
			for (size_t k = 0; g[i].forms[k]; k++)
				fprintf(o, " %s", g[i].forms[k]->name);
			fputc('\n', o);
		}
		fputs("\n`ktcon --help` lists ktcon's commands.\n", o);
		return argc == 1 ? KTCMD_OK : KTCMD_USAGE;
	}
	name = argv[1];
	/* Not a form of the language: the limits ktcon waits under. */
	if (!strcmp(name, "timeouts")) {
		char buf[8192];

		kt_limits_print(buf, sizeof(buf));
		fputs(buf, stdout);
		puts("\nEvery limit is multiplied by the scale: --timeout-scale F (ktcon run, boot,\n"
		     "console), else KTCON_TIMEOUT_SCALE, else under TCG the boot's time against an\n"
		     "idle host's, else 1. A wait whose own process was not running (a late\n"
		     "wake-up) adds that time to its limit.");
		return KTCMD_OK;
	}
	/* `expect NAME` is an expectation, never the setup line or op of
	 * the same name (expect cgroup, cgroup). */
	size_t from = 0;

	if (!strncmp(name, "expect ", 7)) {
		name += 7;
		from = 4;
	}
	for (size_t i = from; i < 5; i++)
		for (size_t k = 0; g[i].forms[k]; k++)
			if (!strcmp(g[i].forms[k]->name, name)) {
				print_form(stdout, g[i].forms[k], false);
				return KTCMD_OK;
			}
	fprintf(stderr, "ktcon help: nothing is called '%s'", name);
	{
		const char *s = kt_form_suggest(op_forms(), name);

		if (s)
			fprintf(stderr, "; did you mean %s?", s);
	}
	fputs("\n(ktcon help with no name lists them all)\n", stderr);
	return KTCMD_FAIL;
}

const struct ktcmd_entry ktcmd_help_entry = {
	.name = "help",
	.usage = "help [NAME | --roff]",
	.summary = "explain an op, expectation or directive of the recipe language",
	.exec = cmd_help_exec,
};
