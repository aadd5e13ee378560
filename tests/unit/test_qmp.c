/*
 * test_qmp.c - the QMP reader on transcripts recorded from QEMU 7.2, and
 * the client replaying them against a fake QEMU that checks every byte the
 * client sends.
 *
 * Transcript format (tests/data/qmp/NAME.txt): one chunk a line, "> " for
 * bytes sent to QEMU, "< " for bytes received, in the order they crossed
 * the socket; \\, \n and \xNN escape the bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "vmm/machine/qmp.h"

/* ---- transcripts ---- */

struct chunk {
	char dir;
	char *data;
	size_t len;
};

static int unhex(int c)
{
	return c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0';
}

static size_t load(const char *name, struct chunk *out, size_t max)
{
	char path[512], line[65536];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/qmp/%s", KTCON_SRCDIR, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		size_t i, o = 0, len = strlen(line);
		char *d;

		if (len < 3 || (line[0] != '<' && line[0] != '>'))
			continue;
		assert_true(n < max);
		d = malloc(len);
		for (i = 2; i < len && line[i] != '\n'; i++) {
			if (line[i] != '\\') {
				d[o++] = line[i];
			} else if (line[i + 1] == 'n') {
				d[o++] = '\n';
				i++;
			} else if (line[i + 1] == 'x') {
				d[o++] = (char)(unhex(line[i + 2]) << 4 | unhex(line[i + 3]));
				i += 3;
			} else {
				d[o++] = line[++i];
			}
		}
		out[n].dir = line[0];
		out[n].data = d;
		out[n].len = o;
		n++;
	}
	fclose(f);
	return n;
}

static void unload(struct chunk *c, size_t n)
{
	while (n--)
		free(c[n].data);
}

/* Every message QEMU sent in the transcript, in order. */
static size_t read_all(const struct chunk *c, size_t n, size_t step,
		       struct qmp_msg **msgs, size_t max)
{
	struct qmp_reader rd;
	size_t count = 0, i, off;

	qmp_reader_init(&rd);
	for (i = 0; i < n; i++) {
		if (c[i].dir != '<')
			continue;
		for (off = 0; off < c[i].len; off += step) {
			size_t k = c[i].len - off < step ? c[i].len - off : step;
			struct qmp_msg *m;

			assert_null(qmp_reader_feed(&rd, c[i].data + off, k));
			for (;;) {
				assert_null(qmp_reader_next(&rd, &m));
				if (!m)
					break;
				assert_true(count < max);
				msgs[count++] = m;
			}
		}
	}
	assert_int_equal(rd.len, 0);
	qmp_reader_release(&rd);
	return count;
}

/* ---- the reader on a recorded session ---- */

static void check_commands_session(struct qmp_msg **m, size_t n)
{
	const char *s;
	bool running;

	assert_int_equal(n, 18);
	assert_int_equal(m[0]->kind, QMP_MSG_GREETING);
	assert_non_null(json_object_object_get(m[0]->body, "capabilities"));
	/* a command before qmp_capabilities */
	assert_int_equal(m[1]->kind, QMP_MSG_ERROR);
	assert_string_equal(m[1]->err_class, "CommandNotFound");
	assert_string_equal(m[1]->err_desc,
			    "Expecting capabilities negotiation with 'qmp_capabilities'");
	assert_int_equal(m[2]->kind, QMP_MSG_RETURN);
	assert_true(json_object_is_type(m[2]->body, json_type_object));
	assert_int_equal(m[3]->kind, QMP_MSG_RETURN);
	assert_null(kjson_member_str(m[3]->body, "status", &s));
	assert_string_equal(s, "prelaunch");
	assert_int_equal(json_object_get_int64(m[3]->id), 1);
	/* cont: RESUME comes before the return */
	assert_int_equal(m[4]->kind, QMP_MSG_EVENT);
	assert_int_equal(m[4]->event_kind, QMP_EV_RESUME);
	assert_int_equal(m[4]->ts_sec, 1795576529);
	assert_int_equal(m[4]->ts_usec, 719434);
	assert_null(m[4]->body);
	assert_int_equal(m[5]->kind, QMP_MSG_RETURN);
	assert_null(kjson_member_bool(m[6]->body, "running", &running));
	assert_true(running);
	assert_int_equal(m[7]->event_kind, QMP_EV_STOP);
	assert_string_equal(m[7]->event, "STOP");
	assert_null(kjson_member_str(m[9]->body, "status", &s));
	assert_string_equal(s, "paused");
	assert_string_equal(m[10]->err_desc, "The command no-such-command has not been found");
	/* the monitor's text comes back with its \r\n unescaped */
	assert_string_equal(json_object_get_string(m[11]->body),
			    "* CPU #0: thread_id=28556\r\n  CPU #1: thread_id=28557\r\n");
	assert_string_equal(m[12]->err_class, "GenericError");
	assert_int_equal(json_object_array_length(m[13]->body), 2);
	/* RESET and its return arrived in one chunk */
	assert_int_equal(m[14]->event_kind, QMP_EV_RESET);
	assert_null(kjson_member_str(m[14]->body, "reason", &s));
	assert_string_equal(s, "host-qmp-system-reset");
	assert_int_equal(m[15]->kind, QMP_MSG_RETURN);
	/* quit: SHUTDOWN first, then the return, then QEMU closes */
	assert_int_equal(m[16]->event_kind, QMP_EV_SHUTDOWN);
	assert_null(kjson_member_str(m[16]->body, "reason", &s));
	assert_string_equal(s, "host-qmp-quit");
	assert_int_equal(m[17]->kind, QMP_MSG_RETURN);
}

static void test_reader_classifies_a_recorded_session(void **state)
{
	struct chunk c[64];
	struct qmp_msg *m[64];
	size_t n = load("commands-errors-quit.txt", c, 64), k, i;

	k = read_all(c, n, SIZE_MAX, m, 64);
	check_commands_session(m, k);
	for (i = 0; i < k; i++)
		qmp_msg_free(m[i]);
	unload(c, n);
}

static void test_reader_gives_the_same_messages_fed_a_byte_at_a_time(void **state)
{
	struct chunk c[64];
	struct qmp_msg *m[64];
	size_t n = load("commands-errors-quit.txt", c, 64), k, i;

	k = read_all(c, n, 1, m, 64);
	check_commands_session(m, k);
	for (i = 0; i < k; i++)
		qmp_msg_free(m[i]);
	unload(c, n);
}

static void test_reader_resyncs_after_a_bad_line(void **state)
{
	static const char in[] = "garbage\r\n\r\n{\"no\": 1}\n{\"return\": 5}\r\n{\"ret";
	struct qmp_reader rd;
	struct qmp_msg *m;
	struct kterr *e;

	qmp_reader_init(&rd);
	assert_null(qmp_reader_feed(&rd, in, sizeof(in) - 1));
	e = qmp_reader_next(&rd, &m);
	assert_null(m);
	assert_true(kterr_contains(e, "qmp: bad message: json: byte 0"));
	kterr_free(e);
	e = qmp_reader_next(&rd, &m);
	assert_int_equal(kterr_errno_of(e), EPROTO);
	assert_true(kterr_contains(e, "none of event, error, return, QMP"));
	kterr_free(e);
	assert_null(qmp_reader_next(&rd, &m));
	assert_int_equal(m->kind, QMP_MSG_RETURN);
	assert_int_equal(json_object_get_int64(m->body), 5);
	qmp_msg_free(m);
	/* the partial line waits for more */
	assert_null(qmp_reader_next(&rd, &m));
	assert_null(m);
	qmp_reader_release(&rd);
}

static void test_reader_drops_an_overlong_line_once(void **state)
{
	size_t big = QMP_MAX_LINE + 100;
	char *junk = malloc(big);
	struct qmp_reader rd;
	struct qmp_msg *m;
	struct kterr *e;

	memset(junk, 'a', big);
	qmp_reader_init(&rd);
	assert_null(qmp_reader_feed(&rd, junk, big));
	e = qmp_reader_next(&rd, &m);
	assert_int_equal(kterr_errno_of(e), E2BIG);
	kterr_free(e);
	/* more of the same line: dropped silently, memory stays bounded */
	assert_null(qmp_reader_feed(&rd, junk, 1000));
	assert_null(qmp_reader_next(&rd, &m));
	assert_null(m);
	assert_true(rd.len <= QMP_MAX_LINE);
	assert_null(qmp_reader_feed(&rd, "aaa\n{\"return\": {}}\n", 19));
	assert_null(qmp_reader_next(&rd, &m));
	assert_non_null(m);
	assert_int_equal(m->kind, QMP_MSG_RETURN);
	qmp_msg_free(m);
	qmp_reader_release(&rd);
	free(junk);
}

static void test_malformed_messages_name_the_problem(void **state)
{
	static const struct {
		const char *line;
		const char *why;
	} cases[] = {
		{ "[1]", "a QMP message is an object, this is array" },
		{ "{\"event\": 5}", "member \"event\" is integer" },
		{ "{\"error\": {\"class\": \"X\"}}", "no member \"desc\"" },
		{ "{\"error\": \"boom\"}", "member \"error\" is string" },
		{ "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": \"x\"}}",
		  "event STOP timestamp" },
		{ "{\"QMP\": []}", "member \"QMP\" is array" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qmp_msg *m = NULL;
		struct kterr *e = qmp_msg_parse(cases[i].line, strlen(cases[i].line), &m);
		char buf[256];

		assert_null(m);
		if (!kterr_contains(e, cases[i].why))
			fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].line,
				 kterr_str(e, buf, sizeof(buf)), cases[i].why);
		kterr_free(e);
	}
}

static void test_event_table_maps_names_both_ways(void **state)
{
	/* The shape QEMU's QAPI schema documents for GUEST_PANICKED (not
	 * recorded: the test kernel has no pvpanic driver). */
	static const char panic[] =
		"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": "
		"\"GUEST_PANICKED\", \"data\": {\"action\": \"pause\"}}";
	struct qmp_msg *m;
	const char *action;

	assert_null(qmp_msg_parse(panic, sizeof(panic) - 1, &m));
	assert_int_equal(m->event_kind, QMP_EV_GUEST_PANICKED);
	assert_null(kjson_member_str(m->body, "action", &action));
	assert_string_equal(action, "pause");
	qmp_msg_free(m);
	assert_int_equal(qmp_event_from_name("SHUTDOWN"), QMP_EV_SHUTDOWN);
	assert_int_equal(qmp_event_from_name("BLOCK_JOB_READY"), QMP_EV_OTHER);
	assert_int_equal(qmp_event_from_name(""), QMP_EV_OTHER);
	assert_string_equal(qmp_event_name(QMP_EV_GUEST_PANICKED), "GUEST_PANICKED");
	assert_string_equal(qmp_event_name(QMP_EV_OTHER), "other");
}

/* ---- the client against a replayed QEMU ---- */

struct fake {
	char dir[64];
	char path[128];
	pid_t pid;
};

/* The child: accept one client, then play the transcript: expect each '>'
 * chunk byte for byte, write each '<' chunk. Exit 0 when all matched and
 * the client closed; 1 (with a message) on the first difference. */
static void replay(int lfd, struct chunk *c, size_t n)
{
	int fd = accept(lfd, NULL, NULL);
	size_t i;
	char b;

	if (fd < 0)
		_exit(3);
	for (i = 0; i < n; i++) {
		if (c[i].dir == '<') {
			if (write(fd, c[i].data, c[i].len) != (ssize_t)c[i].len)
				_exit(4);
			continue;
		}
		char *got = malloc(c[i].len + 1);
		size_t off = 0;

		while (off < c[i].len) {
			ssize_t r = read(fd, got + off, c[i].len - off);

			if (r <= 0) {
				fprintf(stderr, "replay: chunk %zu: client closed after %zu of %zu bytes\n",
					i, off, c[i].len);
				_exit(1);
			}
			off += (size_t)r;
		}
		if (memcmp(got, c[i].data, c[i].len)) {
			fprintf(stderr, "replay: chunk %zu differs:\n  want %.*s\n  got  %.*s\n",
				i, (int)c[i].len, c[i].data, (int)c[i].len, got);
			_exit(1);
		}
		free(got);
	}
	/* QEMU closes after quit; the transcript ends there. */
	shutdown(fd, SHUT_WR);
	while (read(fd, &b, 1) > 0)
		;
	_exit(0);
}

static void fake_start(struct fake *f, const char *transcript)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct chunk c[64];
	size_t n = load(transcript, c, 64);
	int lfd;

	strcpy(f->dir, "/tmp/ktcon-test-qmp.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/q.sock", f->dir);
	strcpy(sa.sun_path, f->path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0)
		replay(lfd, c, n);
	close(lfd);
	unload(c, n);
}

/* The fake's verdict: every byte the client sent matched. */
static void fake_finish(struct fake *f)
{
	int st;

	assert_int_equal(waitpid(f->pid, &st, 0), f->pid);
	unlink(f->path);
	rmdir(f->dir);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static struct qmp *connect_to(struct fake *f)
{
	struct qmp *q = NULL;
	struct kterr *e = qmp_connect(f->path, kt_now_ns() + 5000000000ull, NULL, &q);
	char buf[256];

	if (e)
		fail_msg("connect: %s", kterr_str(e, buf, sizeof(buf)));
	qmp_set_timeout(q, 5000);
	return q;
}

static void expect_events(struct qmp *q, const enum qmp_event *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct qmp_msg *m = qmp_event_pop(q);

		assert_non_null(m);
		assert_int_equal(m->event_kind, want[i]);
		qmp_msg_free(m);
	}
}

static void test_client_replays_a_boot_with_gdb_stops(void **state)
{
	static const enum qmp_event during[] = { QMP_EV_RESUME, QMP_EV_STOP, QMP_EV_RESUME,
						 QMP_EV_STOP };
	static const enum qmp_event after[] = { QMP_EV_RESUME, QMP_EV_STOP, QMP_EV_RESUME,
						QMP_EV_SHUTDOWN };
	struct qmp_status st;
	struct fake f;
	struct qmp *q;

	fake_start(&f, "probe-kernel.txt");
	q = connect_to(&f);
	assert_string_equal(qmp_version(q), "QEMU 7.2.22");
	assert_null(qmp_query_status(q, &st));
	assert_string_equal(st.status, "prelaunch");
	assert_false(st.running);
	assert_null(qmp_event_pop(q));
	/* the gdb stops and continues show up as events before the reply */
	assert_null(qmp_query_status(q, &st));
	assert_string_equal(st.status, "paused");
	expect_events(q, during, 4);
	assert_null(qmp_quit(q));
	expect_events(q, after, 4);
	assert_null(qmp_event_pop(q));
	assert_int_equal(qmp_events_dropped(q), 0);
	qmp_close(q);
	fake_finish(&f);
}

static void test_client_reports_errors_and_runs_monitor_commands(void **state)
{
	struct qmp_msg *reply;
	struct fake f;
	struct kterr *e;
	struct qmp *q;
	char *text;

	fake_start(&f, "errors-hmp-reset.txt");
	q = connect_to(&f);
	e = qmp_execute(q, "no-such-command", NULL, NULL);
	assert_int_equal(kterr_errno_of(e), EIO);
	assert_true(kterr_contains(e, "qmp no-such-command: CommandNotFound: "
				   "The command no-such-command has not been found"));
	kterr_free(e);
	assert_null(qmp_hmp(q, "info cpus", &text));
	assert_non_null(strstr(text, "CPU #1: thread_id="));
	free(text);
	e = qmp_execute(q, "human-monitor-command", "{}", NULL);
	assert_true(kterr_contains(e, "GenericError: Parameter 'command-line' is missing"));
	kterr_free(e);
	assert_null(qmp_execute(q, "query-cpus-fast", NULL, &reply));
	assert_int_equal(json_object_array_length(reply->body), 2);
	qmp_msg_free(reply);
	assert_null(qmp_execute(q, "system_reset", NULL, NULL));
	reply = qmp_event_pop(q);
	assert_int_equal(reply->event_kind, QMP_EV_RESET);
	qmp_msg_free(reply);
	assert_null(qmp_quit(q));
	reply = qmp_event_pop(q);
	assert_int_equal(reply->event_kind, QMP_EV_SHUTDOWN);
	qmp_msg_free(reply);
	/* QEMU closes after quit: the fd turns readable, and the pump says
	 * it is closed */
	struct pollfd pfd = { .fd = qmp_fd(q), .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, 5000), 1);
	e = qmp_pump(q);
	assert_int_equal(kterr_errno_of(e), ECONNRESET);
	kterr_free(e);
	assert_true(qmp_eof(q));
	qmp_close(q);
	fake_finish(&f);
}

static void test_bad_arguments_never_reach_qemu(void **state)
{
	struct fake f;
	struct kterr *e;
	struct qmp *q;

	/* The fake expects capabilities then quit: a stray byte fails it. */
	fake_start(&f, "errors-hmp-reset.txt");
	q = connect_to(&f);
	e = qmp_execute(q, "x", "{\"a\":", NULL);
	assert_true(kterr_contains(e, "qmp x: json: byte 5"));
	kterr_free(e);
	e = qmp_execute(q, "x", "[1]", NULL);
	assert_true(kterr_contains(e, "arguments are array, not an object"));
	kterr_free(e);
	qmp_close(q);
	{
		int st;

		/* the fake saw the client close where it wanted chunk 3 */
		assert_int_equal(waitpid(f.pid, &st, 0), f.pid);
		assert_int_equal(WEXITSTATUS(st), 1);
		unlink(f.path);
		rmdir(f.dir);
	}
}

static void test_connect_gives_up_at_the_deadline_with_a_hint(void **state)
{
	struct qmp *q;
	uint64_t t0 = kt_now_ns();
	struct kterr *e = qmp_connect("/nonexistent/ktcon/q.sock", t0 + 100000000ull, NULL, &q);

	assert_null(q);
	assert_int_equal(kterr_errno_of(e), ENOENT);
	assert_true(kterr_contains(e, "qmp /nonexistent/ktcon/q.sock: connect"));
	assert_non_null(kterr_hint_of(e));
	assert_true(kt_now_ns() - t0 >= 100000000ull);
	kterr_free(e);
}

/* qmp_execute_fd: the descriptor rides with the command (SCM_RIGHTS), as
 * getfd wants; a fake QEMU takes it and writes through it. */
static void fd_server(int lfd)
{
	static const char greeting[] = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, "
				       "\"minor\": 2, \"major\": 7}}, \"capabilities\": []}}\r\n";
	static const char ok1[] = "{\"return\": {}, \"id\": 1}\r\n";
	static const char ok2[] = "{\"return\": {}, \"id\": 2}\r\n";
	int fd = accept(lfd, NULL, NULL), got = -1;
	char buf[512];
	ssize_t n;

	if (fd < 0 || write(fd, greeting, sizeof(greeting) - 1) < 0)
		_exit(3);
	n = read(fd, buf, sizeof(buf));		/* qmp_capabilities, id 1 */
	if (n <= 0 || write(fd, ok1, strlen(ok1)) < 0)
		_exit(4);
	{
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
				     .msg_controllen = sizeof(u.b) };
		struct cmsghdr *c;

		n = recvmsg(fd, &mh, 0);
		if (n <= 0)
			_exit(5);
		buf[n] = '\0';
		c = CMSG_FIRSTHDR(&mh);
		if (c && c->cmsg_type == SCM_RIGHTS)
			memcpy(&got, CMSG_DATA(c), sizeof(int));
	}
	if (got < 0 || !strstr(buf, "\"execute\":\"getfd\"") ||
	    write(got, "via-fd", 6) != 6)
		_exit(6);
	close(got);
	if (write(fd, ok2, strlen(ok2)) < 0)
		_exit(7);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	_exit(0);
}

static void test_execute_fd_passes_the_descriptor(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/ktcon-test-qmpfd.XXXXXX", path[128], file[128], back[16] = "";
	struct qmp *q = NULL;
	int lfd, wfd, st;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/q.sock", dir);
	snprintf(file, sizeof(file), "%s/stream", dir);
	strcpy(sa.sun_path, path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid = fork();
	if (pid == 0)
		fd_server(lfd);
	close(lfd);
	assert_null(qmp_connect(path, kt_now_ns() + 5000000000ull, NULL, &q));
	wfd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(wfd >= 0);
	assert_null(qmp_execute_fd(q, "getfd", "{\"fdname\":\"x\"}", wfd, NULL));
	close(wfd);
	qmp_close(q);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	{
		int rfd = open(file, O_RDONLY);

		assert_int_equal(read(rfd, back, sizeof(back)), 6);
		close(rfd);
	}
	assert_memory_equal(back, "via-fd", 6);
	unlink(file);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_classifies_a_recorded_session),
		cmocka_unit_test(test_reader_gives_the_same_messages_fed_a_byte_at_a_time),
		cmocka_unit_test(test_reader_resyncs_after_a_bad_line),
		cmocka_unit_test(test_reader_drops_an_overlong_line_once),
		cmocka_unit_test(test_malformed_messages_name_the_problem),
		cmocka_unit_test(test_event_table_maps_names_both_ways),
		cmocka_unit_test(test_client_replays_a_boot_with_gdb_stops),
		cmocka_unit_test(test_client_reports_errors_and_runs_monitor_commands),
		cmocka_unit_test(test_bad_arguments_never_reach_qemu),
		cmocka_unit_test(test_connect_gives_up_at_the_deadline_with_a_hint),
		cmocka_unit_test(test_execute_fd_passes_the_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
