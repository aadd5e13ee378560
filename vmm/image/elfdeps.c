/* elfdeps.c - DT_NEEDED closure with libelf; see elfdeps.h. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "vmm/image/elfdeps.h"

#define ELFDEPS_MAX_LIBS 256	/* a runaway closure is a bug, not a payload */
#define LDSO_CONF "/etc/ld.so.conf"
#define LDSO_CONF_DEPTH 4

/* The loader's built-in directories (glibc's slibdir and libdir, Debian's
 * multiarch first). */
static const char *const system_dirs[] = {
#if defined(__x86_64__)
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
#endif
	"/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

/* What one object says about itself. */
struct elfinfo {
	int cls, machine;
	char *interp;
	char *rpath, *runpath;
	char **needed;
	size_t n_needed;
};

struct strv {
	char **v;
	size_t n, cap;
};

static struct kterr *strv_push(struct strv *s, const char *str)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return kterr_new(ENOMEM, "list of %zu strings", cap);
		s->v = nv;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(str)))
		return kterr_new(ENOMEM, "copy '%s'", str);
	s->n++;
	return NULL;
}

/* NULL after the last string, so the vector reads as a char *const[]. */
static struct kterr *strv_terminate(struct strv *s)
{
	struct kterr *e = strv_push(s, "");

	if (e)
		return e;
	free(s->v[--s->n]);
	s->v[s->n] = NULL;
	return NULL;
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void elfinfo_free(struct elfinfo *in)
{
	free(in->interp);
	free(in->rpath);
	free(in->runpath);
	for (size_t i = 0; i < in->n_needed; i++)
		free(in->needed[i]);
	free(in->needed);
	memset(in, 0, sizeof(*in));
}

static struct kterr *elf_err(const char *what, const char *path)
{
	return kterr_new(EINVAL, "%s %s: %s", what, path, elf_errmsg(-1));
}

/* The dynamic section: DT_NEEDED, DT_RPATH, DT_RUNPATH. */
static struct kterr *read_dynamic(Elf *elf, const char *path, struct elfinfo *in)
{
	struct strv needed = { 0 };
	Elf_Scn *scn = NULL;
	struct kterr *e = NULL;

	while (!e && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		if (!(data = elf_getdata(scn, NULL)))
			return elf_err("read .dynamic of", path);
		for (size_t i = 0; !e && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *s;

			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH && dyn.d_tag != DT_RUNPATH)
				continue;
			s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (!s) {
				e = elf_err("read a dynamic string of", path);
			} else if (dyn.d_tag == DT_NEEDED) {
				e = strv_push(&needed, s);
			} else {
				char **slot = dyn.d_tag == DT_RPATH ? &in->rpath : &in->runpath;

				free(*slot);
				if (!(*slot = strdup(s)))
					e = kterr_new(ENOMEM, "copy a search path");
			}
		}
	}
	in->needed = needed.v;
	in->n_needed = needed.n;
	return e;
}

static struct kterr *read_interp(Elf *elf, const char *path, struct elfinfo *in)
{
	size_t nph, rawlen;
	char *raw = elf_rawfile(elf, &rawlen);

	if (elf_getphdrnum(elf, &nph) < 0)
		return elf_err("read program headers of", path);
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		if (!raw || ph.p_offset >= rawlen || ph.p_filesz == 0 ||
		    ph.p_filesz > rawlen - ph.p_offset || ph.p_filesz > 4096)
			return kterr_new(EINVAL, "%s: PT_INTERP lies outside the file", path);
		in->interp = strndup(raw + ph.p_offset, ph.p_filesz);
		if (!in->interp)
			return kterr_new(ENOMEM, "copy the interpreter of %s", path);
		return NULL;
	}
	return NULL;
}

/* Read PATH's class, machine and, when FULL, its interpreter and dynamic
 * entries. Not an ELF file is an EINVAL error naming it. */
static struct kterr *read_elfinfo(const char *path, int full, struct elfinfo *in)
{
	struct kterr *e = NULL;
	GElf_Ehdr eh;
	Elf *elf;
	int fd;

	memset(in, 0, sizeof(*in));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kterr_errno("open %s", path);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		e = kterr_new(ENOEXEC, "%s is not an ELF file", path);
		goto out;
	}
	in->cls = gelf_getclass(elf);
	in->machine = eh.e_machine;
	if (full) {
		e = read_interp(elf, path, in);
		if (!e)
			e = read_dynamic(elf, path, in);
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	if (e)
		elfinfo_free(in);
	return e;
}

/* ld.so.conf: one directory a line, '#' comments, "include GLOB" (relative
 * to the including file's directory). */
static void read_ldso_conf(const char *path, int depth, struct strv *dirs)
{
	char *text = NULL;

	if (depth > LDSO_CONF_DEPTH || kt_read_file(path, 1 << 20, &text, NULL)) {
		/* No ld.so.conf is a normal machine; the system dirs follow. */
		return;
	}
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		line = kt_strtrim(line);
		if (!strncmp(line, "include", 7) && (line[7] == ' ' || line[7] == '\t')) {
			char *pat = kt_strtrim(line + 8), *full = NULL;
			glob_t g;

			if (pat[0] != '/') {
				char *slash = strrchr(path, '/');
				full = kt_strfmt("%.*s/%s", slash ? (int)(slash - path) : 1, path, pat);
				pat = full;
			}
			if (pat && glob(pat, 0, NULL, &g) == 0) {
				for (size_t i = 0; i < g.gl_pathc; i++)
					read_ldso_conf(g.gl_pathv[i], depth + 1, dirs);
				globfree(&g);
			}
			free(full);
		} else if (line[0] == '/') {
			kterr_free(strv_push(dirs, line));
		}
	}
	free(text);
}

/* The directory part of PATH, for $ORIGIN. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Replace $ORIGIN / ${ORIGIN} in DIR with ORIGIN. */
static char *expand_origin(const char *dir, const char *origin)
{
	const char *tok[] = { "${ORIGIN}", "$ORIGIN" };

	for (size_t t = 0; t < ARRAY_SIZE(tok); t++) {
		const char *at = strstr(dir, tok[t]);

		if (at) {
			char *head = kt_strfmt("%.*s%s", (int)(at - dir), dir, origin);
			char *rest = head ? expand_origin(at + strlen(tok[t]), origin) : NULL;
			char *all = rest ? kt_strfmt("%s%s", head, rest) : NULL;

			free(head);
			free(rest);
			return all;
		}
	}
	return strdup(dir);
}

/* A candidate counts when it is an ELF of the same class and machine. */
static int usable(const char *cand, const struct elfinfo *want)
{
	struct elfinfo in;
	struct kterr *e = read_elfinfo(cand, 0, &in);
	int ok = !e && in.cls == want->cls && in.machine == want->machine;

	kterr_free(e);
	elfinfo_free(&in);
	return ok;
}

static char *try_dirlist(const char *list, const char *origin, const char *name,
			 const struct elfinfo *want)
{
	char *copy = list ? strdup(list) : NULL, *found = NULL;

	for (char *save = NULL, *d = copy ? strtok_r(copy, ":", &save) : NULL; d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *dir = expand_origin(d, origin);
		char *cand = dir ? kt_path_join(dir, name) : NULL;

		if (cand && usable(cand, want))
			found = cand;
		else
			free(cand);
		free(dir);
	}
	free(copy);
	return found;
}

/* Find NAME for the object OWNER (whose info is IN). */
static char *find_lib(const char *name, const char *owner, const struct elfinfo *in,
		      const char *const *dirs)
{
	char *origin = dir_of(owner), *found = NULL;

	if (strchr(name, '/')) {
		found = expand_origin(name, origin ? origin : ".");
		if (found && !usable(found, in)) {
			free(found);
			found = NULL;
		}
		free(origin);
		return found;
	}
	if (!in->runpath)
		found = try_dirlist(in->rpath, origin, name, in);
	if (!found)
		found = try_dirlist(in->runpath, origin, name, in);
	for (size_t i = 0; !found && dirs[i]; i++) {
		char *cand = kt_path_join(dirs[i], name);

		if (cand && usable(cand, in))
			found = cand;
		else
			free(cand);
	}
	free(origin);
	return found;
}

static int have_lib(const struct elfdeps *d, const char *name)
{
	for (size_t i = 0; i < d->n_libs; i++)
		if (!strcmp(d->libs[i].name, name))
			return 1;
	return 0;
}

static struct kterr *add_lib(struct elfdeps *d, const char *name, char *host_path)
{
	struct elfdep *nl;

	if (d->n_libs >= ELFDEPS_MAX_LIBS) {
		free(host_path);
		return kterr_new(E2BIG, "more than %d libraries", ELFDEPS_MAX_LIBS);
	}
	nl = realloc(d->libs, (d->n_libs + 1) * sizeof(*nl));
	if (!nl) {
		free(host_path);
		return kterr_new(ENOMEM, "list of libraries");
	}
	d->libs = nl;
	d->libs[d->n_libs].name = strdup(name);
	d->libs[d->n_libs].host_path = host_path;
	if (!d->libs[d->n_libs].name) {
		free(host_path);
		return kterr_new(ENOMEM, "copy '%s'", name);
	}
	d->n_libs++;
	return NULL;
}

static int is_interp(const struct elfdeps *d, const char *name)
{
	const char *base = d->interp ? strrchr(d->interp, '/') : NULL;

	return base && !strcmp(base + 1, name);
}

/* Resolve the NEEDED entries of one object, appending new ones to D. */
static struct kterr *resolve_object(const char *path, const struct elfinfo *in,
				    const char *const *dirs, struct elfdeps *d)
{
	for (size_t i = 0; i < in->n_needed; i++) {
		const char *name = in->needed[i];
		char *found;

		/* libc needs the loader by its soname; the loader is already
		 * in the process, so ld.so never searches for it. */
		if (have_lib(d, name) || is_interp(d, name))
			continue;
		found = find_lib(name, path, in, dirs);
		if (!found) {
			struct kterr *e = kterr_new(ENOENT, "%s, needed by %s, is not in %s%sthe "
						    "loader's search directories", name, path,
						    in->rpath && !in->runpath ? "its RPATH, " : "",
						    in->runpath ? "its RUNPATH, " : "");
			return kterr_hint(e, "install the package that has %s on the host, or "
					  "link the payload statically", name);
		}
		struct kterr *e = add_lib(d, name, found);
		if (e)
			return e;
	}
	return NULL;
}

struct kterr *elfdeps_resolve(const char *path, const char *const *dirs, struct elfdeps *out)
{
	struct strv conf = { 0 };
	struct elfinfo top;
	struct kterr *e;

	memset(out, 0, sizeof(*out));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return kterr_new(EINVAL, "libelf is too old: %s", elf_errmsg(-1));
	e = read_elfinfo(path, 1, &top);
	if (e)
		return kterr_wrap(e, "find the libraries of %s", path);
	if (!dirs) {
		read_ldso_conf(LDSO_CONF, 0, &conf);
		for (size_t i = 0; !e && i < ARRAY_SIZE(system_dirs); i++)
			e = strv_push(&conf, system_dirs[i]);
		if (!e)
			e = strv_terminate(&conf);
		dirs = (const char *const *)conf.v;
	}
	if (!e && top.interp && !(out->interp = strdup(top.interp)))
		e = kterr_new(ENOMEM, "copy the interpreter");
	if (!e)
		e = resolve_object(path, &top, dirs, out);
	/* Breadth-first: each library's own NEEDED, with its own RUNPATH. */
	for (size_t i = 0; !e && i < out->n_libs; i++) {
		struct elfinfo in;
		const char *lp = out->libs[i].host_path;

		e = read_elfinfo(lp, 1, &in);
		if (!e && (in.cls != top.cls || in.machine != top.machine))
			e = kterr_new(ENOEXEC, "%s is not the same kind of ELF as %s", lp, path);
		if (!e)
			e = resolve_object(lp, &in, dirs, out);
		elfinfo_free(&in);
	}
	elfinfo_free(&top);
	strv_free(&conf);
	if (e) {
		elfdeps_free(out);
		return kterr_wrap(e, "find the libraries of %s", path);
	}
	return NULL;
}

void elfdeps_free(struct elfdeps *d)
{
	for (size_t i = 0; i < d->n_libs; i++) {
		free(d->libs[i].name);
		free(d->libs[i].host_path);
	}
	free(d->libs);
	free(d->interp);
	memset(d, 0, sizeof(*d));
}
