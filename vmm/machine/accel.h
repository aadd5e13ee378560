/*
 * accel.h - KVM or TCG.
 *
 * KVM is used only where it can run an unmodified kernel: /dev/kvm must be
 * usable AND the host CPU must have hardware virtualization (vmx or svm in
 * /proc/cpuinfo). Some hosts expose a paravirtual /dev/kvm without either
 * flag; a stock kernel dies there with "KVM internal error ... emulation
 * failure", so auto picks TCG on them.
 */
#ifndef KTCON_VMM_ACCEL_H
#define KTCON_VMM_ACCEL_H

#include <stdbool.h>

#include "lib/err.h"

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

/* "auto", "kvm", "tcg" -> enum; an error names the bad word. */
struct kterr *accel_parse(const char *s, enum accel *out);
const char *accel_name(enum accel a);

/* The decision for auto, from the text of /proc/cpuinfo and whether
 * /dev/kvm opens read-write. *why says which fact decided. */
enum accel accel_decide(const char *cpuinfo, bool kvm_usable, const char **why);

/* Resolve a requested accel on this host. Asking for kvm where it cannot
 * work is an error that says why and suggests tcg. */
struct kterr *accel_resolve(enum accel want, enum accel *out, const char **why);

#endif
