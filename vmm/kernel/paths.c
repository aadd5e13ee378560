/* paths.c - locate ktcon's own files; see paths.h. */
#include "vmm/kernel/paths.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

static struct kterr *first_existing(const char *what, const char *const *cands,
				    size_t n, char **out)
{
	for (size_t i = 0; i < n; i++) {
		if (cands[i] && kt_exists(cands[i])) {
			*out = strdup(cands[i]);
			return *out ? NULL : kterr_new(ENOMEM, "locate %s", what);
		}
	}
	return kterr_hint(kterr_new(ENOENT, "cannot find %s (looked in %s, %s, %s)", what,
				    cands[1] ? cands[1] : "-", cands[2] ? cands[2] : "-",
				    cands[n - 1] ? cands[n - 1] : "-"),
			  "run ktcon from its build tree after `make`, or `make install`");
}

static struct kterr *lookup(const char *env, const char *rel, const char *installed_dir,
			    bool prefer_build, char **out)
{
	const char *e = getenv(env);
	char *base = strdup(rel);
	char *c[4] = { 0 };
	struct kterr *err;

	c[0] = e ? kt_path_join(e, basename(base)) : NULL;
	c[1] = kt_path_join(prefer_build ? KTCON_BUILDDIR : KTCON_SRCDIR, rel);
	c[2] = kt_path_join(prefer_build ? KTCON_SRCDIR : KTCON_BUILDDIR, rel);
	c[3] = kt_path_join(installed_dir, basename(base));
	err = first_existing(rel, (const char *const *)c, 4, out);
	for (int i = 0; i < 4; i++)
		free(c[i]);
	free(base);
	return err;
}

struct kterr *paths_data(const char *rel, char **out)
{
	return lookup("KTCON_DATADIR", rel, KTCON_PKGDATADIR, false, out);
}

struct kterr *paths_libexec(const char *rel, char **out)
{
	return lookup("KTCON_LIBEXECDIR", rel, KTCON_PKGLIBEXECDIR, true, out);
}
