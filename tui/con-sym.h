/*
 * con-sym.h - the guest kernel's symbols in the console: a RIP in a line
 * (a watch fire's "at rip 0x...", a snapshot's "rip": "0x...") is shown
 * with the function it is in, as the kernel prints one in an oops
 * ("rip 0xffffffff812ec2dc (schedule+0x1d/0x34)"), and Tab offers the
 * vmlinux's symbol names for an op's kernel target.
 *
 * The table is the vmlinux beside the bzImage booted (ksym.h), read on
 * the host once the guest is up; nothing here talks to the guest. Until
 * it is loaded (or when the kernel has no vmlinux) lines pass unchanged
 * and Tab offers no symbols. Once loaded the table is read-only: any
 * thread may rewrite lines (the log's rewrite hook, con-log.h).
 */
#ifndef KTCON_TUI_CON_SYM_H
#define KTCON_TUI_CON_SYM_H

#include <stddef.h>

#include "lib/err.h"
#include "vmm/intro/ksym.h"

/* Tab offers at most this many symbols; a longer list is cut, keeping
 * the first and the last name so the common prefix readline inserts is
 * still the whole list's. */
#define CON_SYM_COMPLETE_MAX 48

struct con_syms;

struct con_syms *con_syms_new(void);
void con_syms_free(struct con_syms *s);

/* Load the vmlinux beside kernel (the bzImage booted). The error names
 * the file; lines stay unsymbolized then. Once only: later calls do
 * nothing. */
struct kterr *con_syms_load(struct con_syms *s, const char *kernel);
/* The table, or NULL before it is loaded. */
const struct ksyms *con_syms_table(const struct con_syms *s);

/* text with each RIP (the word "rip" or "RIP", then optional quote,
 * colon, equals sign and spaces, then 0xHEX) followed by " (symbol+0xoff/0xlen)"
 * when the address is in the kernel image: malloc'd, or NULL when nothing
 * changed (no table, no RIP, not in the image). */
char *con_sym_rewrite(const struct ksyms *ks, const char *text);
/* The same for a snapshot's tree: each string member "rip" holding 0xHEX
 * in the kernel image becomes "0xHEX (symbol+0xoff/0xlen)", in place. */
struct json_object;
void con_sym_tree(const struct ksyms *ks, struct json_object *v);
/* The same as a con_log_rewrite_fn; ctx is the con_syms. */
char *con_syms_rewrite(void *ctx, const char *text);

/* Symbol names starting with prefix into out (malloc'd), at most max and
 * at most CON_SYM_COMPLETE_MAX; the count. */
size_t con_syms_complete(const struct con_syms *s, const char *prefix, char **out, size_t max);

#endif
