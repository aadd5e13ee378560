/* con-complete.c - what Tab offers beyond the engine's tables (which
 * con-prompt.c asks itself): the console's commands as first words, the
 * panes, files for record/replay/show json, and live values: cgroup names
 * from the guest's state and the scenario, capture tags, armed watches
 * (unwatch), the kernel's and staged schedulers, staged payloads, and
 * vmlinux's symbols for a kernel target (con-sym.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/header.h"
#include "engine/op.h"
#include "tui/con-cmd.h"
#include "tui/con-prompt.h"

static void add(char **out, size_t *n, size_t max, const char *w, const char *prefix)
{
	if (*n < max && !strncmp(w, prefix, strlen(prefix)) && (out[*n] = strdup(w)))
		(*n)++;
}

size_t console_complete(struct ktconsole *c, const char *line, enum kt_argtype t,
			const char *prefix, char **out, size_t max)
{
	const char *sp = strpbrk(line, " \t");
	size_t n = 0;
	char first[32] = "";

	if (!sp) {
		for (const struct con_cmd *cmd = con_cmds; cmd->name; cmd++)
			if (strcmp(cmd->name, "step"))	/* the engine's tables have it */
				add(out, &n, max, cmd->name, prefix);
		return n;
	}
	snprintf(first, sizeof(first), "%.*s", (int)(sp - line), line);
	if (!strcmp(first, "record") || !strcmp(first, "replay"))
		return CON_PROMPT_FILES;
	if (!strcmp(first, "help")) {
		for (size_t i = 0; i < KT_OP__COUNT; i++)
			add(out, &n, max, kt_op_table[i]->name, prefix);
		for (const struct con_cmd *cmd = con_cmds; cmd->name; cmd++)
			add(out, &n, max, cmd->name, prefix);
		return n;
	}
	if (!strcmp(first, "unwatch")) {
		for (size_t i = 0; i < c->scn.nwatches; i++)
			if (c->scn.watches[i].armed)
				add(out, &n, max, c->scn.watches[i].symbol, prefix);
		return n;
	}
	if (!strcmp(first, "focus")) {
		add(out, &n, max, "next", prefix);
		for (int p = 0; p < CON_P__COUNT; p++)
			add(out, &n, max, con_pane_name(p), prefix);
		return n;
	}
	/* diff snapshot A B, save snapshot TAG FILE: the word, tags, a file */
	if (!strcmp(first, "diff") || !strcmp(first, "save")) {
		size_t words = 0;

		for (const char *w = line; *w; w++)
			words += !isspace((unsigned char)*w) && (w == line || isspace((unsigned char)w[-1]));
		words -= *prefix != '\0';	/* the one being typed */
		if (words < 2) {
			add(out, &n, max, "snapshot", prefix);
			return n;
		}
		if (first[0] == 's' && words >= 3)
			return CON_PROMPT_FILES;
		for (size_t i = 0; i < c->scn.ncaps; i++)
			if (c->scn.caps[i].kind == KT_CAP_SNAPSHOT)
				add(out, &n, max, c->scn.caps[i].tag, prefix);
		return n;
	}
	if (!strcmp(first, "show")) {
		if (strstr(line, "json "))
			return CON_PROMPT_FILES;
		if (strstr(line, "snapshot "))
			for (size_t i = 0; i < c->scn.ncaps; i++)
				add(out, &n, max, c->scn.caps[i].tag, prefix);
		else {
			add(out, &n, max, "snapshot", prefix);
			add(out, &n, max, "json", prefix);
		}
		return n;
	}
	/* Names that are not cgroups: the staged binaries and the kernel's
	 * own schedulers. */
	if (t == KT_T_NAME && (!strcmp(first, "attach-scheduler") ||
			       !strcmp(first, "replace-scheduler"))) {
		for (size_t i = 0; kt_kernel_schedulers[i]; i++)
			add(out, &n, max, kt_kernel_schedulers[i], prefix);
		for (size_t i = 0; c->header && i < c->header->nstmts; i++)
			if (c->header->stmts[i].form == &kt_dir_stage_scheduler)
				add(out, &n, max, kt_stmt_posval(&c->header->stmts[i], 0), prefix);
		return n;
	}
	if (t == KT_T_NAME && strstr(first, "-payload")) {
		for (size_t i = 0; c->header && i < c->header->nstmts; i++)
			if (c->header->stmts[i].form == &kt_dir_stage_payload)
				add(out, &n, max, kt_stmt_posval(&c->header->stmts[i], 0), prefix);
		return n;
	}
	switch (t) {
	case KT_T_CGROUP_OR_RUNNER:
		add(out, &n, max, "@runner", prefix);
		/* fall through */
	case KT_T_NAME:
		for (size_t i = 0; c->g.valid && i < c->g.ncgroups; i++)
			add(out, &n, max, c->g.cgroups[i].path, prefix);
		for (size_t i = 0; i < c->scn.ncgs; i++)
			add(out, &n, max, c->scn.cgs[i].name, prefix);
		break;
	case KT_T_TARGET:
	case KT_T_SYMBOL:
		/* vmlinux's names; not past SYMBOL in SYMBOL@CPU+OFFSET */
		if (!strpbrk(prefix, "@+"))
			n = con_syms_complete(c->syms, prefix, out, max);
		break;
	case KT_T_TAG:
		for (size_t i = 0; i < c->scn.ncaps; i++)
			add(out, &n, max, c->scn.caps[i].tag, prefix);
		break;
	default:
		break;
	}
	return n;
}
