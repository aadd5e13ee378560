/* agent-mounts.c - the filesystems and the cgroup subtree ktcon needs.
 * Unlike a minimal init, a failed mount is never ignored: it is printed on
 * the console and reported in HELLO, because a missing cgroup2 or bpffs
 * shows up much later as a baffling op failure. */
#include "guest/agent.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "lib/util.h"

static const struct {
	const char *source, *target, *type;
	unsigned long flags;
	const char *data;
	bool optional;		/* absent from some kernels: not an error */
} mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, false },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, false },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", false },
	{ "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", false },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", false },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	  "nsdelegate", false },
	{ "bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700", false },
	{ "debugfs", "/sys/kernel/debug", "debugfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, false },
	{ "tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, true },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620", true },
};

static void note(struct agent *a, struct kterr *e)
{
	char buf[256];
	size_t used = strlen(a->mount_errors);

	kterr_str(e, buf, sizeof(buf));
	agent_console("%s", buf);
	snprintf(a->mount_errors + used, sizeof(a->mount_errors) - used, "%s%s",
		 used ? "; " : "", buf);
	kterr_free(e);
}

void agent_mount_all(struct agent *a)
{
	for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
		mkdir(mounts[i].target, 0755);
		if (mount(mounts[i].source, mounts[i].target, mounts[i].type, mounts[i].flags,
			  mounts[i].data) == 0 || errno == EBUSY)
			continue;
		if (mounts[i].optional && (errno == ENODEV || errno == ENOENT))
			continue;
		note(a, kterr_errno("mount %s on %s", mounts[i].type, mounts[i].target));
	}
}

void agent_cgroup_setup(struct agent *a)
{
	struct kterr *e;

	/* Controllers must be enabled at each level down to the managed
	 * parent, and in it, for its children to get cpuset.cpus & co. */
	e = agent_write_file(AGENT_CGROUP_ROOT "/cgroup.subtree_control", AGENT_CONTROLLERS);
	if (e) {
		note(a, kterr_wrap(e, "enable cgroup controllers"));
		return;
	}
	if (mkdir(AGENT_CGROUP_MANAGED, 0755) < 0 && errno != EEXIST) {
		note(a, kterr_errno("create %s", AGENT_CGROUP_MANAGED));
		return;
	}
	e = agent_write_file(AGENT_CGROUP_MANAGED "/cgroup.subtree_control", AGENT_CONTROLLERS);
	if (e)
		note(a, kterr_wrap(e, "enable controllers under %s", AGENT_CGROUP_MANAGED));
}
