# tests for the console: pane models rendered to an off-screen buffer,
# recording and replay (unit); the console driven in tmux (integration).
INT_TESTS += tests/integration/console.int tests/integration/console-replay.int \
	tests/integration/console-kill.int tests/integration/console-cancel.int \
	tests/integration/console-watch.int tests/integration/console-compare.int \
	tests/integration/console-sym.int \
	tests/integration/console-crash.int tests/integration/console-schedout.int \
	tests/integration/console-slots.int tests/integration/console-polish.int \
	tests/integration/docs-console.int \
	tests/integration/console-restart.int tests/integration/console-sh.int \
	tests/integration/console-workers.int tests/integration/console-live.int
INT_TESTS += tests/integration/console-diff.int tests/integration/diff-cli.int

CONSOLE_TEST_LDADD = libconsole.a $(VMM_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_con_panes
tests_unit_test_con_panes_SOURCES = tests/unit/test_con_panes.c
tests_unit_test_con_panes_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_panes_LDADD = $(CONSOLE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_con_backdrop
tests_unit_test_con_backdrop_SOURCES = tests/unit/test_con_backdrop.c
tests_unit_test_con_backdrop_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_backdrop_LDADD = $(CONSOLE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_con_record
tests_unit_test_con_record_SOURCES = tests/unit/test_con_record.c
tests_unit_test_con_record_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_record_LDADD = $(CONSOLE_TEST_LDADD)

# `--plot`: the SVG charts (tui/plot.c over engine/svg.c).
check_PROGRAMS += tests/unit/test_plot
tests_unit_test_plot_SOURCES = tests/unit/test_plot.c tui/plot.c tui/plot.h
tests_unit_test_plot_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_plot_LDADD = $(ENGINE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_guest_opts
tests_unit_test_guest_opts_SOURCES = tests/unit/test_guest_opts.c tui/guest-opts.c
tests_unit_test_guest_opts_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_guest_opts_LDADD = $(VMM_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_con_sym
tests_unit_test_con_sym_SOURCES = tests/unit/test_con_sym.c tests/unit/mini_elf.c \
	tests/unit/mini_elf.h
tests_unit_test_con_sym_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_sym_LDADD = $(CONSOLE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_con_views
tests_unit_test_con_views_SOURCES = tests/unit/test_con_views.c
tests_unit_test_con_views_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_views_LDADD = $(CONSOLE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_con_cands
tests_unit_test_con_cands_SOURCES = tests/unit/test_con_cands.c
tests_unit_test_con_cands_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_cands_LDADD = $(CONSOLE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_con_workers
tests_unit_test_con_workers_SOURCES = tests/unit/test_con_workers.c
tests_unit_test_con_workers_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_workers_LDADD = $(CONSOLE_TEST_LDADD)

check_PROGRAMS += tests/unit/test_con_live
tests_unit_test_con_live_SOURCES = tests/unit/test_con_live.c
tests_unit_test_con_live_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_live_LDADD = $(CONSOLE_TEST_LDADD)

# The console's timeline and its sampler thread, without a guest.
check_PROGRAMS += tests/unit/test_con_sampler
tests_unit_test_con_sampler_SOURCES = tests/unit/test_con_sampler.c tui/con-sampler.c
tests_unit_test_con_sampler_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_con_sampler_LDADD = $(CONSOLE_TEST_LDADD)
