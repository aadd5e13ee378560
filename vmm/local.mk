# vmm/: the machine and everything that reads the guest from the host.
noinst_LIBRARIES += libvmm.a
libvmm_a_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) $(LIBELF_CFLAGS)
libvmm_a_SOURCES = \
	guest/wire.c guest/wire.h \
	vmm/kconfig.c vmm/kconfig.h \
	vmm/kcache.c vmm/kcache.h \
	vmm/kbuild.c vmm/kbuild.h \
	vmm/ksource.c vmm/ksource.h \
	vmm/kpick.c vmm/kpick.h \
	vmm/paths.c vmm/paths.h \
	vmm/progress.c vmm/progress.h \
	vmm/spawn.c vmm/spawn.h \
	vmm/accel.c vmm/accel.h \
	vmm/tsc.c vmm/tsc.h \
	vmm/topology.c vmm/topology.h \
	vmm/guestmem.c vmm/guestmem.h \
	vmm/qemu-argv.c vmm/qemu-argv.h \
	vmm/console.c vmm/console.h \
	vmm/machine.c vmm/machine.h \
	vmm/teardown.c vmm/teardown.h \
	vmm/rundir.c vmm/rundir.h \
	vmm/agentlink.c vmm/agentlink.h \
	vmm/gstate-wire.c vmm/gstate-wire.h \
	vmm/guestlink.c vmm/guestlink.h \
	vmm/cpio.c vmm/cpio.h \
	vmm/elfdeps.c vmm/elfdeps.h \
	vmm/initramfs.c vmm/initramfs.h \
	vmm/session.c vmm/session.h \
	vmm/backend.c vmm/backend.h \
	vmm/freeze.c vmm/freeze.h \
	vmm/qmp.c vmm/qmp.h \
	vmm/gdbstub.c vmm/gdbstub.h \
	vmm/ksym.c vmm/ksym.h \
	vmm/kva.c vmm/kva.h \
	vmm/kmem.c vmm/kmem.h \
	vmm/kbtf.c vmm/kbtf.h \
	vmm/kstate.c vmm/kstate.h \
	vmm/kidr.c vmm/kidr.h \
	vmm/bpfsnap.c vmm/bpfsnap.h \
	vmm/snapshot.c vmm/snapshot.h \
	vmm/watch.c vmm/watch.h \
	vmm/sampler.c vmm/sampler.h \
	vmm/intro.c vmm/intro.h vmm/intro-priv.h \
	vmm/intro-watch.c
VMM_LIBS = libvmm.a libengine.a $(LIBBPF_LIBS) $(LIBELF_LIBS) $(JSONC_LIBS)
