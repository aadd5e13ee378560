/* test_con_sampler.c - the console's timeline and its sampler
 * (tui/con-sampler.h) without a guest: the boot scheduler's attach at 0,
 * a busy watch's fires thinned to one per CON_LIVE_FIRE_NS, the rate's
 * range, off before the start, sampling on and off, nothing after a halt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/gevent.h"
#include "tui/con-sampler.h"

/* Until the timeline has more than n samples (bounded: a loaded host
 * is slow, not stuck). */
static bool grows_past(struct kt_timeline *tl, uint64_t n)
{
	for (int i = 0; i < 500; i++) {
		if (kt_timeline_seq(tl) > n)
			return true;
		usleep(10000);
	}
	return false;
}

static void test_events_and_rates(void **state)
{
	struct kt_events *ev = kt_events_new();
	struct con_sampler s;
	struct kt_guest_event fire = { .kind = KT_GEV_WATCH_FIRE, .name = "jiffies_64" };
	struct kt_tl_event e;
	struct kterr *err;
	struct kt_timeline *tl;
	unsigned asked;
	uint64_t n;

	(void)state;
	assert_non_null(ev);
	con_sampler_init(&s);
	assert_null(con_sampler_timeline(&s));
	/* off before the guest is up: the start makes the timeline, no thread */
	assert_null(con_sampler_set_rate(&s, 0));
	assert_null(con_sampler_start(&s, 2, NULL, NULL, ev, "scx_simple"));
	tl = con_sampler_timeline(&s);
	assert_non_null(tl);
	assert_int_equal(con_sampler_rate(&s, &asked), 0);
	assert_int_equal(asked, CON_LIVE_DEFAULT_HZ);
	assert_int_equal(kt_timeline_nevents(tl), 1);
	kt_timeline_get_event(tl, 0, &e);
	assert_int_equal(e.kind, KT_TL_ATTACH);
	assert_int_equal(e.t_ns, 0);
	assert_non_null(strstr(e.text, "scx_simple"));
	/* a busy watch: 200 fires at once are one event */
	for (int i = 0; i < 200; i++)
		kt_events_emit(ev, &(struct kt_event){ .kind = KT_EV_FIRE, .gev = &fire });
	assert_int_equal(kt_timeline_nevents(tl), 2);
	usleep(CON_LIVE_FIRE_NS / 1000 + 20000);
	kt_events_emit(ev, &(struct kt_event){ .kind = KT_EV_FIRE, .gev = &fire });
	assert_int_equal(kt_timeline_nevents(tl), 3);
	/* the range */
	err = con_sampler_set_rate(&s, 20);
	assert_non_null(err);
	assert_int_equal(kterr_errno_of(err), ERANGE);
	kterr_free(err);
	err = con_sampler_set_rate(&s, 1);
	assert_non_null(err);
	kterr_free(err);
	/* on: samples come (with no guest, empty ones) at the rate asked */
	assert_null(con_sampler_set_rate(&s, 10));
	assert_int_equal(con_sampler_rate(&s, NULL), 10);
	assert_int_equal(kt_timeline_rate(tl), 10);
	assert_true(grows_past(tl, 2));
	/* halted: no more samples, and no restart */
	con_sampler_halt(&s);
	assert_int_equal(con_sampler_rate(&s, NULL), 0);
	n = kt_timeline_seq(tl);
	err = con_sampler_set_rate(&s, 4);
	assert_non_null(err);
	assert_int_equal(kterr_errno_of(err), EHOSTDOWN);
	kterr_free(err);
	usleep(300000);
	assert_int_equal(kt_timeline_seq(tl), n);
	assert_ptr_equal(con_sampler_timeline(&s), tl);	/* kept for the views */
	con_sampler_free(&s);
	kt_events_free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_and_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
