/* results-json.c - results as one JSON object; see results.h. */
#include "engine/results.h"

#include <stdlib.h>

#include "lib/util.h"
#include "lib/kjson.h"

const char *kt_status_name(enum kt_status s)
{
	static const char *const names[] = {
		[KT_RES_NOT_RUN] = "not-run",
		[KT_RES_PASS] = "pass",
		[KT_RES_FAIL] = "fail",
		[KT_RES_XFAIL] = "expected-failure",
		[KT_RES_SKIP] = "skip",
		[KT_RES_WARN] = "warn",
	};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

size_t kt_results_count(const struct kt_results *r, enum kt_status s)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].status == s;
	return n;
}

void kt_results_json(const struct kt_results *r, FILE *f)
{
	fputs("{\"file\": ", f);
	kt_json_string(f, r->file ? r->file : "");
	fprintf(f, ", \"passed\": %s, \"duration_ns\": %llu, \"statements\": [",
		r->passed ? "true" : "false", (unsigned long long)r->ns);
	for (size_t i = 0; i < r->n; i++) {
		const struct kt_stmt_result *s = &r->v[i];
		char *text = kt_stmt_print(s->stmt);

		fprintf(f, "%s\n  {\"line\": %d, \"statement\": ", i ? "," : "", s->stmt->line);
		kt_json_string(f, text ? text : "");
		fprintf(f, ", \"status\": \"%s\", \"runs\": %u, \"duration_ns\": %llu",
			kt_status_name(s->status), s->runs, (unsigned long long)s->ns);
		fputs(", \"error\": ", f);
		if (s->error)
			kt_json_string(f, s->error);
		else
			fputs("null", f);
		/* captured is already a JSON value built by the op. */
		fprintf(f, ", \"captured\": %s}", s->captured ? s->captured : "null");
		free(text);
	}
	fputs("\n], \"teardown_errors\": [", f);
	for (size_t i = 0; i < r->nteardown; i++) {
		fputs(i ? ", " : "", f);
		kt_json_string(f, r->teardown_errors[i]);
	}
	fputs("], \"guest_failures\": [", f);
	for (size_t i = 0; i < r->nguest_failures; i++) {
		fputs(i ? ", " : "", f);
		kt_json_string(f, r->guest_failures[i]);
	}
	fputs("], \"failure_dumps\": [", f);
	for (size_t i = 0; i < r->nfailure_dumps; i++)
		fprintf(f, "%s%s", i ? ",\n  " : "\n  ", r->failure_dumps[i]);
	fputs("], \"final_workers\": [", f);
	for (size_t i = 0; i < r->nfinal_workers; i++)
		fprintf(f, "%s%s", i ? ",\n  " : "\n  ", r->final_workers[i]);
	fputs("]}\n", f);
}

void kt_results_fires_json(const struct kt_results *r, FILE *f)
{
	fputc('[', f);
	for (size_t i = 0; i < r->nfires; i++) {
		const struct kt_fire_count *c = &r->fires[i];

		fputs(i ? ", {\"tag\": " : "{\"tag\": ", f);
		kt_json_string(f, c->tag);
		fprintf(f, ", \"fires\": %llu, \"last\": %s}", (unsigned long long)c->fires,
			c->last ? c->last : "null");
	}
	fputc(']', f);
}
