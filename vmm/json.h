/*
 * json.h - a small, strict, bounded JSON parser (RFC 8259) for QMP.
 *
 * The input is untrusted bytes from another process, so the parser never
 * reads past len, never recurses deeper than a limit, never allocates more
 * than the input and the node limit allow, and rejects (with the byte offset)
 * everything RFC 8259 does not allow: trailing commas, comments, single
 * quotes, leading zeros, control characters in strings, invalid UTF-8, lone
 * surrogates, duplicate object keys and trailing bytes.
 *
 * A parse gives a document: a tree of nodes owned by one arena, freed at
 * once with json_doc_free(). Nodes are read-only to callers.
 *
 * Integers in [INT64_MIN, UINT64_MAX] stay exact (QMP sizes and addresses
 * are uint64); other numbers are doubles.
 */
#ifndef KTCON_VMM_JSON_H
#define KTCON_VMM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,	/* exact integer; see u64_only */
	JSON_DOUBLE,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json {
	enum json_type type;
	union {
		bool b;
		struct {
			int64_t i;	/* valid unless u64_only */
			uint64_t u;	/* valid when i >= 0 or u64_only */
			bool u64_only;	/* > INT64_MAX */
		} num;
		double d;
		struct {
			const char *s;	/* NUL-terminated; may hold \u0000 */
			size_t len;	/* bytes, without the terminator */
		} str;
		struct {
			const struct json *const *items;
			size_t n;
		} arr;
		struct {
			const struct json_member *members;	/* in input order */
			size_t n;
		} obj;
	};
};

struct json_member {
	const char *key;	/* NUL-terminated */
	size_t key_len;
	const struct json *val;
};

struct json_doc {
	const struct json *root;
	struct json_arena *arena;	/* private */
};

/* What a parse may cost. Zero fields take the defaults below. */
struct json_limits {
	size_t max_bytes;	/* input length */
	unsigned max_depth;	/* nesting of arrays and objects */
	size_t max_nodes;	/* values in the document */
};

#define JSON_DEFAULT_MAX_BYTES (4u << 20)
#define JSON_DEFAULT_MAX_DEPTH 64u
#define JSON_DEFAULT_MAX_NODES (1u << 20)

/* Parse exactly one JSON value from buf[0..len) (whitespace around it is
 * allowed, nothing else). lim may be NULL. On error *out is NULL and the
 * error says "byte N: what was expected" (EINVAL), or names the limit that
 * was hit (E2BIG). */
struct kterr *json_parse(const char *buf, size_t len,
			 const struct json_limits *lim, struct json_doc **out);

void json_doc_free(struct json_doc *doc);

/* "object", "string", ...: for error messages. */
const char *json_type_name(enum json_type t);

/* Lookups. Each returns NULL when v is NULL, of the wrong type, or has no
 * such member or index, so chains like json_get(json_get(r, "a"), "b") are
 * safe. */
const struct json *json_get(const struct json *obj, const char *key);
const struct json *json_at(const struct json *arr, size_t i);

/* The string's bytes, or NULL when v is not a string. */
const char *json_str(const struct json *v);

/* Typed member getters: an error names the key and what was found instead
 * (ENOENT when missing, EINVAL when of another type or out of range). */
struct kterr *json_get_str(const struct json *obj, const char *key, const char **out);
struct kterr *json_get_int(const struct json *obj, const char *key, int64_t *out);
struct kterr *json_get_u64(const struct json *obj, const char *key, uint64_t *out);
struct kterr *json_get_double(const struct json *obj, const char *key, double *out);
struct kterr *json_get_bool(const struct json *obj, const char *key, bool *out);
struct kterr *json_get_object(const struct json *obj, const char *key,
			      const struct json **out);
struct kterr *json_get_array(const struct json *obj, const char *key,
			     const struct json **out);

/* s as a JSON string literal with quotes, malloc'd (NULL on OOM). Bytes
 * < 0x20, '"' and '\\' are escaped; the rest is copied as is, so s must be
 * UTF-8 for the result to be valid JSON. */
char *json_quote(const char *s);

#endif
