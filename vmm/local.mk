# vmm/: the machine and everything that reads the guest from the host.
noinst_LIBRARIES += libvmm.a
libvmm_a_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) $(LIBELF_CFLAGS)
libvmm_a_SOURCES = \
	guest/wire.c guest/wire-batch.c guest/wire.h guest/wire-reply.c guest/wire-reply.h \
	vmm/kernel/kconfig.c vmm/kernel/kconfig.h \
	vmm/kernel/kcache.c vmm/kernel/kcache.h \
	vmm/kernel/kbuild.c vmm/kernel/kbuild.h \
	vmm/kernel/ksource.c vmm/kernel/ksource.h \
	vmm/kernel/kpick.c vmm/kernel/kpick.h \
	vmm/kernel/ktree.c vmm/kernel/ktree.h \
	vmm/kernel/ksched.c vmm/kernel/ksched.h \
	vmm/kernel/paths.c vmm/kernel/paths.h \
	vmm/kernel/progress.c vmm/kernel/progress.h \
	vmm/machine/spawn.c vmm/machine/spawn.h \
	vmm/machine/accel.c vmm/machine/accel.h \
	vmm/machine/tsc.c vmm/machine/tsc.h \
	vmm/machine/topology.c vmm/machine/topology.h \
	vmm/machine/guestmem.c vmm/machine/guestmem.h \
	vmm/machine/qemu-argv.c vmm/machine/qemu-argv.h \
	vmm/machine/serial.c vmm/machine/serial.h \
	vmm/machine/machine.c vmm/machine/machine.h \
	vmm/machine/teardown.c vmm/machine/teardown.h \
	vmm/machine/rundir.c vmm/machine/rundir.h \
	vmm/link/agentlink.c vmm/link/agentlink.h \
	vmm/link/gstate-wire.c vmm/link/gstate-wire.h \
	vmm/link/evqueue.c vmm/link/evqueue.h \
	vmm/link/guestlink.c vmm/link/guestlink.h \
	vmm/image/cpio.c vmm/image/cpio.h \
	vmm/image/elfdeps.c vmm/image/elfdeps.h \
	vmm/image/initramfs.c vmm/image/initramfs.h \
	vmm/machine/migrate.c vmm/machine/migrate.h \
	vmm/machine/warm-key.c vmm/machine/warm-key.h \
	vmm/machine/warm.c vmm/machine/warm.h \
	vmm/session.c vmm/session.h \
	vmm/backend.c vmm/backend.h \
	vmm/machine/freeze.c vmm/machine/freeze.h \
	vmm/machine/qmp.c vmm/machine/qmp.h \
	vmm/machine/gdbstub.c vmm/machine/gdbstub.h \
	vmm/machine/unixsock.c vmm/machine/unixsock.h \
	vmm/intro/ksym.c vmm/intro/ksym.h \
	vmm/intro/kva.c vmm/intro/kva.h \
	vmm/intro/kmem.c vmm/intro/kmem.h \
	vmm/intro/kbtf.c vmm/intro/kbtf.h \
	vmm/intro/kstate.c vmm/intro/kstate.h \
	vmm/intro/kidr.c vmm/intro/kidr.h \
	vmm/intro/bpfsnap.c vmm/intro/bpfsnap.h \
	vmm/intro/snapshot.c vmm/intro/snapshot.h \
	vmm/intro/watch.c vmm/intro/watch.h \
	vmm/intro/sampler.c vmm/intro/sampler.h \
	vmm/intro/run-sampler.c vmm/intro/run-sampler.h \
	vmm/intro/intro.c vmm/intro/intro.h vmm/intro/intro-priv.h \
	vmm/intro/intro-watch.c
VMM_LIBS = libvmm.a libengine.a libkt.a $(LIBBPF_LIBS) $(LIBELF_LIBS) $(JSONC_LIBS) -lm
