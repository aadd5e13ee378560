/*
 * con-cmd.h - the console's commands, private to tui/con-cmd*.c: each
 * command is an exec function over the console and its words (tmux's
 * cmd_entry); con-cmds.c holds the table that names them and dispatches
 * a line; the functions live with their kind: con-cmd-help.c (help, keys),
 * con-cmd-view.c (focus, zoom, scroll, redraw, snapshots, show, browse),
 * con-cmd-snap.c (diff, save),
 * con-cmd-session.c (record, replay, next, continue, sh, cancel, quit,
 * compare), con-restart.c (restart).
 */
#ifndef KTCON_TUI_CON_CMD_H
#define KTCON_TUI_CON_CMD_H

#include "tui/console.h"

struct con_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	void (*exec)(struct ktconsole *c, int argc, char **argv, const char *rest);
};

/* The table, ending with name NULL. */
extern const struct con_cmd con_cmds[];
const struct con_cmd *con_cmd_find(const char *name);

#define CON_CMD(name) void con_cmd_##name(struct ktconsole *c, int argc, char **argv, const char *rest)
CON_CMD(help);
CON_CMD(keys);
CON_CMD(focus);
CON_CMD(zoom);
CON_CMD(scroll);
CON_CMD(redraw);
CON_CMD(snapshots);
CON_CMD(show);
CON_CMD(browse);
CON_CMD(diff);
CON_CMD(save);
CON_CMD(record);
CON_CMD(replay);
CON_CMD(next);
CON_CMD(continue);
CON_CMD(sh);
CON_CMD(cancel);
CON_CMD(sh_timeout);
CON_CMD(unwatch);
CON_CMD(compare);
CON_CMD(quit);
CON_CMD(restart);
CON_CMD(tab);
CON_CMD(filter);
CON_CMD(search);
CON_CMD(select);
CON_CMD(workers);
CON_CMD(live);

#endif
