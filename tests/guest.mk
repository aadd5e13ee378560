# tests for the guest area

# The worker library runs on the host too: real workers, forked by the test.
check_PROGRAMS += tests/unit/test_worker
tests_unit_test_worker_SOURCES = tests/unit/test_worker.c guest/worker.c guest/exit-nap.c guest/worker-work.c \
	guest/worker-affinity.c guest/wake-hist.c
tests_unit_test_worker_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_worker_LDADD = $(UNIT_LDADD)
# The agent's state stream: /proc/interrupts, the cgroup walk, and the
# STATE frame from the agent's builder to the host's struct kt_gstate.
check_PROGRAMS += tests/unit/test_state_irqs tests/unit/test_state_cgroups
tests_unit_test_state_irqs_SOURCES = tests/unit/test_state_irqs.c guest/state-irqs.c \
	guest/state-irqs.h
tests_unit_test_state_irqs_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_irqs_LDADD = $(UNIT_LDADD)
tests_unit_test_state_cgroups_SOURCES = tests/unit/test_state_cgroups.c guest/state-cgroups.c \
	guest/state-cgroups.h
tests_unit_test_state_cgroups_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_cgroups_LDADD = $(UNIT_LDADD)
EXTRA_DIST += tests/data/interrupts
check_PROGRAMS += tests/unit/test_gstate_wire
tests_unit_test_gstate_wire_SOURCES = tests/unit/test_gstate_wire.c guest/agent-state.c \
	guest/agent-util.c guest/state-cgroups.c guest/state-irqs.c
tests_unit_test_gstate_wire_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_gstate_wire_LDADD = $(UNIT_LDADD)

# Boots a guest: the state stream end to end (ktcon boot --state).
INT_TESTS += tests/integration/state.int

check_PROGRAMS += tests/unit/test_agent_stream
tests_unit_test_agent_stream_SOURCES = tests/unit/test_agent_stream.c guest/agent-stream.c \
	guest/agent-state.c guest/agent-util.c guest/state-cgroups.c guest/state-irqs.c
tests_unit_test_agent_stream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_agent_stream_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_state_print
tests_unit_test_state_print_SOURCES = tests/unit/test_state_print.c tui/state-print.c
tests_unit_test_state_print_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_print_LDADD = $(UNIT_LDADD)

# The kernel's account of a scheduler's exit, from real guests' records.
check_PROGRAMS += tests/unit/test_sched_exit
tests_unit_test_sched_exit_SOURCES = tests/unit/test_sched_exit.c guest/sched-exit.c \
	guest/sched-exit.h
tests_unit_test_sched_exit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sched_exit_LDADD = $(UNIT_LDADD)
