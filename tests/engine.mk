# tests for the engine area: one cmocka program per engine module, the
# executor against the fake guest link and fake host, the recipe corpus.
ENGINE_TEST_LDADD = libengine.a libkt.a $(JSONC_LIBS) $(CMOCKA_LIBS) -lm
ENGINE_FAKES = \
	tests/unit/fake_link.c tests/unit/fake_link.h \
	tests/unit/fake_host.c tests/unit/fake_host.h \
	tests/unit/exec_harness.c tests/unit/exec_harness.h

check_PROGRAMS += tests/unit/test_executor
tests_unit_test_executor_SOURCES = tests/unit/test_executor.c $(ENGINE_FAKES)
tests_unit_test_executor_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_executor_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_cgroup_batch
tests_unit_test_cgroup_batch_SOURCES = tests/unit/test_cgroup_batch.c $(ENGINE_FAKES)
tests_unit_test_cgroup_batch_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cgroup_batch_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_seed_rules
tests_unit_test_seed_rules_SOURCES = tests/unit/test_seed_rules.c $(ENGINE_FAKES)
tests_unit_test_seed_rules_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_seed_rules_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_recipe
tests_unit_test_recipe_SOURCES = tests/unit/test_recipe.c
tests_unit_test_recipe_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_recipe_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_recipe_input
tests_unit_test_recipe_input_SOURCES = tests/unit/test_recipe_input.c
tests_unit_test_recipe_input_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_recipe_input_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_recipe_corpus
tests_unit_test_recipe_corpus_SOURCES = tests/unit/test_recipe_corpus.c
tests_unit_test_recipe_corpus_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_recipe_corpus_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_stats
tests_unit_test_stats_SOURCES = tests/unit/test_stats.c
tests_unit_test_stats_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_stats_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_sched_override
tests_unit_test_sched_override_SOURCES = tests/unit/test_sched_override.c
tests_unit_test_sched_override_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sched_override_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_compare
tests_unit_test_compare_SOURCES = tests/unit/test_compare.c
tests_unit_test_compare_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_compare_LDADD = $(ENGINE_TEST_LDADD)
EXTRA_DIST += tests/data/compare

check_PROGRAMS += tests/unit/test_cpuset
tests_unit_test_cpuset_SOURCES = tests/unit/test_cpuset.c
tests_unit_test_cpuset_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cpuset_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_hold
tests_unit_test_hold_SOURCES = tests/unit/test_hold.c
tests_unit_test_hold_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hold_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_ktarget
tests_unit_test_ktarget_SOURCES = tests/unit/test_ktarget.c
tests_unit_test_ktarget_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ktarget_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_op_table
tests_unit_test_op_table_SOURCES = tests/unit/test_op_table.c
tests_unit_test_op_table_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_op_table_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_scenario
tests_unit_test_scenario_SOURCES = tests/unit/test_scenario.c
tests_unit_test_scenario_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_scenario_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_results
tests_unit_test_results_SOURCES = tests/unit/test_results.c $(ENGINE_FAKES)
tests_unit_test_results_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_results_LDADD = $(ENGINE_TEST_LDADD)

# The recipes the corpus test reads.
EXTRA_DIST += tests/data/recipes recipes tests/data/seed
INT_TESTS += tests/integration/seed.int tests/integration/cgroups-bulk.int

# libFuzzer target for the parser (tests/fuzz/run-fuzz builds it: make fuzz).
EXTRA_DIST += tests/fuzz/fuzz_recipe.c

check_PROGRAMS += tests/unit/test_watches
tests_unit_test_watches_SOURCES = tests/unit/test_watches.c $(ENGINE_FAKES)
tests_unit_test_watches_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_watches_LDADD = $(ENGINE_TEST_LDADD)

# The run timeline and its Trace Event Format writer.
check_PROGRAMS += tests/unit/test_timeline
tests_unit_test_timeline_SOURCES = tests/unit/test_timeline.c
tests_unit_test_timeline_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_timeline_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_junit
tests_unit_test_junit_SOURCES = tests/unit/test_junit.c $(ENGINE_FAKES)
tests_unit_test_junit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_junit_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_shard
tests_unit_test_shard_SOURCES = tests/unit/test_shard.c
tests_unit_test_shard_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_shard_LDADD = $(ENGINE_TEST_LDADD)

# A saved capture read back for `ktcon diff` (engine/snapfile.c).
check_PROGRAMS += tests/unit/test_snapfile
tests_unit_test_snapfile_SOURCES = tests/unit/test_snapfile.c
tests_unit_test_snapfile_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_snapfile_LDADD = $(ENGINE_TEST_LDADD)
