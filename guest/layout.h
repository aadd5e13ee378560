/*
 * layout.h - where things are in the guest's root filesystem.
 *
 * The host's initramfs builder puts files here and the agent finds them
 * here; both build from this header so the two can never disagree.
 *
 *   /init                                  ktcon-guest (PID 1)
 *   /bin/busybox, /bin/sh                  the shell
 *   /staging/schedulers/NAME/BINARY        a staged scheduler
 *   /staging/schedulers/NAME/args          its default arguments, if any
 *   /staging/payloads/NAME/BINARY          a staged payload
 *   /staging/payloads/NAME/args            its default arguments, if any
 *   /staging/lib/SONAME                    shared libraries payloads need
 *   /staging/boot-scheduler                name of the scheduler to attach at boot
 *   /scheduler, /sched_args                the boot scheduler (a link to its staged
 *                                          binary) and its arguments
 *   <PT_INTERP>, e.g. /lib64/ld-linux-x86-64.so.2   the dynamic loader
 *
 * Libraries live in one directory named by LD_LIBRARY_PATH (the agent sets
 * it for everything it starts) rather than at their host paths: a library
 * found through a RUNPATH or $ORIGIN on the host would not be found at the
 * same path by the guest's loader, which has no ld.so.cache.
 */
#ifndef KTCON_GUEST_LAYOUT_H
#define KTCON_GUEST_LAYOUT_H

#define KT_GUEST_STAGING	"/staging"
#define KT_GUEST_SCHEDULERS	KT_GUEST_STAGING "/schedulers"
#define KT_GUEST_PAYLOADS	KT_GUEST_STAGING "/payloads"
#define KT_GUEST_LIBDIR		KT_GUEST_STAGING "/lib"
#define KT_GUEST_BIN		KT_GUEST_STAGING "/bin"
#define KT_GUEST_BOOT_SCHED	KT_GUEST_STAGING "/boot-scheduler"
#define KT_GUEST_SCHED_BIN	"/scheduler"
#define KT_GUEST_SCHED_ARGS	"/sched_args"
#define KT_GUEST_ARGS_FILE	"args"
#define KT_GUEST_PATH		"/bin:/sbin:/usr/bin:/usr/sbin:" KT_GUEST_BIN

#endif
