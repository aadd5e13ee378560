# tui/: the ktcon command, one file per subcommand.
bin_PROGRAMS += ktcon
ktcon_SOURCES = \
	tui/main.c \
	tui/cmd.h tui/cmd-table.c \
	tui/cmd-kernel.c tui/cmd-kernel.h \
	tui/cmd-check.c \
	tui/cmd-boot.c \
	tui/cmd-console.c \
	tui/cmd-run.c tui/cmd-help.c \
	tui/run-status.c tui/run-status.h \
	tui/state-print.c tui/state-print.h \
	tui/recipe-boot.c tui/recipe-boot.h
ktcon_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
ktcon_LDADD = $(VMM_LIBS) $(NCURSES_LIBS) $(READLINE_LIBS)
