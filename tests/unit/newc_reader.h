/* newc_reader.h - read back a cpio newc archive in tests, strictly: every
 * header field, the 4-byte alignment, the trailer. */
#ifndef KTCON_TEST_NEWC_READER_H
#define KTCON_TEST_NEWC_READER_H

#include <stddef.h>
#include <stdint.h>

struct newc_entry {
	char name[256];
	uint32_t ino, mode, nlink, rmaj, rmin;
	const uint8_t *data;
	size_t size;
};

/* Parse BUF; returns the number of entries before the trailer (up to MAX),
 * or -1 when the archive is malformed (bad magic, misalignment, fields
 * past the end, no trailer). */
int newc_read(const uint8_t *buf, size_t len, struct newc_entry *out, int max);

/* The entry called NAME (no leading slash), or NULL. */
const struct newc_entry *newc_find(const struct newc_entry *e, int n, const char *name);

#endif
