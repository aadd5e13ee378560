/*
 * kjson.h - ktcon's JSON, through json-c (libjson-c-dev).
 *
 * Every JSON text ktcon writes (results, captures, snapshots, QMP commands)
 * has its strings encoded here, and every JSON text it reads (QMP replies,
 * a snapshot or file opened in the browser) is parsed here, so there is one
 * writer and one reader and both are the library's.
 *
 * The writer guarantees valid UTF-8. Its strings often come from guest
 * memory (a task's comm, a map's name), which may hold any bytes, and json-c
 * copies a string's bytes as they are; so each byte that does not start a
 * well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF, no truncated sequence) is replaced by U+FFFD, the
 * replacement character, and the rest is kept. U+FFFD rather than
 * "\u00XX" per byte: \u00XX would claim the byte was a Latin-1 character,
 * and a reader could not tell it from one.
 *
 * This is the one place engine/ uses a library other than libc: results
 * and captured values are JSON and the engine writes them.
 */
#ifndef KTCON_LIB_KJSON_H
#define KTCON_LIB_KJSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"

/* Nesting a parse accepts (arrays and objects). */
#define KJSON_MAX_DEPTH 64

/* s[0..n) as valid UTF-8 (see above), malloc'd and NUL-terminated, its
 * length in *out_len (may be NULL). NULL on OOM. */
char *kjson_utf8(const char *s, size_t n, size_t *out_len);

/* A json-c string of any bytes s[0..n) (made valid UTF-8 first); NULL on
 * OOM. */
struct json_object *kjson_stringn(const char *s, size_t n);
struct json_object *kjson_string(const char *s);

/* Building a tree (a snapshot is one, kept until it leaves the process).
 * Each takes ownership of v; a NULL v is JSON null (json-c's), so an out
 * of memory deep inside shows as a null, never as a crash. A NULL obj or
 * arr drops v. */
void kjson_add(struct json_object *obj, const char *key, struct json_object *v);
void kjson_push(struct json_object *arr, struct json_object *v);
/* Numbers as json-c keeps them exactly: u64 past INT64_MAX included. */
struct json_object *kjson_u64(uint64_t v);
struct json_object *kjson_i64(int64_t v);
/* "0x1f": addresses and registers, as strings (a reader sees hex). */
struct json_object *kjson_hex(uint64_t v);
/* A number with a fixed text ("12.3"), so it is written as shown rather
 * than as the nearest double's 17 digits. */
struct json_object *kjson_fixed(double v, int decimals);

/* v as compact JSON text (owned by v, valid until v changes or is freed). */
const char *kjson_text(struct json_object *v);

/* v as indented JSON text, for a file a person may read. */
const char *kjson_text_pretty(struct json_object *v);

/* The JSON string literal of s (quotes included) to f. */
void kt_json_string(FILE *f, const char *s);
void kt_json_stringn(FILE *f, const char *s, size_t n);

/* Parse exactly one JSON value from buf[0..len) (whitespace around it is
 * allowed, nothing else; nesting at most KJSON_MAX_DEPTH). The whole input
 * must be well-formed UTF-8 (checked here: json-c's check is weaker). On
 * error *out is NULL and the error says "json: byte N: what was wrong"
 * (EINVAL). Integers keep int64 and uint64 exact.
 *
 * json-c in strict mode is RFC 8259 except for a few leniencies we accept
 * (QEMU never sends them, and a file opened in the browser is only read):
 * a duplicate key keeps its last value, single-quoted keys, "1.", raw tabs
 * in strings, NaN and Infinity, and a lone surrogate escape becomes U+FFFD. */
struct kterr *kjson_parse(const char *buf, size_t len, struct json_object **out);

/* "object", "string", "integer", "number", "boolean", "null", "array".
 * json-c's null is a NULL pointer, so a missing value is "null" too. */
const char *kjson_type_name(const struct json_object *v);

/* obj's member key, or NULL: obj is not an object or has no such key
 * (json-c's null is NULL too). Owned by obj. */
struct json_object *kjson_get(const struct json_object *obj, const char *key);

/* obj's member key, which must be of type want: ENOENT names a missing
 * key, EINVAL one of another type or an obj that is not an object. The
 * result is owned by obj. */
struct kterr *kjson_member(const struct json_object *obj, const char *key,
			   enum json_type want, struct json_object **out);
/* ... its string (owned by obj), its integer, its boolean. */
struct kterr *kjson_member_str(const struct json_object *obj, const char *key,
			       const char **out);
struct kterr *kjson_member_int(const struct json_object *obj, const char *key,
			       int64_t *out);
struct kterr *kjson_member_bool(const struct json_object *obj, const char *key,
				bool *out);

#endif
