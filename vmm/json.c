/* json.c - strict bounded JSON parser; see json.h. */
#include "vmm/json.h"
#include "engine/util.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Recursion is bounded by max_depth; this caps what a caller may ask for so
 * the C stack stays small whatever the limits say. */
#define JSON_HARD_MAX_DEPTH 512u
/* The longest number token we accept; a longer one is a DoS, not data. */
#define JSON_MAX_NUMBER_LEN 512u
#define ARENA_CHUNK 8192u
#define ARENA_ALIGN 16u

/* ---- arena: every node and string of one document, freed at once ---- */

struct json_arena {
	struct json_arena *next;
	size_t used, cap;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

static void *arena_alloc(struct json_doc *doc, size_t size)
{
	struct json_arena *a = doc->arena;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (need < size)
		return NULL;
	if (!a || a->cap - a->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		a = malloc(sizeof(*a) + cap);
		if (!a)
			return NULL;
		a->used = 0;
		a->cap = cap;
		a->next = doc->arena;
		doc->arena = a;
	}
	a->used += need;
	return a->data + a->used - need;
}

void json_doc_free(struct json_doc *doc)
{
	struct json_arena *a, *next;

	if (!doc)
		return;
	for (a = doc->arena; a; a = next) {
		next = a->next;
		free(a);
	}
	free(doc);
}

/* ---- parser state ---- */

struct parser {
	const unsigned char *p;
	size_t len, pos;
	unsigned depth, max_depth;
	size_t nodes, max_nodes;
	struct json_doc *doc;
};

static struct kterr *perr(const struct parser *ps, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct kterr *perr(const struct parser *ps, size_t off, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kterr_new(EINVAL, "json: byte %zu: %s", off, what);
}

static struct kterr *oom(void)
{
	return kterr_new(ENOMEM, "json: out of memory");
}

static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len) {
		unsigned char c = ps->p[ps->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
}

static int peek(const struct parser *ps)
{
	return ps->pos < ps->len ? ps->p[ps->pos] : -1;
}

/* What the offending byte was, for messages. */
static const char *describe(const struct parser *ps, char *buf, size_t size)
{
	int c = peek(ps);

	if (c < 0)
		return "end of input";
	if (c >= 0x21 && c < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", c);
	return buf;
}

static struct kterr *new_node(struct parser *ps, enum json_type t, struct json **out)
{
	struct json *v;

	if (++ps->nodes > ps->max_nodes)
		return kterr_new(E2BIG, "json: byte %zu: more than %zu values",
				 ps->pos, ps->max_nodes);
	v = arena_alloc(ps->doc, sizeof(*v));
	if (!v)
		return oom();
	memset(v, 0, sizeof(*v));
	v->type = t;
	*out = v;
	return NULL;
}

static struct kterr *parse_value(struct parser *ps, const struct json **out);

/* ---- literals ---- */

static const struct {
	const char *word;
	enum json_type type;
	bool b;
} literals[] = {
	{ "true", JSON_BOOL, true },
	{ "false", JSON_BOOL, false },
	{ "null", JSON_NULL, false },
};

static struct kterr *parse_literal(struct parser *ps, const struct json **out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(literals); i++) {
		size_t n = strlen(literals[i].word);
		struct json *v;
		struct kterr *e;

		if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, literals[i].word, n))
			continue;
		e = new_node(ps, literals[i].type, &v);
		if (e)
			return e;
		v->b = literals[i].b;
		ps->pos += n;
		*out = v;
		return NULL;
	}
	return perr(ps, ps->pos, "expected a value");
}

/* ---- numbers ---- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static size_t scan_digits(struct parser *ps)
{
	size_t start = ps->pos;

	while (is_digit(peek(ps)))
		ps->pos++;
	return ps->pos - start;
}

static struct kterr *parse_number(struct parser *ps, const struct json **out)
{
	size_t start = ps->pos;
	bool neg = false, integral = true;
	char tok[JSON_MAX_NUMBER_LEN + 1];
	struct json *v;
	struct kterr *e;
	size_t n;

	if (peek(ps) == '-') {
		neg = true;
		ps->pos++;
	}
	if (peek(ps) == '0') {
		ps->pos++;
		if (is_digit(peek(ps)))
			return perr(ps, ps->pos - 1, "leading zero in a number");
	} else if (!scan_digits(ps)) {
		return perr(ps, ps->pos, "expected a digit");
	}
	if (peek(ps) == '.') {
		integral = false;
		ps->pos++;
		if (!scan_digits(ps))
			return perr(ps, ps->pos, "expected a digit after '.'");
	}
	if (peek(ps) == 'e' || peek(ps) == 'E') {
		integral = false;
		ps->pos++;
		if (peek(ps) == '+' || peek(ps) == '-')
			ps->pos++;
		if (!scan_digits(ps))
			return perr(ps, ps->pos, "expected a digit in the exponent");
	}
	n = ps->pos - start;
	if (n > JSON_MAX_NUMBER_LEN)
		return perr(ps, start, "number longer than %u bytes", JSON_MAX_NUMBER_LEN);
	memcpy(tok, ps->p + start, n);
	tok[n] = '\0';

	if (integral) {
		uint64_t mag = 0;
		bool fits = true;
		size_t k;

		for (k = neg; k < n && fits; k++) {
			unsigned d = (unsigned)(tok[k] - '0');

			if (mag > (UINT64_MAX - d) / 10)
				fits = false;
			else
				mag = mag * 10 + d;
		}
		/* -2^63 is the most negative int64; anything past it is a double. */
		if (fits && neg && mag > (uint64_t)INT64_MAX + 1)
			fits = false;
		if (fits) {
			e = new_node(ps, JSON_INT, &v);
			if (e)
				return e;
			if (neg) {
				v->num.i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
			} else if (mag > (uint64_t)INT64_MAX) {
				v->num.u = mag;
				v->num.u64_only = true;
			} else {
				v->num.i = (int64_t)mag;
				v->num.u = mag;
			}
			*out = v;
			return NULL;
		}
	}

	pthread_once(&c_locale_once, c_locale_init);
	if (!c_locale)
		return kterr_new(errno, "json: cannot create the C locale for numbers");
	e = new_node(ps, JSON_DOUBLE, &v);
	if (e)
		return e;
	/* strtod_l with the C locale: the program's locale (the console sets
	 * one for ncurses) must not change what '.' means. */
	v->d = strtod_l(tok, NULL, c_locale);
	if (isinf(v->d))
		return perr(ps, start, "number out of range");
	*out = v;
	return NULL;
}

/* ---- strings ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static struct kterr *read_u4(struct parser *ps, size_t at, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (ps->len - at < 4)
		return perr(ps, at, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		int h = hexval(ps->p[at + i]);

		if (h < 0)
			return perr(ps, at + i, "expected a hex digit in \\u escape");
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return NULL;
}

static size_t put_utf8(unsigned char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (unsigned char)(0xc0 | cp >> 6);
		d[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (unsigned char)(0xe0 | cp >> 12);
		d[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		d[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (unsigned char)(0xf0 | cp >> 18);
	d[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	d[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	d[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static const struct {
	char esc;
	char byte;
} simple_escapes[] = {
	{ '"', '"' }, { '\\', '\\' }, { '/', '/' }, { 'b', '\b' },
	{ 'f', '\f' }, { 'n', '\n' }, { 'r', '\r' }, { 't', '\t' },
};

static struct kterr *decode_escape(struct parser *ps, unsigned char *d, size_t *dn)
{
	size_t at = ps->pos;	/* at the backslash */
	unsigned cp, lo;
	struct kterr *e;
	size_t i;

	if (ps->len - at < 2)
		return perr(ps, at, "unterminated string");
	for (i = 0; i < ARRAY_SIZE(simple_escapes); i++) {
		if (ps->p[at + 1] == simple_escapes[i].esc) {
			d[(*dn)++] = (unsigned char)simple_escapes[i].byte;
			ps->pos += 2;
			return NULL;
		}
	}
	if (ps->p[at + 1] != 'u')
		return perr(ps, at + 1, "invalid escape '\\%c'",
			    ps->p[at + 1] >= 0x20 && ps->p[at + 1] < 0x7f ? ps->p[at + 1] : '?');
	e = read_u4(ps, at + 2, &cp);
	if (e)
		return e;
	ps->pos += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return perr(ps, at, "lone low surrogate \\u%04x", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->len - ps->pos < 2 || ps->p[ps->pos] != '\\' || ps->p[ps->pos + 1] != 'u')
			return perr(ps, at, "high surrogate \\u%04x without a low one", cp);
		e = read_u4(ps, ps->pos + 2, &lo);
		if (e)
			return e;
		if (lo < 0xdc00 || lo > 0xdfff)
			return perr(ps, ps->pos, "expected a low surrogate after \\u%04x", cp);
		ps->pos += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	*dn += put_utf8(d + *dn, cp);
	return NULL;
}

/* Parses the string at ps->pos (at the opening quote) into arena memory. */
static struct kterr *parse_string_raw(struct parser *ps, const char **s, size_t *slen)
{
	size_t open = ps->pos, end, dn = 0;
	unsigned char *d;

	/* Find the closing quote first: the decoded string is never longer
	 * than the raw one, so one allocation of that size suffices. */
	for (end = open + 1; end < ps->len && ps->p[end] != '"'; end++)
		if (ps->p[end] == '\\')
			end++;
	if (end >= ps->len)
		return perr(ps, open, "unterminated string");
	d = arena_alloc(ps->doc, end - open);
	if (!d)
		return oom();

	ps->pos = open + 1;
	while (ps->pos < end) {
		unsigned char c = ps->p[ps->pos];
		size_t n;

		if (c == '\\') {
			struct kterr *e = decode_escape(ps, d, &dn);

			if (e)
				return e;
			continue;
		}
		if (c < 0x20)
			return perr(ps, ps->pos, "control byte 0x%02x in a string", c);
		n = utf8_seq(ps->p + ps->pos, end - ps->pos);
		if (!n)
			return perr(ps, ps->pos, "invalid UTF-8 in a string");
		memcpy(d + dn, ps->p + ps->pos, n);
		dn += n;
		ps->pos += n;
	}
	ps->pos = end + 1;
	d[dn] = '\0';
	*s = (const char *)d;
	*slen = dn;
	return NULL;
}

static struct kterr *parse_string(struct parser *ps, const struct json **out)
{
	struct json *v;
	struct kterr *e = new_node(ps, JSON_STRING, &v);

	if (e)
		return e;
	e = parse_string_raw(ps, &v->str.s, &v->str.len);
	if (e)
		return e;
	*out = v;
	return NULL;
}

/* ---- containers ---- */

/* A growable scratch vector of element size esz, copied into the arena
 * when the container closes. */
struct scratch {
	void *buf;
	size_t n, cap, esz;
};

static bool scratch_push(struct scratch *sc, const void *elem)
{
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 8;
		void *nb = realloc(sc->buf, cap * sc->esz);

		if (!nb)
			return false;
		sc->buf = nb;
		sc->cap = cap;
	}
	memcpy((char *)sc->buf + sc->n * sc->esz, elem, sc->esz);
	sc->n++;
	return true;
}

static void *scratch_to_arena(struct parser *ps, struct scratch *sc)
{
	void *a;

	if (!sc->n)
		return NULL;
	a = arena_alloc(ps->doc, sc->n * sc->esz);
	if (a)
		memcpy(a, sc->buf, sc->n * sc->esz);
	return a;
}

static struct kterr *enter(struct parser *ps)
{
	if (++ps->depth > ps->max_depth)
		return kterr_new(E2BIG, "json: byte %zu: nesting deeper than %u",
				 ps->pos, ps->max_depth);
	ps->pos++;	/* the bracket */
	skip_ws(ps);
	return NULL;
}

static struct kterr *parse_array(struct parser *ps, const struct json **out)
{
	struct scratch sc = { .esz = sizeof(const struct json *) };
	struct kterr *e;
	struct json *v;
	char d[16];

	e = new_node(ps, JSON_ARRAY, &v);
	if (!e)
		e = enter(ps);
	if (e)
		return e;
	if (peek(ps) == ']')
		goto close;
	for (;;) {
		const struct json *item;

		e = parse_value(ps, &item);
		if (e)
			goto fail;
		if (!scratch_push(&sc, &item)) {
			e = oom();
			goto fail;
		}
		skip_ws(ps);
		if (peek(ps) == ']')
			break;
		if (peek(ps) != ',') {
			e = perr(ps, ps->pos, "expected ',' or ']' in an array, got %s",
				 describe(ps, d, sizeof(d)));
			goto fail;
		}
		ps->pos++;
		skip_ws(ps);
	}
close:
	v->arr.items = scratch_to_arena(ps, &sc);
	if (sc.n && !v->arr.items) {
		e = oom();
		goto fail;
	}
	v->arr.n = sc.n;
	ps->pos++;
	ps->depth--;
	free(sc.buf);
	*out = v;
	return NULL;
fail:
	free(sc.buf);
	return e;
}

static int member_cmp(const void *a, const void *b)
{
	const struct json_member *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Sorting a copy keeps the check O(n log n) on hostile input. */
static struct kterr *check_duplicates(struct parser *ps, const struct json_member *m,
				      size_t n, size_t obj_off)
{
	struct json_member *sorted;
	size_t i;

	if (n < 2)
		return NULL;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return oom();
	memcpy(sorted, m, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), member_cmp);
	for (i = 1; i < n; i++) {
		if (!member_cmp(&sorted[i - 1], &sorted[i])) {
			struct kterr *e = perr(ps, obj_off, "duplicate key \"%.40s\" in an object",
					       sorted[i].key);
			free(sorted);
			return e;
		}
	}
	free(sorted);
	return NULL;
}

static struct kterr *parse_object(struct parser *ps, const struct json **out)
{
	struct scratch sc = { .esz = sizeof(struct json_member) };
	size_t open = ps->pos;
	struct kterr *e;
	struct json *v;
	char d[16];

	e = new_node(ps, JSON_OBJECT, &v);
	if (!e)
		e = enter(ps);
	if (e)
		return e;
	if (peek(ps) == '}')
		goto close;
	for (;;) {
		struct json_member m;

		if (peek(ps) != '"') {
			e = perr(ps, ps->pos, "expected a string key in an object, got %s",
				 describe(ps, d, sizeof(d)));
			goto fail;
		}
		e = parse_string_raw(ps, &m.key, &m.key_len);
		if (e)
			goto fail;
		skip_ws(ps);
		if (peek(ps) != ':') {
			e = perr(ps, ps->pos, "expected ':' after an object key, got %s",
				 describe(ps, d, sizeof(d)));
			goto fail;
		}
		ps->pos++;
		e = parse_value(ps, &m.val);
		if (e)
			goto fail;
		if (!scratch_push(&sc, &m)) {
			e = oom();
			goto fail;
		}
		skip_ws(ps);
		if (peek(ps) == '}')
			break;
		if (peek(ps) != ',') {
			e = perr(ps, ps->pos, "expected ',' or '}' in an object, got %s",
				 describe(ps, d, sizeof(d)));
			goto fail;
		}
		ps->pos++;
		skip_ws(ps);
	}
close:
	e = check_duplicates(ps, sc.buf, sc.n, open);
	if (e)
		goto fail;
	v->obj.members = scratch_to_arena(ps, &sc);
	if (sc.n && !v->obj.members) {
		e = oom();
		goto fail;
	}
	v->obj.n = sc.n;
	ps->pos++;
	ps->depth--;
	free(sc.buf);
	*out = v;
	return NULL;
fail:
	free(sc.buf);
	return e;
}

static struct kterr *parse_value(struct parser *ps, const struct json **out)
{
	int c;

	skip_ws(ps);
	c = peek(ps);
	if (c == '{')
		return parse_object(ps, out);
	if (c == '[')
		return parse_array(ps, out);
	if (c == '"')
		return parse_string(ps, out);
	if (c == '-' || is_digit(c))
		return parse_number(ps, out);
	if (c < 0)
		return perr(ps, ps->pos, "expected a value, got end of input");
	return parse_literal(ps, out);
}

struct kterr *json_parse(const char *buf, size_t len,
			 const struct json_limits *lim, struct json_doc **out)
{
	struct parser ps = {
		.p = (const unsigned char *)buf,
		.len = len,
		.max_depth = JSON_DEFAULT_MAX_DEPTH,
		.max_nodes = JSON_DEFAULT_MAX_NODES,
	};
	size_t max_bytes = JSON_DEFAULT_MAX_BYTES;
	const struct json *root;
	struct kterr *e;

	*out = NULL;
	if (lim) {
		if (lim->max_bytes)
			max_bytes = lim->max_bytes;
		if (lim->max_depth)
			ps.max_depth = lim->max_depth;
		if (lim->max_nodes)
			ps.max_nodes = lim->max_nodes;
	}
	if (ps.max_depth > JSON_HARD_MAX_DEPTH)
		ps.max_depth = JSON_HARD_MAX_DEPTH;
	if (len > max_bytes)
		return kterr_new(E2BIG, "json: %zu bytes, more than the limit of %zu",
				 len, max_bytes);
	if (!buf && len)
		return kterr_new(EINVAL, "json: no buffer");

	ps.doc = calloc(1, sizeof(*ps.doc));
	if (!ps.doc)
		return oom();
	e = parse_value(&ps, &root);
	if (!e) {
		skip_ws(&ps);
		if (ps.pos != ps.len) {
			char d[16];

			e = perr(&ps, ps.pos, "trailing %s after the value",
				 describe(&ps, d, sizeof(d)));
		}
	}
	if (e) {
		json_doc_free(ps.doc);
		return e;
	}
	ps.doc->root = root;
	*out = ps.doc;
	return NULL;
}

/* ---- lookups ---- */

static const char *const type_names[] = {
	[JSON_NULL] = "null",
	[JSON_BOOL] = "boolean",
	[JSON_INT] = "integer",
	[JSON_DOUBLE] = "number",
	[JSON_STRING] = "string",
	[JSON_ARRAY] = "array",
	[JSON_OBJECT] = "object",
};

const char *json_type_name(enum json_type t)
{
	if ((unsigned)t >= ARRAY_SIZE(type_names))
		return "unknown";
	return type_names[t];
}

const struct json *json_get(const struct json *obj, const char *key)
{
	size_t i, kl;

	if (!obj || obj->type != JSON_OBJECT || !key)
		return NULL;
	kl = strlen(key);
	for (i = 0; i < obj->obj.n; i++) {
		const struct json_member *m = &obj->obj.members[i];

		if (m->key_len == kl && !memcmp(m->key, key, kl))
			return m->val;
	}
	return NULL;
}

const struct json *json_at(const struct json *arr, size_t i)
{
	if (!arr || arr->type != JSON_ARRAY || i >= arr->arr.n)
		return NULL;
	return arr->arr.items[i];
}

const char *json_str(const struct json *v)
{
	return v && v->type == JSON_STRING ? v->str.s : NULL;
}

/* The member, or an error naming the key and the type found. */
static struct kterr *typed(const struct json *obj, const char *key,
			   enum json_type want, const struct json **v)
{
	if (!obj || obj->type != JSON_OBJECT)
		return kterr_new(EINVAL, "json: looking up \"%s\" in %s, not an object",
				 key, obj ? json_type_name(obj->type) : "nothing");
	*v = json_get(obj, key);
	if (!*v)
		return kterr_new(ENOENT, "json: no member \"%s\"", key);
	if ((*v)->type != want && !(want == JSON_DOUBLE && (*v)->type == JSON_INT))
		return kterr_new(EINVAL, "json: member \"%s\" is %s, expected %s",
				 key, json_type_name((*v)->type), json_type_name(want));
	return NULL;
}

struct kterr *json_get_str(const struct json *obj, const char *key, const char **out)
{
	const struct json *v;
	struct kterr *e = typed(obj, key, JSON_STRING, &v);

	if (!e)
		*out = v->str.s;
	return e;
}

struct kterr *json_get_int(const struct json *obj, const char *key, int64_t *out)
{
	const struct json *v;
	struct kterr *e = typed(obj, key, JSON_INT, &v);

	if (e)
		return e;
	if (v->num.u64_only)
		return kterr_new(EINVAL, "json: member \"%s\" = %llu does not fit int64",
				 key, (unsigned long long)v->num.u);
	*out = v->num.i;
	return NULL;
}

struct kterr *json_get_u64(const struct json *obj, const char *key, uint64_t *out)
{
	const struct json *v;
	struct kterr *e = typed(obj, key, JSON_INT, &v);

	if (e)
		return e;
	if (!v->num.u64_only && v->num.i < 0)
		return kterr_new(EINVAL, "json: member \"%s\" = %lld is negative",
				 key, (long long)v->num.i);
	*out = v->num.u;
	return NULL;
}

struct kterr *json_get_double(const struct json *obj, const char *key, double *out)
{
	const struct json *v;
	struct kterr *e = typed(obj, key, JSON_DOUBLE, &v);

	if (e)
		return e;
	if (v->type == JSON_DOUBLE)
		*out = v->d;
	else if (v->num.u64_only)
		*out = (double)v->num.u;
	else
		*out = (double)v->num.i;
	return NULL;
}

struct kterr *json_get_bool(const struct json *obj, const char *key, bool *out)
{
	const struct json *v;
	struct kterr *e = typed(obj, key, JSON_BOOL, &v);

	if (!e)
		*out = v->b;
	return e;
}

struct kterr *json_get_object(const struct json *obj, const char *key,
			      const struct json **out)
{
	return typed(obj, key, JSON_OBJECT, out);
}

struct kterr *json_get_array(const struct json *obj, const char *key,
			     const struct json **out)
{
	return typed(obj, key, JSON_ARRAY, out);
}

/* ---- writing ---- */

char *json_quote(const char *s)
{
	size_t n = 2, i;
	char *out, *o;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		n += c == '"' || c == '\\' ? 2 : c < 0x20 ? 6 : 1;
	}
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	*o++ = '"';
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20) {
			o += sprintf(o, "\\u%04x", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}
