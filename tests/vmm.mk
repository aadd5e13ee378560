# The machine: accelerator, topology, QEMU command line, guest RAM, boot.
check_PROGRAMS += tests/unit/test_machine_parts
tests_unit_test_machine_parts_SOURCES = tests/unit/test_machine_parts.c
tests_unit_test_machine_parts_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_machine_parts_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_wire
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_wire_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_warm
tests_unit_test_warm_SOURCES = tests/unit/test_warm.c
tests_unit_test_warm_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_warm_LDADD = $(UNIT_LDADD)

INT_TESTS += tests/integration/boot.int tests/integration/shell.int
EXTRA_DIST += tests/integration/lib.sh

# Benchmarks: built by `make bench`, never part of `make check` timings.
EXTRA_PROGRAMS += tests/bench/bench-boot
tests_bench_bench_boot_SOURCES = tests/bench/bench-boot.c tests/bench/bench-util.c \
	tests/bench/bench-util.h
tests_bench_bench_boot_LDADD = $(VMM_LIBS)
CLEANFILES += tests/bench/bench-boot
EXTRA_PROGRAMS += tests/bench/bench-ops
tests_bench_bench_ops_SOURCES = tests/bench/bench-ops.c tests/bench/bench-util.c \
	tests/bench/bench-util.h
tests_bench_bench_ops_LDADD = $(VMM_LIBS)
CLEANFILES += tests/bench/bench-ops
EXTRA_PROGRAMS += tests/bench/bench-freeze
tests_bench_bench_freeze_SOURCES = tests/bench/bench-freeze.c tests/bench/bench-util.c \
	tests/bench/bench-util.h
tests_bench_bench_freeze_LDADD = $(VMM_LIBS)
CLEANFILES += tests/bench/bench-freeze
EXTRA_PROGRAMS += tests/bench/bench-warm
tests_bench_bench_warm_SOURCES = tests/bench/bench-warm.c tests/bench/bench-util.c \
	tests/bench/bench-util.h
tests_bench_bench_warm_LDADD = $(VMM_LIBS)
CLEANFILES += tests/bench/bench-warm
EXTRA_PROGRAMS += tests/bench/bench-timeline
tests_bench_bench_timeline_SOURCES = tests/bench/bench-timeline.c
tests_bench_bench_timeline_LDADD = $(VMM_LIBS) -lm
CLEANFILES += tests/bench/bench-timeline
bench: tests/bench/bench-boot tests/bench/bench-ops tests/bench/bench-freeze tests/bench/bench-timeline tests/bench/bench-warm
	./tests/bench/bench-boot -n 10 --cpus 2
	./tests/bench/bench-warm -n 5 --cpus 2
	./tests/bench/bench-ops -n 100 --cpus 2
	./tests/bench/bench-freeze -n 30 --cpus 2
	KTCON=./ktcon KTCON_SRCDIR=$(top_srcdir) $(top_srcdir)/tests/bench/bench-replay
	./tests/bench/bench-timeline -n 5 --cpus 2
	KTCON=./ktcon KTCON_SRCDIR=$(top_srcdir) $(top_srcdir)/tests/bench/bench-suite --jobs "1 2"
	KTCON_WARM=1 KTCON=./ktcon KTCON_SRCDIR=$(top_srcdir) $(top_srcdir)/tests/bench/bench-suite --jobs "1 2"
	KTCON=./ktcon KTCON_SRCDIR=$(top_srcdir) $(top_srcdir)/tests/bench/bench-cgroups -n 1000
	MAKE='$(MAKE)' $(top_srcdir)/tests/bench/bench-load --hogs "0 1 2"
EXTRA_DIST += tests/bench/bench-replay tests/bench/bench-load tests/bench/bench-suite \
	tests/bench/bench-cgroups tests/bench/gen-cgroups
.PHONY: bench
INT_TESTS += tests/integration/recipes.int tests/integration/run-status.int \
	tests/integration/interrupt.int
INT_TESTS += tests/integration/docs.int tests/integration/faults.int
INT_TESTS += tests/integration/bad-input.int tests/integration/trace.int
# Sharding (--list boots nothing) and JUnit results parsed back.
INT_TESTS += tests/integration/shard.int tests/integration/junit.int
# ktcon compare and --plot (the command lives in tui/, its guests are run's)
INT_TESTS += tests/integration/compare.int
INT_TESTS += tests/integration/bad-input.int tests/integration/trace.int tests/integration/warm.int
EXTRA_DIST += tests/data/run

# libFuzzer target for the frame decoder both sides run (tests/fuzz/run-fuzz).
EXTRA_DIST += tests/fuzz/fuzz_wire.c

# The initramfs: cpio writer, DT_NEEDED closure, the assembled archive.
check_PROGRAMS += tests/unit/test_cpio tests/unit/test_elfdeps tests/unit/test_initramfs
tests_unit_test_cpio_SOURCES = tests/unit/test_cpio.c tests/unit/newc_reader.c \
	tests/unit/newc_reader.h
tests_unit_test_cpio_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cpio_LDADD = $(UNIT_LDADD)
tests_unit_test_elfdeps_SOURCES = tests/unit/test_elfdeps.c
tests_unit_test_elfdeps_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_elfdeps_LDADD = $(UNIT_LDADD)
tests_unit_test_initramfs_SOURCES = tests/unit/test_initramfs.c tests/unit/newc_reader.c \
	tests/unit/newc_reader.h
tests_unit_test_initramfs_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_initramfs_LDADD = $(UNIT_LDADD)

# The host keeps the guest's latest STATE (agentlink over a socketpair).
check_PROGRAMS += tests/unit/test_agentlink_state
tests_unit_test_agentlink_state_SOURCES = tests/unit/test_agentlink_state.c
tests_unit_test_agentlink_state_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_agentlink_state_LDADD = $(UNIT_LDADD)

# libFuzzer target for the host's STATE reader (valid frames of random
# fields: random bytes would not pass the CRC; tests/fuzz/run-fuzz).
EXTRA_DIST += tests/fuzz/fuzz_gstate.c

# Kernel memory from the host: vmlinux symbols (a small ELF the test
# writes), page walks over tables built in a buffer, targets and accesses.
check_PROGRAMS += tests/unit/test_kmem
tests_unit_test_kmem_SOURCES = tests/unit/test_kmem.c tests/unit/mini_elf.c \
	tests/unit/mini_elf.h
tests_unit_test_kmem_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kmem_LDADD = $(UNIT_LDADD)
INT_TESTS += tests/integration/kmem.int tests/integration/snapshot.int \
	tests/integration/watch.int

# BTF lookups and rendering over types the test builds with libbpf.
check_PROGRAMS += tests/unit/test_kbtf
tests_unit_test_kbtf_SOURCES = tests/unit/test_kbtf.c
tests_unit_test_kbtf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kbtf_LDADD = $(UNIT_LDADD)

# IDR / XArray walks over a synthetic tree (how the BPF maps are listed).
check_PROGRAMS += tests/unit/test_kidr
tests_unit_test_kidr_SOURCES = tests/unit/test_kidr.c
tests_unit_test_kidr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kidr_LDADD = $(UNIT_LDADD)

# libFuzzer target for what the host reads from a hostile guest: XArray
# walks, page walks, a BPF program's BTF rendered (tests/fuzz/run-fuzz
# builds it as kguest).
EXTRA_DIST += tests/fuzz/fuzz_kguest.c

# The 7.3 kernel's own checks: run by kernel73-pass.int (below), or alone
# with KTCON_TEST_73=1.
EXTRA_DIST += tests/integration/kernel73.int

# The guest's news through the link: EVENT and LOG frames as typed events
# in the queue, taken through the link's next_event hook; their text.
check_PROGRAMS += tests/unit/test_guestlink_events
tests_unit_test_guestlink_events_SOURCES = tests/unit/test_guestlink_events.c
tests_unit_test_guestlink_events_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_guestlink_events_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_wire_reply
tests_unit_test_wire_reply_SOURCES = tests/unit/test_wire_reply.c
tests_unit_test_wire_reply_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_wire_reply_LDADD = $(UNIT_LDADD)

# The real-guest suite on 7.3, in three parts that make -j2 runs beside
# the rest (each test with KTCON_TEST_KERNEL=7.3): kernel73-pass.int the
# tests where the kernels differ (kernel73.int is one of them),
# kernel73-more.int the op and batch tests, kernel73-console.int the
# console's screens; all three alone as `make check-7.3`. A scheduler that
# every kernel ships runs in schedulers.int, on both.
INT_TESTS += tests/integration/schedulers.int tests/integration/central.int \
	tests/integration/kernel73-pass.int \
	tests/integration/kernel73-more.int tests/integration/kernel73-console.int
EXTRA_DIST += tests/data/run/each-scheduler.recipe tests/data/run/central-repeat.recipe
check-7.3: all
	mkdir -p tests/kernel73-pass
	for t in kernel73-pass kernel73-more kernel73-console; do \
	  KTCON='$(abs_top_builddir)/ktcon' KTCON_SRCDIR='$(abs_top_srcdir)' \
	  KTCON_BUILDDIR='$(abs_top_builddir)' KTCON_PASS_LOGS='$(abs_top_builddir)/tests/kernel73-pass' \
	  sh $(top_srcdir)/tests/run-int $(top_srcdir)/tests/integration/$$t.int || exit 1; done
.PHONY: check-7.3
