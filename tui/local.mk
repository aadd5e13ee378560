# tui/: the ktcon command, one file per subcommand, and the console.
#
# libconsole.a: the console's models and logic that need no terminal
# (pane models and rendering to an off-screen buffer, recording, replay,
# the layout); the unit tests link it. The curses and readline modules and
# the UI loop are linked into ktcon only.
noinst_LIBRARIES += libconsole.a
libconsole_a_SOURCES = \
	tui/con-buf.c tui/con-buf.h \
	tui/con-log.c tui/con-log.h \
	tui/con-scn.c tui/con-scn.h \
	tui/con-tree.c tui/con-tree.h \
	tui/con-sched.c tui/con-sched.h \
	tui/con-caps.c tui/con-caps.h \
	tui/con-status.c tui/con-status.h \
	tui/con-layout.c tui/con-layout.h \
	tui/con-record.c tui/con-record.h \
	tui/con-replay.c tui/con-replay.h \
	tui/con-keys.c tui/con-keys.h \
	tui/con-browse.c tui/con-browse.h \
	tui/con-sym.c tui/con-sym.h \
	tui/con-down.c tui/con-down.h \
	tui/con-backdrop.c tui/con-backdrop.h \
	tui/con-tabs.c tui/con-tabs.h \
	tui/con-cands.c tui/con-cands.h \
	tui/con-rq.c tui/con-rq.h \
	tui/con-workers.c tui/con-workers.h \
	tui/con-live.c tui/con-live.h tui/con-hist.c tui/con-hist.h

bin_PROGRAMS += ktcon
ktcon_SOURCES = \
	tui/main.c \
	tui/cmd.h tui/cmd-table.c \
	tui/cmd-kernel.c tui/cmd-kernel.h \
	tui/cmd-check.c \
	tui/cmd-diff.c tui/con-cmd-snap.c \
	tui/cmd-boot.c tui/guest-opts.c tui/guest-opts.h \
	tui/cmd-console.c \
	tui/cmd-run.c tui/cmd-help.c tui/run-timeline.c tui/run-timeline.h \
	tui/run-batch.h tui/cmd-compare.c \
	tui/plot.c tui/plot.h \
	tui/con-compare.c tui/con-compare.h \
	tui/run-status.c tui/run-status.h \
	tui/state-print.c tui/state-print.h \
	tui/recipe-boot.c tui/recipe-boot.h \
	tui/guest-exec.c tui/guest-exec.h \
	tui/recipe-scheds.c tui/recipe-scheds.h \
	tui/console.h tui/con-ui.c tui/con-jobs.c tui/con-events.c \
	tui/con-cmd.h tui/con-cmds.c tui/con-cmd-help.c tui/con-cmd-view.c tui/con-cmd-session.c \
	tui/con-restart.c tui/con-shell.c \
	tui/con-complete.c tui/con-logslot.c tui/con-logslot.h \
	tui/con-treeslot.c tui/con-treeslot.h \
	tui/con-engine.c tui/con-engine.h \
	tui/con-sampler.c tui/con-sampler.h tui/con-cmd-live.c \
	tui/con-prompt.c tui/con-prompt.h \
	tui/con-screen.c tui/con-screen.h
ktcon_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
ktcon_LDADD = libconsole.a $(VMM_LIBS) $(NCURSES_LIBS) $(READLINE_LIBS)
