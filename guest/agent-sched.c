/*
 * agent-sched.c - sched_ext schedulers in the guest: the boot scheduler,
 * attach, detach, restart and replace, the exit monitor, and the scheduler's
 * output forwarded to the host's log.
 *
 * A scheduler is a staged binary (/staging/schedulers/NAME/, or /scheduler
 * with /sched_args for the boot one) started in the root cgroup with its
 * output in its own file (/tmp/sched.log for the boot one, as in the seed;
 * /tmp/sched-NAME.log for the others), so a refused attach's error shows
 * its own words and not the running scheduler's. Attached means what the kernel says:
 * /sys/kernel/sched_ext/state is "enabled" and, when the kernel counts
 * enables, enable_seq moved past its value before the spawn, so a second
 * scheduler refused with -EBUSY is never mistaken for the one already
 * running. Limits are the seed's: 30 s to attach, 10 s of grace to detach.
 *
 * Detach follows the seed: the exit monitor is turned off first so the
 * intended stop is not reported as a crash, sysrq 'S' starts the kernel's
 * disable (avoiding the struct_ops unregister path that can stall), then
 * SIGTERM, then a bounded wait for "disabled".
 */
#include "guest/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/wait.h"
#include "guest/layout.h"
#include "guest/sched-exit.h"

#define BOOT_LOG "/tmp/sched.log"
#define SCX_SYSFS "/sys/kernel/sched_ext"
#define TAIL_BYTES 600

/* After sched_ext leaves "enabled" on its own, how long to wait for the
 * kernel's "disabled (REASON)" record before reporting without it: the
 * kernel prints it at the end of its disable work, after every task has
 * been moved back to the fair class. */
#define REASON_WAIT_MS 3000
/* An error exit's message (which task stalled, scx_bpf_error()'s text) is
 * the kernel's next record, printed right after "disabled (WHY)"; the
 * agent, a real-time task, can look between the two. Wait this long for
 * it before reporting without it. */
#define DETAIL_WAIT_MS 500
/* enum scx_exit_kind: kinds from here on are errors, and print a message. */
#define SCX_EXIT_ERROR_KIND 1024

static struct {
	pid_t pid;		/* 0: none of ours attached */
	char name[64];
	bool monitor;		/* an exit is news (not one we asked for) */
	bool reported;		/* its ejection was reported; its exit is not news */
	uint64_t left_ns;	/* when sched_ext was first seen not enabled */
	uint64_t why_ns;	/* when the kernel's "disabled (WHY)" was first seen */
	char log[96];		/* its output */
} cur;

/* The log being forwarded to the host (the current scheduler's, or the
 * last one's until it is drained) and how much of it went. */
static char fwd_log[96];
static off_t fwd_sent, boot_log_sent;

static bool scx_state_is(const char *want)
{
	char st[32];

	return !strcmp(agent_scx_state(st, sizeof(st)), want);
}

static void scx_ops(char *buf, size_t size)
{
	buf[0] = '\0';
	kterr_free(agent_read_file(SCX_SYSFS "/root/ops", buf, size));
}

/* enable_seq, or -1 when this kernel has none. */
static long long scx_enable_seq(void)
{
	char buf[32];
	struct kterr *e = agent_read_file(SCX_SYSFS "/enable_seq", buf, sizeof(buf));

	if (e) {
		kterr_free(e);
		return -1;
	}
	return atoll(buf);
}

static off_t log_size(const char *log)
{
	struct stat sb;

	return stat(log, &sb) ? 0 : sb.st_size;
}

/* The scheduler's output since FROM, its last TAIL_BYTES, lines joined by
 * " | " so it reads on one error line. */
static void log_tail(const char *log, off_t from, char *out, size_t size)
{
	int fd = open(log, O_RDONLY | O_CLOEXEC);
	off_t end = log_size(log);
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return;
	if (end - from > TAIL_BYTES)
		from = end - TAIL_BYTES;
	n = pread(fd, out, size - 1, from);
	close(fd);
	if (n <= 0)
		return;
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	for (char *c = out; *c; c++)
		if (*c == '\n')
			*c = '|';
}

/* The kernel's last words about sched_ext, from the printk ring. */
static void kmsg_reason(char *out, size_t size)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char rec[1024];
	size_t len = 0;
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg;

		if (n <= 0)
			continue;	/* EPIPE: overwritten records; go on */
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || !strstr(msg, "sched_ext"))
			continue;
		msg[strcspn(msg, "\n")] = '\0';
		/* this scheduler's story starts at its enable; keep the
		 * newest when the buffer is full */
		if (strstr(msg, "enabled") || len + strlen(msg) + 3 >= size)
			len = 0;
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " | " : "", msg + 1);
	}
	close(fd);
}

static void staged_args(const char *dir, const char *name, char *buf, size_t size)
{
	char p[320];
	struct kterr *e;

	snprintf(p, sizeof(p), "%s/%s/" KT_GUEST_ARGS_FILE, dir, name);
	if ((e = agent_read_file(p, buf, size))) {
		kterr_free(e);
		buf[0] = '\0';
	}
}

/* Spawn BIN and wait until the kernel has it enabled; the ops name goes
 * to OPS. */
static struct kterr *start(const char *name, const char *bin, const char *args, bool boot)
{
	bool was_enabled = scx_state_is("enabled");
	long long seq0 = scx_enable_seq();
	struct kt_wait w;
	char tail[TAIL_BYTES + 1], ops[64], log[96], scx[32];
	off_t from;
	struct kterr *e;
	pid_t pid;
	int st;

	if (boot)
		snprintf(log, sizeof(log), BOOT_LOG);
	else
		snprintf(log, sizeof(log), "/tmp/sched-%.60s.log", name);
	from = log_size(log);
	e = agent_spawn(NULL, log, true, bin, args, &pid);
	if (e)
		return kterr_wrap(e, "start scheduler %s (%s)", name, bin);
	kt_wait_begin(&w, KT_LIM_ATTACH, "scheduler %s enabled", name);
	for (;;) {
		long long seq = scx_enable_seq();

		if (agent_wait_child(pid, 0, &st)) {
			log_tail(log, from, tail, sizeof(tail));
			scx_ops(ops, sizeof(ops));
			e = kterr_new(ECHILD, "scheduler %s exited while attaching (%s %d): %s", name,
				      WIFSIGNALED(st) ? "signal" : "status",
				      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
				      tail[0] ? tail : "(no output)");
			if (was_enabled)
				return kterr_hint(e, "a scheduler (ops %s) is already attached and the "
						  "kernel refuses a second one (-EBUSY): use "
						  "replace-scheduler, or detach-scheduler first",
						  ops[0] ? ops : "?");
			return kterr_hint(e, "its output above says why; all of it is in %s in "
					  "the guest", log);
		}
		if (scx_state_is("enabled") && (seq0 >= 0 ? seq > seq0 : !was_enabled))
			break;
		if (kt_wait_expired(&w)) {
			kill(pid, SIGKILL);
			agent_wait_child(pid, (int)kt_limit_ms(KT_LIM_KILL), &st);
			log_tail(log, from, tail, sizeof(tail));
			kt_wait_seen(&w, "sched_ext %s, enable_seq %lld (was %lld); its output: %s",
				     agent_scx_state(scx, sizeof(scx)), seq, seq0,
				     tail[0] ? tail : "(none)");
			return kt_wait_error(&w, "the scheduler was killed; its whole log is %s in "
					     "the guest", log);
		}
		usleep(kt_wait_nap_ms(&w, 10) * 1000);
	}
	cur.pid = pid;
	cur.monitor = true;
	cur.reported = false;
	cur.left_ns = cur.why_ns = 0;
	snprintf(cur.name, sizeof(cur.name), "%s", name);
	snprintf(cur.log, sizeof(cur.log), "%s", log);
	return NULL;
}

static struct kterr *need_attached(const char *op)
{
	if (cur.pid)
		return NULL;
	return kterr_hint(kterr_new(ENOENT, "%s: no scheduler is attached", op),
			  "attach-scheduler NAME first");
}

static void forward_output(struct agent *a);

/* Kill the scheduler that runs now, whichever it is. Its output, to its
 * last line, goes to the host before the op replies: a run that ends right
 * after a detach would otherwise lose what the scheduler said last. */
static struct kterr *kill_current(struct agent *a)
{
	struct kt_wait w;
	char st_now[32];
	int st;

	kt_wait_begin(&w, KT_LIM_DETACH, "sched_ext to disable after sysrq S and SIGTERM to %s",
		      cur.name);
	cur.monitor = false;
	forward_output(a);
	kterr_free(agent_write_file("/proc/sysrq-trigger", "S"));
	if (kill(cur.pid, SIGTERM) < 0 && errno != ESRCH)
		return kterr_errno("SIGTERM scheduler %s (pid %d)", cur.name, (int)cur.pid);
	for (bool reaped = false; ; usleep(kt_wait_nap_ms(&w, 10) * 1000)) {
		if (!reaped)
			reaped = agent_wait_child(cur.pid, 0, &st);
		if (reaped && !scx_state_is("enabled") && !scx_state_is("disabling"))
			break;
		kt_wait_seen(&w, "sched_ext %s; pid %d %s", agent_scx_state(st_now, sizeof(st_now)),
			     (int)cur.pid, reaped ? "exited" : "still running");
		if (kt_wait_expired(&w)) {
			kill(cur.pid, SIGKILL);
			if (!reaped)
				agent_wait_child(cur.pid, (int)kt_limit_ms(KT_LIM_KILL), &st);
			cur.pid = 0;
			return kt_wait_error(&w, "the disable is stuck in the kernel: see the "
					     "console and /proc/*/stack in the guest");
		}
	}
	cur.pid = 0;
	forward_output(a);
	return NULL;
}

static void put_state(struct wire_buf *reply)
{
	char st[32], ops[64];

	scx_ops(ops, sizeof(ops));
	wire_put_str(reply, "state", agent_scx_state(st, sizeof(st)));
	wire_put_str(reply, "ops", ops);
}

static struct kterr *attach_named(const char *op, const struct wire_msg *req)
{
	const char *name = wire_get(req, "name"), *args = wire_get(req, "args");
	char bin[512], dflt[1024];
	struct kterr *e = agent_staged_binary(KT_GUEST_SCHEDULERS, "scheduler", name, bin,
					      sizeof(bin));

	if (!e && !args) {
		staged_args(KT_GUEST_SCHEDULERS, name, dflt, sizeof(dflt));
		args = dflt;
	}
	if (!e)
		e = start(name, bin, args, false);
	return e ? kterr_wrap(e, "%s %s", op, name ? name : "") : NULL;
}

static struct kterr *start_boot(void)
{
	char name[64] = "boot", args[1024] = "";
	struct kterr *e;

	kterr_free(agent_read_file(KT_GUEST_BOOT_SCHED, name, sizeof(name)));
	if ((e = agent_read_file(KT_GUEST_SCHED_ARGS, args, sizeof(args))))
		kterr_free(e);
	if (access(KT_GUEST_SCHED_BIN, X_OK))
		return kterr_hint(kterr_errno("no boot scheduler at %s", KT_GUEST_SCHED_BIN),
				  "the recipe header needs a `scheduler NAME` line");
	return start(name, KT_GUEST_SCHED_BIN, args, true);
}

static struct kterr *op_attach(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	struct kterr *e = attach_named("attach-scheduler", req);

	if (!e)
		put_state(reply);
	return e;
}

static struct kterr *op_detach(struct agent *a, const struct wire_msg *req, struct wire_buf *reply)
{
	struct kterr *e = need_attached("detach-scheduler");

	if (!e)
		e = kill_current(a);
	if (!e)
		put_state(reply);
	return e;
}

/* Restart respawns the BOOT scheduler, whatever was attached last
 * (doc/seed-rules.md). */
static struct kterr *op_restart(struct agent *a, const struct wire_msg *req,
				struct wire_buf *reply)
{
	struct kterr *e = need_attached("restart-scheduler");

	if (!e)
		e = kill_current(a);
	if (!e)
		e = start_boot();
	if (e)
		return kterr_wrap(e, "restart-scheduler");
	put_state(reply);
	return NULL;
}

/* Detach and attach as one op; the time with no scheduler is reported. */
static struct kterr *op_replace(struct agent *a, const struct wire_msg *req,
				struct wire_buf *reply)
{
	struct kterr *e = need_attached("replace-scheduler");
	char old[64];
	uint64_t t0 = kt_now_ns(), t1;

	if (e)
		return e;
	snprintf(old, sizeof(old), "%s", cur.name);
	e = kill_current(a);
	t1 = kt_now_ns();
	if (!e)
		e = attach_named("replace-scheduler", req);
	if (e)
		return e;
	wire_put_str(reply, "replaced", old);
	wire_put_u64(reply, "detach_ns", t1 - t0);
	wire_put_u64(reply, "window_ns", kt_now_ns() - t0);
	put_state(reply);
	return NULL;
}

/* ---- for the other ops ---- */

bool agent_holds_struct_ops(pid_t pid)
{
	char dir[64];
	struct dirent *de;
	DIR *d;
	bool found = false;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	if (!(d = opendir(dir)))
		return false;
	while (!found && (de = readdir(d))) {
		char p[352], info[1024];
		struct kterr *e;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		e = agent_read_file(p, info, sizeof(info));
		found = !e && strstr(info, "link_type:\tstruct_ops");
		kterr_free(e);
	}
	closedir(d);
	return found;
}

struct kterr *agent_sched_disable(enum kt_limit limit)
{
	struct kt_wait w;
	char st[32];
	struct kterr *e = agent_write_file("/proc/sysrq-trigger", "S");

	if (e)
		return kterr_wrap(e, "sysrq S (disable sched_ext)");
	kt_wait_begin(&w, limit, "sched_ext to disable after sysrq S");
	while (scx_state_is("enabled") || scx_state_is("disabling")) {
		kt_wait_seen(&w, "sched_ext %s", agent_scx_state(st, sizeof(st)));
		if (kt_wait_expired(&w))
			return kt_wait_error(&w, NULL);
		usleep(kt_wait_nap_ms(&w, 10) * 1000);
	}
	return NULL;
}

/* ---- for agent-main.c ---- */

struct kterr *agent_sched_boot(void)
{
	return access(KT_GUEST_SCHED_BIN, F_OK) ? NULL : kterr_wrap(start_boot(), "boot scheduler");
}

const char *agent_sched_name(void)
{
	return cur.pid ? cur.name : "";
}

/* Send what FWD_LOG gained as LOG lines, whole lines only (unless one line
 * fills the buffer). */
static void forward_log(struct agent *a, const char *who)
{
	off_t end = log_size(fwd_log);

	while (fwd_log[0] && end > fwd_sent) {
		char buf[4096], *nl;
		int fd = open(fwd_log, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf) - 1, fwd_sent);

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		buf[n] = '\0';
		nl = strrchr(buf, '\n');
		if (!nl && n < (ssize_t)sizeof(buf) - 1)
			return;		/* a partial line: next time */
		if (nl)
			*nl = '\0';
		fwd_sent += nl ? (nl - buf) + 1 : n;
		for (char *save, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			agent_send_log(a, "sched %s: %s", who, l);
	}
}

/* The current scheduler's output (or, once it is gone, the rest of the
 * last one's) to the host as LOG lines. */
static void forward_output(struct agent *a)
{
	static char fwd_name[64];

	if (cur.pid && strcmp(fwd_log, cur.log)) {
		forward_log(a, fwd_name);	/* the last one's remainder */
		snprintf(fwd_log, sizeof(fwd_log), "%s", cur.log);
		snprintf(fwd_name, sizeof(fwd_name), "%s", cur.name);
		fwd_sent = 0;
		/* a restarted boot scheduler appends: skip what was sent */
		if (!strcmp(cur.log, BOOT_LOG) && boot_log_sent > 0)
			fwd_sent = boot_log_sent;
	}
	forward_log(a, fwd_name);
	if (!strcmp(fwd_log, BOOT_LOG))
		boot_log_sent = fwd_sent;
}

/* A scheduler whose process exited unasked, kept until the kernel has
 * said why: a scheduler usually exits on its own as soon as it learns it
 * was ejected (its user_exit_info), which can be before the kernel's
 * "disabled (WHY)" record, and the report must still say "ejected". */
static struct {
	bool pending;
	int status;
	uint64_t ns;		/* when it was reaped */
	uint64_t why_ns;	/* when the kernel's "disabled (WHY)" was first seen */
	char name[64];
	char log[96];
} gone;

/* One sched-exit EVENT: the scheduler is gone, by the kernel's word
 * (EJECTED: the kernel disabled it, for a reason other than its user space
 * letting go) and/or because its process exited (EXITED, with STATUS). */
static void send_exit(struct agent *a, const char *name, const char *log, bool exited,
		      int status)
{
	struct wire_buf ev;
	char reason[1024], tail[TAIL_BYTES + 1], state[32];
	struct sched_exit x;
	off_t end = log_size(log);
	bool ejected;

	kmsg_reason(reason, sizeof(reason));
	ejected = sched_exit_parse(reason, &x) && !sched_exit_by_user_space(&x);
	/* still running, no word from the kernel: sched_ext left "enabled"
	 * on its own (watch_ejection waited for the word) */
	if (!exited)
		ejected = true;
	log_tail(log, end > TAIL_BYTES ? end - TAIL_BYTES : 0, tail, sizeof(tail));
	wire_buf_init(&ev);
	wire_begin(&ev, WIRE_EVENT, 0);
	wire_put_str(&ev, "event", "sched-exit");
	wire_put_str(&ev, "name", name);
	if (ejected)
		wire_put_u64(&ev, "ejected", 1);
	if (exited)
		wire_put_i64(&ev, "status", status);
	wire_put_str(&ev, "state", agent_scx_state(state, sizeof(state)));
	wire_put_str(&ev, "reason", reason);
	wire_put_str(&ev, "why", x.why);
	wire_put_str(&ev, "detail", x.detail);
	if (x.kind) {
		wire_put_str(&ev, "kind", x.kind);
		wire_put_u64(&ev, "kind_value", (uint64_t)x.kind_value);
	}
	wire_put_str(&ev, "output", tail);
	kterr_free(agent_send(a, &ev));
	wire_buf_free(&ev);
	if (ejected)
		agent_console("scheduler %s ejected by the kernel: %s", name,
			      x.why[0] ? x.why : reason[0] ? reason : "no sched_ext message");
	else
		agent_console("scheduler %s exited (%s %d): %s", name,
			      status < 0 ? "signal" : "status", status < 0 ? -status : status,
			      reason[0] ? reason : "no sched_ext message");
}

/* Whether the kernel has said why sched_ext let the scheduler go, enough
 * to report it: its "disabled (WHY)" record, and for an error kind the
 * message after it (DETAIL_WAIT_MS for that, counted from *why_ns).
 * by_user: the reason is that user space let go. */
static bool kernel_said(uint64_t now, uint64_t *why_ns, bool *by_user)
{
	char reason[1024];
	struct sched_exit x;

	kmsg_reason(reason, sizeof(reason));
	*by_user = false;
	if (!sched_exit_parse(reason, &x))
		return false;
	*by_user = sched_exit_by_user_space(&x);
	if (x.kind_value >= SCX_EXIT_ERROR_KIND && !x.detail[0]) {
		if (!*why_ns)
			*why_ns = now;
		return now - *why_ns >= kt_scaled_ms(DETAIL_WAIT_MS) * 1000000ull;
	}
	return true;
}

/* sched_ext left "enabled" with our scheduler attached and nobody asking:
 * the kernel ejected it (watchdog, scx_bpf_error, sysrq). Report it as
 * soon as the kernel says why, whether or not its process exits. */
static void watch_ejection(struct agent *a)
{
	uint64_t now = kt_now_ns();
	bool said, by_user;

	if (scx_state_is("enabled")) {
		cur.left_ns = cur.why_ns = 0;
		return;
	}
	if (!cur.left_ns)
		cur.left_ns = now;
	said = kernel_said(now, &cur.why_ns, &by_user);
	/* user space let go (its process closed the link, a kill): the
	 * process's exit is the news, and it comes next */
	if (now - cur.left_ns < kt_scaled_ms(REASON_WAIT_MS) * 1000000ull && (!said || by_user))
		return;
	send_exit(a, cur.name, cur.log, false, 0);
	cur.reported = true;
}

/* A reaped scheduler's report, once the kernel said why or REASON_WAIT_MS
 * after it was reaped. */
static void report_gone(struct agent *a)
{
	uint64_t now = kt_now_ns();
	bool by_user;

	if (!gone.pending)
		return;
	if (!kernel_said(now, &gone.why_ns, &by_user) &&
	    now - gone.ns < kt_scaled_ms(REASON_WAIT_MS) * 1000000ull)
		return;
	send_exit(a, gone.name, gone.log, true, gone.status);
	gone.pending = false;
}

/* Forward the scheduler's output; report an exit nobody asked for as a
 * sched-exit EVENT with the kernel's reason and the scheduler's last words:
 * when the kernel ejects it, and when its process exits unasked. */
void agent_sched_poll(struct agent *a)
{
	int st;

	forward_output(a);
	report_gone(a);
	if (!cur.pid)
		return;
	if (!agent_wait_child(cur.pid, 0, &st)) {
		if (cur.monitor && !cur.reported)
			watch_ejection(a);
		return;
	}
	if (cur.monitor && !cur.reported) {
		/* reported by report_gone, on this call or a later one; an
		 * earlier one still waiting goes first, as it is */
		if (gone.pending)
			send_exit(a, gone.name, gone.log, true, gone.status);
		gone.pending = true;
		gone.status = WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
		gone.ns = kt_now_ns();
		gone.why_ns = 0;
		snprintf(gone.name, sizeof(gone.name), "%s", cur.name);
		snprintf(gone.log, sizeof(gone.log), "%s", cur.log);
		report_gone(a);
	}
	cur.pid = 0;
	cur.reported = false;
	cur.left_ns = cur.why_ns = 0;
}

const struct agent_op agent_sched_ops[] = {
	{ "attach-scheduler", op_attach },
	{ "detach-scheduler", op_detach },
	{ "restart-scheduler", op_restart },
	{ "replace-scheduler", op_replace },
	{ NULL, NULL },
};
