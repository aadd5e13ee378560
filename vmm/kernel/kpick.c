/* kpick.c - which guest kernel a run boots; see kpick.h. */
#include "vmm/kernel/kpick.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "vmm/kernel/kbuild.h"
#include "vmm/kernel/ksched.h"
#include "vmm/kernel/ksource.h"
#include "vmm/kernel/paths.h"

/* KTCON_KERNEL when it is set and not "default", else NULL. */
static const char *env_kernel(void)
{
	const char *env = getenv(KPICK_ENV);

	return env && *env && strcmp(env, "default") ? env : NULL;
}

struct kterr *kpick_entry(const char *version, struct kcache_entry *out)
{
	char *root = NULL, *frag = NULL, key[17];
	bool have_key = false;
	struct kterr *e;

	if (!version && env_kernel() && ksource_is_version(env_kernel()))
		version = env_kernel();
	if (!version)
		version = KSOURCE_DEFAULT_VERSION;
	e = kcache_root(&root);
	/* No fragment or no source: no key to prefer; the newest of the
	 * version still serves (an installed ktcon without its tree). */
	if (!e && !paths_data("guest/kernel.config", &frag) && ksource_lookup(version))
		kterr_free(kbuild_expected_key(version, frag, key, &have_key));
	if (!e)
		e = kcache_select(root, version, have_key ? key : NULL, out, NULL);
	free(root);
	free(frag);
	return e;
}

struct kterr *kpick_bzimage(const char *spec, char **bzimage)
{
	struct kcache_entry ent;
	struct kterr *e;

	*bzimage = NULL;
	if ((!spec || !strcmp(spec, "default")) && env_kernel())
		spec = env_kernel();
	if (spec && strcmp(spec, "default") && !ksource_is_version(spec)) {
		/* A cache entry's directory stands for its bzImage. */
		*bzimage = kt_is_dir(spec) ? kt_path_join(spec, KCACHE_BZIMAGE) : strdup(spec);
		if (!*bzimage)
			return kterr_new(ENOMEM, "kernel path");
		if (!kt_exists(*bzimage)) {
			e = kterr_hint(kterr_errno("kernel %s", *bzimage),
				       "give a version (7.3), the path of a bzImage or of a "
				       "cache entry (`ktcon kernel list` shows them)");
			free(*bzimage);
			*bzimage = NULL;
			return e;
		}
		return NULL;
	}
	e = kpick_entry(spec && strcmp(spec, "default") ? spec : NULL, &ent);
	if (e)
		return e;
	*bzimage = kt_path_join(ent.dir, KCACHE_BZIMAGE);
	kcache_entry_free(&ent);
	return *bzimage ? NULL : kterr_new(ENOMEM, "kernel path");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *kpick_schedulers_line(const char *version)
{
	struct kcache_entry ent;
	struct kterr *e = kpick_entry(version, &ent);
	char *dir, *names[64], *line = NULL;
	size_t n = 0, len;
	struct dirent *d;
	DIR *dp;

	if (e) {
		char *msg = kterr_strdup(e);

		kterr_free(e);
		line = kt_strfmt("Schedulers: no kernel to list them from: %s", msg ? msg : "?");
		free(msg);
		return line;
	}
	dir = kt_path_join(ent.dir, KCACHE_SCHEDULERS);
	dp = dir ? opendir(dir) : NULL;
	while (dp && (d = readdir(dp)) && n < sizeof(names) / sizeof(names[0]))
		if (d->d_name[0] != '.' && (names[n] = strdup(d->d_name)))
			n++;
	if (dp)
		closedir(dp);
	qsort(names, n, sizeof(names[0]), cmp_str);
	len = strlen(ent.name) + 40;
	for (size_t i = 0; i < n; i++) {
		const char *why = ksched_broken(ent.version, names[i]);

		len += strlen(names[i]) + 1;
		if (why)
			len += strlen(names[i]) + strlen(ent.version) + strlen(why) + 32;
	}
	if ((line = malloc(len))) {
		size_t off = (size_t)snprintf(line, len, "Schedulers in %s:", ent.name);

		for (size_t i = 0; i < n; i++)
			off += (size_t)snprintf(line + off, len - off, " %s", names[i]);
		if (!n)
			snprintf(line + off, len - off, " no schedulers (%s is empty)",
				 dir ? dir : KCACHE_SCHEDULERS);
		/* What a recipe naming it gets: PENDING with this reason. */
		for (size_t i = 0; i < n; i++) {
			const char *why = ksched_broken(ent.version, names[i]);

			if (why)
				off += (size_t)snprintf(line + off, len - off,
							"\n%s is known broken on %s: %s",
							names[i], ent.version, why);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(dir);
	kcache_entry_free(&ent);
	return line;
}
