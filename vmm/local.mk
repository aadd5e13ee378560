# vmm/: the machine and everything that reads the guest from the host.
noinst_LIBRARIES += libvmm.a
libvmm_a_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) $(LIBELF_CFLAGS)
libvmm_a_SOURCES = \
	vmm/kconfig.c vmm/kconfig.h
VMM_LIBS = libvmm.a libengine.a $(LIBBPF_LIBS) $(LIBELF_LIBS)
