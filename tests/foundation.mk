# Foundation: error chains, kernel config, kernel cache, ktcon kernel args.
check_PROGRAMS += tests/unit/test_err
tests_unit_test_err_SOURCES = tests/unit/test_err.c
tests_unit_test_err_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_err_LDADD = $(UNIT_LDADD)

# The limits table, the timeout scale and waits on a fake clock.
check_PROGRAMS += tests/unit/test_wait
tests_unit_test_wait_SOURCES = tests/unit/test_wait.c
tests_unit_test_wait_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_wait_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_kconfig
tests_unit_test_kconfig_SOURCES = tests/unit/test_kconfig.c
tests_unit_test_kconfig_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kconfig_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_kcache
tests_unit_test_kcache_SOURCES = tests/unit/test_kcache.c
tests_unit_test_kcache_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kcache_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_cmd_kernel
tests_unit_test_cmd_kernel_SOURCES = tests/unit/test_cmd_kernel.c tui/cmd-kernel.c
tests_unit_test_cmd_kernel_CFLAGS = $(UNIT_CFLAGS) -DKTCON_UNIT_TEST
tests_unit_test_cmd_kernel_LDADD = $(UNIT_LDADD)

# Kernel versions and the Debian mirror borrowed from the system's sources.
check_PROGRAMS += tests/unit/test_ksource
tests_unit_test_ksource_SOURCES = tests/unit/test_ksource.c
tests_unit_test_ksource_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ksource_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_ksched
tests_unit_test_ksched_SOURCES = tests/unit/test_ksched.c tui/recipe-scheds.c
tests_unit_test_ksched_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ksched_LDADD = $(UNIT_LDADD)

# The diff of two JSON trees (lib/jdiff.c): snapshot diffs and `ktcon diff`.
check_PROGRAMS += tests/unit/test_jdiff
tests_unit_test_jdiff_SOURCES = tests/unit/test_jdiff.c
tests_unit_test_jdiff_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jdiff_LDADD = $(UNIT_LDADD)
