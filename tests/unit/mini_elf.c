/* mini_elf.c - small vmlinux-like ELF files for tests; see mini_elf.h. */
#include "mini_elf.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A string table under construction. */
struct strtab {
	char buf[8192];
	size_t len;
};

static size_t str_add(struct strtab *t, const char *s)
{
	size_t off = t->len, n = strlen(s) + 1;

	if (t->len + n > sizeof(t->buf))
		abort();
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return off;
}

int mini_elf_write(const char *path, const struct mini_sec *secs, size_t nsecs,
		   const struct mini_sym *syms, size_t nsyms, const struct mini_seg *segs,
		   size_t nsegs)
{
	static struct strtab sh, st;
	/* Sections: null, the given ones, .symtab, .strtab, .shstrtab. */
	size_t nsh = nsecs + 4, isym = nsecs + 1, istr = nsecs + 2, ishstr = nsecs + 3;
	Elf64_Shdr *shdr = calloc(nsh, sizeof(*shdr));
	Elf64_Sym *symv = calloc(nsyms + 1, sizeof(*symv));
	Elf64_Phdr *phdr = calloc(nsegs ? nsegs : 1, sizeof(*phdr));
	Elf64_Ehdr eh = { 0 };
	size_t k = 1, first_global = 1;
	FILE *f;

	if (!shdr || !symv || !phdr)
		abort();
	memset(&sh, 0, sizeof(sh));
	memset(&st, 0, sizeof(st));
	sh.len = st.len = 1;
	for (size_t i = 0; i < nsecs; i++) {
		shdr[i + 1] = (Elf64_Shdr){ .sh_name = str_add(&sh, secs[i].name),
					    .sh_type = SHT_NOBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
					    .sh_addr = secs[i].addr, .sh_size = secs[i].size,
					    .sh_addralign = 1 };
	}
	/* Locals first, as ELF wants (sh_info: the first global). */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			first_global = k;
		for (size_t i = 0; i < nsyms; i++) {
			const struct mini_sym *s = &syms[i];

			if (s->local != (pass == 0))
				continue;
			symv[k].st_name = str_add(&st, s->name);
			symv[k].st_value = s->value;
			symv[k].st_size = s->size;
			symv[k].st_shndx = s->sec ? s->sec : SHN_ABS;
			symv[k].st_info = ELF64_ST_INFO(s->local ? STB_LOCAL : STB_GLOBAL,
							s->func ? STT_FUNC : STT_OBJECT);
			k++;
		}
	}
	shdr[isym] = (Elf64_Shdr){ .sh_name = str_add(&sh, ".symtab"), .sh_type = SHT_SYMTAB,
				   .sh_link = istr, .sh_info = first_global,
				   .sh_entsize = sizeof(Elf64_Sym), .sh_addralign = 8 };
	shdr[istr] = (Elf64_Shdr){ .sh_name = str_add(&sh, ".strtab"), .sh_type = SHT_STRTAB,
				   .sh_addralign = 1 };
	shdr[ishstr] = (Elf64_Shdr){ .sh_name = str_add(&sh, ".shstrtab"),
				     .sh_type = SHT_STRTAB, .sh_addralign = 1 };
	/* Layout: header, program headers, symbols, strings, names, sections. */
	size_t off = sizeof(eh) + nsegs * sizeof(*phdr);
	off = (off + 7) & ~(size_t)7;
	shdr[isym].sh_offset = off;
	shdr[isym].sh_size = (nsyms + 1) * sizeof(*symv);
	off += shdr[isym].sh_size;
	shdr[istr].sh_offset = off;
	shdr[istr].sh_size = st.len;
	off += st.len;
	shdr[ishstr].sh_offset = off;
	shdr[ishstr].sh_size = sh.len;
	off += sh.len;
	off = (off + 7) & ~(size_t)7;
	for (size_t i = 0; i < nsegs; i++)
		phdr[i] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_vaddr = segs[i].vaddr,
					.p_paddr = segs[i].paddr, .p_memsz = segs[i].memsz,
					.p_flags = PF_R | PF_W, .p_align = 4096 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = nsegs ? sizeof(eh) : 0;
	eh.e_shoff = off;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)nsegs;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (Elf64_Half)nsh;
	eh.e_shstrndx = (Elf64_Half)ishstr;

	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fwrite(&eh, sizeof(eh), 1, f);
	fwrite(phdr, sizeof(*phdr), nsegs, f);
	fseek(f, (long)shdr[isym].sh_offset, SEEK_SET);
	fwrite(symv, sizeof(*symv), nsyms + 1, f);
	fwrite(st.buf, 1, st.len, f);
	fwrite(sh.buf, 1, sh.len, f);
	fseek(f, (long)off, SEEK_SET);
	fwrite(shdr, sizeof(*shdr), nsh, f);
	free(shdr);
	free(symv);
	free(phdr);
	return fclose(f) ? -1 : 0;
}
