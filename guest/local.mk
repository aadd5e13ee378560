# guest/: the agent that runs as PID 1 in the guest, the wire format it
# shares with the host, and the kernel fragment.
dist_pkgdata_DATA += guest/kernel.config guest/kernel-7.3.config

# The agent is static (PID 1 of an initramfs with no libraries of its own)
# and never built with sanitizers, which cannot link statically.
pkglibexec_PROGRAMS += ktcon-guest
ktcon_guest_SOURCES = \
	guest/agent.h guest/agent-main.c guest/agent-ops.c guest/agent-sh.c \
	guest/agent-chan.c guest/agent-mounts.c guest/agent-reap.c guest/exit-nap.c guest/exit-nap.h \
	guest/agent-power.c guest/agent-class.c guest/agent-shell.c guest/agent-util.c \
	guest/agent-cgroup.c guest/agent-batch.c guest/agent-irq.c guest/agent-payload.c \
	guest/agent-worker.c guest/agent-spawn.c guest/agent-sched.c guest/sched-exit.c guest/sched-exit.h guest/agent-bpf.c guest/worker.h guest/worker-int.h guest/worker.c \
	guest/worker-work.c guest/worker-affinity.c guest/wake-hist.c guest/wake-hist.h \
	guest/agent-state.c guest/agent-stream.c \
	guest/state-cgroups.c guest/state-cgroups.h \
	guest/state-irqs.c guest/state-irqs.h guest/wire-state.h \
	guest/wire.c guest/wire-batch.c guest/wire.h guest/wire-reply.c guest/wire-reply.h guest/layout.h \
	lib/err.c lib/util.c lib/cpuset-spec.c lib/work.c \
	lib/timeouts.c lib/wait.c lib/cgroup-name.c
ktcon_guest_CFLAGS = -std=gnu11 $(WARN_CFLAGS)
ktcon_guest_LDFLAGS = $(STATIC_LDFLAGS)
