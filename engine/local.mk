# engine/: op model, recipe language, scenario executor. libc only.
noinst_LIBRARIES += libengine.a
libengine_a_SOURCES = \
	engine/err.c engine/err.h \
	engine/util.c engine/util.h
