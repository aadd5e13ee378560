/*
 * ktarget.h - kernel memory targets, widths and values, as the recipe
 * writes them and as host.h hands them to the VMM.
 *
 * TARGET: `SYMBOL[@CPU][+OFFSET]` (@CPU picks a per-CPU variable's copy)
 * or an address `0x...`. WIDTH: `u8` `u16` `u32` `u64` `bytes:N`. VALUE:
 * a number for the integer widths, hex bytes for bytes:N.
 */
#ifndef KTCON_KTARGET_H
#define KTCON_KTARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/util.h"

#define KT_SYMBOL_MAX 128
#define KT_BYTES_MAX 256

struct kt_ktarget {
	char symbol[KT_SYMBOL_MAX];	/* "" when addr is used */
	uint64_t addr;			/* when symbol is "" */
	int cpu;			/* -1: not per-CPU */
	uint64_t offset;
};

enum kt_kwidth_kind { KT_W_U8, KT_W_U16, KT_W_U32, KT_W_U64, KT_W_BYTES };

struct kt_kwidth {
	enum kt_kwidth_kind kind;
	size_t len;			/* bytes */
};

struct kt_kvalue {
	struct kt_kwidth width;
	uint64_t u;			/* integer widths */
	uint8_t bytes[KT_BYTES_MAX];	/* bytes:N */
};

struct kt_kwrite {
	struct kt_ktarget target;
	struct kt_kvalue value;
};

struct kterr *kt_ktarget_parse(const char *s, struct kt_ktarget *out);
struct kterr *kt_kwidth_parse(const char *s, struct kt_kwidth *out);
/* VALUE for a width; a number that does not fit the width is an error. */
struct kterr *kt_kvalue_parse(const char *s, struct kt_kwidth w, struct kt_kvalue *out);

/* "jiffies_64", "runqueues@1+8", "0xffffffff81000000". */
const char *kt_ktarget_format(const struct kt_ktarget *t, char *buf, size_t size);
/* "0x2a" or hex bytes "deadbeef". */
const char *kt_kvalue_format(const struct kt_kvalue *v, char *buf, size_t size);


#endif
