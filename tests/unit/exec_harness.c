/* exec_harness.c - see exec_harness.h. */
#include "exec_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static uint64_t fake_now(void *ctx)
{
	return ((struct harness *)ctx)->now;
}

static void fake_sleep(void *ctx, uint64_t ns)
{
	((struct harness *)ctx)->now += ns;
}

void harness_init(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	fake_link_init(&h->link);
	h->now = 1000;
	h->clock = (struct kt_clock){ fake_now, fake_sleep, h };
	h->events = kt_events_new();
}

void harness_load(struct harness *h, const char *text)
{
	struct kt_exec_config cfg = {
		.link = fake_link_of(&h->link),
		.host = { h->no_host ? NULL : h->no_snapshots ? &fake_host_no_snapshots
							       : &fake_host_ops, &h->host },
		.clock = &h->clock,
		.events = h->events,
		.sched_args = h->sched_args,
	};

	assert_null(kt_recipe_parse("t.recipe", text, strlen(text), &h->r));
	if (h->r->ndiags)
		kt_recipe_print_diags(h->r, stderr);
	assert_int_equal(h->r->ndiags, 0);
	h->x = kt_exec_new(h->r, &cfg);
	assert_non_null(h->x);
}

void harness_run(struct harness *h, const char *text)
{
	harness_load(h, text);
	h->err = kt_exec_run(h->x);
	h->errstr = h->err ? kterr_strdup(h->err) : NULL;
}

const struct kt_stmt_result *harness_line(const struct harness *h, int line)
{
	const struct kt_results *r = kt_exec_results(h->x);

	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].stmt->line == line)
			return &r->v[i];
	fail_msg("no statement on line %d", line);
	return NULL;
}

void harness_free(struct harness *h)
{
	kt_exec_free(h->x);
	kt_recipe_free(h->r);
	kt_events_free(h->events);
	kterr_free(h->err);
	free(h->errstr);
	fake_link_free(&h->link);
}

void assert_contains(const char *s, const char *what)
{
	if (!s || !strstr(s, what))
		fail_msg("expected \"%s\" in \"%s\"", what, s ? s : "(null)");
}
