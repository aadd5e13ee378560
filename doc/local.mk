# doc/: man pages and architecture notes.
EXTRA_DIST += doc/architecture.md
