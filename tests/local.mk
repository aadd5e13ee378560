# tests/: cmocka unit tests (tests/unit), integration tests that boot a real
# guest (tests/integration/*.int, run through tests/run-int), benchmarks.
# Each area registers its tests in its own tests/*.mk so areas grow apart.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBBPF_CFLAGS) $(LIBELF_CFLAGS)
UNIT_LDADD = $(VMM_LIBS) $(CMOCKA_LIBS)

TEST_EXTENSIONS = .int
INT_LOG_COMPILER = $(top_srcdir)/tests/run-int
AM_TESTS_ENVIRONMENT = \
	KTCON='$(abs_top_builddir)/ktcon'; export KTCON; \
	KTCON_SRCDIR='$(abs_top_srcdir)'; export KTCON_SRCDIR; \
	KTCON_BUILDDIR='$(abs_top_builddir)'; export KTCON_BUILDDIR;
EXTRA_DIST += tests/run-int tests/integration/console-lib.sh
INT_TESTS =

include tests/foundation.mk
include tests/engine.mk
include tests/machine.mk
include tests/guest.mk
include tests/vmm.mk
include tests/tui.mk

# `make fuzz`: every libFuzzer target for FUZZ_SECONDS each (CI runs them
# for a few seconds in tests/integration/fuzz.int).
FUZZ_SECONDS = 60
fuzz:
	$(top_srcdir)/tests/fuzz/run-fuzz $(FUZZ_SECONDS)
# The long mode: every target to FUZZ_RUNS executions (hours on a loaded
# machine; the table at the end gives each one's executions and coverage).
FUZZ_RUNS = 10000000
fuzz-long:
	$(top_srcdir)/tests/fuzz/run-fuzz --runs $(FUZZ_RUNS)
.PHONY: fuzz fuzz-long
EXTRA_DIST += tests/fuzz/run-fuzz tests/fuzz/make-kguest-seeds tests/data/fuzz
INT_TESTS += tests/integration/fuzz.int tests/integration/sanitizers.int

# For tests/integration/sanitizers.int: the unit test programs.
print-unit-tests:
	@echo $(check_PROGRAMS)
.PHONY: print-unit-tests
# For tests/bench/bench-load: the integration tests.
print-int-tests:
	@echo $(INT_TESTS)
.PHONY: print-int-tests

TESTS += $(check_PROGRAMS) $(INT_TESTS)
EXTRA_DIST += $(INT_TESTS)

# The folders stay a stack: no include goes up the dependency order (lib,
# engine, vmm/machine, kernel, image, link, intro, vmm's session and
# backend, tui; guest on lib only). No guest needed.
INT_TESTS += tests/integration/layering.int
