# lib/: what guest/, engine/ and vmm/ all use: chained errors, small
# utilities, CPU sets, work types, the timeout table and stall-aware waits,
# a fixed-rate thread, input limits, the cgroup name rule, JSON (json-c)
# and the diff of two JSON trees. It includes nothing
# from another ktcon folder.
noinst_LIBRARIES += libkt.a
libkt_a_SOURCES = \
	lib/err.c lib/err.h \
	lib/util.c lib/util.h \
	lib/timeouts.c lib/timeouts.h lib/wait.c lib/wait.h \
	lib/cpuset.h lib/cpuset-spec.c \
	lib/limits.h lib/cgroup-name.h lib/cgroup-name.c \
	lib/work.h lib/work.c \
	lib/ticker.h lib/ticker.c \
	lib/kjson.h lib/kjson.c \
	lib/jdiff.h lib/jdiff.c
