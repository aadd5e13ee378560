# engine/: op model, recipe language, scenario executor. Uses lib/ (and,
# through lib/kjson.c, json-c) and nothing else.
noinst_LIBRARIES += libengine.a
libengine_a_SOURCES = \
	engine/hold.h engine/hold.c \
	engine/ktarget.h engine/ktarget.c \
	engine/form.h engine/form.c engine/argtype.c \
	engine/op.h engine/op-table.c \
	engine/recipe.h engine/recipe-lex.h engine/recipe-lex.c \
	engine/recipe-parse.c engine/recipe-print.c \
	engine/lint.h engine/recipe-lint.c \
	engine/header.h engine/header.c \
	engine/link.h engine/host.h \
	engine/gstate.h engine/gstate.c \
	engine/scenario.h engine/scenario.c \
	engine/watches.h engine/watches.c \
	engine/gevent.h engine/gevent.c \
	engine/events.h engine/events.c \
	engine/timeline.h engine/timeline.c engine/trace-tef.h engine/trace-tef.c \
	engine/results.h engine/results-json.c engine/results-tap.c \
	engine/results-junit.c engine/shard.h engine/shard.c \
	engine/executor.h engine/op-exec.h engine/executor.c \
	engine/ops-common.c engine/ops-cgroup.c engine/ops-workers.c \
	engine/ops-payload.c engine/ops-kernel.c engine/ops-sched.c \
	engine/expect.h engine/expect.c \
	engine/stats.h engine/stats.c \
	engine/sched-override.h engine/sched-override.c \
	engine/svg.h engine/svg.c \
	engine/run-metrics.h engine/run-metrics.c \
	engine/compare.h engine/compare.c \
	engine/snapfile.h engine/snapfile.c
