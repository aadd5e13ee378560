/* con-browse.c - a JSON tree to browse; see con-browse.h. */
#include "tui/con-browse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jdiff.h"
#include "lib/kjson.h"
#include "lib/util.h"

/* The largest document opened (a snapshot is well under it). */
#define CON_BROWSE_MAX_BYTES (64u << 20)

struct node {
	char *key;		/* "name", "[3]", "[3] bss"; the root's is the title */
	char *value;		/* scalars as JSON text; containers "{3}" / "[5]" */
	/* A diff: B's value (value is A's); NULL on the side it is absent
	 * from. mark: ' ' same, '~' changed, '+' added, '-' removed, '!'
	 * type changed. */
	char *value_b;
	char mark;
	int depth;
	bool container, open;
	struct node *parent;
	struct node **kids;
	size_t nkids;
};

struct con_browse {
	char *title;
	bool diff;		/* two values a row (con_browse_open_diff) */
	char *side[2];		/* a diff's column heads */
	size_t changes;
	struct node *root;
	struct node **rows;	/* visible rows, rebuilt on each change */
	size_t nrows, cap;
	size_t cursor, top;
};

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->value);
	free(n->value_b);
	free(n);
}

static char *scalar(const struct json_object *v)
{
	int64_t i;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return strdup("null");
	case json_type_boolean:
		return strdup(json_object_get_boolean(v) ? "true" : "false");
	case json_type_int:
		/* json-c keeps uint64 past INT64_MAX; int64 saturates there. */
		i = json_object_get_int64(v);
		if (i >= 0)
			return kt_strfmt("%" PRIu64, json_object_get_uint64(v));
		return kt_strfmt("%" PRId64, i);
	case json_type_double:
		return kt_strfmt("%g", json_object_get_double(v));
	case json_type_string:
		return kt_strfmt("\"%s\"", json_object_get_string((struct json_object *)v));
	default:
		return NULL;
	}
}

/* An array's element is labelled by its name when it has one (a BPF map
 * reads "[3] bss" folded, not "[3]"). */
static char *element_key(struct json_object *el, size_t i)
{
	struct json_object *name = kjson_get(el, "name");

	if (json_object_is_type(name, json_type_string))
		return kt_strfmt("[%zu] %s", i, json_object_get_string(name));
	return kt_strfmt("[%zu]", i);
}

/* A container's folded value, "{3}" or "[5]"; a scalar's JSON text. */
static char *value_text(struct json_object *v)
{
	if (json_object_is_type(v, json_type_array))
		return kt_strfmt("[%zu]", json_object_array_length(v));
	if (json_object_is_type(v, json_type_object))
		return kt_strfmt("{%d}", json_object_object_length(v));
	return scalar(v);
}

static struct node *build(struct json_object *v, char *key, int depth, struct node *parent)
{
	bool is_arr = json_object_is_type(v, json_type_array);
	struct node *n = calloc(1, sizeof(*n));
	size_t nk;

	if (!n) {
		free(key);
		return NULL;
	}
	n->key = key;
	n->depth = depth;
	n->parent = parent;
	if (!is_arr && !json_object_is_type(v, json_type_object)) {
		n->value = scalar(v);
		if (!n->key || !n->value)
			goto oom;
		return n;
	}
	n->container = true;
	nk = is_arr ? json_object_array_length(v) : (size_t)json_object_object_length(v);
	n->value = kt_strfmt(is_arr ? "[%zu]" : "{%zu}", nk);
	n->kids = nk ? calloc(nk, sizeof(*n->kids)) : NULL;
	if (!n->key || !n->value || (nk && !n->kids))
		goto oom;
	if (is_arr) {
		for (size_t i = 0; i < nk; i++) {
			struct json_object *el = json_object_array_get_idx(v, i);

			if (!(n->kids[i] = build(el, element_key(el, i), depth + 1, n)))
				goto oom;
			n->nkids++;
		}
		return n;
	}
	/* Members in input order, as json-c keeps them. */
	json_object_object_foreach(v, k, c) {
		if (!(n->kids[n->nkids] = build(c, strdup(k), depth + 1, n)))
			goto oom;
		n->nkids++;
	}
	return n;
oom:
	node_free(n);
	return NULL;
}

static void add_row(struct con_browse *b, struct node *n)
{
	if (b->nrows == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct node **r = realloc(b->rows, cap * sizeof(*r));

		if (!r)
			return;
		b->rows = r;
		b->cap = cap;
	}
	b->rows[b->nrows++] = n;
}

static void walk(struct con_browse *b, struct node *n)
{
	add_row(b, n);
	if (n->container && n->open)
		for (size_t i = 0; i < n->nkids; i++)
			walk(b, n->kids[i]);
}

/* The visible rows, keeping the cursor on the node it was on (or its
 * nearest open parent). */
static void relayout(struct con_browse *b, struct node *keep)
{
	b->nrows = 0;
	/* The root's children are the top level; the root is not a row. */
	for (size_t i = 0; i < b->root->nkids; i++)
		walk(b, b->root->kids[i]);
	if (!b->root->container)
		walk(b, b->root);
	for (; keep; keep = keep->parent)
		for (size_t i = 0; i < b->nrows; i++)
			if (b->rows[i] == keep) {
				b->cursor = i;
				return;
			}
	if (b->cursor >= b->nrows)
		b->cursor = b->nrows ? b->nrows - 1 : 0;
}

static struct kterr *browse_new(const char *title, struct con_browse **out)
{
	struct con_browse *b = calloc(1, sizeof(*b));

	*out = b;
	if (!b || !(b->title = strdup(title))) {
		free(b);
		*out = NULL;
		return kterr_new(ENOMEM, "browsing %s", title);
	}
	return NULL;
}

struct kterr *con_browse_open_tree(const char *title, struct json_object *doc,
				   struct con_browse **out)
{
	struct con_browse *b;
	struct kterr *e = browse_new(title, &b);

	*out = NULL;
	if (e)
		return e;
	b->root = build(doc, strdup(title), -1, NULL);
	if (!b->root) {
		con_browse_free(b);
		return kterr_new(ENOMEM, "browsing %s", title);
	}
	b->root->open = true;
	relayout(b, NULL);
	*out = b;
	return NULL;
}

struct kterr *con_browse_open(const char *title, const char *json, size_t len,
			      struct con_browse **out)
{
	struct json_object *doc = NULL;
	struct kterr *e;

	*out = NULL;
	if (len > CON_BROWSE_MAX_BYTES)
		return kterr_new(E2BIG, "%s is %zu bytes, more than the %u MiB the browser opens",
				 title, len, CON_BROWSE_MAX_BYTES >> 20);
	e = kjson_parse(json, len, &doc);
	if (e)
		return kterr_wrap(e, "%s is not JSON", title);
	e = con_browse_open_tree(title, doc, out);
	json_object_put(doc);
	return e;
}

/* ---- two trees side by side ---- */

struct diff_build {
	struct con_browse *b;
	struct node *stack[KJSON_MAX_DEPTH + 2];	/* stack[d]: the parent of depth d */
	bool oom;
};

static bool add_kid(struct node *p, struct node *n)
{
	struct node **k = realloc(p->kids, (p->nkids + 1) * sizeof(*k));

	if (!k)
		return false;
	p->kids = k;
	p->kids[p->nkids++] = n;
	return true;
}

/* The entry's key; an array element with a name that is matched by
 * something else ("[id=4]", "[2]") gets the name too: "[id=4] bss". */
static char *diff_key(const struct jdiff_entry *e)
{
	struct json_object *name = kjson_get(e->a ? e->a : e->b, "name");

	if (!*e->key)
		return strdup("(value)");
	if (e->key[0] == '[' && strncmp(e->key, "[name=", 6) &&
	    json_object_is_type(name, json_type_string))
		return kt_strfmt("%s %s", e->key, json_object_get_string(name));
	return strdup(e->key);
}

static bool diff_row(void *ctx, const struct jdiff_entry *e)
{
	static const char marks[] = {
		[JDIFF_SAME] = ' ', [JDIFF_CHANGED] = '~', [JDIFF_ADDED] = '+',
		[JDIFF_REMOVED] = '-', [JDIFF_RETYPED] = '!',
	};
	struct diff_build *d = ctx;
	struct node *parent, *n;

	if (d->oom || e->depth < 0 || e->depth > KJSON_MAX_DEPTH)
		return false;
	parent = d->stack[e->depth];
	n = calloc(1, sizeof(*n));
	if (!n || !add_kid(parent, n)) {
		free(n);
		d->oom = true;
		return false;
	}
	n->parent = parent;
	n->depth = e->depth;
	n->mark = marks[e->kind];
	n->container = e->container;
	/* Only what differs is open to begin with. */
	n->open = e->container && e->kind == JDIFF_CHANGED;
	n->key = diff_key(e);
	n->value = e->kind == JDIFF_ADDED ? NULL : value_text(e->a);
	n->value_b = e->kind == JDIFF_REMOVED ? NULL : value_text(e->b);
	if (!n->key || (e->kind != JDIFF_ADDED && !n->value) ||
	    (e->kind != JDIFF_REMOVED && !n->value_b)) {
		d->oom = true;
		return false;
	}
	d->stack[e->depth + 1] = n;
	return true;
}

struct kterr *con_browse_open_diff(const char *title, const char *name_a,
				   struct json_object *a, const char *name_b,
				   struct json_object *b, struct con_browse **out)
{
	struct diff_build d = { 0 };
	struct kterr *e = browse_new(title, &d.b);

	*out = NULL;
	if (e)
		return e;
	d.b->diff = true;
	d.b->side[0] = strdup(name_a);
	d.b->side[1] = strdup(name_b);
	d.b->root = calloc(1, sizeof(*d.b->root));
	if (d.b->root && (d.b->root->key = strdup(title))) {
		d.b->root->container = d.b->root->open = true;
		d.b->root->depth = -1;
		d.stack[0] = d.b->root;
		d.b->changes = jdiff_walk(a, b, diff_row, &d, NULL);
	}
	if (!d.b->root || !d.b->root->key || !d.b->side[0] || !d.b->side[1] || d.oom) {
		con_browse_free(d.b);
		return kterr_new(ENOMEM, "browsing %s", title);
	}
	relayout(d.b, NULL);
	*out = d.b;
	return NULL;
}

size_t con_browse_changes(const struct con_browse *b)
{
	return b->changes;
}

void con_browse_free(struct con_browse *b)
{
	if (!b)
		return;
	node_free(b->root);
	free(b->rows);
	free(b->title);
	free(b->side[0]);
	free(b->side[1]);
	free(b);
}

const char *con_browse_title(const struct con_browse *b)
{
	return b->title;
}

static void set_open(struct node *n, bool open)
{
	if (!n->container)
		return;
	n->open = open;
	for (size_t i = 0; i < n->nkids; i++)
		set_open(n->kids[i], open);
}

void con_browse_move(struct con_browse *b, enum con_browse_move m, int page)
{
	struct node *cur = b->nrows ? b->rows[b->cursor] : NULL;
	size_t last = b->nrows ? b->nrows - 1 : 0;
	size_t p = page > 1 ? (size_t)page : 1;

	switch (m) {
	case CON_BR_UP:
		if (b->cursor)
			b->cursor--;
		break;
	case CON_BR_DOWN:
		if (b->cursor < last)
			b->cursor++;
		break;
	case CON_BR_PAGE_UP:
		b->cursor = b->cursor > p ? b->cursor - p : 0;
		break;
	case CON_BR_PAGE_DOWN:
		b->cursor = b->cursor + p < last ? b->cursor + p : last;
		break;
	case CON_BR_TOP:
		b->cursor = 0;
		break;
	case CON_BR_BOTTOM:
		b->cursor = last;
		break;
	case CON_BR_TOGGLE:
		if (cur && cur->container) {
			cur->open = !cur->open;
			relayout(b, cur);
		}
		break;
	case CON_BR_OPEN_ALL:
	case CON_BR_CLOSE_ALL:
		for (size_t i = 0; i < b->root->nkids; i++)
			set_open(b->root->kids[i], m == CON_BR_OPEN_ALL);
		relayout(b, cur);
		break;
	}
}

/* Every node in document order after `from` (wrapping), to search even
 * folded ones. */
static void flatten(struct node *n, struct node ***v, size_t *len, size_t *cap)
{
	if (*len == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct node **nv = realloc(*v, c * sizeof(**v));

		if (!nv)
			return;
		*v = nv;
		*cap = c;
	}
	(*v)[(*len)++] = n;
	for (size_t i = 0; i < n->nkids; i++)
		flatten(n->kids[i], v, len, cap);
}

/* From the cursor, forward (dir > 0) or back, wrapping once around every
 * node: the first that is not the root and that want() takes is revealed
 * (its ancestors opened) and becomes the cursor. */
static bool walk_to(struct con_browse *b, int dir,
		    bool (*want)(const struct node *c, const void *arg), const void *arg)
{
	struct node **all = NULL, *cur = b->nrows ? b->rows[b->cursor] : NULL;
	size_t n = 0, cap = 0, start = 0;
	bool found = false;

	flatten(b->root, &all, &n, &cap);
	for (size_t i = 0; i < n; i++)
		if (all[i] == cur)
			start = i;
	for (size_t k = 1; k <= n && !found; k++) {
		struct node *c = all[(start + n + (dir < 0 ? n - k : k)) % n];

		if (c == b->root || !want(c, arg))
			continue;
		for (struct node *p = c->parent; p; p = p->parent)
			p->open = true;
		relayout(b, c);
		found = true;
	}
	free(all);
	return found;
}

static bool has_text(const struct node *c, const void *arg)
{
	const char *text = arg;

	return strstr(c->key, text) || (c->value && strstr(c->value, text)) ||
	       (c->value_b && strstr(c->value_b, text));
}

bool con_browse_search(struct con_browse *b, const char *text)
{
	return *text && walk_to(b, 1, has_text, text);
}

/* A row that is itself a difference (not a container holding some). */
static bool is_change(const struct node *n)
{
	return n->mark != '\0' && n->mark != ' ' && !(n->mark == '~' && n->container);
}

/* A difference of its own: a one-sided subtree's members are its root's
 * difference, not more of them. */
static bool own_change(const struct node *c, const void *arg)
{
	(void)arg;
	for (struct node *p = c->parent; p; p = p->parent)
		if (p->mark == '+' || p->mark == '-')
			return false;
	return is_change(c);
}

bool con_browse_next_change(struct con_browse *b, int dir)
{
	return b->diff && walk_to(b, dir, own_change, NULL);
}

size_t con_browse_rows(const struct con_browse *b)
{
	return b->nrows;
}

size_t con_browse_cursor(const struct con_browse *b)
{
	return b->cursor;
}

/* A diff's row: the mark, the key, then A's value and B's in two columns
 * (a row absent on one side shows nothing there). */
static void render_diff_row(const struct node *n, bool at, struct con_buf *buf,
			    const struct con_rect *r, int y)
{
	static const struct { char mark; enum con_attr a; } looks[] = {
		{ ' ', CON_A_NORMAL }, { '~', CON_A_WARN }, { '+', CON_A_OK },
		{ '-', CON_A_ERROR }, { '!', CON_A_ERROR },
	};
	enum con_attr a = CON_A_NORMAL, sel = CON_A_TITLE_FOCUS;
	int keyw = r->w * 2 / 5, valw = (r->w - keyw - 3) / 2, x = 2 + 2 * n->depth;
	struct con_rect ka = { r->y, r->x, r->h, keyw }, va = { r->y, r->x + keyw + 1, r->h, valw },
			vb = { r->y, r->x + keyw + valw + 3, r->h, r->w - keyw - valw - 3 };

	for (size_t i = 0; i < ARRAY_SIZE(looks); i++)
		if (looks[i].mark == n->mark)
			a = looks[i].a;
	if (at)
		con_fill(buf, r, y, 0, r->w, ' ', sel);
	con_put(buf, &ka, y, 0, at ? sel : a, n->mark == ' ' ? " " : (char[]){ n->mark, 0 }, 1);
	if (n->container)
		x += con_put(buf, &ka, y, x, at ? sel : CON_A_DIM, n->open ? "- " : "+ ", -1);
	con_put(buf, &ka, y, x, at ? sel : n->mark == ' ' ? CON_A_BACKDROP : a, n->key, -1);
	if (n->value)
		con_put(buf, &va, y, 0, at ? sel : n->container ? CON_A_DIM : CON_A_NORMAL,
			n->value, -1);
	con_put(buf, r, y, keyw + valw + 1, at ? sel : CON_A_LINE, "|", 1);
	if (n->value_b)
		con_put(buf, &vb, y, 0, at ? sel : n->mark == ' ' ? CON_A_NORMAL : a,
			n->value_b, -1);
}

void con_browse_render(struct con_browse *b, struct con_buf *buf, const struct con_rect *r)
{
	struct con_rect rows = *r;

	if (r->h <= 0)
		return;
	if (b->diff) {		/* a head row names the columns */
		int keyw = r->w * 2 / 5, valw = (r->w - keyw - 3) / 2;

		con_putf(buf, r, 0, 0, CON_A_DIM, " %zu difference%s", b->changes,
			 b->changes == 1 ? "" : "s");
		con_put(buf, r, 0, keyw + 1, CON_A_TITLE, b->side[0], valw);
		con_put(buf, r, 0, keyw + valw + 3, CON_A_TITLE, b->side[1], -1);
		rows.y++;
		rows.h--;
		if (rows.h <= 0)
			return;
	}
	/* Keep the cursor in view. */
	if (b->cursor < b->top)
		b->top = b->cursor;
	if (b->cursor >= b->top + (size_t)rows.h)
		b->top = b->cursor - (size_t)rows.h + 1;
	for (int y = 0; y < rows.h && b->top + (size_t)y < b->nrows; y++) {
		const struct node *n = b->rows[b->top + (size_t)y];
		bool at = b->top + (size_t)y == b->cursor;
		enum con_attr a = at ? CON_A_TITLE_FOCUS : CON_A_NORMAL;
		int x = 1 + 2 * n->depth;

		if (b->diff) {
			render_diff_row(n, at, buf, &rows, y);
			continue;
		}
		if (at)
			con_fill(buf, &rows, y, 0, rows.w, ' ', a);
		if (n->container)
			x += con_put(buf, &rows, y, x, at ? a : CON_A_DIM, n->open ? "- " : "+ ", -1);
		x += con_put(buf, &rows, y, x, at ? a : CON_A_BACKDROP, n->key, -1);
		x += con_put(buf, &rows, y, x, a, ": ", -1);
		con_put(buf, &rows, y, x, at ? a : n->container ? CON_A_DIM : CON_A_NORMAL, n->value,
			-1);
	}
}
