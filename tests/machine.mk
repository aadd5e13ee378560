# tests for the machine area
# QMP and gdbstub clients: JSON through json-c (kjson), the QMP reader and client, the
# gdb packet reader, reply parsers and client, against transcripts recorded
# from a real QEMU (tests/data/qmp, tests/data/gdb).
check_PROGRAMS += tests/unit/test_kjson
tests_unit_test_kjson_SOURCES = tests/unit/test_kjson.c
tests_unit_test_kjson_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kjson_LDADD = $(UNIT_LDADD)

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

# libFuzzer targets for the QMP and gdbstub reply parsers (tests/fuzz/run-fuzz).
EXTRA_DIST += tests/fuzz/fuzz_json.c tests/fuzz/fuzz_gdb.c
