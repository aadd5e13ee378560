/* newc_reader.c - see newc_reader.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/newc_reader.h"

static int hex8(const uint8_t *p, uint32_t *out)
{
	char tmp[9];
	char *end;

	memcpy(tmp, p, 8);
	tmp[8] = '\0';
	*out = (uint32_t)strtoul(tmp, &end, 16);
	return *end ? -1 : 0;
}

int newc_read(const uint8_t *buf, size_t len, struct newc_entry *out, int max)
{
	size_t off = 0;
	int n = 0;

	for (;;) {
		uint32_t f[13];

		if (off % 4 || off + 110 > len || memcmp(buf + off, "070701", 6))
			return -1;
		for (int i = 0; i < 13; i++)
			if (hex8(buf + off + 6 + 8 * i, &f[i]))
				return -1;
		uint32_t namesz = f[11];
		size_t name_off = off + 110;
		if (namesz == 0 || namesz > 255 || name_off + namesz > len ||
		    buf[name_off + namesz - 1] != '\0')
			return -1;
		size_t data_off = (name_off + namesz + 3) & ~(size_t)3;
		if (data_off + f[6] > len)
			return -1;
		if (!strcmp((const char *)buf + name_off, "TRAILER!!!"))
			return n;
		if (n < max) {
			struct newc_entry *e = &out[n];

			snprintf(e->name, sizeof(e->name), "%s", (const char *)buf + name_off);
			e->ino = f[0];
			e->mode = f[1];
			e->nlink = f[4];
			e->size = f[6];
			e->rmaj = f[9];
			e->rmin = f[10];
			e->data = buf + data_off;
		}
		n++;
		off = (data_off + f[6] + 3) & ~(size_t)3;
	}
}

const struct newc_entry *newc_find(const struct newc_entry *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}
