/* shard.c - deterministic shards and the timings that balance them; see
 * shard.h. */
#include "engine/shard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kjson.h"
#include "lib/util.h"

/* A timing file is a results file; a big suite's is a few MB. */
#define TIMINGS_MAX_BYTES (256u << 20)

struct kterr *kt_shard_parse(const char *spec, unsigned *k, unsigned *n)
{
	const char *slash = spec ? strchr(spec, '/') : NULL;
	char *end;
	unsigned long kk, nn;

	if (!slash || slash == spec || !slash[1] || spec[0] < '0' || spec[0] > '9' ||
	    slash[1] < '0' || slash[1] > '9')
		goto bad;
	kk = strtoul(spec, &end, 10);
	if (end != slash)
		goto bad;
	nn = strtoul(slash + 1, &end, 10);
	if (*end)
		goto bad;
	if (nn < 1 || nn > KT_SHARD_MAX)
		return kterr_new(EINVAL, "--shard '%s': N must be 1 to %d", spec, KT_SHARD_MAX);
	if (kk < 1 || kk > nn)
		return kterr_new(EINVAL, "--shard '%s': K must be 1 to N (%lu)", spec, nn);
	*k = (unsigned)kk;
	*n = (unsigned)nn;
	return NULL;
bad:
	return kterr_new(EINVAL, "--shard '%s' is not K/N (two numbers, 1 <= K <= N <= %d, e.g. 2/4)",
			 spec ? spec : "", KT_SHARD_MAX);
}

char *kt_shard_key(const char *path)
{
	char *key = malloc(strlen(path) + 1), *o = key;
	const char *p = path;

	if (!key)
		return NULL;
	while (p[0] == '.' && p[1] == '/') {
		p += 2;
		while (*p == '/')
			p++;
	}
	for (; *p; p++)
		if (*p != '/' || o == key || o[-1] != '/')
			*o++ = *p;
	*o = '\0';
	return key;
}

struct keyed {
	struct kt_shard_item item;
	char *key;
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

/* Longest first, then by key. */
static int by_estimate(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->item.est_ns != y->item.est_ns)
		return x->item.est_ns > y->item.est_ns ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct kterr *kt_shard_assign(struct kt_shard_item *v, size_t n, unsigned nshards, bool timed)
{
	struct keyed *k = calloc(n ? n : 1, sizeof(*k));
	uint64_t *load = calloc(nshards ? nshards : 1, sizeof(*load));
	struct kterr *e = NULL;

	if (!k || !load) {
		e = kterr_new(ENOMEM, "sharding %zu recipes", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		k[i].item = v[i];
		if (!(k[i].key = kt_shard_key(v[i].path))) {
			e = kterr_new(ENOMEM, "sharding %zu recipes", n);
			goto out;
		}
	}
	if (timed) {
		qsort(k, n, sizeof(*k), by_estimate);
		for (size_t i = 0; i < n; i++) {
			unsigned best = 0;

			for (unsigned s = 1; s < nshards; s++)
				if (load[s] < load[best])
					best = s;
			load[best] += k[i].item.est_ns;
			k[i].item.shard = best + 1;
		}
		qsort(k, n, sizeof(*k), by_key);
	} else {
		qsort(k, n, sizeof(*k), by_key);
		for (size_t i = 0; i < n; i++)
			k[i].item.shard = (unsigned)(i % nshards) + 1;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = k[i].item;
out:
	for (size_t i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
	free(load);
	return e;
}

/* ---- timings ---- */

struct kt_timings {
	struct timing {
		char *key;
		const char *base;	/* inside key */
		uint64_t ns;
	} *v;
	size_t n;
};

static const char *base_name(const char *key)
{
	const char *s = strrchr(key, '/');

	return s ? s + 1 : key;
}

static struct kterr *add_timing(struct kt_timings *t, const char *recipe, uint64_t ns)
{
	char *key = kt_shard_key(recipe);
	struct timing *nv;

	if (!key)
		return kterr_new(ENOMEM, "timings");
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].key, key)) {	/* listed again: the last wins */
			t->v[i].ns = ns;
			free(key);
			return NULL;
		}
	nv = realloc(t->v, (t->n + 1) * sizeof(*nv));
	if (!nv) {
		free(key);
		return kterr_new(ENOMEM, "timings");
	}
	t->v = nv;
	t->v[t->n++] = (struct timing){ .key = key, .base = base_name(key), .ns = ns };
	return NULL;
}

/* One run record: {"recipe": "...", "results": {"duration_ns": N} | null}. */
static struct kterr *add_record(struct kt_timings *t, struct json_object *rec, size_t idx)
{
	struct json_object *res;
	const char *recipe;
	int64_t ns;
	struct kterr *e = kjson_member_str(rec, "recipe", &recipe);

	if (e)
		return kterr_wrap(e, "record %zu", idx);
	if (!json_object_object_get_ex(rec, "results", &res) || !res)
		return NULL;		/* pending or error: no duration */
	e = kjson_member_int(res, "duration_ns", &ns);
	if (e)
		return kterr_wrap(e, "record %zu (%s): results", idx, recipe);
	if (ns < 0)
		return kterr_new(EINVAL, "record %zu (%s): negative duration_ns", idx, recipe);
	return add_timing(t, recipe, (uint64_t)ns);
}

struct kterr *kt_timings_load(const char *file, struct kt_timings **out)
{
	struct kt_timings *t = calloc(1, sizeof(*t));
	struct json_object *root = NULL;
	char *buf = NULL;
	size_t len = 0, idx = 0;
	struct kterr *e;

	*out = NULL;
	if (!t)
		return kterr_new(ENOMEM, "timings %s", file);
	e = kt_read_file(file, TIMINGS_MAX_BYTES, &buf, &len);
	if (!e)
		e = kjson_parse(buf, len, &root);
	if (!e && !json_object_is_type(root, json_type_array))
		e = kterr_new(EINVAL, "the top level is a JSON %s, not the array `ktcon run --json` writes",
			      kjson_type_name(root));
	for (size_t i = 0; !e && i < json_object_array_length(root); i++) {
		struct json_object *el = json_object_array_get_idx(root, i);

		if (json_object_is_type(el, json_type_array)) {	/* merged shards */
			for (size_t j = 0; !e && j < json_object_array_length(el); j++)
				e = add_record(t, json_object_array_get_idx(el, j), idx++);
		} else {
			e = add_record(t, el, idx++);
		}
	}
	json_object_put(root);
	free(buf);
	if (e) {
		kt_timings_free(t);
		return kterr_wrap(e, "timings file %s", file);
	}
	*out = t;
	return NULL;
}

bool kt_timings_find(const struct kt_timings *t, const char *path, uint64_t *ns)
{
	char *key = t ? kt_shard_key(path) : NULL;
	const struct timing *by_base = NULL;
	size_t nbase = 0;
	bool found = false;

	for (size_t i = 0; key && i < t->n && !found; i++) {
		if (!strcmp(t->v[i].key, key)) {
			*ns = t->v[i].ns;
			found = true;
		} else if (!strcmp(t->v[i].base, base_name(key))) {
			by_base = &t->v[i];
			nbase++;
		}
	}
	if (!found && nbase == 1) {
		*ns = by_base->ns;
		found = true;
	}
	free(key);
	return found;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void kt_timings_estimate(const struct kt_timings *t, struct kt_shard_item *v, size_t n)
{
	uint64_t *known = calloc(n ? n : 1, sizeof(*known)), fill = KT_SHARD_DEFAULT_NS;
	size_t nk = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t ns;

		v[i].known = kt_timings_find(t, v[i].path, &ns);
		v[i].est_ns = v[i].known ? ns + KT_SHARD_BOOT_NS : 0;
		if (v[i].known && known)
			known[nk++] = v[i].est_ns;
	}
	if (nk) {	/* the median; of an even count, the lower middle */
		qsort(known, nk, sizeof(*known), cmp_u64);
		fill = known[(nk - 1) / 2];
	}
	for (size_t i = 0; i < n; i++)
		if (!v[i].known)
			v[i].est_ns = fill;
	free(known);
}

size_t kt_timings_count(const struct kt_timings *t)
{
	return t ? t->n : 0;
}

void kt_timings_free(struct kt_timings *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
	free(t);
}
