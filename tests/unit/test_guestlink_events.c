/* test_guestlink_events.c - the guest's news reaches the executor typed,
 * through the link and not around it: the agent's EVENT and LOG frames,
 * pumped by the link's poll, wait in the event queue and come out of the
 * link's next_event hook as structures; the renderer makes the one line
 * the front ends print. The guest end is a socketpair written by the
 * test. */
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

#include "engine/gevent.h"
#include "vmm/link/evqueue.h"
#include "vmm/link/guestlink.h"

struct fx {
	int guest;			/* the agent's end */
	struct agentlink l;
	struct evqueue *q;
	struct guestlink gl;
	struct kt_link link;
	int checks;
};

static void check(void *ctx)
{
	((struct fx *)ctx)->checks++;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int sv[2];

	if (!f || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	f->guest = sv[0];
	if (agentlink_init(&f->l, sv[1], NULL, NULL) || evqueue_new(&f->q))
		return -1;
	f->gl = (struct guestlink){ .q = f->q, .check = check, .check_ctx = f };
	f->l.on_log = guestlink_log;
	f->l.log_ctx = &f->gl;
	guestlink_attach(&f->gl, &f->l);
	f->link = guestlink_link(&f->gl);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->guest);
	close(f->l.fd);
	agentlink_release(&f->l);
	evqueue_free(f->q);
	free(f);
	return 0;
}

static void send_frame(struct fx *f, enum wire_type type, const char *const *kv)
{
	struct wire_buf b;

	wire_buf_init(&b);
	wire_begin(&b, type, 0);
	for (; kv[0]; kv += 2)
		wire_put_str(&b, kv[0], kv[1]);
	assert_true(wire_finish(&b));
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_buf_free(&b);
}

static void pump(struct fx *f)
{
	struct kt_gstate st;
	uint64_t gen = 0;

	kt_gstate_init(&st);
	assert_null(f->link.ops->poll(f->link.ctx, 0, &gen, &st));
	kt_gstate_clear(&st);
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void test_a_scheduler_exit_comes_out_of_the_link_typed(void **state)
{
	struct fx *f = *state;
	static const char *const ev[] = {
		"event", "sched-exit", "name", "scx_qmap", "ejected", "1",
		"why", "runnable task stall", "detail", "kworker/0:1[12] failed to run for 5.1s",
		"kind", "SCX_EXIT_ERROR_STALL", "kind_value", "1026",
		"reason", "sched_ext: BPF scheduler \"qmap\" disabled", "output", "bye", NULL,
	};
	struct kt_guest_event *e;
	char text[512];

	assert_null(f->link.ops->next_event(f->link.ctx));
	assert_false(readable(evqueue_fd(f->q)));
	send_frame(f, WIRE_EVENT, ev);
	pump(f);
	assert_true(readable(evqueue_fd(f->q)));
	e = f->link.ops->next_event(f->link.ctx);
	assert_non_null(e);
	assert_int_equal(e->kind, KT_GEV_SCHED_EXIT);
	assert_string_equal(e->name, "scx_qmap");
	assert_true(e->ejected);
	assert_string_equal(e->sched.why, "runnable task stall");
	assert_string_equal(e->sched.kind, "SCX_EXIT_ERROR_STALL");
	assert_int_equal(e->sched.kind_value, 1026);
	assert_true(e->at_ns > 0);
	kt_gev_text(e, text, sizeof(text));
	assert_string_equal(text, "runnable task stall (kworker/0:1[12] failed to run for 5.1s), "
			    "SCX_EXIT_ERROR_STALL (1026); kernel: sched_ext: BPF scheduler \"qmap\" "
			    "disabled; its last output: bye");
	kt_gev_free(e);
	/* drained: nothing more, and the fd says so */
	assert_null(f->link.ops->next_event(f->link.ctx));
	assert_false(readable(evqueue_fd(f->q)));
	assert_true(f->checks >= 2);	/* the owner looked each time */
}

static void test_log_lines_and_events_keep_their_order(void **state)
{
	struct fx *f = *state;
	static const char *const log1[] = { "line", "sched scx_simple: hello", NULL };
	static const char *const pay[] = { "event", "payload-exit", "name", "p", "handle", "5",
					   "exit_status", "-9", NULL };
	static const char *const newer[] = { "event", "something-new", NULL };
	struct kt_guest_event *e;
	char text[256];

	send_frame(f, WIRE_LOG, log1);
	send_frame(f, WIRE_EVENT, newer);	/* a newer agent's: not ours to guess */
	send_frame(f, WIRE_EVENT, pay);
	pump(f);
	e = f->link.ops->next_event(f->link.ctx);
	assert_non_null(e);
	assert_int_equal(e->kind, KT_GEV_LOG);
	assert_string_equal(e->text, "sched scx_simple: hello");
	kt_gev_free(e);
	e = f->link.ops->next_event(f->link.ctx);
	assert_non_null(e);
	assert_int_equal(e->kind, KT_GEV_PAYLOAD_EXIT);
	assert_int_equal(e->handle, 5);
	assert_int_equal(e->status, -9);
	kt_gev_text(e, text, sizeof(text));
	assert_string_equal(text, "payload p exited with status -9");
	kt_gev_free(e);
	assert_null(f->link.ops->next_event(f->link.ctx));
}

/* A request goes out encoded by the link, numbered by the channel; its
 * reply's fields are read once each, by key (the first of a key said
 * twice counts), and a reply with nothing but "ok" gives an empty one. */
static void test_a_request_and_its_reply_fields(void **state)
{
	struct fx *f = *state;
	struct kt_greq req = { .verb = KT_GREQ_OP, .op = KT_OP_FREEZE_CGROUP, .cgroup = "a/b" };
	struct kt_greply reply;
	struct wire_buf b;
	struct wire_msg *m = malloc(sizeof(*m));
	uint8_t in[4096];
	size_t used;
	ssize_t n;
	int32_t pids[2] = { 41, 42 };
	char why[128];

	assert_non_null(m);
	/* the guest's answers, written first: seq 1 then seq 2 */
	wire_buf_init(&b);
	wire_begin(&b, WIRE_OP_REPLY, 1);
	wire_put_str(&b, "ok", "1");
	assert_true(wire_finish(&b));
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_begin(&b, WIRE_OP_REPLY, 2);
	wire_put_str(&b, "ok", "1");
	wire_put_str(&b, "handle", "7");
	wire_put_str(&b, "handle", "9");
	wire_put_pids(&b, "pids", pids, 2);
	wire_put_str(&b, "frozen", "1");
	wire_put_str(&b, "cpus", "0-1");
	wire_put_str(&b, "state", "enabled");
	wire_put_str(&b, "ops", "simple");
	wire_put_str(&b, "exit_status", "-9");
	wire_put_str(&b, "output", "bye");
	wire_put_str(&b, "something-newer", "x");
	assert_true(wire_finish(&b));
	assert_int_equal(write(f->guest, b.data, b.len), (ssize_t)b.len);
	wire_buf_free(&b);

	assert_null(f->link.ops->request(f->link.ctx, &req, &reply, NULL));
	assert_null(reply.pids);
	assert_false(reply.cgroup.frozen);
	assert_null(reply.output);
	kt_greply_clear(&reply);
	/* what the guest read: op and cgroup, numbered 1 */
	n = read(f->guest, in, sizeof(in));
	assert_true(n > 0);
	assert_int_equal(wire_decode(in, (size_t)n, m, &used, why, sizeof(why)), WIRE_OK);
	assert_int_equal(m->type, WIRE_OP_REQ);
	assert_int_equal(m->seq, 1);
	assert_string_equal(wire_get(m, "op"), "freeze-cgroup");
	assert_string_equal(wire_get(m, "cgroup"), "a/b");

	req.verb = KT_GREQ_QUERY_CGROUP;
	assert_null(f->link.ops->request(f->link.ctx, &req, &reply, NULL));
	assert_int_equal(reply.handle, 7);
	assert_int_equal(reply.npids, 2);
	assert_int_equal(reply.pids[1], 42);
	assert_true(reply.cgroup.frozen);
	assert_true(reply.cgroup.has_cpus);
	assert_true(kt_cpuset_has(&reply.cgroup.cpus, 1));
	assert_true(reply.sched.enabled);
	assert_string_equal(reply.sched.ops, "simple");
	assert_int_equal(reply.exit_status, -9);
	assert_string_equal(reply.output, "bye");
	kt_greply_clear(&reply);
	free(m);
}

/* The guest's state is handed over by the poll, not copied: the link
 * keeps nothing of it, and a poll with the count it gave hands nothing. */
static void test_the_poll_hands_the_state_over(void **state)
{
	struct fx *f = *state;
	static const char *const frame[] = { "cg.n", "1", "cg.0.path", "a", "sched.state",
					     "disabled", NULL };
	struct kt_gstate st;
	uint64_t gen = 0;

	send_frame(f, WIRE_STATE, frame);
	kt_gstate_init(&st);
	assert_null(f->link.ops->poll(f->link.ctx, 0, &gen, &st));
	assert_true(st.valid);
	assert_int_equal(gen, 1);
	assert_string_equal(st.cgroups[0].path, "a");
	assert_false(f->l.state.valid);		/* moved out */
	assert_null(f->l.state.cgroups);
	kt_gstate_clear(&st);
	kt_gstate_init(&st);
	assert_null(f->link.ops->poll(f->link.ctx, 0, &gen, &st));
	assert_false(st.valid);
	kt_gstate_clear(&st);
}

/* The renderer, for what the host itself reports. */
static void test_fires_and_exits_render_as_before(void **state)
{
	struct kt_guest_event fire = {
		.kind = KT_GEV_WATCH_FIRE, .name = "jiffies_64",
		.fire = { .symbol = "jiffies_64", .n = 3, .vcpu = 1, .old_value = 0x2a,
			  .new_value = 0x2b, .t_ns = 12300000 },
	};
	struct kt_guest_event trig = {
		.kind = KT_GEV_WATCH_FIRE, .name = "sched_ext_exit", .snap = 4,
		.fire = { .symbol = "scx_exit_kind", .n = 1, .has_rip = true, .rip = 0xffffffff81234567ull,
			  .trigger = true, .exit_value = 1024 },
	};
	struct kt_guest_event killed = { .kind = KT_GEV_SCHED_EXIT, .status = -9 };
	struct kt_guest_event *c;
	char text[512];

	kt_gev_text(&fire, text, sizeof(text));
	assert_string_equal(text, "fire 3 on vCPU 1 (no capture): 0x2a -> 0x2b at +12.300 ms");
	fire.fire.has_rip = true;
	fire.fire.rip = 0xffffffff81000010ull;
	kt_gev_text(&fire, text, sizeof(text));
	assert_string_equal(text, "fire 3 on vCPU 1 at rip 0xffffffff81000010: 0x2a -> 0x2b at "
			    "+12.300 ms");
	kt_gev_text(&trig, text, sizeof(text));
	assert_string_equal(text, "scheduler exit ? (1024): failure dump sched_ext_exit taken on "
			    "vCPU 0 at rip 0xffffffff81234567");
	kt_gev_text(&killed, text, sizeof(text));
	assert_string_equal(text, "killed by signal 9; kernel: (no sched_ext message); its last "
			    "output: (none)");
	/* a copy owns its strings */
	c = kt_gev_dup(&fire);
	assert_non_null(c);
	assert_ptr_not_equal(c->name, fire.name);
	assert_string_equal(c->fire.symbol, "jiffies_64");
	kt_gev_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_scheduler_exit_comes_out_of_the_link_typed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_lines_and_events_keep_their_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_request_and_its_reply_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_poll_hands_the_state_over, setup, teardown),
		cmocka_unit_test(test_fires_and_exits_render_as_before),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
