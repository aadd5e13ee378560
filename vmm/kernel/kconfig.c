/* kconfig.c - guest kernel config fragments; see kconfig.h. */
#include "vmm/kernel/kconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* Append to a growing malloc'd string; on OOM leaves *s NULL-safe. */
static void sbuf_add(char **s, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void sbuf_add(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *piece;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&piece, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char *ns = realloc(*s, *len + n + 1);
	if (!ns) {
		free(piece);
		return;
	}
	memcpy(ns + *len, piece, n + 1);
	*s = ns;
	*len += n;
	free(piece);
}

static bool valid_name(const char *s, size_t n)
{
	if (n <= 7 || strncmp(s, "CONFIG_", 7))
		return false;
	for (size_t i = 7; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static struct kconfig_opt *find_opt(struct kconfig_frag *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->opts[i].name, name))
			return &f->opts[i];
	return NULL;
}

/* Split "VALUE   # comment" into the value and whether the comment says
 * "required". Quoted values may contain '#'. */
static char *split_value(char *v, bool *required)
{
	bool inq = false;
	char *p;

	for (p = v; *p; p++) {
		if (*p == '"' && (p == v || p[-1] != '\\'))
			inq = !inq;
		else if (*p == '#' && !inq)
			break;
	}
	*required = false;
	if (*p == '#') {
		*required = strstr(p, "required") != NULL;
		*p = '\0';
	}
	return kt_strtrim(v);
}

struct kterr *kconfig_frag_parse(const char *text, const char *origin,
				 struct kconfig_frag *out)
{
	char *copy = strdup(text), *save = NULL, *line;
	struct kconfig_frag f = { .origin = strdup(origin) };
	struct kterr *err = NULL;
	int lineno = 0;

	if (!copy || !f.origin) {
		free(copy);
		free(f.origin);
		return kterr_new(ENOMEM, "parse %s", origin);
	}
	/* strtok_r would merge empty lines and lose line numbers: walk by hand. */
	for (line = copy; line && !err; line = save) {
		char *nl = strchr(line, '\n');

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		char *s = kt_strtrim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq || !valid_name(s, eq - s)) {
			err = kterr_new(EINVAL, "%s:%d: expected CONFIG_NAME=VALUE, got '%s'",
					origin, lineno, s);
			break;
		}
		*eq = '\0';
		bool required;
		char *val = split_value(eq + 1, &required);
		if (!*val) {
			err = kterr_new(EINVAL, "%s:%d: %s has no value (write %s=n to turn it off)",
					origin, lineno, s, s);
			break;
		}
		struct kconfig_opt *o = find_opt(&f, s);
		if (!o) {
			struct kconfig_opt *no = realloc(f.opts, (f.n + 1) * sizeof(*no));
			if (!no) {
				err = kterr_new(ENOMEM, "parse %s", origin);
				break;
			}
			f.opts = no;
			o = &f.opts[f.n++];
			memset(o, 0, sizeof(*o));
			o->name = strdup(s);
		}
		free(o->value);
		free(o->origin);
		o->value = strdup(val);
		o->origin = strdup(origin);
		o->required = required;
		o->line = lineno;
		if (!o->name || !o->value || !o->origin)
			err = kterr_new(ENOMEM, "parse %s", origin);
	}
	free(copy);
	if (err) {
		kconfig_frag_free(&f);
		return err;
	}
	*out = f;
	return NULL;
}

char *kconfig_frag_render(const struct kconfig_frag *f)
{
	char *s = strdup("");
	size_t len = 0;

	for (size_t i = 0; s && i < f->n; i++) {
		const struct kconfig_opt *o = &f->opts[i];

		if (!strcmp(o->value, "n"))
			sbuf_add(&s, &len, "# %s is not set\n", o->name);
		else
			sbuf_add(&s, &len, "%s=%s\n", o->name, o->value);
	}
	return s;
}

char *kconfig_value(const char *dotconfig, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = dotconfig; p && *p; ) {
		const char *end = strchr(p, '\n');
		size_t ll = end ? (size_t)(end - p) : strlen(p);

		if (ll > nl && !strncmp(p, name, nl) && p[nl] == '=')
			return strndup(p + nl + 1, ll - nl - 1);
		p = end ? end + 1 : NULL;
	}
	return strdup("n");
}

struct kterr *kconfig_check(const struct kconfig_frag *f, const char *dotconfig,
			    char **warnings)
{
	char *fatal = NULL, *warn = NULL;
	size_t flen = 0, wlen = 0;
	int nfatal = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct kconfig_opt *o = &f->opts[i];
		char *got = kconfig_value(dotconfig, o->name);

		if (got && strcmp(got, o->value)) {
			if (o->required) {
				sbuf_add(&fatal, &flen, "%s%s=%s (%s:%d) became %s",
					 nfatal ? "; " : "", o->name, o->value,
					 o->origin, o->line,
					 !strcmp(got, "n") ? "not set" : got);
				nfatal++;
			} else {
				sbuf_add(&warn, &wlen, "%s=%s (%s:%d) became %s\n",
					 o->name, o->value, o->origin, o->line,
					 !strcmp(got, "n") ? "not set" : got);
			}
		}
		free(got);
	}
	if (warnings)
		*warnings = warn;
	else
		free(warn);
	if (nfatal) {
		struct kterr *e = kterr_new(0, "%d required option%s dropped by Kconfig: %s",
					    nfatal, nfatal > 1 ? "s" : "",
					    fatal ? fatal : "?");
		free(fatal);
		return kterr_hint(e, "a dependency is missing; look the option up with "
				  "`make menuconfig` (/ searches) and add what it depends on to %s",
				  f->origin);
	}
	return NULL;
}

struct kterr *kconfig_frag_merge(struct kconfig_frag *into, const struct kconfig_frag *add)
{
	for (size_t i = 0; i < add->n; i++) {
		const struct kconfig_opt *a = &add->opts[i];
		struct kconfig_opt *o = find_opt(into, a->name);

		if (!o) {
			struct kconfig_opt *no = realloc(into->opts, (into->n + 1) * sizeof(*no));
			if (!no)
				return kterr_new(ENOMEM, "merge %s", add->origin);
			into->opts = no;
			o = &into->opts[into->n++];
			memset(o, 0, sizeof(*o));
			o->name = strdup(a->name);
		}
		free(o->value);
		free(o->origin);
		o->value = strdup(a->value);
		o->origin = strdup(a->origin);
		o->required = a->required;
		o->line = a->line;
		if (!o->name || !o->value || !o->origin)
			return kterr_new(ENOMEM, "merge %s", add->origin);
	}
	return NULL;
}

void kconfig_frag_free(struct kconfig_frag *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->opts[i].name);
		free(f->opts[i].value);
		free(f->opts[i].origin);
	}
	free(f->opts);
	free(f->origin);
	memset(f, 0, sizeof(*f));
}
