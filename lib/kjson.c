/* kjson.c - ktcon's JSON through json-c; see kjson.h. */
#include "lib/kjson.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The length of the well-formed UTF-8 sequence at p (n bytes left), or 0.
 * The ranges are RFC 3629's table: the second byte's range depends on the
 * first, which rules out overlongs, surrogates and code points past
 * U+10FFFF. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	static const struct {
		unsigned char first_lo, first_hi, second_lo, second_hi;
		size_t len;
	} forms[] = {
		{ 0x00, 0x7f, 0, 0, 1 },
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (p[0] < forms[i].first_lo || p[0] > forms[i].first_hi)
			continue;
		size_t len = forms[i].len;

		if (len == 1)
			return 1;
		if (n < len || p[1] < forms[i].second_lo || p[1] > forms[i].second_hi)
			return 0;
		for (size_t k = 2; k < len; k++)
			if (p[k] < 0x80 || p[k] > 0xbf)
				return 0;
		return len;
	}
	return 0;
}

/* The offset of the first byte that starts no well-formed sequence, or n. */
static size_t utf8_bad(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, k;

	for (i = 0; i < n; i += k)
		if (!(k = utf8_seq(p + i, n - i)))
			break;
	return i;
}

static bool utf8_valid(const char *s, size_t n)
{
	return utf8_bad(s, n) == n;
}

char *kjson_utf8(const char *s, size_t n, size_t *out_len)
{
	static const char repl[] = "\xef\xbf\xbd";	/* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(n * 3 + 1), *o = out;	/* each byte may become 3 */

	if (!out)
		return NULL;
	for (size_t i = 0, k; i < n; i += k) {
		k = utf8_seq(p + i, n - i);
		if (k) {
			memcpy(o, p + i, k);
			o += k;
		} else {
			memcpy(o, repl, 3);
			o += 3;
			k = 1;
		}
	}
	*o = '\0';
	if (out_len)
		*out_len = (size_t)(o - out);
	return out;
}

struct json_object *kjson_stringn(const char *s, size_t n)
{
	struct json_object *v;
	char *fixed;
	size_t len;

	if (utf8_valid(s, n))
		return json_object_new_string_len(s, (int)n);
	fixed = kjson_utf8(s, n, &len);
	v = fixed ? json_object_new_string_len(fixed, (int)len) : NULL;
	free(fixed);
	return v;
}

struct json_object *kjson_string(const char *s)
{
	return kjson_stringn(s, strlen(s));
}

const char *kjson_text(struct json_object *v)
{
	/* No "\/": a path or a cgroup stays readable. */
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE);
}

const char *kjson_text_pretty(struct json_object *v)
{
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_SPACED |
						 JSON_C_TO_STRING_NOSLASHESCAPE);
}

void kjson_add(struct json_object *obj, const char *key, struct json_object *v)
{
	if (!obj || json_object_object_add(obj, key, v))
		json_object_put(v);
}

void kjson_push(struct json_object *arr, struct json_object *v)
{
	if (!arr || json_object_array_add(arr, v))
		json_object_put(v);
}

struct json_object *kjson_u64(uint64_t v)
{
	/* json-c writes and compares an int64 the same; uint64 only when it
	 * must be, so a number reads back as the same type it was built. */
	return v <= INT64_MAX ? json_object_new_int64((int64_t)v) : json_object_new_uint64(v);
}

struct json_object *kjson_i64(int64_t v)
{
	return json_object_new_int64(v);
}

struct json_object *kjson_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

struct json_object *kjson_fixed(double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	/* The value is the text's too: a reader of the number (the browser)
	 * sees what a reader of the text does. */
	return json_object_new_double_s(strtod(buf, NULL), buf);
}

void kt_json_stringn(FILE *f, const char *s, size_t n)
{
	struct json_object *v = kjson_stringn(s, n);
	const char *text = v ? kjson_text(v) : NULL;

	/* Out of memory: an empty string keeps the document valid. */
	fputs(text ? text : "\"\"", f);
	json_object_put(v);
}

void kt_json_string(FILE *f, const char *s)
{
	kt_json_stringn(f, s, strlen(s));
}

struct kterr *kjson_parse(const char *buf, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	enum json_tokener_error err;
	size_t end;

	*out = NULL;
	if (len > INT32_MAX)
		return kterr_new(E2BIG, "json: %zu bytes is more than json-c reads", len);
	/* A JSON text is UTF-8 (RFC 8259 8.1). json-c's own check lets
	 * overlongs, surrogates and code points past U+10FFFF through. */
	end = utf8_bad(buf, len);
	if (end < len)
		return kterr_new(EINVAL, "json: byte %zu: invalid UTF-8 (0x%02x)", end,
				 (unsigned char)buf[end]);
	tok = json_tokener_new_ex(KJSON_MAX_DEPTH);
	if (!tok)
		return kterr_new(ENOMEM, "json: out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	*out = json_tokener_parse_ex(tok, buf, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (err == json_tokener_continue) {
		/* The end of the input ends a value still open (a number, or
		 * nothing at all). */
		*out = json_tokener_parse_ex(tok, "", 1);
		err = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	/* json-c stops at a NUL byte: what follows is not JSON either. */
	if (err == json_tokener_success && end < len) {
		json_object_put(*out);
		*out = NULL;
		return kterr_new(EINVAL, "json: byte %zu: unexpected bytes after the value", end);
	}
	if (err == json_tokener_success)
		return NULL;
	return kterr_new(EINVAL, "json: byte %zu: %s", end, json_tokener_error_desc(err));
}

static const char *type_name(enum json_type t)
{
	static const char *const names[] = {
		[json_type_null] = "null", [json_type_boolean] = "boolean",
		[json_type_double] = "number", [json_type_int] = "integer",
		[json_type_object] = "object", [json_type_array] = "array",
		[json_type_string] = "string",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

const char *kjson_type_name(const struct json_object *v)
{
	return type_name(json_object_get_type(v));	/* json-c's null is NULL */
}

struct kterr *kjson_member(const struct json_object *obj, const char *key,
			   enum json_type want, struct json_object **out)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_is_type(obj, json_type_object))
		return kterr_new(EINVAL, "json: looking up \"%s\" in %s, not an object",
				 key, kjson_type_name(obj));
	if (!json_object_object_get_ex(obj, key, &v))
		return kterr_new(ENOENT, "json: no member \"%s\"", key);
	if (!json_object_is_type(v, want))
		return kterr_new(EINVAL, "json: member \"%s\" is %s, expected %s", key,
				 kjson_type_name(v), type_name(want));
	*out = v;
	return NULL;
}

struct kterr *kjson_member_str(const struct json_object *obj, const char *key,
			       const char **out)
{
	struct json_object *v;
	struct kterr *e = kjson_member(obj, key, json_type_string, &v);

	*out = e ? NULL : json_object_get_string(v);
	return e;
}

struct kterr *kjson_member_int(const struct json_object *obj, const char *key,
			       int64_t *out)
{
	struct json_object *v;
	struct kterr *e = kjson_member(obj, key, json_type_int, &v);

	*out = e ? 0 : json_object_get_int64(v);
	return e;
}

struct kterr *kjson_member_bool(const struct json_object *obj, const char *key,
				bool *out)
{
	struct json_object *v;
	struct kterr *e = kjson_member(obj, key, json_type_boolean, &v);

	*out = e ? false : json_object_get_boolean(v);
	return e;
}

struct json_object *kjson_get(const struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}
