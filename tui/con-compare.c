/* con-compare.c - see con-compare.h. */
#include "tui/con-compare.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compare.h"
#include "engine/timeline.h"
#include "lib/util.h"
#include "tui/run-batch.h"

struct con_compare {
	pthread_t th;
	atomic_bool done;
	struct con_log *log;
	char *path, *sched, *what_a, *what_b;
	int runs;
	struct run_opts o[2];
};

static void log_text(struct con_log *log, const char *text)
{
	for (const char *p = text; p && *p; ) {
		size_t l = strcspn(p, "\n");

		if (l)
			con_log_add(log, CON_A_NORMAL, "%.*s", (int)l, p);
		p += l + (p[l] == '\n');
	}
}

static struct json_object *parse(const char *text)
{
	struct json_object *v = NULL;
	struct kterr *e = text ? kjson_parse(text, strlen(text), &v) : NULL;

	kterr_free(e);
	return v;
}

static void *compare_thread(void *arg)
{
	struct con_compare *k = arg;
	size_t n = (size_t)k->runs * 2;
	struct run_item *items = calloc(n, sizeof(*items));
	struct kt_cmp_side sides[2] = { { "A", k->what_a }, { "B", k->what_b } };
	struct kt_cmp_recipe c;
	char *table = NULL;
	size_t len = 0;
	FILE *f;

	if (!items) {
		con_log_add(k->log, CON_A_ERROR, "compare: out of memory");
		atomic_store(&k->done, true);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {	/* A1 B1 A2 B2 ... */
		items[i].path = k->path;
		items[i].o = &k->o[i % 2];
	}
	run_batch(items, n, 1, true);
	kt_cmp_init(&c, k->path);
	for (size_t i = 0; i < n; i++) {
		struct json_object *res = parse(items[i].json), *tl = parse(items[i].timeline);

		kt_cmp_add_run(&c, (int)(i % 2), run_outcome_names[items[i].outcome], items[i].why,
			       res, tl);
		json_object_put(res);
		json_object_put(tl);
		run_item_clear(&items[i]);
	}
	kt_cmp_finish(&c);
	f = open_memstream(&table, &len);
	if (f) {
		kt_cmp_print(&c, sides, f);
		fclose(f);
	}
	log_text(k->log, table);
	free(table);
	kt_cmp_free(&c);
	free(items);
	con_log_add(k->log, CON_A_OK, "compare: done");
	atomic_store(&k->done, true);
	return NULL;
}

static void free_compare(struct con_compare *k)
{
	free(k->path);
	free(k->sched);
	free(k->what_a);
	free(k->what_b);
	free(k);
}

void con_compare_start(struct con_compare **cmp, struct con_log *log, const char *path,
		       const char *scheduler, int runs)
{
	struct con_compare *k;

	if (*cmp && !atomic_load(&(*cmp)->done)) {
		con_log_add(log, CON_A_ERROR, "compare: one is running already");
		con_log_add(log, CON_A_HINT, "  hint: its table comes to this log when it is done");
		return;
	}
	con_compare_stop(cmp);	/* the one before: finished, joined here */
	k = calloc(1, sizeof(*k));
	if (!k || !(k->path = strdup(path)) || !(k->sched = strdup(scheduler)) ||
	    !(k->what_a = kt_strfmt("%s as written", path)) ||
	    !(k->what_b = kt_strfmt("%s", scheduler))) {
		if (k)
			free_compare(k);
		con_log_add(log, CON_A_ERROR, "compare: out of memory");
		return;
	}
	k->log = log;
	k->runs = runs;
	for (int s = 0; s < 2; s++) {
		k->o[s].quiet = true;
		k->o[s].jobs = 1;
		k->o[s].rate_hz = KT_TL_DEFAULT_HZ;
	}
	k->o[1].scheduler = k->sched;
	atomic_init(&k->done, false);
	if (pthread_create(&k->th, NULL, compare_thread, k)) {
		con_log_add(log, CON_A_ERROR, "compare: cannot start a thread");
		free_compare(k);
		return;
	}
	*cmp = k;
	con_log_add(log, CON_A_OK, "compare: %s, %d run%s as written (A) and under %s (B), one "
		    "fresh guest at a time beside this one; the table comes here when done", path,
		    runs, runs > 1 ? "s" : "", scheduler);
}

void con_compare_interrupt(struct con_compare *cmp)
{
	if (cmp && !atomic_load(&cmp->done))
		run_batch_stop();
}

void con_compare_stop(struct con_compare **cmp)
{
	if (!*cmp)
		return;
	con_compare_interrupt(*cmp);
	pthread_join((*cmp)->th, NULL);
	free_compare(*cmp);
	*cmp = NULL;
}
