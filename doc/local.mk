# doc/: man pages and architecture notes.
EXTRA_DIST += doc/architecture.md doc/seed-rules.md doc/results-json.md doc/kernels.md
# The manuals. ktcon-recipe.5's REFERENCE section is `ktcon help --roff`;
# tests/integration/docs.int fails when it is out of date.
dist_man_MANS = doc/ktcon.1 doc/ktcon-recipe.5
