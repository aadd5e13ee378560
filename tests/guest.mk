# tests for the guest area

# The worker library runs on the host too: real workers, forked by the test.
check_PROGRAMS += tests/unit/test_worker
tests_unit_test_worker_SOURCES = tests/unit/test_worker.c guest/worker.c guest/worker-work.c \
	guest/worker-affinity.c
tests_unit_test_worker_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_worker_LDADD = $(UNIT_LDADD)
