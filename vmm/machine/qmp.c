/* qmp.c - QMP messages, line reader and client; see qmp.h. */
#include "vmm/machine/qmp.h"
#include "lib/kjson.h"
#include "lib/util.h"
#include "lib/wait.h"
#include "vmm/machine/unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* How long to sleep between connect attempts while QEMU starts up. */
#define QMP_CONNECT_RETRY_NS (20 * 1000 * 1000ull)

/* ---- messages ---- */

static const char *const event_names[] = {
	[QMP_EV_OTHER] = "",
	[QMP_EV_SHUTDOWN] = "SHUTDOWN",
	[QMP_EV_POWERDOWN] = "POWERDOWN",
	[QMP_EV_RESET] = "RESET",
	[QMP_EV_STOP] = "STOP",
	[QMP_EV_RESUME] = "RESUME",
	[QMP_EV_SUSPEND] = "SUSPEND",
	[QMP_EV_WAKEUP] = "WAKEUP",
	[QMP_EV_GUEST_PANICKED] = "GUEST_PANICKED",
	[QMP_EV_GUEST_CRASHLOADED] = "GUEST_CRASHLOADED",
	[QMP_EV_WATCHDOG] = "WATCHDOG",
};

enum qmp_event qmp_event_from_name(const char *name)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(event_names); i++)
		if (!strcmp(name, event_names[i]))
			return (enum qmp_event)i;
	return QMP_EV_OTHER;
}

const char *qmp_event_name(enum qmp_event ev)
{
	if ((unsigned)ev >= ARRAY_SIZE(event_names) || ev == QMP_EV_OTHER)
		return "other";
	return event_names[ev];
}

void qmp_msg_free(struct qmp_msg *m)
{
	if (!m)
		return;
	json_object_put(m->root);
	free(m);
}

static struct kterr *classify_event(struct qmp_msg *m, const struct json_object *root)
{
	struct json_object *ts = kjson_get(root, "timestamp");
	struct kterr *e = kjson_member_str(root, "event", &m->event);

	if (e)
		return e;
	m->kind = QMP_MSG_EVENT;
	m->event_kind = qmp_event_from_name(m->event);
	m->body = kjson_get(root, "data");
	m->ts_sec = m->ts_usec = -1;
	if (ts) {
		e = kjson_member_int(ts, "seconds", &m->ts_sec);
		if (!e)
			e = kjson_member_int(ts, "microseconds", &m->ts_usec);
		if (e)
			return kterr_wrap(e, "event %s timestamp", m->event);
	}
	return NULL;
}

static struct kterr *classify_error(struct qmp_msg *m, const struct json_object *root)
{
	struct kterr *e = kjson_member(root, "error", json_type_object, &m->body);

	if (!e)
		e = kjson_member_str(m->body, "class", &m->err_class);
	if (!e)
		e = kjson_member_str(m->body, "desc", &m->err_desc);
	m->kind = QMP_MSG_ERROR;
	return e;
}

/* The member that names a message's kind decides how it is read; a table
 * rather than a chain so a new kind is one line. */
static const struct {
	const char *key;
	struct kterr *(*classify)(struct qmp_msg *m, const struct json_object *root);
} kinds[] = {
	{ "event", classify_event },
	{ "error", classify_error },
	{ "return", NULL },	/* any JSON value */
	{ "QMP", NULL },	/* greeting */
};

struct kterr *qmp_msg_parse(const char *line, size_t len, struct qmp_msg **out)
{
	struct qmp_msg *m;
	struct json_object *root;
	struct kterr *e;
	size_t i;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return kterr_new(ENOMEM, "qmp: out of memory");
	e = kjson_parse(line, len, &m->root);
	if (e)
		goto fail;
	root = m->root;
	if (!json_object_is_type(root, json_type_object)) {
		e = kterr_new(EPROTO, "a QMP message is an object, this is %s",
			      kjson_type_name(root));
		goto fail;
	}
	m->id = kjson_get(root, "id");
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!json_object_object_get_ex(root, kinds[i].key, NULL))
			continue;
		if (kinds[i].classify) {
			e = kinds[i].classify(m, root);
		} else if (!strcmp(kinds[i].key, "return")) {
			m->kind = QMP_MSG_RETURN;
			m->body = kjson_get(root, "return");
		} else {
			m->kind = QMP_MSG_GREETING;
			e = kjson_member(root, "QMP", json_type_object, &m->body);
		}
		if (e)
			goto fail;
		*out = m;
		return NULL;
	}
	e = kterr_new(EPROTO, "object has none of event, error, return, QMP");
fail:
	qmp_msg_free(m);
	return kterr_wrap(e, "qmp: bad message");
}

struct kterr *qmp_msg_error(const struct qmp_msg *m)
{
	if (m->kind != QMP_MSG_ERROR)
		return NULL;
	return kterr_new(EIO, "%s: %s", m->err_class, m->err_desc);
}

/* ---- line reader ---- */

void qmp_reader_init(struct qmp_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void qmp_reader_release(struct qmp_reader *r)
{
	free(r->buf);
	qmp_reader_init(r);
}

struct kterr *qmp_reader_feed(struct qmp_reader *r, const void *data, size_t len)
{
	if (r->cap - r->len < len) {
		size_t cap = r->cap ? r->cap : 4096;
		char *nb;

		while (cap - r->len < len)
			cap *= 2;
		nb = realloc(r->buf, cap);
		if (!nb)
			return kterr_new(ENOMEM, "qmp: out of memory buffering %zu bytes", len);
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, len);
	r->len += len;
	return NULL;
}

static void consume(struct qmp_reader *r, size_t n)
{
	memmove(r->buf, r->buf + n, r->len - n);
	r->len -= n;
}

struct kterr *qmp_reader_next(struct qmp_reader *r, struct qmp_msg **out)
{
	*out = NULL;
	for (;;) {
		char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
		size_t n, line;
		struct kterr *e;

		if (!nl) {
			if (r->len > QMP_MAX_LINE) {
				/* Drop what we hold and everything up to the
				 * next newline; report it once. */
				bool first = !r->discarding;

				r->len = 0;
				r->discarding = true;
				if (first)
					return kterr_new(E2BIG, "qmp: line longer than %u bytes, dropped",
							 QMP_MAX_LINE);
			}
			return NULL;
		}
		n = (size_t)(nl - r->buf) + 1;
		if (r->discarding) {
			r->discarding = false;
			consume(r, n);
			continue;
		}
		line = n - 1;
		if (line && r->buf[line - 1] == '\r')
			line--;
		if (line > QMP_MAX_LINE) {
			consume(r, n);
			return kterr_new(E2BIG, "qmp: line longer than %u bytes, dropped",
					 QMP_MAX_LINE);
		}
		if (!line) {
			consume(r, n);
			continue;
		}
		e = qmp_msg_parse(r->buf, line, out);
		consume(r, n);
		return e;
	}
}

/* ---- client ---- */

struct qmp {
	int fd;
	int timeout_ms;
	bool eof;
	int64_t next_id;
	struct qmp_reader rd;
	FILE *trace;
	char version[64];
	struct qmp_msg **events;	/* ring of QMP_MAX_QUEUED_EVENTS */
	size_t ev_head, ev_count;
	uint64_t ev_dropped;
	char *path;
};

static void queue_event(struct qmp *q, struct qmp_msg *m)
{
	if (q->ev_count == QMP_MAX_QUEUED_EVENTS) {
		qmp_msg_free(q->events[q->ev_head]);
		q->ev_head = (q->ev_head + 1) % QMP_MAX_QUEUED_EVENTS;
		q->ev_count--;
		q->ev_dropped++;
	}
	q->events[(q->ev_head + q->ev_count) % QMP_MAX_QUEUED_EVENTS] = m;
	q->ev_count++;
}

struct qmp_msg *qmp_event_pop(struct qmp *q)
{
	struct qmp_msg *m;

	if (!q->ev_count)
		return NULL;
	m = q->events[q->ev_head];
	q->ev_head = (q->ev_head + 1) % QMP_MAX_QUEUED_EVENTS;
	q->ev_count--;
	return m;
}

uint64_t qmp_events_dropped(const struct qmp *q)
{
	return q->ev_dropped;
}

bool qmp_eof(const struct qmp *q)
{
	return q->eof;
}

int qmp_fd(const struct qmp *q)
{
	return q->fd;
}

void qmp_set_timeout(struct qmp *q, int timeout_ms)
{
	q->timeout_ms = timeout_ms > 0 ? timeout_ms : (int)kt_limit_ms(KT_LIM_QMP_REPLY);
}

void qmp_set_trace(struct qmp *q, FILE *f)
{
	q->trace = f;
}

const char *qmp_version(const struct qmp *q)
{
	return q->version;
}

/* One non-blocking read into the reader. *got is false on EAGAIN. */
static struct kterr *read_some(struct qmp *q, bool *got)
{
	char buf[16384];
	ssize_t n;

	*got = false;
	if (q->eof)
		return kterr_new(ECONNRESET, "qmp %s: QEMU closed the socket", q->path);
	n = read(q->fd, buf, sizeof(buf));
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return NULL;
		return kterr_errno("qmp %s: read", q->path);
	}
	if (n == 0) {
		q->eof = true;
		return kterr_new(ECONNRESET, "qmp %s: QEMU closed the socket", q->path);
	}
	unixsock_trace(q->trace, '<', buf, (size_t)n);
	*got = true;
	return qmp_reader_feed(&q->rd, buf, (size_t)n);
}

/* The next message that is not an event (events are queued on the way),
 * waiting until deadline_ns. */
static struct kterr *next_reply(struct qmp *q, uint64_t deadline_ns, struct qmp_msg **out)
{
	struct kt_wait w;

	/* The deadline's rest, measured: a poll that returns late because
	 * ktcon was not running does not count against QEMU. */
	kt_wait_begin_ms(&w, unixsock_ms_until(deadline_ns), "qmp %s: a reply from QEMU", q->path);
	for (;;) {
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		struct qmp_msg *m;
		struct kterr *e;
		bool got;
		int rc;

		e = qmp_reader_next(&q->rd, &m);
		if (e)
			return e;
		if (m && m->kind == QMP_MSG_EVENT) {
			queue_event(q, m);
			continue;
		}
		if (m) {
			*out = m;
			return NULL;
		}
		e = read_some(q, &got);
		if (e)
			return e;
		if (got)
			continue;
		rc = poll(&pfd, 1, kt_wait_nap_ms(&w, 100));
		if (rc < 0 && errno != EINTR)
			return kterr_errno("qmp %s: poll", q->path);
		if (rc == 0 && kt_wait_expired(&w))
			return kt_wait_error(&w, "QEMU's monitor is stuck or the host is starved "
					     "(qmp-reply %d ms)", q->timeout_ms);
	}
}

struct kterr *qmp_pump(struct qmp *q)
{
	struct kterr *first = NULL;
	bool got = true;

	while (got) {
		struct kterr *e = read_some(q, &got);

		if (e) {
			first = e;
			break;
		}
	}
	/* Queue every complete message even after EOF: the SHUTDOWN that
	 * precedes a close must not be lost. */
	for (;;) {
		struct qmp_msg *m;
		struct kterr *e = qmp_reader_next(&q->rd, &m);

		if (e) {
			if (!first)
				first = e;
			else
				kterr_free(e);
			continue;
		}
		if (!m)
			break;
		if (m->kind == QMP_MSG_EVENT)
			queue_event(q, m);
		else
			qmp_msg_free(m);	/* a reply nobody waits for (timed out) */
	}
	return first;
}

/* pass_fd >= 0 rides along with the first bytes (SCM_RIGHTS), for
 * commands that take a descriptor (getfd). */
static struct kterr *send_all(struct qmp *q, const char *data, size_t len, uint64_t deadline_ns,
			      int pass_fd)
{
	/* A descriptor rides along with the first bytes (SCM_RIGHTS); what
	 * that send leaves goes as any other command. */
	unixsock_trace(q->trace, '>', data, len);
	while (pass_fd >= 0 && len) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		struct cmsghdr *c;
		struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };

		memset(&u, 0, sizeof(u));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
		ssize_t n = sendmsg(q->fd, &mh, MSG_NOSIGNAL);

		if (n > 0) {
			data += n;
			len -= (size_t)n;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return kterr_errno("qmp %s: write (passing a descriptor)", q->path);
		if (poll(&pfd, 1, unixsock_ms_until(deadline_ns)) == 0)
			return kterr_hint(kterr_silent(ETIMEDOUT, "qmp %s: QEMU does not read its "
						       "monitor socket", q->path),
					  "QEMU is stuck; raise --timeout-scale on a loaded host");
	}
	return unixsock_send_all(q->fd, data, len, deadline_ns, "qmp", q->path, "monitor");
}

/* Replies carry the id we sent; one without an id is a reply to a request
 * QEMU could not parse, and only ours is in flight. */
static bool is_ours(const struct qmp_msg *m, int64_t id)
{
	if (!m->id)
		return true;
	return json_object_is_type(m->id, json_type_int) && json_object_get_int64(m->id) == id;
}

/* {"execute":COMMAND,"arguments":ARGS,"id":ID} and a newline, written by
 * json-c: compact, so it is one line (a transcript line too) however
 * args_json was laid out. */
static struct kterr *command_text(const char *command, const char *args_json, int64_t id,
				  char **out)
{
	struct json_object *cmd = NULL, *args = NULL;
	struct kterr *e = NULL;

	*out = NULL;
	if (args_json) {
		e = kjson_parse(args_json, strlen(args_json), &args);
		if (!e && !json_object_is_type(args, json_type_object))
			e = kterr_new(EINVAL, "arguments are %s, not an object",
				      kjson_type_name(args));
	}
	if (!e && (cmd = json_object_new_object())) {
		json_object_object_add(cmd, "execute", kjson_string(command));
		if (args)
			json_object_object_add(cmd, "arguments", args);
		args = NULL;	/* cmd owns it */
		json_object_object_add(cmd, "id", json_object_new_int64(id));
		*out = kt_strfmt("%s\n", kjson_text(cmd));
	}
	if (!e && !*out)
		e = kterr_new(ENOMEM, "out of memory");
	json_object_put(args);
	json_object_put(cmd);
	return e;
}

static struct kterr *execute(struct qmp *q, const char *command, const char *args_json,
			     int pass_fd, struct qmp_msg **reply)
{
	uint64_t deadline = kt_now_ns() + (uint64_t)q->timeout_ms * 1000000;
	char *line = NULL;
	int64_t id = ++q->next_id;
	struct kterr *e = NULL;
	struct qmp_msg *m = NULL;

	if (reply)
		*reply = NULL;
	e = command_text(command, args_json, id, &line);
	if (e)
		return kterr_wrap(e, "qmp %s", command);
	e = send_all(q, line, strlen(line), deadline, pass_fd);
	free(line);
	while (!e) {
		e = next_reply(q, deadline, &m);
		if (e)
			break;
		if (m->kind == QMP_MSG_GREETING || !is_ours(m, id)) {
			qmp_msg_free(m);	/* stale reply of a timed-out command */
			m = NULL;
			continue;
		}
		break;
	}
	if (!e && m->kind == QMP_MSG_ERROR)
		e = qmp_msg_error(m);
	if (e) {
		qmp_msg_free(m);
		return kterr_wrap(e, "qmp %s", command);
	}
	if (reply)
		*reply = m;
	else
		qmp_msg_free(m);
	return NULL;
}

struct kterr *qmp_execute(struct qmp *q, const char *command, const char *args_json,
			  struct qmp_msg **reply)
{
	return execute(q, command, args_json, -1, reply);
}

struct kterr *qmp_execute_fd(struct qmp *q, const char *command, const char *args_json,
			     int fd, struct qmp_msg **reply)
{
	return execute(q, command, args_json, fd, reply);
}

static struct kterr *dial(const char *path, uint64_t deadline_ns, int *fdp)
{
	bool waited_out;
	struct kterr *e = unixsock_connect("qmp", path, deadline_ns, QMP_CONNECT_RETRY_NS, fdp,
					   &waited_out);

	return waited_out ? kterr_hint(e, "is QEMU running with -qmp unix:%s,server=on,wait=off?",
				       path) : e;
}

/* The version is for messages only: a greeting without it is still a
 * greeting, so a missing field is not an error. */
static void set_version(struct qmp *q, const struct json_object *greeting)
{
	struct json_object *ver, *v;
	int64_t maj, min, mic;
	struct kterr *e = kjson_member(greeting, "version", json_type_object, &ver);

	if (!e)
		e = kjson_member(ver, "qemu", json_type_object, &v);
	if (!e)
		e = kjson_member_int(v, "major", &maj);
	if (!e)
		e = kjson_member_int(v, "minor", &min);
	if (!e)
		e = kjson_member_int(v, "micro", &mic);
	if (e) {
		kterr_free(e);
		return;
	}
	snprintf(q->version, sizeof(q->version), "QEMU %" PRId64 ".%" PRId64 ".%" PRId64,
		 maj, min, mic);
}

struct kterr *qmp_connect(const char *path, uint64_t deadline_ns, FILE *trace,
			  struct qmp **out)
{
	struct qmp_msg *m = NULL;
	struct kterr *e;
	struct qmp *q;

	*out = NULL;
	q = calloc(1, sizeof(*q));
	if (q)
		q->events = calloc(QMP_MAX_QUEUED_EVENTS, sizeof(*q->events));
	if (q)
		q->path = strdup(path);
	if (!q || !q->events || !q->path) {
		if (q) {
			free(q->events);
			free(q);
		}
		return kterr_new(ENOMEM, "qmp %s: out of memory", path);
	}
	q->fd = -1;
	q->timeout_ms = (int)kt_limit_ms(KT_LIM_QMP_REPLY);
	q->trace = trace;
	qmp_reader_init(&q->rd);
	strcpy(q->version, "QEMU (unknown version)");

	e = dial(path, deadline_ns, &q->fd);
	if (!e && fcntl(q->fd, F_SETFL, fcntl(q->fd, F_GETFL) | O_NONBLOCK) < 0)
		e = kterr_errno("qmp %s: set non-blocking", path);
	if (!e)
		e = next_reply(q, deadline_ns, &m);
	if (!e && m->kind != QMP_MSG_GREETING)
		e = kterr_new(EPROTO, "qmp %s: expected the QMP greeting first", path);
	if (!e)
		set_version(q, m->body);
	qmp_msg_free(m);
	if (!e)
		e = qmp_execute(q, "qmp_capabilities", NULL, NULL);
	if (e) {
		qmp_close(q);
		return e;
	}
	*out = q;
	return NULL;
}

void qmp_close(struct qmp *q)
{
	struct qmp_msg *m;

	if (!q)
		return;
	while ((m = qmp_event_pop(q)))
		qmp_msg_free(m);
	if (q->fd >= 0)
		close(q->fd);
	qmp_reader_release(&q->rd);
	free(q->events);
	free(q->path);
	free(q);
}

/* ---- commands ---- */

struct kterr *qmp_query_status(struct qmp *q, struct qmp_status *out)
{
	struct qmp_msg *m;
	const char *st;
	struct kterr *e = qmp_execute(q, "query-status", NULL, &m);

	if (e)
		return e;
	e = kjson_member_str(m->body, "status", &st);
	if (!e)
		e = kjson_member_bool(m->body, "running", &out->running);
	if (!e)
		snprintf(out->status, sizeof(out->status), "%s", st);
	qmp_msg_free(m);
	return kterr_wrap(e, "qmp query-status: reply");
}

struct kterr *qmp_quit(struct qmp *q)
{
	struct kterr *e = qmp_execute(q, "quit", NULL, NULL);

	if (e && q->eof) {
		kterr_free(e);
		return NULL;
	}
	return e;
}

struct kterr *qmp_hmp(struct qmp *q, const char *command_line, char **out)
{
	struct json_object *obj = json_object_new_object();
	struct qmp_msg *m;
	struct kterr *e;
	const char *text;
	char *args = NULL;

	*out = NULL;
	if (obj) {
		json_object_object_add(obj, "command-line", kjson_string(command_line));
		args = strdup(kjson_text(obj));
		json_object_put(obj);
	}
	if (!args)
		return kterr_new(ENOMEM, "qmp human-monitor-command: out of memory");
	e = qmp_execute(q, "human-monitor-command", args, &m);
	free(args);
	if (e)
		return kterr_wrap(e, "monitor command \"%s\"", command_line);
	text = json_object_is_type(m->body, json_type_string) ? json_object_get_string(m->body) : NULL;
	if (!text)
		e = kterr_new(EPROTO, "qmp human-monitor-command \"%s\": reply is %s, not a string",
			      command_line, kjson_type_name(m->body));
	else if (!(*out = strdup(text)))
		e = kterr_new(ENOMEM, "qmp human-monitor-command: out of memory");
	qmp_msg_free(m);
	return e;
}
