/* accel.c - choose KVM or TCG; see accel.h. */
#include "vmm/machine/accel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

static const struct { const char *name; enum accel a; } names[] = {
	{ "auto", ACCEL_AUTO }, { "kvm", ACCEL_KVM }, { "tcg", ACCEL_TCG },
};

struct kterr *accel_parse(const char *s, enum accel *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i].name)) {
			*out = names[i].a;
			return NULL;
		}
	}
	return kterr_hint(kterr_new(EINVAL, "unknown accelerator '%s'", s),
			  "use auto, kvm or tcg");
}

const char *accel_name(enum accel a)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].a == a)
			return names[i].name;
	return "?";
}

/* Is WORD one of the space-separated words of a "flags" line? */
static bool has_flag(const char *cpuinfo, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = cpuinfo; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(p, "flags", 5)) {
			for (const char *q = memchr(p, ':', ll); q && q < p + ll; q++) {
				if ((q[-1] == ' ' || q[-1] == ':' || q[-1] == '\t') &&
				    !strncmp(q, word, wl) &&
				    (q + wl == p + ll || q[wl] == ' ' || q[wl] == '\n'))
					return true;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

enum accel accel_decide(const char *cpuinfo, bool kvm_usable, const char **why)
{
	bool hw = has_flag(cpuinfo, "vmx") || has_flag(cpuinfo, "svm");

	if (!kvm_usable) {
		*why = "/dev/kvm is missing or not accessible";
		return ACCEL_TCG;
	}
	if (!hw) {
		*why = "/dev/kvm exists but the CPU has no vmx/svm (a paravirtual KVM "
		       "that cannot run a stock kernel)";
		return ACCEL_TCG;
	}
	*why = "/dev/kvm is usable and the CPU has hardware virtualization";
	return ACCEL_KVM;
}

struct kterr *accel_resolve(enum accel want, enum accel *out, const char **why)
{
	char *cpuinfo = NULL;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	bool kvm_usable = fd >= 0;
	struct kterr *e;
	enum accel got;

	if (fd >= 0)
		close(fd);
	if (want == ACCEL_TCG) {
		*out = ACCEL_TCG;
		*why = "asked for tcg";
		return NULL;
	}
	e = kt_read_file("/proc/cpuinfo", 16 << 20, &cpuinfo, NULL);
	if (e)
		return kterr_wrap(e, "choose an accelerator");
	got = accel_decide(cpuinfo, kvm_usable, why);
	free(cpuinfo);
	if (want == ACCEL_KVM && got != ACCEL_KVM)
		return kterr_hint(kterr_new(ENODEV, "--accel kvm cannot work here: %s", *why),
				  "use --accel tcg (or auto)");
	*out = want == ACCEL_KVM ? ACCEL_KVM : got;
	if (want == ACCEL_KVM)
		*why = "asked for kvm";
	return NULL;
}
