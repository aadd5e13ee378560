/* con-sym.c - symbols for RIPs and Tab in the console; see con-sym.h. */
#include "tui/con-sym.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/kjson.h"
#include "lib/util.h"
#include "vmm/kernel/kcache.h"

struct con_syms {
	_Atomic(struct ksyms *) ks;	/* published once, read by any thread */
	bool tried;			/* UI thread only */
};

struct con_syms *con_syms_new(void)
{
	return calloc(1, sizeof(struct con_syms));
}

void con_syms_free(struct con_syms *s)
{
	if (!s)
		return;
	ksyms_free(atomic_load(&s->ks));
	free(s);
}

struct kterr *con_syms_load(struct con_syms *s, const char *kernel)
{
	const char *slash = strrchr(kernel, '/');
	struct ksyms *ks;
	struct kterr *e;
	char *path;

	if (s->tried)
		return NULL;
	s->tried = true;
	path = slash ? kt_strfmt("%.*s/%s", (int)(slash - kernel), kernel, KCACHE_VMLINUX)
		     : strdup(KCACHE_VMLINUX);
	if (!path)
		return kterr_new(ENOMEM, "the symbols of %s", kernel);
	e = ksyms_load(path, &ks);
	free(path);
	if (e)
		return kterr_hint(kterr_wrap(e, "RIPs stay unsymbolized"),
				  "a kernel from `ktcon kernel build` has its vmlinux beside the "
				  "bzImage");
	atomic_store(&s->ks, ks);
	return NULL;
}

const struct ksyms *con_syms_table(const struct con_syms *s)
{
	return s ? atomic_load(&s->ks) : NULL;
}

/* At p: "rip" or "RIP" as a word, then ["] [:|=] [ ]* ["] 0x: the
 * address's first hex digit, or NULL. */
static const char *rip_at(const char *text, const char *p)
{
	if (strncmp(p, "rip", 3) && strncmp(p, "RIP", 3))
		return NULL;
	if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
		return NULL;
	p += 3;
	if (*p == '"')
		p++;
	if (*p == ':' || *p == '=')
		p++;
	while (*p == ' ')
		p++;
	if (*p == '"')
		p++;
	if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X') || !isxdigit((unsigned char)p[2]))
		return NULL;
	return p + 2;
}

char *con_sym_rewrite(const struct ksyms *ks, const char *text)
{
	char *out = NULL, sym[160];
	size_t len = 0, cap = 0;
	const char *from = text;
	bool changed = false;

	if (!ks || !text || !strcasestr(text, "rip"))
		return NULL;
	for (const char *p = text; *p; p++) {
		const char *hex = rip_at(text, p), *end;
		uint64_t addr;
		char *stop;
		int n;

		if (!hex)
			continue;
		errno = 0;
		addr = strtoull(hex, &stop, 16);
		end = stop;
		if (errno || (n = ksyms_fmt_addr(ks, addr, sym, sizeof(sym))) <= 0)
			continue;
		/* text up to the address's end, then the symbol */
		size_t need = len + (size_t)(end - from) + (size_t)n + 4;

		if (need > cap) {
			char *t = realloc(out, cap = need * 2);

			if (!t) {
				free(out);
				return NULL;
			}
			out = t;
		}
		memcpy(out + len, from, (size_t)(end - from));
		len += (size_t)(end - from);
		len += (size_t)snprintf(out + len, cap - len, " (%s)", sym);
		from = end;
		p = end - 1;
		changed = true;
	}
	if (!changed)
		return NULL;
	size_t rest = strlen(from);
	char *t = realloc(out, len + rest + 1);

	if (!t) {
		free(out);
		return NULL;
	}
	memcpy(t + len, from, rest + 1);
	return t;
}

char *con_syms_rewrite(void *ctx, const char *text)
{
	return con_sym_rewrite(con_syms_table(ctx), text);
}

size_t con_syms_complete(const struct con_syms *s, const char *prefix, char **out, size_t max)
{
	const struct ksyms *ks = con_syms_table(s);
	const struct ksym *first;
	size_t n, take, k = 0;

	if (!ks || !*prefix)	/* all 35000 names help nobody */
		return 0;
	n = ksyms_prefixed(ks, prefix, &first);
	if (max > CON_SYM_COMPLETE_MAX)
		max = CON_SYM_COMPLETE_MAX;
	take = n < max ? n : max;
	for (size_t i = 0; i < take; i++) {
		/* Cut: the last slot holds the range's last name, so the
		 * common prefix of what is offered is the whole range's. */
		const struct ksym *sym = (i == take - 1 && n > take) ? &first[n - 1] : &first[i];

		if ((out[k] = strdup(sym->name)))
			k++;
	}
	return k;
}

void con_sym_tree(const struct ksyms *ks, struct json_object *v)
{
	char sym[160], *text;

	if (!ks)
		return;
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			con_sym_tree(ks, json_object_array_get_idx(v, i));
		return;
	}
	if (!json_object_is_type(v, json_type_object))
		return;
	json_object_object_foreach(v, key, m) {
		const char *s = json_object_get_string(m);
		uint64_t addr;
		char *end;

		if (!json_object_is_type(m, json_type_string)) {
			con_sym_tree(ks, m);
			continue;
		}
		if (strcasecmp(key, "rip") || strncmp(s, "0x", 2))
			continue;
		errno = 0;
		addr = strtoull(s, &end, 16);
		if (errno || *end || ksyms_fmt_addr(ks, addr, sym, sizeof(sym)) <= 0)
			continue;
		if ((text = kt_strfmt("%s (%s)", s, sym)))
			json_object_set_string(m, text);
		free(text);
	}
}
