/*
 * form.h - the tables every statement is read from.
 *
 * A form is one kind of statement: an op, a header directive, a section
 * (`backdrop`, `step`), the `cgroup` setup line, or an expectation. Each
 * form lists its arguments as a schema; the parser, the printer, help text,
 * completion and the executor's dispatch all read the form, so adding an op
 * is one new entry (like tmux's cmd_entry) and nothing switches over names.
 */
#ifndef KTCON_FORM_H
#define KTCON_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "engine/recipe.h"

struct kt_exec;

/* Where an op runs: in the guest agent, or on the host against guest
 * memory and vCPUs. */
enum kt_side {
	KT_SIDE_NONE,		/* not an op */
	KT_SIDE_GUEST,
	KT_SIDE_HOST,
};

/* Argument types. Each has a metavar for usage text and a syntax check
 * (argtype.c); semantic rules that ops own live in their validators. */
enum kt_argtype {
	KT_T_NONE,		/* ends an argument list */
	KT_T_NAME,		/* cgroup name: a/b, no spaces, no .. */
	KT_T_CGROUP_OR_RUNNER,	/* a cgroup name or @runner */
	KT_T_TAG,		/* capture tag */
	KT_T_STRING,		/* anything */
	KT_T_UINT,
	KT_T_CPU,
	KT_T_CPUSET,		/* cpuset SPEC, see cpuset.h */
	KT_T_WORK,
	KT_T_POLICY,
	KT_T_AFFINITY,
	KT_T_TARGET,		/* kernel target: SYMBOL[@CPU][+OFFSET] | 0xADDR */
	KT_T_WIDTH,		/* u8 u16 u32 u64 bytes:N */
	KT_T_SYMBOL,
	KT_T_DURATION,
	KT_T_HOLD,
	KT_T_PATH,
	KT_T_KERNEL,		/* default | PATH */
	KT_T_TOPOLOGY,
	KT_T_CMPOP,		/* == != < <= > >= */
	KT_T_BOOL01,
	KT_T_SCHED_STATE,
	KT_T_WORKER_CHECK,	/* progress | isolation | fairness<=RATIO */
	KT_T_VAR,		/* the literal word `var` */
	KT_T_VALUE,		/* integer, or 0x... hex bytes */
	KT_T_INT,		/* signed integer */
	KT_T_CPUMAX,		/* max | QUOTA[/PERIOD] (microseconds) */
	KT_T_MEMMAX,		/* max | BYTES[K|M|G] */
	KT_T_MAXUINT,		/* max | N */
	KT_T_FLAG,		/* a bare word that is present or not */
	KT_T__COUNT,
};

struct kt_argtype_def {
	const char *metavar;	/* NAME, SPEC, N, ... */
	/* NULL when the word is fine; the error has a hint saying what to
	 * write. */
	struct kterr *(*check)(const char *val);
	/* For completion: the words this type accepts, NULL-terminated, or
	 * NULL when open-ended. */
	const char *const *choices;
};

extern const struct kt_argtype_def kt_argtypes[KT_T__COUNT];

enum {
	KT_ARG_KEY = 1 << 0,	/* written key=value */
	KT_ARG_OPT = 1 << 1,	/* may be left out */
};

struct kt_range;

struct kt_argspec {
	const char *name;	/* metavar override for positionals; the key for KEY args */
	enum kt_argtype type;
	unsigned flags;
	/* For the number types (N, max|N, CPU): the range the value must
	 * fall in (limits.h), checked with the type; NULL: the type's own. */
	const struct kt_range *range;
};

enum {
	/* The arguments are not positionals-then-keys but repeated
	 * TARGET WIDTH=VALUE pairs; the validator checks them. */
	KT_FORM_PAIRS = 1 << 0,
	/* At least one KEY argument must be present. */
	KT_FORM_NEED_KEY = 1 << 1,
	/* Adjacent statements of this form run as one batch: one exec call
	 * that reads them all through kt_exec_batch() (write-kernel-cold: one
	 * freeze window for all the writes). */
	KT_FORM_MERGE_ADJACENT = 1 << 2,
	/* Not run by itself: it judges the failure of the op on the line
	 * before (`expect error`). The parser requires an op before it; the
	 * executor hands it that op's error. */
	KT_FORM_CATCHES_ERROR = 1 << 3,
	/* The op is one guest request, without results, on the cgroup its
	 * first positional names (freeze-cgroup, unfreeze-cgroup,
	 * clear-cpuset): the executor sends it itself, and exec, when set,
	 * runs only once the guest has done it, for what the scenario tracks.
	 * The request goes from the executor to the link, not through the
	 * op's file and back. */
	KT_FORM_GUEST_CGROUP_OP = 1 << 4,
	/* The first positional names a scheduler: help lists the ones the
	 * kernel built, completion offers them. */
	KT_FORM_SCHEDULER = 1 << 7,
};

#define KT_FORM_MAX_ARGS 16

struct kt_form {
	const char *name;
	enum kt_stmt_kind kind;
	int op;			/* enum kt_op_kind, -1 when not an op */
	enum kt_side side;
	const char *usage;	/* NULL: generated from args */
	const char *help;	/* one paragraph for `help OP` */
	unsigned flags;
	struct kt_argspec args[KT_FORM_MAX_ARGS];	/* ends at type KT_T_NONE */
	/*
	 * Rules that need no live state (self-move, workers-pct for the
	 * runner, empty tags, unknown payload names). `ktcon check` runs them
	 * so a file is linted without a guest; the executor runs them again
	 * right before exec so the error is an op failure that `expect error`
	 * can catch. r is the recipe (its header names payloads and
	 * schedulers); NULL at the console before a header exists.
	 */
	struct kterr *(*validate)(const struct kt_stmt *st, const struct kt_recipe *r);
	/* Apply against the scenario (executor.h); NULL for forms the
	 * executor handles itself (sections, directives). With
	 * KT_FORM_GUEST_CGROUP_OP: what follows the guest's ok. */
	struct kterr *(*exec)(struct kt_exec *x, const struct kt_stmt *st);
	/*
	 * Optional: apply a run of n adjacent statements of this form at once
	 * (a thousand `cgroup` lines in a few guest round trips instead of a
	 * thousand). Returns how many of st[0..n) it applied, in order, each
	 * left as exec would have left it (validated, tracked). *err is then
	 * st[applied]'s own error when that one failed, or NULL when it was
	 * not tried: the executor applies it alone through exec (and so gets
	 * exec's exact error for a rule the run does not check up front).
	 */
	size_t (*exec_run)(struct kt_exec *x, const struct kt_stmt *const *st, size_t n,
			   struct kterr **err);
};

/* The tables. */
extern const struct kt_form *const kt_directive_forms[];	/* NULL-terminated */
extern const struct kt_form *const kt_section_forms[];
extern const struct kt_form *const kt_expect_forms[];
extern const struct kt_form kt_cgroup_form;

/* f has all of the KT_FORM_* flags in mask; false for NULL (a statement
 * without a form). */
static inline bool kt_form_is(const struct kt_form *f, unsigned mask)
{
	return f && (f->flags & mask) == mask;
}

/* A form by name within a NULL-terminated table, or NULL. */
const struct kt_form *kt_form_find(const struct kt_form *const *table, const char *name);

/* The closest name in a table within a small edit distance, or NULL: for
 * "did you mean". */
const char *kt_form_suggest(const struct kt_form *const *table, const char *name);

/* Usage as text ("add-cgroup-def NAME [cpuset=SPEC] ..."); returns buf. */
const char *kt_form_usage(const struct kt_form *f, char *buf, size_t size);

/* The argspec for a key, or NULL. */
const struct kt_argspec *kt_form_key(const struct kt_form *f, const char *key);

/*
 * Check a statement's words against its form's schema: positionals in
 * order, then keys; required ones present; every value well-typed. Each
 * problem is reported through diag with the argument it is about (NULL:
 * the statement as a whole). Returns the number of problems.
 */
typedef void (*kt_schema_diag_fn)(void *ctx, const struct kt_stmt *st, const struct kt_arg *a,
				  const char *hint, const char *msg);
int kt_form_check_args(const struct kt_form *f, const struct kt_stmt *st,
		       kt_schema_diag_fn diag, void *ctx);

/* Completion of a console line: the candidates for the word being typed
 * (the text after the last blank). Form names for the first word, expect
 * kinds after `expect`, then the next positional's choices and the keys not
 * yet used (is_key: the caller appends '='). Returns how many were
 * written (at most max), all starting with what was typed. */
struct kt_completion {
	const char *word;
	bool is_key;
};
size_t kt_complete(const char *line, struct kt_completion *out, size_t max);

/* The type of the argument being typed at the end of a console line (the
 * next positional, or the value of the key being typed), KT_T_NONE when
 * the word is a form name, a key, or past the form's arguments: for
 * completing live values (cgroup names, tags, symbols). */
enum kt_argtype kt_complete_argtype(const char *line);

/* Levenshtein distance, capped: used for suggestions. */
unsigned kt_edit_distance(const char *a, const char *b);

#endif
