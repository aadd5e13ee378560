/* ktree.c - a kernel tree of the user's own; see ktree.h. */
#include "vmm/kernel/ktree.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "vmm/kernel/kcache.h"

struct kterr *ktree_realpath(const char *dir, char **real)
{
	char rp[PATH_MAX], *mk = NULL, *text = NULL;
	struct kterr *e = NULL;

	*real = NULL;
	if (!realpath(dir, rp))
		return kterr_hint(kterr_errno("kernel source %s", dir),
				  "--source takes the top directory of a kernel tree");
	mk = kt_path_join(rp, "Makefile");
	if (!mk)
		return kterr_new(ENOMEM, "kernel source %s", dir);
	e = kt_read_file(mk, 1 << 20, &text, NULL);
	if (!e && (!strstr(text, "\nVERSION =") || !strstr(text, "\nPATCHLEVEL =")))
		e = kterr_new(EINVAL, "%s has no VERSION and PATCHLEVEL", mk);
	if (e)
		e = kterr_hint(kterr_wrap(e, "kernel source %s is not a kernel tree", dir),
			       "--source takes the top directory of a kernel tree");
	else if (!(*real = strdup(rp)))
		e = kterr_new(ENOMEM, "kernel source %s", dir);
	free(mk);
	free(text);
	return e;
}

/* The number after "\nNAME = " in a Makefile, or -1. */
static long make_var(const char *text, const char *name)
{
	char *pat = kt_strfmt("\n%s = ", name);
	const char *p = pat ? strstr(text, pat) : NULL;
	long v = -1;

	if (p) {
		char *end;

		p += strlen(pat);
		v = strtol(p, &end, 10);
		if (end == p)
			v = -1;
	}
	free(pat);
	return v;
}

char *ktree_version(const char *real)
{
	char *mk = kt_path_join(real, "Makefile"), *text = NULL, *ver = NULL;
	struct kterr *e = mk ? kt_read_file(mk, 1 << 20, &text, NULL) : kterr_new(ENOMEM, "x");

	if (!e) {
		long v = make_var(text, "VERSION"), p = make_var(text, "PATCHLEVEL");

		if (v >= 0 && p >= 0)
			ver = kt_strfmt("%ld.%ld", v, p);
	}
	kterr_free(e);
	free(mk);
	free(text);
	return ver;
}

void ktree_key(const char *real, char key[17])
{
	const char *in[] = { "ktcon-tree-1", real };
	size_t len[] = { strlen(in[0]), strlen(in[1]) };

	kcache_key(in, len, 2, key);
}

struct kterr *ktree_build_dir(const char *kernels_root, const char *real, char **dir)
{
	char key[17], *parent = strdup(kernels_root), *slash;
	const char *base = strrchr(real, '/');

	*dir = NULL;
	if (!parent)
		return kterr_new(ENOMEM, "build directory of %s", real);
	/* ROOT is .../ktcon/kernels; builds/ is its sibling, so the cache's
	 * own cleanup of kernels/.work-* never touches a kept tree build. */
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	ktree_key(real, key);
	*dir = kt_strfmt("%s/builds/%s-%s", parent, base && base[1] ? base + 1 : "tree", key);
	free(parent);
	return *dir ? NULL : kterr_new(ENOMEM, "build directory of %s", real);
}
