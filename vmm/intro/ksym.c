/* ksym.c - vmlinux symbols, sections and load segments; see ksym.h. */
#include "vmm/intro/ksym.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ksec {
	char *name;
	uint64_t addr, size;
};

struct ksyms {
	char *path;
	char *strtab;		/* copy of the symbol string table */
	size_t strtab_len;
	struct ksym *syms;	/* sorted by name, one per name */
	size_t n;
	struct ksec *secs;	/* by section index */
	size_t nsecs;
	struct ksym_segment segs[KSYM_MAX_SEGMENTS];
	size_t nsegs;
};

/* While sorting: the symbol and its position in the table. */
struct entry {
	struct ksym s;
	size_t index;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->s.name, y->s.name);

	if (c)
		return c;
	if (x->s.global != y->s.global)
		return x->s.global ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static struct kterr *elf_err(const struct ksyms *ks, const char *what)
{
	return kterr_new(0, "%s: %s: %s", ks->path, what, elf_errmsg(-1));
}

static struct kterr *read_sections(struct ksyms *ks, Elf *elf, Elf_Scn **symtab)
{
	size_t shstrndx, nsecs;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) || elf_getshdrnum(elf, &nsecs))
		return elf_err(ks, "section headers");
	ks->secs = calloc(nsecs ? nsecs : 1, sizeof(*ks->secs));
	if (!ks->secs)
		return kterr_new(ENOMEM, "%s: sections", ks->path);
	ks->nsecs = nsecs;
	*symtab = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		size_t i = elf_ndxscn(scn);
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || i >= nsecs)
			return elf_err(ks, "section header");
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		ks->secs[i].name = strdup(name ? name : "");
		if (!ks->secs[i].name)
			return kterr_new(ENOMEM, "%s: sections", ks->path);
		ks->secs[i].addr = sh.sh_addr;
		ks->secs[i].size = sh.sh_size;
		if (sh.sh_type == SHT_SYMTAB)
			*symtab = scn;
	}
	if (!*symtab)
		return kterr_hint(kterr_new(ENOENT, "%s has no symbol table", ks->path),
				  "use the unstripped vmlinux from the kernel build");
	return NULL;
}

static struct kterr *read_segments(struct ksyms *ks, Elf *elf)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return elf_err(ks, "program headers");
	for (size_t i = 0; i < n && ks->nsegs < KSYM_MAX_SEGMENTS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return elf_err(ks, "program header");
		if (ph.p_type != PT_LOAD)
			continue;
		ks->segs[ks->nsegs++] = (struct ksym_segment){ ph.p_vaddr, ph.p_paddr, ph.p_memsz };
	}
	return NULL;
}

static struct kterr *read_symbols(struct ksyms *ks, Elf *elf, Elf_Scn *symtab)
{
	GElf_Shdr sh, strsh;
	Elf_Data *data = elf_getdata(symtab, NULL), *strs;
	Elf_Scn *strscn;
	struct entry *v;
	size_t count, n = 0;

	if (!gelf_getshdr(symtab, &sh) || !data || !sh.sh_entsize)
		return kterr_new(0, "%s: unreadable symbol table", ks->path);
	strscn = elf_getscn(elf, sh.sh_link);
	strs = strscn ? elf_getdata(strscn, NULL) : NULL;
	if (!strs || !gelf_getshdr(strscn, &strsh) || !strs->d_buf)
		return kterr_new(0, "%s: unreadable symbol string table", ks->path);
	ks->strtab = malloc(strs->d_size + 1);
	if (!ks->strtab)
		return kterr_new(ENOMEM, "%s: symbol names", ks->path);
	memcpy(ks->strtab, strs->d_buf, strs->d_size);
	ks->strtab[strs->d_size] = '\0';	/* a hostile file cannot run off */
	ks->strtab_len = strs->d_size;

	count = sh.sh_size / sh.sh_entsize;
	v = calloc(count ? count : 1, sizeof(*v));
	if (!v)
		return kterr_new(ENOMEM, "%s: %zu symbols", ks->path, count);
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		unsigned type, bind;
		const char *sec = "";

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if (!sym.st_name || sym.st_name >= ks->strtab_len || sym.st_shndx == SHN_UNDEF ||
		    type == STT_SECTION || type == STT_FILE)
			continue;
		if (sym.st_shndx < ks->nsecs && sym.st_shndx != SHN_ABS)
			sec = ks->secs[sym.st_shndx].name;
		v[n].index = i;
		v[n].s = (struct ksym){
			.name = ks->strtab + sym.st_name,
			.addr = sym.st_value,
			.size = sym.st_size,
			.section = sec,
			.percpu = !strcmp(sec, KSYM_PERCPU_SECTION),
			.global = bind == STB_GLOBAL || bind == STB_WEAK,
			.func = type == STT_FUNC,
		};
		n++;
	}
	qsort(v, n, sizeof(*v), entry_cmp);
	ks->syms = calloc(n ? n : 1, sizeof(*ks->syms));
	if (!ks->syms) {
		free(v);
		return kterr_new(ENOMEM, "%s: %zu symbols", ks->path, n);
	}
	/* One per name: the first of each run is the best (entry_cmp). */
	for (size_t i = 0; i < n; i++) {
		if (ks->n && !strcmp(ks->syms[ks->n - 1].name, v[i].s.name)) {
			ks->syms[ks->n - 1].dups++;
			continue;
		}
		ks->syms[ks->n++] = v[i].s;
	}
	free(v);
	return NULL;
}

struct kterr *ksyms_load(const char *vmlinux, struct ksyms **out)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	Elf_Scn *symtab = NULL;
	struct kterr *e = NULL;
	Elf *elf = NULL;
	int fd = -1;

	*out = NULL;
	if (!ks || !(ks->path = strdup(vmlinux))) {
		free(ks);
		return kterr_new(ENOMEM, "%s", vmlinux);
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		e = kterr_new(0, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	fd = open(vmlinux, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = kterr_errno("open %s", vmlinux);
		goto out;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		e = kterr_hint(kterr_new(ENOEXEC, "%s is not an ELF file", vmlinux),
			       "give the vmlinux that sits beside the bzImage");
		goto out;
	}
	if (!(e = read_sections(ks, elf, &symtab)) && !(e = read_segments(ks, elf)))
		e = read_symbols(ks, elf, symtab);
out:
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	if (e) {
		ksyms_free(ks);
		return kterr_wrap(e, "reading kernel symbols");
	}
	*out = ks;
	return NULL;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ks->nsecs; i++)
		free(ks->secs[i].name);
	free(ks->secs);
	free(ks->syms);
	free(ks->strtab);
	free(ks->path);
	free(ks);
}

const char *ksyms_path(const struct ksyms *ks)
{
	return ks->path;
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks->n;
}

const struct ksym *ksyms_find(const struct ksyms *ks, const char *name)
{
	size_t lo = 0, hi = ks->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, ks->syms[mid].name);

		if (!c)
			return &ks->syms[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct kterr *ksyms_lookup(const struct ksyms *ks, const char *name, const struct ksym **out)
{
	*out = ksyms_find(ks, name);
	if (*out)
		return NULL;
	return kterr_hint(kterr_new(ENOENT, "no symbol '%s' in %s", name, ks->path),
			  "the name must match `nm vmlinux` exactly; this kernel may call it "
			  "something else");
}

bool ksyms_section(const struct ksyms *ks, const char *name, uint64_t *addr, uint64_t *size)
{
	for (size_t i = 0; i < ks->nsecs; i++) {
		if (ks->secs[i].name && !strcmp(ks->secs[i].name, name)) {
			*addr = ks->secs[i].addr;
			*size = ks->secs[i].size;
			return true;
		}
	}
	return false;
}

const struct ksym_segment *ksyms_segments(const struct ksyms *ks, size_t *n)
{
	*n = ks->nsegs;
	return ks->segs;
}
