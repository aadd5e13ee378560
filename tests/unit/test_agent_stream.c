/* test_agent_stream.c - when the agent sends STATE frames: at once, then
 * at least every WIRE_STATE_PERIOD_MS, on a change within a sample, right
 * after a poke; and with the port full, never blocking, never spinning,
 * and counting the rounds it skipped. The port is a socketpair and the
 * sources are fixtures; the clock is real (runs take about 3 s). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "guest/agent.h"
#include "guest/wire-state.h"

/* The agent's worker table is not linked here: no workers anywhere. */
unsigned agent_workers_in(const char *cgroup)
{
	return 0;
}

size_t agent_workers_progress(struct agent_wk *out, size_t max)
{
	return 0;
}

struct fx {
	char *root, *cgroups, *scx, *interrupts;
	struct agent_state_src src;
	struct agent a;
	int host;			/* the host's end */
	struct wire_decoder dec;
	struct wire_msg *msg;
	int frames;			/* STATE frames the host has read */
	uint32_t last_seq;
	uint64_t last_skipped;
	uint64_t first_skipped;		/* skipped_rounds of the frame with seq 1 */
	bool last_has_new;		/* the last frame listed cgroup "new" */
};

static void mk(const char *dir, const char *rel)
{
	char *p = kt_strfmt("%s/%s", dir, rel);

	assert_null(kt_mkdir_p(p, 0755));
	free(p);
}

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = kt_strfmt("%s/%s", dir, rel);

	assert_null(kt_write_file(p, text, strlen(text)));
	free(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/ktcon-stream-XXXXXX";
	int sv[2];

	if (!f || !mkdtemp(tmpl) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	f->root = strdup(tmpl);
	f->cgroups = kt_strfmt("%s/cg", f->root);
	f->scx = kt_strfmt("%s/scx", f->root);
	f->interrupts = kt_strfmt("%s/tests/data/interrupts/cpu2.txt", KTCON_SRCDIR);
	mk(f->root, "cg");
	mk(f->root, "scx");
	put(f->scx, "state", "disabled\n");
	f->src = (struct agent_state_src){ .cgroups = f->cgroups, .interrupts = f->interrupts,
					   .sched_ext = f->scx };
	f->a.port_fd = sv[0];
	snprintf(f->a.port_path, sizeof(f->a.port_path), "socketpair");
	f->a.stream.src = &f->src;
	f->host = sv[1];
	fcntl(f->host, F_SETFL, O_NONBLOCK);
	wire_decoder_init(&f->dec);
	f->msg = malloc(sizeof(*f->msg));
	*state = f;
	return f->msg ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->a.port_fd);
	close(f->host);
	wire_buf_free(&f->a.stream.b);
	free(f->a.stream.last);
	wire_decoder_free(&f->dec);
	free(f->msg);
	kterr_free(kt_rm_rf(f->root));
	free(f->root);
	free(f->cgroups);
	free(f->scx);
	free(f->interrupts);
	free(f);
	return 0;
}

/* What the host has been sent so far. */
static void host_read(struct fx *f)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(f->host, buf, sizeof(buf))) > 0)
		wire_feed(&f->dec, buf, n);
	for (;;) {
		enum wire_status st = wire_next(&f->dec, f->msg, NULL, 0);
		uint64_t v = 0;

		if (st == WIRE_NEED_MORE)
			break;
		if (st != WIRE_OK || f->msg->type != WIRE_STATE)
			continue;
		f->frames++;
		f->last_seq = f->msg->seq;
		f->last_skipped = wire_get_u64(f->msg, "skipped_rounds", &v) ? v : 0;
		if (f->last_seq == 1)
			f->first_skipped = f->last_skipped;
		f->last_has_new = wire_get(f->msg, "cg.0.path") &&
				  !strcmp(wire_get(f->msg, "cg.0.path"), "new");
	}
}

/* The serve loop's shape: sleep as the stream says, then tick. Returns
 * the wakeups, so a spin shows. A loaded machine oversleeps, so the
 * tests bound counts from the side a stall cannot push them. */
static int run_for(struct fx *f, int ms)
{
	uint64_t end = kt_now_ns() + (uint64_t)ms * 1000000;
	int wakeups = 0;

	for (;;) {
		uint64_t now = kt_now_ns();
		/* rounded up: a sub-ms remainder must not spin here */
		int left = now >= end ? 0 : (int)((end - now + 999999) / 1000000);
		int t = agent_stream_timeout_ms(&f->a);

		if (now >= end)
			break;
		poll(NULL, 0, t < left ? t : left);
		agent_stream_tick(&f->a);
		wakeups++;
	}
	host_read(f);
	return wakeups;
}

static void test_first_frame_at_once_then_every_period(void **state)
{
	struct fx *f = *state;
	int wakeups;

	agent_stream_tick(&f->a);
	host_read(f);
	assert_int_equal(f->frames, 1);
	assert_int_equal(f->last_seq, 1);
	/* Nothing changes: frames come from the period alone. */
	wakeups = run_for(f, 1000);
	assert_in_range(f->frames, 2, 1 + 1000 / WIRE_STATE_PERIOD_MS + 1);
	/* a look every AGENT_STATE_SAMPLE_MS and at each period, not a spin */
	assert_in_range(wakeups, 1, 1000 / AGENT_STATE_SAMPLE_MS + 1000 / WIRE_STATE_PERIOD_MS + 2);
	assert_int_equal(f->last_seq, f->frames);
}

static void test_a_change_goes_out_within_a_sample(void **state)
{
	struct fx *f = *state;

	agent_stream_tick(&f->a);
	host_read(f);
	run_for(f, 30);
	assert_false(f->last_has_new);
	mk(f->cgroups, "new");
	/* The next look is at most a sample away, and the loop looks
	 * before it returns: the change is out before the period. */
	run_for(f, AGENT_STATE_SAMPLE_MS + 10);
	assert_true(f->frames >= 2);
	assert_true(f->last_has_new);
}

static void test_poke_samples_at_once(void **state)
{
	struct fx *f = *state;

	agent_stream_tick(&f->a);
	agent_stream_tick(&f->a);	/* not due: nothing */
	host_read(f);
	assert_int_equal(f->frames, 1);
	/* The last look is older than the coalescing bound: at once. */
	poll(NULL, 0, AGENT_STATE_POKE_MIN_MS + 5);
	mk(f->cgroups, "new");
	agent_stream_poke(&f->a);
	assert_int_equal(agent_stream_timeout_ms(&f->a), 0);
	agent_stream_tick(&f->a);
	host_read(f);
	assert_int_equal(f->frames, 2);
	assert_true(f->last_has_new);
	/* a poke with nothing changed sends nothing */
	poll(NULL, 0, AGENT_STATE_POKE_MIN_MS + 5);
	agent_stream_poke(&f->a);
	agent_stream_tick(&f->a);
	host_read(f);
	assert_int_equal(f->frames, 2);
}

/* A poke right after a look waits for the coalescing bound, not for the
 * sample period. */
static void test_poke_right_after_a_look_waits_the_bound(void **state)
{
	struct fx *f = *state;

	agent_stream_tick(&f->a);
	host_read(f);
	mk(f->cgroups, "new");
	agent_stream_poke(&f->a);
	assert_in_range(agent_stream_timeout_ms(&f->a), 1, AGENT_STATE_POKE_MIN_MS);
	run_for(f, AGENT_STATE_POKE_MIN_MS + 5);
	assert_int_equal(f->frames, 2);
	assert_true(f->last_has_new);
}

/* A burst of changes, each poked (an op per cgroup): a bounded number of
 * frames, the last of which shows the burst's last state. */
static void test_burst_of_pokes_is_coalesced_and_ends_with_the_last_state(void **state)
{
	struct fx *f = *state;
	uint64_t t0 = kt_now_ns(), ms;
	int looks = 0;

	agent_stream_tick(&f->a);
	host_read(f);
	for (int i = 0; i < 1000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "c%04d", i);
		mk(f->cgroups, name);
		agent_stream_poke(&f->a);
		if (agent_stream_timeout_ms(&f->a) == 0)
			looks++;
		agent_stream_tick(&f->a);
	}
	ms = (kt_now_ns() - t0) / 1000000;
	/* at most one look per bound during the burst (and the first) */
	assert_in_range(looks, 0, (int)(ms / AGENT_STATE_POKE_MIN_MS) + 2);
	host_read(f);
	assert_in_range(f->frames, 1, (int)(ms / AGENT_STATE_POKE_MIN_MS) + 3);
	mk(f->cgroups, "alast");
	agent_stream_poke(&f->a);
	run_for(f, AGENT_STATE_POKE_MIN_MS + 5);
	assert_non_null(f->a.stream.last);
	/* the frame after the burst lists the last cgroup made */
	assert_non_null(memmem(f->a.stream.last, f->a.stream.last_len, "alast", 5));
}

static void test_full_port_skips_rounds_without_blocking_or_spinning(void **state)
{
	struct fx *f = *state;
	char junk[4096];
	int fl = fcntl(f->a.port_fd, F_GETFL), wakeups;
	uint64_t t0;

	/* The host stops reading: fill the agent's end. */
	memset(junk, 'x', sizeof(junk));
	fcntl(f->a.port_fd, F_SETFL, fl | O_NONBLOCK);
	while (write(f->a.port_fd, junk, sizeof(junk)) > 0)
		;
	assert_int_equal(errno, EAGAIN);
	fcntl(f->a.port_fd, F_SETFL, fl);
	t0 = kt_now_ns();
	wakeups = run_for(f, 5 * AGENT_STATE_SAMPLE_MS);
	/* A blocked write would never return (nobody reads): the bound only
	 * has to tell that from a loaded machine's late wake-ups. */
	assert_true(kt_now_ns() - t0 < (5 * AGENT_STATE_SAMPLE_MS + 5000) * 1000000ULL);
	assert_true(wakeups < 20);
	assert_true(f->a.stream.skipped >= 4);
	assert_int_equal(f->a.stream.gen, 0);
	/* The host reads again (junk and all): frames resume and say how
	 * many rounds were lost. */
	run_for(f, 0);
	run_for(f, 2 * AGENT_STATE_SAMPLE_MS);
	assert_true(f->frames >= 1);
	assert_true(f->first_skipped >= 4);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_first_frame_at_once_then_every_period),
		T(test_a_change_goes_out_within_a_sample),
		T(test_poke_samples_at_once),
		T(test_poke_right_after_a_look_waits_the_bound),
		T(test_burst_of_pokes_is_coalesced_and_ends_with_the_last_state),
		T(test_full_port_skips_rounds_without_blocking_or_spinning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
