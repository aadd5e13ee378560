/*
 * elfdeps.h - the shared libraries an ELF executable needs, found the way
 * the dynamic loader would find them.
 *
 * A staged payload is a host binary; to run in the guest it needs its
 * loader (PT_INTERP) and the transitive closure of its DT_NEEDED entries.
 * Each object is searched for with its own DT_RPATH (when it has no
 * DT_RUNPATH) and DT_RUNPATH, $ORIGIN expanded, then the directories of
 * /etc/ld.so.conf (includes followed) and the loader's system directories.
 * Candidates of the wrong ELF class or machine are skipped, as ld.so does
 * (a 32-bit libc in /usr/lib32 is not an answer for a 64-bit binary).
 *
 * A statically linked binary has no interpreter and no libraries.
 */
#ifndef KTCON_VMM_ELFDEPS_H
#define KTCON_VMM_ELFDEPS_H

#include <stddef.h>

#include "lib/err.h"

struct elfdep {
	char *name;		/* as DT_NEEDED says it: "libc.so.6" */
	char *host_path;	/* where it was found: "/lib/x86_64-linux-gnu/libc.so.6" */
};

struct elfdeps {
	char *interp;		/* PT_INTERP ("/lib64/ld-linux-x86-64.so.2") or NULL */
	struct elfdep *libs;	/* breadth-first, each name once */
	size_t n_libs;
};

/* The search directories tried after an object's own RPATH/RUNPATH; NULL
 * means ld.so.conf's directories, then the system ones. Tests pass their
 * own list. */
struct kterr *elfdeps_resolve(const char *path, const char *const *dirs, struct elfdeps *out);

void elfdeps_free(struct elfdeps *d);

#endif
