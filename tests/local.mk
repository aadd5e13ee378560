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
EXTRA_DIST += tests/run-int
INT_TESTS =

include tests/foundation.mk
include tests/engine.mk
include tests/machine.mk
include tests/guest.mk
include tests/vmm.mk
include tests/tui.mk

TESTS += $(check_PROGRAMS) $(INT_TESTS)
EXTRA_DIST += $(INT_TESTS)
