# tests for the machine area
# QMP client: the JSON parser, the QMP reader and client, against
# transcripts recorded from a real QEMU (tests/data/qmp).
check_PROGRAMS += tests/unit/test_json
tests_unit_test_json_SOURCES = tests/unit/test_json.c
tests_unit_test_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_qmp
tests_unit_test_qmp_SOURCES = tests/unit/test_qmp.c
tests_unit_test_qmp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_qmp_LDADD = $(UNIT_LDADD)

EXTRA_DIST += tests/data/qmp
