# tests/integration/console-lib.sh - driving the console in tmux (sourced
# after lib.sh by the console tests that use it): a tmux server of the
# test's own, the screen read back, waits on what it shows (never sleeps
# standing in for a condition).
command -v tmux >/dev/null 2>&1 || skip "tmux is not installed (apt-get install tmux)"

sock="ktcon-$(basename "$0" .int)-$$"
t() { tmux -L "$sock" "$@"; }
test_cleanup() { t kill-server 2>/dev/null; }
# Everything the pane holds (history too), and what is visible now.
screen() { t capture-pane -p -J -S -2000; }
visible() { t capture-pane -p; }

# The visible screen with the log's wrapped lines joined again (the log
# pane continues a long line on the next row, indented four spaces), so a
# message matches however long the paths in it made it.
visible_joined() { visible | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n    \([^ ]\)/ \1/g'; }

# wait_for WHAT REGEX [TRIES]: until the visible screen matches, as shown
# or with the log's wrapped lines joined (TRIES quarter seconds, stretched
# on a loaded host: lib.sh's tries).
wait_for() {
	for i in $(seq 1 "$(tries "${3:-160}")"); do
		{ visible; visible_joined; } | grep -Eq -- "$2" && return 0
		sleep 0.25
	done
	visible
	fail "$1: no /$2/ on the screen"
}

# start_console COLS ROWS [ARGS]: the console in a fresh tmux session,
# waited for until the guest is up.
start_console() {
	t new-session -d -x "$1" -y "$2" \
		"TMPDIR='$TMPDIR' XDG_STATE_HOME='$TEST_DIR/state' $KTCON $3; echo CONSOLE-EXITED-\$?; sleep 60"
	wait_for "boot" "guest up: " 960
}

# resize COLS ROWS: a live resize of the console's window.
resize() {
	t resize-window -x "$1" -y "$2"
}

# quit_console: quit, wait for the exit, no QEMU left.
quit_console() {
	t send-keys "quit" Enter
	wait_for "quit" "CONSOLE-EXITED-" 480
	check_no_leftovers
}
