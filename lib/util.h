/*
 * util.h - small libc helpers shared by every layer: whole-file I/O,
 * directory trees, hashing and time. Each fallible helper returns a kterr
 * naming the path.
 */
#ifndef KTCON_UTIL_H
#define KTCON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Read a whole file (at most max bytes; more is an error naming the cap).
 * *out is NUL-terminated and malloc'd. */
struct kterr *kt_read_file(const char *path, size_t max, char **out, size_t *len);

/* Write len bytes to path (created 0644, truncated). */
struct kterr *kt_write_file(const char *path, const void *data, size_t len);

/* Write to path via path.tmp + fsync + rename, so readers see old or new. */
struct kterr *kt_write_file_atomic(const char *path, const void *data, size_t len);

/* mkdir -p. */
struct kterr *kt_mkdir_p(const char *path, mode_t mode);

/* rm -rf; a missing path is not an error. Does not follow symlinks. */
struct kterr *kt_rm_rf(const char *path);

bool kt_exists(const char *path);
bool kt_is_dir(const char *path);

/* malloc'd "a/b"; aborts on OOM never: returns NULL (callers check). */
char *kt_path_join(const char *a, const char *b);

/* printf into a malloc'd string, NULL on OOM. */
char *kt_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 64-bit FNV-1a, chainable: pass the previous result as h (start with
 * KT_FNV_INIT). Used for cache keys, not for security. */
#define KT_FNV_INIT 0xcbf29ce484222325ULL
uint64_t kt_fnv1a64(uint64_t h, const void *data, size_t len);

/* Monotonic clock in nanoseconds. */
uint64_t kt_now_ns(void);

/* "1m02s", "850ms", "3.2s": human durations for progress and summaries. */
const char *kt_fmt_duration(uint64_t ns, char *buf, size_t size);

/* $TMPDIR when it is set and absolute, else /tmp. */
const char *kt_tmpdir(void);

/* Strip leading and trailing whitespace in place; returns s advanced. */
char *kt_strtrim(char *s);

/* The value of the hex digit c (0-9, a-f, A-F), -1 when it is not one. */
int kt_hexval(int c);

/* A number as recipes write it: decimal or 0x hex ("010" is ten), optional
 * '-' for the signed one. */
bool kt_parse_i64(const char *s, int64_t *out);
bool kt_parse_u64(const char *s, uint64_t *out);
/* A number the recipe parser already checked, read the way it read it
 * (strtoul(s, NULL, 0) would take the "010" it checked as ten for eight);
 * 0 when s is NULL or not a number. */
uint64_t kt_checked_u64(const char *s);

#endif
