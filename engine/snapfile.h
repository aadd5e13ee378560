/*
 * snapfile.h - a saved capture read back: the snapshot in a file, for
 * `ktcon diff` and anything else that compares captures after the run.
 *
 * A capture leaves ktcon as JSON in two forms, and both are read:
 *   - a snapshot saved on its own (the console's `save snapshot TAG FILE`):
 *     the file's top level is the snapshot;
 *   - results (`ktcon run --json FILE`): each capture-snapshot's statement
 *     carries its snapshot under "captured", each watch its last capture,
 *     a scheduler exit its failure dump.
 * A snapshot is an object with an integer "snapshot" (its id), a string
 * "tag" and a "vcpus" array, wherever it sits in the document.
 *
 * An argument names one: FILE when the file holds exactly one snapshot,
 * FILE:TAG to pick the last one captured under TAG (a tag taken again
 * replaces what it names, as in the scenario).
 */
#ifndef KTCON_ENGINE_SNAPFILE_H
#define KTCON_ENGINE_SNAPFILE_H

#include "lib/err.h"

struct json_object;

/* The largest file read (a snapshot is well under it). */
#define KT_SNAPFILE_MAX_BYTES (64u << 20)

/* The snapshot arg names, a json-c tree of the caller's (json_object_put).
 * The error names the file: not there, not JSON (the byte), no snapshot
 * in it, no snapshot tagged TAG, or several (they are listed, with the
 * FILE:TAG form as the hint). */
struct kterr *kt_snapfile_load(const char *arg, struct json_object **out);

#endif
