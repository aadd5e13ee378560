/* con-prompt.c - readline's callback interface under curses; see
 * con-prompt.h. */
#include "tui/con-prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "lib/util.h"
#include "tui/con-keys.h"

#define HISTORY_MAX 1000
#define MATCHES_MAX 256

static struct con_prompt_ops ops;
static char *history_file;
static FILE *devnull;
/* The bytes fed and not yet read by readline. */
static const char *in_buf;
static size_t in_len, in_off;

static int getc_hook(FILE *f)
{
	if (in_off < in_len)
		return (unsigned char)in_buf[in_off++];
	/* Readline asked for more than was typed: nothing (it handles the
	 * rest of a key sequence when the next bytes come). */
	return 0;
}

static int input_available(void)
{
	return in_off < in_len;
}

static void redisplay(void)
{
	if (ops.draw)
		ops.draw(ops.ctx, rl_display_prompt ? rl_display_prompt : "", rl_line_buffer,
			 (size_t)rl_point);
}

static void prep_term(int meta)
{
}

static void deprep_term(void)
{
}

static void on_line(char *line)
{
	if (line && *line && (!ops.remember || ops.remember(ops.ctx, line))) {
		add_history(line);
		if (history_file)
			append_history(1, history_file);
	}
	if (ops.line)
		ops.line(ops.ctx, line);
	free(line);
}

/* ---- keys ---- */

/* What readline had on each key before the table took it. */
static rl_command_func_t *defaults[64];

static int key_dispatch(int count, int key)
{
	const struct con_key *first = con_key_find(rl_executing_keyseq,
						   (size_t)rl_key_sequence_length), *k;
	rl_command_func_t *def;

	if (!first)
		return 0;
	for (k = first; k; k = con_key_next(k))
		if ((!(k->flags & CON_KEY_EMPTY_LINE) || rl_end == 0) && ops.key &&
		    ops.key(ops.ctx, k))
			return 0;
	k = first;
	def = (size_t)(k - con_keys) < sizeof(defaults) / sizeof(defaults[0]) ? defaults[k - con_keys]
										: NULL;
	if (def && def != key_dispatch)
		return def(count, key);
	return k->seq[1] ? 0 : rl_insert(count, key);
}

/* ---- completion ---- */

static char **cands;
static size_t ncands, next_cand;

static void clear_cands(void)
{
	for (size_t i = 0; i < ncands; i++)
		free(cands[i]);
	ncands = next_cand = 0;
}

static void add_cand(char *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < ncands; i++)
		if (!strcmp(cands[i], s)) {
			free(s);
			return;
		}
	if (ncands < MATCHES_MAX)
		cands[ncands++] = s;
	else
		free(s);
}

static char *generator(const char *text, int state)
{
	return next_cand < ncands ? strdup(cands[next_cand++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	char *upto = strndup(rl_line_buffer, (size_t)end);
	struct kt_completion c[MATCHES_MAX];
	size_t n;
	enum kt_argtype t;

	rl_attempted_completion_over = 1;
	if (!upto)
		return NULL;
	clear_cands();
	n = kt_complete(upto, c, MATCHES_MAX);
	for (size_t i = 0; i < n; i++)
		add_cand(c[i].is_key ? kt_strfmt("%s=", c[i].word) : strdup(c[i].word));
	t = kt_complete_argtype(upto);
	if (ops.live) {
		char *live[MATCHES_MAX];
		size_t nl = ops.live(ops.ctx, upto, t, text, live, MATCHES_MAX);

		if (nl == CON_PROMPT_FILES) {
			free(upto);
			rl_attempted_completion_over = 0;	/* readline's file names */
			return NULL;
		}
		for (size_t i = 0; i < nl; i++)
			add_cand(live[i]);
	}
	free(upto);
	/* A key=: no space after it, the value comes next. */
	rl_completion_suppress_append = ncands == 1 && cands[0][strlen(cands[0]) - 1] == '=';
	next_cand = 0;
	return ncands ? rl_completion_matches(text, generator) : NULL;
}

static void show_matches(char **matches, int num, int max_len)
{
	if (ops.matches)
		ops.matches(ops.ctx, rl_line_buffer, matches + 1, (size_t)num);
	redisplay();
}

/* ---- setup ---- */

char *con_prompt_history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (state && *state == '/')
		return kt_strfmt("%s/ktcon/history", state);
	if (home && *home)
		return kt_strfmt("%s/.local/state/ktcon/history", home);
	return NULL;
}

void con_prompt_init(const struct con_prompt_ops *o, const char *prompt, const char *history)
{
	ops = *o;
	cands = calloc(MATCHES_MAX, sizeof(*cands));
	devnull = fopen("/dev/null", "w");
	rl_readline_name = "ktcon";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = prep_term;
	rl_deprep_term_function = deprep_term;
	rl_getc_function = getc_hook;
	rl_input_available_hook = input_available;
	rl_redisplay_function = redisplay;
	rl_outstream = devnull ? devnull : stderr;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_completer_word_break_characters = " \t=";
	rl_inhibit_completion = 0;
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("show-all-if-ambiguous", "on");
	using_history();
	stifle_history(HISTORY_MAX);
	if (history) {
		char *dir = strdup(history), *slash = dir ? strrchr(dir, '/') : NULL;
		struct kterr *e = NULL;

		if (slash) {
			*slash = '\0';
			e = kt_mkdir_p(dir, 0700);
		}
		free(dir);
		if (!e) {
			history_file = strdup(history);
			if (read_history(history) != 0)
				write_history(history);	/* create it for append_history */
			history_truncate_file(history, HISTORY_MAX);
		}
		kterr_free(e);
	}
	/* Readline's own bindings (arrows: history) first, so the keys the
	 * table takes fall back to them. */
	rl_initialize();
	for (const struct con_key *k = con_keys; k->seq; k++) {
		size_t i = (size_t)(k - con_keys);
		int type = 0;
		rl_command_func_t *f = rl_function_of_keyseq(k->seq, NULL, &type);

		if (k->flags & CON_KEY_ALONE)
			continue;	/* con_prompt_feed's */
		if (i < sizeof(defaults) / sizeof(defaults[0]) && type == ISFUNC)
			defaults[i] = f;
		rl_bind_keyseq(k->seq, key_dispatch);
	}
	rl_callback_handler_install(prompt, on_line);
}

/* A read that is one key of the table's CON_KEY_ALONE entries, taken:
 * readline never sees it. */
static bool alone(const char *buf, size_t n)
{
	for (const struct con_key *k = con_key_find(buf, n); k; k = con_key_next(k))
		if ((k->flags & CON_KEY_ALONE) && (!(k->flags & CON_KEY_EMPTY_LINE) || rl_end == 0) &&
		    ops.key && ops.key(ops.ctx, k))
			return true;
	return false;
}

void con_prompt_feed(const char *buf, size_t n)
{
	if (alone(buf, n))
		return;
	in_buf = buf;
	in_len = n;
	in_off = 0;
	while (in_off < in_len)
		rl_callback_read_char();
	in_buf = NULL;
	in_len = in_off = 0;
}

void con_prompt_clear_line(void)
{
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	redisplay();
}

void con_prompt_redraw(void)
{
	redisplay();
}

void con_prompt_end(void)
{
	rl_callback_handler_remove();
	clear_cands();
	free(cands);
	cands = NULL;
	free(history_file);
	history_file = NULL;
	if (devnull)
		fclose(devnull);
	devnull = NULL;
}
