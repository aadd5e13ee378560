/* con-cmd-help.c - `help [OP|COMMAND]` and `keys` (also `?`): read from
 * the engine's forms, the console's command table and the key table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expect.h"
#include "engine/header.h"
#include "engine/op.h"
#include "lib/util.h"
#include "tui/con-cmd.h"
#include "tui/con-keys.h"
#include "vmm/kernel/kpick.h"

/* ---- help ---- */

static void list_words(struct ktconsole *c, const char *title, const char *const *words, size_t n)
{
	char line[512];
	size_t len = (size_t)snprintf(line, sizeof(line), "  %-9s", title);
	int width = c->cols > 20 ? c->cols - 2 : 78;

	for (size_t i = 0; i < n; i++) {
		size_t wl = strlen(words[i]);

		if (len + wl + 1 > (size_t)width || len + wl + 2 > sizeof(line)) {
			con_log_add(c->log, CON_A_NORMAL, "%s", line);
			len = (size_t)snprintf(line, sizeof(line), "  %-9s", "");
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s", words[i]);
	}
	con_log_add(c->log, CON_A_NORMAL, "%s", line);
}

static void help_all(struct ktconsole *c)
{
	const char *w[KT_OP__COUNT + 16];
	size_t n = 0;

	con_log_add(c->log, CON_A_CMD, "Type an op to apply it to the guest now; Tab completes, "
		    "`help OP` explains one. ? lists the keys.");
	for (size_t i = 0; i < KT_OP__COUNT; i++)
		w[n++] = kt_op_table[i]->name;
	list_words(c, "ops:", w, n);
	n = 0;
	w[n++] = "cgroup NAME [key=value...]";
	list_words(c, "setup:", w, n);
	n = 0;
	for (size_t i = 0; kt_expect_forms[i]; i++)
		w[n++] = kt_expect_forms[i]->name;
	list_words(c, "expect:", w, n);
	n = 0;
	for (const struct con_cmd *cmd = con_cmds; cmd->name; cmd++)
		w[n++] = cmd->name;
	list_words(c, "console:", w, n);
	con_log_add(c->log, CON_A_DIM, "  Try: add-cgroup-def w workers=2, freeze-cgroup w, "
		    "record FILE, quit");
}

static void help_form(struct ktconsole *c, const struct kt_form *f)
{
	char usage[512];

	con_log_add(c->log, CON_A_CMD, "%s", kt_form_usage(f, usage, sizeof(usage)));
	if (f->help)
		con_log_add(c->log, CON_A_NORMAL, "  %s", f->help);
	if (f->side == KT_SIDE_HOST)
		con_log_add(c->log, CON_A_DIM, "  (runs on the host against guest memory)");
	if (f->flags & KT_FORM_SCHEDULER) {
		char *line = kpick_schedulers_line(NULL);

		con_log_add(c->log, CON_A_DIM, "  %s", line ? line : "Schedulers: (out of memory)");
		free(line);
	}
}

CON_CMD(help)
{
	const struct kt_form *f;
	const struct con_cmd *cmd;
	char name[128];
	/* `help expect cgroup` (or "expect cgroup" quoted, as the shell wants
	 * it for `ktcon help`) is the expectation; `help cgroup` the setup
	 * line. */
	size_t len = rest ? strlen(rest) : 0;
	bool quoted = len >= 2 && (*rest == '"' || *rest == '\'') && rest[len - 1] == *rest;
	bool expect = argc > 2 && !strcmp(argv[1], "expect");
	const char *what = expect ? argv[2] : argc > 1 ? argv[1] : NULL;

	if (quoted) {
		snprintf(name, sizeof(name), "%.*s", (int)(len - 2), rest + 1);
		what = kt_strtrim(name);
		expect = false;
	}
	if (what && !strncmp(what, "expect ", 7)) {
		expect = true;
		what += 7;
		what += strspn(what, " ");
	}
	if (!what) {
		help_all(c);
		return;
	}
	if (!expect && (cmd = con_cmd_find(what))) {
		con_log_add(c->log, CON_A_CMD, "%s", cmd->usage);
		con_log_add(c->log, CON_A_NORMAL, "  %s", cmd->summary);
		/* `help keys` shows them; `help step` the section line too. */
		if (!strcmp(what, "keys")) {
			con_cmd_keys(c, 1, argv, "");
			return;
		}
		if (strcmp(what, "step"))
			return;
	} else {
		cmd = NULL;
	}
	if (expect) {
		f = kt_form_find(kt_expect_forms, what);
	} else {
		f = kt_op_find(what);
		if (!f)
			f = kt_form_find(kt_section_forms, what);
		if (!f)
			f = kt_form_find(kt_directive_forms, what);
		if (!f && !strcmp(what, "cgroup"))
			f = &kt_cgroup_form;
		if (!f)
			f = kt_form_find(kt_expect_forms, what);
	}
	if (f) {
		help_form(c, f);
		return;
	}
	if (cmd)
		return;
	const char *best = kt_form_suggest(kt_op_table, what);
	con_log_add(c->log, CON_A_ERROR, "help: no op or command '%s'", what);
	if (best)
		con_log_add(c->log, CON_A_HINT, "  hint: did you mean `help %s`?", best);
	else
		con_log_add(c->log, CON_A_HINT, "  hint: `help` lists them all");
}

/* "C-o/F2" for every key that runs cmd (each name once). */
static void key_names(const char *cmd, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct con_key *k = con_keys; k->seq; k++) {
		if (strcmp(k->command, cmd))
			continue;
		char word[24];

		snprintf(word, sizeof(word), "/%s/", k->name);
		if (n) {
			char have[80];

			snprintf(have, sizeof(have), "/%s/", buf);
			if (strstr(have, word))
				continue;
		}
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "/" : "",
				      k->name);
	}
}

/* The entry after k with a command not seen before it, or NULL. */
static const struct con_key *next_command(const struct con_key *k)
{
	for (const struct con_key *n = k + 1; n->seq; n++) {
		bool first = true;

		for (const struct con_key *p = con_keys; p < n && first; p++)
			first = strcmp(p->command, n->command) != 0;
		if (first)
			return n;
	}
	return NULL;
}

/* "select up" and "select down" with the same condition: one entry,
 * "Up/Down  select up|down", so the list fits the log pane at 80x24. */
static bool pairs_with(const struct con_key *a, const struct con_key *b)
{
	const char *sa = strrchr(a->command, ' '), *sb = b ? strrchr(b->command, ' ') : NULL;

	return sa && sb && a->flags == b->flags && sa - a->command == sb - b->command &&
	       !strncmp(a->command, b->command, (size_t)(sa - a->command)) &&
	       (!strcmp(sa, " up") || !strcmp(sa, " next")) &&
	       (!strcmp(sb, " down") || !strcmp(sb, " prev"));
}

CON_CMD(keys)
{
	char line[256] = "", names[48], names2[48], entry[128], cmd[64];
	size_t len = 0;
	int col = c->cols > 40 ? c->cols / 2 : 80;
	const struct con_key *skip = NULL;

	/* The heading says what the short marks mean: with them every
	 * entry fits half a row, so the list fits the log pane at 80x24
	 * (13 rows: the heading, 11 rows of two, the readline row). */
	con_log_add(c->log, CON_A_CMD, "keys (each runs the command beside it; (b) a snapshot "
		    "is open, (s) after /TEXT):");
	for (const struct con_key *k = con_keys; k->seq; k++) {
		bool first = true;
		const struct con_key *pair;

		for (const struct con_key *p = con_keys; p < k; p++)
			first = first && strcmp(p->command, k->command);
		if (!first || k == skip)
			continue;
		key_names(k->command, names, sizeof(names));
		snprintf(cmd, sizeof(cmd), "%s", k->command);
		pair = next_command(k);
		if (pairs_with(k, pair)) {
			key_names(pair->command, names2, sizeof(names2));
			if (strlen(names) + 1 + strlen(names2) < sizeof(names)) {
				strcat(names, "/");
				strcat(names, names2);
			}
			snprintf(cmd, sizeof(cmd), "%s|%s", k->command, strrchr(pair->command, ' ') + 1);
			skip = pair;
		}
		snprintf(entry, sizeof(entry), "  %-11s %s%s", names, cmd,
			 k->flags & CON_KEY_BROWSING ? " (b)"
			 : k->flags & CON_KEY_SEARCHING ? " (s)"
			 : k->flags & CON_KEY_TREE ? " (tree)"
			 : k->flags & CON_KEY_WORKERS ? " (workers)"
			 : k->flags & CON_KEY_EMPTY_LINE ? " (empty line)" : "");
		/* Two to a row where they fit. */
		if (len && (int)(len + strlen(entry)) < 2 * col && (int)len <= col) {
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%*s%s",
						col - (int)len, "", entry);
			con_log_add(c->log, CON_A_NORMAL, "%s", line);
			len = 0;
			continue;
		}
		if (len)
			con_log_add(c->log, CON_A_NORMAL, "%s", line);
		len = (size_t)snprintf(line, sizeof(line), "%s", entry);
	}
	if (len)
		con_log_add(c->log, CON_A_NORMAL, "%s", line);
	/* The same columns as the entries above: "  KEY(11) COMMAND" at 0
	 * and at col. */
	con_log_add(c->log, CON_A_NORMAL, "  %-11s %-*s  %-11s %s", "Tab", col - 14,
		    "complete", "Up/C-r", "history");
}
