/* cgroup-name.c - the cgroup name rule; see cgroup-name.h. */
#include "lib/cgroup-name.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/limits.h"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

static struct kterr *bad(const char *name, const char *why)
{
	return kterr_hint(kterr_new(0, "bad cgroup name '%.*s': %s", KT_CGROUP_NAME_MAX + 8, name,
				    why), KT_CGROUP_NAME_HINT);
}

struct kterr *kt_cgroup_name_check(const char *name)
{
	size_t len = strlen(name);
	unsigned depth = 1;

	if (!len)
		return NULL;
	if (len > KT_CGROUP_NAME_MAX)
		return bad(name, "longer than 255 bytes");
	for (size_t i = 0; i < len; i++) {
		bool level_start = i == 0 || name[i - 1] == '/';

		if (name[i] == '/') {
			if (level_start || i + 1 == len)
				return bad(name, i == 0 ? "starts with '/'" : i + 1 == len ?
					   "ends with '/'" : "empty level ('//')");
			if (++depth > KT_CGROUP_MAX_DEPTH)
				return bad(name, "more than 16 levels");
			continue;
		}
		if (level_start && name[i] == '.')
			return bad(name, "a level starts with '.'");
		if (!name_char(name[i])) {
			char why[64];
			unsigned char c = (unsigned char)name[i];

			if (c >= 0x21 && c < 0x7f)
				snprintf(why, sizeof(why), "'%c' at byte %zu", c, i + 1);
			else
				snprintf(why, sizeof(why), "byte 0x%02x at byte %zu", c, i + 1);
			return bad(name, why);
		}
	}
	return NULL;
}
