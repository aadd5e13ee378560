# tests for the engine area: one cmocka program per engine module, the
# executor against the fake guest link and fake host, the recipe corpus.
ENGINE_TEST_LDADD = libengine.a $(CMOCKA_LIBS)
ENGINE_FAKES = \
	tests/unit/fake_link.c tests/unit/fake_link.h \
	tests/unit/fake_host.c tests/unit/fake_host.h \
	tests/unit/exec_harness.c tests/unit/exec_harness.h

check_PROGRAMS += tests/unit/test_executor
tests_unit_test_executor_SOURCES = tests/unit/test_executor.c $(ENGINE_FAKES)
tests_unit_test_executor_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_executor_LDADD = $(ENGINE_TEST_LDADD)
