# tests/integration/lib.sh - shared by the integration tests (sourced).
#
# KTCON is the ktcon binary under test (set by make check). A test that
# cannot run here exits 77 with a loud reason; tests/run-int turns that into
# a failure under CI (KTCON_NO_SKIP=1).

: "${KTCON:=./ktcon}"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

need_guest() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86, or ./bootstrap)"
	"$KTCON" kernel path >/dev/null 2>&1 ||
		skip "no guest kernel in the cache: run \`ktcon kernel build\` (./bootstrap does)"
}

# Run a command, keeping stdout and stderr apart, and its status in $rc.
run() {
	out=$(mktemp) err=$(mktemp)
	"$@" >"$out" 2>"$err"
	rc=$?
}

show() {
	echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"; echo "---"
}

# No QEMU and no guest RAM file may outlive a test.
check_no_leftovers() {
	if pgrep -f "qemu-system-x86_64.*ktcon-run-" >/dev/null; then
		pgrep -af qemu-system-x86_64 >&2
		fail "a QEMU process was left running"
	fi
	if ls /dev/shm/ktcon-*.ram >/dev/null 2>&1; then
		ls -la /dev/shm/ktcon-*.ram >&2
		fail "guest RAM files were left in /dev/shm"
	fi
	if ls /tmp/ktcon-initrd-* >/dev/null 2>&1; then
		ls -la /tmp/ktcon-initrd-* >&2
		fail "initramfs files were left in /tmp"
	fi
}
