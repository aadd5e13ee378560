/* agent-reap.c - PID 1 reaps everything; ops wait for their own children
 * through a small table of exits the reaper has collected. */
#include "guest/agent.h"

#include <errno.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest/exit-nap.h"
#include "lib/util.h"
#include "lib/wait.h"

/* Room for every worker of a big stop-cgroup exiting at once. */
#define EXITS 4096

static struct { pid_t pid; int status; } exits[EXITS];
static unsigned next_slot;

void agent_reap(void)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		/* Ring of recent exits: an op looks its child up here. */
		exits[next_slot % EXITS].pid = pid;
		exits[next_slot % EXITS].status = st;
		next_slot++;
	}
}

static bool take_exit(pid_t pid, int *status)
{
	for (int i = 0; i < EXITS; i++) {
		if (exits[i].pid == pid) {
			*status = exits[i].status;
			exits[i].pid = 0;
			return true;
		}
	}
	return false;
}

bool agent_wait_child(pid_t pid, int timeout_ms, int *status)
{
	struct kt_wait w;

	agent_reap();
	if (take_exit(pid, status))
		return true;
	if (!timeout_ms)
		return false;	/* just looking: the common case, kept cheap */
	kt_wait_begin_ms(&w, timeout_ms, "pid %d to exit", (int)pid);
	for (;;) {
		if (kt_wait_expired(&w))
			return false;
		exit_nap(&pid, NULL, 1, kt_wait_nap_ms(&w, 100));
		agent_reap();
		if (take_exit(pid, status))
			return true;
	}
}
