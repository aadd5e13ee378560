/* snapfile.c - a saved capture read back; see snapfile.h. */
#include "engine/snapfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/kjson.h"
#include "lib/util.h"

#define MAX_FOUND 256

struct found {
	struct json_object *v[MAX_FOUND];
	size_t n;
};

static bool is_snapshot(struct json_object *v)
{
	return json_object_is_type(kjson_get(v, "snapshot"), json_type_int) &&
	       json_object_is_type(kjson_get(v, "tag"), json_type_string) &&
	       json_object_is_type(kjson_get(v, "vcpus"), json_type_array);
}

/* Every snapshot in v, in document order (not the ones inside one). */
static void find(struct json_object *v, struct found *f)
{
	if (is_snapshot(v)) {
		if (f->n < MAX_FOUND)
			f->v[f->n++] = v;
		return;
	}
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			find(json_object_array_get_idx(v, i), f);
	} else if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, m) {
			(void)k;
			find(m, f);
		}
	}
}

static const char *tag_of(struct json_object *snap)
{
	return json_object_get_string(kjson_get(snap, "tag"));
}

/* FILE, or FILE:TAG when FILE itself is not there but the part before
 * the last ':' is. *path and *tag are malloc'd (tag may be NULL). */
static struct kterr *split(const char *arg, char **path, char **tag)
{
	const char *colon = strrchr(arg, ':');

	*tag = NULL;
	if (access(arg, F_OK) && colon && colon > arg) {
		*path = strndup(arg, (size_t)(colon - arg));
		*tag = strdup(colon + 1);
		if (!*path || !*tag) {
			free(*path);
			free(*tag);
			return kterr_new(ENOMEM, "%s", arg);
		}
		return NULL;
	}
	*path = strdup(arg);
	return *path ? NULL : kterr_new(ENOMEM, "%s", arg);
}

/* The snapshot path[:tag] names among f's. */
static struct kterr *pick(const struct found *f, const char *path, const char *tag,
			  struct json_object **out)
{
	char list[512] = "";
	size_t len = 0;

	if (!f->n)
		return kterr_hint(kterr_new(0, "%s: no snapshot in it", path),
				  "save one with the console's `save snapshot TAG FILE`, or "
				  "take one with capture-snapshot and `ktcon run --json FILE`");
	for (size_t i = f->n; tag && i-- > 0;)
		if (!strcmp(tag_of(f->v[i]), tag)) {
			*out = f->v[i];
			return NULL;
		}
	if (!tag && f->n == 1) {
		*out = f->v[0];
		return NULL;
	}
	for (size_t i = 0; i < f->n && len + 2 < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					tag_of(f->v[i]));
	if (tag)
		return kterr_hint(kterr_new(0, "%s: no snapshot tagged '%s'", path, tag),
				  "it holds: %s", list);
	return kterr_hint(kterr_new(0, "%s holds %zu snapshots", path, f->n),
			  "name one as %s:TAG; it holds: %s", path, list);
}

struct kterr *kt_snapfile_load(const char *arg, struct json_object **out)
{
	struct json_object *doc = NULL, *snap = NULL;
	struct found *f = NULL;
	char *path = NULL, *tag = NULL, *text = NULL;
	size_t len = 0;
	struct kterr *e;

	*out = NULL;
	e = split(arg, &path, &tag);
	if (!e)
		e = kt_read_file(path, KT_SNAPFILE_MAX_BYTES, &text, &len);
	if (!e && (e = kjson_parse(text, len, &doc)))
		e = kterr_wrap(e, "%s is not JSON", path);
	if (!e && !(f = calloc(1, sizeof(*f))))
		e = kterr_new(ENOMEM, "%s", path);
	if (!e) {
		find(doc, f);
		e = pick(f, path, tag, &snap);
	}
	/* The caller's own tree: the snapshot taken out of the document. */
	if (!e && json_object_deep_copy(snap, out, NULL))
		e = kterr_new(ENOMEM, "%s", path);
	json_object_put(doc);
	free(f);
	free(text);
	free(path);
	free(tag);
	return e;
}
