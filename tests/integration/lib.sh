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

# KTCON_TEST_KERNEL (X.Y or a path; make check-7.3 sets 7.3): every guest
# a test boots is that kernel, unless the test or its recipe names one
# (ktcon reads it as KTCON_KERNEL, which stands for "default", kpick.h).
if [ -n "${KTCON_TEST_KERNEL:-}" ]; then
	KTCON_KERNEL=$KTCON_TEST_KERNEL
	export KTCON_KERNEL
fi

# tries N: N polls of a test's wait, stretched for a loaded host: times
# ceil(load average / CPUs) when that is above 1, and times
# KTCON_TIMEOUT_SCALE when it is set (as ktcon stretches its own limits).
# A wait is for a condition; this only moves how long the test waits
# before it says what never came.
tries() {
	awk -v n="$1" -v s="${KTCON_TIMEOUT_SCALE:-1}" -v cpus="$(nproc 2>/dev/null || echo 1)" '
		{ l = $1 / cpus; f = (l > 1) ? int(l) + (l > int(l)) : 1 }
		END { if (s + 0 < 1) s = 1; printf "%d\n", n * f * s + 0.5 }' /proc/loadavg
}

# wait_until WHAT TRIES CMD...: poll CMD every 0.25 s, TRIES times
# (stretched: tries); fail naming WHAT when it never held.
wait_until() {
	_what=$1 _n=$(tries "$2")
	shift 2
	for _i in $(seq 1 "$_n"); do
		"$@" && return 0
		sleep 0.25
	done
	fail "$_what (waited $_n quarter seconds)"
}

need_guest() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86, or ./bootstrap)"
	if [ -n "${KTCON_TEST_KERNEL:-}" ]; then
		"$KTCON" kernel path >/dev/null 2>&1 ||
			skip "no $KTCON_TEST_KERNEL guest kernel in the cache: run \`nice ktcon kernel build --version $KTCON_TEST_KERNEL\`"
		return 0
	fi
	"$KTCON" kernel path >/dev/null 2>&1 ||
		skip "no guest kernel in the cache: run \`ktcon kernel build\` (./bootstrap does)"
}

# The X.Y of the kernel the tests boot (the default, or KTCON_TEST_KERNEL).
test_kernel_version() {
	sed -n 's/^release=\([0-9]*\.[0-9]*\).*/\1/p' "$("$KTCON" kernel path --dir)/meta"
}

# The kernel's name for a sched_ext enable state (DISABLED, ENABLED): 6.12
# calls it SCX_OPS_<state>, 7.x SCX_<state>; a snapshot reads the name
# from the kernel's own BTF, so the test wants the kernel's name.
scx_state_name() {
	case "$(test_kernel_version)" in
	6.*) echo "SCX_OPS_$1" ;;
	*) echo "SCX_$1" ;;
	esac
}

# Why scheduler $1 cannot run on the kernel the tests boot (ktcon's own
# table, as `ktcon help attach-scheduler` says it), or nothing. A test
# part that needs it is then PENDING on that kernel: said, not run.
known_broken() {
	"$KTCON" help attach-scheduler 2>/dev/null | sed -n "s/^$1 is known broken on [0-9.]*: //p"
}

pending_part() {
	echo "PENDING on $(test_kernel_version): $1"
}

# Run a command, keeping stdout and stderr apart, and its status in $rc.
run() {
	out="$TEST_DIR/out" err="$TEST_DIR/err"
	"$@" >"$out" 2>"$err"
	rc=$?
}

show() {
	echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"; echo "---"
}

# Each test gets a TMPDIR of its own, so its run directories, initramfs
# files and QEMUs can be told from those of tests running beside it.
# A test that needs cleanup of its own defines test_cleanup.
TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ktcon-int-XXXXXX") || exit 99
TEST_TMP="$TEST_DIR/tmp"
mkdir "$TEST_TMP" || exit 99
export TMPDIR="$TEST_TMP"
test_cleanup() { :; }
trap 'test_cleanup; rm -rf "$TEST_DIR"' EXIT

# No QEMU, guest RAM file, run directory or initramfs may outlive a test.
# RAM files are named for the ktcon that made them: one whose ktcon is gone
# is a leftover (one whose ktcon lives belongs to a test running beside).
check_no_leftovers() {
	if pgrep -f "qemu-system-x86_64.*$TEST_TMP/" >/dev/null; then
		pgrep -af "qemu-system-x86_64.*$TEST_TMP/" >&2
		fail "a QEMU process was left running"
	fi
	for f in /dev/shm/ktcon-*.ram; do
		[ -e "$f" ] || continue
		pid=${f#/dev/shm/ktcon-}
		pid=${pid%%-*}
		if ! kill -0 "$pid" 2>/dev/null; then
			ls -la "$f" >&2
			fail "a guest RAM file was left in /dev/shm"
		fi
	done
	if [ -n "$(ls -A "$TEST_TMP")" ]; then
		ls -la "$TEST_TMP" >&2
		fail "files were left in TMPDIR"
	fi
}
