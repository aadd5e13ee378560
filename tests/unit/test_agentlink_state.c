/* test_agentlink_state.c - the host keeps the guest's latest STATE: taken
 * by agentlink_pump() with no request in flight, and while a request waits
 * for its reply; a bad STATE is logged and the previous one kept. The
 * guest end is a socketpair written by the test. */
#include <errno.h>
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

#include "guest/wire-reply.h"
#include "lib/util.h"
#include "vmm/link/agentlink.h"

struct fx {
	int guest;			/* the agent's end */
	struct agentlink l;
	char log[1024];
};

static void on_log(const char *line, void *ctx)
{
	struct fx *f = ctx;

	snprintf(f->log, sizeof(f->log), "%s", line);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int sv[2];

	if (!f || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	f->guest = sv[0];
	if (agentlink_init(&f->l, sv[1], NULL, NULL))
		return -1;
	f->l.on_log = on_log;
	f->l.log_ctx = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->guest);
	close(f->l.fd);
	agentlink_release(&f->l);
	free(f);
	return 0;
}

static void send_state(struct fx *f, uint32_t gen, const char *cg, const char *nprocs)
{
	struct wire_buf b;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_STATE, gen);
	wire_put_str(&b, "cg.n", "1");
	wire_put_str(&b, "cg.0.path", cg);
	wire_put_str(&b, "cg.0.nprocs", nprocs);
	wire_put_str(&b, "sched.state", "disabled");
	assert_true(wire_finish(&b));
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_buf_free(&b);
}

static void test_pump_takes_states_with_no_request(void **state)
{
	struct fx *f = *state;

	assert_false(f->l.state.valid);
	assert_null(agentlink_pump(&f->l, 0));
	assert_int_equal(f->l.nstates, 0);
	send_state(f, 1, "a", "1");
	send_state(f, 2, "b", "2");
	assert_null(agentlink_pump(&f->l, 0));
	assert_int_equal(f->l.nstates, 2);
	assert_true(f->l.state.valid);
	assert_int_equal(f->l.state.gen, 2);
	assert_string_equal(f->l.state.cgroups[0].path, "b");
	assert_true(f->l.state.received_ns > 0);
}

static void test_pump_waits_out_its_timeout(void **state)
{
	struct fx *f = *state;
	uint64_t t0 = kt_now_ns();

	assert_null(agentlink_pump(&f->l, 60));
	assert_true(kt_now_ns() - t0 >= 60 * 1000000ULL);
}

static void test_bad_state_keeps_the_previous_one_and_says_why(void **state)
{
	struct fx *f = *state;

	send_state(f, 1, "good", "1");
	send_state(f, 2, "bad", "lots");
	assert_null(agentlink_pump(&f->l, 0));
	assert_int_equal(f->l.nstates, 1);
	assert_int_equal(f->l.bad_states, 1);
	assert_string_equal(f->l.state.cgroups[0].path, "good");
	assert_non_null(strstr(f->log, "kept the previous guest state"));
	assert_non_null(strstr(f->log, "cg.0.nprocs: 'lots' is not a count"));
}

static void test_wait_state_returns_on_a_newer_one(void **state)
{
	struct fx *f = *state;
	uint64_t have;

	send_state(f, 1, "a", "0");
	assert_null(agentlink_pump(&f->l, 0));
	have = f->l.nstates;
	struct kterr *e = agentlink_wait_state(&f->l, have, 30);
	assert_non_null(e);
	assert_true(kterr_contains(e, "wait for the guest's state"));
	kterr_free(e);
	send_state(f, 2, "a", "5");
	assert_null(agentlink_wait_state(&f->l, have, 1000));
	assert_int_equal(f->l.state.cgroups[0].nprocs, 5);
}

/* The agent answers a request; a STATE comes before the reply. */
static void test_states_are_taken_while_a_request_waits(void **state)
{
	struct fx *f = *state;
	struct wire_buf b;
	struct wire_msg *m = malloc(sizeof(*m));
	uint8_t buf[4096];
	size_t used;
	ssize_t n;
	const struct wire_msg *reply;

	/* The request is written before the reply can be: send the state and
	 * the reply first; the socket holds them until the link reads. */
	send_state(f, 4, "during", "1");
	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REPLY, f->l.next_seq);
	wire_put_str(&b, "ok", "1");
	assert_true(wire_finish(&b));
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_buf_free(&b);
	assert_null(agentlink_request(&f->l, "query-sched", NULL, NULL, 1000, NULL, &reply));
	assert_int_equal(f->l.nstates, 1);
	assert_string_equal(f->l.state.cgroups[0].path, "during");
	n = read(f->guest, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(wire_decode(buf, n, m, &used, NULL, 0), WIRE_OK);
	assert_string_equal(wire_get(m, "op"), "query-sched");
	free(m);
}

static void test_pump_reports_a_closed_channel(void **state)
{
	struct fx *f = *state;
	struct kterr *e;

	close(f->guest);
	f->guest = -1;
	e = agentlink_pump(&f->l, 50);
	assert_non_null(e);
	assert_true(kterr_contains(e, "control channel closed"));
	kterr_free(e);
}

/* A guest that stops answering: the request ends at its bound and says
 * so; the link is not marked gone (the guest may yet answer). */
static void test_a_guest_that_does_not_answer_times_out(void **state)
{
	struct fx *f = *state;
	const struct wire_msg *reply;
	uint64_t t0 = kt_now_ns();
	struct kterr *e = agentlink_request(&f->l, "add-cgroup", NULL, NULL, 200, NULL, &reply);

	assert_non_null(e);
	assert_true(kterr_contains(e, "add-cgroup: no answer from the agent: not within 200ms"));
	assert_false(kterr_contains(e, "Connection timed out"));
	assert_true(kt_now_ns() - t0 >= 200000000ull);
	assert_null(f->l.gone);
	kterr_free(e);
}

/* Corrupt bytes from the guest (garbage, a frame whose CRC is wrong) are
 * skipped and said in the log; the reply after them still arrives. */
static void test_corrupt_frames_are_skipped_and_said(void **state)
{
	struct fx *f = *state;
	static const char garbage[] = "\x01\x02not a frame at all";
	struct wire_buf b;
	const struct wire_msg *reply;

	assert_int_equal(write(f->guest, garbage, sizeof(garbage)), (ssize_t)sizeof(garbage));
	wire_buf_init(&b);
	wire_begin(&b, WIRE_LOG, 0);
	wire_put_str(&b, "line", "a log line whose CRC will not match");
	assert_true(wire_finish(&b));
	b.data[b.len - 1] ^= 0xff;	/* corrupt the body after the CRC */
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_begin(&b, WIRE_OP_REPLY, f->l.next_seq);
	wire_put_str(&b, "ok", "1");
	assert_true(wire_finish(&b));
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_buf_free(&b);
	assert_null(agentlink_request(&f->l, "ping", NULL, NULL, 1000, NULL, &reply));
	assert_true(f->l.bad_frames >= 1);
	assert_non_null(strstr(f->log, "skipped a bad frame from the guest"));
}

/* The agent's error chain arrives as itself: the guest's errno and hint
 * survive the wire, the text reads as the agent wrote it. */
static void test_a_guest_error_keeps_its_errno_and_hint(void **state)
{
	struct fx *f = *state;
	struct kterr *ge = kterr_hint(kterr_wrap(kterr_new(EEXIST, "mkdir /sys/fs/cgroup/ktcon/w"),
						 "add-cgroup w"), "remove it first");
	struct wire_buf b;
	const struct wire_msg *reply;
	struct kterr *e;
	char want[256], got[256];

	wire_buf_init(&b);
	assert_true(wire_reply_build(&b, f->l.next_seq, "add-cgroup", ge, NULL));
	assert_true(wire_finish(&b));
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_buf_free(&b);
	e = agentlink_request(&f->l, "add-cgroup", NULL, NULL, 1000, NULL, &reply);
	assert_non_null(e);
	assert_int_equal(kterr_errno_of(e), EEXIST);
	assert_string_equal(kterr_hint_of(e), "remove it first");
	assert_string_equal(kterr_str(e, got, sizeof(got)), kterr_str(ge, want, sizeof(want)));
	kterr_free(e);
	kterr_free(ge);
}

/* The console's shell: the request carries the terminal's size and TERM;
 * the reply says whether the guest detached or the shell exited, and how. */
static void shell_reply(struct fx *f, const char *key, const char *val)
{
	struct wire_buf b;

	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REPLY, f->l.next_seq);
	wire_put_str(&b, "ok", "1");
	wire_put_str(&b, key, val);
	assert_true(wire_finish(&b));
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_buf_free(&b);
}

static void test_shell_says_detached_or_the_exit_status(void **state)
{
	struct fx *f = *state;
	struct wire_msg *m = malloc(sizeof(*m));
	uint8_t buf[4096];
	size_t used;
	ssize_t n;
	uint64_t v;
	bool detached = true;
	int status = -1;

	shell_reply(f, "status", "3");
	assert_null(agentlink_shell(&f->l, 48, 160, "xterm", NULL, &detached, &status));
	assert_false(detached);
	assert_int_equal(status, 3);
	n = read(f->guest, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(wire_decode(buf, n, m, &used, NULL, 0), WIRE_OK);
	assert_string_equal(wire_get(m, "op"), "shell");
	assert_true(wire_get_u64(m, "rows", &v) && v == 48);
	assert_true(wire_get_u64(m, "cols", &v) && v == 160);
	assert_string_equal(wire_get(m, "term"), "xterm");
	shell_reply(f, "detached", "1");
	assert_null(agentlink_shell(&f->l, 0, 0, NULL, NULL, &detached, &status));
	assert_true(detached);
	assert_int_equal(status, 0);
	free(m);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_pump_takes_states_with_no_request),
		T(test_pump_waits_out_its_timeout),
		T(test_bad_state_keeps_the_previous_one_and_says_why),
		T(test_wait_state_returns_on_a_newer_one),
		T(test_states_are_taken_while_a_request_waits),
		T(test_pump_reports_a_closed_channel),
		T(test_a_guest_that_does_not_answer_times_out),
		T(test_corrupt_frames_are_skipped_and_said),
		T(test_a_guest_error_keeps_its_errno_and_hint),
		T(test_shell_says_detached_or_the_exit_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
