# tests for the machine area
# QMP and gdbstub clients: the JSON parser, the QMP reader and client, the
# gdb packet reader, reply parsers and client, against transcripts recorded
# from a real QEMU (tests/data/qmp, tests/data/gdb).
check_PROGRAMS += tests/unit/test_json
tests_unit_test_json_SOURCES = tests/unit/test_json.c
tests_unit_test_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_qmp
tests_unit_test_qmp_SOURCES = tests/unit/test_qmp.c
tests_unit_test_qmp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_qmp_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_gdbstub
tests_unit_test_gdbstub_SOURCES = tests/unit/test_gdbstub.c
tests_unit_test_gdbstub_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_gdbstub_LDADD = $(UNIT_LDADD)

# vmmprobe drives a real QEMU with both clients: the worker of
# qmp_gdb.int, and the recorder of the transcripts above. Not a
# check_PROGRAM: those all run as tests, and it needs a QEMU.
noinst_PROGRAMS += tests/integration/vmmprobe
tests_integration_vmmprobe_SOURCES = tests/integration/vmmprobe.c
tests_integration_vmmprobe_LDADD = $(VMM_LIBS)
INT_TESTS += tests/integration/qmp_gdb.int

EXTRA_DIST += tests/data/qmp tests/data/gdb

# libFuzzer targets (./configure CC=clang --enable-fuzz). The sources are
# compiled into each target, not taken from libvmm.a, so the fuzzer sees
# their coverage.
if FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_json tests/fuzz/fuzz_gdb
FUZZ_COMMON = engine/err.c engine/util.c
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c vmm/json.c vmm/qmp.c $(FUZZ_COMMON)
tests_fuzz_fuzz_json_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_gdb_SOURCES = tests/fuzz/fuzz_gdb.c vmm/gdbstub.c $(FUZZ_COMMON)
tests_fuzz_fuzz_gdb_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_gdb_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
endif
EXTRA_DIST += tests/fuzz/fuzz_json.c tests/fuzz/fuzz_gdb.c
