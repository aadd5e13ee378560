/*
 * kconfig.h - the guest kernel's config fragment: parse it, turn it into a
 * KCONFIG_ALLCONFIG file for `make allnoconfig`, and check that what we
 * asked for survived Kconfig's dependency resolution.
 *
 * Fragment syntax: `CONFIG_FOO=value` lines, `#` comments (also trailing),
 * blank lines. A trailing `# required` marks an option whose loss is fatal:
 * ktcon cannot work without it, so the build stops and names it.
 */
#ifndef KTCON_VMM_KCONFIG_H
#define KTCON_VMM_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

struct kconfig_opt {
	char *name;		/* "CONFIG_FOO" */
	char *value;		/* "y", "n", "64", "\"-ktcon\"" */
	bool required;
	int line;		/* in the fragment, for error messages */
	char *origin;		/* the file it came from (differs after a merge) */
};

struct kconfig_frag {
	char *origin;		/* file name the fragment came from */
	struct kconfig_opt *opts;
	size_t n;
};

/* Parse fragment text. A malformed line is an error naming origin:line. A
 * later assignment of the same option replaces an earlier one. */
struct kterr *kconfig_frag_parse(const char *text, const char *origin,
				 struct kconfig_frag *out);

/* The fragment as Kconfig reads it: comments stripped, `=n` written as
 * "# CONFIG_FOO is not set". malloc'd. */
char *kconfig_frag_render(const struct kconfig_frag *f);

/* Value of NAME in a .config text: "y", "m", a string or number, or "n"
 * when it is absent or "is not set". malloc'd. */
char *kconfig_value(const char *dotconfig, const char *name);

/* Check every required option of f against a resolved .config. The error
 * names each dropped option, what was asked, what Kconfig chose, and where
 * in the fragment it was asked for. Non-required drops are appended to
 * *warnings (malloc'd, NULL when none). */
struct kterr *kconfig_check(const struct kconfig_frag *f, const char *dotconfig,
			    char **warnings);

/* Apply add on top of into: its options replace same-named ones and the
 * rest are appended, each keeping its own origin:line. */
struct kterr *kconfig_frag_merge(struct kconfig_frag *into, const struct kconfig_frag *add);

void kconfig_frag_free(struct kconfig_frag *f);

#endif
