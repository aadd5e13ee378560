/*
 * mini_elf.h - write a small vmlinux-like ELF for tests: named sections at
 * addresses (no contents), symbols in them, PT_LOAD segments. Written from
 * plain <elf.h> structs; the code under test reads it with libelf, as it
 * reads a real vmlinux.
 */
#ifndef KTCON_TESTS_MINI_ELF_H
#define KTCON_TESTS_MINI_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mini_sec {
	const char *name;
	uint64_t addr, size;
};

struct mini_sym {
	const char *name;
	unsigned sec;		/* index into the sections given, from 1; 0: absolute */
	uint64_t value, size;
	bool local, func;
};

struct mini_seg {
	uint64_t vaddr, paddr, memsz;
};

/* Write path; returns 0, or -1 with a message on stderr. */
int mini_elf_write(const char *path, const struct mini_sec *secs, size_t nsecs,
		   const struct mini_sym *syms, size_t nsyms, const struct mini_seg *segs,
		   size_t nsegs);

#endif
