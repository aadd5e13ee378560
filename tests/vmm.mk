# The machine: accelerator, topology, QEMU command line, guest RAM, boot.
check_PROGRAMS += tests/unit/test_machine_parts
tests_unit_test_machine_parts_SOURCES = tests/unit/test_machine_parts.c
tests_unit_test_machine_parts_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_machine_parts_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_wire
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_wire_LDADD = $(UNIT_LDADD)
