/* ksource.c - kernel versions and their Debian source packages; see ksource.h. */
#include "vmm/kernel/ksource.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "vmm/kernel/kcache.h"
#include "vmm/machine/spawn.h"

static const struct ksource_version versions[] = {
	/* The LTS: bookworm installs it from bookworm-security; a machine
	 * without it fetches trixie's, the suite whose kernel it is. */
	{ "6.12", "linux-source-6.12", "trixie", NULL },
	/* sched_ext as it is developed now (kernel/sched/ext/). */
	{ "7.3", "linux-source-7.3", "trixie-backports", "guest/kernel-7.3.config" },
};

const struct ksource_version *ksource_lookup(const char *version)
{
	for (size_t i = 0; version && i < ARRAY_SIZE(versions); i++)
		if (!strcmp(versions[i].version, version))
			return &versions[i];
	return NULL;
}

struct kterr *ksource_find(const char *version, const struct ksource_version **out)
{
	char known[64] = "";

	*out = ksource_lookup(version);
	if (*out)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 i ? ", " : "", versions[i].version);
	return kterr_hint(kterr_new(EINVAL, "kernel version '%s' is not one ktcon builds",
				    version ? version : ""),
			  "known versions: %s; a kernel tree of your own builds with --source DIR",
			  known);
}

bool ksource_is_version(const char *s)
{
	size_t i = 0, dots = 0;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	for (; s[i]; i++) {
		if (s[i] == '.') {
			if (dots++ || !isdigit((unsigned char)s[i + 1]))
				return false;
		} else if (!isdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return dots == 1 && i < 16;
}

/* A URI is a Debian archive when its path ends in /debian. */
static bool debian_archive(const char *uri, size_t n)
{
	while (n && uri[n - 1] == '/')
		n--;
	return n > 7 && !strncmp(uri + n - 7, "/debian", 7) && strstr(uri, "://");
}

static char *uri_trimmed(const char *uri, size_t n)
{
	while (n && uri[n - 1] == '/')
		n--;
	return strndup(uri, n);
}

/* Walk the whitespace-separated words of [p, end): the first Debian
 * archive among them, or NULL. */
static char *first_archive(const char *p, const char *end)
{
	while (p < end) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		const char *w = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		if (p > w && debian_archive(w, p - w))
			return uri_trimmed(w, p - w);
	}
	return NULL;
}

char *ksource_mirror_in(const char *text)
{
	for (const char *p = text; p && *p; ) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		const char *s = p;
		char *uri = NULL;

		while (s < end && isspace((unsigned char)*s))
			s++;
		if (end - s > 5 && !strncasecmp(s, "URIs:", 5)) {
			uri = first_archive(s + 5, end);
		} else if (end - s > 4 && !strncmp(s, "deb", 3) && isspace((unsigned char)s[3])) {
			/* "deb [options] URI suite components": skip the options. */
			const char *q = s + 4;
			while (q < end && isspace((unsigned char)*q))
				q++;
			if (q < end && *q == '[') {
				const char *close = memchr(q, ']', end - q);
				q = close ? close + 1 : end;
			}
			while (q < end && isspace((unsigned char)*q))
				q++;
			const char *w = q;
			while (q < end && !isspace((unsigned char)*q))
				q++;
			if (q > w && debian_archive(w, q - w))
				uri = uri_trimmed(w, q - w);
		}
		if (uri)
			return uri;
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static char *mirror_in_file(const char *path)
{
	char *text = NULL, *uri = NULL;
	struct kterr *e = kt_read_file(path, 1 << 20, &text, NULL);

	if (!e)
		uri = ksource_mirror_in(text);
	kterr_free(e);
	free(text);
	return uri;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

char *ksource_system_mirror(void)
{
	static const char dir[] = "/etc/apt/sources.list.d";
	char *uri = mirror_in_file("/etc/apt/sources.list");
	struct dirent **names = NULL;
	int n = uri ? 0 : scandir(dir, &names, NULL, by_name);

	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		size_t l = strlen(d);

		if (!uri && ((l > 5 && !strcmp(d + l - 5, ".list")) ||
			     (l > 8 && !strcmp(d + l - 8, ".sources")))) {
			char *p = kt_path_join(dir, d);
			uri = p ? mirror_in_file(p) : NULL;
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return uri ? uri : strdup(KSOURCE_FALLBACK_MIRROR);
}

static struct kterr *sources_root(char **out)
{
	char *kernels = NULL;
	struct kterr *e = kcache_root(&kernels);

	if (e)
		return e;
	/* ROOT is .../ktcon/kernels; its sibling holds the sources. */
	char *slash = strrchr(kernels, '/');
	if (slash)
		*slash = '\0';
	*out = kt_path_join(kernels, "sources");
	free(kernels);
	return *out ? NULL : kterr_new(ENOMEM, "kernel sources path");
}

static void capture_first(const char *line, void *ctx)
{
	char **dst = ctx;

	if (!*dst && *line)
		*dst = strdup(line);
}

/* The one .deb apt-get download left in dir (malloc'd), or NULL. */
static char *find_deb(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *deb = NULL;

	while (d && !deb && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && !strcmp(de->d_name + l - 4, ".deb"))
			deb = kt_path_join(dir, de->d_name);
	}
	if (d)
		closedir(d);
	return deb;
}

/* Fetch v's package into work (a private apt root) and move its tarball to
 * final. Each step's output goes to work/fetch.log. */
static struct kterr *fetch(const struct ksource_version *v, const char *work,
			   const char *final, FILE *out)
{
	char *mirror = ksource_system_mirror();
	char *list = kt_path_join(work, "sources.list");
	char *lists = kt_path_join(work, "lists");
	char *cache = kt_path_join(work, "cache");
	char *x = kt_path_join(work, "x");
	char *line = kt_strfmt("deb %s %s main\n", mirror ? mirror : KSOURCE_FALLBACK_MIRROR,
			       v->suite);
	char *o_list = kt_strfmt("Dir::Etc::SourceList=%s", list ? list : "");
	char *o_lists = kt_strfmt("Dir::State::Lists=%s", lists ? lists : "");
	char *o_cache = kt_strfmt("Dir::Cache=%s", cache ? cache : "");
	char *inner = kt_strfmt("%s/usr/src/%s.tar.xz", x ? x : "", v->package);
	char *deb = NULL, *version = NULL;
	struct kterr *e = NULL;

	if (!mirror || !list || !lists || !cache || !x || !line || !o_list || !o_lists ||
	    !o_cache || !inner) {
		e = kterr_new(ENOMEM, "fetch %s", v->package);
		goto out;
	}
	fprintf(out, "kernel build: fetching %s from %s %s into %s "
		"(a private apt root; the system's apt configuration is not touched)\n",
		v->package, mirror, v->suite, work);
	fflush(out);
	e = kt_write_file(list, line, strlen(line));
	if (!e) {
		char *p = kt_path_join(lists, "partial");
		e = p ? kt_mkdir_p(p, 0755) : kterr_new(ENOMEM, "fetch");
		free(p);
	}
	if (!e) {
		char *p = kt_path_join(cache, "archives/partial");
		e = p ? kt_mkdir_p(p, 0755) : kterr_new(ENOMEM, "fetch");
		free(p);
	}
	/* SourceParts=/dev/null: none of the system's sources.list.d. */
	const char *update[] = { "apt-get", "-q", "-o", o_list, "-o",
				 "Dir::Etc::SourceParts=/dev/null", "-o", o_lists,
				 "-o", o_cache, "update", NULL };
	const char *download[] = { "apt-get", "-q", "-o", o_list, "-o",
				   "Dir::Etc::SourceParts=/dev/null", "-o", o_lists,
				   "-o", o_cache, "download", v->package, NULL };
	struct spawn_opts so = { .cwd = work, .log_fd = -1 };
	if (!e)
		e = kterr_wrap(spawn_run(update, &so), "read the package index of %s %s",
			       mirror, v->suite);
	if (!e)
		e = kterr_wrap(spawn_run(download, &so), "download %s", v->package);
	if (!e && !(deb = find_deb(work)))
		e = kterr_new(ENOENT, "apt-get download left no .deb in %s", work);
	if (!e) {
		const char *field[] = { "dpkg-deb", "-f", deb, "Version", NULL };
		struct spawn_opts fo = { .log_fd = -1, .on_line = capture_first, .ctx = &version };
		kterr_free(spawn_run(field, &fo));
		const char *extract[] = { "dpkg-deb", "-x", deb, x, NULL };
		e = kterr_wrap(spawn_run(extract, &so), "unpack %s", deb);
	}
	if (!e && rename(inner, final) < 0)
		e = kterr_errno("move %s to %s", inner, final);
	if (!e)
		fprintf(out, "kernel build: %s %s is in %s\n", v->package,
			version ? version : "", final);
out:
	if (e)
		e = kterr_hint(e, "needs network access to %s; or install %s with apt-get",
			       mirror ? mirror : KSOURCE_FALLBACK_MIRROR, v->package);
	free(mirror); free(list); free(lists); free(cache); free(x); free(line);
	free(o_list); free(o_lists); free(o_cache); free(inner); free(deb); free(version);
	return e;
}

char *ksource_local_tarball(const struct ksource_version *v)
{
	char *root = NULL, *p = kt_strfmt("/usr/src/%s.tar.xz", v->package);

	if (p && kt_exists(p))
		return p;
	free(p);
	p = NULL;
	if (!sources_root(&root))
		p = kt_strfmt("%s/%s/%s.tar.xz", root, v->version, v->package);
	if (p && !kt_exists(p)) {
		free(p);
		p = NULL;
	}
	free(root);
	return p;
}

struct kterr *ksource_tarball(const struct ksource_version *v, FILE *out, char **tarball)
{
	char *root = NULL, *dir = NULL, *final = NULL, *work = NULL;
	struct kterr *e;

	*tarball = ksource_local_tarball(v);
	if (*tarball)
		return NULL;
	e = sources_root(&root);
	if (!e) {
		dir = kt_path_join(root, v->version);
		final = dir ? kt_strfmt("%s/%s.tar.xz", dir, v->package) : NULL;
		/* Per process: two fetches never share a private apt root, and
		 * the rename makes the tarball appear whole or not at all. */
		work = dir ? kt_strfmt("%s/.fetch-%d", dir, (int)getpid()) : NULL;
		if (!final || !work)
			e = kterr_new(ENOMEM, "kernel source");
	}
	if (!e) {
		e = kt_rm_rf(work);
		if (!e)
			e = kt_mkdir_p(work, 0755);
		if (!e)
			e = fetch(v, work, final, out ? out : stderr);
		kterr_free(kt_rm_rf(work));
	}
	if (!e)
		*tarball = final, final = NULL;
	free(root);
	free(dir);
	free(final);
	free(work);
	return e ? kterr_wrap(e, "kernel source %s", v->version) : NULL;
}
