/* results-tap.c - results as TAP version 13; see results.h. */
#include "engine/results.h"

#include <stdlib.h>
#include <string.h>

static bool is_test_point(const struct kt_stmt_result *s)
{
	return s->stmt->kind == KT_STMT_OP || s->stmt->kind == KT_STMT_CGROUP ||
	       s->stmt->kind == KT_STMT_EXPECT;
}

/* A YAML block scalar: every line of s indented. */
static void yaml_block(FILE *f, const char *key, const char *s)
{
	fprintf(f, "    %s: |\n      ", key);
	for (; *s; s++) {
		fputc(*s, f);
		if (*s == '\n' && s[1])
			fputs("      ", f);
	}
	fputc('\n', f);
}

void kt_results_tap(const struct kt_results *r, FILE *f)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < r->n; i++)
		n += is_test_point(&r->v[i]);
	fprintf(f, "TAP version 13\n1..%zu\n", n + r->nteardown + r->nguest_failures);
	for (size_t i = 0; i < r->n; i++) {
		const struct kt_stmt_result *s = &r->v[i];
		char *text;
		bool ok;

		if (!is_test_point(s))
			continue;
		text = kt_stmt_print(s->stmt);
		ok = s->status != KT_RES_FAIL;
		fprintf(f, "%s %zu - %s:%d: %s", ok ? "ok" : "not ok", ++k, r->file ? r->file : "",
			s->stmt->line, text ? text : "");
		if (s->status == KT_RES_SKIP || s->status == KT_RES_NOT_RUN)
			fputs(" # SKIP an earlier op failed", f);
		fputc('\n', f);
		if (s->error || s->captured) {
			fprintf(f, "  ---\n    status: %s\n", kt_status_name(s->status));
			if (s->error)
				yaml_block(f, "error", s->error);
			if (s->captured)
				fprintf(f, "    captured: %s\n", s->captured);
			fputs("  ...\n", f);
		}
		free(text);
	}
	for (size_t i = 0; i < r->nteardown; i++) {
		fprintf(f, "not ok %zu - teardown\n  ---\n", ++k);
		yaml_block(f, "error", r->teardown_errors[i]);
		fputs("  ...\n", f);
	}
	for (size_t i = 0; i < r->nguest_failures; i++) {
		fprintf(f, "not ok %zu - guest\n  ---\n", ++k);
		yaml_block(f, "error", r->guest_failures[i]);
		fputs("  ...\n", f);
	}
}
