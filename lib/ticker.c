/* ticker.c - a fixed-rate thread; see ticker.h. */
#include "lib/ticker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct ticker {
	uint64_t period_ns;
	void (*fn)(void *ctx);
	void *ctx;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* on CLOCK_MONOTONIC: stop wakes it */
	bool stop;
};

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

static void *run(void *arg)
{
	struct ticker *t = arg;
	struct timespec now;
	uint64_t at;

	clock_gettime(CLOCK_MONOTONIC, &now);
	at = ns_of(&now);
	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		struct timespec until;

		pthread_mutex_unlock(&t->lock);
		t->fn(t->ctx);
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* Behind (a slow tick): skip the deadlines already gone. */
		do
			at += t->period_ns;
		while (at < ns_of(&now));
		until.tv_sec = (time_t)(at / 1000000000ull);
		until.tv_nsec = (long)(at % 1000000000ull);
		pthread_mutex_lock(&t->lock);
		while (!t->stop && pthread_cond_timedwait(&t->cond, &t->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

struct kterr *ticker_start(uint64_t period_ns, void (*fn)(void *ctx), void *ctx, const char *what,
			   struct ticker **out)
{
	struct ticker *t = calloc(1, sizeof(*t));
	pthread_condattr_t ca;
	int err;

	*out = NULL;
	if (!t)
		return kterr_new(ENOMEM, "%s", what);
	*t = (struct ticker){ .period_ns = period_ns ? period_ns : 1, .fn = fn, .ctx = ctx };
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	err = pthread_create(&t->th, NULL, run, t);
	if (err) {
		pthread_cond_destroy(&t->cond);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return kterr_new(err, "%s", what);
	}
	*out = t;
	return NULL;
}

void ticker_stop(struct ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->th, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
