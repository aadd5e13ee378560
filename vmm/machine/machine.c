/* machine.c - a QEMU guest and its channels; see machine.h. */
#include "vmm/machine/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/wait.h"
#include "vmm/machine/qemu-argv.h"
#include "vmm/machine/gdbstub.h"
#include "vmm/machine/qmp.h"
#include "vmm/machine/rundir.h"
#include "vmm/machine/teardown.h"
#include "vmm/machine/tsc.h"
#include "vmm/machine/migrate.h"
#include "vmm/machine/warm.h"
#include "vmm/machine/unixsock.h"


static void read_stderr(struct machine *m)
{
	char buf[1024];

	if (m->err_fd < 0)
		return;
	for (;;) {
		ssize_t r = read(m->err_fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		/* keep the newest bytes; a read is smaller than the tail */
		_Static_assert(sizeof(buf) < sizeof(m->err_tail), "tail holds a read");
		size_t keep = sizeof(m->err_tail) - 1;
		if (m->err_len + r > keep) {
			size_t drop = m->err_len + r - keep;
			memmove(m->err_tail, m->err_tail + drop, m->err_len - drop);
			m->err_len -= drop;
		}
		memcpy(m->err_tail + m->err_len, buf, r);
		m->err_len += r;
		m->err_tail[m->err_len] = '\0';
	}
}

bool machine_exited(struct machine *m)
{
	int st;

	read_stderr(m);
	if (m->reaped)
		return true;
	if (m->pid <= 0)
		return true;
	if (waitpid(m->pid, &st, WNOHANG) == m->pid) {
		m->reaped = true;
		m->exit_status = st;
		read_stderr(m);
		return true;
	}
	return false;
}

const char *machine_exit_str(const struct machine *m, char *buf, size_t size)
{
	if (!m->reaped)
		snprintf(buf, size, "running");
	else if (WIFEXITED(m->exit_status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(m->exit_status));
	else if (WIFSIGNALED(m->exit_status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(m->exit_status));
	else
		snprintf(buf, size, "status 0x%x", m->exit_status);
	return buf;
}

/* The evidence: QEMU's stderr and the console's last lines. */
static struct kterr *with_evidence(struct machine *m, struct kterr *e)
{
	char *tail = serial_tail(&m->serial, 15);

	if (m->err_len)
		e = kterr_note(e, "qemu stderr:\n%s", kt_strtrim(m->err_tail));
	if (tail && *tail)
		e = kterr_note(e, "guest console, last lines:\n%s", tail);
	free(tail);
	return e;
}

struct kterr *machine_health(struct machine *m)
{
	char line[256], st[64];
	enum serial_alarm a = serial_alarm(&m->serial, line, sizeof(line));

	if (machine_exited(m))
		return with_evidence(m, kterr_new(0, "qemu %s", machine_exit_str(m, st, sizeof(st))));
	if (a == SERIAL_PANIC)
		return with_evidence(m, kterr_new(0, "guest kernel panic: %s", line));
	return NULL;
}

static int connect_in(struct machine *m, const char *name, struct kterr **err)
{
	char *p = kt_path_join(m->rundir, name);
	int fd;

	if (!p) {
		*err = kterr_new(ENOMEM, "socket path");
		return -1;
	}
	/* One try: QMP answered, so QEMU has made its sockets. */
	*err = unixsock_connect("socket", p, 0, 0, &fd, NULL);
	free(p);
	return *err ? -1 : fd;
}

/* FDS (n of them, close-on-exec in ktcon) are QEMU's to inherit. */
static struct kterr *spawn_qemu(struct machine *m, char **argv, const int *fds, int n)
{
	int ep[2];
	pid_t parent = getpid();

	if (pipe2(ep, O_CLOEXEC) < 0)
		return kterr_errno("pipe for qemu stderr");
	m->pid = fork();
	if (m->pid < 0) {
		close(ep[0]);
		close(ep[1]);
		return kterr_errno("fork qemu");
	}
	if (m->pid == 0) {
		/* QEMU never outlives ktcon. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		/* `ktcon run` blocks its stop signals in every thread (one
		 * thread waits for them); QEMU must not inherit that mask. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int i = 0; i < n; i++)
			fcntl(fds[i], F_SETFD, 0);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		dup2(ep[1], 2);
		/* Own process group: a Ctrl-C at the console is ours to
		 * handle, not QEMU's to die of. */
		setpgid(0, 0);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(ep[1]);
	m->err_fd = ep[0];
	fcntl(m->err_fd, F_SETFL, O_NONBLOCK);
	m->t.spawn_ns = kt_now_ns();
	return NULL;
}

/* QMP comes up once QEMU has created its devices (and opened the RAM
 * file); until then, a QEMU that exits has told us why on stderr. */
static struct kterr *wait_qmp(struct machine *m)
{
	struct kt_wait w;
	char *path = kt_path_join(m->rundir, QEMU_SOCK_QMP);
	struct kterr *e = NULL;

	if (!path)
		return kterr_new(ENOMEM, "qmp path");
	kt_wait_begin(&w, KT_LIM_QMP_CONNECT, "QEMU's monitor (QMP) at %s", path);
	for (;;) {
		char st[64];

		if (machine_exited(m)) {
			e = kterr_new(0, "qemu %s before its monitor came up",
				      machine_exit_str(m, st, sizeof(st)));
			break;
		}
		kterr_free(e);
		/* Each attempt is this wait's nap: it retries until its own
		 * deadline, so an attempt that returns late was not running. */
		int nap = kt_wait_nap_ms(&w, 200);

		e = qmp_connect(path, kt_now_ns() + (uint64_t)(nap ? nap : 1) * 1000000ULL, NULL,
				&m->qmp);
		if (!e)
			break;
		if (kt_wait_expired(&w)) {
			char last[256];

			kt_wait_seen(&w, "%s", kterr_str(e, last, sizeof(last)));
			kterr_free(e);
			e = kt_wait_error(&w, NULL);
			break;
		}
	}
	free(path);
	return e;
}

/* Everything a killed ktcon must not leave behind (teardown.h). */
static void register_teardown(struct machine *m)
{
	static const char *const names[] = { QEMU_SOCK_QMP, QEMU_SOCK_GDB, QEMU_SOCK_SERIAL,
					     QEMU_SOCK_HVC, QEMU_SOCK_CTL, "console.log",
					     RUNDIR_OWNER };
	char *paths[8] = { 0 };
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		paths[n++] = kt_path_join(m->rundir, names[i]);
	m->td_slot = teardown_register(m->pid, m->rundir, (const char *const *)paths, n);
	for (int i = 0; i < n; i++)
		free(paths[i]);
}

static void sweep_dead(void)
{
	rundir_sweep(kt_tmpdir());
}

struct kterr *machine_start(const struct machine_opts *o, struct machine *m)
{
	struct qemu_spec spec = { 0 };
	static pthread_once_t swept = PTHREAD_ONCE_INIT;
	char **argv = NULL;
	struct kterr *e;
	int fd, pass[2], npass = 0;

	memset(m, 0, sizeof(*m));
	m->hvc_fd = m->ctl_fd = m->err_fd = m->td_slot = m->rundir_lock = -1;
	m->ram.fd = -1;
	serial_init_detached(&m->serial);

	e = topology_check(&o->topo);
	if (!e)
		e = accel_resolve(o->accel, &m->accel, &m->accel_why);
	if (e)
		return kterr_wrap(e, "start the guest");
	if (!kt_exists(o->kernel))
		return kterr_hint(kterr_errno("guest kernel %s", o->kernel),
				  "build one with `ktcon kernel build` or pass --kernel PATH");
	/* What a ktcon killed with SIGKILL left: once per process. */
	pthread_once(&swept, sweep_dead);
	e = rundir_create(&m->rundir, &m->rundir_lock);
	if (e)
		return kterr_wrap(e, "start the guest");
	e = guestmem_create(&m->ram, (uint64_t)o->topo.memory_mib << 20);
	if (e)
		goto fail;
	if (o->incoming_ram) {
		e = warm_load_ram(o->incoming_ram, &m->ram, o->incoming_ram_sum, &m->t.ram_copied);
		if (e)
			goto fail;
		m->t.ram_ns = kt_now_ns();
	}
	pass[npass++] = m->ram.fd;
	if (o->initrd_fd > 0)
		pass[npass++] = o->initrd_fd;

	spec.qemu = o->qemu ? o->qemu : KTCON_QEMU;
	spec.accel = m->accel;
	spec.topo = o->topo;
	spec.ram_path = m->ram.path;
	spec.kernel = o->kernel;
	spec.initrd = o->initrd;
	spec.append_extra = o->append_extra;
	spec.tsc_khz = tsc_host_khz();
	spec.rundir = m->rundir;
	spec.incoming = o->incoming;
	e = qemu_argv_build(&spec, &argv);
	if (e)
		goto fail;
	m->cmdline = qemu_argv_join(argv);
	e = spawn_qemu(m, argv, pass, npass);
	qemu_argv_free(argv);
	if (e)
		goto fail;
	register_teardown(m);
	e = wait_qmp(m);
	if (e)
		goto fail;
	if (o->incoming && o->incoming_qemu && strcmp(o->incoming_qemu, qmp_version(m->qmp))) {
		e = kterr_new(0, "saved by %s, this is %s", o->incoming_qemu,
			      qmp_version(m->qmp));
		goto fail;
	}
	fd = connect_in(m, QEMU_SOCK_SERIAL, &e);
	if (fd < 0)
		goto fail;
	{
		char *log = kt_path_join(m->rundir, "console.log");
		int log_fd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;

		free(log);
		e = serial_start(&m->serial, fd, log_fd, o->on_console, o->ctx);
		if (e) {
			close(fd);
			if (log_fd >= 0)
				close(log_fd);
			goto fail;
		}
	}
	m->hvc_fd = connect_in(m, QEMU_SOCK_HVC, &e);
	if (m->hvc_fd < 0)
		goto fail;
	m->ctl_fd = connect_in(m, QEMU_SOCK_CTL, &e);
	if (m->ctl_fd < 0)
		goto fail;
	/* Every socket is connected before the state loads: the restored
	 * virtio-serial port finds its host side connected, as it was when
	 * saved, and the guest sees no change (warm.h). */
	if (o->incoming) {
		e = migrate_load(m->qmp, o->state_fd, (int)kt_limit_ms(KT_LIM_BOOT));
		if (e)
			goto fail;
		m->t.incoming_ns = kt_now_ns();
	}
	e = qmp_execute(m->qmp, "cont", NULL, NULL);
	if (e)
		goto fail;
	m->t.ready_ns = kt_now_ns();
	return NULL;
fail:
	e = with_evidence(m, kterr_wrap(e, "start the guest"));
	machine_stop(m, 0);
	return e;
}

bool machine_wait_exit(struct machine *m, int timeout_ms)
{
	struct kt_wait w;

	kt_wait_begin_ms(&w, timeout_ms, "QEMU (pid %d) to exit", (int)m->pid);
	while (!machine_exited(m)) {
		if (kt_wait_expired(&w))
			return false;
		usleep(kt_wait_nap_ms(&w, 10) * 1000);
	}
	return true;
}

void machine_stop(struct machine *m, int grace_ms)
{
	if (m->pid > 0 && !machine_exited(m)) {
		if (m->qmp && grace_ms > 0)
			kterr_free(qmp_quit(m->qmp));
		if (!machine_wait_exit(m, grace_ms)) {
			kill(m->pid, SIGKILL);
			machine_wait_exit(m, (int)kt_limit_ms(KT_LIM_KILL));
		}
	}
	if (m->gdb) {
		gdb_close(m->gdb);
		m->gdb = NULL;
	}
	if (m->qmp) {
		qmp_close(m->qmp);
		m->qmp = NULL;
	}
	serial_stop(&m->serial);
	if (m->hvc_fd >= 0)
		close(m->hvc_fd);
	if (m->ctl_fd >= 0)
		close(m->ctl_fd);
	if (m->err_fd >= 0)
		close(m->err_fd);
	m->hvc_fd = m->ctl_fd = m->err_fd = -1;
	guestmem_destroy(&m->ram);
	rundir_remove(m->rundir, m->rundir_lock);
	free(m->rundir);
	m->rundir = NULL;
	m->rundir_lock = -1;
	teardown_unregister(m->td_slot);
	m->td_slot = -1;
	free(m->cmdline);
	m->cmdline = NULL;
}
