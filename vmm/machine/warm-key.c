/* warm-key.c - a warm state's key and metadata; see warm-key.h. */
#include "vmm/machine/warm-key.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* The key's fields, in hashing and file order. */
static const struct key_field {
	const char *name;
	size_t off, size;
	const char *what;	/* "this run boots ..." */
} key_fields[] = {
#define KF(f, w) { #f, offsetof(struct warm_key, f), sizeof(((struct warm_key *)0)->f), w }
	KF(format, "uses state format"),
	KF(kernel, "boots kernel"),
	KF(vm, "asks for vm"),
	KF(initramfs, "builds initramfs"),
	KF(qemu, "runs QEMU binary"),
	KF(accel, "uses accelerator"),
	KF(tsc_khz, "tells the guest tsc_khz"),
	KF(wire, "speaks wire version"),
#undef KF
};

static const char *kfield(const struct warm_key *k, const struct key_field *f)
{
	return (const char *)k + f->off;
}

void warm_key_hash(const struct warm_key *k, char hash[17])
{
	uint64_t h = KT_FNV_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(key_fields); i++) {
		const char *v = kfield(k, &key_fields[i]);

		h = kt_fnv1a64(h, key_fields[i].name, strlen(key_fields[i].name) + 1);
		h = kt_fnv1a64(h, v, strlen(v) + 1);
	}
	snprintf(hash, 17, "%016" PRIx64, h);
}

struct kterr *warm_key_compare(const struct warm_key *saved, const struct warm_key *want)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_fields); i++) {
		const struct key_field *f = &key_fields[i];

		if (strcmp(kfield(saved, f), kfield(want, f)))
			return kterr_new(0, "%s: saved for '%s', this run %s '%s'", f->name,
					 kfield(saved, f), f->what, kfield(want, f));
	}
	return NULL;
}

/* The other fields: strings and numbers, in file order. */
enum vkind { V_STR, V_U64, V_I64, V_DBL, V_HEX32 };

static const struct meta_field {
	const char *name;
	enum vkind kind;
	size_t off, size;
	bool required;
} meta_fields[] = {
#define MS(f, req) { #f, V_STR, offsetof(struct warm_meta, f), sizeof(((struct warm_meta *)0)->f), req }
#define MN(f, k, req) { #f, k, offsetof(struct warm_meta, f), 0, req }
	MS(hash, true),
	MS(qemu_version, true),
	MN(timeout_scale, V_DBL, true),
	MN(boot_ms, V_U64, true),
	MN(created, V_I64, true),
	MN(stream_bytes, V_U64, true),
	MN(stream_crc, V_HEX32, true),
	MN(ram_bytes, V_U64, true),
	MN(ram_data_bytes, V_U64, false),
	MN(ram_sum, V_U64, true),
	MS(hello_agent, false),
	MS(hello_release, false),
	MS(hello_cpus_online, false),
	MS(hello_scheduler, false),
	MN(hello_uptime_ms, V_U64, false),
#undef MS
#undef MN
};

static bool one_line(const char *s)
{
	return !strchr(s, '\n');
}

char *warm_meta_format(const struct warm_meta *m)
{
	size_t cap = 8192, used = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
#define PUT(...) used += snprintf(out + used, used < cap ? cap - used : 0, __VA_ARGS__)
	PUT("# ktcon warm state: what it was saved from (ktcon(1), WARM START)\n");
	for (size_t i = 0; i < ARRAY_SIZE(key_fields); i++)
		PUT("%s %s\n", key_fields[i].name, kfield(&m->key, &key_fields[i]));
	for (size_t i = 0; i < ARRAY_SIZE(meta_fields); i++) {
		const struct meta_field *f = &meta_fields[i];
		const void *p = (const char *)m + f->off;

		switch (f->kind) {
		case V_STR: PUT("%s %s\n", f->name, (const char *)p); break;
		case V_U64: PUT("%s %" PRIu64 "\n", f->name, *(const uint64_t *)p); break;
		case V_I64: PUT("%s %" PRId64 "\n", f->name, *(const int64_t *)p); break;
		case V_DBL: PUT("%s %.17g\n", f->name, *(const double *)p); break;
		case V_HEX32: PUT("%s %08" PRIx32 "\n", f->name, *(const uint32_t *)p); break;
		}
	}
#undef PUT
	if (used >= cap) {
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(key_fields); i++)
		if (!one_line(kfield(&m->key, &key_fields[i]))) {
			free(out);
			return NULL;
		}
	return out;
}

static struct kterr *set_str(char *dst, size_t size, const char *v, const char *name)
{
	if (strlen(v) >= size)
		return kterr_new(EINVAL, "%s is longer than %zu bytes", name, size - 1);
	strcpy(dst, v);
	return NULL;
}

static struct kterr *set_field(struct warm_meta *m, const char *name, const char *v,
			       uint64_t *seen)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_fields); i++) {
		const struct key_field *f = &key_fields[i];

		if (!strcmp(name, f->name)) {
			*seen |= 1ULL << i;
			return set_str((char *)&m->key + f->off, f->size, v, name);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(meta_fields); i++) {
		const struct meta_field *f = &meta_fields[i];
		void *p = (char *)m + f->off;
		char *end;
		uint64_t u;
		int64_t s;

		if (strcmp(name, f->name))
			continue;
		*seen |= 1ULL << (ARRAY_SIZE(key_fields) + i);
		switch (f->kind) {
		case V_STR:
			return set_str(p, f->size, v, name);
		case V_U64:
			if (!kt_parse_u64(v, &u))
				break;
			*(uint64_t *)p = u;
			return NULL;
		case V_I64:
			if (!kt_parse_i64(v, &s))
				break;
			*(int64_t *)p = s;
			return NULL;
		case V_DBL:
			*(double *)p = strtod(v, &end);
			if (end == v || *end || !(*(double *)p >= 1))
				break;
			return NULL;
		case V_HEX32:
			errno = 0;
			u = strtoull(v, &end, 16);
			if (end == v || *end || errno || u > UINT32_MAX)
				break;
			*(uint32_t *)p = (uint32_t)u;
			return NULL;
		}
		return kterr_new(EINVAL, "%s '%s' is not a valid value", name, v);
	}
	return NULL;	/* a newer ktcon's field */
}

struct kterr *warm_meta_parse(const char *text, size_t len, struct warm_meta *m)
{
	uint64_t seen = 0;
	size_t lineno = 0;
	char want[17];
	struct kterr *e = NULL;
	char *copy = malloc(len + 1);

	_Static_assert(ARRAY_SIZE(key_fields) + ARRAY_SIZE(meta_fields) <= 64, "seen bits");
	if (!copy)
		return kterr_new(ENOMEM, "warm state metadata");
	memcpy(copy, text, len);
	copy[len] = '\0';
	memset(m, 0, sizeof(*m));
	if (strlen(copy) != len) {
		free(copy);
		return kterr_new(EINVAL, "metadata holds a NUL byte");
	}
	for (char *save, *line = strtok_r(copy, "\n", &save); line && !e;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp;

		lineno++;
		if (line[0] == '#')
			continue;
		sp = strchr(line, ' ');
		if (!sp) {
			e = kterr_new(EINVAL, "line %zu: no value (want 'name value')", lineno);
			break;
		}
		*sp = '\0';
		e = set_field(m, line, sp + 1, &seen);
		if (e)
			e = kterr_wrap(e, "line %zu", lineno);
	}
	free(copy);
	if (e)
		return e;
	for (size_t i = 0; i < ARRAY_SIZE(key_fields); i++)
		if (!(seen & (1ULL << i)))
			return kterr_new(0, "no '%s' line", key_fields[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(meta_fields); i++)
		if (meta_fields[i].required && !(seen & (1ULL << (ARRAY_SIZE(key_fields) + i))))
			return kterr_new(0, "no '%s' line", meta_fields[i].name);
	warm_key_hash(&m->key, want);
	if (strcmp(want, m->hash))
		return kterr_new(0, "hash %s does not match its fields (%s)", m->hash, want);
	return NULL;
}
