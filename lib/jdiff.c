/* jdiff.c - two JSON trees walked side by side; see jdiff.h. */
#include "lib/jdiff.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* Members that name an array's element, in the order they are tried. */
static const char *const identities[] = { "cpu", "vcpu", "name", "id" };

struct walk {
	jdiff_visit_fn visit;
	void *ctx;
	struct jdiff_count *count;
};

static bool is_container(struct json_object *v)
{
	return json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array);
}

/* An identity as text ("2", "bss"), or false when v cannot be one. */
static bool id_text(struct json_object *el, const char *key, char *buf, size_t size)
{
	struct json_object *v;

	if (!json_object_is_type(el, json_type_object) || !json_object_object_get_ex(el, key, &v))
		return false;
	if (json_object_is_type(v, json_type_string))
		snprintf(buf, size, "%s", json_object_get_string(v));
	else if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
		snprintf(buf, size, "%" PRIu64, json_object_get_uint64(v));
	else if (json_object_is_type(v, json_type_int))
		snprintf(buf, size, "%" PRId64, json_object_get_int64(v));
	else
		return false;
	return true;
}

/* Every element of arr has key as an identity, none twice. */
static bool ids_unique(struct json_object *arr, const char *key)
{
	size_t n = json_object_array_length(arr);
	char a[256], b[256];

	for (size_t i = 0; i < n; i++) {
		if (!id_text(json_object_array_get_idx(arr, i), key, a, sizeof(a)))
			return false;
		for (size_t k = 0; k < i; k++) {
			id_text(json_object_array_get_idx(arr, k), key, b, sizeof(b));
			if (!strcmp(a, b))
				return false;
		}
	}
	return true;
}

/* The member both arrays' elements are matched by, or NULL (by index). */
static const char *array_identity(struct json_object *a, struct json_object *b)
{
	if (!json_object_array_length(a) && !json_object_array_length(b))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(identities); i++)
		if (ids_unique(a, identities[i]) && ids_unique(b, identities[i]))
			return identities[i];
	return NULL;
}

/* The index in arr of the element whose identity is id, or -1. */
static long find_id(struct json_object *arr, const char *key, const char *id)
{
	size_t n = json_object_array_length(arr);
	char buf[256];

	for (size_t i = 0; i < n; i++)
		if (id_text(json_object_array_get_idx(arr, i), key, buf, sizeof(buf)) &&
		    !strcmp(buf, id))
			return (long)i;
	return -1;
}

static bool scalar_equal(struct json_object *a, struct json_object *b)
{
	switch (json_object_get_type(a)) {
	case json_type_null:
		return true;
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_int:
		/* int64 saturates past INT64_MAX: compare the uint64 too. */
		return json_object_get_int64(a) == json_object_get_int64(b) &&
		       (json_object_get_int64(a) < 0 ||
			json_object_get_uint64(a) == json_object_get_uint64(b));
	case json_type_double:
		return json_object_get_double(a) == json_object_get_double(b);
	case json_type_string:
		return json_object_get_string_len(a) == json_object_get_string_len(b) &&
		       !memcmp(json_object_get_string(a), json_object_get_string(b),
			       (size_t)json_object_get_string_len(a));
	default:
		return false;
	}
}

bool jdiff_equal(struct json_object *a, struct json_object *b)
{
	if (json_object_get_type(a) != json_object_get_type(b))
		return false;
	if (json_object_is_type(a, json_type_object)) {
		if (json_object_object_length(a) != json_object_object_length(b))
			return false;
		json_object_object_foreach(a, k, va) {
			struct json_object *vb;

			if (!json_object_object_get_ex(b, k, &vb) || !jdiff_equal(va, vb))
				return false;
		}
		return true;
	}
	if (json_object_is_type(a, json_type_array)) {
		size_t n = json_object_array_length(a);
		const char *key = array_identity(a, b);
		char id[256];

		if (n != json_object_array_length(b))
			return false;
		for (size_t i = 0; i < n; i++) {
			struct json_object *ea = json_object_array_get_idx(a, i);
			long j = (long)i;

			if (key) {
				id_text(ea, key, id, sizeof(id));
				j = find_id(b, key, id);
			}
			if (j < 0 || !jdiff_equal(ea, json_object_array_get_idx(b, (size_t)j)))
				return false;
		}
		return true;
	}
	return scalar_equal(a, b);
}

static void walk_children(struct walk *w, struct json_object *a, struct json_object *b,
			  const char *path, int depth);

/* One member or element: has_a/has_b say which sides have it. */
static void visit(struct walk *w, const char *path, const char *key, int depth,
		  bool has_a, struct json_object *a, bool has_b, struct json_object *b)
{
	struct jdiff_entry e = { .path = path, .key = key, .depth = depth, .a = a, .b = b };
	bool go;

	if (!has_b) {
		e.kind = JDIFF_REMOVED;
		e.container = is_container(a);
	} else if (!has_a) {
		e.kind = JDIFF_ADDED;
		e.container = is_container(b);
	} else if (json_object_get_type(a) != json_object_get_type(b)) {
		e.kind = JDIFF_RETYPED;
	} else {
		e.container = is_container(a);
		e.kind = jdiff_equal(a, b) ? JDIFF_SAME : JDIFF_CHANGED;
	}
	go = !w->visit || w->visit(w->ctx, &e);
	if (e.container && has_a && has_b) {
		if (go)
			walk_children(w, a, b, path, depth + 1);
		return;
	}
	/* A leaf, or a whole subtree on one side: counted once. */
	if (w->count) {
		w->count->changed += e.kind == JDIFF_CHANGED;
		w->count->added += e.kind == JDIFF_ADDED;
		w->count->removed += e.kind == JDIFF_REMOVED;
		w->count->retyped += e.kind == JDIFF_RETYPED;
	}
	/* One side's subtree: its members are shown as added or removed
	 * too, so a renderer can unfold them; they count in their root. */
	if (e.container && go && w->visit) {
		struct jdiff_count *keep = w->count;

		w->count = NULL;
		walk_children(w, has_a ? a : NULL, has_b ? b : NULL, path, depth + 1);
		w->count = keep;
	}
}

static char *join(const char *path, const char *key, bool element)
{
	if (element || !*path)
		return kt_strfmt("%s%s", path, key);
	return kt_strfmt("%s.%s", path, key);
}

static void walk_object(struct walk *w, struct json_object *a, struct json_object *b,
			const char *path, int depth)
{
	if (a) {
		json_object_object_foreach(a, k, va) {
			struct json_object *vb = NULL;
			bool has_b = b && json_object_object_get_ex(b, k, &vb);
			char *p = join(path, k, false);

			if (p)
				visit(w, p, k, depth, true, va, has_b, vb);
			free(p);
		}
	}
	if (!b)
		return;
	json_object_object_foreach(b, k, vb) {
		char *p;

		if (a && json_object_object_get_ex(a, k, NULL))
			continue;
		if ((p = join(path, k, false)))
			visit(w, p, k, depth, false, NULL, true, vb);
		free(p);
	}
}

static void walk_array(struct walk *w, struct json_object *a, struct json_object *b,
		       const char *path, int depth)
{
	size_t na = a ? json_object_array_length(a) : 0, nb = b ? json_object_array_length(b) : 0;
	const char *key = array_identity(a ? a : b, b ? b : a);
	char id[256], label[300];

	for (size_t i = 0; i < na; i++) {
		struct json_object *ea = json_object_array_get_idx(a, i);
		long j = i < nb ? (long)i : -1;
		char *p;

		if (key) {
			id_text(ea, key, id, sizeof(id));
			snprintf(label, sizeof(label), "[%s=%s]", key, id);
			j = b ? find_id(b, key, id) : -1;
		} else {
			snprintf(label, sizeof(label), "[%zu]", i);
		}
		if ((p = join(path, label, true)))
			visit(w, p, label, depth, true, ea, j >= 0,
			      j >= 0 ? json_object_array_get_idx(b, (size_t)j) : NULL);
		free(p);
	}
	for (size_t j = 0; j < nb; j++) {
		struct json_object *eb = json_object_array_get_idx(b, j);
		char *p;

		if (key) {
			id_text(eb, key, id, sizeof(id));
			if (a && find_id(a, key, id) >= 0)
				continue;
			snprintf(label, sizeof(label), "[%s=%s]", key, id);
		} else if (j < na) {
			continue;
		} else {
			snprintf(label, sizeof(label), "[%zu]", j);
		}
		if ((p = join(path, label, true)))
			visit(w, p, label, depth, false, NULL, true, eb);
		free(p);
	}
}

static void walk_children(struct walk *w, struct json_object *a, struct json_object *b,
			  const char *path, int depth)
{
	struct json_object *any = a ? a : b;

	if (json_object_is_type(any, json_type_object))
		walk_object(w, a, b, path, depth);
	else
		walk_array(w, a, b, path, depth);
}

size_t jdiff_walk(struct json_object *a, struct json_object *b, jdiff_visit_fn fn, void *ctx,
		  struct jdiff_count *count)
{
	struct jdiff_count local = { 0 };
	struct walk w = { fn, ctx, count ? count : &local };

	*w.count = (struct jdiff_count){ 0 };
	if (is_container(a) && json_object_get_type(a) == json_object_get_type(b))
		walk_children(&w, a, b, "", 0);
	else
		visit(&w, "", "", 0, true, a, true, b);
	return w.count->changed + w.count->added + w.count->removed + w.count->retyped;
}

const char *jdiff_kind_name(enum jdiff_kind k)
{
	static const char *const names[] = {
		[JDIFF_SAME] = "same", [JDIFF_CHANGED] = "changed", [JDIFF_ADDED] = "added",
		[JDIFF_REMOVED] = "removed", [JDIFF_RETYPED] = "type changed",
	};

	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}
